/**
 * `mamori worker` on the real PostgreSQL, each test with a database of its own: workers are child processes of
 * the built CLI (bin/mamori.js), killed with SIGKILL or stopped with SIGTERM as an operator or the kernel would.
 * Scans are real site scans of slow loopback sites (a delay per response keeps a scan running long enough to
 * kill its worker in the middle).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSTEM_SCOPE, type ScanRecord } from '../../src/fleet/types.js';
import { requestScan } from '../../src/worker/request.js';
import { startFleet, sleep, waitFor, type Fleet } from './cluster-helpers.js';
import { postgresUnavailable as pgMissing } from '../helpers/postgres.js';
import { startSlowSite, type SlowSite } from './slow-site.js';

const missing = await pgMissing();

async function siteTarget(f: Fleet, name: string, site: SlowSite, extra: { schedule?: string } = {}) {
  const r = await f.store.upsertTarget(SYSTEM_SCOPE, { tenantId: f.tenant.id, name, kind: 'site', address: site.url, ...extra });
  return r!.target;
}

const scansOf = async (f: Fleet, targetId: string): Promise<ScanRecord[]> => (await f.store.listScans(SYSTEM_SCOPE, { targetId }, { page: 1, pageSize: 200 })).items;

test('a worker killed with SIGKILL mid-scan loses no job and leaves no half result: another worker finishes it, one finished scan', { skip: missing ?? false, timeout: 300_000 }, async () => {
  const site = await startSlowSite(150);
  const f = await startFleet({ env: { MAMORI_SITE_RATE: '100' } });
  try {
    const target = await siteTarget(f, 'shop-yamada', site);
    const a = await f.startWorker(['--concurrency', '1', '--job-timeout', '30']);
    const { scan } = (await requestScan(f.store, f.runner, SYSTEM_SCOPE, target.id, 'manual'))!;
    // the scan is under way: running, and the site has been asked a few things
    await waitFor(async () => (await f.store.getScan(SYSTEM_SCOPE, scan.id))?.status === 'running' && site.requests() >= 5, 'the scan to be running', 120_000);
    a.child.kill('SIGKILL');
    await a.exited;
    // what the dashboard sees right after the kill: the scan running, no document, no findings
    const mid = (await f.store.getScan(SYSTEM_SCOPE, scan.id))!;
    assert.equal(mid.status, 'running');
    assert.equal(await f.store.getScanDocument(SYSTEM_SCOPE, scan.id), undefined, 'no half document');
    assert.equal((await f.store.listFindings(SYSTEM_SCOPE, { targetId: target.id }, { page: 1, pageSize: 10 })).total, 0, 'no findings of the killed attempt');

    site.setDelay(2);
    const b = await f.startWorker(['--concurrency', '1', '--job-timeout', '30']);
    const done = await waitFor(async () => {
      const s = await f.store.getScan(SYSTEM_SCOPE, scan.id);
      return s && (s.status === 'done' || s.status === 'failed') ? s : undefined;
    }, 'the scan to finish on the second worker', 180_000);
    assert.equal(done.status, 'done', `scan finished: ${done.failureReason}\n${b.logs.map((l) => JSON.stringify(l)).join('\n')}`);
    assert.ok(done.attempts >= 2, `the interrupted attempt counts (${done.attempts})`);
    assert.ok(done.knowledgeVersion, 'the knowledge version is recorded');
    const all = await scansOf(f, target.id);
    assert.equal(all.length, 1, 'no duplicate scan record');
    assert.equal(all.filter((s) => s.status === 'done').length, 1, 'exactly one finished scan');
    const doc = (await f.store.getScanDocument(SYSTEM_SCOPE, scan.id))!;
    assert.ok(doc.findings.length > 0, 'the slow shop has findings (plaintext form, banners)');
    const rows = await f.store.listFindings(SYSTEM_SCOPE, { targetId: target.id }, { page: 1, pageSize: 500 });
    assert.equal(rows.total, doc.findings.length, 'findings rows are exactly those of the finished document');
    // the worker logs 'job completed' after the result is written (and its notification enqueued): wait for the line
    await waitFor(async () => b.logs.some((l) => l.msg === 'job completed' && l.scanId === scan.id), 'worker B to log that it completed the job', 30_000);
    assert.ok(b.logs.every((l) => !JSON.stringify(l).includes('PRIVATE KEY')), 'no key in the logs');
  } finally {
    await f.close();
    await site.close();
  }
});

test('no target is scanned twice at once: scans of one target never overlap across workers', { skip: missing ?? false, timeout: 300_000 }, async () => {
  const sites = [await startSlowSite(5), await startSlowSite(5)];
  const f = await startFleet({ env: { MAMORI_SITE_RATE: '50' } });
  try {
    const targets = [await siteTarget(f, 'shop-a', sites[0]!), await siteTarget(f, 'shop-b', sites[1]!)];
    await f.startWorker(['--concurrency', '2']);
    await f.startWorker(['--concurrency', '2']);
    // three scans of each target at once (as a schedule, an operator and an API script might ask)
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      for (const t of targets) {
        const s = (await f.store.createScan(SYSTEM_SCOPE, t.id, 'api'))!;
        await f.runner.enqueue({ kind: 'scan', payload: { scanId: s.id, targetId: t.id, tenantId: t.tenantId } });
        ids.push(s.id);
      }
    }
    const finished = await waitFor(async () => {
      const all = await Promise.all(ids.map((id) => f.store.getScan(SYSTEM_SCOPE, id)));
      return all.every((s) => s && (s.status === 'done' || s.status === 'failed')) ? (all as ScanRecord[]) : undefined;
    }, 'all six scans to finish', 240_000, 500);
    assert.deepEqual(finished.map((s) => s.status), ids.map(() => 'done'), finished.map((s) => s.failureReason).join('; '));
    for (const t of targets) {
      const spans = finished.filter((s) => s.targetId === t.id).map((s) => [Date.parse(s.startedAt!), Date.parse(s.finishedAt!)] as const).sort((x, y) => x[0] - y[0]);
      assert.equal(spans.length, 3);
      for (let i = 1; i < spans.length; i++) assert.ok(spans[i]![0] >= spans[i - 1]![1], `scans of ${t.name} overlap: ${JSON.stringify(spans)}`);
    }
    // the two targets did run side by side (the lock is per target, not global)
    const a = finished.filter((s) => s.targetId === targets[0]!.id).map((s) => [Date.parse(s.startedAt!), Date.parse(s.finishedAt!)] as const);
    const b = finished.filter((s) => s.targetId === targets[1]!.id).map((s) => [Date.parse(s.startedAt!), Date.parse(s.finishedAt!)] as const);
    assert.ok(a.some((x) => b.some((y) => x[0] < y[1] && y[0] < x[1])), 'different targets were scanned concurrently');
    const deferred = f.workers.flatMap((w) => w.logs).filter((l) => l.msg === 'job started').length;
    assert.ok(deferred >= 6, 'every scan started once at least');
  } finally {
    await f.close();
    for (const s of sites) await s.close();
  }
});

test('a schedule fires once per minute with three workers', { skip: missing ?? false, timeout: 300_000 }, async () => {
  const site = await startSlowSite(2);
  const f = await startFleet({ env: { MAMORI_PGBOSS_CRON_MONITOR_SECONDS: '2', MAMORI_SCHEDULE_JITTER_MS: '0', MAMORI_SITE_RATE: '50' } });
  try {
    const target = await siteTarget(f, 'shop-scheduled', site, { schedule: '* * * * *' });
    await Promise.all([f.startWorker(), f.startWorker(), f.startWorker()]);
    // wait for two scheduled scans: two distinct minutes
    const scheduled = await waitFor(async () => {
      const s = (await scansOf(f, target.id)).filter((x) => x.trigger === 'schedule');
      return s.length >= 2 && s.every((x) => x.status === 'done' || x.status === 'failed') ? s : undefined;
    }, 'two scheduled scans', 240_000, 1000);
    const minutes = scheduled.map((s) => s.queuedAt.slice(0, 16));
    assert.equal(new Set(minutes).size, minutes.length, `one scan per minute, not one per worker: ${minutes.join(', ')}`);
    const ticks = f.workers.flatMap((w) => w.logs).filter((l) => l.msg === 'schedule tick');
    const tickMinutes = ticks.map((l) => String(l.time).slice(0, 16));
    assert.equal(new Set(tickMinutes).size, tickMinutes.length, `one tick per minute across the cluster: ${tickMinutes.join(', ')}`);
    assert.ok(scheduled.every((s) => s.status === 'done'), scheduled.map((s) => s.failureReason).join('; '));
  } finally {
    await f.close();
    await site.close();
  }
});

test('SIGTERM: the worker stops taking jobs and hands its running scan back; another worker finishes it', { skip: missing ?? false, timeout: 300_000 }, async () => {
  const site = await startSlowSite(200);
  const f = await startFleet({ env: { MAMORI_SITE_RATE: '20' } });
  try {
    const target = await siteTarget(f, 'shop-term', site);
    const a = await f.startWorker(['--concurrency', '1', '--grace', '1']);
    const { scan } = (await requestScan(f.store, f.runner, SYSTEM_SCOPE, target.id, 'manual'))!;
    await waitFor(async () => (await f.store.getScan(SYSTEM_SCOPE, scan.id))?.status === 'running' && site.requests() >= 3, 'the scan to be running');
    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0, 'a clean exit');
    const back = (await f.store.getScan(SYSTEM_SCOPE, scan.id))!;
    assert.equal(back.status, 'queued', 'handed back queued at once (no lease to wait for)');
    assert.ok(a.logs.some((l) => l.msg === 'job handed back'));
    site.setDelay(2);
    await f.startWorker(['--concurrency', '1']);
    const done = await waitFor(async () => {
      const s = await f.store.getScan(SYSTEM_SCOPE, scan.id);
      return s?.status === 'done' || s?.status === 'failed' ? s : undefined;
    }, 'the handed-back scan to finish');
    assert.equal(done.status, 'done', String(done.failureReason));
    assert.equal((await scansOf(f, target.id)).length, 1);
  } finally {
    await f.close();
    await site.close();
  }
});

test('a scan that can never work fails for good, reaches the dead-letter list with its reason, and is not retried', { skip: missing ?? false, timeout: 120_000 }, async () => {
  const f = await startFleet();
  try {
    // a host target without an SSH key: PermanentJobError
    const t = (await f.store.upsertTarget(SYSTEM_SCOPE, { tenantId: f.tenant.id, name: 'no-key-host', kind: 'host', address: '127.0.0.1:1', sshUser: 'root' }))!.target;
    await f.startWorker();
    const { scan } = (await requestScan(f.store, f.runner, SYSTEM_SCOPE, t.id, 'manual'))!;
    const failed = await waitFor(async () => {
      const s = await f.store.getScan(SYSTEM_SCOPE, scan.id);
      return s?.status === 'failed' ? s : undefined;
    }, 'the scan to fail');
    assert.match(String(failed.failureReason), /key/i);
    assert.equal(failed.attempts, 1, 'not retried');
    const dead = await waitFor(async () => {
      const d = await f.runner.engine.deadLetters();
      return d.length ? d : undefined;
    }, 'the dead letter');
    assert.equal(dead[0]!.data.scanId, scan.id);
    assert.match(dead[0]!.reason, /key/i);
    await sleep(500);
    assert.equal((await f.store.getScan(SYSTEM_SCOPE, scan.id))!.status, 'failed');
  } finally {
    await f.close();
  }
});
