/**
 * The pg-boss job runner: jobs live in PostgreSQL (schema `pgboss`, in the store's own database), taken by any
 * number of `mamori worker` processes on any number of machines. pg-boss 10 (the last major that runs on
 * Node.js 20): queues made with createQueue, retries with exponential backoff, expiry of jobs whose worker
 * died, a dead-letter queue, cron schedules evaluated by one instance of the cluster.
 *
 * Guarantees and how each is kept:
 * - One scan per target at a time: a PostgreSQL session advisory lock on the target id, held on a dedicated
 *   connection for the whole scan. Not pg-boss's `singleton` policy: its unique index makes a fetch that meets
 *   a second job of a busy target fail as a whole, which stalls the head of the queue; and it does not cover a
 *   job that expired while its worker is alive but slow. A lock taken by a process that dies is released by
 *   PostgreSQL when its connection closes. A job whose target is busy is deferred (sent again a little later,
 *   the current one completed), not failed: deferral consumes no retry.
 * - Per-tenant and global (cluster-wide) concurrency: N advisory-lock slots per tenant and N for all scans;
 *   no free slot → deferred the same way. Per-process: `concurrency` jobs at once.
 * - Timeouts: every queue has an expiry (expireInSeconds); the handler is aborted a margin before it, so an
 *   expiry only happens to a worker that died or hung. Expired jobs go to retry (or to failed).
 * - Retries with backoff: retryLimit/retryDelay/retryBackoff per queue; the last failure goes to the
 *   dead-letter queue `mamori-dead`, whose handler marks the scan failed for good (kept for the dashboard).
 * - SIGKILL mid-scan: the job stays active until it expires, then another worker retries it; the scan's
 *   result is written only by store.finishScan in one transaction, idempotent by scan id, so no half result.
 * - SIGTERM: stop() takes no new job, waits for running ones up to the grace period, then hands back the
 *   rest (sent again at once, no retry consumed) and aborts them.
 */
import PgBoss from 'pg-boss';
import pg from 'pg';
import { abortable } from './abort.js';
import { JobInterrupted } from './jobs.js';
import type { Logger } from './log.js';
import type { RunnerMetrics } from './metrics.js';

export const QUEUE_KINDS = ['scan-host', 'scan-site', 'knowledge-update', 'notify', 'render-report', 'patch-apply', 'schedule-tick'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];
export const DEAD_LETTER_QUEUE = 'mamori-dead';
export const PGBOSS_SCHEMA = 'pgboss';

/** What a job carries: plain JSON; the ids that the guarantees need are named. Never a secret. */
export interface JobData {
  [k: string]: unknown;
  /** The queue it was sent to (set by send; the dead-letter copy keeps it). */
  queue?: string;
  scanId?: string;
  targetId?: string;
  tenantId?: string;
  /** Attempts that failed before this job was sent again (deferral): they count against the retry limit. */
  failedAttempts?: number;
  /** When the work was first requested (ISO), kept across deferrals and hand-backs for queue latency. */
  requestedAt?: string;
}

export interface JobContext {
  jobId: string;
  queue: QueueKind;
  /** pg-boss's retry count: 0 on the first attempt. */
  attempt: number;
  retryLimit: number;
  /** No retry left after this attempt. */
  final: boolean;
  /** Aborted before the job's expiry and on shutdown hand-back. */
  signal: AbortSignal;
  log: Logger;
}

export type JobHandler = (data: JobData, ctx: JobContext) => Promise<void>;
/** Runs when a job has failed for good (its copy reached the dead-letter queue). */
export type DeadHandler = (queue: string, data: JobData, reason: string) => Promise<void>;

export interface QueuePolicy {
  expireInSeconds: number;
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
}

/** Defaults per queue (a polite site scan may take many minutes; notifications are quick). */
export const QUEUE_POLICIES: Record<QueueKind, QueuePolicy> = {
  'scan-host': { expireInSeconds: 15 * 60, retryLimit: 3, retryDelay: 60, retryBackoff: true },
  'scan-site': { expireInSeconds: 45 * 60, retryLimit: 3, retryDelay: 60, retryBackoff: true },
  'knowledge-update': { expireInSeconds: 60 * 60, retryLimit: 2, retryDelay: 300, retryBackoff: true },
  notify: { expireInSeconds: 5 * 60, retryLimit: 5, retryDelay: 30, retryBackoff: true },
  'render-report': { expireInSeconds: 15 * 60, retryLimit: 2, retryDelay: 60, retryBackoff: true },
  'patch-apply': { expireInSeconds: 60 * 60, retryLimit: 0, retryDelay: 0, retryBackoff: false },
  'schedule-tick': { expireInSeconds: 5 * 60, retryLimit: 0, retryDelay: 0, retryBackoff: false },
};

