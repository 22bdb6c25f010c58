/** Users (admins manage them), API tokens (each user their own; shown once, stored as SHA-256), the audit log. */
import { ROLES, type Role } from '../../fleet/types.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword } from '../auth/password.js';
import { newApiToken, sha256 } from '../auth/tokens.js';
import { audit } from '../audit.js';
import { badRequest, notFound } from '../errors.js';
import { idParams, pageQuery, text } from '../schemas.js';
import type { RouteModule, ServerDeps } from '../types.js';
import { publicUser } from './session.js';
import { pageOf, scope, who } from './util.js';

async function checkTenants(deps: ServerDeps, role: Role, tenantIds: string[]): Promise<void> {
  if (role === 'admin' && tenantIds.length) throw badRequest('body.tenantIds: admins see every tenant; leave it empty');
  if (role === 'viewer' && tenantIds.length !== 1) throw badRequest('body.tenantIds: a viewer belongs to exactly one tenant');
  if (role === 'operator' && tenantIds.length === 0) throw badRequest('body.tenantIds: an operator needs at least one tenant');
  const all = await deps.store.listTenants({ userId: null, role: 'admin', tenantIds: 'all' });
  const missing = tenantIds.find((id) => !all.some((t) => t.id === id));
  if (missing) throw badRequest(`body.tenantIds: no tenant ${missing.slice(0, 100)}`);
}

const TENANT_IDS = { type: 'array', maxItems: 1000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 100 } } as const;

export const peopleRoutes: RouteModule = (app, deps) => {
  app.get('/api/users', { config: { roles: ['admin', 'operator'], summary: 'Users (admins: all; operators: those of their tenants)', tags: ['users'] } }, async (req) => ({
    items: (await deps.store.listUsers(scope(req))).map(publicUser),
  }));

  app.post('/api/users', {
    config: { roles: ['admin'], summary: 'Create a user (admin)', tags: ['users'] },
    schema: {
      body: {
        type: 'object',
        required: ['email', 'password', 'role'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', format: 'email', maxLength: 254 },
          password: { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH },
          role: { type: 'string', enum: ROLES },
          tenantIds: TENANT_IDS,
        },
      },
    },
  }, async (req, reply) => {
    const b = req.body as { email: string; password: string; role: Role; tenantIds?: string[] };
    const email = b.email.trim().toLowerCase();
    await checkTenants(deps, b.role, b.tenantIds ?? []);
    if (await deps.store.getUserByEmail(email)) throw badRequest(`body.email: a user ${email} exists`, 'conflict');
    const user = await deps.store.createUser({ email, passwordHash: await hashPassword(b.password), role: b.role, tenantIds: b.tenantIds ?? [] });
    await audit(deps, req, { action: 'user.create', objectType: 'user', objectId: user.id, detail: { email, role: user.role, tenantIds: user.tenantIds } });
    return reply.code(201).send(publicUser(user));
  });

  app.patch('/api/users/:id', {
    config: { roles: ['admin'], summary: "Change a user's role, tenants, password or disable them (admin)", tags: ['users'] },
    schema: {
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { role: { type: 'string', enum: ROLES }, tenantIds: TENANT_IDS, disabled: { type: 'boolean' }, password: { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH } },
      },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const b = req.body as { role?: Role; tenantIds?: string[]; disabled?: boolean; password?: string };
    const before = await deps.store.getUser(id);
    if (!before) throw notFound('user');
    if (id === who(req).user.id && (b.disabled || (b.role && b.role !== 'admin'))) throw badRequest('body.role: you cannot demote or disable yourself (ask another admin)');
    const role = b.role ?? before.role;
    if (b.role !== undefined || b.tenantIds !== undefined) await checkTenants(deps, role, b.tenantIds ?? (role === 'admin' ? [] : before.tenantIds));
    const user = await deps.store.updateUser(id, {
      role: b.role,
      tenantIds: b.tenantIds ?? (b.role === 'admin' ? [] : undefined),
      disabled: b.disabled,
      passwordHash: b.password ? await hashPassword(b.password) : undefined,
    });
    if (!user) throw notFound('user');
    if (b.disabled || b.password || b.role || b.tenantIds) await deps.store.deleteUserSessions(id);
    await audit(deps, req, { action: 'user.update', objectType: 'user', objectId: id, detail: { role: b.role, tenantIds: b.tenantIds, disabled: b.disabled, password: b.password ? 'changed' : undefined } });
    return publicUser(user);
  });

  app.get('/api/tokens', { config: { summary: 'Your API tokens (never their values)', tags: ['tokens'] } }, async (req) => ({ items: await deps.store.listTokens(who(req).user.id) }));

  app.post('/api/tokens', {
    config: { viewerMayWrite: true, summary: 'Create an API token for yourself: the value is in this answer only', tags: ['tokens'] },
    schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: text(100) } } },
  }, async (req, reply) => {
    const token = newApiToken();
    const rec = await deps.store.createToken({ userId: who(req).user.id, name: (req.body as { name: string }).name.trim(), hash: sha256(token) });
    await audit(deps, req, { action: 'token.create', objectType: 'token', objectId: rec.id, detail: { name: rec.name } });
    return reply.code(201).send({ token, record: rec });
  });

  app.delete('/api/tokens/:id', { config: { viewerMayWrite: true, summary: 'Revoke one of your API tokens', tags: ['tokens'] }, schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await deps.store.revokeToken(who(req).user.id, id))) throw notFound('token');
    await audit(deps, req, { action: 'token.revoke', objectType: 'token', objectId: id });
    return reply.code(204).send();
  });

  app.get('/api/audit', {
    config: { roles: ['admin', 'operator'], summary: 'The audit log (who, when, what), newest first', tags: ['audit'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { tenant: { type: 'string', maxLength: 100 }, ...pageQuery } } },
  }, async (req) => {
    const q = req.query as { tenant?: string; page?: number; pageSize?: number };
    return deps.store.listAudit(scope(req), { tenantId: q.tenant }, pageOf(q));
  });
};
