/**
 * The job model shared by both runners (the in-process runner of the embedded server, ./inprocess.ts, and the
 * pg-boss runner of `mamori worker`): the job kinds and their payloads (validated with zod at the edge, when a
 * job is enqueued and again when a runner takes it off a queue), the context a handler runs in, the handler
 * signature, the registry (an explicit map kind → handler, open to handlers registered by other modules) and the
 * runner port the HTTP server calls.
 *
 * A scan is its own job: the server creates the scan record (store.createScan, status queued) and enqueues a
 * `scan` job naming it; the job id of a scan job IS the scan id, so a retried or re-delivered job finds its
 * scan, and a scan is written once (store.finishScan is idempotent by scan id).
 */
import { z } from 'zod';
import type { MessageCode } from '../core/messages/index.js';

export const JOB_KINDS = ['scan', 'knowledge-update', 'notify', 'render-report', 'patch-apply'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

const id = z.string().min(1).max(200);

/** Payload schemas, one per kind. Extra fields are refused: a payload is data the runner persists. */
export const JOB_PAYLOADS = {
  /** Scan the target of an existing scan record (created queued by store.createScan). */
  scan: z.object({ scanId: id, targetId: id, tenantId: id }).strict(),
  /** Refresh the server's knowledge DB: the stale default feeds (or the ones named); `force` refreshes them all. */
  'knowledge-update': z.object({ feeds: z.array(z.string().min(1)).optional(), force: z.boolean().optional() }).strict(),
  /** Compose and deliver notifications of one tenant for one event (the notify module's handler). */
  notify: z.object({ tenantId: id.nullable(), event: z.string().min(1).max(100), scanId: id.optional(), data: z.record(z.unknown()).optional() }).strict(),
  /**
   * Render an owner report (HTML/PDF) of one tenant or one scan and store it (./handlers/report.ts). `reportId`
   * names the report record the server created (queued) when it was requested; without it the job's id is used.
   */
  'render-report': z.object({ tenantId: id, reportId: id.optional(), scanId: id.optional(), format: z.enum(['html', 'pdf']), lang: z.enum(['ja', 'en']), deliver: z.boolean().optional() }).strict(),
  /** Apply a patch plan (the remediation module's handler). */
  'patch-apply': z.object({ planId: id, tenantId: id, targetId: id }).strict(),
} as const satisfies Record<JobKind, z.ZodTypeAny>;

export type JobPayload<K extends JobKind = JobKind> = z.infer<(typeof JOB_PAYLOADS)[K]>;
export type Job<K extends JobKind = JobKind> = K extends JobKind ? { kind: K; payload: JobPayload<K> } : never;

/** A bad payload: names the kind and the field. */
export class JobPayloadError extends Error {
  override name = 'JobPayloadError';
}

/** Validate a job at the edge (enqueue, or taking it off a queue): a typed job, or a JobPayloadError naming the field. */
export function parseJob(kind: string, payload: unknown): Job {
  if (!(JOB_KINDS as readonly string[]).includes(kind)) throw new JobPayloadError(`unknown job kind "${kind}"; known kinds: ${JOB_KINDS.join(', ')}`);
  const r = JOB_PAYLOADS[kind as JobKind].safeParse(payload);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new JobPayloadError(`bad ${kind} job payload: ${i.path.join('.') || '(payload)'}: ${i.message}`);
  }
  return { kind, payload: r.data } as Job;
}

/** What a handler reports while it runs: a message code and parameters (rendered in ja/en by the front end). */
export interface JobProgress {
  code: MessageCode | string;
  params?: Record<string, string | number>;
}

/** Structured log fields: plain values only. Never put a key, password, token or known_hosts text here. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface JobContext {
  jobId: string;
  kind: JobKind;
  /** 1 on the first attempt. */
  attempt: number;
  /** Attempts allowed in all: the handler of a scan marks it failed (final) on the last one. */
  maxAttempts: number;
  /** Aborted on timeout and on a non-graceful stop: a handler stops and writes no result once it is aborted. */
  signal: AbortSignal;
  progress(event: JobProgress): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: LogFields): void;
}

/** A handler does one job. It throws to fail the attempt (the runner retries with backoff while attempts remain). */
export type JobHandler<K extends JobKind = JobKind> = (payload: JobPayload<K>, ctx: JobContext) => Promise<void>;

/** The registry: an explicit map kind → handler. Kinds without a handler are refused at enqueue. */
export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

/**
 * An error no retry can fix (a target without a key, a bad address, a deleted target): the runner does not
 * retry it, and the scan is failed at once with the reason.
 */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** The reason a runner aborts a job it hands back (stop, lease lost): the attempt does not count as a failure of the target. */
export class JobInterrupted extends Error {
  override name = 'JobInterrupted';
}

export const isPermanent = (err: unknown): boolean => err instanceof PermanentJobError || (err instanceof Error && err.name === 'PermanentJobError');

export const JOB_STATUSES = ['queued', 'running', 'retrying', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** What the runner tells its listeners (the server relays them over SSE, scoped by tenant). */
export type JobEvent =
  | { type: 'status'; jobId: string; kind: JobKind; status: JobStatus; attempt: number; tenantId: string | null; targetId?: string; scanId?: string; reason?: string; at: string }
  | { type: 'progress'; jobId: string; kind: JobKind; tenantId: string | null; targetId?: string; scanId?: string; event: JobProgress; at: string };

export interface EnqueueOptions {
  /** At most one job with this key queued or running at once (scans: the target id). */
  singletonKey?: string;
  /** Not before this time. */
  startAfter?: Date;
}

/** A job as the runner lists it (`GET /api/jobs`). */
export interface JobInfo {
  id: string;
  kind: JobKind;
  status: JobStatus;
  attempt: number;
  tenantId: string | null;
  targetId?: string;
  scanId?: string;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  reason: string | null;
}

/** The port the server (and `fleet scan`) calls; the in-process and the pg-boss runners implement it. */
export interface JobRunner {
  /** Validate and enqueue; returns the job id (a scan job's id is its scan id). */
  enqueue(job: Job, opts?: EnqueueOptions): Promise<string>;
  start(): Promise<void>;
  /** graceful: finish the running jobs (scans are handed back queued when the grace time runs out); otherwise abort them now and hand them back. */
  stop(opts?: { graceful?: boolean; graceMs?: number }): Promise<void>;
  /** Listen to progress and status events; returns the unsubscribe function. */
  subscribe(listener: (e: JobEvent) => void): () => void;
  /** Jobs the runner knows now (queued, running, recently finished). */
  list(filter?: { status?: JobStatus }): JobInfo[];
}

/** Retry delay before attempt `attempt + 1`: exponential from `baseMs`, capped, with full jitter in [50%, 100%]. */
export function backoffMs(attempt: number, baseMs: number, capMs = 3_600_000, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.5 + 0.5 * random()));
}
