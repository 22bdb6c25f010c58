/** Secrets at rest (src/fleet/secrets.ts): key sources, the 0600 key file, AES-256-GCM seals bound to their slot. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decryptSecret, encryptSecret, generateSecretKey, keyIdOfSealed, loadSecretKey, parseSecretKey, SecretKeyError } from '../../src/fleet/secrets.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mamori-secrets-'));

describe('fleet secrets', () => {
  it('MAMORI_SECRET_KEY as hex or base64 of 32 bytes; anything else is refused with a hint', () => {
    const k = generateSecretKey();
    const hex = loadSecretKey({ env: { MAMORI_SECRET_KEY: k.key.toString('hex') }, home: '/nonexistent' });
    const b64 = loadSecretKey({ env: { MAMORI_SECRET_KEY: k.key.toString('base64') }, home: '/nonexistent' });
    const url = loadSecretKey({ env: { MAMORI_SECRET_KEY: k.key.toString('base64url') }, home: '/nonexistent' });
    assert.equal(hex.id, k.id);
    assert.equal(b64.id, k.id);
    assert.equal(url.id, k.id);
    for (const bad of ['short', Buffer.alloc(16).toString('base64'), 'z'.repeat(64), Buffer.alloc(33).toString('hex')]) {
      assert.throws(() => parseSecretKey(bad, 'MAMORI_SECRET_KEY'), (e: Error) => e instanceof SecretKeyError && /MAMORI_SECRET_KEY is not 32 bytes/.test(e.message) && !e.message.includes(bad));
    }
  });

  it('the key file is created 0600 on first use, read back the same, and refused when group or other can read it', () => {
    const home = tmp();
    try {
      const k1 = loadSecretKey({ env: {}, home });
      const path = join(home, 'secret.key');
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(loadSecretKey({ env: {}, home }).id, k1.id);
      assert.equal(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64').length, 32);
      chmodSync(path, 0o640);
      assert.throws(() => loadSecretKey({ env: {}, home }), (e: SecretKeyError) => /accessible by group or other \(mode 640\)/.test(e.message) && e.hint === `chmod 600 ${path}`);
      chmodSync(path, 0o604);
      assert.throws(() => loadSecretKey({ env: {}, home }), SecretKeyError);
      chmodSync(path, 0o600);
      writeFileSync(path, 'not a key\n');
      assert.throws(() => loadSecretKey({ env: {}, home }), /not 32 bytes/);
      rmSync(path);
      assert.throws(() => loadSecretKey({ env: {}, home, create: false }), /does not exist/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('seal/open round-trips any text (property); every seal has its own IV and names its key', () => {
    const k = generateSecretKey();
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 40 }), (plain, slot) => {
      const a = encryptSecret(k, plain, slot);
      const b = encryptSecret(k, plain, slot);
      assert.notEqual(a, b);
      assert.equal(keyIdOfSealed(a), k.id);
      assert.equal(Buffer.from(a.split(':')[2]!, 'base64').length, 12);
      assert.equal(decryptSecret(k, a, slot), plain);
    }), { numRuns: 200 });
  });

  it('a seal opens only in its own slot, with its own key, unaltered', () => {
    const k = generateSecretKey('key A');
    const sealed = encryptSecret(k, 'ssh private key', 'target:1:sshKey');
    assert.throws(() => decryptSecret(k, sealed, 'target:2:sshKey'), /failed authentication/);
    const other = generateSecretKey('key B');
    assert.throws(() => decryptSecret(other, sealed, 'target:1:sshKey'), (e: Error) => e.message.includes(k.id) && e.message.includes(other.id) && e.message.includes('key B'));
    const parts = sealed.split(':');
    const ct = Buffer.from(parts[3]!, 'base64');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64');
    assert.throws(() => decryptSecret(k, parts.join(':'), 'target:1:sshKey'), /failed authentication/);
    assert.throws(() => decryptSecret(k, 'plaintext', 'target:1:sshKey'), /not in the expected format/);
  });
});
