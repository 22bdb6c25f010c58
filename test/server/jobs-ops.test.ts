/**
 * The Jobs page's API on the embedded runner (the in-process runner of `mamori serve`, on SQLite and on a
 * throw-away PostgreSQL database): scans that really fail — a site on a closed loopback port (its attempts used
 * up, with backoff) in tenant A, hosts without an SSH key (no retry can fix it) in tenant B — and then
 * `GET /api/jobs/dead-letters` and `GET /api/jobs/summary` as an operator of A, a viewer and an admin. The dead
 * letters are scoped where they are read, then limited: more of them in B than the limit, all newer than A's,
 * and the operator of A still gets A's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_SCOPE, type ScanRecord, type Target } from '../../src/fleet/types.js';
import { createHandlers } from '../../src/worker/handlers/index.js';
import { InProcessRunner } from '../../src/worker/inprocess.js';
import type { JobRunner } from '../../src/worker/jobs.js';
import { serverOps } from '../../src/worker/ops.js';
import { harness, knowledgeDb, until, type Harness } from '../worker/helpers.js';
import { SSH_KEY_MARKER, bearer, buildFixture, dialects, hdr, login, PASSWORDS, type Fixture, type Session } from './helpers.js';
import type { NamedDeadLetter } from '../../src/server/routes/jobs-ops.js';

interface Summary {
  runner: string | null;
  scans: { queued: number; running: number; failed: number };
  tenants: { tenantId: string; tenantName: string; queued: number; running: number; failed: number }[];
  queues: { queue: string; state: string; count: number }[] | null;
}

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const B_FAILURES = 4;
const LIMIT = 3;

for (const d of await dialects()) {
  describe(`Jobs page API on the in-process runner (${d.name})`, { skip: d.skip, timeout: 180_000 }, () => {
    let fx: Fixture;
    let h: Harness;
    /** The server's runner: the harness's while the scans fail, then one that is not started (scans stay queued). */
    let current: JobRunner;
    let home: string;
    let operatorA: Session;
    let viewerA: Session;
    let admin: Session;
    let aSite: Target;
    const bHosts: Target[] = [];

    const scanOf = async (id: string) => (await fx.store.getScan(SYSTEM_SCOPE, id))!;
    const failedFor = (id: string) => until(async () => (await scanOf(id)).status === 'failed', 90_000, `scan ${id} to fail for good`);

    before(async () => {
      const { store, cleanup } = await d.open();
      home = mkdtempSync(join(tmpdir(), 'mamori-jobs-api-'));
      h = await harness({ store, home, tenant: undefined as never, close: async () => undefined }, { maxAttempts: 3 });
      current = h.runner;
      const runner: Pick<JobRunner, 'enqueue' | 'list' | 'subscribe'> = { enqueue: (j, o) => current.enqueue(j, o), list: (f) => current.list(f), subscribe: (l) => current.subscribe(l) };
      const ops = serverOps({ store, runner, knowledgeDb: await knowledgeDb(), home });
      fx = await buildFixture(store, cleanup, runner, { ops });
      operatorA = await login(fx, 'op-a@example.jp', PASSWORDS.operatorA);
      viewerA = await login(fx, 'viewer-a@example.jp', PASSWORDS.viewerA);
      admin = await login(fx, 'admin@example.jp', PASSWORDS.admin, fx.adminTotpSecret);
      aSite = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId: fx.tenantA.id, name: 'closed-shop <b>A</b>', kind: 'site', address: `http://127.0.0.1:${await closedPort()}/` }))!.target;
      for (let i = 1; i <= B_FAILURES; i++) bHosts.push((await store.upsertTarget(SYSTEM_SCOPE, { tenantId: fx.tenantB.id, name: `b-nokey-${i}`, kind: 'host', address: '127.0.0.1:1', sshUser: 'root' }))!.target);
      await h.runner.start();
      // A's scan first, asked by its operator through the API: three attempts with backoff, then failed for good
      const res = await fx.req({ method: 'POST', url: `/api/targets/${aSite.id}/scans`, headers: hdr(operatorA) });
      assert.equal(res.statusCode, 202, res.body);
      const aScan = (res.json() as { scan: ScanRecord }).scan;
      await failedFor(aScan.id);
      // then B's, newer than A's: more of them than the limit
      for (const t of bHosts) {
        const r = await fx.req({ method: 'POST', url: `/api/targets/${t.id}/scans`, headers: bearer(fx.tokens.admin) });
        assert.equal(r.statusCode, 202, r.body);
        await failedFor((r.json() as { scan: ScanRecord }).scan.id);
      }
      // from here on the runner takes nothing: what is asked stays queued, as behind a busy runner
      await h.runner.stop();
      current = new InProcessRunner({ store, handlers: createHandlers(h.deps), log: () => undefined });
    });
    after(async () => {
      await h?.runner.stop();
      await fx?.close();
      if (home) rmSync(home, { recursive: true, force: true });
    });

    it("an operator sees their tenants' dead letters only, up to the limit counted after scoping, with names and the reason", async () => {
      const res = await fx.req({ method: 'GET', url: `/api/jobs/dead-letters?limit=${LIMIT}`, headers: hdr(operatorA) });
      assert.equal(res.statusCode, 200, res.body);
      const items = (res.json() as { items: NamedDeadLetter[] }).items;
      assert.equal(items.length, 1, `A's one dead letter, though B has ${B_FAILURES} newer ones: ${res.body}`);
      const a = items[0]!;
      assert.equal(a.tenantId, fx.tenantA.id);
      assert.equal(a.tenantName, '株式会社さくら商店');
      assert.equal(a.targetId, aSite.id);
      assert.equal(a.targetName, 'closed-shop <b>A</b>', 'the name as data');
      assert.equal(a.queue, 'scan');
      assert.equal(a.rescan, true);
      assert.match(a.reason, /ECONNREFUSED|refused/i);
      assert.ok(!Number.isNaN(Date.parse(a.at)));
      const scan = await scanOf(a.scanId!);
      assert.equal(scan.attempts, 3, 'the attempts were used up (retries with backoff)');
    });

    it('an admin sees every tenant, newest first, and the limit holds', async () => {
      const limited = (await fx.req({ method: 'GET', url: `/api/jobs/dead-letters?limit=${LIMIT}`, headers: hdr(admin) })).json() as { items: NamedDeadLetter[] };
      assert.equal(limited.items.length, LIMIT);
      assert.ok(limited.items.every((x) => x.tenantId === fx.tenantB.id && x.tenantName === 'Other Hosting Co.'), 'the newest: B');
      assert.ok(limited.items.every((x) => /key/i.test(x.reason) && x.targetName?.startsWith('b-nokey-')));
      const all = (await fx.req({ method: 'GET', url: '/api/jobs/dead-letters', headers: bearer(fx.tokens.admin) })).json() as { items: NamedDeadLetter[] };
      assert.equal(all.items.length, B_FAILURES + 1);
      assert.deepEqual(all.items.map((x) => x.at), all.items.map((x) => x.at).sort().reverse(), 'newest first');
    });

    it('the summary counts scans queued, running and failed in the scope; the job queue for admins only', async () => {
      const op = (await fx.req({ method: 'GET', url: '/api/jobs/summary', headers: hdr(operatorA) })).json() as Summary;
      assert.equal(op.runner, 'in-process');
      assert.equal(op.scans.failed, 1);
      assert.deepEqual(op.tenants.map((x) => x.tenantName), ['株式会社さくら商店']);
      assert.equal(op.tenants[0]!.failed, 1);
      assert.equal(op.queues, null, 'no global queue for an operator');
      const ad = (await fx.req({ method: 'GET', url: '/api/jobs/summary', headers: hdr(admin) })).json() as Summary;
      assert.equal(ad.scans.failed, B_FAILURES + 1);
      assert.deepEqual(ad.tenants.map((x) => [x.tenantName, x.failed]).sort(), [['Other Hosting Co.', B_FAILURES], ['株式会社さくら商店', 1]]);
      assert.ok(Array.isArray(ad.queues));
      // a queued scan shows in its tenant's counts (and only there)
      const q = (await fx.req({ method: 'POST', url: `/api/targets/${fx.targetB.id}/scans`, headers: bearer(fx.tokens.admin) })).json() as { scan: ScanRecord };
      assert.equal(q.scan.status, 'queued');
      const ad2 = (await fx.req({ method: 'GET', url: '/api/jobs/summary', headers: hdr(admin) })).json() as Summary;
      assert.equal(ad2.scans.queued, 1);
      assert.equal(ad2.tenants.find((x) => x.tenantId === fx.tenantB.id)!.queued, 1);
      const op2 = (await fx.req({ method: 'GET', url: '/api/jobs/summary', headers: hdr(operatorA) })).json() as Summary;
      assert.equal(op2.scans.queued, 0, "B's queued scan is not counted for A's operator");
    });

    it('viewers are refused (403), by session and by token; bad input is a 400 naming the field', async () => {
      for (const url of ['/api/jobs/dead-letters', '/api/jobs/summary']) {
        for (const headers of [hdr(viewerA), bearer(fx.tokens.viewerA)]) {
          const res = await fx.req({ method: 'GET', url, headers });
          assert.equal(res.statusCode, 403, `${url}: ${res.body}`);
        }
        assert.equal((await fx.req({ method: 'GET', url })).statusCode, 401);
      }
      for (const [q, field] of [['limit=0', 'querystring.limit'], ['limit=501', 'querystring.limit'], ['limit=x', 'querystring.limit'], ['tenant=1', 'querystring.tenant']] as const) {
        const res = await fx.req({ method: 'GET', url: `/api/jobs/dead-letters?${q}`, headers: hdr(admin) });
        assert.equal(res.statusCode, 400, q);
        assert.match((res.json() as { error: { message: string } }).error.message, new RegExp(field.replace('.', '\\.')), q);
      }
    });

    it('"Scan again" is the existing scan request: an operator re-queues their dead letter, not B\'s', async () => {
      const items = ((await fx.req({ method: 'GET', url: '/api/jobs/dead-letters', headers: hdr(operatorA) })).json() as { items: NamedDeadLetter[] }).items;
      const res = await fx.req({ method: 'POST', url: `/api/targets/${items[0]!.targetId}/scans`, headers: hdr(operatorA) });
      assert.equal(res.statusCode, 202, res.body);
      assert.equal((res.json() as { scan: ScanRecord }).scan.status, 'queued');
      const noCsrf = await fx.req({ method: 'POST', url: `/api/targets/${items[0]!.targetId}/scans`, headers: { cookie: hdr(operatorA).cookie! } });
      assert.equal(noCsrf.statusCode, 403, 'the CSRF header is required');
      assert.equal((await fx.req({ method: 'POST', url: `/api/targets/${bHosts[0]!.id}/scans`, headers: hdr(operatorA) })).statusCode, 404);
      const op = (await fx.req({ method: 'GET', url: '/api/jobs/summary', headers: hdr(operatorA) })).json() as Summary;
      assert.equal(op.scans.queued, 1);
      // nothing secret in any answer
      assert.ok(fx.answers.every((a) => !a.includes(SSH_KEY_MARKER)));
    });

    it('both routes are in the OpenAPI document with their roles', async () => {
      const doc = (await fx.req({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, { get?: { 'x-roles'?: string[]; responses: Record<string, unknown> } }> };
      for (const p of ['/api/jobs/dead-letters', '/api/jobs/summary']) {
        assert.deepEqual(doc.paths[p]?.get?.['x-roles'], ['admin', 'operator'], p);
        assert.ok(doc.paths[p]!.get!.responses['200'], p);
      }
    });
  });
}
