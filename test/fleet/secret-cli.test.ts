/**
 * `mamori secret rotate` through the built CLI (bin/mamori.js → dist/bundle), against a SQLite store in a temporary
 * $MAMORI_HOME and against a real PostgreSQL database. The secrets: a target's SSH key and known_hosts, a user's
 * TOTP secret and a tenant's webhook URL (delivered to a loopback receiver after the rotation).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres.js';
import { openFleetStore } from '../../src/fleet/store/index.js';
import { generateSecretKey, formatSecretKey, loadSecretKey, readSecretKeyFile } from '../../src/fleet/secrets.js';
import { SYSTEM_SCOPE } from '../../src/fleet/types.js';
import { loadNotificationSettings, saveNotificationSettings, defaultNotificationSettings } from '../../src/fleet/notify/settings.js';
import { Notifier } from '../../src/fleet/notify/service.js';
import { startWebhookReceiver } from '../helpers/webhook.js';

const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nrotation-test-key\n-----END OPENSSH PRIVATE KEY-----\n';

const hook = await startWebhookReceiver();
after(() => hook.close());
const WEBHOOK_PATH = '/services/T0ROT/B0ROT/rotation-webhook-token';

/** A store with one target (SSH key + known_hosts), one user with TOTP and a tenant's webhook URL. */
async function seed(opts: Parameters<typeof openFleetStore>[0]): Promise<{ targetId: string; userId: string; tenantId: string }> {
  const store = await openFleetStore(opts);
  try {
    await store.migrate();
    const t = await store.createTenant(SYSTEM_SCOPE, 'Rotation Co.');
    const r = await store.upsertTarget(SYSTEM_SCOPE, { tenantId: t.id, name: 'web1', kind: 'host', address: '127.0.0.1:2222' }, { sshKey: SSH_KEY, knownHosts: '[127.0.0.1]:2222 ssh-ed25519 AAAA' });
    const u = await store.createUser({ email: 'admin@example.test', passwordHash: 'x', role: 'admin', tenantIds: [] });
    await store.setTotp(u.id, 'TOTPSECRETBASE32', true);
    await saveNotificationSettings(store, t.id, { ...defaultNotificationSettings(), webhooks: [{ url: hook.url(WEBHOOK_PATH), name: 'ops' }] });
    return { targetId: r!.target.id, userId: u.id, tenantId: t.id };
  } finally {
    await store.close();
  }
}

async function secretsWith(opts: Parameters<typeof openFleetStore>[0], ids: { targetId: string; userId: string; tenantId: string }) {
  const store = await openFleetStore(opts);
  try {
    return { target: await store.getTargetSecrets(ids.targetId), totp: await store.getTotpSecret(ids.userId), webhooks: (await loadNotificationSettings(store, ids.tenantId)).webhooks };
  } finally {
    await store.close();
  }
}

/** The webhook URL opens with the store's key and the weekly digest reaches the receiver at the real URL. */
async function deliversWith(opts: Parameters<typeof openFleetStore>[0], tenantId: string): Promise<void> {
  const store = await openFleetStore(opts);
  try {
    const n = hook.hooks.length;
    const out = await new Notifier({ store, smtp: undefined }).weeklyDigest(tenantId, new Date('2026-12-07T00:00:00Z'));
    assert.deepEqual(out.failed, []);
    assert.equal(hook.hooks.length, n + 1);
    assert.equal(hook.hooks[n]!.path, WEBHOOK_PATH);
  } finally {
    await store.close();
  }
}

/** The webhook URL alone with a key (the others are checked by secretsWith). */
async function webhookWith(opts: Parameters<typeof openFleetStore>[0], tenantId: string) {
  const store = await openFleetStore(opts);
  try {
    return (await loadNotificationSettings(store, tenantId)).webhooks;
  } finally {
    await store.close();
  }
}

