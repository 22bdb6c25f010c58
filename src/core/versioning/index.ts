/**
 * The explicit registry of version schemes, one folder per ecosystem (rpm/ dpkg/ apk/ semver/ composer/
 * php/ generic/), and the two questions everything else asks: compare two version strings, and does a
 * version satisfy a range written in an ecosystem's own syntax.
 */
import { fail, ok, type Result } from '../result.js';
import { getScheme } from './registry.js';
import { VERSION_ECOSYSTEMS, type Sign, type VersionEcosystem, type VersionScheme } from './types.js';
import { satisfiesComposer } from './composer/index.js';
import { satisfiesSemver } from './semver/index.js';
import { compareToBound } from './ranges.js';

export * from './types.js';
export { getScheme, SCHEMES } from './registry.js';
export { isAffected, isAffectedParsed, type BoundParser, cpeMatchToRange, constraintToRanges, intervalsToRanges, compareToBound } from './ranges.js';
export type { Bound, Interval, CpeMatchBounds } from './ranges.js';

/**
 * The version scheme for an OSV `affected[].package.ecosystem` (https://ossf.github.io/osv-schema/#affectedpackage-field),
 * with or without its `:release` suffix; `undefined` for ecosystems mamori has no scheme for (their ranges are unknown).
 */
export function ecosystemForOsv(osvEcosystem: string): VersionEcosystem | undefined {
  const base = osvEcosystem.split(':')[0]!.trim().toLowerCase();
  if (['debian', 'ubuntu'].includes(base)) return 'dpkg';
  if (['alpine', 'wolfi', 'chainguard', 'alpaquita'].includes(base)) return 'apk';
  if (['red hat', 'almalinux', 'rocky linux', 'opensuse', 'suse', 'mageia', 'openeuler', 'photon os', 'azure linux', 'amazon linux'].includes(base)) return 'rpm';
  if (base === 'npm') return 'semver';
  if (base === 'packagist') return 'composer';
  return undefined;
}

export function isVersionEcosystem(s: string): s is VersionEcosystem {
  return (VERSION_ECOSYSTEMS as readonly string[]).includes(s);
}

function compareWith<V>(s: VersionScheme<V>, a: string, b: string): Result<Sign> {
  const pa = s.parse(a);
  if (!pa.ok) return pa;
  const pb = s.parse(b);
  if (!pb.ok) return pb;
  if (s.compareAsTool) {
    const tool = s.compareAsTool(pa.value, pb.value);
    if (!tool.ok) return tool;
  }
  return ok(s.compare(pa.value, pb.value));
}

/**
 * How does A compare to B in the ecosystem's order (rpm: rpm.vercmp, `1.2 < 1.2-3`)? An issue when either
 * does not parse, or when the ecosystem cannot order them (Composer: two different dev branches).
 */
export function compareVersions(eco: VersionEcosystem, a: string, b: string): Result<Sign> {
  return compareWith(getScheme(eco), a, b);
}

type Op = '<' | '<=' | '>' | '>=' | '=' | '!=';
const OP_ALIASES: Record<string, Op> = { '<': '<', '<<': '<', '<=': '<=', '>': '>', '>>': '>', '>=': '>=', '=': '=', '==': '=', '!=': '!=' };

/**
 * The simple comparator syntax of every ecosystem but composer and semver: alternatives separated by `||`,
 * each a list of `OP VERSION` separated by commas or spaces, all of which must hold. OP is one of
 * `< <= > >= = == !=` (and dpkg's `<<` `>>`); a bare version means `=`; `*` alone matches everything.
 */
export function parseSimpleRange(range: string): Result<{ op: Op; version: string }[][]> {
  if (range.length > 1024) return fail('range.invalid', 'range longer than 1024 characters', range);
  const alternatives: { op: Op; version: string }[][] = [];
  for (const alt of range.split('||')) {
    const text = alt.trim();
    if (text === '*') {
      alternatives.push([]);
      continue;
    }
    if (text === '') return fail('range.invalid', 'empty alternative in range', range);
    const items: { op: Op; version: string }[] = [];
    const re = /\s*(<<|>>|<=|>=|==|!=|<|>|=)?\s*([^\s,<>=!|]+)\s*(?:,|(?=\s|$))/y;
    let pos = 0;
    while (pos < text.length) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m || m[0].length === 0) return fail('range.invalid', `cannot read a comparator at "${text.slice(pos)}" (expected e.g. ">=1.2, <1.4")`, range);
      items.push({ op: OP_ALIASES[m[1] ?? '=']!, version: m[2]! });
      pos = re.lastIndex;
      while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    }
    alternatives.push(items);
  }
  return ok(alternatives);
}

function satisfiesSimple<V>(s: VersionScheme<V>, version: string, range: string): Result<boolean> {
  const pv = s.parse(version);
  if (!pv.ok) return pv;
  const alts = parseSimpleRange(range);
  if (!alts.ok) return alts;
  const parsed: { op: Op; v: V }[][] = [];
  for (const alt of alts.value) {
    const items: { op: Op; v: V }[] = [];
    for (const { op, version: bound } of alt) {
      const pb = s.parse(bound);
      if (!pb.ok) return fail('range.invalid', `bound ${JSON.stringify(bound)}: ${pb.issue.message}`, range);
      items.push({ op, v: pb.value });
    }
    parsed.push(items);
  }
  for (const items of parsed) {
    let all = true;
    for (const { op, v } of items) {
      const c = compareToBound(s, pv.value, v);
      if (!c.ok) return c;
      const sign = c.value;
      const holds = op === '<' ? sign < 0 : op === '<=' ? sign <= 0 : op === '>' ? sign > 0 : op === '>=' ? sign >= 0 : op === '=' ? sign === 0 : sign !== 0;
      if (!holds) {
        all = false;
        break;
      }
    }
    if (all) return ok(true);
  }
  return ok(false);
}

/**
 * Does `version` fall in `range`? composer: Composer's constraint syntax (Semver::satisfies); semver: npm's
 * range syntax (node-semver satisfies, strict); every other ecosystem: the simple comparator syntax of
 * parseSimpleRange.
 */
export function satisfies(eco: VersionEcosystem, version: string, range: string): Result<boolean> {
  if (eco === 'composer') return satisfiesComposer(version, range);
  if (eco === 'semver') return satisfiesSemver(version, range);
  return satisfiesSimple(getScheme(eco), version, range);
}

/**
 * Why a version string is malformed although the ecosystem's tool still orders it (dpkg warns, apk-tools'
 * validation rejects but its comparison orders), or undefined (well-formed, or not parseable at all).
 */
export function malformedReason(eco: VersionEcosystem, version: string): string | undefined {
  const s = getScheme(eco);
  if (!s.malformed) return undefined;
  const p = s.parse(version);
  return p.ok ? s.malformed(p.value) : undefined;
}
