/**
 * Operations routes of the fleet server (src/worker/ops.ts holds what they read):
 * - `GET /metrics`: Prometheus text (queue depth per queue and state, scans queued/running, scans finished in
 *   the last minute, dead letters). Public like /healthz: numbers only, no tenant, target or scan names.
 * - `GET /api/jobs/dead-letters?limit=`: jobs that failed for good with their reason, for the dashboard
 *   (admins and operators, scoped: an operator sees their tenants' jobs only).
 * - `GET /api/knowledge/bundle`: the server's knowledge DB as a `mamori db export` bundle with a strong ETag
 *   (the knowledge version); `If-None-Match` with it answers 304. For workers (an operator's or admin's token).
 */
import { createReadStream } from 'node:fs';
import { PROMETHEUS_CONTENT_TYPE } from '../../worker/metrics.js';
import { HttpError } from '../errors.js';
import type { RouteModule } from '../types.js';
import { inScope, scope } from './util.js';

const noOps = () => new HttpError(503, 'not_available', 'operations data is not available on this server');

export const jobsOpsRoutes: RouteModule = (app, deps) => {
  app.get('/metrics', { config: { auth: 'public', summary: 'Prometheus metrics (queue depth, scans per minute, dead letters)', tags: ['system'] } }, async (_req, reply) => {
    if (!deps.ops) throw noOps();
    reply.header('content-type', PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store');
    return deps.ops.registry.render();
  });

  app.get('/api/jobs/dead-letters', {
    config: { roles: ['admin', 'operator'], summary: 'Jobs that failed for good, with their reason (dead-letter state)', tags: ['jobs'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } } } },
  }, async (req) => {
    if (!deps.ops) throw noOps();
    const s = scope(req);
    const limit = (req.query as { limit?: number }).limit ?? 100;
    const all = await deps.ops.deadLetters(limit);
    return { items: all.filter((d) => (d.tenantId ? inScope(s, d.tenantId) : s.tenantIds === 'all')) };
  });

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
