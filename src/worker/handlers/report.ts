/**
 * The `render-report` job: the tenant's owner report (src/fleet/owner-report.ts), or one scan's report when
 * `scanId` is given (src/report renderers), as HTML or PDF (Chromium) in Japanese or English, stored in the
 * fleet store (`reports`: bytes, size, SHA-256) for GET /api/reports/:id/download. This is the work a server on
 * PostgreSQL hands to `mamori worker` processes instead of running Chromium inside an HTTP request.
 *
 * - Idempotent by report id (payload.reportId, else the job id): a retried or re-delivered job finds the report
 *   done and writes nothing again (store.finishReport stores the bytes once).
 * - A failed attempt puts the record back to queued with its reason; the last one (or a permanent error) fails
 *   it for good. The pg-boss dead-letter handler fails a report whose last attempt died with its worker.
 * - `deliver`: emailed to the tenant's report recipients through the notify machinery once it is done; a
 *   delivery that may succeed later fails the attempt (the retry sends the stored bytes, no new rendering).
 * - Bounded: after each job the tenant keeps its newest REPORTS_KEEP finished reports, none older than
 *   REPORTS_MAX_AGE_DAYS.
 */
import { createHash } from 'node:crypto';
import type { FleetStore } from '../../fleet/ports.js';
import type { SmtpConfig } from '../../fleet/notify/deliver.js';
import { Notifier } from '../../fleet/notify/service.js';
import { ownerReportData, renderOwnerReport } from '../../fleet/owner-report.js';
import { SYSTEM_SCOPE, type ReportRecord } from '../../fleet/types.js';
import { isPermanent, PermanentJobError, type JobContext, type JobHandler, type JobPayload, type JobRunner } from '../jobs.js';
import { reasonOf } from '../redact.js';

export const REPORTS_KEEP = 20;
export const REPORTS_MAX_AGE_DAYS = 90;

export interface ReportJobDeps {
  store: FleetStore;
  /** For `deliver` (MAMORI_SMTP_URL); without it a delivery is recorded as failed in the tenant's delivery log. */
  smtp?: SmtpConfig;
  clock?: () => Date;
  /** Retention (defaults REPORTS_KEEP, REPORTS_MAX_AGE_DAYS). */
  keep?: { count?: number; days?: number };
}

interface Rendered {
  filename: string;
  body: Uint8Array;
}

async function render(store: FleetStore, rec: ReportRecord, now: Date): Promise<Rendered> {
  if (rec.scanId) {
    const scan = await store.getScan(SYSTEM_SCOPE, rec.scanId);
    const doc = scan && scan.tenantId === rec.tenantId ? await store.getScanDocument(SYSTEM_SCOPE, rec.scanId) : undefined;
    if (!doc) throw new PermanentJobError(`scan ${rec.scanId} of this tenant has no finished report`);
    const { renderers } = await import('../../report/index.js');
    const out = await renderers[rec.format]!(doc, { lang: rec.lang });
    return {
      filename: `mamori-${doc.target.name.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'target'}-${rec.scanId.slice(0, 8)}.${rec.format}`,
      body: typeof out === 'string' ? new TextEncoder().encode(out) : out,
    };
  }
  const data = await ownerReportData(store, SYSTEM_SCOPE, rec.tenantId);
  if (!data) throw new PermanentJobError(`tenant ${rec.tenantId} not found`);
  const r = await renderOwnerReport(data, { format: rec.format, lang: rec.lang, now });
  return { filename: r.filename, body: r.body };
}

const interrupted = (err: unknown, ctx: JobContext): boolean => {
  const reason: unknown = ctx.signal.reason;
  return (reason instanceof Error && reason.name === 'JobInterrupted') || (err instanceof Error && err.name === 'JobInterrupted');
};

