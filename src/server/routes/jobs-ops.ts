/**
 * Operations routes of the fleet server (src/worker/ops.ts holds what they read):
 * - `GET /metrics`: Prometheus text (queue depth per queue and state, scans queued/running, scans finished in
 *   the last minute, dead letters). Public like /healthz: numbers only, no tenant, target or scan names.
 * - `GET /api/jobs/dead-letters?limit=`: jobs that failed for good with their reason, for the dashboard's Jobs
 *   page (admins and operators, scoped: an operator sees their tenants' jobs only, filtered where they are read
 *   so that `limit` counts their own), each with its target's and tenant's names.
 * - `GET /api/jobs/summary`: the queue right now for the Jobs page: scans queued, running and failed in the
 *   caller's tenants (in all and per tenant); the whole queue by queue and state (every tenant's jobs) for
 *   admins only.
 * - `GET /api/knowledge/bundle`: the server's knowledge DB as a `mamori db export` bundle with a strong ETag
 *   (the knowledge version); `If-None-Match` with it answers 304. For workers (an operator's or admin's token).
 */
import { createReadStream } from 'node:fs';
import { PROMETHEUS_CONTENT_TYPE } from '../../worker/metrics.js';
import { HttpError } from '../errors.js';
import type { RouteModule } from '../types.js';
import { inScope, scope } from './util.js';
import type { Scope, ScanStatus } from '../../fleet/types.js';
import type { DeadLetter } from '../../worker/ops.js';

const SCAN_QUEUES = new Set(['scan', 'scan-host', 'scan-site']);
const SUMMARY_STATUSES = ['queued', 'running', 'failed'] as const;
type SummaryStatus = (typeof SUMMARY_STATUSES)[number];
const isSummaryStatus = (x: ScanStatus): x is SummaryStatus => (SUMMARY_STATUSES as readonly string[]).includes(x);
const nullableString = { type: ['string', 'null'] };
const deadLetterSchema = {
  type: 'object',
  required: ['id', 'queue', 'reason', 'at', 'rescan'],
  properties: {
    id: { type: 'string' },
    queue: { type: 'string', description: 'the queue or job kind (scan, scan-host, scan-site, notify, …)' },
    scanId: nullableString,
    targetId: nullableString,
    targetName: { ...nullableString, description: 'null when the target was deleted since' },
    tenantId: nullableString,
    tenantName: nullableString,
    reason: { type: 'string', description: 'why the last attempt failed (text)' },
    at: { type: 'string', format: 'date-time' },
    rescan: { type: 'boolean', description: 'a scan of a target that still exists: POST /api/targets/{id}/scans queues it again' },
  },
};
const counts = { queued: { type: 'integer' }, running: { type: 'integer' }, failed: { type: 'integer' } };
const summarySchema = {
  type: 'object',
  required: ['runner', 'scans', 'tenants', 'queues'],
  properties: {
    runner: { type: ['string', 'null'], enum: ['pg-boss', 'in-process', null] },
    scans: { type: 'object', required: ['queued', 'running', 'failed'], properties: counts },
    tenants: { type: 'array', items: { type: 'object', required: ['tenantId', 'tenantName', 'queued', 'running', 'failed'], properties: { tenantId: { type: 'string' }, tenantName: { type: 'string' }, ...counts } } },
    queues: {
      type: ['array', 'null'],
      description: 'admins only (null for others): jobs waiting or running by queue and state, every tenant',
      items: { type: 'object', required: ['queue', 'state', 'count'], properties: { queue: { type: 'string' }, state: { type: 'string' }, count: { type: 'integer' } } },
    },
  },
};

/** One item of GET /api/jobs/dead-letters. */
export interface NamedDeadLetter extends DeadLetter {
  targetName: string | null;
  tenantName: string | null;
  /** A scan of a target that still exists: POST /api/targets/{id}/scans queues it again. */
  rescan: boolean;
}

const noOps = () => new HttpError(503, 'not_available', 'operations data is not available on this server');

