/**
 * The fleet server's HTTP layer: a Fastify app over the FleetStore port (src/fleet/ports.ts) and a scan runner
 * port. Every request passes the auth gate (auth/guard.ts), every answer carries the security headers, every
 * error is `{"error":{"code","message"}}`, and /api/openapi.json is generated from the routes' schemas.
 * Routes live in routes/*.ts, one line each in routes/index.ts.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { FleetStore } from '../fleet/ports.js';
import { authHook } from './auth/guard.js';
import { HttpError } from './errors.js';
import { securityHeaders } from './headers.js';
import { OpenApiCollector } from './openapi.js';
import { routeModules } from './routes/index.js';
import { defaultUiDir, registerStatic } from './static.js';
import type { Clock, RouteModule, ScanRunner, ServerDeps } from './types.js';

export interface BuildServerOptions {
  store: FleetStore;
  runner?: ScanRunner;
  /** Jobs other than scans (patch-apply, notify). */
  jobs?: ServerDeps['jobs'];
  clock?: Clock;
  /** Force the Secure cookie attribute (behind a TLS-terminating proxy). HTTPS requests get it anyway. */
  secureCookies?: boolean;
  uiDir?: string;
  /** Fastify's logger option: false (default), true, or `{ level, stream }` (tests capture the log through it). */
  logger?: FastifyServerOptions['logger'];
  sessionIdleSeconds?: number;
  sessionAbsoluteSeconds?: number;
  throttle?: Partial<ServerDeps['throttle']>;
  /** Reported by /api/openapi.json. */
  version?: string;
  /** Extra route files (tests, embedders); the standard ones are in routes/index.ts. */
  extraRoutes?: RouteModule[];
}

const systemClock: Clock = { now: () => new Date() };

/** Fastify's validation error → a message naming the field: `body.email: must match format "email"`. */
function validationMessage(err: FastifyError): string {
  const v = err.validation?.[0];
  if (!v) return err.message;
  const where = err.validationContext ?? 'request';
  const missing = (v.params as { missingProperty?: string }).missingProperty;
  const extra = (v.params as { additionalProperty?: string }).additionalProperty;
  const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field = [where, path, missing ?? extra].filter(Boolean).join('.');
  if (missing) return `${field}: is required`;
  if (extra) return `${field}: is not a known field`;
  const allowed = (v.params as { allowedValues?: unknown[] }).allowedValues;
  return `${field}: ${v.message ?? 'is invalid'}${allowed ? ` (${allowed.join(', ')})` : ''}`;
}

export async function buildServer(opts: BuildServerOptions): Promise<FastifyInstance> {
  const deps: ServerDeps = {
    store: opts.store,
    runner: opts.runner,
    jobs: opts.jobs,
    clock: opts.clock ?? systemClock,
    secureCookies: opts.secureCookies ?? false,
    uiDir: opts.uiDir ?? defaultUiDir(),
    sessionIdleSeconds: opts.sessionIdleSeconds ?? 2 * 3600,
    sessionAbsoluteSeconds: opts.sessionAbsoluteSeconds ?? 12 * 3600,
    throttle: { perAccount: 5, perIp: 30, windowSeconds: 15 * 60, ...opts.throttle },
  };
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: false,
    bodyLimit: 8 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.decorateRequest('principal', null);

  const openapi = new OpenApiCollector();
  app.addHook('onRoute', (route) => openapi.add(route));
  app.addHook('onRequest', async (req, reply) => securityHeaders(req, reply));
  app.addHook('onRequest', authHook(deps));

  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } });
    }
    if (err.validation) return reply.code(400).send({ error: { code: 'invalid_request', message: validationMessage(err) } });
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const code = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body_too_large' : 'invalid_request';
      return reply.code(status).send({ error: { code, message: err.message } });
    }
    req.log.error({ err: { message: err.message, stack: err.stack } }, 'request failed');
    return reply.code(500).send({ error: { code: 'server_error', message: 'the server could not complete the request; the server log has the details' } });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }));

  app.get('/api/openapi.json', { config: { auth: 'public', summary: 'This document (OpenAPI 3.1)', tags: ['system'] } }, async () => openapi.document(opts.version ?? '0'));

  for (const register of [...routeModules, ...(opts.extraRoutes ?? [])]) await register(app, deps);
  registerStatic(app, deps.uiDir!);
  return app;
}
