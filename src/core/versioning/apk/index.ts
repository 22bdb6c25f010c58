/**
 * Alpine apk versions, as apk-tools src/version.c (apk-tools 2.14 / 3.x) tokenises and compares them:
 * `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`. See README.md beside this file.
 *
 * Parsing runs apk-tools' tokenizer once and keeps the tokens; comparing replays
 * apk_version_compare_fuzzy(a, b, false) on them. What apk_version_validate() rejects is still ordered as
 * apk-tools orders it, and marked `malformed`.
 */
import { fail, ok, type Result } from '../../result.js';
import type { Sign, VersionScheme } from '../types.js';

const T_INITIAL_DIGIT = 0;
const T_DIGIT = 1;
const T_LETTER = 2;
const T_SUFFIX = 3;
const T_SUFFIX_NO = 4;
const T_COMMIT_HASH = 5;
const T_REVISION_NO = 6;
const T_END = 7;
const T_INVALID = 8;

/** apk-tools' suffix enum: INVALID, ALPHA … RC, NONE (the pivot), CVS … P. */
const SUFFIX_NONE = 5;
const SUFFIXES: Record<string, number> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };

type Num = number | bigint;

export interface ApkVersion {
  readonly text: string;
  /** The tokens read before the end or the first invalid one. */
  readonly tokens: readonly number[];
  /** Numeric value (digits, suffix numbers, revision), the suffix enum, or the letter's code. */
  readonly numbers: readonly Num[];
  /** The token's text, for apk's raw string comparisons (leading zeros, commit hashes). */
  readonly values: readonly string[];
  /** What stopped the tokenizer: the end (T_END) or an invalid token (T_INVALID). */
  readonly last: number;
  /** Why apk_version_validate() rejects it (apk_version_compare() still orders it), when it does. */
  readonly malformed?: string;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLower = (c: number) => c >= 97 && c <= 122;
const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/**
 * apk-tools' token_first()/token_next() over the whole string. A version apk_version_validate() rejects
 * (`1.0bc`, `23_foo`, `a1`) is still a value: its tokens up to the invalid one, then TOKEN_INVALID, which
 * apk_version_compare() orders (after the tokens, it sorts below everything but a pre-release suffix).
 */
export function parseApk(input: string): Result<ApkVersion> {
  if (input.length === 0) return fail('version.invalid', 'not a valid apk version: empty', input);
  if (input.length > 256) return fail('version.invalid', 'not a valid apk version: longer than 256 characters', input);
  const tokens: number[] = [];
  const numbers: Num[] = [];
  const values: string[] = [];
  const s = input;
  let i = 0;
  let token = T_INITIAL_DIGIT;
  const invalid = (why: string): Result<ApkVersion> => ok({ text: input, tokens, numbers, values, last: T_INVALID, malformed: why });
  /** token_parse_digits(): apk_blob_pull_uint() (uint64, wrapping) and the digits' text. */
  const digits = (): boolean => {
    const start = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === start) return false;
    const text = s.slice(start, i);
    tokens.push(token);
    numbers.push(i - start <= 15 ? Number(text) : BigInt.asUintN(64, BigInt(text)));
    values.push(text);
    return true;
  };
  if (!digits()) return invalid('does not start with a digit');
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isLower(c)) {
      if (token > T_DIGIT) return invalid(`letter "${s[i]}" not allowed here`);
      token = T_LETTER;
      tokens.push(token);
      numbers.push(c);
      values.push(s[i]!);
      i++;
    } else if (c === 46 || isDigit(c)) {
      if (c === 46) {
        if (token > T_DIGIT) return invalid('"." not allowed here');
        i++;
      }
      if (token === T_INITIAL_DIGIT || token === T_DIGIT) token = T_DIGIT;
      else if (token === T_SUFFIX) token = T_SUFFIX_NO;
      else return invalid('number not allowed here');
      if (!digits()) return invalid('expected digits');
    } else if (c === 95 /* _ */) {
      if (token > T_SUFFIX_NO) return invalid('"_" suffix not allowed here');
      i++;
      const start = i;
      while (i < s.length && isLower(s.charCodeAt(i))) i++;
      const word = s.slice(start, i);
      const suffix = Object.hasOwn(SUFFIXES, word) ? SUFFIXES[word] : undefined;
      if (suffix === undefined) return invalid(`unknown suffix "_${word}"`);
      token = T_SUFFIX;
      tokens.push(token);
      numbers.push(suffix);
      values.push(word);
    } else if (c === 126 /* ~ */) {
      if (token >= T_COMMIT_HASH) return invalid('"~" not allowed here');
      i++;
      const start = i;
      while (i < s.length && isHex(s.charCodeAt(i))) i++;
      if (i === start) return invalid('empty commit hash after "~"');
      token = T_COMMIT_HASH;
      tokens.push(token);
      numbers.push(0);
      values.push(s.slice(start, i));
    } else if (c === 45 /* - */) {
      if (token >= T_REVISION_NO) return invalid('"-" not allowed here');
      if (s.charCodeAt(i + 1) !== 114 /* r */) return invalid('"-" must start a "-rN" revision');
      i += 2;
      token = T_REVISION_NO;
      if (!digits()) return invalid('expected digits after "-r"');
    } else return invalid(`character "${s[i]}" not allowed`);
  }
  return ok({ text: input, tokens, numbers, values, last: T_END });
}

const cmpNum = (a: Num, b: Num): Sign => (a < b ? -1 : a > b ? 1 : 0);
/** apk_blob_sort(): memcmp over the shorter length, then the shorter first. */
const cmpBlob = (a: string, b: string): Sign => (a < b ? -1 : a > b ? 1 : 0);

function tokenCmp(a: ApkVersion, b: ApkVersion, k: number): Sign {
  const t = a.tokens[k]!;
  if (t === T_DIGIT) {
    const va = a.values[k]!;
    const vb = b.values[k]!;
    if (va.charCodeAt(0) === 48 || vb.charCodeAt(0) === 48) return cmpBlob(va, vb);
  }
  if (t === T_COMMIT_HASH) return cmpBlob(a.values[k]!, b.values[k]!);
  return cmpNum(a.numbers[k]!, b.numbers[k]!);
}

/** apk_version_compare(a, b): apk_version_compare_fuzzy(a, b, false), invalid tokens included. */
export function compareApk(a: ApkVersion, b: ApkVersion): Sign {
  const tokenAt = (v: ApkVersion, k: number) => (k < v.tokens.length ? v.tokens[k]! : v.last);
  let k = 0;
  for (; tokenAt(a, k) === tokenAt(b, k) && tokenAt(a, k) < T_END; k++) {
    const r = tokenCmp(a, b, k);
    if (r !== 0) return r;
  }
  const ta = tokenAt(a, k);
  const tb = tokenAt(b, k);
  if (ta === tb) return 0;
  if (ta === T_SUFFIX && (a.numbers[k] as number) < SUFFIX_NONE) return -1;
  if (tb === T_SUFFIX && (b.numbers[k] as number) < SUFFIX_NONE) return 1;
  if (ta > tb) return -1;
  if (tb > ta) return 1;
  return 0;
}

export const apkScheme: VersionScheme<ApkVersion> = {
  name: 'apk',
  parse: parseApk,
  compare: compareApk,
  format: (v) => v.text,
  malformed: (v) => v.malformed,
};

