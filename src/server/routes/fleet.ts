/**
 * The scripted interface of the contract, over HTTP: import a spreadsheet of client servers (all rows checked
 * first, then written; updates by tenant and name, nothing deleted), queue scans by tenant/target name, and the
 * fleet status JSON `{"targets":[{tenant,name,kind,target,lastScan:{status,finishedAt,summary}}]}`.
 */
import type { FastifyRequest } from 'fastify';
import type { ScanRecord, Target, Tenant } from '../../fleet/types.js';
import { FLEET_TARGET_KINDS, type FleetTargetKind } from '../../fleet/types.js';
import { audit } from '../audit.js';
import { HttpError, notFound } from '../errors.js';
import { CRON, KNOWN_HOSTS, SSH_KEY } from '../schemas.js';
import { checkAddress, checkKindFields, checkKnownHosts, checkSshKey } from '../target-input.js';
import type { RouteModule, ServerDeps } from '../types.js';
import { queueScan } from './targets.js';
import { scope, who } from './util.js';

interface ImportRow {
  tenant: string;
  name: string;
  kind: FleetTargetKind;
  target: string;
  ssh_user?: string;
  ssh_key?: string;
  ssh_known_hosts?: string;
  tags?: string | string[];
  schedule?: string;
}

const rowSchema = {
  type: 'object',
  required: ['tenant', 'name', 'kind', 'target'],
  additionalProperties: false,
  properties: {
    tenant: { type: 'string', minLength: 1, maxLength: 200 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { type: 'string', enum: FLEET_TARGET_KINDS },
    target: { type: 'string', minLength: 1, maxLength: 2048 },
    ssh_user: { type: 'string', maxLength: 64 },
    ssh_key: { anyOf: [SSH_KEY, { type: 'string', maxLength: 0 }] },
    ssh_known_hosts: { anyOf: [KNOWN_HOSTS, { type: 'string', maxLength: 0 }] },
    tags: { anyOf: [{ type: 'string', maxLength: 2000 }, { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 64 } }] },
    schedule: { anyOf: [{ type: 'string', maxLength: 0 }, CRON] },
  },
} as const;

const rowError = (i: number, field: string, message: string) => new HttpError(400, 'invalid_row', `rows[${i}].${field}: ${message}`);

async function allTargets(deps: ServerDeps, req: FastifyRequest, tenantId?: string): Promise<(Target & { lastScan: ScanRecord | null })[]> {
  const out: (Target & { lastScan: ScanRecord | null })[] = [];
  for (let page = 1; ; page++) {
    const res = await deps.store.listTargets(scope(req), { tenantId }, { page, pageSize: 500 });
    out.push(...res.items);
    if (res.items.length < 500 || out.length >= res.total) return out;
  }
}

async function tenantByName(deps: ServerDeps, req: FastifyRequest, name: string | undefined): Promise<Tenant | undefined> {
  if (name === undefined) return undefined;
  const t = await deps.store.findTenantByName(scope(req), name);
  if (!t) throw notFound(`tenant "${name.slice(0, 100)}"`);
  return t;
}

