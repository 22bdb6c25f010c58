/**
 * Upstream product versions as products print them (OpenSSL `1.0.2k`, `1.1.1w`, `3.0.19`; nginx `1.22.1`;
 * Apache httpd `2.4.62`; PHP `5.3.3`, `8.3.0RC1`; MySQL `5.7.44`, `8.0.36-log`; OpenSSH `7.4p1`).
 * See README.md beside this file for the grammar and the order.
 */
import { fail, ok, type Result } from '../../result.js';
import type { Sign, VersionScheme } from '../types.js';

/** Pre-release words, in order; anything else alphabetic is a post-release qualifier. */
const PRE_RANK: Record<string, number> = {
  dev: 0,
  snapshot: 0,
  alpha: 1,
  a: 1,
  beta: 2,
  b: 2,
  pre: 3,
  preview: 3,
  m: 3,
  milestone: 3,
  rc: 4,
  cr: 4,
};
const PRE_NAME = ['dev', 'alpha', 'beta', 'pre', 'rc'];
const POST_ALIAS: Record<string, string> = { p: 'p', pl: 'p', patch: 'p', post: 'p' };
/** Words that say "this is the release": they carry no order. */
const RELEASE_WORDS = new Set(['final', 'ga', 'release', 'stable']);

/** An item of the order: a number, a pre-release word (rank), or a post-release qualifier (text). */
export type GenericItem =
  | { readonly k: 'num'; readonly n: string }
  | { readonly k: 'pre'; readonly rank: number }
  | { readonly k: 'post'; readonly s: string; readonly letter: boolean };

export interface GenericVersion {
  readonly text: string;
  readonly items: readonly GenericItem[];
  /** What compare ignores: `+build` metadata and a `-flavor` tag (`-log`, `-community`, `-MariaDB…`). */
  readonly ignored: string;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSep = (c: number) => c === 46 || c === 45 || c === 95;

export function parseGeneric(input: string): Result<GenericVersion> {
  if (input.length === 0) return fail('version.invalid', 'empty version', input);
  if (input.length > 128) return fail('version.invalid', 'version longer than 128 characters', input);
  let s = input;
  let ignored = '';
  const plus = s.indexOf('+');
  if (plus >= 0) {
    ignored = s.slice(plus);
    s = s.slice(0, plus);
    if (!/^\+[0-9A-Za-z.\-_+~]+$/.test(ignored)) return fail('version.invalid', 'bad build metadata after "+"', input);
  }
  if (s.charCodeAt(0) === 118 || s.charCodeAt(0) === 86) s = s.slice(1);
  if (!/^[0-9][0-9A-Za-z._-]*$/.test(s)) return fail('version.invalid', 'not a version: expected digits, letters and . - _ starting with a digit', input);
  if (isSep(s.charCodeAt(s.length - 1))) return fail('version.invalid', 'version ends with a separator', input);
  if (/[._-]{2}/.test(s)) return fail('version.invalid', 'version has two separators in a row', input);
  const items: GenericItem[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isSep(c)) {
      // `-word` of three letters or more that is not a known word starts a flavor tag: ignored from here on
      if (c === 45) {
        let k = i + 1;
        while (k < s.length && isLetter(s.charCodeAt(k))) k++;
        const word = s.slice(i + 1, k).toLowerCase();
        if (k - i - 1 >= 3 && !(word in PRE_RANK) && !(word in POST_ALIAS) && !RELEASE_WORDS.has(word)) {
          ignored = s.slice(i) + ignored;
          break;
        }
      }
      i++;
      continue;
    }
    if (isDigit(c)) {
      let k = i;
      while (k < s.length && isDigit(s.charCodeAt(k))) k++;
      items.push({ k: 'num', n: s.slice(i, k).replace(/^0+(?=\d)/, '') });
      i = k;
      continue;
    }
    let k = i;
    while (k < s.length && isLetter(s.charCodeAt(k))) k++;
    const word = s.slice(i, k).toLowerCase();
    const attached = i > 0 && isDigit(s.charCodeAt(i - 1));
    const nextIsDigit = k < s.length && isDigit(s.charCodeAt(k));
    if (word.length === 1 && attached && !nextIsDigit) items.push({ k: 'post', s: word, letter: true });
    else if (word in PRE_RANK) items.push({ k: 'pre', rank: PRE_RANK[word]! });
    else if (word in POST_ALIAS) items.push({ k: 'post', s: POST_ALIAS[word]!, letter: false });
    else if (!RELEASE_WORDS.has(word)) items.push({ k: 'post', s: word, letter: false });
    i = k;
  }
  return ok({ text: input, items, ignored });
}

/** Tiers: pre-release < end of version = 0 < post-release qualifier < 1 < 2 < … */
function tier(x: GenericItem | undefined): number {
  if (x === undefined) return 1;
  if (x.k === 'pre') return 0;
  if (x.k === 'post') return 2;
  return x.n === '0' ? 1 : 3;
}

export function compareGeneric(a: GenericVersion, b: GenericVersion): Sign {
  const n = Math.max(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const x = a.items[i];
    const y = b.items[i];
    const tx = tier(x);
    const ty = tier(y);
    if (tx !== ty) return tx < ty ? -1 : 1;
    if (x === undefined || y === undefined) continue;
    if (x.k === 'num' && y.k === 'num') {
      if (x.n.length !== y.n.length) return x.n.length < y.n.length ? -1 : 1;
      if (x.n !== y.n) return x.n < y.n ? -1 : 1;
    } else if (x.k === 'pre' && y.k === 'pre') {
      if (x.rank !== y.rank) return x.rank < y.rank ? -1 : 1;
    } else if (x.k === 'post' && y.k === 'post') {
      if (x.s !== y.s) return x.s < y.s ? -1 : 1;
    }
  }
  return 0;
}

/** A canonical spelling that parses back to the same items. */
export function formatGeneric(v: GenericVersion): string {
  let out = '';
  let prev: GenericItem | undefined;
  for (const x of v.items) {
    if (x.k === 'num') out += prev === undefined ? x.n : prev.k === 'num' ? `.${x.n}` : prev.k === 'post' && prev.letter ? `.${x.n}` : x.n;
    else if (x.k === 'pre') out += `${prev === undefined ? '0' : ''}-${PRE_NAME[x.rank]}`;
    else if (x.letter) out += x.s;
    else out += prev !== undefined && prev.k === 'num' ? x.s : `.${x.s}`;
    prev = x;
  }
  return out;
}

export const genericScheme: VersionScheme<GenericVersion> = {
  name: 'generic',
  parse: parseGeneric,
  compare: compareGeneric,
  format: formatGeneric,
};
