/** Liveness, readiness (the store answers and its tables exist) and the fleet overview. */
import { notFound } from '../errors.js';
import type { RouteModule } from '../types.js';
import { scope } from './util.js';

export const systemRoutes: RouteModule = (app, deps) => {
  app.get('/healthz', { config: { auth: 'public', summary: 'The process is up', tags: ['system'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { auth: 'public', summary: 'The store is reachable and migrated', tags: ['system'] } }, async (req, reply) => {
    try {
      await deps.store.countUsers();
      return { status: 'ready', store: deps.store.dialect };
    } catch (err) {
      req.log.warn({ err: { message: (err as Error).message } }, 'readiness check failed');
      return reply.code(503).send({ error: { code: 'not_ready', message: 'the store is not reachable or not migrated' } });
    }
  });

  app.get('/api/overview', {
    config: { summary: 'The fleet at a glance: missing updates (patch lag), end of life, personal data, KEV', tags: ['overview'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { tenant: { type: 'string', maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: 500 } } } },
  }, async (req) => {
    const q = req.query as { tenant?: string; limit?: number };
    if (q.tenant && !(await deps.store.getTenant(scope(req), q.tenant))) throw notFound('tenant');
    return deps.store.overview(scope(req), { tenantId: q.tenant, now: deps.clock.now(), limit: q.limit });
  });
};
