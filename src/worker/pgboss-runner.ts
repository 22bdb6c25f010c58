/**
 * The JobRunner port (./jobs.ts) on pg-boss (./pgboss.ts): what `mamori serve --database postgres://…` uses
 * to enqueue, and what `mamori worker` uses to take jobs. The same handlers as the in-process runner
 * (./handlers): only the transport of jobs differs.
 *
 * - Queues per job kind; a scan goes to `scan-host` or `scan-site` by its target's kind (site scans are long
 *   and must not starve host scans; each has its own expiry).
 * - Before a scan runs, its target lock is held (./pgboss.ts); a scan record still `running` then belongs to
 *   an attempt whose worker died, and is put back in the queue (store.failScan, not final) before it starts.
 * - Job events (progress, status) travel from the workers to the server through PostgreSQL NOTIFY on the
 *   channel `mamori_jobs` (ids and message codes only, never a secret), so the dashboard's live view works
 *   whichever machine runs the job.
 * - `list()` answers from a snapshot of pg-boss's table refreshed every two seconds (the port is synchronous).
 * - The schedule tick (pg-boss cron, one job per minute for the whole cluster) calls the schedules' evaluation
 *   exactly once per minute whatever the number of workers.
 */
import pg from 'pg';
import type { FleetStore } from '../fleet/ports.js';
import { SYSTEM_SCOPE } from '../fleet/types.js';
import { JOB_KINDS, parseJob, type EnqueueOptions, type Job, type JobEvent, type JobHandlers, type JobInfo, type JobKind, type JobRunner, type JobStatus } from './jobs.js';
import type { Logger } from './log.js';
import { DEAD_LETTER_QUEUE, PGBOSS_SCHEMA, PgBossRunner, type JobData, type PgBossRunnerOptions, type QueueKind } from './pgboss.js';

export const EVENTS_CHANNEL = 'mamori_jobs';

export interface PgBossJobRunnerOptions extends PgBossRunnerOptions {
  store: FleetStore;
  /** Take jobs with these handlers (a worker); without them the runner only enqueues (the server). */
  handlers?: JobHandlers;
  /** Evaluate the schedules (once per minute for the whole cluster); given to workers. */
  onScheduleTick?: (now: Date) => Promise<void>;
  /** Keep a snapshot of the jobs for list() and relay events to subscribers (the server). */
  observe?: boolean;
}

const queueOfKind = (kind: Exclude<JobKind, 'scan'>): QueueKind => kind;

function statusOf(state: string, output: Record<string, unknown> | null): JobStatus | null {
  if (state === 'created') return 'queued';
  if (state === 'retry') return 'retrying';
  if (state === 'active') return 'running';
  if (state === 'completed') return output && (output.deferred || output.handedBack) ? null : output?.permanent ? 'failed' : 'done';
  return 'failed';
}

export class PgBossJobRunner implements JobRunner {
  readonly engine: PgBossRunner;
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private snapshot: JobInfo[] = [];
  private timer?: NodeJS.Timeout;
  private listenClient?: pg.Client;
  private notifyPool?: pg.Pool;
  private readonly log: Logger;

  constructor(private readonly opts: PgBossJobRunnerOptions) {
    this.engine = new PgBossRunner(opts);
    this.log = opts.log;
  }

  async enqueue(job: Job, opts: EnqueueOptions = {}): Promise<string> {
    const checked = parseJob(job.kind, job.payload);
    let queue: QueueKind;
    const data: JobData = { kind: checked.kind, payload: checked.payload };
    if (checked.kind === 'scan') {
      const p = checked.payload;
      const target = await this.opts.store.getTarget(SYSTEM_SCOPE, p.targetId);
      queue = target?.kind === 'site' ? 'scan-site' : 'scan-host';
      Object.assign(data, { scanId: p.scanId, targetId: p.targetId, tenantId: p.tenantId });
    } else {
      queue = queueOfKind(checked.kind);
      const t = (checked.payload as { tenantId?: string | null }).tenantId;
      if (t) data.tenantId = t;
    }
    await this.engine.start();
    const wait = opts.startAfter ? Math.max(0, Math.ceil((opts.startAfter.getTime() - Date.now()) / 1000)) : 0;
    const id = await this.engine.send(queue, data, wait ? { startAfterSeconds: wait } : {});
    const jobId = data.scanId ?? id;
    this.emit({ type: 'status', jobId, kind: checked.kind, status: 'queued', attempt: 0, tenantId: data.tenantId ?? null, targetId: data.targetId, scanId: data.scanId, at: new Date().toISOString() });
    return jobId;
  }

