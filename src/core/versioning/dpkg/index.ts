/**
 * Debian versions (`[epoch:]upstream[-revision]`): Debian Policy §5.6.12 and dpkg's own code
 * (lib/dpkg/version.c verrevcmp(), lib/dpkg/parsehelp.c parseversion()). See README.md beside this file.
 */
import { fail, ok, type Result } from '../../result.js';
import type { Sign, VersionScheme } from '../types.js';

export interface DpkgVersion {
  readonly epoch: number;
  /** Whether the epoch was written (kept for format; `0:1.0` and `1.0` are equal). */
  readonly epochWritten: boolean;
  readonly upstream: string;
  /** `''` when there is no revision. */
  readonly revision: string;
  /**
   * dpkg's warning when the version is malformed but still ordered (parseversion() returns a warning, and
   * `dpkg --compare-versions` compares anyway): an upstream not starting with a digit, or a character outside
   * the allowed sets. Absent for a well-formed version.
   */
  readonly malformed?: string;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isBlank = (c: number) => c === 32 || c === 9;

/**
 * dpkg's order(): digits 0, letters their code, `~` -1, end 0, anything else code + 256. dpkg reads bytes
 * as (signed) `char`, so a byte ≥ 0x80 is negative there and orders as byte - 256 + 256 = the byte itself.
 */
function order(c: number): number {
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126) return -1;
  if (c >= 128) return c;
  if (c) return c + 256;
  return 0;
}

/** The UTF-8 bytes of a non-ASCII string, one char per byte (what dpkg's verrevcmp() walks); ASCII as is. */
const utf8 = new TextEncoder();
const asBytes = (s: string): string => (/^[\x00-\x7f]*$/.test(s) ? s : String.fromCharCode(...utf8.encode(s)));

/** dpkg's verrevcmp(): one part (upstream or revision) against another. */
export function verrevcmp(a: string, b: string): Sign {
  if (a === b) return 0;
  a = asBytes(a);
  b = asBytes(b);
  const la = a.length;
  const lb = b.length;
  let i = 0;
  let j = 0;
  while (i < la || j < lb) {
    let firstDiff = 0;
    for (;;) {
      const ca = i < la ? a.charCodeAt(i) : 0;
      const cb = j < lb ? b.charCodeAt(j) : 0;
      if (!((ca !== 0 && !isDigit(ca)) || (cb !== 0 && !isDigit(cb)))) break;
      const ac = order(ca);
      const bc = order(cb);
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    while (i < la && a.charCodeAt(i) === 48) i++;
    while (j < lb && b.charCodeAt(j) === 48) j++;
    while (i < la && j < lb && isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < la && isDigit(a.charCodeAt(i))) return 1;
    if (j < lb && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff) return firstDiff < 0 ? -1 : 1;
  }
  return 0;
}

const INT_MAX = 2147483647;

/**
 * dpkg's parseversion() (dpkg 1.21): its errors are rejections; its warnings (a non-digit start, odd
 * characters) are kept as `malformed` on a version that is still ordered, as `dpkg --compare-versions` does.
 */
export function parseDpkg(input: string): Result<DpkgVersion> {
  let start = 0;
  let end = input.length;
  while (start < end && isBlank(input.charCodeAt(start))) start++;
  if (start === end) return fail('version.invalid', 'version string is empty', input);
  let e = start;
  while (e < end && !isBlank(input.charCodeAt(e))) e++;
  for (let k = e; k < end; k++) {
    if (!isBlank(input.charCodeAt(k))) return fail('version.invalid', 'version string has embedded spaces', input);
  }
  end = e;
  const s = input.slice(start, end);
  if (s.length > 1024) return fail('version.invalid', 'version string longer than 1024 characters', input);
  const colon = s.indexOf(':');
  let epoch = 0;
  let epochWritten = false;
  let rest = s;
  if (colon >= 0) {
    // strtol(): optional sign, then digits, up to the colon
    const m = /^([+-]?)(\d+)$/.exec(s.slice(0, colon));
    if (colon === 0) return fail('version.invalid', 'epoch in version is empty', input);
    if (!m) return fail('version.invalid', 'epoch in version is not number', input);
    const digits = m[2]!.replace(/^0+(?=\d)/, '');
    if (m[1] === '-' && /[1-9]/.test(digits)) return fail('version.invalid', 'epoch in version is negative', input);
    if (digits.length > 10 || Number(digits) > INT_MAX) return fail('version.invalid', 'epoch in version is too big', input);
    epoch = Number(digits);
    epochWritten = true;
    rest = s.slice(colon + 1);
    if (rest.length === 0) return fail('version.invalid', 'nothing after colon in version number', input);
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision.length === 0) return fail('version.invalid', 'revision number is empty', input);
  if (upstream.length === 0) return fail('version.invalid', 'version number is empty', input);
  if (s.includes('\0')) return fail('version.invalid', 'version string holds a NUL character', input);
  const malformed = warning(upstream, revision);
  return ok(malformed ? { epoch, epochWritten, upstream, revision, malformed } : { epoch, epochWritten, upstream, revision });
}

/** parseversion()'s warnings, in its order (the first one found is the one dpkg prints). */
function warning(upstream: string, revision: string): string | undefined {
  if (!isDigit(upstream.charCodeAt(0))) return 'version number does not start with digit';
  for (let k = 1; k < upstream.length; k++) {
    const c = upstream.charCodeAt(k);
    if (!isDigit(c) && !isAlpha(c) && c !== 46 && c !== 45 && c !== 43 && c !== 126 && c !== 58) return 'invalid character in version number';
  }
  for (let k = 0; k < revision.length; k++) {
    const c = revision.charCodeAt(k);
    if (!isDigit(c) && !isAlpha(c) && c !== 46 && c !== 43 && c !== 126) return 'invalid character in revision number';
  }
  return undefined;
}

/** dpkg_version_compare(): epoch numerically, then upstream, then revision with verrevcmp(). */
export function compareDpkg(a: DpkgVersion, b: DpkgVersion): Sign {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export function formatDpkg(v: DpkgVersion): string {
  const needsEpoch = v.epoch !== 0 || v.upstream.includes(':');
  return `${needsEpoch ? `${v.epoch}:` : ''}${v.upstream}${v.revision ? `-${v.revision}` : ''}`;
}

export const dpkgScheme: VersionScheme<DpkgVersion> = {
  name: 'dpkg',
  parse: parseDpkg,
  compare: compareDpkg,
  format: formatDpkg,
  malformed: (v) => v.malformed,
};
