/**
 * The Jobs page's API on PostgreSQL with pg-boss: a real `mamori worker` takes scans of hosts that have no SSH
 * key (no retry can fix that: straight to the dead-letter queue `mamori-dead`), one in tenant A and more than the
 * limit in tenant B, B's the newest. `GET /api/jobs/dead-letters` filters pg-boss's dead letters by tenant in its
 * SQL and then limits, so A's operator gets A's; `GET /api/jobs/summary` counts the failed scans per tenant in
 * scope and gives the pg-boss queue depth to admins only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYSTEM_SCOPE, type Target } from '../../src/fleet/types.js';
import { serverOps } from '../../src/worker/ops.js';
import { requestScan } from '../../src/worker/request.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { bearer, buildFixture, hdr, login, PASSWORDS } from '../server/helpers.js';
import { startFleet, waitFor } from './cluster-helpers.js';
import type { NamedDeadLetter } from '../../src/server/routes/jobs-ops.js';

const missing = await postgresUnavailable();

test('pg-boss dead letters on the Jobs page API: scoped in the query, then limited; queue depth for admins only', { skip: missing ?? false, timeout: 180_000 }, async () => {
  const f = await startFleet({ prefix: 'mamori_deadapi' });
  try {
    const ops = serverOps({ store: f.store, runner: f.runner, pgboss: f.runner, knowledgeDb: `${f.dir}/db.sqlite`, home: f.dir });
    const fx = await buildFixture(f.store, async () => undefined, f.runner, { ops });
    try {
      const noKey = async (tenantId: string, name: string): Promise<Target> => (await f.store.upsertTarget(SYSTEM_SCOPE, { tenantId, name, kind: 'host', address: '127.0.0.1:1', sshUser: 'root' }))!.target;
      await f.startWorker(['--concurrency', '1']);
      const deadCount = (n: number) => waitFor(async () => ((await f.runner.engine.deadLetters(100)).length >= n ? true : undefined), `${n} dead letters`, 120_000);
      const a = await noKey(fx.tenantA.id, 'a-nokey');
      const aScan = (await requestScan(f.store, f.runner, SYSTEM_SCOPE, a.id, 'manual'))!.scan;
      await deadCount(1);
      for (let i = 1; i <= 3; i++) {
        const t = await noKey(fx.tenantB.id, `b-nokey-${i}`);
        await requestScan(f.store, f.runner, SYSTEM_SCOPE, t.id, 'manual');
        await deadCount(1 + i); // one at a time: B's are newer than A's
      }
      // the dead-letter handler marks the scans failed for good
      await waitFor(async () => ((await f.store.listScans(SYSTEM_SCOPE, { status: 'failed' }, { page: 1, pageSize: 1 })).total === 4 ? true : undefined), 'the four scans failed');

      const operatorA = await login(fx, 'op-a@example.jp', PASSWORDS.operatorA);
      const viewerA = await login(fx, 'viewer-a@example.jp', PASSWORDS.viewerA);
      const op = await fx.req({ method: 'GET', url: '/api/jobs/dead-letters?limit=2', headers: hdr(operatorA) });
      assert.equal(op.statusCode, 200, op.body);
      const mine = (op.json() as { items: NamedDeadLetter[] }).items;
      assert.equal(mine.length, 1, `A's dead letter though B has three newer ones: ${op.body}`);
      assert.equal(mine[0]!.scanId, aScan.id);
      assert.equal(mine[0]!.queue, 'scan-host');
      assert.equal(mine[0]!.targetName, 'a-nokey');
      assert.equal(mine[0]!.tenantName, '株式会社さくら商店');
      assert.equal(mine[0]!.rescan, true);
      assert.match(mine[0]!.reason, /key/i);

      const all = (await fx.req({ method: 'GET', url: '/api/jobs/dead-letters?limit=2', headers: bearer(fx.tokens.admin) })).json() as { items: NamedDeadLetter[] };
      assert.equal(all.items.length, 2);
      assert.ok(all.items.every((x) => x.tenantId === fx.tenantB.id && x.targetName?.startsWith('b-nokey-')), JSON.stringify(all.items));
      assert.equal(((await fx.req({ method: 'GET', url: '/api/jobs/dead-letters', headers: bearer(fx.tokens.admin) })).json() as { items: NamedDeadLetter[] }).items.length, 4);

      const sOp = (await fx.req({ method: 'GET', url: '/api/jobs/summary', headers: hdr(operatorA) })).json() as { runner: string; scans: { failed: number }; tenants: { tenantId: string }[]; queues: unknown };
      assert.equal(sOp.runner, 'pg-boss');
      assert.equal(sOp.scans.failed, 1);
      assert.deepEqual(sOp.tenants.map((x) => x.tenantId), [fx.tenantA.id]);
      assert.equal(sOp.queues, null, 'the cluster-wide queue depth is for admins');
      const sAd = (await fx.req({ method: 'GET', url: '/api/jobs/summary', headers: bearer(fx.tokens.admin) })).json() as { scans: { failed: number }; queues: { queue: string; state: string; count: number }[] };
      assert.equal(sAd.scans.failed, 4);
      assert.ok(Array.isArray(sAd.queues), 'pg-boss depth for admins');

      for (const url of ['/api/jobs/dead-letters', '/api/jobs/summary']) {
        assert.equal((await fx.req({ method: 'GET', url, headers: hdr(viewerA) })).statusCode, 403, url);
        assert.equal((await fx.req({ method: 'GET', url, headers: bearer(fx.tokens.viewerA) })).statusCode, 403, url);
      }
    } finally {
      await fx.close();
    }
  } finally {
    await f.close();
  }
});