export interface PgBossRunnerOptions {
  connectionString: string;
  log: Logger;
  metrics?: RunnerMetrics;
  /** Jobs run at once by this process (default 2). */
  concurrency?: number;
  /** Scans of one tenant at once across the cluster (default 4). */
  tenantConcurrency?: number;
  /** Scans at once across the cluster (default 64). */
  globalConcurrency?: number;
  /** Override queue policies (tests: short expiry). */
  policies?: Partial<Record<QueueKind, Partial<QueuePolicy>>>;
  /** How often expired jobs are looked for (default 60 s; tests: 1–2 s). */
  maintenanceIntervalSeconds?: number;
  /** Idle polling interval (default 1000 ms). */
  pollingIntervalMs?: number;
  /** Delay before a deferred job (busy target, no free slot) is tried again (default 5 s, jittered). */
  deferSeconds?: number;
  /** How often pg-boss looks for due cron schedules (default 30 s; tests: a few seconds). */
  cronMonitorIntervalSeconds?: number;
  /** Cron of the schedule tick (default every minute); null: no schedule tick from this instance. */
  scheduleCron?: string | null;
}

interface Running {
  queue: QueueKind;
  id: string;
  data: JobData;
  abort: AbortController;
  handedBack: boolean;
  done: Promise<void>;
}

const SCAN_QUEUES: readonly QueueKind[] = ['scan-host', 'scan-site'];

export class PgBossRunner {
  readonly boss: PgBoss;
  private readonly pool: pg.Pool;
  private readonly handlers = new Map<QueueKind, JobHandler>();
  private deadHandler?: DeadHandler;
  private readonly running = new Map<string, Running>();
  private loop?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  private started = false;
  private readonly policies: Record<QueueKind, QueuePolicy>;

  constructor(private readonly opts: PgBossRunnerOptions) {
    this.boss = new PgBoss({
      connectionString: opts.connectionString,
      schema: PGBOSS_SCHEMA,
      application_name: 'mamori-pgboss',
      max: 4,
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
      monitorStateIntervalSeconds: 3600,
      ...(opts.cronMonitorIntervalSeconds ? { cronMonitorIntervalSeconds: opts.cronMonitorIntervalSeconds, cronWorkerIntervalSeconds: Math.min(5, opts.cronMonitorIntervalSeconds) } : {}),
      // the queue monitor of pg-boss is not used: depth is read at scrape time
    });
    this.boss.on('error', (err: Error) => opts.log.log('error', 'pg-boss error', { error: err.message }));
    this.pool = new pg.Pool({ connectionString: opts.connectionString, max: (opts.concurrency ?? 2) + 4, application_name: 'mamori-locks' });
    this.pool.on('error', (err) => opts.log.log('warn', 'lock connection error', { error: err.message }));
    this.policies = Object.fromEntries(QUEUE_KINDS.map((k) => [k, { ...QUEUE_POLICIES[k], ...opts.policies?.[k] }])) as Record<QueueKind, QueuePolicy>;
  }

  /** Installs or migrates the pgboss schema and creates the queues (idempotent). Every instance calls it. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    if (!(await this.boss.getQueue(DEAD_LETTER_QUEUE))) await this.boss.createQueue(DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE, retryLimit: 0 });
    for (const q of QUEUE_KINDS) {
      const p = this.policies[q];
      const options = { name: q, policy: 'standard' as const, ...p, deadLetter: DEAD_LETTER_QUEUE };
      if (await this.boss.getQueue(q)) await this.boss.updateQueue(q, options);
      else await this.boss.createQueue(q, options);
    }
    if (this.opts.scheduleCron !== null) await this.boss.schedule('schedule-tick', this.opts.scheduleCron ?? '* * * * *', {}, { tz: 'UTC' });
    this.started = true;
  }

  /** Enqueue a job; returns its id. */
  async send(queue: QueueKind, data: JobData, opts: { startAfterSeconds?: number } = {}): Promise<string> {
    const payload: JobData = { ...data, queue, requestedAt: data.requestedAt ?? new Date().toISOString() };
    const id = await this.boss.send(queue, payload, opts.startAfterSeconds ? { startAfter: opts.startAfterSeconds } : {});
    if (!id) throw new Error(`pg-boss did not accept the ${queue} job`);
    return id;
  }

