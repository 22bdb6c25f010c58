/**
 * The scan jobs and the in-process runner against real stores (SQLite and PostgreSQL), a real sshd on loopback
 * and a loopback site: stored documents and findings, one scan per target at a time, retries then failure with
 * the reason, recovery after a restart, credentials that never stay on disk, no secret in logs or events.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SYSTEM_SCOPE, type ScanRecord } from '../../src/fleet/types.js';
import { requestScan } from '../../src/worker/request.js';
import type { JobHandlers } from '../../src/worker/jobs.js';
import { freePort, sshdMissing, startSshd, type Sshd } from '../host/sshd.js';
import { harness, openFleet, pgMissing, startSite, until, type Dialect, type Fleet, type Site } from './helpers.js';

const sshMissing = sshdMissing();
let sshd: Sshd | undefined;
let site: Site;
let userKey = '';
let knownHosts = '';

before(async () => {
  site = await startSite();
  if (!sshMissing) {
    sshd = await startSshd();
    userKey = readFileSync(sshd.userKey, 'utf8');
    knownHosts = readFileSync(sshd.knownHosts, 'utf8');
  }
});
after(async () => {
  await site?.close();
  await sshd?.stop();
});

/** Every text a job wrote or told: no key material in any of it. */
function assertNoSecrets(texts: string[]) {
  const keyLines = userKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
  for (const t of texts) {
    assert.ok(!t.includes('PRIVATE KEY'), `a private key header leaked: ${t.slice(0, 200)}`);
    for (const l of keyLines) assert.ok(!t.includes(l), `key material leaked: ${t.slice(0, 200)}`);
  }
}

const scanOf = (fleet: Fleet, id: string) => fleet.store.getScan(SYSTEM_SCOPE, id) as Promise<ScanRecord>;
const finished = (fleet: Fleet, id: string) => async () => ['done', 'failed'].includes((await scanOf(fleet, id)).status);

