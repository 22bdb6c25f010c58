/**
 * Targets (hosts over SSH, sites by URL) of the tenants in scope; their scans, finding history and support phases.
 * SSH keys and known_hosts go in (encrypted by the store) and never come out: answers say only hasSshKey /
 * hasKnownHosts.
 */
import type { FastifyRequest } from 'fastify';
import type { ScanRecord, Target, TargetSecrets } from '../../fleet/types.js';
import { requestScan } from '../../worker/request.js';
import { FLEET_TARGET_KINDS } from '../../fleet/types.js';
import { audit } from '../audit.js';
import { badRequest, notFound } from '../errors.js';
import { CRON, KNOWN_HOSTS, SSH_KEY, TAGS, TARGET_NAME, WINDOW, idParams, pageQuery } from '../schemas.js';
import { checkAddress, checkKindFields, checkKnownHosts, checkSshKey } from '../target-input.js';
import type { RouteModule, ServerDeps } from '../types.js';
import { pageOf, scope, who } from './util.js';

const targetFields = {
  name: TARGET_NAME,
  kind: { type: 'string', enum: FLEET_TARGET_KINDS },
  address: { type: 'string', minLength: 1, maxLength: 2048 },
  sshUser: { type: ['string', 'null'], maxLength: 64, pattern: '^[A-Za-z0-9._][A-Za-z0-9._-]*$' },
  sshKey: SSH_KEY,
  knownHosts: KNOWN_HOSTS,
  tags: TAGS,
  schedule: CRON,
  maintenanceWindow: WINDOW,
} as const;

/** What is written to the audit log of a target change: its fields and whether secrets were given, never their text. */
const auditDetail = (t: Target, secrets: TargetSecrets) => ({
  name: t.name,
  kind: t.kind,
  address: t.address,
  sshUser: t.sshUser,
  tags: t.tags,
  schedule: t.schedule,
  sshKey: secrets.sshKey ? 'replaced' : 'unchanged',
  knownHosts: secrets.knownHosts ? 'replaced' : 'unchanged',
});

function checkSecrets(b: { sshKey?: string; knownHosts?: string }): TargetSecrets {
  const keyProblem = b.sshKey !== undefined ? checkSshKey(b.sshKey) : undefined;
  if (keyProblem) throw badRequest(`body.sshKey: ${keyProblem}`);
  const khProblem = b.knownHosts !== undefined ? checkKnownHosts(b.knownHosts) : undefined;
  if (khProblem) throw badRequest(`body.knownHosts: ${khProblem}`);
  const s: TargetSecrets = {};
  if (b.sshKey !== undefined) s.sshKey = b.sshKey;
  if (b.knownHosts !== undefined) s.knownHosts = b.knownHosts;
  return s;
}

/**
 * Queue a scan: through the job runner (requestScan: one waiting scan per target, its job enqueued), or, without
 * a runner in this process (a separate `mamori worker` takes queued scans), the queued record only.
 */
export async function queueScan(deps: ServerDeps, req: FastifyRequest, t: Target): Promise<{ scan: ScanRecord; created: boolean } | undefined> {
  const trigger = who(req).tokenId ? 'api' : 'manual';
  if (deps.runner) return requestScan(deps.store, deps.runner, scope(req), t.id, trigger);
  const scan = await deps.store.createScan(scope(req), t.id, trigger);
  return scan && { scan, created: true };
}

export async function targetOr404(deps: ServerDeps, req: FastifyRequest, id: string): Promise<Target> {
  const t = await deps.store.getTarget(scope(req), id);
  if (!t) throw notFound('target');
  return t;
}

