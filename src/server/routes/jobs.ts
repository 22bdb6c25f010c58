/**
 * The job runner seen from the API: GET /api/jobs (what the runner holds now) and GET /api/events (Server-Sent
 * Events: job status and progress as they happen). Both are scoped: a caller sees the jobs of their tenants only;
 * jobs of no tenant (knowledge updates) are for admins.
 */
import type { Scope } from '../../fleet/types.js';
import { JOB_STATUSES, type JobStatus } from '../../worker/jobs.js';
import { CONTENT_SECURITY_POLICY } from '../headers.js';
import type { RouteModule } from '../types.js';
import { inScope, scope } from './util.js';

const visible = (s: Scope, tenantId: string | null): boolean => (tenantId === null ? s.tenantIds === 'all' : inScope(s, tenantId));

export const jobRoutes: RouteModule = (app, deps) => {
  app.get('/api/jobs', {
    config: { summary: 'Jobs the runner holds now (queued, running, recently finished) in your tenants', tags: ['jobs'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: JOB_STATUSES } } } },
  }, async (req) => {
    const q = req.query as { status?: JobStatus };
    const all = deps.runner?.list?.(q.status ? { status: q.status } : undefined) ?? [];
    return { items: all.filter((j) => visible(scope(req), j.tenantId)), live: Boolean(deps.runner?.list) };
  });

  app.get('/api/events', {
    config: { summary: 'Server-Sent Events: job status and progress in your tenants (text/event-stream)', tags: ['jobs'] },
  }, async (req, reply) => {
    const s = scope(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 5000\n: ${deps.runner?.subscribe ? 'live' : 'no runner in this process'}\n\n`);
    const unsubscribe = deps.runner?.subscribe?.((e) => {
      if (!visible(s, e.tenantId)) return;
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    const end = () => {
      clearInterval(ping);
      unsubscribe?.();
    };
    req.raw.on('close', end);
    res.on('close', end);
  });
};
