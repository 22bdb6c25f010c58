/**
 * The `notify` job: compose and deliver a tenant's notifications for one event (src/fleet/notify). Events:
 * `scan-finished` and `scan-failed` (enqueued by the scan job's hooks, see notifyScanHooks), `weekly-digest`
 * and `monthly-report` (the schedules below; `tenantId: null` means every tenant). A delivery that failed and
 * may succeed later fails the attempt, so the runner retries it; items delivered before are not sent again.
 * Failures are recorded in the tenant's delivery log (GET /api/tenants/:id/notifications) on every attempt.
 */
import type { FleetStore } from '../../fleet/ports.js';
import { Notifier, type NotifierDeps, type NotifyOutcome } from '../../fleet/notify/service.js';
import { renderOwnerReport, ownerReportData } from '../../fleet/owner-report.js';
import { SYSTEM_SCOPE } from '../../fleet/types.js';
import type { Job, JobHandler, JobRunner } from '../jobs.js';

export const NOTIFY_EVENTS = ['scan-finished', 'scan-failed', 'weekly-digest', 'monthly-report'] as const;
export type NotifyJobEvent = (typeof NOTIFY_EVENTS)[number];

export interface NotifyJobDeps {
  store: FleetStore;
  smtp: NotifierDeps['smtp'];
  clock?: () => Date;
  webhook?: NotifierDeps['webhook'];
}

/** The owner report as an attachment (PDF through Chromium, or HTML). */
export const ownerReportAttachment = (store: FleetStore): NonNullable<NotifierDeps['ownerReport']> => async (tenantId, lang, format, now) => {
  const data = await ownerReportData(store, SYSTEM_SCOPE, tenantId);
  if (!data) throw new Error(`tenant ${tenantId} not found`);
  const r = await renderOwnerReport(data, { format, lang, now });
  return { filename: r.filename, contentType: r.contentType, content: r.body };
};

export function notifyHandler(deps: NotifyJobDeps): JobHandler<'notify'> {
  const notifier = new Notifier({ store: deps.store, smtp: deps.smtp, ownerReport: ownerReportAttachment(deps.store), webhook: deps.webhook });
  return async (payload, ctx) => {
    const now = (deps.clock ?? (() => new Date()))();
    const event = payload.event as NotifyJobEvent;
    if (!(NOTIFY_EVENTS as readonly string[]).includes(event)) {
      ctx.log('error', 'unknown notify event; nothing sent', { event: payload.event });
      return;
    }
    const tenants = payload.tenantId ? [payload.tenantId] : (await deps.store.listTenants(SYSTEM_SCOPE)).map((t) => t.id);
    const outcomes: NotifyOutcome[] = [];
    switch (event) {
      case 'scan-finished':
        if (payload.scanId) outcomes.push(await notifier.scanFinished(payload.scanId, now));
        break;
      case 'scan-failed':
        if (payload.scanId) outcomes.push(await notifier.scanFailed(payload.scanId, now));
        break;
      case 'weekly-digest':
        for (const t of tenants) outcomes.push(await notifier.weeklyDigest(t, now));
        break;
      case 'monthly-report':
        for (const t of tenants) outcomes.push(await notifier.monthlyReport(t, now));
        break;
    }
    const sent = outcomes.reduce((n, o) => n + o.sent, 0);
    const failed = outcomes.flatMap((o) => o.failed);
    ctx.log(failed.length ? 'warn' : 'info', 'notifications delivered', { event, sent, failed: failed.length });
    for (const f of failed) ctx.log('warn', 'notification not delivered', { event, channel: f.channel, kind: f.kind, reason: f.reason, retry: f.retry });
    const retry = failed.filter((f) => f.retry);
    if (retry.length) throw new Error(`notification delivery failed (${retry.length}): ${retry.map((f) => `${f.channel}: ${f.reason}`).join('; ').slice(0, 900)}`);
    // Items another job claimed and had not marked sent: it sends them, or it died and its claim expires. Retried
    // here so that they are sent in the end (the retry finds them sent, or takes over the expired claim).
    const elsewhere = outcomes.flatMap((o) => o.elsewhere);
    if (elsewhere.length) {
      ctx.log('info', 'notifications being delivered by another job', { event, items: elsewhere.reduce((n, e) => n + e.items, 0), until: elsewhere.map((e) => e.until).sort().at(-1) });
      throw new Error(`${elsewhere.reduce((n, e) => n + e.items, 0)} notification item(s) are being delivered by another job (claimed until ${elsewhere.map((e) => e.until).sort().at(-1)}); retried to make sure they were sent`);
    }
  };
}