describe('mamori secret rotate (SQLite, key file)', () => {
  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'mamori-secret-cli-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));
  const env = () => ({ MAMORI_HOME: home, MAMORI_SECRET_KEY: '', DATABASE_URL: '' });

  it('re-encrypts every secret with a new key file; the old key no longer opens them', async () => {
    const ids = await seed({ home, env: {} });
    const oldKey = loadSecretKey({ env: {}, home });
    const r = await runCli(['secret', 'rotate'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rotated 4 secrets from key [0-9a-f]{16} to key [0-9a-f]{16}/);
    const keyPath = join(home, 'secret.key');
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.equal(existsSync(join(home, 'secret.key.new')), false);
    const newKey = readSecretKeyFile(keyPath);
    assert.notEqual(newKey.id, oldKey.id);
    assert.ok(!r.stdout.includes(formatSecretKey(newKey)) && !r.stderr.includes(formatSecretKey(newKey)), 'the key is never printed');
    assert.deepEqual(await secretsWith({ home, env: {} }, ids), {
      target: { sshKey: SSH_KEY, knownHosts: '[127.0.0.1]:2222 ssh-ed25519 AAAA' }, totp: 'TOTPSECRETBASE32', webhooks: [{ url: hook.url(WEBHOOK_PATH), name: 'ops' }],
    });
    await assert.rejects(secretsWith({ home, secretKey: oldKey }, ids), /was encrypted with key/);
    await assert.rejects(webhookWith({ home, secretKey: oldKey }, ids.tenantId), /the URL of webhook webhook\.0 \(ops\) cannot be read: a stored secret \(tenant:[0-9a-f-]+:notifications\/webhook\.0\) was encrypted with key/);
    await deliversWith({ home, env: {} }, ids.tenantId);
    assert.ok(!readFileSync(join(home, 'fleet.sqlite')).includes(Buffer.from('rotation-webhook-token')), 'no webhook URL in the database file');
  });

  it('a key file readable by group is refused with a clear error and a chmod hint (exit 2), in Japanese too', async () => {
    const keyPath = join(home, 'secret.key');
    chmodSync(keyPath, 0o644);
    try {
      const r = await runCli(['secret', 'rotate'], { env: env() });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /secret key file .*secret\.key is accessible by group or other \(mode 644\)/);
      assert.match(r.stderr, /chmod 600/);
      const ja = await runCli(['secret', 'rotate'], { env: { ...env(), LANG: 'ja_JP.UTF-8' } });
      assert.equal(ja.code, 2);
      assert.match(ja.stderr, /ヒント: chmod 600/);
    } finally {
      chmodSync(keyPath, 0o600);
    }
  });

  it('with MAMORI_SECRET_KEY set, the new key must be given as a file (exit 2 with a hint), then it works', async () => {
    const current = readSecretKeyFile(join(home, 'secret.key'));
    const envKey = { ...env(), MAMORI_SECRET_KEY: formatSecretKey(current) };
    const r = await runCli(['secret', 'rotate'], { env: envKey });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--new-key-file/);
    const next = generateSecretKey();
    const file = join(home, 'next.key');
    writeFileSync(file, `${next.key.toString('hex')}\n`, { mode: 0o600 });
    const ok = await runCli(['secret', 'rotate', '--new-key-file', file], { env: envKey });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /set MAMORI_SECRET_KEY to the contents of/);
    const store = await openFleetStore({ home, secretKey: next });
    try {
      assert.deepEqual(await store.secretKeyIds(), [next.id]);
    } finally {
      await store.close();
    }
    // The same key again: nothing to rotate.
    const same = await runCli(['secret', 'rotate', '--new-key-file', file], { env: { ...env(), MAMORI_SECRET_KEY: next.key.toString('hex') } });
    assert.equal(same.code, 2);
    assert.match(same.stderr, /nothing to rotate/);
    // A wrong current key: refused, nothing changed.
    const file2 = join(home, 'next2.key');
    writeFileSync(file2, formatSecretKey(generateSecretKey()), { mode: 0o600 });
    const wrong = await runCli(['secret', 'rotate', '--new-key-file', file2], { env: { ...env(), MAMORI_SECRET_KEY: formatSecretKey(generateSecretKey()) } });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /neither the current key/);
    assert.ok(!readFileSync(join(home, 'fleet.sqlite')).includes(Buffer.from('OPENSSH PRIVATE KEY')), 'no plaintext in the database file');
  });
});

const pgDown = await postgresUnavailable();
describe('mamori secret rotate (PostgreSQL, MAMORI_SECRET_KEY)', { skip: pgDown }, () => {
  let db: TestDatabase;
  let home: string;
  before(async () => {
    db = await createTestDatabase('mamori_secret_cli');
    home = mkdtempSync(join(tmpdir(), 'mamori-secret-cli-pg-'));
  });
  after(async () => {
    await db?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  it('rotates the secrets stored in PostgreSQL', async () => {
    const oldKey = generateSecretKey();
    const ids = await seed({ url: db.url, home, secretKey: oldKey });
    const next = generateSecretKey();
    const file = join(home, 'next.key');
    writeFileSync(file, formatSecretKey(next), { mode: 0o600 });
    const r = await runCli(['secret', 'rotate', '--database', db.url, '--new-key-file', file], { env: { MAMORI_HOME: home, MAMORI_SECRET_KEY: formatSecretKey(oldKey) } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rotated 4 secrets.*PostgreSQL/);
    assert.deepEqual((await secretsWith({ url: db.url, home, secretKey: next }, ids)).totp, 'TOTPSECRETBASE32');
    await assert.rejects(secretsWith({ url: db.url, home, secretKey: oldKey }, ids), /was encrypted with key/);
    await assert.rejects(webhookWith({ url: db.url, home, secretKey: oldKey }, ids.tenantId), /webhook\.0 \(ops\) cannot be read: .*was encrypted with key/);
    await deliversWith({ url: db.url, home, secretKey: next }, ids.tenantId);
  });
});
