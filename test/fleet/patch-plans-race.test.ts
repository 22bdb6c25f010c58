/**
 * Settings written at once by several writers — the patch plan records, the notification delivery log — on SQLite (one process: the embedded server) and on
 * PostgreSQL (two stores on one database, as a server and a worker are): the records of a tenant live in one
 * setting, and a read-modify-write that is not serialised loses the other writers' updates (an approval that
 * vanishes, a plan left `running` for ever). And one plan is applied by one job only: two patch-apply jobs of
 * the same plan at once (a duplicate delivery, a resumed job) — one claims it, the other does nothing. The
 * delivery log of a tenant is one setting too: notify jobs delivering at once on two workers lost entries.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { ReportDocument } from '../../src/core/model.js';
import { defaultNotificationSettings } from '../../src/fleet/notify/settings.js';
import { deliveryLog, Notifier } from '../../src/fleet/notify/index.js';
import type { NotifyEvent } from '../../src/fleet/notify/events.js';
import { approvePatchPlan, claimPatchPlan, getPatchPlan, listPatchPlans, patchJobKey, targetPatchPlan, updatePatchPlan, type PatchPlanRecord } from '../../src/fleet/patch-plans.js';
import type { FleetStore } from '../../src/fleet/ports.js';
import { SYSTEM_SCOPE, type Tenant } from '../../src/fleet/types.js';
import { patchApplyHandler } from '../../src/worker/handlers/patch-apply.js';
import type { JobContext } from '../../src/worker/jobs.js';
import { freePort } from '../host/sshd.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { openTwoWriters, type TwoWriters } from './two-writers.js';
import { startWebhookReceiver } from '../helpers/webhook.js';

const golden = JSON.parse(readFileSync(new URL('../fixtures/golden/host-ubuntu2204.en.json', import.meta.url), 'utf8')) as ReportDocument;
const NOW = new Date();
const WINDOW = { start: new Date(NOW.getTime() - 60_000).toISOString(), end: new Date(NOW.getTime() + 3_600_000).toISOString() };
const pgDown = await postgresUnavailable();

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`patch plan records written at once on ${dialect}`, () => {
    const skip = dialect === 'postgres' ? pgDown : undefined;
    let writers: TwoWriters | undefined;
    /** Two writers: on PostgreSQL two stores (two pools, as two processes); on SQLite the one store of the process. */
    let a: FleetStore;
    let b: FleetStore;
    let tenant: Tenant;

    /** N host targets of the tenant, each with a finished scan (a plan with updates), approved at once from both writers. */
    async function approveMany(n: number, prefix: string): Promise<PatchPlanRecord[]> {
      const made = [];
      for (let i = 0; i < n; i++) {
        const target = (await a.upsertTarget(SYSTEM_SCOPE, { tenantId: tenant.id, name: `${prefix}-${i}`, kind: 'host', address: `127.0.0.1:${2200 + i}`, sshUser: 'root' }, { sshKey: 'not a key', knownHosts: '[127.0.0.1]:2200 ssh-ed25519 AAAA' }))!.target;
        const s = (await a.createScan(SYSTEM_SCOPE, target.id, 'manual'))!;
        await a.startScan(s.id);
        await a.finishScan(s.id, golden, 'test');
        const r = await targetPatchPlan(a, SYSTEM_SCOPE, target.id, NOW);
        assert.ok(r.ok, JSON.stringify(r));
        made.push(r);
      }
      return Promise.all(made.map((r, i) => approvePatchPlan(i % 2 ? b : a, { target: r.target, scan: r.scan, plan: r.plan, window: WINDOW, approvedBy: null, now: NOW })));
    }

    before(async () => {
      if (skip) return;
      writers = await openTwoWriters(dialect, 'patch-race');
      ({ a, b, tenant } = writers);
    });
    after(async () => {
      await writers?.close();
    });

    test('12 plans approved at once from two writers are all kept', { skip }, async () => {
      const recs = await approveMany(12, 'approve');
      const kept = await listPatchPlans(a, SYSTEM_SCOPE, { tenantId: tenant.id });
      assert.deepEqual(recs.map((r) => r.id).filter((id) => !kept.some((k) => k.id === id)), [], `approvals lost: ${12 - kept.length} of 12`);
    });

    test('status updates of 12 plans at once from two writers are all kept', { skip }, async () => {
      const recs = await approveMany(12, 'status');
      await Promise.all(recs.map((r, i) => updatePatchPlan(i % 2 ? b : a, tenant.id, r.id, { status: 'running' })));
      await Promise.all(recs.map((r, i) => updatePatchPlan(i % 2 ? a : b, tenant.id, r.id, { status: 'applied', result: { status: 'applied', changed: true, startedAt: NOW.toISOString(), finishedAt: NOW.toISOString() } })));
      const statuses = await Promise.all(recs.map(async (r) => (await getPatchPlan(a, SYSTEM_SCOPE, r.id))?.status));
      assert.deepEqual(statuses, recs.map(() => 'applied'));
    });

    test('two patch-apply jobs of one plan at once: one claims and runs it, the other does nothing', { skip }, async () => {
      // The host does not answer (a closed loopback port): the job that claims the plan fails it after the claim.
      const [rec] = await approveMany(1, 'claim');
      const port = await freePort();
      await a.upsertTarget(SYSTEM_SCOPE, { tenantId: tenant.id, name: 'claim-0', kind: 'host', address: `127.0.0.1:${port}`, sshUser: 'root' });
      const logs: string[] = [];
      const ctx = (jobId: string): JobContext => ({ jobId, kind: 'patch-apply', attempt: 1, maxAttempts: 1, signal: new AbortController().signal, progress: () => undefined, log: (_level, message) => logs.push(`${jobId}: ${message}`) });
      const payload = { planId: rec!.id, tenantId: tenant.id, targetId: rec!.targetId };
      const enqueue = async () => 'unused';
      const outcomes = await Promise.allSettled([
        patchApplyHandler({ store: a, runner: { enqueue }, ssh: { timeoutMs: 10_000 } })(payload, ctx('job-1')),
        patchApplyHandler({ store: b, runner: { enqueue }, ssh: { timeoutMs: 10_000 } })(payload, ctx('job-2')),
      ]);
      const ran = outcomes.filter((o) => o.status === 'rejected');
      assert.equal(ran.length, 1, `one job ran the plan (and failed it: no host), the other did nothing: ${JSON.stringify(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'nothing')))} ${logs.join('; ')}`);
      assert.ok(logs.some((l) => /nothing to do/.test(l)), logs.join('; '));
      const after = (await getPatchPlan(a, SYSTEM_SCOPE, rec!.id))!;
      assert.equal(after.status, 'failed');
      assert.ok(after.result?.reason, 'the reason is kept');
    });

    test('two plans of one server claimed at once from two writers: one runs, the other waits its turn, then runs', { skip }, async () => {
      const [first] = await approveMany(1, 'turn');
      const target = (await a.getTarget(SYSTEM_SCOPE, first!.targetId))!;
      const again = await targetPatchPlan(a, SYSTEM_SCOPE, target.id, NOW);
      assert.ok(again.ok);
      const second = await approvePatchPlan(b, { target: again.target, scan: again.scan, plan: again.plan, window: WINDOW, approvedBy: null, now: NOW });
      assert.notEqual(second.id, first!.id);
      // Both jobs keyed by their plan: the in-process runner queues both instead of dropping the second.
      assert.notEqual(patchJobKey(first!), patchJobKey(second));
      const claims = await Promise.all([claimPatchPlan(a, tenant.id, first!.id), claimPatchPlan(b, tenant.id, second.id)]);
      const claimed = claims.filter((c) => 'claimed' in c);
      const busy = claims.filter((c) => 'busy' in c);
      assert.equal(claimed.length, 1, JSON.stringify(claims));
      assert.equal(busy.length, 1, JSON.stringify(claims));
      const runningId = (claimed[0] as { claimed: PatchPlanRecord }).claimed.id;
      assert.equal((busy[0] as { busy: PatchPlanRecord }).busy.id, runningId, 'the waiting job names the plan it waits for');
      const waitingId = runningId === first!.id ? second.id : first!.id;
      assert.equal((await getPatchPlan(a, SYSTEM_SCOPE, waitingId))?.status, 'approved', 'the waiting plan is still approved');
      // Its retry while the first still runs: still busy. Once the first is done: claimed.
      assert.ok('busy' in (await claimPatchPlan(b, tenant.id, waitingId)));
      await updatePatchPlan(a, tenant.id, runningId, { status: 'applied', result: { status: 'applied', changed: true, startedAt: NOW.toISOString(), finishedAt: NOW.toISOString() } });
      const later = await claimPatchPlan(b, tenant.id, waitingId);
      assert.ok('claimed' in later && later.claimed.status === 'running', JSON.stringify(later));
      // And a plan of another server is never held up by it.
      const [other] = await approveMany(1, 'turn-other');
      assert.ok('claimed' in (await claimPatchPlan(a, tenant.id, other!.id)));
    });

    test('the delivery log keeps the entries of 6 notify jobs of one tenant delivering at once from two writers', { skip }, async () => {
      const hook = await startWebhookReceiver();
      try {
        const settings = { ...defaultNotificationSettings(), webhooks: [{ url: hook.url('/hooks/race') }] };
        const event = (i: number): NotifyEvent => ({ kind: 'scan-failed', tenantId: tenant.id, tenantName: tenant.name, targetId: `t-${i}`, targetName: `web${i}`, scanId: `log-${i}`, at: NOW.toISOString(), attempts: 3, reason: 'connection refused', items: [{ key: `log-${i}` }] });
        const before = (await deliveryLog(a, tenant.id)).length;
        const outcomes = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => new Notifier({ store: i % 2 ? b : a, smtp: undefined }).deliver(tenant.id, settings, [event(i)], NOW)));
        assert.deepEqual(outcomes.map((o) => o.sent), [1, 1, 1, 1, 1, 1], 'each job delivered its event');
        assert.equal(hook.hooks.length, 6);
        const log = await deliveryLog(a, tenant.id);
        assert.equal(log.length - before, 6, `delivery log entries kept: ${log.length - before} of 6`);
      } finally {
        await hook.close();
      }
    });
  });
}
