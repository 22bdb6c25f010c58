/**
 * Secrets at rest: SSH keys, known_hosts, TOTP secrets and webhook URLs are stored as AES-256-GCM ciphertexts, each with a
 * random 96-bit IV and the id of the key that sealed it. The key comes from `MAMORI_SECRET_KEY` (base64 or hex of
 * 32 bytes) or from the key file `$MAMORI_HOME/secret.key` (0600, created on first use; a file readable by group or
 * other is refused). The key id (first 16 hex digits of SHA-256 of the key) lets a wrong key be named as such
 * instead of failing with a bare authentication error.
 *
 * Stored form: `v1:<keyId>:<iv base64>:<ciphertext base64>:<tag base64>`. The associated data binds the
 * ciphertext to its slot (`target:<id>:sshKey`, `tenant:<id>:notifications/webhook.0`), so a ciphertext copied
 * into another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SecretKey {
  /** 16 hex digits: SHA-256 of the key, truncated. Stored beside every ciphertext; not secret. */
  id: string;
  key: Buffer;
  /** Where the key came from, for messages (`MAMORI_SECRET_KEY`, or the key file's path). */
  source: string;
}

/** A key that cannot be loaded or does not open a stored secret. The message names what and where, never the key. */
export class SecretKeyError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

export const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** A 32-byte key from its text form: 64 hex digits or base64 (standard or URL-safe) of 32 bytes. */
export function parseSecretKey(text: string, source: string): SecretKey {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) key = b;
  }
  if (!key) throw new SecretKeyError(`the secret key in ${source} is not 32 bytes as base64 or 64 hex digits`, 'generate one with: openssl rand -base64 32');
  return { id: keyIdOf(key), key, source };
}

export const generateSecretKey = (source = 'generated'): SecretKey => {
  const key = randomBytes(32);
  return { id: keyIdOf(key), key, source };
};

export const formatSecretKey = (k: SecretKey): string => k.key.toString('base64');

export const secretKeyPath = (home: string): string => join(home, 'secret.key');

/** Reads a key file, refusing one that group or other may read or write. */
export function readSecretKeyFile(path: string): SecretKey {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if ((st.mode & 0o077) !== 0) {
      throw new SecretKeyError(`the secret key file ${path} is accessible by group or other (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')}); it must be 0600`, `chmod 600 ${path}`);
    }
    return parseSecretKey(readFileSync(fd, 'utf8'), path);
  } finally {
    closeSync(fd);
  }
}

/** Writes a key file with mode 0600 (exclusive create: an existing file is never overwritten). */
export function writeSecretKeyFile(path: string, key: SecretKey): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${formatSecretKey(key)}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
}

/**
 * The store's key: `MAMORI_SECRET_KEY` when set, else `$MAMORI_HOME/secret.key`, created (0600) when absent and
 * `create` is true (the first start of a server).
 */
export function loadSecretKey(opts: { env?: NodeJS.ProcessEnv; home: string; create?: boolean }): SecretKey {
  const env = opts.env ?? process.env;
  const fromEnv = env.MAMORI_SECRET_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return parseSecretKey(fromEnv, 'MAMORI_SECRET_KEY');
  const path = secretKeyPath(opts.home);
  if (!existsSync(path)) {
    if (opts.create === false) throw new SecretKeyError(`no secret key: MAMORI_SECRET_KEY is not set and ${path} does not exist`, 'set MAMORI_SECRET_KEY or restore the key file');
    const k = generateSecretKey(path);
    try {
      writeSecretKeyFile(path, k);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new SecretKeyError(`cannot create the secret key file ${path}: ${(err as Error).message}`, 'set MAMORI_HOME to a writable directory or set MAMORI_SECRET_KEY');
    }
    return readSecretKeyFile(path);
  }
  return readSecretKeyFile(path);
}

const PREFIX = 'v1';

/** Seals `plaintext` for the slot `aad` (e.g. `target:<id>:sshKey`). */
export function encryptSecret(key: SecretKey, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key.key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return [PREFIX, key.id, iv.toString('base64'), ct.toString('base64'), c.getAuthTag().toString('base64')].join(':');
}

/** The key id a stored secret was sealed with. */
export function keyIdOfSealed(sealed: string): string | undefined {
  const parts = sealed.split(':');
  return parts.length === 5 && parts[0] === PREFIX ? parts[1] : undefined;
}

export function decryptSecret(key: SecretKey, sealed: string, aad: string): string {
  const parts = sealed.split(':');
  if (parts.length !== 5 || parts[0] !== PREFIX) throw new SecretKeyError(`a stored secret (${aad}) is not in the expected format`);
  const [, keyId, iv, ct, tag] = parts as [string, string, string, string, string];
  if (keyId !== key.id) {
    throw new SecretKeyError(
      `a stored secret (${aad}) was encrypted with key ${keyId}, but the key from ${key.source} is ${key.id}`,
      'use the key the store was created with (MAMORI_SECRET_KEY or $MAMORI_HOME/secret.key), or rotate with `mamori secret rotate`',
    );
  }
  try {
    const d = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64'));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError(`a stored secret (${aad}) failed authentication: it was altered or moved to another row`);
  }
}

/** What the store offers rotation: re-seal every stored secret in one transaction. */
export interface SecretRotatable {
  reencryptSecrets(oldKey: SecretKey, newKey: SecretKey): Promise<number>;
}

/**
 * Re-encrypts every stored secret from `oldKey` to `newKey` in one transaction (all or nothing); returns how many.
 * A secret not sealed with `oldKey` aborts the rotation with a clear error and changes nothing.
 */
export async function rotateSecrets(store: SecretRotatable, oldKey: SecretKey, newKey: SecretKey): Promise<number> {
  return store.reencryptSecrets(oldKey, newKey);
}