export const jobsOpsRoutes: RouteModule = (app, deps) => {
  app.get('/metrics', { config: { auth: 'public', summary: 'Prometheus metrics (queue depth, scans per minute, dead letters)', tags: ['system'] } }, async (_req, reply) => {
    if (!deps.ops) throw noOps();
    reply.header('content-type', PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store');
    return deps.ops.registry.render();
  });

  app.get('/api/jobs/dead-letters', {
    config: { roles: ['admin', 'operator'], summary: 'Jobs that failed for good in your tenants, newest first, with their reason and target (dead-letter state)', tags: ['jobs'] },
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, description: 'at most this many (default 100), counted after scoping' } } },
      response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: deadLetterSchema } } } },
    },
  }, async (req) => {
    if (!deps.ops) throw noOps();
    const s = scope(req);
    const limit = (req.query as { limit?: number }).limit ?? 100;
    // scoped where the jobs are read (pg-boss's SQL or the store's), then limited: up to `limit` of the caller's own
    const mine = (await deps.ops.deadLetters(limit, s)).filter((d) => (d.tenantId ? inScope(s, d.tenantId) : s.tenantIds === 'all'));
    return { items: await named(mine, s) };
  });

  app.get('/api/jobs/summary', {
    config: { roles: ['admin', 'operator'], summary: 'The queue now: scans queued, running and failed in your tenants; the whole queue by queue and state for admins', tags: ['jobs'] },
    schema: { response: { 200: summarySchema } },
  }, async (req) => {
    const s = scope(req);
    const [counts, tenants] = await Promise.all([deps.store.countScans(s), deps.store.listTenants(s)]);
    const zero = (): Record<SummaryStatus, number> => ({ queued: 0, running: 0, failed: 0 });
    const total = zero();
    const per = new Map<string, Record<SummaryStatus, number>>();
    for (const c of counts) {
      if (!isSummaryStatus(c.status) || !inScope(s, c.tenantId)) continue;
      total[c.status] += c.count;
      const t = per.get(c.tenantId) ?? zero();
      t[c.status] += c.count;
      per.set(c.tenantId, t);
    }
    const names = new Map(tenants.map((t) => [t.id, t.name]));
    return {
      runner: deps.ops?.runner ?? null,
      scans: total,
      tenants: [...per.entries()].filter(([id]) => names.has(id)).map(([tenantId, c]) => ({ tenantId, tenantName: names.get(tenantId)!, ...c })).sort((a, b) => a.tenantName.localeCompare(b.tenantName)),
      // every tenant's jobs: admins only
      queues: s.tenantIds === 'all' && s.role === 'admin' && deps.ops ? await deps.ops.queueDepth() : null,
    };
  });

  /** The dead letters with their target's and tenant's names (null: the target was deleted since). */
  async function named(items: DeadLetter[], s: Scope): Promise<NamedDeadLetter[]> {
    const tenants = new Map((await deps.store.listTenants(s)).map((t) => [t.id, t.name]));
    const targets = new Map<string, string | null>();
    await Promise.all([...new Set(items.map((d) => d.targetId).filter((x): x is string => Boolean(x)))].map(async (id) => targets.set(id, (await deps.store.getTarget(s, id))?.name ?? null)));
    return items.map((d) => {
      const targetName = d.targetId ? (targets.get(d.targetId) ?? null) : null;
      return { ...d, targetName, tenantName: d.tenantId ? (tenants.get(d.tenantId) ?? null) : null, rescan: SCAN_QUEUES.has(d.queue) && targetName !== null };
    });
  }

  app.get('/api/knowledge/bundle', {
    config: { roles: ['admin', 'operator'], summary: 'The knowledge DB as an export bundle for workers (ETag: the knowledge version; 304 on If-None-Match)', tags: ['knowledge'] },
  }, async (req, reply) => {
    if (!deps.ops) throw noOps();
    const b = await deps.ops.knowledgeBundle();
    if (!b) throw new HttpError(404, 'not_found', 'the server has no knowledge DB yet');
    const etag = `"${b.version}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    const inm = req.headers['if-none-match'];
    if (inm && (inm.trim() === '*' || inm.split(',').map((t) => t.trim()).includes(etag))) return reply.code(304).send();
    reply.header('content-type', 'application/gzip').header('content-length', String(b.bytes)).header('content-disposition', 'attachment; filename="mamori-knowledge.gz"');
    return reply.send(createReadStream(b.file));
  });
};
