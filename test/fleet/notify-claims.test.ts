/**
 * One notification item is sent once per channel, also when two deliveries of it run at once — a notify job
 * redelivered while the first still runs, the weekly digest enqueued by two servers — on SQLite (the embedded
 * server, one process) and PostgreSQL (two stores on one database, as two workers). Each item is claimed before
 * it is sent (src/fleet/notify/service.ts): a failed send gives the claim back (the retry sends it), and a claim
 * left by a process that died mid-send holds for its lease only, then the next attempt sends the item. The notify
 * schedules (weekly digest, monthly report) evaluated by two servers at once enqueue the job once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NotifyEvent } from '../../src/fleet/notify/events.js';
import { defaultNotificationSettings, Notifier, NOTIFY_CLAIM_MS, saveNotificationSettings, webhookId } from '../../src/fleet/notify/index.js';
import type { FleetStore } from '../../src/fleet/ports.js';
import { SYSTEM_SCOPE, type Tenant } from '../../src/fleet/types.js';
import { evaluateNotifySchedules, notifyHandler } from '../../src/worker/handlers/notify.js';
import type { Job, JobContext } from '../../src/worker/jobs.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { openTwoWriters, type TwoWriters } from './two-writers.js';
import { startWebhookReceiver } from '../helpers/webhook.js';

const NOW = new Date();
const pgDown = await postgresUnavailable();
const ctx = (jobId: string): JobContext => ({ jobId, kind: 'notify', attempt: 1, maxAttempts: 5, signal: new AbortController().signal, progress: () => undefined, log: () => undefined });

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`notification items delivered at once on ${dialect}`, () => {
    const skip = dialect === 'postgres' ? pgDown : undefined;
    let writers: TwoWriters | undefined;
    /** Two writers: on PostgreSQL two stores (two pools, as two processes); on SQLite the one store of the process. */
    let a: FleetStore;
    let b: FleetStore;
    let tenant: Tenant;
    let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;

    const failedEvent = (id: string): NotifyEvent => ({ kind: 'scan-failed', tenantId: tenant.id, tenantName: tenant.name, targetId: `t-${id}`, targetName: `web-${id}`, scanId: id, at: NOW.toISOString(), attempts: 3, reason: 'connection refused', items: [{ key: `failed:${id}` }] });
    const hooksOf = (path: string) => hook.hooks.filter((h) => h.path === path).length;

    before(async () => {
      if (skip) return;
      writers = await openTwoWriters(dialect, 'notify-claims');
      ({ a, b, tenant } = writers);
      hook = await startWebhookReceiver();
    });
    after(async () => {
      await hook?.close();
      await writers?.close();
    });

    test('6 deliveries of one event at once from two writers send it once; the others say another delivery has it', { skip }, async () => {
      hook.setStatus(200);
      const settings = { ...defaultNotificationSettings(), webhooks: [{ url: hook.url('/hooks/once') }] };
      const outcomes = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => new Notifier({ store: i % 2 ? b : a, smtp: undefined }).deliver(tenant.id, settings, [failedEvent('once')], NOW)));
      assert.equal(hooksOf('/hooks/once'), 1, `webhook calls for one event: ${hooksOf('/hooks/once')}`);
      assert.equal(outcomes.reduce((n, o) => n + o.sent, 0), 1);
      for (const o of outcomes) if (!o.sent) assert.ok(o.elsewhere.length <= 1 && o.failed.length === 0, JSON.stringify(o));
      // Afterwards it is sent: a redelivery sends nothing and holds nothing.
      const again = await new Notifier({ store: b, smtp: undefined }).deliver(tenant.id, settings, [failedEvent('once')], NOW);
      assert.deepEqual([again.sent, again.elsewhere.length, hooksOf('/hooks/once')], [0, 0, 1]);
    });

    test('a failed send gives its claim back: the retry sends the item', { skip }, async () => {
      const settings = { ...defaultNotificationSettings(), webhooks: [{ url: hook.url('/hooks/retry') }] };
      hook.setStatus(503);
      const first = await new Notifier({ store: a, smtp: undefined }).deliver(tenant.id, settings, [failedEvent('retry')], NOW);
      assert.deepEqual([first.sent, first.failed.length, first.failed[0]?.retry, first.elsewhere.length], [0, 1, true, 0], JSON.stringify(first));
      hook.setStatus(200);
      const retry = await new Notifier({ store: b, smtp: undefined }).deliver(tenant.id, settings, [failedEvent('retry')], NOW);
      assert.deepEqual([retry.sent, retry.elsewhere.length, hooksOf('/hooks/retry')], [1, 0, 1], JSON.stringify(retry));
    });

    test('a claim left by a process that died before sending holds for its lease, then the item is sent', { skip }, async () => {
      hook.setStatus(200);
      const url = hook.url('/hooks/crash');
      const settings = { ...defaultNotificationSettings(), webhooks: [{ url }] };
      const t0 = new Date();
      // The claim as the dead worker's delivery wrote it, in the setting of the (channel, item).
      const until = new Date(t0.getTime() + NOTIFY_CLAIM_MS).toISOString();
      await a.updateSetting(tenant.id, `notify.sent:${webhookId(url)}:failed:crash`, () => ({ claim: 'worker-that-died', until }));
      const during = await new Notifier({ store: b, smtp: undefined, clock: () => new Date(t0.getTime() + 60_000) }).deliver(tenant.id, settings, [failedEvent('crash')], NOW);
      assert.deepEqual([during.sent, hooksOf('/hooks/crash')], [0, 0], 'not sent while the claim holds');
      assert.deepEqual(during.elsewhere, [{ channel: webhookId(url), kind: 'scan-failed', items: 1, until }], 'and said so: the job is retried');
      const later = await new Notifier({ store: b, smtp: undefined, clock: () => new Date(t0.getTime() + NOTIFY_CLAIM_MS + 1000) }).deliver(tenant.id, settings, [failedEvent('crash')], NOW);
      assert.deepEqual([later.sent, later.elsewhere.length, hooksOf('/hooks/crash')], [1, 0, 1], 'sent once the claim expired');
    });

    test('the weekly digest run by two notify jobs at once (two workers) is sent once; a job that found it claimed is retried', { skip }, async () => {
      hook.setStatus(200);
      const t = await a.createTenant(SYSTEM_SCOPE, `digest-${dialect}`);
      await saveNotificationSettings(a, t.id, { ...defaultNotificationSettings(), webhooks: [{ url: hook.url('/hooks/digest') }] });
      const job = { tenantId: t.id, event: 'weekly-digest' as const };
      const runs = await Promise.allSettled([notifyHandler({ store: a, smtp: undefined })(job, ctx('job-1')), notifyHandler({ store: b, smtp: undefined })(job, ctx('job-2'))]);
      assert.equal(hooksOf('/hooks/digest'), 1, `digests sent: ${hooksOf('/hooks/digest')}`);
      for (const r of runs) if (r.status === 'rejected') assert.match(String(r.reason), /being delivered by another job/);
      // The retry (or any later run of the same week) finds it sent: nothing more, and no error.
      await notifyHandler({ store: b, smtp: undefined })(job, ctx('job-3'));
      assert.equal(hooksOf('/hooks/digest'), 1);
    });

    test('the notify schedules evaluated by two servers at once enqueue each due job once', { skip }, async () => {
      const jobs: Job[] = [];
      const runner = { enqueue: async (j: Job) => (jobs.push(j), `job-${jobs.length}`) };
      const start = new Date('2030-01-01T12:00:00Z'); // a Tuesday: the first evaluation only records it
      assert.deepEqual(await evaluateNotifySchedules({ store: a, runner }, start), []);
      const monday = new Date('2030-01-07T00:00:30Z');
      const fired = await Promise.all([1, 2, 3, 4].map((i) => evaluateNotifySchedules({ store: i % 2 ? b : a, runner }, monday)));
      assert.deepEqual(fired.flat(), ['weekly-digest'], JSON.stringify(fired));
      assert.equal(jobs.length, 1);
      // The next minute nothing more is due.
      assert.deepEqual(await evaluateNotifySchedules({ store: b, runner }, new Date('2030-01-07T00:01:30Z')), []);
    });
  });
}
