/**
 * Webhook URLs through the real HTTP API (the Fastify app over the real store, SQLite and PostgreSQL): after a PUT
 * the database read directly (every row of every table; the SQLite file and its WAL) holds neither the URL nor its
 * token; GET answers the masked form only; the masked URL given back keeps the stored one, a masked URL that
 * matches nothing is refused; notifications reach a loopback webhook receiver at the real URL; a ciphertext
 * copied to another tenant's row answers 409 secret_unreadable naming it (not a server error), which an admin
 * repairs by giving the full URL; neither the answers nor the server log ever carry the URL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSecretKey } from '../../src/fleet/secrets.js';
import { openFleetStore } from '../../src/fleet/store/index.js';
import { loadNotificationSettings, maskWebhookUrl, type NotificationSettings } from '../../src/fleet/notify/settings.js';
import { Notifier } from '../../src/fleet/notify/service.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres.js';
import { dumpAll, execRaw, fileBytes, type RawDb } from '../helpers/raw-db.js';
import { startWebhookReceiver } from '../helpers/webhook.js';
import { PASSWORDS, buildFixture, hdr, login, type Fixture, type Session } from './helpers.js';

const TOKEN = 'Zq4vWebhookTokenMarker7Hs2Np';
const TOKEN_B = 'Bt8kOtherTenantToken3Lm5';
const PATH = `/services/T0MAMORI/B0MAMORI/${TOKEN}`;

const pgDown = await postgresUnavailable();
const places: { name: string; skip?: string; open(): Promise<{ raw: RawDb; fx: () => Promise<Fixture> }> }[] = [
  {
    name: 'SQLite',
    async open() {
      const home = mkdtempSync(join(tmpdir(), 'mamori-server-webhook-'));
      const store = await openFleetStore({ home, secretKey: generateSecretKey() });
      await store.migrate();
      return { raw: { dialect: 'sqlite', path: join(home, 'fleet.sqlite') }, fx: () => buildFixture(store, async () => { await store.close(); rmSync(home, { recursive: true, force: true }); }) };
    },
  },
  {
    name: 'PostgreSQL',
    skip: pgDown,
    async open() {
      const db = await createTestDatabase('mamori_server_webhook');
      const store = await openFleetStore({ url: db.url, home: '/nonexistent-home-not-used', secretKey: generateSecretKey(), poolSize: 4 });
      await store.migrate();
      return { raw: { dialect: 'postgres', url: db.url }, fx: () => buildFixture(store, async () => { await store.close(); await db.drop(); }) };
    },
  },
];

for (const p of places) {
  describe(`webhook URLs encrypted at rest, through the API (${p.name})`, { skip: p.skip }, () => {
    let fx: Fixture;
    let raw: RawDb;
    let admin: Session;
    let operatorA: Session;
    let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
    let url: string;
    before(async () => {
      const o = await p.open();
      raw = o.raw;
      fx = await o.fx();
      hook = await startWebhookReceiver();
      url = hook.url(PATH);
      admin = await login(fx, 'admin@example.jp', PASSWORDS.admin, fx.adminTotpSecret);
      operatorA = await login(fx, 'op-a@example.jp', PASSWORDS.operatorA);
    });
    after(async () => {
      await hook?.close();
      await fx?.close();
    });
    const call = (s: Session, method: 'GET' | 'PUT', path: string, payload?: unknown) => fx.req({ method, url: path, headers: hdr(s), ...(payload === undefined ? {} : { payload: payload as object }) });

    it('after a PUT, no row of any table, nor the SQLite file, holds the URL or its token', async () => {
      const put = await call(admin, 'PUT', `/api/tenants/${fx.tenantA.id}/notifications`, { lang: 'en', webhooks: [{ url, name: 'ops channel' }] });
      assert.equal(put.statusCode, 200, put.body);
      const dump = await dumpAll(raw);
      assert.ok(dump.includes('ops channel'), 'the dump does read the settings');
      for (const needle of [TOKEN, PATH, url]) assert.ok(!dump.includes(needle), `${needle} in the database`);
      assert.ok(!fileBytes(raw).includes(TOKEN), 'the token in the SQLite file or its WAL');
      assert.match(dump, /notifications\/webhook\.0/);
      assert.match(dump, /v1:[0-9a-f]{16}:/, 'a sealed value is there');
    });

    it('GET answers the masked URL only; the masked URL given back keeps the stored one; an unknown masked URL is refused', async () => {
      const got = await call(operatorA, 'GET', `/api/tenants/${fx.tenantA.id}/notifications`);
      assert.equal(got.statusCode, 200, got.body);
      const settings = (got.json() as { settings: NotificationSettings }).settings;
      assert.deepEqual(settings.webhooks, [{ url: maskWebhookUrl(url), name: 'ops channel' }]);
      assert.match(settings.webhooks[0]!.url, /^http:\/\/127\.0\.0\.1:\d+\/\*\*\*#[0-9a-f]{12}$/);
      const edit = await call(operatorA, 'PUT', `/api/tenants/${fx.tenantA.id}/notifications`, { ...settings, eolWithinDays: 30 });
      assert.equal(edit.statusCode, 200, edit.body);
      const stored = await loadNotificationSettings(fx.store, fx.tenantA.id);
      assert.equal(stored.webhooks[0]!.url, url, 'the stored URL is kept');
      assert.equal(stored.eolWithinDays, 30);
      const bogus = await call(admin, 'PUT', `/api/tenants/${fx.tenantA.id}/notifications`, { ...settings, webhooks: [{ url: 'https://hooks.example.test/***#0123456789ab' }] });
      assert.equal(bogus.statusCode, 400);
      assert.match(bogus.body, /is a masked URL that matches no stored webhook; give the full URL/);
      assert.equal((await loadNotificationSettings(fx.store, fx.tenantA.id)).webhooks[0]!.url, url, 'nothing changed');
    });

    it('notifications reach the webhook at its real URL (decrypted just before sending)', async () => {
      const out = await new Notifier({ store: fx.store, smtp: undefined }).weeklyDigest(fx.tenantA.id, new Date('2026-12-07T00:00:00Z'));
      assert.deepEqual(out.failed, []);
      assert.equal(out.sent, 1);
      assert.equal(hook.hooks.length, 1);
      assert.equal(hook.hooks[0]!.path, PATH);
      const got = await call(operatorA, 'GET', `/api/tenants/${fx.tenantA.id}/notifications`);
      const log = (got.json() as { deliveries: { channel: string; status: string }[] }).deliveries;
      assert.equal(log[0]!.status, 'sent');
      assert.match(log[0]!.channel, /^webhook:[0-9a-f]{12}$/);
    });

    it("a ciphertext copied to another tenant's row: 409 secret_unreadable naming it, not a server error; an admin repairs it", async () => {
      const putB = await call(admin, 'PUT', `/api/tenants/${fx.tenantB.id}/notifications`, { webhooks: [{ url: hook.url(`/services/TB/BB/${TOKEN_B}`) }] });
      assert.equal(putB.statusCode, 200, putB.body);
      const moved = await execRaw(raw, "UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE owner_type = 'tenant' AND owner_id = ? AND name = 'notifications/webhook.0') WHERE owner_type = 'tenant' AND owner_id = ? AND name = 'notifications/webhook.0'", [fx.tenantA.id, fx.tenantB.id]);
      assert.equal(moved, 1);
      const got = await call(admin, 'GET', `/api/tenants/${fx.tenantB.id}/notifications`);
      assert.equal(got.statusCode, 409, got.body);
      const err = (got.json() as { error: { code: string; message: string } }).error;
      assert.equal(err.code, 'secret_unreadable');
      assert.match(err.message, new RegExp(`^the URL of webhook webhook\\.0 cannot be read: a stored secret \\(tenant:${fx.tenantB.id}:notifications/webhook\\.0\\) failed authentication: it was altered or moved to another row \\(an admin can replace it by giving the full webhook URL again\\)$`));
      const before = hook.hooks.length;
      const out = await new Notifier({ store: fx.store, smtp: undefined }).weeklyDigest(fx.tenantB.id, new Date('2026-12-07T00:00:00Z'));
      assert.equal(out.sent, 0);
      assert.equal(out.failed[0]?.retry, false);
      assert.equal(hook.hooks.length, before, "tenant A's webhook got nothing for tenant B");
      // The masked URL cannot keep what cannot be read; an admin gives the full URL again.
      const masked = await call(admin, 'PUT', `/api/tenants/${fx.tenantB.id}/notifications`, { webhooks: [{ url: maskWebhookUrl(hook.url(`/services/TB/BB/${TOKEN_B}`)) }] });
      assert.equal(masked.statusCode, 409);
      const op = await call(admin, 'PUT', `/api/tenants/${fx.tenantB.id}/notifications`, { webhooks: [{ url: hook.url(`/services/TB/BB/${TOKEN_B}`) }] });
      assert.equal(op.statusCode, 200, op.body);
      assert.equal((await call(admin, 'GET', `/api/tenants/${fx.tenantB.id}/notifications`)).statusCode, 200);
    });

    it('an operator may not replace an unreadable URL (409, the same clear answer); no answer and no log line carries a URL', async () => {
      await execRaw(raw, "UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE owner_type = 'tenant' AND owner_id = ? AND name = 'notifications/webhook.0') WHERE owner_type = 'tenant' AND owner_id = ? AND name = 'notifications/webhook.0'", [fx.tenantB.id, fx.tenantA.id]);
      const r = await call(operatorA, 'PUT', `/api/tenants/${fx.tenantA.id}/notifications`, { webhooks: [] });
      assert.equal(r.statusCode, 409);
      assert.match(r.body, /secret_unreadable/);
      for (const t of [TOKEN, TOKEN_B]) {
        for (const a of fx.answers) assert.ok(!a.includes(t), `a webhook token in an answer: ${a.slice(0, 200)}`);
        for (const l of fx.log) assert.ok(!l.includes(t), `a webhook token in the log: ${l.slice(0, 200)}`);
      }
      assert.ok(fx.log.some((l) => /"statusCode":409/.test(l)), 'the log records the answers');
      assert.ok(!fx.log.some((l) => /"statusCode":500/.test(l)), 'no server error');
    });
  });
}
