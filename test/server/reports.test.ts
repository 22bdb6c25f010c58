/**
 * Reports rendered by the job runner, through the HTTP API, on SQLite with the in-process runner and the
 * handler set of `mamori serve` (createHandlers): a viewer and an operator request HTML and PDF owner reports and
 * one scan's report, the runner renders and stores them, the bytes download with their type, name and digest;
 * the synchronous route still answers; another tenant's viewer gets 404 everywhere; a cookie request without
 * the CSRF token is refused; bad input names the field; `deliver` mails the report once (real SMTP server on
 * 127.0.0.1); a retried job writes once; old reports are pruned — the retention also on PostgreSQL (the
 * dialect matrix of ./helpers.ts).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NOTIFICATION_SETTINGS_KEY } from '../../src/fleet/notify/index.js';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { generateSecretKey } from '../../src/fleet/secrets.js';
import { openFleetStore, SqlFleetStore } from '../../src/fleet/store/index.js';
import type { FleetDb } from '../../src/fleet/store/schema.js';
import { SYSTEM_SCOPE, type ReportRecord, type Tenant } from '../../src/fleet/types.js';
import { createHandlers, renderReportHandler } from '../../src/worker/handlers/index.js';
import { InProcessRunner } from '../../src/worker/inprocess.js';
import type { JobContext } from '../../src/worker/jobs.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { buildFixture, dialects, hdr, login, PASSWORDS, type Fixture, type Session } from './helpers.js';

const noChromium = existsSync(process.env.MAMORI_CHROMIUM || '/usr/bin/chromium') ? false : 'needs /usr/bin/chromium (Debian package chromium) for PDF rendering';

const ctxOf = (jobId: string, attempt = 1): JobContext => ({
  jobId, kind: 'render-report', attempt, maxAttempts: 3, signal: new AbortController().signal, progress: () => undefined, log: () => undefined,
});

describe('reports rendered by the job runner (SQLite, in process, HTTP API)', () => {
  let fx: Fixture;
  let runner: InProcessRunner;
  let smtp: TestSmtpServer;
  let home: string;
  const s: Record<'admin' | 'operatorA' | 'viewerA' | 'viewerB', Session> = {} as never;

  before(async () => {
    smtp = await startSmtpServer();
    home = mkdtempSync(join(tmpdir(), 'mamori-reports-'));
    const sqlite = (await dialects()).find((d) => d.name === 'SQLite')!;
    const { store, cleanup } = await sqlite.open();
    runner = new InProcessRunner({
      store,
      handlers: createHandlers({ store, knowledgeDb: join(home, 'db.sqlite'), home, smtp: { url: smtp.url, from: 'mamori <mamori@localhost>' } }),
      pollMs: 100,
      retryBaseMs: 10,
      log: () => undefined,
    });
    fx = await buildFixture(store, cleanup, runner);
    await runner.start();
    s.admin = await login(fx, 'admin@example.jp', PASSWORDS.admin, fx.adminTotpSecret);
    s.operatorA = await login(fx, 'op-a@example.jp', PASSWORDS.operatorA);
    s.viewerA = await login(fx, 'viewer-a@example.jp', PASSWORDS.viewerA);
    s.viewerB = await login(fx, 'viewer-b@example.jp', PASSWORDS.viewerB);
  });

  after(async () => {
    await runner.stop({ graceful: false });
    await fx.close();
    await smtp.close();
    rmSync(home, { recursive: true, force: true });
  });

  const request = async (who: Session, tenantId: string, body: Record<string, unknown>) =>
    fx.req({ method: 'POST', url: `/api/tenants/${tenantId}/reports`, headers: hdr(who), payload: body });

  const waitDone = async (who: Session, id: string, timeoutMs = 90_000): Promise<ReportRecord> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const res = await fx.req({ method: 'GET', url: `/api/reports/${id}`, headers: hdr(who) });
      assert.equal(res.statusCode, 200, res.body);
      const r = res.json() as ReportRecord;
      if (r.status === 'done' || r.status === 'failed') return r;
      if (Date.now() > end) throw new Error(`report ${id} still ${r.status}`);
      await new Promise((ok) => setTimeout(ok, 100));
    }
  };

  it('a viewer requests the HTML owner report in English: queued (202), rendered, listed, downloaded in English with the tenant name', async () => {
    const res = await request(s.viewerA, fx.tenantA.id, { format: 'html', lang: 'en' });
    assert.equal(res.statusCode, 202, res.body);
    const queued = res.json() as ReportRecord;
    assert.equal(queued.status, 'queued');
    assert.equal(queued.tenantId, fx.tenantA.id);
    assert.equal(queued.requestedBy, fx.users.viewerA);
    const done = await waitDone(s.viewerA, queued.id);
    assert.equal(done.status, 'done', done.failureReason ?? '');
    assert.equal(done.format, 'html');

    const list = await fx.req({ method: 'GET', url: `/api/tenants/${fx.tenantA.id}/reports`, headers: hdr(s.viewerA) });
    assert.equal(list.statusCode, 200);
    const items = (list.json() as { items: (ReportRecord & { content?: unknown })[] }).items;
    assert.ok(items.some((r) => r.id === queued.id && r.status === 'done'));
    assert.ok(items.every((r) => !('content' in r)), 'no bytes in the list');

    const dl = await fx.req({ method: 'GET', url: `/api/reports/${queued.id}/download`, headers: hdr(s.viewerA) });
    assert.equal(dl.statusCode, 200);
    assert.match(String(dl.headers['content-type']), /^text\/html/);
    assert.match(String(dl.headers['content-disposition']), /^attachment; filename="mamori-.+\.html"$/);
    assert.ok(dl.body.includes('<html lang="en"'), 'English document');
    assert.ok(dl.body.includes('株式会社さくら商店'), 'the tenant name');
    assert.ok(dl.body.includes('Security report'), 'English text');
    assert.equal(Number(dl.headers['content-length']), done.size);
    assert.equal(createHash('sha256').update(dl.rawPayload).digest('hex'), done.sha256);

    const audit = await fx.store.listAudit(SYSTEM_SCOPE, { tenantId: fx.tenantA.id }, { page: 1, pageSize: 50 });
    const entry = audit.items.find((a) => a.action === 'report.request' && a.objectId === queued.id);
    assert.ok(entry, 'audited');
    assert.equal(entry.actorUserId, fx.users.viewerA);
    assert.equal(entry.detail.format, 'html');
  });

  it('an operator requests the PDF owner report in Japanese: a PDF download', { skip: noChromium }, async () => {
    const res = await request(s.operatorA, fx.tenantA.id, { format: 'pdf', lang: 'ja' });
    assert.equal(res.statusCode, 202, res.body);
    const id = (res.json() as ReportRecord).id;
    const done = await waitDone(s.operatorA, id);
    assert.equal(done.status, 'done', done.failureReason ?? '');
    const dl = await fx.req({ method: 'GET', url: `/api/reports/${id}/download`, headers: hdr(s.viewerA) });
    assert.equal(dl.statusCode, 200);
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.match(String(dl.headers['content-disposition']), /\.pdf"$/);
    assert.equal(dl.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal(dl.rawPayload.length, done.size);
  });

  it("one scan's report (scanId), in Japanese", async () => {
    const res = await request(s.viewerA, fx.tenantA.id, { format: 'html', lang: 'ja', scanId: fx.scanA });
    assert.equal(res.statusCode, 202, res.body);
    const r = await waitDone(s.viewerA, (res.json() as ReportRecord).id);
    assert.equal(r.status, 'done', r.failureReason ?? '');
    assert.equal(r.scanId, fx.scanA);
    const dl = await fx.req({ method: 'GET', url: `/api/reports/${r.id}/download`, headers: hdr(s.viewerA) });
    assert.ok(dl.body.includes('<html lang="ja"'));
    assert.match(String(dl.headers['content-disposition']), new RegExp(`${fx.scanA.slice(0, 8)}\\.html"$`));
    // another tenant's scan is not found
    const other = await request(s.operatorA, fx.tenantA.id, { format: 'html', lang: 'ja', scanId: fx.scanB });
    assert.equal(other.statusCode, 404);
  });

  it('the synchronous owner report route still answers', async () => {
    const res = await fx.req({ method: 'GET', url: `/api/tenants/${fx.tenantA.id}/report?format=html&lang=en`, headers: hdr(s.viewerA) });
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.includes('株式会社さくら商店'));
  });

  it("another tenant's viewer gets 404 on request, list, record and download", async () => {
    const mine = (await fx.store.listReports(SYSTEM_SCOPE, { tenantId: fx.tenantA.id }))[0]!;
    const r1 = await request(s.viewerB, fx.tenantA.id, { format: 'html', lang: 'ja' });
    assert.equal(r1.statusCode, 404);
    for (const url of [`/api/tenants/${fx.tenantA.id}/reports`, `/api/reports/${mine.id}`, `/api/reports/${mine.id}/download`]) {
      const res = await fx.req({ method: 'GET', url, headers: hdr(s.viewerB) });
      assert.equal(res.statusCode, 404, url);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'not_found');
    }
    const missing = await fx.req({ method: 'GET', url: '/api/reports/no-such-report/download', headers: hdr(s.admin) });
    assert.equal(missing.statusCode, 404);
    // B's own list is empty of A's reports
    const bList = await fx.req({ method: 'GET', url: `/api/tenants/${fx.tenantB.id}/reports`, headers: hdr(s.viewerB) });
    assert.equal(bList.statusCode, 200);
    assert.ok((bList.json() as { items: ReportRecord[] }).items.every((r) => r.tenantId === fx.tenantB.id));
  });

  it('without the CSRF token a cookie request is refused; bad input names the field; viewers may not have it emailed', async () => {
    const before = (await fx.store.listReports(SYSTEM_SCOPE, {})).length;
    const noCsrf = await fx.req({ method: 'POST', url: `/api/tenants/${fx.tenantA.id}/reports`, headers: { cookie: `mamori_session=${s.viewerA.cookie}` }, payload: { format: 'html', lang: 'ja' } });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal((noCsrf.json() as { error: { code: string } }).error.code, 'csrf');
    const bad = await request(s.operatorA, fx.tenantA.id, { format: 'docx', lang: 'ja' });
    assert.equal(bad.statusCode, 400);
    assert.match((bad.json() as { error: { message: string } }).error.message, /body\.format/);
    const badLang = await request(s.operatorA, fx.tenantA.id, { format: 'pdf', lang: 'fr' });
    assert.equal(badLang.statusCode, 400);
    assert.match((badLang.json() as { error: { message: string } }).error.message, /body\.lang/);
    const extra = await request(s.operatorA, fx.tenantA.id, { format: 'pdf', color: 'red' });
    assert.equal(extra.statusCode, 400);
    assert.match((extra.json() as { error: { message: string } }).error.message, /body\.color/);
    const viewerDeliver = await request(s.viewerA, fx.tenantA.id, { format: 'html', lang: 'ja', deliver: true });
    assert.equal(viewerDeliver.statusCode, 403);
    assert.match((viewerDeliver.json() as { error: { message: string } }).error.message, /body\.deliver/);
    assert.equal((await fx.store.listReports(SYSTEM_SCOPE, {})).length, before, 'nothing created');
    // not done yet → 409 naming the state, not the bytes
    const queued = (await fx.store.createReport(SYSTEM_SCOPE, { tenantId: fx.tenantB.id, format: 'html', lang: 'ja' }))!;
    const early = await fx.req({ method: 'GET', url: `/api/reports/${queued.id}/download`, headers: hdr(s.viewerB) });
    assert.equal(early.statusCode, 409);
    assert.equal((early.json() as { error: { code: string } }).error.code, 'report_not_ready');
    await fx.store.failReport(queued.id, 'test', true);
  });

  it('deliver: the report is emailed to the tenant\'s recipients once, with the file attached', async () => {
    await fx.store.setSetting(fx.tenantA.id, NOTIFICATION_SETTINGS_KEY, { lang: 'en', email: { recipients: ['owner@example.test'] }, webhooks: [] });
    const res = await request(s.operatorA, fx.tenantA.id, { format: 'html', lang: 'en', deliver: true });
    assert.equal(res.statusCode, 202, res.body);
    const id = (res.json() as ReportRecord).id;
    const [mail] = await smtp.waitFor(1);
    const r = await waitDone(s.operatorA, id);
    assert.equal(r.status, 'done');
    assert.deepEqual(mail!.to, ['owner@example.test']);
    assert.match(mail!.subject, /株式会社さくら商店/);
    // dated the day it was prepared, not presented as a monthly report
    assert.match(mail!.subject, /security report of \d{4}-\d{2}-\d{2}$/);
    assert.match(mail!.text, /prepared on \d{4}-\d{2}-\d{2}/);
    assert.equal(mail!.attachments.length, 1);
    assert.match(mail!.attachments[0]!.filename ?? '', /\.html$/);
    assert.ok(mail!.attachments[0]!.content.toString('utf8').includes('株式会社さくら商店'));
    for (let i = 0; i < 50 && !(await fx.store.getReport(SYSTEM_SCOPE, id))?.deliveredAt; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.ok((await fx.store.getReport(SYSTEM_SCOPE, id))?.deliveredAt, 'delivery recorded');
    // the job again (a retry): neither rendered nor sent again
    await renderReportHandler({ store: fx.store, smtp: { url: smtp.url, from: 'x <x@localhost>' } })({ tenantId: fx.tenantA.id, reportId: id, format: 'html', lang: 'en', deliver: true }, ctxOf('again', 2));
    await new Promise((ok) => setTimeout(ok, 300));
    assert.equal(smtp.messages.length, 1);
  });

  it('idempotent by report id: a retried job writes once; the table is kept bounded per tenant', async () => {
    const store = fx.store;
    const handler = renderReportHandler({ store, keep: { count: 3, days: 90 } });
    const payload = { tenantId: fx.tenantB.id, format: 'html' as const, lang: 'ja' as const };
    // no reportId: the job id names the report; a retried attempt of the same job finds it done
    await handler(payload, ctxOf('job-1'));
    const first = (await store.getReport(SYSTEM_SCOPE, 'job-1'))!;
    assert.equal(first.status, 'done');
    const at = first.finishedAt;
    await handler(payload, ctxOf('job-1', 2));
    const again = (await store.getReport(SYSTEM_SCOPE, 'job-1'))!;
    assert.equal(again.finishedAt, at, 'not written again');
    assert.equal(again.attempts, 1);
    assert.equal(await store.finishReport('job-1', { filename: 'x.html', content: new Uint8Array([1]), sha256: 'x' }), false);
    // a record left running by a killed attempt is finished by the retry
    const left = (await store.createReport(SYSTEM_SCOPE, { tenantId: fx.tenantB.id, format: 'html', lang: 'en' }))!;
    await store.startReport(left.id);
    await handler({ ...payload, lang: 'en', reportId: left.id }, ctxOf('job-2', 2));
    const fin = (await store.getReport(SYSTEM_SCOPE, left.id))!;
    assert.equal(fin.status, 'done');
    assert.equal(fin.attempts, 2);
    // bounded: more jobs, and the tenant keeps its 3 newest finished reports
    for (let i = 3; i <= 6; i++) await handler(payload, ctxOf(`job-${i}`));
    const kept = await store.listReports(SYSTEM_SCOPE, { tenantId: fx.tenantB.id });
    assert.equal(kept.length, 3);
    assert.deepEqual(kept.map((r) => r.id), ['job-6', 'job-5', 'job-4']);
    // tenant A untouched
    assert.ok((await store.listReports(SYSTEM_SCOPE, { tenantId: fx.tenantA.id })).length >= 4);
  });
});

describe('a tenant has at most 3 reports waiting: a fourth request answers 429 until one is done', () => {
  let fx: Fixture;
  let runner: InProcessRunner;
  let home: string;
  const s: Record<'viewerA' | 'operatorA' | 'viewerB', Session> = {} as never;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'mamori-reports-limit-'));
    const sqlite = (await dialects()).find((d) => d.name === 'SQLite')!;
    const { store, cleanup } = await sqlite.open();
    // not started: what is queued stays queued, like a cluster whose workers are all busy
    runner = new InProcessRunner({ store, handlers: createHandlers({ store, knowledgeDb: join(home, 'db.sqlite'), home }), pollMs: 100, log: () => undefined });
    fx = await buildFixture(store, cleanup, runner);
    s.viewerA = await login(fx, 'viewer-a@example.jp', PASSWORDS.viewerA);
    s.operatorA = await login(fx, 'op-a@example.jp', PASSWORDS.operatorA);
    s.viewerB = await login(fx, 'viewer-b@example.jp', PASSWORDS.viewerB);
  });

  after(async () => {
    await fx.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('three queued, the fourth refused with the reason; another tenant is not held back; a finished one frees a place', async () => {
    const post = (who: Session, tenantId: string) => fx.req({ method: 'POST', url: `/api/tenants/${tenantId}/reports`, headers: hdr(who), payload: { format: 'pdf', lang: 'ja' } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(s.viewerA, fx.tenantA.id);
      assert.equal(res.statusCode, 202, res.body);
      ids.push((res.json() as ReportRecord).id);
    }
    const fourth = await post(s.viewerA, fx.tenantA.id);
    assert.equal(fourth.statusCode, 429, fourth.body);
    assert.match(fourth.body, /3 reports of this tenant are being prepared; request another when one of them is done/);
    const listed = await fx.store.listReports(SYSTEM_SCOPE, { tenantId: fx.tenantA.id });
    assert.equal(listed.length, 3, 'the refused request left no record');
    // the limit is per tenant: tenant B's viewer is not held back by tenant A's queue
    const other = await post(s.viewerB, fx.tenantB.id);
    assert.equal(other.statusCode, 202, other.body);
    // one done: a place is free again
    await fx.store.startReport(ids[0]!);
    await fx.store.finishReport(ids[0]!, { filename: 'r.pdf', content: new Uint8Array([0x25, 0x50, 0x44, 0x46]), sha256: 'x' });
    const again = await post(s.operatorA, fx.tenantA.id);
    assert.equal(again.statusCode, 202, again.body);
  });
});

for (const d of await dialects()) {
  describe(`report retention on ${d.name}: the render-report job keeps each tenant's newest finished reports`, () => {
    let store: SqlFleetStore;
    let cleanup: () => Promise<void>;
    let a: Tenant;
    let b: Tenant;
    const done = (r: ReportRecord) => r.status === 'done' || r.status === 'failed';

    before(async () => {
      if (d.skip) return;
      const opened = await d.open();
      store = opened.store as SqlFleetStore;
      cleanup = opened.cleanup;
      a = await store.createTenant(SYSTEM_SCOPE, '株式会社さくら商店');
      b = await store.createTenant(SYSTEM_SCOPE, '有限会社みなと');
    });
    after(async () => {
      await cleanup?.();
    });

    it('beyond the kept number the oldest finished reports are deleted, bytes and all; a queued or running report and other tenants are left', { skip: d.skip ?? false }, async () => {
      const handler = renderReportHandler({ store, keep: { count: 3, days: 90 } });
      for (let i = 1; i <= 2; i++) await handler({ tenantId: b.id, format: 'html', lang: 'en' }, ctxOf(`b-${i}`));
      // a report another worker is rendering, and one waiting: neither is finished, neither is pruned
      const running = (await store.createReport(SYSTEM_SCOPE, { tenantId: a.id, format: 'pdf', lang: 'ja' }))!;
      assert.equal(await store.startReport(running.id), true);
      const queued = (await store.createReport(SYSTEM_SCOPE, { tenantId: a.id, format: 'html', lang: 'en' }))!;
      for (let i = 1; i <= 6; i++) await handler({ tenantId: a.id, format: 'html', lang: 'ja' }, ctxOf(`a-${i}`));
      const kept = await store.listReports(SYSTEM_SCOPE, { tenantId: a.id });
      assert.deepEqual(kept.filter(done).map((r) => r.id), ['a-6', 'a-5', 'a-4']);
      assert.deepEqual(kept.filter((r) => !done(r)).map((r) => [r.id, r.status]).sort(), [[running.id, 'running'], [queued.id, 'queued']].sort());
      assert.deepEqual((await store.listReports(SYSTEM_SCOPE, { tenantId: b.id })).map((r) => r.id), ['b-2', 'b-1'], 'the other tenant keeps its reports');
      // deleted rows, not hidden ones: the table holds 5 rows of tenant A (3 done, 1 running, 1 queued) and no bytes of a-1..a-3
      const rows = await store.db.selectFrom('reports').select(['id']).where('tenant_id', '=', a.id).execute();
      assert.equal(rows.length, 5);
      for (const id of ['a-1', 'a-2', 'a-3']) assert.equal(await store.getReportContent(SYSTEM_SCOPE, id), undefined);
      assert.ok((await store.getReportContent(SYSTEM_SCOPE, 'a-6'))?.content.byteLength);
    });

    it('a finished report older than the age limit is deleted even within the kept number; the count says how many', { skip: d.skip ?? false }, async () => {
      const old = new Date(Date.now() - 100 * 86_400_000).toISOString();
      await store.db.updateTable('reports').set({ created_at: old }).where('id', 'in', ['a-4', 'a-5']).execute();
      // the running and queued ones are as old: still left
      await store.db.updateTable('reports').set({ created_at: old }).where('tenant_id', '=', a.id).where('status', 'in', ['running', 'queued']).execute();
      assert.equal(await store.pruneReports(a.id, { keep: 3, before: new Date(Date.now() - 90 * 86_400_000) }), 2);
      const left = await store.listReports(SYSTEM_SCOPE, { tenantId: a.id });
      assert.deepEqual(left.filter(done).map((r) => r.id), ['a-6']);
      assert.equal(left.filter((r) => !done(r)).length, 2);
      // nothing more to delete: 0, and tenant B untouched
      assert.equal(await store.pruneReports(a.id, { keep: 3, before: new Date(Date.now() - 90 * 86_400_000) }), 0);
      assert.equal((await store.listReports(SYSTEM_SCOPE, { tenantId: b.id })).length, 2);
    });
  });
}

const pgDown = await postgresUnavailable();
describe('report retention on PostgreSQL with two workers: a report finished while another worker prunes is kept', () => {
  it('pruning decides what to keep and deletes in one statement: the newest report, finished between the two, is not deleted', { skip: pgDown ?? false }, async () => {
    const db = await createTestDatabase('mamori_pgops_reports_race');
    const secretKey = generateSecretKey();
    // worker B: a plain store; worker A: the same database through a pool whose DELETE on reports waits at a
    // gate (the real PostgreSQL, held back), so B can finish a report while A is in the middle of its pruning
    const b = await openFleetStore({ url: db.url, home: '/nonexistent-home-not-used', secretKey, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    let reached: () => void = () => undefined;
    const atGate = new Promise<void>((r) => (reached = r));
    const wrapped = new WeakSet<object>();
    const gated = {
      connect: async () => {
        const c = await pool.connect();
        if (!wrapped.has(c)) {
          wrapped.add(c);
          const query = c.query.bind(c) as (...args: unknown[]) => Promise<unknown>;
          (c as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
            if (typeof args[0] === 'string' && /^delete from "reports"/i.test(args[0])) {
              reached();
              await gate;
            }
            return query(...args);
          };
        }
        return c;
      },
      end: () => pool.end(),
    };
    const a = new SqlFleetStore({ dialect: 'postgres', db: new Kysely<FleetDb>({ dialect: new PostgresDialect({ pool: gated as unknown as pg.Pool }) }), secretKey: () => secretKey });
    try {
      await b.migrate();
      const t = await b.createTenant(SYSTEM_SCOPE, '株式会社さくら商店');
      const finish = async (id: string) => assert.equal(await b.finishReport(id, { filename: `${id}.html`, content: new Uint8Array([60, 104, 62]), sha256: id }), true);
      const ids: string[] = [];
      for (let i = 1; i <= 3; i++) {
        const r = (await b.createReport(SYSTEM_SCOPE, { id: `r-${i}`, tenantId: t.id, format: 'html', lang: 'ja' }))!;
        await b.startReport(r.id);
        ids.push(r.id);
        await new Promise((ok) => setTimeout(ok, 5)); // distinct created_at
      }
      await finish('r-1');
      await finish('r-2');
      // A prunes (keep 2) while r-3 is still rendering on B ...
      const pruning = a.pruneReports(t.id, { keep: 2, before: new Date(0) });
      await atGate;
      // ... B finishes r-3, the newest, before A's DELETE runs
      await finish('r-3');
      open();
      await pruning;
      const left = (await b.listReports(SYSTEM_SCOPE, { tenantId: t.id })).map((r) => r.id);
      assert.deepEqual(left, ['r-3', 'r-2'], `the newest two finished reports are kept (r-3 finished while A pruned): ${left.join(', ')}`);
    } finally {
      open();
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