  async start(): Promise<void> {
    await this.engine.start();
    if (this.opts.observe) await this.observe();
    const handlers = this.opts.handlers;
    if (!handlers) return;
    if (handlers.scan) {
      const scan = handlers.scan;
      const run = (data: JobData, ctx: Parameters<Parameters<PgBossRunner['handle']>[1]>[1]) => this.runScan(scan, data, ctx);
      this.engine.handle('scan-host', run);
      this.engine.handle('scan-site', run);
    }
    for (const kind of JOB_KINDS) {
      if (kind === 'scan') continue;
      const h = handlers[kind];
      if (!h) continue;
      this.engine.handle(queueOfKind(kind), async (data, ctx) => {
        const job = parseJob(kind, data.payload);
        await (h as (p: unknown, c: unknown) => Promise<void>)(job.payload, this.jobContext(kind, data, ctx));
      });
    }
    if (this.opts.onScheduleTick) {
      const tick = this.opts.onScheduleTick;
      this.engine.handle('schedule-tick', async (_data, ctx) => {
        ctx.log.log('info', 'schedule tick', {});
        await tick(new Date());
      });
    }
    this.engine.onDead(async (queue, data, reason) => {
      this.log.log('error', 'job failed for good (dead letter)', { queue, scanId: data.scanId, targetId: data.targetId, reason });
      if (data.kind === 'render-report') {
        // the last attempt died with its worker (or was refused): the report must not stay queued/running
        const reportId = (data.payload as { reportId?: unknown } | undefined)?.reportId;
        if (typeof reportId === 'string') await this.opts.store.failReport(reportId, reason === 'unknown' ? 'the report job ran out of attempts' : reason, true);
        return;
      }
      if (!data.scanId) return;
      const scan = await this.opts.store.getScan(SYSTEM_SCOPE, data.scanId);
      // the last attempt expired (its worker died) or was refused at once: the scan must not stay queued/running
      if (scan && (scan.status === 'queued' || scan.status === 'running')) await this.opts.store.failScan(data.scanId, reason === 'unknown' ? 'the scan job ran out of attempts' : reason, true);
      this.emit({ type: 'status', jobId: data.scanId, kind: 'scan', status: 'failed', attempt: 0, tenantId: data.tenantId ?? null, targetId: data.targetId, scanId: data.scanId, reason, at: new Date().toISOString() });
    });
    await this.engine.work();
  }

  async stop(opts: { graceful?: boolean; graceMs?: number } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.listenClient?.end().catch(() => undefined);
    await this.engine.stop(opts.graceful === false ? 0 : (opts.graceMs ?? 30_000));
    await this.notifyPool?.end().catch(() => undefined);
  }