export function renderReportHandler(deps: ReportJobDeps): JobHandler<'render-report'> {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const notifier = new Notifier({ store, smtp: deps.smtp });
  return async (payload: JobPayload<'render-report'>, ctx: JobContext) => {
    const id = payload.reportId ?? ctx.jobId;
    let rec = await store.getReport(SYSTEM_SCOPE, id);
    if (!rec) {
      if (payload.reportId) {
        ctx.log('warn', 'report record not found (deleted); nothing to render', { reportId: id });
        return;
      }
      rec = await store.createReport(SYSTEM_SCOPE, { id, tenantId: payload.tenantId, scanId: payload.scanId ?? null, format: payload.format, lang: payload.lang, deliver: payload.deliver });
      if (!rec) throw new PermanentJobError(`tenant ${payload.tenantId} not found`);
    }
    if (rec.tenantId !== payload.tenantId) throw new PermanentJobError(`report ${id} is not of tenant ${payload.tenantId}`);
    if (rec.status === 'failed') {
      ctx.log('info', 'report failed for good before; nothing to do', { reportId: id });
      return;
    }
    if (rec.status !== 'done') {
      await store.startReport(id);
      ctx.progress({ code: 'report.job.start', params: { format: rec.format, lang: rec.lang } });
      try {
        const r = await render(store, rec, clock());
        if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('aborted');
        const sha256 = createHash('sha256').update(r.body).digest('hex');
        const wrote = await store.finishReport(id, { filename: r.filename, content: r.body, sha256 });
        ctx.log('info', wrote ? 'report stored' : 'report was already stored; nothing written', { reportId: id, tenantId: rec.tenantId, format: rec.format, lang: rec.lang, size: r.body.byteLength });
      } catch (err) {
        const again = interrupted(err, ctx);
        const final = !again && (isPermanent(err) || ctx.attempt >= ctx.maxAttempts);
        await store.failReport(id, reasonOf(err), final);
        if (final) await prune(deps, rec.tenantId, clock(), ctx);
        throw err;
      }
      rec = (await store.getReport(SYSTEM_SCOPE, id)) ?? rec;
    }
    if (rec.deliver && !rec.deliveredAt) await deliver(notifier, store, rec, clock(), ctx);
    await prune(deps, rec.tenantId, clock(), ctx);
  };
}

async function deliver(notifier: Notifier, store: FleetStore, rec: ReportRecord, now: Date, ctx: JobContext): Promise<void> {
  const got = await store.getReportContent(SYSTEM_SCOPE, rec.id);
  if (!got) return;
  const outcome = await notifier.deliverReport(rec.tenantId, rec.id, { filename: got.report.filename ?? `report.${rec.format}`, contentType: got.report.contentType ?? 'application/octet-stream', content: got.content }, now);
  if (!outcome.events) ctx.log('info', 'report not emailed: the tenant has no report recipients', { reportId: rec.id });
  const retry = outcome.failed.filter((f) => f.retry);
  if (retry.length) throw new Error(`report delivery failed: ${retry.map((f) => `${f.channel}: ${f.reason}`).join('; ').slice(0, 900)}`);
  for (const f of outcome.failed) ctx.log('warn', 'report not delivered', { reportId: rec.id, channel: f.channel, reason: f.reason });
  await store.markReportDelivered(rec.id, now);
}

async function prune(deps: ReportJobDeps, tenantId: string, now: Date, ctx: JobContext): Promise<void> {
  const days = deps.keep?.days ?? REPORTS_MAX_AGE_DAYS;
  try {
    const n = await deps.store.pruneReports(tenantId, { keep: deps.keep?.count ?? REPORTS_KEEP, before: new Date(now.getTime() - days * 86_400_000) });
    if (n) ctx.log('info', 'old reports deleted', { tenantId, deleted: n });
  } catch (err) {
    ctx.log('warn', 'old reports not deleted', { tenantId, error: reasonOf(err) });
  }
}

/**
 * At start of the embedded server: queue again the reports left queued or running (the in-process runner keeps
 * non-scan jobs in memory, so a restart would lose them). Not needed on pg-boss, whose jobs persist.
 */
export async function resumeQueuedReports(store: FleetStore, runner: Pick<JobRunner, 'enqueue'>): Promise<number> {
  let n = 0;
  for (const r of await store.listReports(SYSTEM_SCOPE, { status: ['queued', 'running'] }, 500)) {
    await runner.enqueue({ kind: 'render-report', payload: { tenantId: r.tenantId, reportId: r.id, format: r.format, lang: r.lang, ...(r.scanId ? { scanId: r.scanId } : {}), ...(r.deliver ? { deliver: true } : {}) } });
    n++;
  }
  return n;
}