export const fleetRoutes: RouteModule = (app, deps) => {
  app.post('/api/fleet/import', {
    config: { roles: ['admin', 'operator'], summary: 'Import client servers (the CSV rows of the contract; ssh_key / ssh_known_hosts as text)', tags: ['fleet'] },
    schema: { body: { type: 'object', required: ['rows'], additionalProperties: false, properties: { rows: { type: 'array', minItems: 1, maxItems: 10_000, items: rowSchema } } } },
  }, async (req) => {
    const rows = (req.body as { rows: ImportRow[] }).rows;
    const s = scope(req);
    const tenants = new Map<string, Tenant | null>();
    const seen = new Map<string, number>();
    // 1. check every row; nothing is written when any row is wrong
    for (const [i, r] of rows.entries()) {
      const tenant = r.tenant.trim();
      const name = r.name.trim();
      if (!tenant) throw rowError(i, 'tenant', 'is empty');
      if (!name) throw rowError(i, 'name', 'is empty');
      const key = `${tenant}\u0000${name}`;
      if (seen.has(key)) throw rowError(i, 'name', `"${name}" of tenant "${tenant}" is also on rows[${seen.get(key)}]`);
      seen.set(key, i);
      const problem = checkAddress(r.kind, r.target.trim());
      if (problem) throw rowError(i, 'target', problem);
      const kindProblem = checkKindFields(r.kind, { sshUser: r.ssh_user, sshKey: r.ssh_key, knownHosts: r.ssh_known_hosts });
      if (kindProblem) throw rowError(i, 'ssh_user', kindProblem.replace(/^sshUser: /, ''));
      if (r.ssh_user && !/^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(r.ssh_user)) throw rowError(i, 'ssh_user', 'is not a user name');
      if (r.ssh_key) {
        const p = checkSshKey(r.ssh_key);
        if (p) throw rowError(i, 'ssh_key', p);
      }
      if (r.ssh_known_hosts) {
        const p = checkKnownHosts(r.ssh_known_hosts);
        if (p) throw rowError(i, 'ssh_known_hosts', p);
      }
      if (!tenants.has(tenant)) tenants.set(tenant, (await deps.store.findTenantByName(s, tenant)) ?? null);
      if (!tenants.get(tenant) && who(req).user.role !== 'admin') throw rowError(i, 'tenant', `"${tenant}" is not one of your tenants (an admin creates tenants)`);
    }
    // 2. write
    const results: { row: number; tenant: string; name: string; id: string; created: boolean }[] = [];
    for (const [i, r] of rows.entries()) {
      const tenantName = r.tenant.trim();
      let tenant = tenants.get(tenantName) ?? null;
      if (!tenant) {
        tenant = await deps.store.createTenant(s, tenantName);
        tenants.set(tenantName, tenant);
        await audit(deps, req, { action: 'tenant.create', objectType: 'tenant', objectId: tenant.id, tenantId: tenant.id, detail: { name: tenant.name, via: 'import' } });
      }
      const tags = (Array.isArray(r.tags) ? r.tags : (r.tags ?? '').split(';')).map((t) => t.trim()).filter(Boolean);
      const secrets = { ...(r.ssh_key ? { sshKey: r.ssh_key } : {}), ...(r.ssh_known_hosts ? { knownHosts: r.ssh_known_hosts } : {}) };
      const res = await deps.store.upsertTarget(
        s,
        { tenantId: tenant.id, name: r.name.trim(), kind: r.kind, address: r.target.trim(), sshUser: r.ssh_user?.trim() || null, tags, schedule: r.schedule?.trim() || null },
        secrets,
      );
      if (!res) throw rowError(i, 'tenant', `"${tenantName}" is not one of your tenants`);
      results.push({ row: i, tenant: tenant.name, name: res.target.name, id: res.target.id, created: res.created });
      await audit(deps, req, {
        action: res.created ? 'target.create' : 'target.update',
        objectType: 'target',
        objectId: res.target.id,
        tenantId: tenant.id,
        detail: { name: res.target.name, kind: res.target.kind, address: res.target.address, via: 'import', sshKey: r.ssh_key ? 'replaced' : 'unchanged', knownHosts: r.ssh_known_hosts ? 'replaced' : 'unchanged' },
      });
    }
    return { created: results.filter((r) => r.created).length, updated: results.filter((r) => !r.created).length, targets: results };
  });

  app.get('/api/fleet/status', {
    config: { summary: "The contract's fleet status: every target with its last scan", tags: ['fleet'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { tenant: { type: 'string', minLength: 1, maxLength: 200, description: 'tenant name' } } } },
  }, async (req) => {
    const q = req.query as { tenant?: string };
    const tenant = await tenantByName(deps, req, q.tenant);
    const names = new Map((await deps.store.listTenants(scope(req))).map((t) => [t.id, t.name]));
    const targets = await allTargets(deps, req, tenant?.id);
    return {
      targets: targets.map((t) => ({
        tenant: names.get(t.tenantId) ?? t.tenantId,
        name: t.name,
        kind: t.kind,
        target: t.address,
        lastScan: t.lastScan
          ? { status: t.lastScan.status, finishedAt: t.lastScan.finishedAt, summary: t.lastScan.summary ?? { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, failureReason: t.lastScan.failureReason, id: t.lastScan.id }
          : null,
      })),
    };
  });

  app.post('/api/fleet/scan', {
    config: { roles: ['admin', 'operator'], summary: 'Queue scans of every target in scope, of one tenant, or one target by name (202)', tags: ['fleet'] },
    schema: { body: { type: 'object', additionalProperties: false, properties: { tenant: { type: 'string', minLength: 1, maxLength: 200 }, target: { type: 'string', minLength: 1, maxLength: 200 } } } },
  }, async (req, reply) => {
    const b = (req.body ?? {}) as { tenant?: string; target?: string };
    const tenant = await tenantByName(deps, req, b.tenant);
    const names = new Map((await deps.store.listTenants(scope(req))).map((t) => [t.id, t.name]));
    const targets = (await allTargets(deps, req, tenant?.id)).filter((t) => b.target === undefined || t.name === b.target);
    if (targets.length === 0) throw notFound(b.target ? `target "${b.target.slice(0, 100)}"` : 'target');
    const scans = [];
    for (const t of targets) {
      const res = await queueScan(deps, req, t);
      if (!res) continue;
      if (res.created) await audit(deps, req, { action: 'scan.request', objectType: 'scan', objectId: res.scan.id, tenantId: t.tenantId, detail: { target: t.name, via: 'fleet' } });
      scans.push({ tenant: names.get(t.tenantId) ?? t.tenantId, name: t.name, scan: res.scan });
    }
    return reply.code(202).send({ scans });
  });
};
