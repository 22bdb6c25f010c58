/** Exceptions (accepted risk) with reason, owner, expiry and scope; revocation; export as OpenVEX. */
import { audit } from '../audit.js';
import { badRequest, notFound } from '../errors.js';
import { idParams, text } from '../schemas.js';
import type { RouteModule } from '../types.js';
import { scope, who } from './util.js';

export const exceptionRoutes: RouteModule = (app, deps) => {
  app.get('/api/exceptions', {
    config: { summary: 'Exceptions in scope (expired ones with includeExpired=true)', tags: ['exceptions'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { tenant: { type: 'string', maxLength: 100 }, target: { type: 'string', maxLength: 100 }, includeExpired: { type: 'boolean', default: false } } } },
  }, async (req) => {
    const q = req.query as { tenant?: string; target?: string; includeExpired?: boolean };
    return { items: await deps.store.listExceptions(scope(req), { tenantId: q.tenant, targetId: q.target, includeExpired: q.includeExpired }, deps.clock.now()) };
  });

  app.post('/api/exceptions', {
    config: { roles: ['admin', 'operator'], summary: 'Accept a risk until a date (a tenant, optionally narrowed to a target, a finding id and/or a CVE)', tags: ['exceptions'] },
    schema: {
      body: {
        type: 'object',
        required: ['tenantId', 'reason', 'owner', 'expiresAt'],
        additionalProperties: false,
        properties: {
          tenantId: { type: 'string', minLength: 1, maxLength: 100 },
          targetId: { type: ['string', 'null'], maxLength: 100 },
          findingId: { type: ['string', 'null'], maxLength: 300 },
          cve: { type: ['string', 'null'], pattern: '^CVE-\\d{4}-\\d{4,}$' },
          reason: text(2000),
          owner: text(200),
          expiresAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  }, async (req, reply) => {
    const b = req.body as { tenantId: string; targetId?: string | null; findingId?: string | null; cve?: string | null; reason: string; owner: string; expiresAt: string };
    const expires = new Date(b.expiresAt);
    if (!(expires.getTime() > deps.clock.now().getTime())) throw badRequest('body.expiresAt: must be in the future');
    if (!b.targetId && !b.findingId && !b.cve) throw badRequest('body.findingId: give a finding id, a CVE or a target (an exception for a whole tenant is not allowed)');
    if (!(await deps.store.getTenant(scope(req), b.tenantId))) throw notFound('tenant');
    if (b.targetId) {
      const t = await deps.store.getTarget(scope(req), b.targetId);
      if (!t || t.tenantId !== b.tenantId) throw notFound('target');
    }
    const e = await deps.store.createException(scope(req), {
      tenantId: b.tenantId,
      targetId: b.targetId ?? null,
      findingId: b.findingId ?? null,
      cve: b.cve ?? null,
      reason: b.reason,
      owner: b.owner,
      expiresAt: expires.toISOString(),
      createdBy: who(req).user.id,
    });
    if (!e) throw notFound('tenant');
    await audit(deps, req, { action: 'exception.create', objectType: 'exception', objectId: e.id, tenantId: e.tenantId, detail: { targetId: e.targetId, findingId: e.findingId, cve: e.cve, owner: e.owner, expiresAt: e.expiresAt, reason: e.reason } });
    return reply.code(201).send(e);
  });

  app.delete('/api/exceptions/:id', { config: { roles: ['admin', 'operator'], summary: 'Revoke an exception', tags: ['exceptions'] }, schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const all = await deps.store.listExceptions(scope(req), { includeExpired: true }, deps.clock.now());
    const e = all.find((x) => x.id === id);
    if (!e || !(await deps.store.revokeException(scope(req), id))) throw notFound('exception');
    await audit(deps, req, { action: 'exception.revoke', objectType: 'exception', objectId: id, tenantId: e.tenantId });
    return reply.code(204).send();
  });

  app.get('/api/exceptions/vex', {
    config: { summary: 'Active exceptions as an OpenVEX document (status affected, with the accepted-risk statement)', tags: ['exceptions'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { tenant: { type: 'string', maxLength: 100 } } } },
  }, async (req) => {
    const q = req.query as { tenant?: string };
    if (q.tenant && !(await deps.store.getTenant(scope(req), q.tenant))) throw notFound('tenant');
    const now = deps.clock.now();
    const items = await deps.store.listExceptions(scope(req), { tenantId: q.tenant }, now);
    const statements = [];
    for (const e of items) {
      const target = e.targetId ? await deps.store.getTarget(scope(req), e.targetId) : undefined;
      statements.push({
        vulnerability: { name: e.cve ?? e.findingId ?? 'unspecified' },
        products: [{ '@id': target ? `urn:mamori:target:${target.id}` : `urn:mamori:tenant:${e.tenantId}`, ...(target ? { identifiers: { name: target.name, address: target.address } } : {}) }],
        status: 'affected',
        action_statement: `Risk accepted by ${e.owner} until ${e.expiresAt}: ${e.reason}`,
        timestamp: e.createdAt,
        ...(e.findingId ? { status_notes: `mamori finding ${e.findingId}` } : {}),
      });
    }
    return {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': `urn:mamori:vex:${q.tenant ?? 'all'}:${now.toISOString()}`,
      author: 'mamori',
      timestamp: now.toISOString(),
      version: 1,
      statements,
    };
  });
};
