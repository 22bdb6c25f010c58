/**
 * Alpine apk versions, as apk-tools src/version.c (apk-tools 2.14 / 3.x) tokenises and compares them:
 * `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`. See README.md beside this file.
 *
 * Parsing runs apk-tools' tokenizer once and keeps the tokens; comparing replays
 * apk_version_compare_fuzzy(a, b, false) on them. What apk_version_validate() rejects is rejected here.
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

/** apk-tools' suffix enum: INVALID, ALPHA … RC, NONE (the pivot), CVS … P. */
const SUFFIX_NONE = 5;
const SUFFIXES: Record<string, number> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };

type Num = number | bigint;

export interface ApkVersion {
  readonly text: string;
  readonly tokens: readonly number[];
  /** Numeric value (digits, suffix numbers, revision), the suffix enum, or the letter's code. */
  readonly numbers: readonly Num[];
  /** The token's text, for apk's raw string comparisons (leading zeros, commit hashes). */
  readonly values: readonly string[];
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLower = (c: number) => c >= 97 && c <= 122;
const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

export function parseApk(input: string): Result<ApkVersion> {
  const bad = (why: string) => fail('version.invalid', `not a valid apk version: ${why}`, input);
  if (input.length === 0) return bad('empty');
  if (input.length > 256) return bad('longer than 256 characters');
  const tokens: number[] = [];
  const numbers: Num[] = [];
  const values: string[] = [];
  const s = input;
  let i = 0;
  let token = T_INITIAL_DIGIT;
  const digits = (): boolean => {
    const start = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === start) return false;
    if (i - start > 19) return false;
    const text = s.slice(start, i);
    tokens.push(token);
    numbers.push(i - start <= 15 ? Number(text) : BigInt(text));
    values.push(text);
    return true;
  };
  if (!digits()) return bad('must start with a digit');
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isLower(c)) {
      if (token > T_DIGIT) return bad(`letter "${s[i]}" not allowed here`);
      token = T_LETTER;
      tokens.push(token);
      numbers.push(c);
      values.push(s[i]!);
      i++;
    } else if (c === 46 || isDigit(c)) {
      if (c === 46) {
        if (token > T_DIGIT) return bad('"." not allowed here');
        i++;
      }
      if (token === T_INITIAL_DIGIT || token === T_DIGIT) token = T_DIGIT;
      else if (token === T_SUFFIX) token = T_SUFFIX_NO;
      else return bad('number not allowed here');
      if (!digits()) return bad('expected digits');
    } else if (c === 95 /* _ */) {
      if (token > T_SUFFIX_NO) return bad('"_" suffix not allowed here');
      i++;
      const start = i;
      while (i < s.length && isLower(s.charCodeAt(i))) i++;
      const word = s.slice(start, i);
      const suffix = SUFFIXES[word];
      if (suffix === undefined) return bad(`unknown suffix "_${word}"`);
      token = T_SUFFIX;
      tokens.push(token);
      numbers.push(suffix);
      values.push(word);
    } else if (c === 126 /* ~ */) {
      if (token >= T_COMMIT_HASH) return bad('"~" not allowed here');
      i++;
      const start = i;
      while (i < s.length && isHex(s.charCodeAt(i))) i++;
      if (i === start) return bad('empty commit hash after "~"');
      token = T_COMMIT_HASH;
      tokens.push(token);
      numbers.push(0);
      values.push(s.slice(start, i));
    } else if (c === 45 /* - */) {
      if (token >= T_REVISION_NO) return bad('"-" not allowed here');
      if (s.charCodeAt(i + 1) !== 114 /* r */) return bad('"-" must start a "-rN" revision');
      i += 2;
      token = T_REVISION_NO;
      if (!digits()) return bad('expected digits after "-r"');
    } else return bad(`character "${s[i]}" not allowed`);
  }
  return ok({ text: input, tokens, numbers, values });
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

/** apk_version_compare(a, b). */
export function compareApk(a: ApkVersion, b: ApkVersion): Sign {
  const na = a.tokens.length;
  const nb = b.tokens.length;
  let k = 0;
  for (; k < na && k < nb && a.tokens[k] === b.tokens[k]; k++) {
    const r = tokenCmp(a, b, k);
    if (r !== 0) return r;
  }
  const ta = k < na ? a.tokens[k]! : T_END;
  const tb = k < nb ? b.tokens[k]! : T_END;
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
};

