/** The fleet at a glance: missing security updates (oldest fix first), end of life, personal data, KEV, severities. */
import { get, list } from '../api.js';
import { go, type Route } from '../app.js';
import { severityBars } from '../charts.js';
import { h, replace } from '../dom.js';
import { fmtDate, fmtNum, t } from '../i18n/index.js';
import type { FleetOverview, Tenant } from '../types.js';
import { field, link, section, select, sevBadge, table } from '../ui.js';

export async function renderOverview(main: HTMLElement, route: Route): Promise<void> {
  const tenant = route.query.get('tenant') ?? '';
  const [tenants, ov] = await Promise.all([list<Tenant>('/api/tenants'), get<FleetOverview>('/api/overview', { tenant })]);
  const pick = select('tenant', [['', t('common.allTenants')], ...tenants.map((x) => [x.id, x.name] as const)], tenant);
  pick.addEventListener('change', () => go('/', { tenant: pick.value }));
  const tenantName = new Map(tenants.map((x) => [x.id, x.name]));
  const targetLink = (r: { targetId: string; targetName: string; tenantId: string }) =>
    h('span', null, link(`#/targets/${encodeURIComponent(r.targetId)}`, r.targetName), tenant ? null : h('span', { class: 'muted small' }, ` ${tenantName.get(r.tenantId) ?? ''}`));
  // Oldest fix first: the longest-available fix is the longest-skipped duty; unknown dates last.
  const missing = [...ov.missingUpdates].sort((a, b) => (b.lagDays ?? -1) - (a.lagDays ?? -1) || b.daysSeen - a.daysSeen);

  replace(
    main,
    h('h1', null, t('overview.title')),
    h('div', { class: 'toolbar' }, field(t('common.tenant'), pick)),
    h(
      'div',
      { class: 'stats' },
      stat(t('overview.targets'), ov.targets, 'targets'),
      stat(t('overview.scanned'), ov.scannedTargets, 'scanned'),
      stat(t('overview.failed'), ov.failedTargets, 'failed', ov.failedTargets > 0 ? 'bad' : ''),
      stat(t('overview.kev'), ov.kev.length, 'kev', ov.kev.length > 0 ? 'bad' : ''),
    ),
    h('div', { class: 'grid2' }, section(t('overview.bySeverity'), severityBars(ov.summary)), section(t('overview.howToRead'), h('p', null, t('overview.duty')))),
    section(
      t('overview.missingUpdates'),
      h('p', { class: 'hint' }, t('overview.missingHelp')),
      table(missing, [
        { head: t('common.target'), cell: targetLink },
        { head: t('common.package'), cell: (r) => r.package ?? '—' },
        { head: t('common.severity'), cell: (r) => sevBadge(r.severity) },
        { head: t('overview.fixSince'), cell: (r) => fmtDate(r.fixPublishedAt) },
        { head: t('overview.lagDays'), cell: (r) => (r.lagDays === null ? t('common.unknown') : fmtNum(r.lagDays)), class: 'num' },
        { head: t('overview.daysSeen'), cell: (r) => fmtNum(r.daysSeen), class: 'num' },
      ], { testid: 'missing-updates', empty: t('overview.noneMissing') }),
    ),
    section(
      t('overview.endOfLife'),
      table(ov.endOfLife, [
        { head: t('common.target'), cell: targetLink },
        { head: t('common.component'), cell: (r) => [r.component ?? '—', r.version ? ` ${r.version}` : ''] },
        { head: t('common.severity'), cell: (r) => sevBadge(r.severity) },
        { head: t('common.finding'), cell: (r) => r.title },
      ], { testid: 'end-of-life', empty: t('overview.noneEol') }),
    ),
    section(
      t('overview.personalData'),
      table(ov.personalData, [
        { head: t('common.target'), cell: targetLink },
        { head: t('common.severity'), cell: (r) => sevBadge(r.severity) },
        { head: t('common.finding'), cell: (r) => r.title },
      ], { testid: 'personal-data', empty: t('overview.nonePii') }),
    ),
    section(
      t('overview.kevTitle'),
      table(ov.kev, [
        { head: t('common.target'), cell: targetLink },
        { head: 'CVE', cell: (r) => r.cves.join(', ') },
        { head: t('common.severity'), cell: (r) => sevBadge(r.severity) },
        { head: t('common.finding'), cell: (r) => r.title },
      ], { testid: 'kev', empty: t('overview.noneKev') }),
    ),
  );
}

function stat(label: string, n: number, id: string, cls = ''): HTMLElement {
  return h('div', { class: `stat ${cls}`, 'data-testid': `stat-${id}` }, h('span', { class: 'stat-n' }, fmtNum(n)), h('span', { class: 'stat-label' }, label));
}
