/** Tenants (client companies): admins create them; operators and viewers see their own. */
import { audit } from '../audit.js';
import { badRequest, notFound } from '../errors.js';
import { idParams, text } from '../schemas.js';
import type { RouteModule } from '../types.js';
import { scope } from './util.js';

export const tenantRoutes: RouteModule = (app, deps) => {
  const body = { type: 'object', required: ['name'], additionalProperties: false, properties: { name: text(200) } } as const;

  app.get('/api/tenants', { config: { summary: 'Tenants you can see', tags: ['tenants'] } }, async (req) => ({ items: await deps.store.listTenants(scope(req)) }));

  app.post('/api/tenants', { config: { roles: ['admin'], summary: 'Create a tenant (admin)', tags: ['tenants'] }, schema: { body } }, async (req, reply) => {
    const { name } = req.body as { name: string };
    if (await deps.store.findTenantByName(scope(req), name.trim())) throw badRequest(`name: a tenant named "${name.trim()}" exists`, 'conflict');
    const tenant = await deps.store.createTenant(scope(req), name.trim());
    await audit(deps, req, { action: 'tenant.create', objectType: 'tenant', objectId: tenant.id, tenantId: tenant.id, detail: { name: tenant.name } });
    return reply.code(201).send(tenant);
  });

  app.get('/api/tenants/:id', { config: { summary: 'One tenant', tags: ['tenants'] }, schema: { params: idParams } }, async (req) => {
    const t = await deps.store.getTenant(scope(req), (req.params as { id: string }).id);
    if (!t) throw notFound('tenant');
    return t;
  });

  app.patch('/api/tenants/:id', { config: { roles: ['admin', 'operator'], summary: 'Rename a tenant', tags: ['tenants'] }, schema: { params: idParams, body } }, async (req) => {
    const { id } = req.params as { id: string };
    const before = await deps.store.getTenant(scope(req), id);
    if (!before) throw notFound('tenant');
    const t = await deps.store.renameTenant(scope(req), id, (req.body as { name: string }).name.trim());
    if (!t) throw notFound('tenant');
    await audit(deps, req, { action: 'tenant.rename', objectType: 'tenant', objectId: id, tenantId: id, detail: { from: before.name, to: t.name } });
    return t;
  });
};
