/** Findings across the fleet (latest scan of each target): severity, category, CVE, package, tag, KEV, text; CSV. */
import { get, qs, list } from '../api.js';
import { go, type Route } from '../app.js';
import { h, replace } from '../dom.js';
import { fmtNum, t } from '../i18n/index.js';
import type { Category, FindingRow, Page, Tenant } from '../types.js';
import { CATEGORIES, SEVERITIES, catLabel, download, field, link, notCheckedBadge, pager, section, select, sevBadge, sevLabel, table } from '../ui.js';

export async function renderFindings(main: HTMLElement, route: Route): Promise<void> {
  const q = route.query;
  const f = {
    tenant: q.get('tenant') ?? '', severity: q.get('severity') ?? '', category: q.get('category') ?? '', cve: q.get('cve') ?? '',
    package: q.get('package') ?? '', tag: q.get('tag') ?? '', kev: q.get('kev') ?? '', q: q.get('q') ?? '',
  };
  const page = Number(q.get('page') ?? '1') || 1;
  const [tenants, res] = await Promise.all([list<Tenant>('/api/tenants'), get<Page<FindingRow & { targetName: string }>>('/api/findings', { ...f, page, pageSize: 50 })]);
  const tenantSel = select('tenant', [['', t('common.allTenants')], ...tenants.map((x) => [x.id, x.name] as const)], f.tenant);
  const sevSel = select('severity', [['', t('common.all')], ...SEVERITIES.map((x) => [x, sevLabel(x)] as const)], f.severity);
  const catSel = select('category', [['', t('common.all')], ...CATEGORIES.map((x) => [x, catLabel(x)] as const)], f.category);
  const cve = h('input', { type: 'text', name: 'cve', value: f.cve, placeholder: 'CVE-2024-…' });
  const pkg = h('input', { type: 'text', name: 'package', value: f.package });
  const tag = h('input', { type: 'text', name: 'tag', value: f.tag });
  const text = h('input', { type: 'search', name: 'q', value: f.q });
  const kev = h('input', { type: 'checkbox', name: 'kev', checked: f.kev === 'true' });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'data-testid': 'findings-filters' },
    field(t('common.tenant'), tenantSel), field(t('common.severity'), sevSel), field(t('common.category'), catSel),
    field('CVE', cve), field(t('common.package'), pkg), field(t('common.tag'), tag), field(t('common.search'), text),
    h('div', { class: 'field check' }, kev, h('label', { for: (kev.id = 'kev-only') }, t('findings.kevOnly'))),
    h('button', { type: 'submit', class: 'btn' }, t('common.apply')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/findings', { tenant: tenantSel.value, severity: sevSel.value, category: catSel.value, cve: cve.value.trim(), package: pkg.value.trim(), tag: tag.value.trim(), kev: kev.checked ? 'true' : '', q: text.value.trim() });
  });
  replace(
    main,
    h('h1', null, t('findings.title')),
    form,
    h('div', { class: 'actions' }, download(`/api/findings${qs({ ...f, format: 'csv' })}`, t('findings.csv'))),
    section(
      res.totalIsLowerBound ? t('findings.resultsMore', { n: fmtNum(res.total) }) : t('findings.results', { n: res.total }),
      table(res.items, [
        { head: t('common.target'), cell: (x) => link(`#/targets/${encodeURIComponent(x.targetId)}`, x.targetName) },
        { head: t('common.severity'), cell: (x) => sevBadge(x.severity) },
        { head: t('common.category'), cell: (x) => catLabel(x.category as Category) },
        { head: t('common.finding'), cell: (x) => [x.title, x.kev ? h('span', { class: 'badge kev' }, 'KEV') : null, x.accepted ? h('span', { class: 'badge accepted' }, t('findings.accepted')) : null, notCheckedBadge(x.unverifiedSince)] },
        { head: t('common.package'), cell: (x) => [x.package ?? x.component ?? '—', x.version ? ` ${x.version}` : ''] },
        { head: 'CVE', cell: (x) => x.cves.slice(0, 3).join(', ') + (x.cves.length > 3 ? ` +${x.cves.length - 3}` : '') },
      ], { testid: 'fleet-findings', empty: t('findings.none') }),
      pager(res.page, res.pageSize, res.total, (p) => go('/findings', { ...f, page: p }), res.totalIsLowerBound),
    ),
  );
}
