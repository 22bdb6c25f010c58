/**
 * The in-process runner of the embedded server (`mamori serve` on SQLite): no queue of its own for scans — the
 * queued scans in the store ARE the queue. It polls the store for queued scans (and is woken at once by
 * enqueue), claims one with store.startScan (queued → running, atomic), and runs the scan handler:
 *
 * - per-target exclusivity: never two scans of one target at once (a target with a running scan is skipped);
 * - a global concurrency limit (default 2) and a per-tenant limit (default: the global one);
 * - timeouts: each job gets an AbortSignal aborted when its time runs out;
 * - retries: a failed attempt puts the scan back queued with its reason (store.failScan) and the runner waits
 *   an exponential backoff with jitter before taking it again; when the attempts run out the scan stays failed
 *   with its reason (the dead-letter state the dashboard shows), never dropped;
 * - restarts: at start, scans left running by the previous process are handed back queued (or failed, when
 *   their attempts had run out), so nothing is lost across a crash or a restart.
 *
 * Other jobs (knowledge updates, notifications, reports) wait in memory: they are re-created by their
 * schedules and triggers after a restart.
 */
import { randomUUID } from 'node:crypto';
import type { FleetStore } from '../fleet/ports.js';
import { SYSTEM_SCOPE, type ScanRecord } from '../fleet/types.js';
import { messages } from '../core/messages/index.js';
import { backoffMs, isPermanent, JobInterrupted, parseJob, type EnqueueOptions, type Job, type JobContext, type JobEvent, type JobHandlers, type JobInfo, type JobKind, type JobRunner, type JobStatus, type LogFields } from './jobs.js';
import { reasonOf, redact } from './redact.js';
import { windowOpen } from './schedule.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  time: string;
  jobId?: string;
  kind?: JobKind;
  attempt?: number;
  [field: string]: unknown;
}

export interface InProcessOptions {
  store: FleetStore;
  handlers: JobHandlers;
  /** Jobs at once (default 2). */
  concurrency?: number;
  /** Jobs of one tenant at once (default: concurrency). */
  perTenant?: number;
  /** Attempts per job (default 3). */
  maxAttempts?: number;
  /** First retry delay (default 30 s), doubled per attempt, capped at 1 h, jittered. */
  retryBaseMs?: number;
  /** Time limit per kind (default: scan 15 min, knowledge-update 40 min, others 5 min). */
  timeoutMs?: Partial<Record<JobKind, number>>;
  /** How often the store is polled for queued scans besides the wake-ups by enqueue (default 2 s). */
  pollMs?: number;
  /** Structured log lines (JSON with the job id); default: one JSON line per entry on stderr. */
  log?: (e: LogEntry) => void;
  clock?: () => Date;
  random?: () => number;
}

interface MemJob {
  info: JobInfo;
  job: Job;
  singletonKey?: string;
  notBefore: number;
}

interface Running {
  info: JobInfo;
  ctl: AbortController;
  done: Promise<void>;
  targetId?: string;
  tenantId: string | null;
  singletonKey?: string;
}

const DEFAULT_TIMEOUTS: Record<JobKind, number> = { scan: 15 * 60_000, 'knowledge-update': 40 * 60_000, notify: 5 * 60_000, 'render-report': 5 * 60_000, 'patch-apply': 30 * 60_000 };
const RECENT = 200;
const PAGE = 200;

const defaultLog = (e: LogEntry) => process.stderr.write(`${JSON.stringify(e)}\n`);

/** Plain fields with every string passed through redact(): a log line never carries a key or a password. */
function cleanFields(fields: LogFields | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined) out[k] = typeof v === 'string' ? redact(v) : v;
  return out;
}

export class InProcessRunner implements JobRunner {
  private readonly store: FleetStore;
  private readonly handlers: JobHandlers;
  private readonly concurrency: number;
  private readonly perTenant: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly timeouts: Record<JobKind, number>;
  private readonly pollMs: number;
  private readonly logSink: (e: LogEntry) => void;
  private readonly clock: () => Date;
  private readonly random: () => number;

  private readonly running = new Map<string, Running>();
  private readonly memQueue: MemJob[] = [];
  /** Scans waiting for their backoff (or startAfter): scan id → not before (ms). */
  private readonly notBefore = new Map<string, number>();
  private readonly recent: JobInfo[] = [];
  private queuedScans: JobInfo[] = [];
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopping = false;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;

