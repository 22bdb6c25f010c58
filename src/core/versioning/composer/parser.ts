/**
 * composer/semver's VersionParser (normalize, normalizeBranch, parseStability, parseConstraints), ported
 * line by line from src/VersionParser.php (composer/semver 3.4). PCRE possessive quantifiers (`++`, `*+`)
 * are written as greedy ones: in every pattern here the next token cannot match what they consume, so the
 * matches are the same.
 */
import { fail, ok, type Result } from '../../result.js';

const MODIFIER = String.raw`[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?`;
const STABILITIES = 'stable|RC|beta|alpha|dev';

const RE_ALIAS = /^([^,\s]+) +as +([^,\s]+)$/;
const RE_STABILITY_FLAG = new RegExp(`@(?:${STABILITIES})$`, 'i');
const RE_BUILD = /^([^,\s+]+)\+[^\s]+$/;
const RE_CLASSICAL = new RegExp(String.raw`^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?` + MODIFIER + '$', 'i');
const RE_DATE = new RegExp(String.raw`^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + MODIFIER + '$', 'i');
const RE_DEV_TAIL = /(.*?)[.-]?dev$/i;
const RE_BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
const RE_PARSE_STABILITY = new RegExp(MODIFIER + String.raw`(?:\+.*)?$`, 'i');

export class ComposerParseError extends Error {}

const isEmpty = (x: string | undefined) => x === undefined || x === '' || x === '0';

function expandStability(s: string): string {
  const l = s.toLowerCase();
  switch (l) {
    case 'a':
      return 'alpha';
    case 'b':
      return 'beta';
    case 'p':
    case 'pl':
      return 'patch';
    case 'rc':
      return 'RC';
    default:
      return l;
  }
}

const phpTrim = (s: string) => s.replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, '');

/** VersionParser::normalizeBranch(). */
export function normalizeBranch(name: string): string {
  name = phpTrim(name);
  const m = RE_BRANCH.exec(name);
  if (m) {
    let version = '';
    for (let i = 1; i < 5; i++) version += m[i] !== undefined ? m[i]!.replace(/[*X]/g, 'x') : '.x';
    return version.replace(/x/g, '9999999') + '-dev';
  }
  return 'dev-' + name;
}

/** VersionParser::normalize(); throws ComposerParseError like the PHP throws UnexpectedValueException. */
export function normalizeOrThrow(input: string): string {
  let version = phpTrim(input);
  const orig = version;
  let m = RE_ALIAS.exec(version);
  if (m) version = m[1]!;
  m = RE_STABILITY_FLAG.exec(version);
  if (m) version = version.slice(0, version.length - m[0].length);
  if (version === 'master' || version === 'trunk' || version === 'default') version = 'dev-' + version;
  if (version.slice(0, 4).toLowerCase() === 'dev-') return 'dev-' + version.slice(4);
  m = RE_BUILD.exec(version);
  if (m) version = m[1]!;
  let matches = RE_CLASSICAL.exec(version);
  let index: number | undefined;
  if (matches) {
    version = matches[1]! + (isEmpty(matches[2]) ? '.0' : matches[2]!) + (isEmpty(matches[3]) ? '.0' : matches[3]!) + (isEmpty(matches[4]) ? '.0' : matches[4]!);
    index = 5;
  } else {
    matches = RE_DATE.exec(version);
    if (matches) {
      version = matches[1]!.replace(/\D/g, '.');
      index = 2;
    }
  }
  if (matches && index !== undefined) {
    const stab = matches[index];
    if (!isEmpty(stab)) {
      if (stab === 'stable') return version;
      const num = matches[index + 1];
      version += '-' + expandStability(stab!) + (num !== undefined && num !== '' ? num.replace(/^[.-]+/, '') : '');
    }
    if (!isEmpty(matches[index + 2])) version += '-dev';
    return version;
  }
  const d = RE_DEV_TAIL.exec(version);
  if (d) {
    const normalized = normalizeBranch(d[1]!);
    if (!normalized.includes('dev-')) return normalized;
  }
  throw new ComposerParseError(`Invalid version string "${orig}"`);
}

export function normalize(input: string): Result<string> {
  if (input.length > 256) return fail('version.invalid', 'version longer than 256 characters', input);
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(input)) return fail('version.invalid', 'version contains control characters', input);
  try {
    return ok(normalizeOrThrow(input));
  } catch (err) {
    if (err instanceof ComposerParseError) return fail('version.invalid', err.message, input);
    throw err;
  }
}

/** VersionParser::parseStability(). */
export function parseStability(version: string): 'stable' | 'RC' | 'beta' | 'alpha' | 'dev' {
  version = version.replace(/#.+$/, '');
  if (version.startsWith('dev-') || version.endsWith('-dev')) return 'dev';
  const m = RE_PARSE_STABILITY.exec(version.toLowerCase());
  if (m && !isEmpty(m[3])) return 'dev';
  if (m && !isEmpty(m[1])) {
    if (m[1] === 'beta' || m[1] === 'b') return 'beta';
    if (m[1] === 'alpha' || m[1] === 'a') return 'alpha';
    if (m[1] === 'rc') return 'RC';
  }
  return 'stable';
}

export type ComposerOp = '==' | '<' | '<=' | '>' | '>=' | '!=';
export type ComposerConstraint =
  | { kind: 'all' }
  | { kind: 'op'; op: ComposerOp; version: string }
  | { kind: 'and'; items: ComposerConstraint[] }
  | { kind: 'or'; items: ComposerConstraint[] };

const OPS: Record<string, ComposerOp> = { '=': '==', '==': '==', '<': '<', '<=': '<=', '>': '>', '>=': '>=', '<>': '!=', '!=': '!=' };
const c = (op: string, version: string): ComposerConstraint => ({ kind: 'op', op: OPS[op]!, version });

const VERSION_RE = String.raw`v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:` + MODIFIER + String.raw`|\.([xX*][.-]?dev))(?:\+[^\s]+)?`;
const RE_C_ALIAS = /^([^,\s]+) +as +([^,\s]+)$/;
const RE_C_STABILITY = new RegExp(String.raw`^([^,\s]*?)@(` + STABILITIES + ')$', 'i');
const RE_C_REF = /^(dev-[^,\s@]+?|[^,\s@]+?\.x-dev)#.+$/i;
const RE_C_ANY = /^(v)?[xX*](\.[xX*])*$/i;
const RE_C_TILDE = new RegExp('^~>?' + VERSION_RE + '$', 'i');
const RE_C_CARET = new RegExp(String.raw`^\^` + VERSION_RE + '($)', 'i');
const RE_C_XRANGE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+$/;
const RE_C_HYPHEN = new RegExp('^(' + VERSION_RE + ') +- +(' + VERSION_RE + ')($)', 'i');
const RE_C_BASIC = /^(<>|!=|>=?|<=?|==?)?\s*(.*)/;
const RE_LOWER_MODIFIER = new RegExp('-' + MODIFIER + '$');

const set = (x: string | undefined) => x !== undefined && x !== '';

/** manipulateVersionString(): pad after `position`, and add `increment` at it. */
function manipulate(m: readonly (string | undefined)[], position: number, increment = 0, pad = '0'): string {
  const parts = [m[0], m[1], m[2], m[3], m[4]];
  for (let i = 4; i > 0; i--) {
    if (i > position) parts[i] = pad;
    else if (i === position && increment) {
      const base = parts[i] === undefined || parts[i] === '' ? 0n : BigInt(parts[i]!);
      parts[i] = String(base + BigInt(increment));
    }
  }
  return `${parts[1] ?? ''}.${parts[2] ?? ''}.${parts[3] ?? ''}.${parts[4] ?? ''}`;
}

function parseOne(input: string): ComposerConstraint[] {
  let constraint = input;
  let stabilityModifier: string | undefined;
  let m = RE_C_ALIAS.exec(constraint);
  if (m) constraint = m[1]!;
  m = RE_C_STABILITY.exec(constraint);
  if (m) {
    constraint = m[1] !== '' ? m[1]! : '*';
    if (m[2] !== 'stable') stabilityModifier = m[2];
  }
  m = RE_C_REF.exec(constraint);
  if (m) constraint = m[1]!;
  m = RE_C_ANY.exec(constraint);
  if (m) {
    if (!isEmpty(m[1]) || !isEmpty(m[2])) return [c('>=', '0.0.0.0-dev')];
    return [{ kind: 'all' }];
  }
  m = RE_C_TILDE.exec(constraint);
  if (m) {
    if (constraint.startsWith('~>'))
      throw new ComposerParseError(`Could not parse version constraint ${constraint}: Invalid operator "~>", you probably meant to use the "~" operator`);
    let position = set(m[4]) ? 4 : set(m[3]) ? 3 : set(m[2]) ? 2 : 1;
    if (!isEmpty(m[8])) position++;
    const suffix = isEmpty(m[5]) && isEmpty(m[7]) && isEmpty(m[8]) ? '-dev' : '';
    const low = normalizeOrThrow((constraint + suffix).slice(1));
    const high = manipulate(m, Math.max(1, position - 1), 1) + '-dev';
    return [c('>=', low), c('<', high)];
  }
  m = RE_C_CARET.exec(constraint);
  if (m) {
    const position = m[1] !== '0' || !set(m[2]) ? 1 : m[2] !== '0' || !set(m[3]) ? 2 : 3;
    const suffix = isEmpty(m[5]) && isEmpty(m[7]) && isEmpty(m[8]) ? '-dev' : '';
    const low = normalizeOrThrow((constraint + suffix).slice(1));
    const high = manipulate(m, position, 1) + '-dev';
    return [c('>=', low), c('<', high)];
  }
  m = RE_C_XRANGE.exec(constraint);
  if (m) {
    const position = set(m[3]) ? 3 : set(m[2]) ? 2 : 1;
    const low = manipulate(m, position) + '-dev';
    const high = manipulate(m, position, 1) + '-dev';
    if (low === '0.0.0.0-dev') return [c('<', high)];
    return [c('>=', low), c('<', high)];
  }
  m = RE_C_HYPHEN.exec(constraint);
  if (m) {
    const lowSuffix = isEmpty(m[6]) && isEmpty(m[8]) && isEmpty(m[9]) ? '-dev' : '';
    const low = normalizeOrThrow(m[1]!);
    const lower = c('>=', low + lowSuffix);
    const empty = (x: string | undefined) => (x === '0' ? false : isEmpty(x));
    let upper: ComposerConstraint;
    if ((!empty(m[12]) && !empty(m[13])) || !isEmpty(m[15]) || !isEmpty(m[17]) || !isEmpty(m[18])) {
      upper = c('<=', normalizeOrThrow(m[10]!));
    } else {
      const highMatch = ['', m[11], m[12], m[13], m[14]];
      normalizeOrThrow(m[10]!);
      upper = c('<', manipulate(highMatch, empty(m[12]) ? 1 : 2, 1) + '-dev');
    }
    return [lower, upper];
  }
  m = RE_C_BASIC.exec(constraint);
  let cause = '';
  if (m) {
    try {
      let version: string;
      const raw = m[2]!;
      try {
        version = normalizeOrThrow(raw);
      } catch (e) {
        if (!(e instanceof ComposerParseError)) throw e;
        if (raw.endsWith('-dev') && /^[0-9a-zA-Z-./]+$/.test(raw)) version = normalizeOrThrow('dev-' + raw.slice(0, -4));
        else throw e;
      }
      const op = m[1] || '=';
      if (op !== '==' && op !== '=' && stabilityModifier && parseStability(version) === 'stable') version += '-' + stabilityModifier;
      else if (op === '<' || op === '>=') {
        if (!RE_LOWER_MODIFIER.test(raw.toLowerCase()) && !raw.startsWith('dev-')) version += '-dev';
      }
      return [c(m[1] || '=', version)];
    } catch (e) {
      if (!(e instanceof ComposerParseError)) throw e;
      cause = `: ${e.message}`;
    }
  }
  throw new ComposerParseError(`Could not parse version constraint ${constraint}${cause}`);
}

const RE_OR = /\s*\|\|?\s*/;
const RE_AND = /(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)/;

/** VersionParser::parseConstraints(). */
export function parseConstraints(input: string): Result<ComposerConstraint> {
  if (input.length > 1024) return fail('range.invalid', 'constraint longer than 1024 characters', input);
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(input)) return fail('range.invalid', 'constraint contains control characters', input);
  try {
    const groups: ComposerConstraint[] = [];
    for (const orPart of phpTrim(input).split(RE_OR)) {
      const andParts = orPart.split(RE_AND);
      const objects: ComposerConstraint[] = [];
      for (const a of andParts) objects.push(...parseOne(a));
      groups.push(objects.length === 1 ? objects[0]! : { kind: 'and', items: objects });
    }
    return ok(groups.length === 1 ? groups[0]! : { kind: 'or', items: groups });
  } catch (err) {
    if (err instanceof ComposerParseError) return fail('range.invalid', err.message, input);
    throw err;
  }
}
