/**
 * Patching and notifications through the HTTP API (Fastify app over the real SQLite store, the real in-process
 * job runner): a host's plan with the patch lag against the tenant's policy, approval by an operator for a
 * maintenance window (recorded with the approver, audited, the patch-apply job queued for the window), roles
 * and tenant scope (viewers read, other tenants get 404); notification settings with webhook URLs masked and
 * changed by admins only; the tenant's owner report downloadable by its viewers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ReportDocument } from '../../src/core/model.js';
import { openFleetStore } from '../../src/fleet/store/index.js';
import type { FleetStore } from '../../src/fleet/ports.js';
import { SYSTEM_SCOPE, type Target, type Tenant } from '../../src/fleet/types.js';
import { buildServer } from '../../src/server/app.js';
import { newApiToken, sha256 } from '../../src/server/auth/tokens.js';
import { InProcessRunner } from '../../src/worker/inprocess.js';
import { patchApplyHandler, resumeApprovedPatchPlans } from '../../src/worker/handlers/patch-apply.js';
import { loadNotificationSettings, NOTIFICATION_SETTINGS_KEY, type NotificationSettings } from '../../src/fleet/notify/settings.js';

const golden = (name: string): ReportDocument => JSON.parse(readFileSync(new URL(`../fixtures/golden/${name}`, import.meta.url), 'utf8')) as ReportDocument;
const NOW = new Date('2026-11-23T09:00:00Z');

describe('patch plans and notification settings over the API', () => {
  let home: string;
  let store: FleetStore;
  let runner: InProcessRunner;
  let app: FastifyInstance;
  let a: Tenant;
  let b: Tenant;
  let host: Target;
  let site: Target;
  const tokens: Record<string, string> = {};
  const users: Record<string, string> = {};

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'mamori-patch-api-'));
    store = await openFleetStore({ home });
    await store.migrate();
    a = await store.createTenant(SYSTEM_SCOPE, 'Tenant A');
    b = await store.createTenant(SYSTEM_SCOPE, 'Tenant B');
    for (const [name, role, tenantIds] of [['admin', 'admin', []], ['opA', 'operator', [a.id]], ['viewA', 'viewer', [a.id]], ['viewB', 'viewer', [b.id]]] as const) {
      const u = await store.createUser({ email: `${name}@example.test`, passwordHash: 'x', role, tenantIds: [...tenantIds] });
      const token = newApiToken();
      await store.createToken({ userId: u.id, name: 'test', hash: sha256(token) });
      tokens[name] = token;
      users[name] = u.id;
    }
    host = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId: a.id, name: 'web1', kind: 'host', address: '127.0.0.1:2222', sshUser: 'root' }))!.target;
    site = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId: a.id, name: 'shop', kind: 'site', address: 'http://127.0.0.1:8081/' }))!.target;
    for (const [t, doc] of [[host, golden('host-ubuntu2204.en.json')], [site, golden('site-old.en.json')]] as const) {
      const s = (await store.createScan(SYSTEM_SCOPE, t.id, 'manual'))!;
      await store.startScan(s.id);
      await store.finishScan(s.id, doc, 'test');
    }
    runner = new InProcessRunner({ store, handlers: { 'patch-apply': patchApplyHandler({ store, runner: { enqueue: (...x) => runner.enqueue(...x) } }) }, log: () => undefined, clock: () => NOW });
    app = await buildServer({ store, runner, clock: { now: () => NOW }, uiDir: home });
  });

  after(async () => {
    await app?.close();
    await runner?.stop({ graceful: false });
    await store?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const call = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}`, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload: JSON.stringify(payload) } : {}) });

  it("a host's plan: the security updates with the patch lag against the tenant's policy; viewers read, other tenants get 404", async () => {
    await store.setSetting(a.id, NOTIFICATION_SETTINGS_KEY, { lagPolicy: { critical: 7, high: 20 } });
    const r = await call('viewA', 'GET', `/api/targets/${host.id}/patch-plan`);
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json() as { plan: { steps: { kind: string; packages: { name: string }[] }[]; lag: { packages: string[]; severity: string; days?: number; limit: number; status: string }[] }; policy: { days: Record<string, number> } };
    assert.equal(body.policy.days.high, 20);
    const upd = body.plan.steps.find((s) => s.kind === 'update')!;
    assert.ok(upd.packages.some((p) => p.name === 'libc6') && upd.packages.some((p) => p.name === 'openssl'), JSON.stringify(upd));
    const libc = body.plan.lag.find((l) => l.packages.includes('libc6'))!;
    // Published 2024-04-18, 949 days before 2026-11-23; high: 20 days allowed.
    assert.deepEqual([libc.severity, libc.days, libc.limit, libc.status], ['high', 949, 20, 'overdue']);
    assert.equal((await call('viewB', 'GET', `/api/targets/${host.id}/patch-plan`)).statusCode, 404);
    const s = await call('opA', 'GET', `/api/targets/${site.id}/patch-plan`);
    assert.equal(s.statusCode, 409);
    assert.equal((s.json() as { error: { code: string } }).error.code, 'not_a_host');
  });

  it('approval: operators only, a sane window, recorded with the approver and audited, the apply job queued for the window', async () => {
    const window = { start: '2026-11-23T17:00:00Z', end: '2026-11-23T20:00:00Z' };
    assert.equal((await call('viewA', 'POST', '/api/patch-plans', { targetId: host.id, window })).statusCode, 403);
    assert.equal((await call('viewB', 'POST', '/api/patch-plans', { targetId: host.id, window })).statusCode, 403);
    const past = await call('opA', 'POST', '/api/patch-plans', { targetId: host.id, window: { start: '2026-11-20T00:00:00Z', end: '2026-11-20T03:00:00Z' } });
    assert.equal(past.statusCode, 400);
    assert.match(past.body, /window\.end is in the past/);
    const bad = await call('opA', 'POST', '/api/patch-plans', { targetId: host.id, window: { start: 'tomorrow', end: '2026-11-24T03:00:00Z' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /window\.start: not an ISO-8601 time/);
    const r = await call('opA', 'POST', '/api/patch-plans', { targetId: host.id, window });
    assert.equal(r.statusCode, 201, r.body);
    const rec = r.json() as { id: string; status: string; approvedBy: string; window: { start: string }; plan: { steps: unknown[] } };
    assert.equal(rec.status, 'approved');
    assert.equal(rec.approvedBy, users.opA);
    assert.equal(rec.window.start, '2026-11-23T17:00:00.000Z');
    const jobs = runner.list().filter((j) => j.kind === 'patch-apply');
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.status, 'queued');
    const audit = await store.listAudit(SYSTEM_SCOPE, { tenantId: a.id }, { page: 1, pageSize: 50 });
    const entry = audit.items.find((e) => e.action === 'patch-plan.approve')!;
    assert.equal(entry.actorUserId, users.opA);
    assert.equal(entry.objectId, rec.id);
    // Listed for the tenant's people, not for another tenant's.
    const listA = (await call('viewA', 'GET', '/api/patch-plans')).json() as { items: { id: string }[] };
    assert.deepEqual(listA.items.map((i) => i.id), [rec.id]);
    assert.deepEqual(((await call('viewB', 'GET', '/api/patch-plans')).json() as { items: unknown[] }).items, []);
    assert.equal((await call('viewB', 'GET', `/api/patch-plans/${rec.id}`)).statusCode, 404);
    const one = (await call('viewA', 'GET', `/api/patch-plans/${rec.id}`)).json() as { log: unknown[] };
    assert.deepEqual(one.log, []);
    // A restarted server queues the approved plan's apply again (the in-process runner keeps it in memory only).
    const restarted = new InProcessRunner({ store, handlers: { 'patch-apply': patchApplyHandler({ store, runner }) }, log: () => undefined, clock: () => NOW });
    assert.equal(await resumeApprovedPatchPlans(store, restarted, NOW), 1);
    assert.deepEqual(restarted.list().map((j) => [j.kind, j.status]), [['patch-apply', 'queued']]);
    await restarted.stop({ graceful: false });
  });

  it('the apply job after its window: expired and not run (nothing is applied outside the approved window)', async () => {
    const handler = patchApplyHandler({ store, runner, clock: () => new Date('2026-11-24T00:00:00Z') });
    const [rec] = ((await call('viewA', 'GET', '/api/patch-plans')).json() as { items: { id: string }[] }).items;
    const ctx = { jobId: 'j', kind: 'patch-apply' as const, attempt: 1, maxAttempts: 3, signal: new AbortController().signal, progress: () => undefined, log: () => undefined };
    await assert.rejects(handler({ planId: rec!.id, tenantId: a.id, targetId: host.id }, ctx), (err: Error) => err.name === 'PermanentJobError' && /window .* has ended/.test(err.message));
    const later = (await call('viewA', 'GET', `/api/patch-plans/${rec!.id}`)).json() as { status: string; result: { reason: string } };
    assert.equal(later.status, 'expired');
    assert.match(later.result.reason, /maintenance window ended/);
  });

  it('notification settings: operators and admins; webhook URLs masked, set by admins only; a masked URL keeps the stored one', async () => {
    assert.equal((await call('viewA', 'GET', `/api/tenants/${a.id}/notifications`)).statusCode, 403);
    assert.equal((await call('opA', 'GET', `/api/tenants/${b.id}/notifications`)).statusCode, 404);
    const secretUrl = 'https://hooks.example.test/services/T1/B2/very-secret-token';
    const settings = { lang: 'en', email: { recipients: ['ops@example.test'] }, webhooks: [{ url: secretUrl, name: 'ops' }], eolWithinDays: 60 };
    const denied = await call('opA', 'PUT', `/api/tenants/${a.id}/notifications`, settings);
    assert.equal(denied.statusCode, 403);
    assert.match(denied.body, /only an admin/);
    const ok = await call('admin', 'PUT', `/api/tenants/${a.id}/notifications`, settings);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.ok(!ok.body.includes('very-secret-token'));
    const got = (await call('opA', 'GET', `/api/tenants/${a.id}/notifications`)).json() as { settings: NotificationSettings };
    assert.ok(!JSON.stringify(got).includes('very-secret-token'));
    assert.equal(got.settings.eolWithinDays, 60);
    assert.equal(got.settings.lagPolicy.high, 30, 'defaults filled in');
    // The operator edits recipients, giving the masked webhook back: allowed, and the stored URL is kept.
    const edit = await call('opA', 'PUT', `/api/tenants/${a.id}/notifications`, { ...got.settings, email: { recipients: ['ops@example.test', 'owner@example.test'] } });
    assert.equal(edit.statusCode, 200, edit.body);
    const stored = await loadNotificationSettings(store, a.id);
    assert.equal(stored.webhooks[0]!.url, secretUrl);
    assert.deepEqual(stored.email.recipients, ['ops@example.test', 'owner@example.test']);
    // At rest the setting holds a reference, the URL is sealed in the secrets table.
    const raw = await store.getSetting<unknown>(a.id, NOTIFICATION_SETTINGS_KEY);
    assert.deepEqual((raw as { webhooks: unknown }).webhooks, [{ ref: 'webhook.0', name: 'ops' }]);
    const invalid = await call('opA', 'PUT', `/api/tenants/${a.id}/notifications`, { email: { recipients: ['not-an-address'] } });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /body\.email\.recipients\.0: not an e-mail address/);
    const audit = await store.listAudit(SYSTEM_SCOPE, { tenantId: a.id }, { page: 1, pageSize: 50 });
    assert.ok(audit.items.some((e) => e.action === 'notifications.update'));
    assert.ok(!JSON.stringify(audit.items).includes('very-secret-token'), 'no webhook secret in the audit log');
  });

  it("the owner report: the tenant's viewers download it (every target in it), other tenants get 404", async () => {
    const r = await call('viewA', 'GET', `/api/tenants/${a.id}/report?format=html&lang=en`);
    assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    assert.match(r.headers['content-type'] as string, /text\/html/);
    assert.match(r.headers['content-disposition'] as string, /attachment; filename="mamori-Tenant_A-2026-11-23\.html"/);
    assert.match(r.body, /Security report: Tenant A/);
    assert.match(r.body, /fixture:ubuntu2204/);
    assert.match(r.body, /http:\/\/127\.54\.91\.7:28443\//);
    const ja = await call('viewA', 'GET', `/api/tenants/${a.id}/report?format=html&lang=ja`);
    assert.match(ja.body, /セキュリティ報告書: Tenant A/);
    assert.equal((await call('viewB', 'GET', `/api/tenants/${a.id}/report?format=html`)).statusCode, 404);
  });
});