  handle(queue: QueueKind, handler: JobHandler): void {
    this.handlers.set(queue, handler);
  }

  onDead(handler: DeadHandler): void {
    this.deadHandler = handler;
  }

  /** Start taking jobs for the queues that have a handler (and the dead-letter queue). */
  async work(): Promise<void> {
    await this.start();
    this.loop ??= this.fetchLoop();
  }

  runningJobs(): { queue: QueueKind; id: string; data: JobData }[] {
    return [...this.running.values()].map((r) => ({ queue: r.queue, id: r.id, data: r.data }));
  }

  /** Queue depth by queue and state (created, retry, active), read from pg-boss's table. */
  async depth(): Promise<{ queue: string; state: string; count: number }[]> {
    const r = await this.pool.query<{ name: string; state: string; n: string }>(`SELECT name, state::text AS state, count(*) AS n FROM ${PGBOSS_SCHEMA}.job WHERE state < 'completed' GROUP BY 1, 2`);
    return r.rows.map((x) => ({ queue: x.name, state: x.state, count: Number(x.n) }));
  }

  /** Scans completed across the cluster in the last minute (from pg-boss's job table). */
  async clusterScansLastMinute(): Promise<number> {
    const r = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${PGBOSS_SCHEMA}.job WHERE name = ANY($1) AND state = 'completed' AND completed_on > now() - interval '60 seconds' AND (output->>'deferred') IS NULL`, [SCAN_QUEUES]);
    return Number(r.rows[0]?.n ?? 0);
  }

  /**
   * Jobs that failed for good, newest first (the dead-letter queue and its archive). `tenantIds`: only jobs of
   * these tenants (filtered in the query, so `limit` counts the caller's jobs only); 'all' (default): every job,
   * those of no tenant included.
   */
  async deadLetters(limit = 100, tenantIds: 'all' | readonly string[] = 'all'): Promise<{ id: string; createdOn: string; data: JobData; reason: string; state: string }[]> {
    if (tenantIds !== 'all' && tenantIds.length === 0) return [];
    const scoped = tenantIds === 'all' ? '' : ` AND data->>'tenantId' = ANY($3::text[])`;
    const sql = (t: string) => `SELECT id::text, created_on, data, output, state::text AS state FROM ${PGBOSS_SCHEMA}.${t} WHERE name = $1${scoped}`;
    const hasArchive = (await this.pool.query(`SELECT to_regclass('${PGBOSS_SCHEMA}.archive') AS t`)).rows[0]?.t;
    const r = await this.pool.query<{ id: string; created_on: Date; data: JobData; output: unknown; state: string }>(
      `${sql('job')}${hasArchive ? ` UNION ALL ${sql('archive')}` : ''} ORDER BY created_on DESC LIMIT $2`,
      tenantIds === 'all' ? [DEAD_LETTER_QUEUE, limit] : [DEAD_LETTER_QUEUE, limit, [...tenantIds]],
    );
    return r.rows.map((x) => ({ id: x.id, createdOn: x.created_on.toISOString(), data: stripData(x.data), reason: typeof x.data?.reason === 'string' ? x.data.reason : reasonOf(x.output), state: x.state }));
  }

  /** Is PostgreSQL reachable and the queue schema installed? */
  async ready(): Promise<boolean> {
    try {
      await this.pool.query(`SELECT 1 FROM ${PGBOSS_SCHEMA}.version`);
      return this.started && !this.stopping;
    } catch {
      // handled: not ready is the answer
      return false;
    }
  }

  /**
   * Graceful stop: no new job; running ones get `graceMs` to finish; those still running are handed back
   * (sent again at once with their data, the current job completed as handed back) and aborted.
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    const all = [...this.running.values()];
    if (all.length) {
      this.opts.log.log('info', 'stopping: waiting for running jobs', { running: all.length, graceMs });
      await Promise.race([Promise.all(all.map((r) => r.done)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    for (const r of this.running.values()) {
      r.handedBack = true;
      r.abort.abort(new JobInterrupted('the worker is shutting down'));
      await Promise.race([r.done, new Promise((res) => setTimeout(res, 5000).unref())]);
      try {
        await this.send(r.queue, r.data);
        await this.boss.complete(r.queue, r.id, { handedBack: true });
        this.opts.metrics?.jobsTotal.inc({ queue: r.queue, outcome: 'handed-back' });
        this.opts.log.log('info', 'job handed back', { jobId: r.id, queue: r.queue, scanId: r.data.scanId });
      } catch (err) {
        // handled: the job stays active and expires, then another worker retries it
        this.opts.log.log('warn', 'job not handed back; it will be retried after it expires', { jobId: r.id, queue: r.queue, error: (err as Error).message });
      }
    }
    await Promise.race([Promise.all([...this.running.values()].map((r) => r.done)), new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.boss.stop({ graceful: false, wait: true, close: true, timeout: 5000 });
    await this.pool.end();
  }

  private get concurrency() {
    return this.opts.concurrency ?? 2;
  }

  private async fetchLoop(): Promise<void> {
    const queues: string[] = [...QUEUE_KINDS.filter((q) => this.handlers.has(q)), ...(this.deadHandler ? [DEAD_LETTER_QUEUE] : [])];
    let turn = 0;
    while (!this.stopping) {
      let got = 0;
      for (let i = 0; i < queues.length && !this.stopping; i++) {
        const free = this.concurrency - this.running.size;
        if (free <= 0) break;
        const q = queues[(turn + i) % queues.length]!;
        let jobs: PgBoss.JobWithMetadata<JobData>[] = [];
        try {
          jobs = await this.boss.fetch<JobData>(q, { batchSize: free, includeMetadata: true });
        } catch (err) {
          this.opts.log.log('warn', 'fetch failed', { queue: q, error: (err as Error).message });
        }
        for (const job of jobs) {
          got++;
          if (q === DEAD_LETTER_QUEUE) this.track(DEAD_LETTER_QUEUE as QueueKind, job, () => this.runDead(job));
          else this.track(q as QueueKind, job, (r) => this.runJob(q as QueueKind, job, r));
        }
      }
      turn++;
      if (got === 0 || this.running.size >= this.concurrency) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.pollingIntervalMs ?? 1000);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private track(queue: QueueKind, job: PgBoss.JobWithMetadata<JobData>, run: (r: Running) => Promise<void>) {
    const r: Running = { queue, id: job.id, data: job.data ?? {}, abort: new AbortController(), handedBack: false, done: Promise.resolve() };
    this.running.set(job.id, r);
    this.opts.metrics?.running.set({ queue }, [...this.running.values()].filter((x) => x.queue === queue).length);
    r.done = run(r)
      .catch((err: unknown) => this.opts.log.log('error', 'job bookkeeping failed', { jobId: job.id, queue, error: (err as Error).message }))
      .finally(() => {
        this.running.delete(job.id);
        this.opts.metrics?.running.set({ queue }, [...this.running.values()].filter((x) => x.queue === queue).length);
        this.wake?.();
      });
  }

  private async runDead(job: PgBoss.JobWithMetadata<JobData>): Promise<void> {
    const reason = typeof job.data?.reason === 'string' ? job.data.reason : reasonOf(job.output);
    try {
      const data = job.data ?? {};
      await this.deadHandler?.(typeof data.queue === 'string' ? data.queue : 'unknown', data, reason);
      await this.boss.complete(DEAD_LETTER_QUEUE, job.id, { message: reason, recorded: true });
    } catch (err) {
      await this.boss.fail(DEAD_LETTER_QUEUE, job.id, { message: (err as Error).message });
    }
  }

  private async runJob(queue: QueueKind, job: PgBoss.JobWithMetadata<JobData>, r: Running): Promise<void> {
    const data = job.data ?? {};
    const log = this.opts.log.child({ jobId: job.id, queue, scanId: data.scanId, targetId: data.targetId, tenantId: data.tenantId, attempt: job.retryCount });
    const started = performance.now();
    const requested = Date.parse(data.requestedAt ?? '') || job.createdOn.getTime();
    const m = this.opts.metrics;
    let locks: pg.PoolClient | undefined;
    const defer = async (why: string) => {
      const failedAttempts = (typeof data.failedAttempts === 'number' ? data.failedAttempts : 0) + job.retryCount;
      await this.send(queue, { ...data, failedAttempts }, { startAfterSeconds: Math.max(1, Math.round((this.opts.deferSeconds ?? 5) * (1 + Math.random()))) });
      await this.boss.complete(queue, job.id, { deferred: why });
      m?.jobsTotal.inc({ queue, outcome: 'deferred' });
      log.log('debug', 'job deferred', { why });
    };
    try {
      if (SCAN_QUEUES.includes(queue) && data.targetId) {
        locks = await this.pool.connect();
        const held = await this.takeScanLocks(locks, data.targetId, data.tenantId);
        if (held !== 'ok') {
          await defer(held);
          return;
        }
      }
      m?.queueLatency.observe({ queue }, Math.max(0, (Date.now() - requested) / 1000));
      const handler = this.handlers.get(queue);
      if (!handler) throw new Error(`no handler for ${queue}`);
      const final = job.retryCount >= job.retryLimit;
      const policy = this.policies[queue];
      // abort a margin before the job's expiry, so an expiry only happens to a dead or hung worker
      const budgetMs = Math.max(1000, policy.expireInSeconds * 1000 - Math.min(30_000, policy.expireInSeconds * 100));
      const timer = setTimeout(() => r.abort.abort(new Error(`timed out after ${Math.round(budgetMs / 1000)} s`)), budgetMs);
      log.log('info', 'job started', {});
      const work = handler(data, { jobId: job.id, queue, attempt: job.retryCount, retryLimit: job.retryLimit, final, signal: r.abort.signal, log });
      try {
        await abortable(work, r.abort.signal);
      } catch (err) {
        // a timed-out handler that ignores its signal keeps its target lock until it settles (at most a minute
        // more), so the retry never overlaps it
        // (a handed-back one: until it has put its scan back in the queue, at most 5 s)
        if (r.abort.signal.aborted) await Promise.race([work.catch(() => undefined), new Promise((res) => setTimeout(res, r.handedBack ? 5000 : 60_000).unref())]);
        if (r.handedBack) return;
        const message = (err as Error)?.message ?? String(err);
        m?.jobFailures.inc({ queue });
        m?.jobsTotal.inc({ queue, outcome: final ? 'failed' : 'retried' });
        m?.jobDuration.observe({ queue, outcome: 'failed' }, (performance.now() - started) / 1000);
        log.log(final ? 'error' : 'warn', final ? 'job failed for good' : 'job failed; it will be retried', { error: message, durationMs: Math.round(performance.now() - started) });
        if (isPermanentError(err) && !final) {
          // no retry can fix it: straight to the dead-letter queue, like a last failure
          await this.boss.send(DEAD_LETTER_QUEUE, { ...data, permanent: true, reason: message }, {});
          await this.boss.complete(queue, job.id, { failed: message, permanent: true });
          return;
        }
        await this.boss.fail(queue, job.id, { message });
        return;
      } finally {
        clearTimeout(timer);
      }
      if (r.handedBack) return;
      await this.boss.complete(queue, job.id, {});
      const seconds = (performance.now() - started) / 1000;
      m?.jobDuration.observe({ queue, outcome: 'completed' }, seconds);
      m?.jobsTotal.inc({ queue, outcome: 'completed' });
      if (SCAN_QUEUES.includes(queue)) m?.scansWindow.mark();
      log.log('info', 'job completed', { durationMs: Math.round(seconds * 1000) });
    } finally {
      if (locks) {
        try {
          await locks.query('SELECT pg_advisory_unlock_all()');
          locks.release();
        } catch (err) {
          // a broken connection releases its locks when PostgreSQL closes it
          locks.release(err as Error);
        }
      }
    }
  }

  /** Target lock, then a tenant slot, then a global slot, on one session; any miss releases all. */
  private async takeScanLocks(c: pg.PoolClient, targetId: string, tenantId: string | undefined): Promise<'ok' | string> {
    const tryLock = async (ns: string, key: string) => (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok', [ns, key])).rows[0]?.ok === true;
    const slot = async (ns: string, n: number) => {
      const start = Math.floor(Math.random() * n);
      for (let i = 0; i < n; i++) if (await tryLock(ns, String((start + i) % n))) return true;
      return false;
    };
    if (!(await tryLock('mamori:target', targetId))) return 'target busy';
    if (tenantId && !(await slot(`mamori:tenant:${tenantId}`, this.opts.tenantConcurrency ?? 4))) {
      await c.query('SELECT pg_advisory_unlock_all()');
      return 'tenant limit';
    }
    if (!(await slot('mamori:scans', this.opts.globalConcurrency ?? 64))) {
      await c.query('SELECT pg_advisory_unlock_all()');
      return 'global limit';
    }
    return 'ok';
  }
}

const isPermanentError = (err: unknown) => err instanceof Error && err.name === 'PermanentJobError';

function reasonOf(output: unknown): string {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null;
  const m = o?.message ?? o?.value?.message;
  return typeof m === 'string' ? m : 'unknown';
}

/** Job data as the dashboard may see it: ids and times only. */
function stripData(d: JobData): JobData {
  const out: Record<string, unknown> = {};
  for (const k of ['queue', 'scanId', 'targetId', 'tenantId', 'requestedAt', 'kind']) if (d?.[k] !== undefined) out[k] = d[k];
  return out as JobData;
}