  constructor(o: InProcessOptions) {
    this.store = o.store;
    this.handlers = o.handlers;
    this.concurrency = Math.max(1, o.concurrency ?? 2);
    this.perTenant = Math.max(1, o.perTenant ?? this.concurrency);
    this.maxAttempts = Math.max(1, o.maxAttempts ?? 3);
    this.retryBaseMs = o.retryBaseMs ?? 30_000;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeoutMs };
    this.pollMs = o.pollMs ?? 2_000;
    this.logSink = o.log ?? defaultLog;
    this.clock = o.clock ?? (() => new Date());
    this.random = o.random ?? Math.random;
  }

  private log(level: LogEntry['level'], msg: string, fields?: LogFields & { jobId?: string; kind?: JobKind; attempt?: number }): void {
    try {
      this.logSink({ level, msg: redact(msg), time: this.clock().toISOString(), ...cleanFields(fields) });
    } catch (_err) {
      // A broken log sink must not stop the jobs.
    }
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log('warn', 'job event listener failed', { error: reasonOf(err) });
      }
    }
  }

  private status(info: JobInfo, status: JobStatus, reason?: string | null): void {
    info.status = status;
    if (reason !== undefined) info.reason = reason;
    this.emit({ type: 'status', jobId: info.id, kind: info.kind, status, attempt: info.attempt, tenantId: info.tenantId, ...(info.targetId ? { targetId: info.targetId } : {}), ...(info.scanId ? { scanId: info.scanId } : {}), ...(info.reason ? { reason: info.reason } : {}), at: this.clock().toISOString() });
  }

  subscribe(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(filter: { status?: JobStatus } = {}): JobInfo[] {
    const all = [...[...this.running.values()].map((r) => r.info), ...this.memQueue.map((m) => m.info), ...this.queuedScans.filter((q) => !this.running.has(q.id)), ...this.recent];
    const seen = new Set<string>();
    return all.filter((i) => (seen.has(i.id) ? false : (seen.add(i.id), !filter.status || i.status === filter.status))).map((i) => ({ ...i }));
  }

  async enqueue(job: Job, opts: EnqueueOptions = {}): Promise<string> {
    if (this.stopping) throw new Error('the job runner is stopping');
    const valid = parseJob(job.kind, job.payload);
    if (!this.handlers[valid.kind]) throw new Error(`no handler registered for job kind "${valid.kind}"`);
    const now = this.clock();
    if (valid.kind === 'scan') {
      // The scan record is the queued job; only its start time is kept here.
      const { scanId, targetId, tenantId } = valid.payload;
      if (opts.startAfter) this.notBefore.set(scanId, opts.startAfter.getTime());
      this.emit({ type: 'status', jobId: scanId, kind: 'scan', status: 'queued', attempt: 0, tenantId, targetId, scanId, at: now.toISOString() });
      this.wake();
      return scanId;
    }
    if (opts.singletonKey) {
      const same = this.memQueue.find((m) => m.singletonKey === opts.singletonKey && m.job.kind === valid.kind) ?? [...this.running.values()].find((r) => r.info.kind === valid.kind && r.singletonKey === opts.singletonKey);
      if (same) return same.info.id;
    }
    const tenantId = 'tenantId' in valid.payload ? (valid.payload.tenantId ?? null) : null;
    const info: JobInfo = { id: randomUUID(), kind: valid.kind, status: 'queued', attempt: 0, tenantId, queuedAt: now.toISOString(), startedAt: null, finishedAt: null, reason: null };
    this.memQueue.push({ info, job: valid, ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}), notBefore: opts.startAfter?.getTime() ?? 0 });
    this.status(info, 'queued');
    this.wake();
    return info.id;
  }

  /** Hand back the scans a previous process left running, then take jobs. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    const left = await this.allScans('running');
    for (const s of left) {
      const final = s.attempts >= this.maxAttempts;
      const reason = messages.t('en', 'job.err.interrupted', { why: 'the server stopped while it ran' });
      await this.store.failScan(s.id, final ? `${reason} (attempts used up)` : reason, final);
      this.log('warn', final ? 'interrupted scan failed: attempts used up' : 'interrupted scan queued again', { jobId: s.id, kind: 'scan', scanId: s.id, targetId: s.targetId, attempts: s.attempts });
    }
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  async stop(opts: { graceful?: boolean; graceMs?: number } = {}): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.pumping) await this.pumping.catch(() => undefined);
    const all = () => Promise.all([...this.running.values()].map((r) => r.done));
    if (opts.graceful !== false && this.running.size) {
      const grace = opts.graceMs ?? 30_000;
      let t: NodeJS.Timeout | undefined;
      await Promise.race([all(), new Promise((r) => (t = setTimeout(r, grace)))]);
      clearTimeout(t);
    }
    for (const r of this.running.values()) r.ctl.abort(new JobInterrupted('the server is stopping'));
    await all();
    this.started = false;
  }

  /** Every scan with this status, all pages. */
  private async allScans(status: ScanRecord['status']): Promise<ScanRecord[]> {
    const out: ScanRecord[] = [];
    for (let page = 1; ; page++) {
      const p = await this.store.listScans(SYSTEM_SCOPE, { status }, { page, pageSize: PAGE });
      out.push(...p.items);
      if (!p.items.length || out.length >= p.total) break;
    }
    return out;
  }

  /** Run the pump now (coalesced: one pump at a time, run again when woken meanwhile). */
  private wake(): void {
    if (!this.started || this.stopping) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err: unknown) => this.log('error', 'job runner could not read its queue', { error: reasonOf(err) }))
      .finally(() => {
        this.pumping = undefined;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.wake();
        }
      });
  }

  /** Let this wait for the pump in progress and the jobs it started (tests). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.pumping) await this.pumping;
      if (!this.running.size) return;
      await Promise.race([...this.running.values()].map((r) => r.done));
    }
  }

  private tenantLoad(tenantId: string | null): number {
    let n = 0;
    for (const r of this.running.values()) if (r.tenantId === tenantId) n++;
    return n;
  }

  private targetBusy(targetId: string): boolean {
    for (const r of this.running.values()) if (r.targetId === targetId) return true;
    return false;
  }

  private async pump(): Promise<void> {
    if (this.running.size >= this.concurrency) return;
    const now = this.clock().getTime();
    // Other jobs first (few, short), oldest first.
    for (let i = 0; i < this.memQueue.length && this.running.size < this.concurrency; ) {
      const m = this.memQueue[i]!;
      if (m.notBefore > now || this.tenantLoad(m.info.tenantId) >= this.perTenant) {
        i++;
        continue;
      }
      this.memQueue.splice(i, 1);
      this.runMem(m);
    }
    if (!this.handlers.scan) return;
    const queued = (await this.allScans('queued')).sort((a, b) => (a.queuedAt < b.queuedAt ? -1 : a.queuedAt > b.queuedAt ? 1 : 0));
    this.queuedScans = queued.map((s) => ({ id: s.id, kind: 'scan', status: 'queued', attempt: s.attempts, tenantId: s.tenantId, targetId: s.targetId, scanId: s.id, queuedAt: s.queuedAt, startedAt: null, finishedAt: null, reason: s.failureReason }));
    for (const s of queued) {
      if (this.running.size >= this.concurrency || this.stopping) break;
      if (this.running.has(s.id) || this.targetBusy(s.targetId) || this.tenantLoad(s.tenantId) >= this.perTenant) continue;
      if ((this.notBefore.get(s.id) ?? 0) > now) continue;
      // A scheduled scan waits for its target's maintenance window (read from the store: it holds across restarts).
      if (s.trigger === 'schedule') {
        const target = await this.store.getTarget(SYSTEM_SCOPE, s.targetId);
        if (target && !windowOpen(target, new Date(now))) continue;
      }
      this.runScan(s);
    }
  }

  private context(info: JobInfo, ctl: AbortController): JobContext {
    return {
      jobId: info.id,
      kind: info.kind,
      attempt: info.attempt,
      maxAttempts: this.maxAttempts,
      signal: ctl.signal,
      progress: (event) => this.emit({ type: 'progress', jobId: info.id, kind: info.kind, tenantId: info.tenantId, ...(info.targetId ? { targetId: info.targetId } : {}), ...(info.scanId ? { scanId: info.scanId } : {}), event, at: this.clock().toISOString() }),
      log: (level, message, fields) => this.log(level, message, { ...fields, jobId: info.id, kind: info.kind, attempt: info.attempt }),
    };
  }

  /** Start a job: its timeout, its handler, its bookkeeping. `after` decides what a failure means. */
  private launch(info: JobInfo, keys: { targetId?: string; singletonKey?: string }, run: (ctx: JobContext) => Promise<void>, after: (err: unknown | undefined, ctx: JobContext) => void): void {
    const ctl = new AbortController();
    const limit = this.timeouts[info.kind];
    const timer = setTimeout(() => ctl.abort(new Error(messages.t('en', 'job.err.timeout', { seconds: Math.round(limit / 1000) }))), limit);
    info.startedAt = this.clock().toISOString();
    info.finishedAt = null;
    const ctx = this.context(info, ctl);
    this.status(info, 'running');
    const done = (async () => {
      let error: unknown;
      try {
        await run(ctx);
      } catch (err) {
        error = err ?? new Error('job failed');
      } finally {
        clearTimeout(timer);
      }
      this.running.delete(info.id);
      info.finishedAt = this.clock().toISOString();
      try {
        after(error, ctx);
      } catch (err) {
        this.log('error', 'job bookkeeping failed', { jobId: info.id, error: reasonOf(err) });
      }
      this.recent.unshift({ ...info });
      this.recent.length = Math.min(this.recent.length, RECENT);
      this.wake();
    })();
    this.running.set(info.id, { info, ctl, done, ...keys, tenantId: info.tenantId });
  }

  private runScan(s: ScanRecord): void {
    const handler = this.handlers.scan!;
    this.notBefore.delete(s.id);
    const info: JobInfo = { id: s.id, kind: 'scan', status: 'queued', attempt: s.attempts + 1, tenantId: s.tenantId, targetId: s.targetId, scanId: s.id, queuedAt: s.queuedAt, startedAt: null, finishedAt: null, reason: s.failureReason };
    this.launch(
      info,
      { targetId: s.targetId },
      (ctx) => handler({ scanId: s.id, targetId: s.targetId, tenantId: s.tenantId }, ctx),
      (err, ctx) => {
        if (!err) return this.status(info, 'done', null);
        const reason = reasonOf(err);
        const interrupted = ctx.signal.reason instanceof JobInterrupted;
        if (interrupted) return this.status(info, 'queued', reason);
        if (isPermanent(err) || info.attempt >= this.maxAttempts) return this.status(info, 'failed', reason);
        const wait = backoffMs(info.attempt, this.retryBaseMs, 3_600_000, this.random);
        this.notBefore.set(s.id, this.clock().getTime() + wait);
        this.status(info, 'retrying', reason);
        setTimeout(() => this.wake(), wait + 5).unref();
        this.log('warn', 'scan retried after backoff', { jobId: s.id, kind: 'scan', attempt: info.attempt, waitMs: wait, reason });
      },
    );
  }

  private runMem(m: MemJob): void {
    const handler = this.handlers[m.job.kind] as ((p: unknown, ctx: JobContext) => Promise<void>) | undefined;
    const info = m.info;
    info.attempt += 1;
    this.launch(
      info,
      m.singletonKey ? { singletonKey: m.singletonKey } : {},
      (ctx) => {
        if (!handler) throw new Error(`no handler registered for job kind "${m.job.kind}"`);
        return handler(m.job.payload, ctx);
      },
      (err, ctx) => {
        if (!err) return this.status(info, 'done', null);
        const reason = reasonOf(err);
        const interrupted = ctx.signal.reason instanceof JobInterrupted;
        if (!interrupted && (isPermanent(err) || info.attempt >= this.maxAttempts)) {
          this.log('error', 'job failed', { jobId: info.id, kind: info.kind, attempt: info.attempt, reason });
          return this.status(info, 'failed', reason);
        }
        if (this.stopping) return this.status(info, 'failed', reason);
        const wait = interrupted ? 0 : backoffMs(info.attempt, this.retryBaseMs, 3_600_000, this.random);
        m.notBefore = this.clock().getTime() + wait;
        this.memQueue.push(m);
        this.status(info, 'retrying', reason);
        setTimeout(() => this.wake(), wait + 5).unref();
      },
    );
  }
}
