/** The difference between any two scans of a target: new, resolved and unchanged findings, and those a scan did not check. */
import { get } from '../api.js';
import { go, type Route } from '../app.js';
import { h, replace } from '../dom.js';
import { fmtDateTimeSec, t } from '../i18n/index.js';
import type { Category, FindingRow, Page, ScanDiff, ScanRecord, Target } from '../types.js';
import { catLabel, field, link, section, select, sevBadge, table } from '../ui.js';

export async function renderDiff(main: HTMLElement, route: Route): Promise<void> {
  const targetId = route.query.get('target') ?? '';
  const from = route.query.get('from') ?? '';
  const to = route.query.get('to') ?? '';
  const target = targetId ? await get<Target>(`/api/targets/${encodeURIComponent(targetId)}`) : undefined;
  const scans = targetId ? (await get<Page<ScanRecord>>(`/api/targets/${encodeURIComponent(targetId)}/scans`, { page: 1, pageSize: 100 })).items.filter((x) => x.status === 'done') : [];
  const opts = scans.map((x) => [x.id, fmtDateTimeSec(x.finishedAt)] as const);
  const fromSel = select('from', opts, from || scans[1]?.id || '');
  const toSel = select('to', opts, to || scans[0]?.id || '');
  const pick = h('form', { class: 'filters', 'data-testid': 'diff-pick' }, field(t('diff.from'), fromSel), field(t('diff.to'), toSel), h('button', { type: 'submit', class: 'btn' }, t('diff.compare')));
  pick.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/diff', { target: targetId, from: fromSel.value, to: toSel.value });
  });
  const diff = from && to ? await get<ScanDiff>('/api/diff', { from, to }) : undefined;
  // Older servers answer without these lists.
  const notChecked = diff?.notChecked ?? [];
  const notCheckedBefore = diff?.notCheckedBefore ?? [];
  const rows = (list: readonly FindingRow[], testid: string) =>
    table(list, [
      { head: t('common.severity'), cell: (x) => sevBadge(x.severity) },
      { head: t('common.category'), cell: (x) => catLabel(x.category as Category) },
      { head: t('common.finding'), cell: (x) => x.title },
      { head: t('common.package'), cell: (x) => [x.package ?? x.component ?? '—', x.version ? ` ${x.version}` : ''] },
      { head: 'CVE', cell: (x) => x.cves.slice(0, 3).join(', ') },
    ], { testid, empty: t('common.none') });
  replace(
    main,
    target ? h('p', { class: 'crumbs' }, link(`#/targets/${encodeURIComponent(target.id)}`, target.name), ' / ') : null,
    h('h1', null, t('diff.title')),
    target ? pick : h('p', null, t('diff.pickFromTarget')),
    diff
      ? [
          h('div', { class: 'stats' },
            h('div', { class: 'stat bad', 'data-testid': 'diff-new-count' }, h('span', { class: 'stat-n' }, String(diff.new.length)), h('span', { class: 'stat-label' }, t('diff.new'))),
            h('div', { class: 'stat good', 'data-testid': 'diff-resolved-count' }, h('span', { class: 'stat-n' }, String(diff.resolved.length)), h('span', { class: 'stat-label' }, t('diff.resolved'))),
            h('div', { class: 'stat', 'data-testid': 'diff-unchanged-count' }, h('span', { class: 'stat-n' }, String(diff.unchanged.length)), h('span', { class: 'stat-label' }, t('diff.unchanged'))),
            notChecked.length ? h('div', { class: 'stat', 'data-testid': 'diff-not-checked-count' }, h('span', { class: 'stat-n' }, String(notChecked.length)), h('span', { class: 'stat-label' }, t('diff.notChecked'))) : null),
          section(`${t('diff.new')} (${diff.new.length})`, rows(diff.new, 'diff-new')),
          section(`${t('diff.resolved')} (${diff.resolved.length})`, rows(diff.resolved, 'diff-resolved')),
          section(`${t('diff.unchanged')} (${diff.unchanged.length})`, rows(diff.unchanged, 'diff-unchanged')),
          notChecked.length ? section(`${t('diff.notChecked')} (${notChecked.length})`, h('p', { class: 'muted' }, t('diff.notCheckedNote')), rows(notChecked, 'diff-not-checked')) : null,
          notCheckedBefore.length ? section(`${t('diff.notCheckedBefore')} (${notCheckedBefore.length})`, h('p', { class: 'muted' }, t('diff.notCheckedNote')), rows(notCheckedBefore, 'diff-not-checked-before')) : null,
        ]
      : null,
  );
}
