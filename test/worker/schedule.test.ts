/**
 * Schedules against a real store: each due minute fires once per target (again and overlapping evaluations do
 * not fire twice), tag schedules, bad expressions reported without stopping the others, maintenance windows
 * held by the in-process runner across its restarts, and the scheduler's own persisted evaluation time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SYSTEM_SCOPE } from '../../src/fleet/types.js';
import type { JobRunner } from '../../src/worker/jobs.js';
import { evaluateSchedules, jitterMs, setTagSchedules, startScheduler } from '../../src/worker/schedule.js';
import { harness, openFleet, pgMissing, startSite, until, type Dialect, type Fleet, type Site } from './helpers.js';

const pgSkip = await pgMissing;
const at = (s: string) => new Date(`${s}Z`);
let site: Site;
before(async () => (site = await startSite()));
after(async () => site?.close());

/** A runner that only records what it is given (the scan records themselves are in the store). */
function recorder(): Pick<JobRunner, 'enqueue'> & { jobs: { kind: string; startAfter?: Date }[] } {
  const jobs: { kind: string; startAfter?: Date }[] = [];
  return { jobs, enqueue: async (job, opts) => (jobs.push({ kind: job.kind, ...(opts?.startAfter ? { startAfter: opts.startAfter } : {}) }), 'job') };
}

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`schedules on ${dialect}`, () => {
    const skip = dialect === 'postgres' ? pgSkip : undefined;
    let fleet: Fleet;
    before(async () => {
      if (!skip) fleet = await openFleet(dialect);
    });
    after(async () => fleet?.close());

    test('each due minute fires once per target; tag schedules; windows; bad expressions reported', { skip }, async () => {
      const up = async (name: string, extra: object) => (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name, kind: 'site', address: site.url, ...extra }))!.target;
      const every5 = await up('every5', { schedule: '*/5 * * * *' });
      const tagged = await up('tagged', { tags: ['nightly'] });
      const windowed = await up('windowed', { schedule: '0 3 * * *', maintenanceWindow: 'Sun 02:00-05:00' });
      const none = await up('on-demand', {});
      const bad = await up('bad', { schedule: '0 25 * * *' });
      await setTagSchedules(fleet.store, fleet.tenant.id, [{ tag: 'nightly', cron: '0 3 * * *' }]);
      await assert.rejects(setTagSchedules(fleet.store, fleet.tenant.id, [{ tag: 'x', cron: '* * * *' }]), /has 4 fields/);
      const runner = recorder();
      const deps = { store: fleet.store, runner };
      // Monday 2026-12-07, minutes 02:58 → 03:00.
      const r1 = await evaluateSchedules(deps, at('2026-12-07T03:00:00'), at('2026-12-07T02:58:00'));
      assert.deepEqual(r1.fired.map((f) => f.targetId).sort(), [every5.id, tagged.id, windowed.id].sort());
      assert.ok(r1.fired.every((f) => f.minute === '2026-12-07T03:00:00.000Z' && f.created));
      assert.deepEqual(r1.problems.map((p) => p.targetId), [bad.id]);
      assert.match(r1.problems[0]!.error, /hour field value 25 is out of range 0-23/);
      const f5 = r1.fired.find((f) => f.targetId === every5.id)!;
      assert.equal(f5.startAfter, new Date(Date.parse('2026-12-07T03:00:00Z') + jitterMs(every5.id)).toISOString(), 'the target jitter');
      assert.equal(r1.fired.find((f) => f.targetId === windowed.id)!.startAfter, '2026-12-13T02:00:00.000Z', 'waits for Sunday 02:00');
      assert.ok(!r1.fired.some((f) => f.targetId === none.id));
      // The same minutes again, and overlapping ones: nothing more.
      assert.deepEqual((await evaluateSchedules(deps, at('2026-12-07T03:00:00'), at('2026-12-07T02:58:00'))).fired, []);
      assert.deepEqual((await evaluateSchedules(deps, at('2026-12-07T03:01:00'), at('2026-12-07T02:59:00'))).fired, []);
      // Three nodes evaluating the same minutes one after the other (a leader lock serialises them): once.
      for (let i = 0; i < 3; i++) await evaluateSchedules(deps, at('2026-12-07T03:00:30'), at('2026-12-07T02:50:00'));
      const scans = async (id: string) => (await fleet.store.listScans(SYSTEM_SCOPE, { targetId: id }, { page: 1, pageSize: 50 })).items;
      assert.equal((await scans(every5.id)).length, 1);
      assert.equal((await scans(tagged.id)).length, 1);
      assert.equal((await scans(windowed.id)).length, 1);
      assert.equal((await scans(none.id)).length, 0);
      assert.equal((await scans(every5.id))[0]!.trigger, 'schedule');
      assert.equal(runner.jobs.length, 3, 'three scans enqueued in all');
      // The next due minute fires again; the scan still waiting is reused, not doubled.
      const r2 = await evaluateSchedules(deps, at('2026-12-07T03:05:00'), at('2026-12-07T03:01:00'));
      assert.deepEqual(r2.fired.map((f) => [f.targetId, f.minute, f.created]), [[every5.id, '2026-12-07T03:05:00.000Z', false]]);
      assert.equal((await scans(every5.id)).length, 1);
      // After a long stop the missed minutes fire once, with the latest.
      const r3 = await evaluateSchedules(deps, at('2026-12-07T05:00:00'), at('2026-12-07T03:05:00'));
      assert.deepEqual(r3.fired.map((f) => [f.targetId, f.minute]), [[every5.id, '2026-12-07T05:00:00.000Z']]);
    });

    test('the in-process runner keeps a scheduled scan waiting until its maintenance window, across restarts', { skip }, async () => {
      const t = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'win', kind: 'site', address: site.url, schedule: '0 3 * * *', maintenanceWindow: 'Sun 02:00-05:00' }))!.target;
      const free = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'free', kind: 'site', address: site.url, schedule: '0 3 * * *' }))!.target;
      const monday = at('2026-12-14T03:00:00');
      const h1 = await harness(fleet, { clock: () => monday });
      const r = await evaluateSchedules({ store: fleet.store, runner: h1.runner }, monday, at('2026-12-14T02:59:00'), { jitterMaxMs: 0 });
      const sWin = r.fired.find((f) => f.targetId === t.id)!.scanId;
      const sFree = r.fired.find((f) => f.targetId === free.id)!.scanId;
      await h1.runner.start();
      await until(async () => (await fleet.store.getScan(SYSTEM_SCOPE, sFree))!.status === 'done', 120_000, 'the scan without a window');
      await h1.runner.idle();
      assert.equal((await fleet.store.getScan(SYSTEM_SCOPE, sWin))!.status, 'queued', 'outside its window: still waiting');
      await h1.runner.stop({});
      const sunday = at('2026-12-20T02:30:00');
      const h2 = await harness(fleet, { clock: () => sunday });
      await h2.runner.start();
      await until(async () => (await fleet.store.getScan(SYSTEM_SCOPE, sWin))!.status === 'done', 120_000, 'the scan in its window');
      await h2.runner.stop({});
    });

    test('the scheduler keeps its last evaluation in the store and enqueues the knowledge update on its own schedule', { skip }, async () => {
      const t = (await fleet.store.upsertTarget(SYSTEM_SCOPE, { tenantId: fleet.tenant.id, name: 'sched', kind: 'site', address: site.url, schedule: '30 4 * * *' }))!.target;
      let now = at('2026-12-21T04:16:00');
      const runner = recorder();
      const s1 = startScheduler({ store: fleet.store, runner, clock: () => now, intervalMs: 3_600_000, knowledgeCron: '17 * * * *' });
      await s1.tick();
      s1.stop();
      now = at('2026-12-21T04:31:00'); // the process was down over 04:17 and 04:30
      const s2 = startScheduler({ store: fleet.store, runner, clock: () => now, intervalMs: 3_600_000, knowledgeCron: '17 * * * *' });
      await s2.tick();
      await s2.tick();
      s2.stop();
      assert.equal(runner.jobs.filter((j) => j.kind === 'knowledge-update').length, 1);
      const scans = await fleet.store.listScans(SYSTEM_SCOPE, { targetId: t.id }, { page: 1, pageSize: 10 });
      assert.equal(scans.total, 1);
    });
  });
}