  subscribe(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(filter: { status?: JobStatus } = {}): JobInfo[] {
    return filter.status ? this.snapshot.filter((j) => j.status === filter.status) : this.snapshot;
  }

  /** Read the jobs table now (list() serves the last read). */
  async refresh(): Promise<JobInfo[]> {
    const r = await this.pool().query<{ id: string; name: string; state: string; retry_count: number; data: JobData; output: Record<string, unknown> | null; created_on: Date; started_on: Date | null; completed_on: Date | null }>(
      `SELECT id::text, name, state::text AS state, retry_count, data, output, created_on, started_on, completed_on FROM ${PGBOSS_SCHEMA}.job
       WHERE name <> 'schedule-tick' AND name <> $1 AND (state < 'completed' OR completed_on > now() - interval '1 hour') ORDER BY created_on DESC LIMIT 1000`,
      [DEAD_LETTER_QUEUE],
    );
    const out: JobInfo[] = [];
    for (const row of r.rows) {
      const status = statusOf(row.state, row.output);
      if (!status || !(JOB_KINDS as readonly string[]).includes(String(row.data?.kind))) continue;
      const reason = typeof row.output?.message === 'string' ? row.output.message : typeof row.output?.failed === 'string' ? row.output.failed : null;
      out.push({
        id: row.data.scanId ?? row.id,
        kind: row.data.kind as JobKind,
        status,
        attempt: row.retry_count + 1,
        tenantId: row.data.tenantId ?? null,
        ...(row.data.targetId ? { targetId: row.data.targetId } : {}),
        ...(row.data.scanId ? { scanId: row.data.scanId } : {}),
        queuedAt: (Date.parse(row.data.requestedAt ?? '') ? new Date(row.data.requestedAt!) : row.created_on).toISOString(),
        startedAt: row.started_on?.toISOString() ?? null,
        finishedAt: row.completed_on?.toISOString() ?? null,
        reason,
      });
    }
    this.snapshot = out;
    return out;
  }

  /** The events pool, made on first use; its error listener is added once, with it (not on every event). */
  private pool(): pg.Pool {
    if (!this.notifyPool) {
      this.notifyPool = new pg.Pool({ connectionString: this.opts.connectionString, max: 2, application_name: 'mamori-events' });
      this.notifyPool.on('error', (err) => this.log.log('warn', 'events connection error', { error: err.message }));
    }
    return this.notifyPool;
  }

  private async observe(): Promise<void> {
    const c = new pg.Client({ connectionString: this.opts.connectionString, application_name: 'mamori-listen' });
    c.on('error', (err) => this.log.log('warn', 'event listener connection error', { error: err.message }));
    await c.connect();
    await c.query(`LISTEN ${EVENTS_CHANNEL}`);
    c.on('notification', (n) => {
      if (n.channel !== EVENTS_CHANNEL || !n.payload) return;
      try {
        const e = JSON.parse(n.payload) as JobEvent;
        for (const l of this.listeners) l(e);
      } catch (err) {
        this.log.log('warn', 'bad job event ignored', { error: (err as Error).message });
      }
    });
    this.listenClient = c;
    await this.refresh().catch(() => undefined);
    this.timer = setInterval(() => void this.refresh().catch((err: unknown) => this.log.log('warn', 'job list not refreshed', { error: (err as Error).message })), 2000);
    this.timer.unref();
  }

  /** Local listeners at once; other processes through NOTIFY (a worker's events reach the server). */
  private emit(e: JobEvent): void {
    for (const l of this.listeners) l(e);
    const text = JSON.stringify(e);
    if (text.length > 7000) return;
    this.pool()
      .query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, text])
      .catch((err: unknown) => this.log.log('debug', 'job event not relayed', { error: (err as Error).message }));
  }

  private jobContext(kind: JobKind, data: JobData, ctx: Parameters<Parameters<PgBossRunner['handle']>[1]>[1]) {
    const carried = typeof data.failedAttempts === 'number' ? data.failedAttempts : 0;
    const jobId = data.scanId ?? ctx.jobId;
    const base = { jobId, kind, tenantId: data.tenantId ?? null, targetId: data.targetId, scanId: data.scanId };
    const attempt = carried + ctx.attempt + 1;
    this.emit({ type: 'status', ...base, status: 'running', attempt, at: new Date().toISOString() });
    return {
      jobId,
      kind,
      attempt,
      maxAttempts: carried + ctx.retryLimit + 1,
      signal: ctx.signal,
      progress: (event: { code: string; params?: Record<string, string | number> }) => this.emit({ type: 'progress', ...base, event, at: new Date().toISOString() }),
      log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => ctx.log.log(level, message, fields),
    };
  }

  private async runScan(handler: NonNullable<JobHandlers['scan']>, data: JobData, ctx: Parameters<Parameters<PgBossRunner['handle']>[1]>[1]): Promise<void> {
    const job = parseJob('scan', data.payload);
    if (job.kind !== 'scan') return;
    const scan = await this.opts.store.getScan(SYSTEM_SCOPE, job.payload.scanId);
    // This process holds the target's lock: a `running` record is the leftover of a dead attempt.
    if (scan?.status === 'running') {
      ctx.log.log('warn', 'scan left running by an attempt whose worker stopped; queued again', {});
      await this.opts.store.failScan(scan.id, 'interrupted: the worker running it stopped', false);
    }
    const c = this.jobContext('scan', data, ctx);
    try {
      await handler(job.payload, c);
      const after = await this.opts.store.getScan(SYSTEM_SCOPE, job.payload.scanId);
      this.emit({ type: 'status', jobId: c.jobId, kind: 'scan', status: after?.status === 'failed' ? 'failed' : 'done', attempt: c.attempt, tenantId: job.payload.tenantId, targetId: job.payload.targetId, scanId: job.payload.scanId, at: new Date().toISOString() });
    } catch (err) {
      const final = c.attempt >= c.maxAttempts || (err instanceof Error && err.name === 'PermanentJobError');
      this.emit({ type: 'status', jobId: c.jobId, kind: 'scan', status: final ? 'failed' : 'retrying', attempt: c.attempt, tenantId: job.payload.tenantId, targetId: job.payload.targetId, scanId: job.payload.scanId, reason: (err as Error).message, at: new Date().toISOString() });
      throw err;
    }
  }
}
