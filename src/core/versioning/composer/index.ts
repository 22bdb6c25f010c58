/**
 * Composer versions and constraints, as composer/semver does them: VersionParser::normalize() into the
 * four-part form, PHP's version_compare() on normalized versions (Semver::sort's order), and
 * Semver::satisfies() on parsed constraints. See README.md beside this file.
 */
import { fail, ok, type Result } from '../../result.js';
import type { Sign, VersionScheme } from '../types.js';
import { canonOf, comparePhpParts, phpVersionCompare, splitCanon, type PhpParts } from '../php/index.js';
import { normalize, parseConstraints, type ComposerConstraint, type ComposerOp } from './parser.js';

export { normalize, normalizeBranch, parseConstraints, parseStability } from './parser.js';
export type { ComposerConstraint, ComposerOp } from './parser.js';

export interface ComposerVersion {
  /** The input, trimmed (normalize() is not idempotent for date versions, so format keeps the input). */
  readonly text: string;
  /** VersionParser::normalize() of the input: `1.0.0.0-beta2`, `dev-master`, `1.9999999.9999999.9999999-dev`. */
  readonly normalized: string;
  /** A dev branch (`dev-…`): never inside a numbered range, never ordered against another branch. */
  readonly branch: boolean;
  /** What the order uses: `normalized`, or `9999999-dev` for the default branch (normalizeDefaultBranch). */
  readonly sortKey: string;
  /** sortKey canonicalised and split once for version_compare(). */
  readonly php: PhpParts;
}

/** VersionParser::normalizeDefaultBranch(): the default branch sorts as the newest version (Semver::sort). */
const DEFAULT_BRANCHES = new Set(['dev-master', 'dev-default', 'dev-trunk']);

export function parseComposer(input: string): Result<ComposerVersion> {
  const n = normalize(input);
  if (!n.ok) return n;
  const branch = n.value.startsWith('dev-');
  const sortKey = DEFAULT_BRANCHES.has(n.value) ? '9999999-dev' : n.value;
  return ok({ text: input.trim(), normalized: n.value, branch, sortKey, php: splitCanon(canonOf(sortKey)) });
}

/**
 * A total order, Semver::sort's: normalized versions by version_compare(); the default branch (dev-master,
 * dev-trunk, dev-default) as 9999999-dev, newest; other dev branches below every numbered version, by name.
 */
export function compareComposer(a: ComposerVersion, b: ComposerVersion): Sign {
  const ab = a.sortKey.startsWith('dev-');
  const bb = b.sortKey.startsWith('dev-');
  if (ab && bb) return a.sortKey === b.sortKey ? 0 : a.sortKey < b.sortKey ? -1 : 1;
  return comparePhpParts(a.php, b.php);
}

/** Composer's Comparator: two different dev branches are neither <, = nor >. */
function compareAsComposer(a: ComposerVersion, b: ComposerVersion): Result<Sign> {
  if (a.branch && b.branch && a.normalized !== b.normalized)
    return fail('version.incomparable', `Composer does not order two different dev branches (${a.normalized}, ${b.normalized})`);
  return ok(compareComposer(a, b));
}

export const composerScheme: VersionScheme<ComposerVersion> = {
  name: 'composer',
  parse: parseComposer,
  compare: compareComposer,
  compareAsTool: compareAsComposer,
  format: (v) => v.text,
};

function holds(sign: Sign, op: ComposerOp): boolean {
  switch (op) {
    case '==':
      return sign === 0;
    case '!=':
      return sign !== 0;
    case '<':
      return sign < 0;
    case '<=':
      return sign <= 0;
    case '>':
      return sign > 0;
    case '>=':
      return sign >= 0;
  }
}

/** Constraint::versionCompare($a, $b, $op, compareBranches = false). */
export function composerVersionCompare(a: string, b: string, op: ComposerOp): boolean {
  const aBranch = a.startsWith('dev-');
  const bBranch = b.startsWith('dev-');
  if (op === '!=' && (aBranch || bBranch)) return a !== b;
  if (aBranch && bBranch) return op === '==' && a === b;
  if (aBranch || bBranch) return false;
  return holds(phpVersionCompare(a, b), op);
}

/** Does the normalized version match the parsed constraint (Constraint::matchSpecific with a `==` provider)? */
export function matchesConstraint(c: ComposerConstraint, normalized: string): boolean {
  switch (c.kind) {
    case 'all':
      return true;
    case 'op':
      return composerVersionCompare(normalized, c.version, c.op);
    case 'and':
      return c.items.every((i) => matchesConstraint(i, normalized));
    case 'or':
      return c.items.some((i) => matchesConstraint(i, normalized));
  }
}

/** Semver::satisfies($version, $constraints). */
export function satisfiesComposer(version: string, constraint: string): Result<boolean> {
  const v = normalize(version);
  if (!v.ok) return v;
  const c = parseConstraints(constraint);
  if (!c.ok) return c;
  return ok(matchesConstraint(c.value, v.value));
}
