/**
 * No listener piles up per job on the PostgreSQL runner: every job event (queued, running, progress) is relayed
 * through the events pool, which once got one more `error` listener per event (MaxListenersExceededWarning after
 * a few jobs, on the server that enqueues and on every worker). Checked in process (the listener counts of the
 * runner's pools and of the process stay flat from job 10 to job 40) and on a `mamori worker` of the built CLI run
 * with --trace-warnings (no warning on its stderr after 15 jobs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import { openFleetStore } from '../../src/fleet/store/index.js';
import { SYSTEM_SCOPE } from '../../src/fleet/types.js';
import { silentLogger } from '../../src/worker/log.js';
import { PgBossJobRunner } from '../../src/worker/pgboss-runner.js';
import { createTestDatabase, postgresUnavailable as pgMissing } from '../helpers/postgres.js';
import { startFleet, waitFor } from './cluster-helpers.js';

const missing = await pgMissing();

/** Listener counts of every event an emitter has listeners for. */
const counts = (e: EventEmitter | undefined): Record<string, number> => Object.fromEntries((e?.eventNames() ?? []).map((n) => [String(n), e!.listenerCount(n)]));

test('the PostgreSQL runner adds no listener per job: pools and process counts stay flat from 10 to 40 jobs, no MaxListenersExceededWarning', { skip: missing ?? false, timeout: 180_000 }, async () => {
  const db = await createTestDatabase('mamori_pgops_listeners');
  const home = mkdtempSync(join(tmpdir(), 'mamori-listeners-'));
  const store = await openFleetStore({ url: db.url, home, env: {} });
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  let runner: PgBossJobRunner | undefined;
  try {
    await store.migrate();
    const tenant = await store.createTenant(SYSTEM_SCOPE, '株式会社テスト');
    let done = 0;
    runner = new PgBossJobRunner({
      connectionString: db.url,
      store,
      log: silentLogger,
      scheduleCron: null,
      pollingIntervalMs: 50,
      observe: true,
      handlers: {
        notify: async (_payload, ctx) => {
          ctx.progress({ code: 'job.progress.test', params: { n: done } });
          done++;
        },
      },
    });
    await runner.start();
    const r = runner;
    const batch = async (n: number) => {
      const want = done + n;
      for (let i = 0; i < n; i++) await r.enqueue({ kind: 'notify', payload: { tenantId: tenant.id, event: 'weekly-digest' } });
      await waitFor(async () => done >= want, `${want} jobs done`, 120_000, 50);
    };
    const internals = r as unknown as { notifyPool?: EventEmitter; listenClient?: EventEmitter; engine: { boss: EventEmitter; pool: EventEmitter } };
    const snapshot = () => ({
      eventsPool: counts(internals.notifyPool),
      listenClient: counts(internals.listenClient),
      lockPool: counts(internals.engine.pool),
      boss: counts(internals.engine.boss),
      process: counts(process),
    });
    await batch(10);
    const first = snapshot();
    await batch(30);
    const later = snapshot();
    assert.ok(internals.notifyPool, 'the events pool exists (events were relayed)');
    assert.equal(later.eventsPool.error, 1, `one error listener on the events pool after 40 jobs (120 events), not one per event: ${JSON.stringify(later.eventsPool)}`);
    assert.deepEqual(later, first, 'no listener added between job 10 and job 40');
    const leaks = warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
    assert.deepEqual(leaks.map((w) => w.message), [], 'no MaxListenersExceededWarning');
  } finally {
    process.off('warning', onWarning);
    await runner?.stop({ graceful: false }).catch(() => undefined);
    await store.close().catch(() => undefined);
    await db.drop();
    rmSync(home, { recursive: true, force: true });
  }
});

test('a `mamori worker` run with --trace-warnings prints no MaxListenersExceededWarning after 15 jobs', { skip: missing ?? false, timeout: 180_000 }, async () => {
  const f = await startFleet({ prefix: 'mamori_pgops_listeners_cli' });
  try {
    const w = await f.startWorker([], { NODE_OPTIONS: '--trace-warnings' });
    for (let i = 0; i < 15; i++) await f.runner.enqueue({ kind: 'notify', payload: { tenantId: f.tenant.id, event: 'weekly-digest' } });
    await waitFor(async () => w.logs.filter((l) => l.msg === 'notifications delivered').length >= 15, 'the worker delivered 15 notify jobs', 120_000);
    // the worker's events after the last job (its 'job completed' line) are sent before this poll sees them
    await waitFor(async () => w.logs.filter((l) => l.msg === 'job completed').length >= 15, 'the worker completed 15 jobs', 60_000);
    const texts = w.logs.filter((l) => typeof l.text === 'string').map((l) => l.text as string);
    assert.ok(!texts.some((t) => /MaxListenersExceededWarning/.test(t)), `no listener leak warning on the worker's stderr:\n${texts.join('\n')}`);
  } finally {
    await f.close();
  }
});
