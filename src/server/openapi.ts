/**
 * /api/openapi.json, generated from the routes' own JSON schemas (the ones Fastify validates requests with), so
 * the document cannot drift from what the server accepts. Every route registered under /api and the health
 * routes appear, including those other modules add.
 */
import type { RouteOptions } from 'fastify';

interface Collected {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  auth: string;
  roles?: readonly string[];
  summary?: string;
  tags?: string[];
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
};

export class OpenApiCollector {
  private readonly routes: Collected[] = [];

  add(route: RouteOptions): void {
    const url = route.url;
    if (!(url.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(url))) return;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    if (schema.hide) return;
    const config = (route.config ?? {}) as { auth?: string; roles?: readonly string[]; summary?: string; tags?: string[] };
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    for (const method of methods) {
      this.routes.push({ method: method.toLowerCase(), url, schema, auth: config.auth ?? 'user', roles: config.roles, summary: config.summary, tags: config.tags });
    }
  }

  document(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, key] of [['path', 'params'], ['query', 'querystring']] as const) {
        const s = r.schema[key] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
        for (const [name, sch] of Object.entries(s?.properties ?? {})) {
          parameters.push({ name, in: where, required: where === 'path' || (s?.required ?? []).includes(name), schema: sch });
        }
      }
      const responses: Record<string, unknown> = {};
      const declared = r.schema.response as Record<string, unknown> | undefined;
      if (declared) for (const [code, sch] of Object.entries(declared)) responses[code] = { description: (sch as { description?: string }).description ?? `${code}`, content: { 'application/json': { schema: sch } } };
      else responses['200'] = { description: 'OK' };
      responses['400'] = { description: 'invalid request (names the field)', content: { 'application/json': { schema: ERROR_SCHEMA } } };
      if (r.auth !== 'public') {
        responses['401'] = { description: 'not signed in', content: { 'application/json': { schema: ERROR_SCHEMA } } };
        responses['404'] = { description: 'not found or out of your tenants (indistinguishable)', content: { 'application/json': { schema: ERROR_SCHEMA } } };
      }
      const op: Record<string, unknown> = {
        operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/[^\w]+(\w)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
        summary: r.summary ?? `${r.method.toUpperCase()} ${r.url}`,
        tags: r.tags ?? [path.split('/')[2] ?? 'system'],
        parameters,
        responses,
        security: r.auth === 'public' ? [] : [{ session: [], csrf: [] }, { bearer: [] }],
      };
      if (r.roles) op['x-roles'] = r.roles;
      if (r.schema.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.schema.body } } };
      (paths[path] ??= {})[r.method] = op;
    }
    return {
      openapi: '3.1.0',
      info: { title: 'mamori fleet server', version, description: 'JSON API of `mamori serve`. Errors are `{"error":{"code","message"}}`; objects outside your tenants answer 404 like missing ones.' },
      paths,
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'mamori_session', description: 'from POST /api/session; state changes also need the X-CSRF-Token header' },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
          bearer: { type: 'http', scheme: 'bearer', description: 'an API token `mamori_…` (POST /api/tokens)' },
        },
        schemas: { Error: ERROR_SCHEMA },
      },
    };
  }
}