export const targetRoutes: RouteModule = (app, deps) => {
  app.get('/api/targets', {
    config: { summary: 'Targets with their last scan (paged; filters: tenant, kind, tag, free text)', tags: ['targets'] },
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { tenant: { type: 'string', maxLength: 100 }, kind: { type: 'string', enum: FLEET_TARGET_KINDS }, tag: { type: 'string', maxLength: 64 }, q: { type: 'string', maxLength: 200 }, ...pageQuery },
      },
    },
  }, async (req) => {
    const q = req.query as { tenant?: string; kind?: 'host' | 'site'; tag?: string; q?: string; page?: number; pageSize?: number };
    return deps.store.listTargets(scope(req), { tenantId: q.tenant, kind: q.kind, tag: q.tag, q: q.q }, pageOf(q));
  });

  app.post('/api/targets', {
    config: { roles: ['admin', 'operator'], summary: 'Add a target (or update the one of the same tenant and name)', tags: ['targets'] },
    schema: { body: { type: 'object', required: ['tenantId', 'name', 'kind', 'address'], additionalProperties: false, properties: { tenantId: { type: 'string', minLength: 1, maxLength: 100 }, ...targetFields } } },
  }, async (req, reply) => {
    const b = req.body as { tenantId: string; name: string; kind: 'host' | 'site'; address: string; sshUser?: string | null; sshKey?: string; knownHosts?: string; tags?: string[]; schedule?: string | null; maintenanceWindow?: string | null };
    const problem = checkAddress(b.kind, b.address);
    if (problem) throw badRequest(`body.address: ${problem}`);
    const kindProblem = checkKindFields(b.kind, b);
    if (kindProblem) throw badRequest(`body.${kindProblem}`);
    const secrets = checkSecrets(b);
    if (!(await deps.store.getTenant(scope(req), b.tenantId))) throw notFound('tenant');
    const res = await deps.store.upsertTarget(
      scope(req),
      { tenantId: b.tenantId, name: b.name.trim(), kind: b.kind, address: b.address.trim(), sshUser: b.sshUser ?? null, tags: b.tags ?? [], schedule: b.schedule?.trim() || null, maintenanceWindow: b.maintenanceWindow?.trim() || null },
      secrets,
    );
    if (!res) throw notFound('tenant');
    await audit(deps, req, { action: res.created ? 'target.create' : 'target.update', objectType: 'target', objectId: res.target.id, tenantId: res.target.tenantId, detail: auditDetail(res.target, secrets) });
    return reply.code(res.created ? 201 : 200).send(res.target);
  });

  app.get('/api/targets/:id', { config: { summary: 'One target', tags: ['targets'] }, schema: { params: idParams } }, async (req) => targetOr404(deps, req, (req.params as { id: string }).id));

  app.patch('/api/targets/:id', {
    config: { roles: ['admin', 'operator'], summary: 'Change a target (address, SSH settings, tags, schedule, window); its tenant and name stay', tags: ['targets'] },
    schema: { params: idParams, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { ...targetFields } } },
  }, async (req) => {
    const t = await targetOr404(deps, req, (req.params as { id: string }).id);
    const b = req.body as Partial<{ name: string; kind: 'host' | 'site'; address: string; sshUser: string | null; sshKey: string; knownHosts: string; tags: string[]; schedule: string | null; maintenanceWindow: string | null }>;
    if (b.name !== undefined && b.name.trim() !== t.name) throw badRequest('body.name: a target keeps its name (targets are matched by tenant and name); add a new target instead');
    const kind = b.kind ?? t.kind;
    const address = b.address?.trim() ?? t.address;
    const problem = checkAddress(kind, address);
    if (problem) throw badRequest(`body.address: ${problem}`);
    const merged = { sshUser: b.sshUser === undefined ? t.sshUser : b.sshUser, sshKey: b.sshKey, knownHosts: b.knownHosts };
    const kindProblem = checkKindFields(kind, merged);
    if (kindProblem) throw badRequest(`body.${kindProblem}`);
    const secrets = checkSecrets(b);
    const res = await deps.store.upsertTarget(
      scope(req),
      {
        tenantId: t.tenantId,
        name: t.name,
        kind,
        address,
        sshUser: merged.sshUser ?? null,
        tags: b.tags ?? t.tags,
        schedule: b.schedule === undefined ? t.schedule : b.schedule?.trim() || null,
        maintenanceWindow: b.maintenanceWindow === undefined ? t.maintenanceWindow : b.maintenanceWindow?.trim() || null,
      },
      secrets,
    );
    if (!res) throw notFound('target');
    await audit(deps, req, { action: 'target.update', objectType: 'target', objectId: t.id, tenantId: t.tenantId, detail: auditDetail(res.target, secrets) });
    return res.target;
  });

  app.delete('/api/targets/:id', { config: { roles: ['admin', 'operator'], summary: 'Remove a target and its scans', tags: ['targets'] }, schema: { params: idParams } }, async (req, reply) => {
    const t = await targetOr404(deps, req, (req.params as { id: string }).id);
    if (!(await deps.store.deleteTarget(scope(req), t.id))) throw notFound('target');
    await audit(deps, req, { action: 'target.delete', objectType: 'target', objectId: t.id, tenantId: t.tenantId, detail: { name: t.name } });
    return reply.code(204).send();
  });

  app.post('/api/targets/:id/scans', {
    config: { roles: ['admin', 'operator'], summary: 'Queue a scan of the target (202; follow it with GET /api/scans/:id)', tags: ['scans'] },
    schema: { params: idParams },
  }, async (req, reply) => {
    const t = await targetOr404(deps, req, (req.params as { id: string }).id);
    const res = await queueScan(deps, req, t);
    if (!res) throw notFound('target');
    if (res.created) await audit(deps, req, { action: 'scan.request', objectType: 'scan', objectId: res.scan.id, tenantId: t.tenantId, detail: { target: t.name } });
    return reply.code(202).send({ scan: res.scan });
  });

  app.get('/api/targets/:id/scans', {
    config: { summary: "The target's scans, newest first (timeline)", tags: ['scans'] },
    schema: { params: idParams, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } } },
  }, async (req) => {
    const t = await targetOr404(deps, req, (req.params as { id: string }).id);
    return deps.store.listScans(scope(req), { targetId: t.id }, pageOf(req.query as { page?: number; pageSize?: number }));
  });

  app.get('/api/targets/:id/history', { config: { summary: 'Finding history: first seen, last seen, resolved, reopened, not verified since (a later scan did not check it)', tags: ['findings'] }, schema: { params: idParams } }, async (req) => {
    const t = await targetOr404(deps, req, (req.params as { id: string }).id);
    return { items: await deps.store.findingHistory(scope(req), t.id) };
  });

  app.get('/api/targets/:id/lifecycle', {
    config: { summary: 'Support phases (red end of life, yellow security fixes only, green active) from the latest finished scan', tags: ['targets'] },
    schema: { params: idParams },
  }, async (req) => {
    const t = await targetOr404(deps, req, (req.params as { id: string }).id);
    const latest = (await deps.store.listScans(scope(req), { targetId: t.id, status: 'done' }, { page: 1, pageSize: 1 })).items[0];
    if (!latest) return { scanId: null, scannedAt: null, entries: [] };
    const doc = await deps.store.getScanDocument(scope(req), latest.id);
    const color = { active: 'green', security: 'yellow', eol: 'red', unknown: 'unknown' } as const;
    return { scanId: latest.id, scannedAt: doc?.scannedAt ?? latest.finishedAt, entries: (doc?.lifecycle ?? []).map((e) => ({ ...e, color: color[e.phase] })) };
  });
};
