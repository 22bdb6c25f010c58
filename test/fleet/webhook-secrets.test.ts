/**
 * Webhook URLs at rest, on the real store (SQLite in a temporary $MAMORI_HOME and the real PostgreSQL): a value
 * written as versions before 0003 did (plaintext URLs in the settings JSON) is sealed by the migration and gone
 * from the database (rows, SQLite file and WAL); a plaintext value written later (an older server during an
 * upgrade) is sealed when read; a ciphertext copied to another tenant does not decrypt (a named error, and a
 * failed delivery channel saying why, not a crash); a migration that would seal with a key other than the
 * stored secrets' stops with a clear error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { generateSecretKey, type SecretKey } from '../../src/fleet/secrets.js';
import { openFleetStore, type SqlFleetStore } from '../../src/fleet/store/index.js';
import { InCodeMigrations } from '../../src/fleet/store/migrations.js';
import { SYSTEM_SCOPE, type Tenant } from '../../src/fleet/types.js';
import { loadNotificationSettings, NOTIFICATION_SETTINGS_KEY, readNotificationSettings, saveNotificationSettings } from '../../src/fleet/notify/settings.js';
import { Notifier } from '../../src/fleet/notify/service.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres.js';
import { dumpAll, execRaw, fileBytes, type RawDb } from '../helpers/raw-db.js';
import { startWebhookReceiver } from '../helpers/webhook.js';

const TOKEN_A = 'LegacyTokenAq7Zx9Mw2Lp4';
const TOKEN_B = 'LaterTokenBn3Kd8Rt6Vy1';

interface Place {
  raw: RawDb;
  open(key: SecretKey): Promise<SqlFleetStore>;
  cleanup(): Promise<void>;
}

const pgDown = await postgresUnavailable();
const places: { name: string; skip?: string; make(): Promise<Place> }[] = [
  {
    name: 'SQLite',
    async make() {
      const home = mkdtempSync(join(tmpdir(), 'mamori-webhook-secrets-'));
      return { raw: { dialect: 'sqlite', path: join(home, 'fleet.sqlite') }, open: (secretKey) => openFleetStore({ home, secretKey }), cleanup: async () => rmSync(home, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    skip: pgDown,
    async make() {
      const db = await createTestDatabase('mamori_webhook_secrets');
      return { raw: { dialect: 'postgres', url: db.url }, open: (secretKey) => openFleetStore({ url: db.url, home: '/nonexistent-home-not-used', secretKey, poolSize: 2 }), cleanup: () => db.drop() };
    },
  },
];

for (const p of places) {
  describe(`webhook URLs at rest: upgrade and binding (${p.name})`, { skip: p.skip }, () => {
    let place: Place;
    let store: SqlFleetStore;
    let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
    const key = generateSecretKey();
    let a: Tenant;
    let b: Tenant;
    before(async () => {
      place = await p.make();
      hook = await startWebhookReceiver();
    });
    after(async () => {
      await store?.close();
      await hook?.close();
      await place?.cleanup();
    });

    it('0003 seals the plaintext URLs an older version stored, and they are gone from the database', async () => {
      store = await place.open(key);
      // The database as the version before: migrations up to 0002, settings written with the URL in the JSON.
      const { error } = await new Migrator({ db: store.db, provider: new InCodeMigrations(store.dialect) }).migrateTo('0002_latest_findings_order');
      assert.equal(error, undefined);
      a = await store.createTenant(SYSTEM_SCOPE, 'Legacy A');
      b = await store.createTenant(SYSTEM_SCOPE, 'Legacy B');
      await store.setSetting(a.id, NOTIFICATION_SETTINGS_KEY, { lang: 'en', webhooks: [{ url: hook.url(`/services/T1/B1/${TOKEN_A}`), name: 'ops' }], eolWithinDays: 45 });
      assert.ok((await dumpAll(place.raw)).includes(TOKEN_A), 'the old version kept the URL in plaintext');
      if (place.raw.dialect === 'sqlite') assert.ok(fileBytes(place.raw).includes(TOKEN_A), 'and in the file');
      await store.migrate();
      assert.ok(!(await dumpAll(place.raw)).includes(TOKEN_A), 'no plaintext URL in any row after the migration');
      assert.ok(!fileBytes(place.raw).includes(TOKEN_A), 'no plaintext URL in the SQLite file or its WAL');
      assert.deepEqual((await store.getSetting<{ webhooks: unknown }>(a.id, NOTIFICATION_SETTINGS_KEY))!.webhooks, [{ ref: 'webhook.0', name: 'ops' }]);
      const s = await loadNotificationSettings(store, a.id);
      assert.deepEqual(s.webhooks, [{ url: hook.url(`/services/T1/B1/${TOKEN_A}`), name: 'ops' }]);
      assert.equal(s.eolWithinDays, 45, 'the other fields are kept');
      assert.deepEqual(await store.secretKeyIds(), [key.id]);
    });

    it('a plaintext value written after the upgrade (an older server still running) is sealed when read', async () => {
      await store.setSetting(b.id, NOTIFICATION_SETTINGS_KEY, { webhooks: [{ url: hook.url(`/services/T2/B2/${TOKEN_B}`) }] });
      const { settings, unreadable } = await readNotificationSettings(store, b.id);
      assert.deepEqual(unreadable, []);
      assert.equal(settings.webhooks[0]!.url, hook.url(`/services/T2/B2/${TOKEN_B}`));
      assert.ok(!(await dumpAll(place.raw)).includes(TOKEN_B));
      assert.deepEqual((await store.getSetting<{ webhooks: unknown }>(b.id, NOTIFICATION_SETTINGS_KEY))!.webhooks, [{ ref: 'webhook.0' }]);
    });

    it("a ciphertext copied into another tenant's row does not decrypt: a named error, and the channel fails saying why", async () => {
      const moved = await execRaw(place.raw, "UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE owner_type = 'tenant' AND owner_id = ? AND name = 'notifications/webhook.0') WHERE owner_type = 'tenant' AND owner_id = ? AND name = 'notifications/webhook.0'", [a.id, b.id]);
      assert.equal(moved, 1);
      await assert.rejects(loadNotificationSettings(store, b.id), (err: Error) => {
        assert.equal(err.name, 'SecretKeyError');
        assert.match(err.message, /the URL of webhook webhook\.0 cannot be read: a stored secret \(tenant:[0-9a-f-]+:notifications\/webhook\.0\) failed authentication: it was altered or moved to another row/);
        assert.ok(!err.message.includes(TOKEN_A) && !err.message.includes(TOKEN_B));
        return true;
      });
      const out = await new Notifier({ store, smtp: undefined }).weeklyDigest(b.id, new Date('2026-12-07T00:00:00Z'));
      assert.equal(out.sent, 0);
      assert.equal(out.failed.length, 1);
      assert.equal(out.failed[0]!.channel, 'webhook:webhook.0');
      assert.equal(out.failed[0]!.retry, false, 'not worth retrying: the stored value must be entered again');
      assert.match(out.failed[0]!.reason, /failed authentication: it was altered or moved to another row/);
      assert.equal(hook.hooks.length, 0, 'nothing posted to tenant A\'s webhook for tenant B');
      // Tenant A's own value still opens, and sending reaches the real URL.
      const ok = await new Notifier({ store, smtp: undefined }).weeklyDigest(a.id, new Date('2026-12-07T00:00:00Z'));
      assert.deepEqual(ok.failed, []);
      assert.equal(ok.sent, 1);
      assert.equal(hook.hooks[0]!.path, `/services/T1/B1/${TOKEN_A}`);
      // Saving new settings replaces the broken secret.
      await saveNotificationSettings(store, b.id, { ...(await loadNotificationSettings(store, a.id)), webhooks: [{ url: hook.url(`/services/T2/B2/${TOKEN_B}`) }] });
      assert.equal((await loadNotificationSettings(store, b.id)).webhooks[0]!.url, hook.url(`/services/T2/B2/${TOKEN_B}`));
    });

    it('fewer webhooks saved: the secrets of the removed ones are deleted', async () => {
      const s = await loadNotificationSettings(store, a.id);
      await saveNotificationSettings(store, a.id, { ...s, webhooks: [...s.webhooks, { url: hook.url('/services/T1/B1/second') }] });
      assert.equal((await loadNotificationSettings(store, a.id)).webhooks.length, 2);
      await saveNotificationSettings(store, a.id, { ...s, webhooks: [] });
      assert.ok(!(await dumpAll(place.raw)).includes(`${a.id}","notifications/webhook`), 'no secret row left for tenant A');
      assert.deepEqual((await loadNotificationSettings(store, a.id)).webhooks, []);
    });

    it('the migration refuses to seal with a key that is not the stored secrets\' key', async () => {
      const other = await p.make();
      const k1 = generateSecretKey();
      const s1 = await other.open(k1);
      try {
        await new Migrator({ db: s1.db, provider: new InCodeMigrations(s1.dialect) }).migrateTo('0002_latest_findings_order');
        const t = await s1.createTenant(SYSTEM_SCOPE, 'T');
        await s1.upsertTarget(SYSTEM_SCOPE, { tenantId: t.id, name: 'h', kind: 'host', address: '127.0.0.1:22' }, { sshKey: 'KEY' });
        await s1.setSetting(t.id, NOTIFICATION_SETTINGS_KEY, { webhooks: [{ url: 'https://hooks.example.test/services/X/Y/zzz' }] });
      } finally {
        await s1.close();
      }
      const k2 = generateSecretKey();
      const s2 = await other.open(k2);
      try {
        await assert.rejects(s2.migrate(), (err: Error) => {
          assert.equal(err.name, 'FleetStoreError');
          assert.match(err.message, new RegExp(`0003_seal_webhook_urls failed on \\w+: cannot encrypt the stored webhook URLs: the stored secrets are encrypted with key ${k1.id}, but the key from generated is ${k2.id}`));
          return true;
        });
        assert.ok((await dumpAll(other.raw)).includes('services/X/Y/zzz'), 'nothing changed');
      } finally {
        await s2.close();
        await other.cleanup();
      }
    });
  });
}
