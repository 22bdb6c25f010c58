/**
 * One server and a worker on PostgreSQL, both through the built CLI: `mamori serve --database postgres://…`
 * enqueues into pg-boss (no scan runs in the server), `mamori worker --server URL --token T` takes the scan,
 * its knowledge DB comes from the server's bundle (ETag, 304), and the scan records the server's knowledge
 * version. /metrics answers in Prometheus text on both. The scan's notifications (new findings) are delivered by
 * the worker — email to a real SMTP server on loopback (the worker's MAMORI_SMTP_URL) and a webhook to a
 * loopback receiver — never by the server, which only enqueues.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_SCOPE } from '../../src/fleet/types.js';
import { newApiToken, sha256 } from '../../src/server/auth/tokens.js';
import { freePort } from '../host/sshd.js';
import { binPath, repoRoot } from '../helpers/cli.js';
import { startFleet, waitFor } from './cluster-helpers.js';
import { postgresUnavailable as pgMissing } from '../helpers/postgres.js';
import { startSlowSite } from './slow-site.js';
import { defaultNotificationSettings, saveNotificationSettings } from '../../src/fleet/notify/settings.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { startWebhookReceiver } from '../helpers/webhook.js';

const missing = await pgMissing();

test('server on PostgreSQL enqueues, a worker scans with the server\'s knowledge, metrics on both', { skip: missing ?? false, timeout: 300_000 }, async () => {
  const site = await startSlowSite(2);
  const smtp = await startSmtpServer();
  const hook = await startWebhookReceiver();
  const f = await startFleet({ env: { MAMORI_SITE_RATE: '100' } });
  const port = await freePort();
  const serverHome = join(f.dir, 'server');
  mkdirSync(serverHome, { recursive: true });
  const server = spawn(process.execPath, [binPath, 'serve', '--database', f.db.url, '--listen', `127.0.0.1:${port}`], {
    cwd: repoRoot,
    env: { ...process.env, LANG: 'C.UTF-8', MAMORI_HOME: serverHome, MAMORI_SECRET_KEY: f.secretKey, MAMORI_OFFLINE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let serverLog = '';
  server.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));
  const exited = new Promise((r) => server.once('exit', r));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok, 'the server to be ready', 90_000).catch((err: Error) => {
      throw new Error(`${err.message}; the server said: ${serverLog.slice(-2000)}`);
    });
    // an operator's API token, as `mamori token create` would make it
    const user = await f.store.createUser({ email: 'ops@example.jp', passwordHash: 'x', role: 'operator', tenantIds: [f.tenant.id] });
    const token = newApiToken();
    await f.store.createToken({ userId: user.id, name: 'worker', hash: sha256(token) });
    const auth = { authorization: `Bearer ${token}` };

    // the bundle: 401 without a token, 200 with an ETag, 304 when it did not change
    assert.equal((await fetch(`${base}/api/knowledge/bundle`)).status, 401);
    const first = await fetch(`${base}/api/knowledge/bundle`, { headers: auth });
    assert.equal(first.status, 200, await first.clone().text().catch(() => ''));
    const etag = first.headers.get('etag');
    assert.match(String(etag), /^"k1-[0-9a-f]+"$/);
    assert.ok((await first.arrayBuffer()).byteLength > 1000);
    const again = await fetch(`${base}/api/knowledge/bundle`, { headers: { ...auth, 'if-none-match': etag! } });
    assert.equal(again.status, 304);

    // the tenant is told of new findings by email and webhook (the worker has the SMTP server; the server has none)
    await saveNotificationSettings(f.store, f.tenant.id, { ...defaultNotificationSettings(), lang: 'en', email: { recipients: ['owner@example.jp'] }, webhooks: [{ url: hook.url('/services/T0/B0/secret-token') }] });
    const worker = await f.startWorker(['--server', base, '--token', token, '--metrics-listen', '127.0.0.1:0'], { MAMORI_SMTP_URL: smtp.url });
    assert.ok(worker.logs.some((l) => l.msg === 'knowledge updated from the server' && `"${String(l.knowledgeVersion)}"` === etag), 'the worker installed the server\'s bundle');
    assert.ok(!worker.logs.some((l) => JSON.stringify(l).includes(token)), 'the token is never logged');

    // a scan asked through the server's API runs on the worker
    const target = (await f.store.upsertTarget(SYSTEM_SCOPE, { tenantId: f.tenant.id, name: 'shop', kind: 'site', address: site.url }))!.target;
    const asked = await fetch(`${base}/api/targets/${target.id}/scans`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(asked.status, 202, await asked.clone().text());
    const { scan } = (await asked.json()) as { scan: { id: string } };
    const done = await waitFor(async () => {
      const s = await f.store.getScan(SYSTEM_SCOPE, scan.id);
      return s?.status === 'done' || s?.status === 'failed' ? s : undefined;
    }, 'the scan to finish on the worker');
    assert.equal(done.status, 'done', String(done.failureReason));
    // logged after the result is written: wait for the line
    await waitFor(async () => worker.logs.some((l) => l.msg === 'job completed' && l.scanId === scan.id), 'the worker to log that it ran the scan', 30_000);
    assert.ok(!/job started/.test(serverLog), 'the server ran no scan itself');
    // the version the scan used is the one of the server's knowledge DB (the same snapshot on both)
    const { readSnapshot, knowledgeVersion } = await import('../../src/scan/knowledge.js');
    assert.equal(done.knowledgeVersion, knowledgeVersion(await readSnapshot(join(serverHome, 'db.sqlite'))));

    // the notify job the scan enqueued ran on the worker: one email, one webhook post
    const [mail] = await smtp.waitFor(1, 60_000);
    assert.deepEqual(mail!.to, ['owner@example.jp']);
    assert.match(mail!.subject, /shop|finding/i, mail!.subject);
    await waitFor(async () => hook.hooks.length >= 1, 'the webhook post', 30_000);
    assert.equal(hook.hooks[0]!.path, '/services/T0/B0/secret-token');
    await waitFor(async () => worker.logs.some((l) => l.msg === 'notifications delivered' && l.queue === 'notify'), 'the worker to log the delivery', 30_000);
    assert.ok(!/notifications delivered/.test(serverLog), 'the server delivered nothing itself');
    assert.ok(!worker.logs.some((l) => JSON.stringify(l).includes('secret-token')), 'the webhook URL is never logged');

    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /# TYPE mamori_queue_depth gauge/);
    assert.match(metrics, /mamori_cluster_scans_last_minute \d+/);
    const wm = await (await fetch(`http://127.0.0.1:${(worker.logs.find((l) => l.msg === 'worker started')!.metrics as string).split(':').pop()}/metrics`)).text();
    assert.match(wm, /mamori_job_duration_seconds_count\{outcome="completed",queue="scan-site"\} 1/);
    assert.match(wm, /mamori_scans_per_minute 1/);
    const dead = await fetch(`${base}/api/jobs/dead-letters`, { headers: auth });
    assert.equal(dead.status, 200);
    assert.deepEqual(((await dead.json()) as { items: unknown[] }).items, []);
  } finally {
    server.kill('SIGTERM');
    await exited;
    await f.close();
    await site.close();
    await smtp.close();
    await hook.close();
  }
});
