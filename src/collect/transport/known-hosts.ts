/** OpenSSH known_hosts: plain and hashed (`|1|salt|hash`) host patterns, `[host]:port` for other ports. */
import { createHash, createHmac } from 'node:crypto';

export interface KnownKey {
  type: string;
  /** base64 of the public key blob. */
  key: string;
  revoked: boolean;
}

/** The known_hosts name for a host and port, as OpenSSH writes it. */
export const hostPattern = (host: string, port: number) => (port === 22 ? host : `[${host}]:${port}`);

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

function hostMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const p of field.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

/** Keys recorded for `host` at `port` in a known_hosts text. */
export function knownKeys(text: string, host: string, port: number): KnownKey[] {
  const name = hostPattern(host, port);
  const out: KnownKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let revoked = false;
    if (parts[0] === '@revoked' || parts[0] === '@cert-authority') {
      if (parts[0] === '@cert-authority') continue;
      revoked = true;
      parts.shift();
    }
    const [hosts, type, key] = parts;
    if (!hosts || !type || !key) continue;
    if (hostMatches(hosts, name)) out.push({ type, key, revoked });
  }
  return out;
}

/** The key type named inside an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** OpenSSH's fingerprint of a public key blob: `SHA256:base64-without-padding`. */
export const fingerprint = (blob: Buffer) => `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
