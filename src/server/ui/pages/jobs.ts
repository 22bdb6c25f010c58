/**
 * Jobs (admins and operators): the queue now — scans of the caller's tenants queued, running and failed, per
 * tenant; the whole job queue by queue and state for admins — and the jobs that failed for good (the dead-letter
 * state: retries with backoff used up, or an error no retry fixes) with their reason, their target by name, and
 * "Scan again". Reasons come from the targets' own machines and sites: they are inserted as text like every name.
 */
import { api, get } from '../api.js';
import { canWrite } from '../app.js';
import { h, replace } from '../dom.js';
import { fmtDateTime, fmtNum, hasKey, t } from '../i18n/index.js';
import type { ScanRecord } from '../types.js';
import { formStatus, link, section, table } from '../ui.js';

interface Counts {
  queued: number;
  running: number;
  failed: number;
}
interface JobsSummary {
  runner: 'pg-boss' | 'in-process' | null;
  scans: Counts;
  tenants: (Counts & { tenantId: string; tenantName: string })[];
  queues: { queue: string; state: string; count: number }[] | null;
}
interface DeadLetter {
  id: string;
  queue: string;
  scanId: string | null;
  targetId: string | null;
  targetName: string | null;
  tenantId: string | null;
  tenantName: string | null;
  reason: string;
  at: string;
  rescan: boolean;
}

const queueLabel = (q: string): string => {
  const k = `jobs.queue.${q}`;
  return hasKey(k) ? t(k) : q;
};
const stateLabel = (s: string): string => {
  const k = `jobs.state.${s}`;
  return hasKey(k) ? t(k) : s;
};

function summaryView(s: JobsSummary): HTMLElement[] {
  const line = h(
    'p',
    { class: 'stats-line', 'data-testid': 'jobs-counts', 'data-queued': s.scans.queued, 'data-running': s.scans.running, 'data-failed': s.scans.failed },
    t('jobs.queued', { n: s.scans.queued }),
    ' · ',
    t('jobs.running', { n: s.scans.running }),
    ' · ',
    h('span', { class: s.scans.failed > 0 ? 'bad' : '' }, t('jobs.failed', { n: s.scans.failed })),
  );
  const out = [
    h('p', { class: 'hint' }, t('jobs.nowHelp')),
    line,
    table(s.tenants, [
      { head: t('common.tenant'), cell: (x) => link(`#/tenants/${encodeURIComponent(x.tenantId)}`, x.tenantName) },
      { head: t('jobs.col.queued'), cell: (x) => fmtNum(x.queued), class: 'num' },
      { head: t('jobs.col.running'), cell: (x) => fmtNum(x.running), class: 'num' },
      { head: t('jobs.col.failed'), cell: (x) => fmtNum(x.failed), class: 'num' },
    ], { caption: t('jobs.byTenant'), testid: 'jobs-tenants', empty: t('jobs.noScans') }),
  ];
  if (s.queues) {
    out.push(
      h('h3', null, t('jobs.queues')),
      h('p', { class: 'hint' }, t('jobs.queuesHelp', { runner: t(s.runner === 'pg-boss' ? 'jobs.runner.pg-boss' : 'jobs.runner.in-process') })),
      table(s.queues, [
        { head: t('jobs.queue'), cell: (x) => queueLabel(x.queue) },
        { head: t('jobs.state'), cell: (x) => stateLabel(x.state) },
        { head: t('jobs.count'), cell: (x) => fmtNum(x.count), class: 'num' },
      ], { testid: 'jobs-queues', empty: t('jobs.queuesEmpty') }),
    );
  }
  return out;
}

export async function renderJobs(main: HTMLElement): Promise<void> {
  const [summary, dead] = await Promise.all([get<JobsSummary>('/api/jobs/summary'), get<{ items: DeadLetter[] }>('/api/jobs/dead-letters', { limit: 200 })]);
  const now = h('div', { 'data-testid': 'jobs-now' }, summaryView(summary));
  const status = formStatus();
  const refresh = () =>
    get<JobsSummary>('/api/jobs/summary')
      .then((s) => replace(now, summaryView(s)))
      .catch((err: unknown) => status.error(err));

  const rescan = (d: DeadLetter): HTMLElement | null => {
    if (!d.rescan || !d.targetId || !canWrite()) return null;
    const btn = h('button', { type: 'button', class: 'btn small', 'data-testid': 'rescan' }, t('jobs.rescan'));
    btn.setAttribute('aria-label', `${t('jobs.rescan')}: ${d.targetName ?? ''}`);
    btn.addEventListener('click', () => {
      btn.disabled = true;
      api<{ scan: ScanRecord }>('POST', `/api/targets/${encodeURIComponent(d.targetId!)}/scans`, {})
        .then(() => {
          status.ok(t('jobs.rescanned', { name: d.targetName ?? '' }));
          return refresh();
        })
        .catch((err: unknown) => {
          btn.disabled = false;
          status.error(err);
        });
    });
    return btn;
  };

  replace(
    main,
    h('h1', null, t('jobs.title')),
    section(t('jobs.now'), now),
    section(
      t('jobs.dead', { n: dead.items.length }),
      h('p', { class: 'hint' }, t('jobs.deadHelp')),
      status.el,
      table(dead.items, [
        { head: t('jobs.at'), cell: (d) => fmtDateTime(d.at) },
        { head: t('jobs.kind'), cell: (d) => queueLabel(d.queue) },
        {
          head: t('common.target'),
          cell: (d) => [
            d.targetId && d.targetName ? link(`#/targets/${encodeURIComponent(d.targetId)}`, d.targetName) : h('span', { class: 'muted' }, d.targetId ? t('jobs.targetGone') : '—'),
            d.tenantName ? h('span', { class: 'muted small' }, ` ${d.tenantName}`) : null,
          ],
        },
        { head: t('jobs.reason'), cell: (d) => h('span', { class: 'reason', 'data-testid': 'dead-reason' }, d.reason) },
        { head: t('common.actions'), cell: (d) => rescan(d) },
      ], { testid: 'dead-letters', empty: t('jobs.deadEmpty') }),
    ),
  );
}