const pgSkip = await pgMissing;

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`scan jobs on ${dialect}`, () => {
    const skip = dialect === 'postgres' ? pgSkip : undefined;
    let fleet: Fleet;
    before(async () => {
      if (!skip) fleet = await openFleet(dialect);
    });
    after(async () => {
      await fleet?.close();
    });

    test('a site scan job stores the document and its findings, with the knowledge version', { skip }, async () => {
      const { target } = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'shop', kind: 'site', address: site.url, tags: ['ec'] }))!;
      const h = await harness(fleet);
      await h.runner.start();
      const r = (await requestScan(fleet.store, h.runner, SYSTEM_SCOPE, target.id, 'manual'))!;
      await until(finished(fleet, r.scan.id), 120_000, 'the site scan');
      await h.runner.stop({ graceful: true });
      const scan = await scanOf(fleet, r.scan.id);
      assert.equal(scan.status, 'done', scan.failureReason ?? '');
      assert.equal(scan.attempts, 1);
      assert.match(scan.knowledgeVersion ?? '', /^embedded@\d{4}-/);
      const doc = (await fleet.store.getScanDocument(SYSTEM_SCOPE, scan.id))!;
      assert.equal(doc.target.kind, 'site');
      assert.equal(doc.lang, 'ja');
      assert.ok(doc.findings.length > 0, 'the shop has findings (old PHP, plaintext login form, missing headers)');
      assert.ok(doc.findings.some((f) => f.category === 'end-of-life'), `end-of-life PHP 5.3 found: ${doc.findings.map((f) => f.category).join(',')}`);
      const rows = await fleet.store.listFindings(SYSTEM_SCOPE, { targetId: target.id }, { page: 1, pageSize: 500 });
      assert.equal(rows.total, doc.findings.length);
      // Progress and status were told, in order.
      const mine = h.events.filter((e) => e.jobId === scan.id);
      assert.deepEqual(mine.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status), ['queued', 'running', 'done']);
      assert.ok(mine.some((e) => e.type === 'progress' && e.event.code === 'job.scan.done'));
      assert.ok(h.logs.every((l) => typeof l.msg === 'string' && l.time));
      assert.ok(h.logs.some((l) => l.jobId === scan.id && l.msg === 'scan finished'));
      // A second scan takes the first as its baseline: nothing new.
      const h2 = await harness(fleet);
      await h2.runner.start();
      const r2 = (await requestScan(fleet.store, h2.runner, SYSTEM_SCOPE, target.id, 'api'))!;
      await until(finished(fleet, r2.scan.id), 120_000, 'the second scan');
      await h2.runner.stop({});
      const doc2 = (await fleet.store.getScanDocument(SYSTEM_SCOPE, r2.scan.id))!;
      assert.equal(doc2.findings.filter((f) => f.baseline === 'new').length, 0);
      const diff = (await fleet.store.diffScans(SYSTEM_SCOPE, scan.id, r2.scan.id))!;
      assert.equal(diff.new.length, 0);
      assert.equal(diff.unchanged.length, doc.findings.length);
    });

    test('one scan per target at a time, whatever is enqueued; the global limit holds', { skip }, async () => {
      const targets = [];
      for (const name of ['a', 'b', 'c']) targets.push((await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: `excl-${name}`, kind: 'site', address: site.url }))!.target);
      const active = new Map<string, number>();
      let global = 0;
      let maxGlobal = 0;
      const overlaps: string[] = [];
      const wrap = (hs: JobHandlers): JobHandlers => ({
        ...hs,
        scan: async (p, ctx) => {
          const n = (active.get(p.targetId) ?? 0) + 1;
          active.set(p.targetId, n);
          if (n > 1) overlaps.push(p.targetId);
          maxGlobal = Math.max(maxGlobal, ++global);
          try {
            await hs.scan!(p, ctx);
          } finally {
            active.set(p.targetId, active.get(p.targetId)! - 1);
            global--;
          }
        },
      });
      const h = await harness(fleet, { wrap, concurrency: 2 });
      // Many requests: the dashboard button clicked again and again (coalesced), and scans created directly.
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) for (const t of targets) ids.add((await requestScan(fleet.store, h.runner, SYSTEM_SCOPE, t.id, 'manual'))!.scan.id);
      assert.equal(ids.size, 3, 'requests for a target with a waiting scan return the waiting scan');
      for (const t of targets) {
        for (let i = 0; i < 2; i++) {
          const s = (await fleet.store.createScan(SYSTEM_SCOPE, t.id, 'api'))!;
          await h.runner.enqueue({ kind: 'scan', payload: { scanId: s.id, targetId: t.id, tenantId: t.tenantId } }, { singletonKey: t.id });
          ids.add(s.id);
        }
      }
      await h.runner.start();
      for (const id of ids) await until(finished(fleet, id), 240_000, `scan ${id}`);
      await h.runner.stop({});
      assert.deepEqual(overlaps, [], 'no target scanned twice at once');
      assert.ok(maxGlobal <= 2, `at most 2 scans at once (saw ${maxGlobal})`);
      for (const id of ids) assert.equal((await scanOf(fleet, id)).status, 'done');
      assertNoSecrets(h.logs.map((l) => JSON.stringify(l)));
    });

    test('a failing target is retried with backoff, then shown failed with its reason; a hopeless one fails at once', { skip }, async () => {
      const port = await freePort(); // nothing listens there
      const { target } = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'down', kind: 'host', address: `127.0.0.1:${port}`, sshUser: 'mamori' }, { sshKey: userKey || 'not a key', knownHosts: `[127.0.0.1]:${port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGd0ZXN0a2V5\n` }))!;
      const { target: noKh } = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'no-known-hosts', kind: 'host', address: `127.0.0.1:${port}`, sshUser: 'mamori' }, { sshKey: userKey || 'not a key' }))!;
      const tmp = mkdtempSync(join(tmpdir(), 'mamori-worker-tmp-'));
      const h = await harness(fleet, { maxAttempts: 3, tmpDir: tmp });
      await h.runner.start();
      const r = (await requestScan(fleet.store, h.runner, SYSTEM_SCOPE, target.id, 'manual'))!;
      const r2 = (await requestScan(fleet.store, h.runner, SYSTEM_SCOPE, noKh.id, 'manual'))!;
      await until(finished(fleet, r.scan.id), 60_000, 'the failing scan');
      await until(finished(fleet, r2.scan.id), 60_000, 'the hopeless scan');
      await h.runner.stop({});
      const s = await scanOf(fleet, r.scan.id);
      assert.equal(s.status, 'failed');
      assert.equal(s.attempts, 3, 'tried three times');
      assert.match(s.failureReason ?? '', /connect|refused|ECONNREFUSED/i);
      const statuses = h.events.filter((e) => e.jobId === s.id && e.type === 'status').map((e) => e.type === 'status' && e.status);
      assert.deepEqual(statuses, ['queued', 'running', 'retrying', 'running', 'retrying', 'running', 'failed']);
      const s2 = await scanOf(fleet, r2.scan.id);
      assert.equal(s2.status, 'failed');
      assert.equal(s2.attempts, 1, 'not retried: no retry can add the host key');
      assert.match(s2.failureReason ?? '', /no known_hosts entry is stored/);
      // Still listed as failed: never dropped.
      const failed = await fleet.store.listScans(SYSTEM_SCOPE, { status: 'failed' }, { page: 1, pageSize: 50 });
      assert.ok(failed.items.some((x) => x.id === s.id) && failed.items.some((x) => x.id === s2.id));
      assert.deepEqual(readdirSync(tmp), [], 'the credential directories are removed');
      rmSync(tmp, { recursive: true, force: true });
      assertNoSecrets([...h.logs.map((l) => JSON.stringify(l)), ...h.events.map((e) => JSON.stringify(e)), s.failureReason ?? '']);
    });

    test('a scan over its time limit is stopped, retried, then failed with the reason', { skip }, async () => {
      const { target } = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'slow', kind: 'site', address: site.url }))!;
      site.delayMs = 3000;
      const h = await harness(fleet, { maxAttempts: 2, timeoutMs: { scan: 400 } });
      await h.runner.start();
      const r = (await requestScan(fleet.store, h.runner, SYSTEM_SCOPE, target.id, 'manual'))!;
      await until(finished(fleet, r.scan.id), 60_000, 'the slow scan');
      await h.runner.stop({});
      site.delayMs = 0;
      const s = await scanOf(fleet, r.scan.id);
      assert.equal(s.status, 'failed');
      assert.equal(s.attempts, 2);
      assert.match(s.failureReason ?? '', /longer than its time limit/);
      assert.equal(await fleet.store.getScanDocument(SYSTEM_SCOPE, s.id), undefined, 'no half result stored');
    });

    test('a restart hands back the scans left running and runs the queued ones', { skip }, async () => {
      const { target } = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'restart', kind: 'site', address: site.url }))!;
      const { target: other } = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'restart-2', kind: 'site', address: site.url }))!;
      // A runner stopped without grace while its scan runs (the site answers slowly).
      site.delayMs = 1500;
      const h1 = await harness(fleet);
      await h1.runner.start();
      const a = (await requestScan(fleet.store, h1.runner, SYSTEM_SCOPE, target.id, 'manual'))!;
      await until(async () => (await scanOf(fleet, a.scan.id)).status === 'running', 30_000, 'the scan to start');
      await h1.runner.stop({ graceful: false });
      site.delayMs = 0;
      let s = await scanOf(fleet, a.scan.id);
      assert.equal(s.status, 'queued', 'handed back, not lost');
      assert.match(s.failureReason ?? '', /interrupted/);
      // A process that died mid-scan: the scan is left running in the store; another waits queued.
      const b = (await fleet.store.createScan(SYSTEM_SCOPE, other.id, 'schedule'))!;
      assert.ok(await fleet.store.startScan(b.id));
      const c = (await requestScan(fleet.store, { enqueue: async () => 'none' }, SYSTEM_SCOPE, target.id, 'manual'))!;
      assert.equal(c.scan.id, a.scan.id, 'the queued scan is reused');
      const h2 = await harness(fleet);
      await h2.runner.start();
      await until(finished(fleet, a.scan.id), 120_000, 'the interrupted scan');
      await until(finished(fleet, b.id), 120_000, 'the orphaned scan');
      await h2.runner.stop({});
      s = await scanOf(fleet, a.scan.id);
      assert.equal(s.status, 'done');
      assert.equal(s.attempts, 2);
      const sb = await scanOf(fleet, b.id);
      assert.equal(sb.status, 'done');
      assert.equal(sb.attempts, 2);
      assert.ok(h2.logs.some((l) => l.msg === 'interrupted scan queued again' && l.scanId === b.id));
    });

    test('a scan whose runner vanished while the server runs is taken back when its lease expires', { skip }, async () => {
      const { target } = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'lease', kind: 'site', address: site.url }))!;
      let offset = 0;
      const h = await harness(fleet, { clock: () => new Date(Date.now() + offset) });
      await h.runner.start();
      await h.runner.idle();
      // Taken by a runner that is gone (it set the scan running and never wrote again).
      const orphan = (await fleet.store.createScan(SYSTEM_SCOPE, target.id, 'api'))!;
      assert.ok(await fleet.store.startScan(orphan.id));
      await new Promise((r) => setTimeout(r, 300)); // a few polls: the lease (15 min + 1 min) holds
      assert.equal((await scanOf(fleet, orphan.id)).status, 'running');
      offset = 17 * 60_000;
      await until(finished(fleet, orphan.id), 120_000, 'the orphaned scan');
      await h.runner.stop({});
      const s = await scanOf(fleet, orphan.id);
      assert.equal(s.status, 'done');
      assert.equal(s.attempts, 2);
      assert.ok(h.logs.some((l) => l.msg === 'expired scan queued again' && l.scanId === orphan.id));
    });

    test('a host scan over SSH: stored document, credentials on disk only during the scan (0700/0600), no secret in logs', { skip: skip ?? sshMissing }, async () => {
      const s = sshd!;
      const { target } = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'web01', kind: 'host', address: `127.0.0.1:${s.port}`, sshUser: s.user }, { sshKey: userKey, knownHosts }))!;
      const tmp = mkdtempSync(join(tmpdir(), 'mamori-worker-tmp-'));
      const h = await harness(fleet, { tmpDir: tmp });
      const seen: { dirMode: number; files: Record<string, number>; key: string }[] = [];
      h.runner.subscribe((e) => {
        if (e.type !== 'progress' || e.event.code !== 'job.scan.connect') return;
        for (const d of readdirSync(tmp)) {
          const files: Record<string, number> = {};
          for (const f of readdirSync(join(tmp, d))) files[f] = statSync(join(tmp, d, f)).mode & 0o777;
          seen.push({ dirMode: statSync(join(tmp, d)).mode & 0o777, files, key: readFileSync(join(tmp, d, 'id'), 'utf8') });
        }
      });
      await h.runner.start();
      const r = (await requestScan(fleet.store, h.runner, SYSTEM_SCOPE, target.id, 'manual'))!;
      await until(finished(fleet, r.scan.id), 240_000, 'the host scan');
      await h.runner.stop({});
      const scan = await scanOf(fleet, r.scan.id);
      assert.equal(scan.status, 'done', scan.failureReason ?? '');
      const doc = (await fleet.store.getScanDocument(SYSTEM_SCOPE, scan.id))!;
      assert.equal(doc.target.kind, 'host');
      assert.equal(doc.target.name, `${s.user}@127.0.0.1:${s.port}`);
      assert.ok(doc.inventory.packages.length > 50, 'the packages of this machine were read over SSH');
      assert.ok(doc.inventory.os, 'the OS was identified');
      const rows = await fleet.store.listFindings(SYSTEM_SCOPE, { targetId: target.id }, { page: 1, pageSize: 1 });
      assert.equal(rows.total, doc.findings.length);
      assert.ok(s.commands().length > 5, 'commands ran through sshd');
      assert.equal(seen.length, 1, 'one credential directory during the scan');
      assert.equal(seen[0]!.dirMode, 0o700);
      assert.deepEqual(seen[0]!.files, { id: 0o600, known_hosts: 0o600 });
      assert.equal(seen[0]!.key.trim(), userKey.trim());
      assert.deepEqual(readdirSync(tmp), [], 'nothing left on disk after the scan');
      rmSync(tmp, { recursive: true, force: true });
      assertNoSecrets([...h.logs.map((l) => JSON.stringify(l)), ...h.events.map((e) => JSON.stringify(e)), JSON.stringify(doc)]);
    });
    test('trust on first use, when asked for: the host key learned on the first scan is stored for the next', { skip: skip ?? sshMissing }, async () => {
      const s = sshd!;
      const { target } = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'web02', kind: 'host', address: `127.0.0.1:${s.port}`, sshUser: s.user }, { sshKey: userKey }))!;
      assert.equal(target.hasKnownHosts, false);
      const h = await harness(fleet, { deps: { ssh: { acceptNewHostKey: true, timeoutMs: 60_000 } } });
      await h.runner.start();
      const r = (await requestScan(fleet.store, h.runner, SYSTEM_SCOPE, target.id, 'manual'))!;
      await until(finished(fleet, r.scan.id), 240_000, 'the host scan');
      await h.runner.stop({});
      assert.equal((await scanOf(fleet, r.scan.id)).status, 'done');
      const after = (await fleet.store.getTarget(SYSTEM_SCOPE, target.id))!;
      assert.equal(after.hasKnownHosts, true);
      const hostKey = readFileSync(s.knownHosts, 'utf8').trim().split(' ').slice(1).join(' ');
      assert.ok((await fleet.store.getTargetSecrets(target.id)).knownHosts?.includes(hostKey), 'the real host key was stored');
    });
  });
}
