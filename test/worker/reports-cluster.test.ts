/**
 * Reports on PostgreSQL: the server's side (the HTTP API over a PgBossJobRunner that only enqueues, with no
 * render-report handler) queues the job; a real `mamori worker` child process renders the PDF with Chromium and
 * stores it; the row is done with the bytes and their digest, downloaded through the API. Then a worker is
 * SIGKILLed while it renders: the job expires, another worker retries it, and the report is written once.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { SYSTEM_SCOPE, type ReportRecord } from '../../src/fleet/types.js';
import { silentLogger } from '../../src/worker/log.js';
import { PgBossJobRunner } from '../../src/worker/pgboss-runner.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { buildFixture, hdr, login, PASSWORDS } from '../server/helpers.js';
import { startFleet, waitFor } from './cluster-helpers.js';

const CHROMIUM = process.env.MAMORI_CHROMIUM || '/usr/bin/chromium';
const skip = (await postgresUnavailable()) ?? (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not installed (Debian package chromium): PDF rendering`);

test('PostgreSQL: the server enqueues, a mamori worker renders and stores the PDF; a worker killed mid-render → retried, written once', { skip: skip ?? false, timeout: 300_000 }, async () => {
  const f = await startFleet({ prefix: 'mamori_reports' });
  let enq: PgBossJobRunner | undefined;
  try {
    const w1 = await f.startWorker(['--concurrency', '1']);
    // The server's side, started after the worker so its queue policy holds for the jobs it sends: a short
    // expiry and retry delay, so a killed worker's job is retried within seconds.
    enq = new PgBossJobRunner({ connectionString: f.db.url, store: f.store, log: silentLogger, scheduleCron: null, maintenanceIntervalSeconds: 1, policies: { 'render-report': { expireInSeconds: 25, retryDelay: 1 } } });
    await enq.start();
    const fx = await buildFixture(f.store, async () => undefined, enq);
    try {
      const op = await login(fx, 'op-a@example.jp', PASSWORDS.operatorA);
      const viewer = await login(fx, 'viewer-a@example.jp', PASSWORDS.viewerA);

      // 1. requested through the API; the server renders nothing (no handler on its runner)
      const res = await fx.req({ method: 'POST', url: `/api/tenants/${fx.tenantA.id}/reports`, headers: hdr(op), payload: { format: 'pdf', lang: 'ja' } });
      assert.equal(res.statusCode, 202, res.body);
      const id = (res.json() as ReportRecord).id;
      const done = await waitFor(async () => {
        const r = await f.store.getReport(SYSTEM_SCOPE, id);
        return r && (r.status === 'done' || r.status === 'failed') ? r : undefined;
      }, 'the report rendered by the worker', 120_000);
      assert.equal(done.status, 'done', done.failureReason ?? '');
      assert.equal(done.attempts, 1);
      const got = (await f.store.getReportContent(SYSTEM_SCOPE, id))!;
      assert.equal(Buffer.from(got.content.subarray(0, 5)).toString('latin1'), '%PDF-');
      assert.equal(got.content.byteLength, done.size);
      assert.equal(createHash('sha256').update(got.content).digest('hex'), done.sha256);
      // logged after the report is written: wait for the line
      await waitFor(async () => w1.logs.some((l) => l.msg === 'report stored' && l.reportId === id), 'the worker to log that it rendered it', 30_000);
      const dl = await fx.req({ method: 'GET', url: `/api/reports/${id}/download`, headers: hdr(viewer) });
      assert.equal(dl.statusCode, 200);
      assert.equal(dl.headers['content-type'], 'application/pdf');
      assert.ok(dl.rawPayload.equals(Buffer.from(got.content)));

      // 2. the worker is killed while it renders; another one takes the job after it expires
      const res2 = await fx.req({ method: 'POST', url: `/api/tenants/${fx.tenantA.id}/reports`, headers: hdr(op), payload: { format: 'pdf', lang: 'en' } });
      assert.equal(res2.statusCode, 202, res2.body);
      const id2 = (res2.json() as ReportRecord).id;
      await waitFor(async () => (await f.store.getReport(SYSTEM_SCOPE, id2))?.status === 'running', 'the worker to start rendering', 60_000, 20);
      w1.child.kill('SIGKILL');
      await w1.exited;
      assert.equal((await f.store.getReport(SYSTEM_SCOPE, id2))?.status, 'running', 'killed before it could finish');
      const w2 = await f.startWorker(['--concurrency', '1']);
      const done2 = await waitFor(async () => {
        const r = await f.store.getReport(SYSTEM_SCOPE, id2);
        return r && (r.status === 'done' || r.status === 'failed') ? r : undefined;
      }, 'the retried report', 150_000);
      assert.equal(done2.status, 'done', done2.failureReason ?? '');
      assert.equal(done2.attempts, 2, 'the second attempt wrote it');
      await waitFor(async () => w2.logs.some((l) => l.msg === 'report stored' && l.reportId === id2), 'the second worker to log that it stored the report', 30_000);
      const got2 = (await f.store.getReportContent(SYSTEM_SCOPE, id2))!;
      assert.equal(Buffer.from(got2.content.subarray(0, 5)).toString('latin1'), '%PDF-');
      assert.equal(createHash('sha256').update(got2.content).digest('hex'), done2.sha256);
      // one row per request, nothing duplicated
      const all = await f.store.listReports(SYSTEM_SCOPE, { tenantId: fx.tenantA.id });
      assert.deepEqual(all.map((r) => r.id).sort(), [id, id2].sort());
      const rows = await f.store.db.selectFrom('reports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(rows.n), 2);
    } finally {
      await fx.app.close();
    }
  } finally {
    await enq?.stop({ graceful: false }).catch(() => undefined);
    await f.close();
  }
});
