/**
 * Checks of a target's fields shared by POST /api/targets, PATCH and the fleet import: the address fits the kind
 * (`HOST[:PORT]` for a host, an http(s) URL for a site), SSH material looks like what it claims. Answers the
 * first problem as `field: what is wrong`, or undefined.
 */
import type { FleetTargetKind } from '../fleet/types.js';

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(?::(\d{1,5}))?$/;

export function checkAddress(kind: FleetTargetKind, address: string): string | undefined {
  if (kind === 'host') {
    const m = HOST.exec(address);
    if (!m) return `is not HOST[:PORT] ("${address.slice(0, 80)}")`;
    if (m[1] !== undefined && (Number(m[1]) < 1 || Number(m[1]) > 65535)) return `port ${m[1]} is out of range 1-65535`;
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return `is not a URL ("${address.slice(0, 80)}"); a site is given as https://host/`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// URL, not ${url.protocol}`;
  if (url.username || url.password) return 'must not carry a user name or password';
  return undefined;
}

export function checkSshKey(text: string): string | undefined {
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) return 'is not a private key in PEM/OpenSSH form (-----BEGIN … PRIVATE KEY-----)';
  return undefined;
}

export function checkKnownHosts(text: string): string | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.trimStart().startsWith('#'));
  if (lines.length === 0) return 'has no host key line';
  const bad = lines.findIndex((l) => l.trim().split(/\s+/).length < 3);
  if (bad >= 0) return `line ${bad + 1} is not "HOSTS KEYTYPE KEY"`;
  return undefined;
}

/** The fields of a host that only make sense for hosts. */
export function checkKindFields(kind: FleetTargetKind, f: { sshUser?: string | null; sshKey?: string | null; knownHosts?: string | null }): string | undefined {
  if (kind === 'site' && (f.sshUser || f.sshKey || f.knownHosts)) return 'sshUser: SSH settings are for hosts only (kind "site" is scanned over HTTP)';
  return undefined;
}
