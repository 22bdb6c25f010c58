/**
 * PHP's version_compare(), ported from php-src ext/standard/versioning.c (php_canonicalize_version,
 * compare_special_version_forms, php_version_compare). See README.md beside this file.
 */
import { fail, ok, type Result } from '../../result.js';
import type { Sign, VersionScheme } from '../types.js';

/** A canonical version split once at its dots, each part ready for php_version_compare()'s loop. */
export interface PhpParts {
  readonly parts: readonly string[];
  /** A part that starts with a digit: its strtol() value as a digit string (no leading zeros, saturated). */
  readonly num: readonly (string | undefined)[];
  /** The special-form order of each part (a number part counts as `#`, 4). */
  readonly ord: readonly number[];
}

export interface PhpVersion extends PhpParts {
  readonly text: string;
  /** The canonical form version_compare() works on (the text itself when it starts with `#`). */
  readonly canon: string;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlnum = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** isdig(x): a digit; isndig(x): neither a digit nor a dot. */
const isDig = (c: number) => isDigit(c);
const isNdig = (c: number) => !isDigit(c) && c !== 46;
const isSpecialVer = (c: number) => c === 45 || c === 95 || c === 43;

/** php_canonicalize_version(): `-_+` and other non-alphanumerics become `.`, and `.` goes between letters and digits. */
export function canonicalizePhp(version: string): string {
  const n = version.length;
  if (n === 0) return '';
  let q = version[0]!;
  let lp = version.charCodeAt(0);
  for (let i = 1; i < n; i++) {
    const p = version.charCodeAt(i);
    const last = q.charCodeAt(q.length - 1);
    if (isSpecialVer(p)) {
      if (last !== 46) q += '.';
    } else if ((isNdig(lp) && isDig(p)) || (isDig(lp) && isNdig(p))) {
      if (last !== 46) q += '.';
      q += version[i]!;
    } else if (!isAlnum(p)) {
      if (last !== 46) q += '.';
    } else q += version[i]!;
    lp = p;
  }
  return q;
}

const SPECIAL: readonly (readonly [string, number])[] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialOrder(form: string): number {
  for (const [name, order] of SPECIAL) if (form.startsWith(name)) return order;
  return -1;
}

function compareSpecial(a: string, b: string): Sign {
  const d = specialOrder(a) - specialOrder(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/** strtol() on a run of digits, saturating at LONG_MAX like a 64-bit C long. */
const LONG_MAX = '9223372036854775807';
function strtolDigits(s: string): string {
  let i = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  let d = s.slice(0, i).replace(/^0+/, '');
  if (d.length > LONG_MAX.length || (d.length === LONG_MAX.length && d > LONG_MAX)) d = LONG_MAX;
  return d;
}
function compareNumeric(a: string, b: string): Sign {
  const x = strtolDigits(a);
  const y = strtolDigits(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** php_version_compare() on already-canonical strings (`#…` strings are used as they are). */
export function compareCanon(ver1: string, ver2: string): Sign {
  let p1 = 0;
  let p2 = 0;
  let n1: number | null = 0;
  let n2: number | null = 0;
  let compare: Sign = 0;
  while (p1 < ver1.length && p2 < ver2.length && n1 !== null && n2 !== null) {
    const d1 = ver1.indexOf('.', p1);
    const d2 = ver2.indexOf('.', p2);
    n1 = d1 < 0 ? null : d1;
    n2 = d2 < 0 ? null : d2;
    const s1 = ver1.slice(p1, n1 ?? ver1.length);
    const s2 = ver2.slice(p2, n2 ?? ver2.length);
    const dig1 = isDigit(s1.charCodeAt(0));
    const dig2 = isDigit(s2.charCodeAt(0));
    if (dig1 && dig2) compare = compareNumeric(s1, s2);
    else if (!dig1 && !dig2) compare = compareSpecial(s1, s2);
    else if (dig1) compare = compareSpecial('#N#', s2);
    else compare = compareSpecial(s1, '#N#');
    if (compare !== 0) break;
    if (n1 !== null) p1 = n1 + 1;
    if (n2 !== null) p2 = n2 + 1;
  }
  if (compare === 0) {
    if (n1 !== null) {
      if (isDigit(ver1.charCodeAt(p1))) compare = 1;
      else compare = phpVersionCompare(ver1.slice(p1), '#N#');
    } else if (n2 !== null) {
      if (isDigit(ver2.charCodeAt(p2))) compare = -1;
      else compare = phpVersionCompare('#N#', ver2.slice(p2));
    }
  }
  return compare;
}

/** The form php_version_compare() works on: canonicalised, or the string itself when it starts with `#`. */
export const canonOf = (s: string) => (s.charCodeAt(0) === 35 /* # */ ? s : canonicalizePhp(s));

/** version_compare($a, $b) exactly as PHP 8 answers it, for any two strings. */
export function phpVersionCompare(a: string, b: string): Sign {
  if (a.length === 0 || b.length === 0) {
    if (a.length === 0 && b.length === 0) return 0;
    return a.length ? 1 : -1;
  }
  return compareCanon(canonOf(a), canonOf(b));
}

const isAlnumAt = (s: string, i: number) => isAlnum(s.charCodeAt(i));

/**
 * version_compare() takes any string. As a version scheme mamori accepts what PHP orders consistently:
 * no whitespace or control characters, at most 256 characters, and the first and last characters letters or
 * digits. PHP compares a string that ends in a separator (`1.`, `1.2(message)`) as below itself
 * (version_compare('1.', '1.') is -1), and one that starts with `#` or a separator skips canonicalisation
 * or starts with an empty part; those are rejected rather than ordered inconsistently.
 */
export function parsePhp(input: string): Result<PhpVersion> {
  if (input.length === 0) return fail('version.invalid', 'empty version', input);
  if (input.length > 256) return fail('version.invalid', 'version longer than 256 characters', input);
  if (/[\x00-\x20\x7f]/.test(input)) return fail('version.invalid', 'version contains whitespace or control characters', input);
  if (!isAlnumAt(input, 0) || !isAlnumAt(input, input.length - 1))
    return fail('version.invalid', 'a PHP version must start and end with a letter or digit (version_compare() orders other strings inconsistently)', input);
  const canon = canonOf(input);
  return ok({ text: input, canon, ...splitCanon(canon) });
}

/** Splits a canonical version for comparePhpParts(). */
export function splitCanon(canon: string): PhpParts {
  const parts = canon.split('.');
  const num = parts.map((p) => (isDigit(p.charCodeAt(0)) ? strtolDigits(p) : undefined));
  const ord = parts.map((p, i) => (num[i] !== undefined ? 4 : specialOrder(p)));
  return { parts, num, ord };
}

/**
 * php_version_compare() on pre-split canonical versions: the same loop as compareCanon() over arrays, so
 * comparing parsed values does not rescan strings. The rare tail case (one side has more parts that do not
 * start with a digit) goes through the string implementation.
 */
export function comparePhpParts(a: PhpParts, b: PhpParts): Sign {
  const ka = a.parts.length - 1;
  const kb = b.parts.length - 1;
  const emptyA = a.parts[ka] === '';
  const emptyB = b.parts[kb] === '';
  let i = 0;
  let j = 0;
  let n1 = true;
  let n2 = true;
  let compare: Sign = 0;
  while ((i < ka || !emptyA) && (j < kb || !emptyB) && n1 && n2) {
    n1 = i < ka;
    n2 = j < kb;
    const x = a.num[i];
    const y = b.num[j];
    if (x !== undefined && y !== undefined) compare = x.length !== y.length ? (x.length < y.length ? -1 : 1) : x < y ? -1 : x > y ? 1 : 0;
    else {
      const d = a.ord[i]! - b.ord[j]!;
      compare = d < 0 ? -1 : d > 0 ? 1 : 0;
    }
    if (compare !== 0) break;
    if (n1) i++;
    if (n2) j++;
  }
  if (compare === 0) {
    if (n1) {
      if (a.num[i] !== undefined) return 1;
      return phpVersionCompare(a.parts.slice(i).join('.'), '#N#');
    }
    if (n2) {
      if (b.num[j] !== undefined) return -1;
      return phpVersionCompare('#N#', b.parts.slice(j).join('.'));
    }
  }
  return compare;
}

export const phpScheme: VersionScheme<PhpVersion> = {
  name: 'php',
  parse: parsePhp,
  compare: comparePhpParts,
  format: (v) => v.text,
};
