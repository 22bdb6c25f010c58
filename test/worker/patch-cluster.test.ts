/**
 * Patching on the PostgreSQL cluster end to end, through what users run: `mamori serve --database postgres://…`
 * of the built CLI (it only enqueues) and a separate `mamori worker` process (it scans and applies). The target
 * is a real Debian 12 root (debootstrap) behind a real sshd with a local apt repository (minihttpd 1.0-1
 * installed, 1.0-3 in bookworm-security), stored with its key and known_hosts. A scan asked over the HTTP API
 * finds the missing update; an operator approves the plan over the API for a window open now; the worker applies
 * it over SSH with the stored key, the apply log is kept, the verification rescan (trigger patch-verify) runs on
 * the worker, and the plan shows its findings resolved. The same flow in process on SQLite:
 * test/server/patch-apply.test.ts. And a plan approved for a later window keeps one apply job across server
 * restarts (pg-boss keeps the job; the server queues none again).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { ReportDocument } from '../../src/core/model.js';
import { getPatchPlan } from '../../src/fleet/patch-plans.js';
import { SYSTEM_SCOPE, type ScanRecord } from '../../src/fleet/types.js';
import { newApiToken, sha256 } from '../../src/server/auth/tokens.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { debianRootMissing, startDebianTarget } from '../remediate/debian-root.js';
import { mutatingSince } from '../remediate/target.js';
import { startFleet, startServe, waitFor } from './cluster-helpers.js';
import { knowledgeDb } from './helpers.js';

const missing = debianRootMissing() ?? (await postgresUnavailable());

type PlanRec = { status: string; result?: { status: string; reason?: string; changed: boolean }; verifyScanId?: string; verify?: { resolved: string[]; unresolved: unknown[] }; log: { id: string; argv: string[]; stdout: string }[] };

test('PostgreSQL cluster: the server enqueues, a mamori worker scans, applies the approved plan over SSH in its window, keeps the log, and its verification rescan resolves the findings', { skip: missing ?? false, timeout: 1_200_000 }, async () => {
  const t = await startDebianTarget();
  const f = await startFleet({ prefix: 'mamori_pgops_patch', knowledgeDb: await knowledgeDb() });
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  try {
    t.publishSecurity('1.0-3');
    t.sh('apt-get -q update');
    server = await startServe(f);
    const worker = await f.startWorker(['--concurrency', '2']);
    const op = await f.store.createUser({ email: 'op@example.jp', passwordHash: 'x', role: 'operator', tenantIds: [f.tenant.id] });
    const token = newApiToken();
    await f.store.createToken({ userId: op.id, name: 'ops', hash: sha256(token) });
    const base = server.base;
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, text: await res.text() };
    };
    const userKey = readFileSync(t.sshd.userKey, 'utf8');
    const target = (await f.store.upsertTarget(SYSTEM_SCOPE, { tenantId: f.tenant.id, name: 'shop-web', kind: 'host', address: `127.0.0.1:${t.sshd.port}`, sshUser: 'root' }, { sshKey: userKey, knownHosts: readFileSync(t.sshd.knownHosts, 'utf8') }))!.target;
    const finished = (id: string) => waitFor(async () => {
      const s = await f.store.getScan(SYSTEM_SCOPE, id);
      return s && (s.status === 'done' || s.status === 'failed') ? s : undefined;
    }, `scan ${id} to finish on the worker`, 600_000, 300);

    // 1. the scan, asked over the API, runs on the worker and finds the missing security update
    const asked = await call('POST', `/api/targets/${target.id}/scans`, {});
    assert.equal(asked.status, 202, asked.text);
    const first: ScanRecord = await finished((JSON.parse(asked.text) as { scan: { id: string } }).scan.id);
    assert.equal(first.status, 'done', first.failureReason ?? '');
    await waitFor(async () => worker.logs.some((l) => l.msg === 'job completed' && l.scanId === first.id), 'the worker to log that it ran the scan', 30_000);

    const planRes = await call('GET', `/api/targets/${target.id}/patch-plan`);
    assert.equal(planRes.status, 200, planRes.text);
    const plan = (JSON.parse(planRes.text) as { plan: { steps: { kind: string; packages: { name: string; from?: string; to?: string }[]; fixes: string[] }[] } }).plan;
    const upd = plan.steps.find((s) => s.kind === 'update');
    assert.ok(upd, `an update step: ${JSON.stringify(plan.steps)}`);
    assert.deepEqual(upd.packages.map((p) => [p.name, p.from, p.to]), [['minihttpd', '1.0-1', '1.0-3']]);

    // 2. approved over the API for a window open now: the server enqueues the apply, the worker takes it
    const from = t.sshd.commands().length;
    const now = Date.now();
    const approved = await call('POST', '/api/patch-plans', { targetId: target.id, window: { start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString() } });
    assert.equal(approved.status, 201, approved.text);
    const id = (JSON.parse(approved.text) as { id: string }).id;
    const applied = await waitFor(async () => {
      const r = await call('GET', `/api/patch-plans/${id}`);
      assert.equal(r.status, 200, r.text);
      const rec = JSON.parse(r.text) as PlanRec;
      return rec.status === 'approved' || rec.status === 'running' ? undefined : rec;
    }, 'the apply on the worker', 900_000, 500);
    assert.equal(applied.status, 'applied', JSON.stringify(applied.result));
    assert.equal(applied.result?.changed, true);
    assert.equal(t.sh("dpkg-query -W -f '${Version}' minihttpd"), '1.0-3');
    assert.ok(applied.log.some((e) => e.id === 'aptUpgrade' && e.argv.includes('minihttpd')), 'the install is in the stored apply log');
    assert.ok(applied.log.some((e) => e.argv.join(' ').startsWith('apt-get -s') && /Inst minihttpd/.test(e.stdout)), 'the simulation and its output are in the log');
    // every command the host received is on the scan or the apply allowlist; the mutating ones are the apply's
    assert.deepEqual(mutatingSince(t, from), ['aptUpdate', 'aptUpgrade', 'lockAcquire', 'lockRelease']);
    await waitFor(async () => worker.logs.some((l) => l.msg === 'patch plan applied' && l.queue === 'patch-apply' && l.status === 'applied'), 'the worker to log the apply', 30_000);

    // 3. the verification rescan runs on the worker; the plan then shows the findings resolved
    assert.ok(applied.verifyScanId, 'the verification scan was requested');
    const verifyScan = await finished(applied.verifyScanId);
    assert.equal(verifyScan.trigger, 'patch-verify');
    assert.equal(verifyScan.status, 'done', verifyScan.failureReason ?? '');
    const verified = JSON.parse((await call('GET', `/api/patch-plans/${id}`)).text) as PlanRec;
    assert.equal(verified.status, 'applied');
    assert.ok(upd.fixes.length > 0, 'the update fixes findings');
    assert.deepEqual(verified.verify, { resolved: upd.fixes, unresolved: [] });
    const listed = JSON.parse((await call('GET', `/api/patch-plans?target=${target.id}`)).text) as { items: { id: string; status: string }[] };
    assert.deepEqual(listed.items.map((r) => [r.id, r.status]), [[id, 'applied']]);
    const audit = await f.store.listAudit(SYSTEM_SCOPE, { tenantId: f.tenant.id }, { page: 1, pageSize: 20 });
    assert.ok(audit.items.some((e) => e.action === 'patch-plan.approve' && e.actorUserId === op.id), 'the approval is audited with its approver');

    // the server ran nothing itself; the worker ran both scans and the apply; no key material, no listener leak
    const serverLog = server.log();
    assert.ok(!/job started|patch plan applied/.test(serverLog), 'the server ran no job itself');
    // (each finished scan also enqueues its notify job, which may still be on its way)
    const started = worker.logs.filter((l) => l.msg === 'job started' && l.queue !== 'notify').map((l) => l.queue);
    assert.deepEqual(started.sort(), ['patch-apply', 'scan-host', 'scan-host'], `jobs the worker ran: ${started.join(', ')}`);
    const keyLines = userKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    for (const text of [serverLog, JSON.stringify(worker.logs)]) {
      assert.ok(!text.includes('PRIVATE KEY'), 'no private key header in the logs');
      for (const l of keyLines) assert.ok(!text.includes(l), 'no key material in the logs');
      assert.ok(!text.includes(token), 'the API token is never logged');
      assert.ok(!/MaxListenersExceededWarning/.test(text), 'no listener leak warning');
    }
  } finally {
    await server?.stop();
    await f.close();
    await t.stop();
  }
});

test('PostgreSQL cluster: a plan approved for a later window has one apply job, however often the server restarts', { skip: (await postgresUnavailable()) ?? false, timeout: 300_000 }, async () => {
  const f = await startFleet({ prefix: 'mamori_pgops_patch_restart' });
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  try {
    // a host whose latest scan (the golden Ubuntu 22.04 document) has updates to apply
    const target = (await f.store.upsertTarget(SYSTEM_SCOPE, { tenantId: f.tenant.id, name: 'web1', kind: 'host', address: '127.0.0.1:2222', sshUser: 'root' }))!.target;
    const s = (await f.store.createScan(SYSTEM_SCOPE, target.id, 'manual'))!;
    await f.store.startScan(s.id);
    await f.store.finishScan(s.id, JSON.parse(readFileSync(new URL('../fixtures/golden/host-ubuntu2204.en.json', import.meta.url), 'utf8')) as ReportDocument, 'test');
    const op = await f.store.createUser({ email: 'op@example.jp', passwordHash: 'x', role: 'operator', tenantIds: [f.tenant.id] });
    const token = newApiToken();
    await f.store.createToken({ userId: op.id, name: 'ops', hash: sha256(token) });
    server = await startServe(f);
    const start = Date.now() + 3_600_000;
    const res = await fetch(`${server.base}/api/patch-plans`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ targetId: target.id, window: { start: new Date(start).toISOString(), end: new Date(start + 3_600_000).toISOString() } }) });
    assert.equal(res.status, 201, await res.clone().text());
    const id = ((await res.json()) as { id: string }).id;
    const jobs = async () => (await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'patch-apply' AND data->'payload'->>'planId' = ${id}`.execute(f.store.db)).rows[0]!.n;
    assert.equal(await jobs(), '1', 'the approval queued its apply job for the window');
    for (let i = 0; i < 2; i++) {
      await server.stop();
      server = await startServe(f);
    }
    assert.equal(await jobs(), '1', 'the restarts queued no second apply job (pg-boss keeps the first)');
    assert.equal((await getPatchPlan(f.store, SYSTEM_SCOPE, id))?.status, 'approved');
  } finally {
    await server?.stop();
    await f.close();
  }
});