/** The scan job's hooks (ScanJobDeps.onFinished / onFailed): enqueue the notify job of the scan. */
export function notifyScanHooks(runner: Pick<JobRunner, 'enqueue'>): { onFinished: (s: { scanId: string; tenantId: string }) => Promise<void>; onFailed: (s: { scanId: string; tenantId: string }) => Promise<void> } {
  return {
    onFinished: async (s) => {
      await runner.enqueue({ kind: 'notify', payload: { tenantId: s.tenantId, event: 'scan-finished', scanId: s.scanId } });
    },
    onFailed: async (s) => {
      await runner.enqueue({ kind: 'notify', payload: { tenantId: s.tenantId, event: 'scan-failed', scanId: s.scanId } });
    },
  };
}

/** Server-wide schedules of the notify module (5-field cron, UTC): the weekly digest on Monday 00:00 UTC (09:00 JST), the monthly report on the 1st. */
export const NOTIFY_SCHEDULES: readonly { name: string; cron: string; job: Job }[] = [
  { name: 'weekly-digest', cron: '0 0 * * 1', job: { kind: 'notify', payload: { tenantId: null, event: 'weekly-digest' } } },
  { name: 'monthly-report', cron: '0 0 1 * *', job: { kind: 'notify', payload: { tenantId: null, event: 'monthly-report' } } },
];

/**
 * Evaluate the notify schedules once: each schedule whose cron minute came since its last evaluation (kept in
 * the store and moved in one serialised update, so a restart catches up once, and a cluster of servers sharing
 * the store enqueues it once per due minute) enqueues its job. Returns the names fired.
 */
export async function evaluateNotifySchedules(deps: { store: FleetStore; runner: Pick<JobRunner, 'enqueue'> }, now: Date): Promise<string[]> {
  const { parseCron, cronNext } = await import('../cron.js');
  const fired: string[] = [];
  for (const s of NOTIFY_SCHEDULES) {
    const key = `notify.schedule.${s.name}`;
    const cron = parseCron(s.cron);
    const isDue = (lastText: string | undefined) => {
      const due = lastText ? cronNext(cron, new Date(lastText)) : null;
      return due !== null && due <= now;
    };
    // A read first: most minutes nothing is due, and nothing is written.
    const seen = await deps.store.getSetting<string>(null, key);
    if (seen && !isDue(seen)) continue;
    // Fired by whoever moves the last evaluation past the due minute, in the setting's one serialised update: two
    // servers of a cluster evaluating at once (the pg-boss runner has no singleton jobs) enqueue it once. First
    // start: from now on (no digest for weeks before the server existed).
    let fire = false;
    await deps.store.updateSetting<string>(null, key, (lastText) => {
      if (lastText && !isDue(lastText)) return lastText;
      fire = Boolean(lastText);
      return now.toISOString();
    });
    if (!fire) continue;
    await deps.runner.enqueue(s.job, { singletonKey: `notify:${s.name}` });
    fired.push(s.name);
  }
  return fired;
}

/** Evaluate the notify schedules every minute until stopped (the embedded server). */
export function startNotifySchedules(deps: { store: FleetStore; runner: Pick<JobRunner, 'enqueue'>; clock?: () => Date; intervalMs?: number; onError?: (err: unknown) => void }): { stop(): void } {
  const run = () => void evaluateNotifySchedules(deps, (deps.clock ?? (() => new Date()))()).catch((err: unknown) => deps.onError?.(err));
  const timer = setInterval(run, deps.intervalMs ?? 60_000);
  timer.unref();
  run();
  return { stop: () => clearInterval(timer) };
}
