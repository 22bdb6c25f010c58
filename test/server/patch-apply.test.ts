/**
 * Patching in the fleet server end to end: a real Debian 12 root (debootstrap) behind a real sshd with a local
 * apt repository (minihttpd 1.0-1 installed, 1.0-3 in bookworm-security), stored as a host target with its key
 * and known_hosts; the real scan job finds the missing update; an operator approves the plan over the API for a
 * window open now; the patch-apply job applies it over SSH with the stored key, keeps the apply log, and queues
 * the verification rescan (trigger patch-verify), after which the plan shows its findings resolved.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openFleetStore } from '../../src/fleet/store/index.js';
import { SYSTEM_SCOPE } from '../../src/fleet/types.js';
import { buildServer } from '../../src/server/app.js';
import { newApiToken, sha256 } from '../../src/server/auth/tokens.js';
import { InProcessRunner } from '../../src/worker/inprocess.js';
import { scanHandler } from '../../src/worker/handlers/scan.js';
import { patchApplyHandler } from '../../src/worker/handlers/patch-apply.js';
import { requestScan } from '../../src/worker/request.js';
import { debianRootMissing, startDebianTarget } from '../remediate/debian-root.js';
import { mutatingSince } from '../remediate/target.js';

const missing = debianRootMissing();

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 600_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('an approved plan is applied in its window over SSH with the stored key; the log is kept; the verification rescan resolves it', { skip: missing ?? false, timeout: 1_200_000 }, async () => {
  const t = await startDebianTarget();
  const home = mkdtempSync(join(tmpdir(), 'mamori-patch-server-'));
  const store = await openFleetStore({ home });
  let runner: InProcessRunner | undefined;
  let app: Awaited<ReturnType<typeof buildServer>> | undefined;
  try {
    await store.migrate();
    t.publishSecurity('1.0-3');
    t.sh('apt-get -q update');
    const tenant = await store.createTenant(SYSTEM_SCOPE, 'Shop');
    const op = await store.createUser({ email: 'op@example.test', passwordHash: 'x', role: 'operator', tenantIds: [tenant.id] });
    const token = newApiToken();
    await store.createToken({ userId: op.id, name: 't', hash: sha256(token) });
    const target = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId: tenant.id, name: 'shop-web', kind: 'host', address: `127.0.0.1:${t.sshd.port}`, sshUser: 'root' }, { sshKey: readFileSync(t.sshd.userKey, 'utf8'), knownHosts: readFileSync(t.sshd.knownHosts, 'utf8') }))!.target;
    const lazy = { enqueue: (...a: Parameters<InProcessRunner['enqueue']>) => runner!.enqueue(...a) };
    runner = new InProcessRunner({
      store,
      handlers: { scan: scanHandler({ store, knowledgeDb: join(home, 'db.sqlite'), lang: 'en' }), 'patch-apply': patchApplyHandler({ store, runner: lazy, healthAttempts: 5 }) },
      log: () => undefined,
      pollMs: 200,
      timeoutMs: { 'patch-apply': 900_000, scan: 600_000 },
    });
    await runner.start();
    app = await buildServer({ store, runner, uiDir: home });
    const call = (method: 'GET' | 'POST', url: string, payload?: unknown) => app!.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { payload: JSON.stringify(payload) } : {}) });

    const first = (await requestScan(store, runner, SYSTEM_SCOPE, target.id, 'manual'))!.scan;
    const done = await until('the first scan', async () => {
      const s = await store.getScan(SYSTEM_SCOPE, first.id);
      return s && (s.status === 'done' || s.status === 'failed') ? s : undefined;
    });
    assert.equal(done.status, 'done', done.failureReason ?? '');

    const planRes = await call('GET', `/api/targets/${target.id}/patch-plan`);
    assert.equal(planRes.statusCode, 200, planRes.body);
    const plan = (planRes.json() as { plan: { steps: { kind: string; packages: { name: string; from?: string; to?: string }[]; fixes: string[] }[] } }).plan;
    const upd = plan.steps.find((s) => s.kind === 'update')!;
    assert.deepEqual(upd.packages.map((p) => [p.name, p.from, p.to]), [['minihttpd', '1.0-1', '1.0-3']]);

    const from = t.sshd.commands().length;
    const now = Date.now();
    const approved = await call('POST', '/api/patch-plans', { targetId: target.id, window: { start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString() } });
    assert.equal(approved.statusCode, 201, approved.body);
    const id = (approved.json() as { id: string }).id;

    type Rec = { status: string; result?: { status: string; reason?: string }; verifyScanId?: string; verify?: { resolved: string[]; unresolved: unknown[] }; log: { id: string; argv: string[]; stdout: string }[] };
    const applied = await until('the apply', async () => {
      const r = (await call('GET', `/api/patch-plans/${id}`)).json() as Rec;
      return r.status === 'approved' || r.status === 'running' ? undefined : r;
    });
    assert.equal(applied.status, 'applied', JSON.stringify(applied.result));
    assert.equal(t.sh("dpkg-query -W -f '${Version}' minihttpd"), '1.0-3');
    assert.ok(applied.log.some((e) => e.id === 'aptUpgrade' && e.argv.includes('minihttpd')), 'the install is in the stored apply log');
    assert.ok(applied.log.some((e) => e.argv.join(' ').startsWith('apt-get -s') && /Inst minihttpd/.test(e.stdout)), 'the simulation and its output are in the log');
    // Every command the server received is on the scan or the apply allowlist; the mutating ones are the apply's.
    assert.deepEqual(mutatingSince(t, from), ['aptUpdate', 'aptUpgrade', 'lockAcquire', 'lockRelease']);
    assert.ok(applied.verifyScanId);
    const verifyScan = await until('the verification scan', async () => {
      const s = await store.getScan(SYSTEM_SCOPE, applied.verifyScanId!);
      return s && (s.status === 'done' || s.status === 'failed') ? s : undefined;
    });
    assert.equal(verifyScan.trigger, 'patch-verify');
    assert.equal(verifyScan.status, 'done', verifyScan.failureReason ?? '');
    const verified = (await call('GET', `/api/patch-plans/${id}`)).json() as Rec;
    assert.deepEqual(verified.verify, { resolved: upd.fixes, unresolved: [] });
    // The approval is in the audit log with its approver.
    const audit = await store.listAudit(SYSTEM_SCOPE, { tenantId: tenant.id }, { page: 1, pageSize: 20 });
    assert.ok(audit.items.some((e) => e.action === 'patch-plan.approve' && e.actorUserId === op.id));
  } finally {
    await app?.close();
    await runner?.stop({ graceful: false });
    await store.close();
    await t.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
