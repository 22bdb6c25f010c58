/**
 * Version ranges written once for every ecosystem: OSV `ranges[].events` (the evaluation pseudocode of
 * https://ossf.github.io/osv-schema/#evaluation), NVD CPE match bounds, and Composer / npm constraints
 * turned into the same intervals. Unknown is an answer: an unparseable version or bound is `{ok:false}`,
 * never "not affected".
 */
import { fail, ok, type Issue, type Result } from '../result.js';
import { getScheme } from './registry.js';
import type { OsvRange, RangeEvent, Sign, VersionEcosystem, VersionScheme } from './types.js';
import { parseConstraints, type ComposerConstraint } from './composer/parser.js';
import { composerScheme, type ComposerVersion } from './composer/index.js';
import { parseSemverRange } from './semver/index.js';

/** One bound of an interval; `undefined` bounds are open (−∞ / +∞). */
export interface Bound {
  readonly version: string;
  readonly inclusive: boolean;
}
export interface Interval {
  readonly lower?: Bound;
  readonly upper?: Bound;
}

type EventKind = 'introduced' | 'introduced_exclusive' | 'fixed' | 'last_affected' | 'limit';
const KINDS: readonly EventKind[] = ['introduced', 'introduced_exclusive', 'fixed', 'last_affected', 'limit'];

/** How a version relates to a range bound in its ecosystem (rpm: dependency semantics; Composer branches). */
export function compareToBound<V>(scheme: VersionScheme<V>, version: V, bound: V): Result<Sign> {
  return scheme.compareAsTool ? scheme.compareAsTool(version, bound) : ok(scheme.compare(version, bound));
}
const toolCompare = compareToBound;

function eventOf(e: RangeEvent): Result<{ kind: EventKind; version: string }> {
  const present = KINDS.filter((k) => e[k] !== undefined);
  if (present.length !== 1) return fail('range.badEvent', `an OSV event must have exactly one of ${KINDS.join(', ')}`, JSON.stringify(e));
  const kind = present[0]!;
  const version = e[kind]!;
  if (typeof version !== 'string') return fail('range.badEvent', `event ${kind} is not a string`, JSON.stringify(e));
  return ok({ kind, version });
}

/** Parses a bound; callers that evaluate many advisories pass a cached parser (the same bounds repeat). */
export type BoundParser<V> = (raw: string) => Result<V>;

/** IncludedInRanges() for one range; `introduced: "0"` is below every version. */
function inRange<V>(scheme: VersionScheme<V>, parse: BoundParser<V>, v: V, range: OsvRange): Result<boolean> {
  // Fast path for the shape nearly every distro advisory has: [{introduced: "0"}, {fixed: X}].
  const [e0, e1] = range.events;
  if (range.events.length === 2 && e0 && e1 && e0.introduced === '0' && typeof e1.fixed === 'string' && Object.keys(e0).length === 1 && Object.keys(e1).length === 1) {
    const p = parse(e1.fixed);
    if (!p.ok) return fail('range.badEvent', `fixed ${JSON.stringify(e1.fixed)} is not a valid ${scheme.name} version: ${p.issue.message}`, e1.fixed);
    const c = toolCompare(scheme, v, p.value);
    return c.ok ? ok(c.value < 0) : c;
  }
  const events: { kind: EventKind; version: string; parsed: V | undefined; order: number }[] = [];
  for (const [order, raw] of range.events.entries()) {
    const e = eventOf(raw);
    if (!e.ok) return e;
    const zero = e.value.version === '0' && e.value.kind === 'introduced';
    let parsed: V | undefined;
    if (!zero) {
      const p = parse(e.value.version);
      if (!p.ok) return fail('range.badEvent', `${e.value.kind} ${JSON.stringify(e.value.version)} is not a valid ${scheme.name} version: ${p.issue.message}`, e.value.version);
      parsed = p.value;
    }
    events.push({ ...e.value, parsed, order });
  }
  // BeforeLimits(): with limit events, v must be below at least one of them
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length) {
    let before = false;
    for (const l of limits) {
      const c = toolCompare(scheme, v, l.parsed!);
      if (!c.ok) return c;
      if (c.value < 0) before = true;
    }
    if (!before) return ok(false);
  }
  const sorted = events
    .filter((e) => e.kind !== 'limit')
    .sort((x, y) => {
      const zx = x.parsed === undefined;
      const zy = y.parsed === undefined;
      if (zx || zy) return zx && zy ? x.order - y.order : zx ? -1 : 1;
      return scheme.compare(x.parsed!, y.parsed!) || x.order - y.order;
    });
  let vulnerable = false;
  for (const e of sorted) {
    if (e.parsed === undefined) {
      vulnerable = true;
      continue;
    }
    const c = toolCompare(scheme, v, e.parsed);
    if (!c.ok) return c;
    if (e.kind === 'introduced' && c.value >= 0) vulnerable = true;
    else if (e.kind === 'introduced_exclusive' && c.value > 0) vulnerable = true;
    else if (e.kind === 'fixed' && c.value >= 0) vulnerable = false;
    else if (e.kind === 'last_affected' && c.value > 0) vulnerable = false;
  }
  return ok(vulnerable);
}

/**
 * Is `version` affected, by OSV semantics: in any of `ranges` (events sorted by the ecosystem's order) or
 * equal to one of `exactVersions`. Ranges of type GIT are skipped (they name commits, not versions).
 * Three-valued: `true` if anything says so; `{ok:false}` (unknown) if nothing does but something could not
 * be evaluated; `false` only when every range and version was evaluated.
 */
export function isAffected(
  eco: VersionEcosystem,
  version: string,
  ranges: readonly OsvRange[],
  exactVersions?: readonly string[],
): Result<boolean> {
  return isAffectedWith(getScheme(eco), version, ranges, exactVersions);
}

function isAffectedWith<V>(scheme: VersionScheme<V>, version: string, ranges: readonly OsvRange[], exactVersions?: readonly string[]): Result<boolean> {
  const pv = scheme.parse(version);
  if (!pv.ok) return pv;
  return isAffectedParsed(scheme, (raw) => scheme.parse(raw), version, pv.value, ranges, exactVersions);
}

/**
 * `isAffected` for a version already parsed, with the caller's bound parser (the assessment passes a
 * per-run cache: the same bounds repeat across thousands of advisories). Same three-valued answer.
 */
export function isAffectedParsed<V>(
  scheme: VersionScheme<V>,
  parse: BoundParser<V>,
  version: string,
  v: V,
  ranges: readonly OsvRange[],
  exactVersions?: readonly string[],
): Result<boolean> {
  // a Composer dev branch (dev-master) has no place on a version line: unknown, not "before every version"
  if (scheme.name === 'composer' && (v as ComposerVersion).branch)
    return fail('range.branch', `${version} is a dev branch: it cannot be placed in a version range`, version);
  let unknown: Issue | undefined;
  let evaluated = 0;
  for (const ev of exactVersions ?? []) {
    evaluated++;
    if (ev === version) return ok(true);
    const p = parse(ev);
    if (!p.ok) {
      unknown ??= { ...p.issue, code: 'range.badVersion', message: `listed version ${JSON.stringify(ev)}: ${p.issue.message}` };
      continue;
    }
    const c = toolCompare(scheme, v, p.value);
    if (!c.ok) unknown ??= c.issue;
    else if (c.value === 0) return ok(true);
  }
  let gitOnly = 0;
  for (const r of ranges) {
    if (r.type === 'GIT') {
      gitOnly++;
      continue;
    }
    evaluated++;
    const res = inRange(scheme, parse, v, r);
    if (!res.ok) unknown ??= res.issue;
    else if (res.value) return ok(true);
  }
  if (unknown) return { ok: false, issue: unknown };
  if (gitOnly && evaluated === 0) return fail('range.gitOnly', 'only GIT ranges (commits), no versions to compare with', version);
  return ok(false);
}

/** One NVD `cpeMatch` entry's version fields. */
export interface CpeMatchBounds {
  versionStartIncluding?: string;
  versionStartExcluding?: string;
  versionEndIncluding?: string;
  versionEndExcluding?: string;
  /** The version field of the CPE name in `criteria`: `*` (any), `-` (not applicable) or a version. */
  criteriaVersion?: string;
}

/** Removes CPE 2.3 formatted-string escapes (`1.0\-beta` → `1.0-beta`). */
function unescapeCpe(v: string): Result<string> {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === '\\') {
      i++;
      if (i >= v.length) return fail('range.badCpe', 'CPE version ends with a lone backslash', v);
      out += v[i]!;
    } else if (ch === '*' || ch === '?') return fail('range.badCpe', 'CPE version with a wildcard inside is not supported', v);
    else out += ch;
  }
  return ok(out);
}

/**
 * NVD CPE match semantics → OSV range(s) or exact versions. `versionStartExcluding` becomes mamori's
 * `introduced_exclusive` event (OSV has no exclusive lower bound). With bounds, the bounds decide (NVD puts
 * bounds on criteria whose version is `*`). Without bounds: `*` (or no version) matches every version
 * (`'all'`), `-` (NA: the product has no version) matches no version (`'none'`), anything else is that
 * exact version.
 */
export function cpeMatchToRange(m: CpeMatchBounds): Result<{ ranges: OsvRange[]; versions: string[] } | 'all' | 'none'> {
  const fields = [m.versionStartIncluding, m.versionStartExcluding, m.versionEndIncluding, m.versionEndExcluding];
  const has = (x: string | undefined) => x !== undefined && x !== '';
  if (fields.some(has)) {
    if (has(m.versionStartIncluding) && has(m.versionStartExcluding)) return fail('range.badCpe', 'both versionStartIncluding and versionStartExcluding', JSON.stringify(m));
    if (has(m.versionEndIncluding) && has(m.versionEndExcluding)) return fail('range.badCpe', 'both versionEndIncluding and versionEndExcluding', JSON.stringify(m));
    const events: RangeEvent[] = [];
    const un = (x: string) => unescapeCpe(x);
    if (has(m.versionStartIncluding)) {
      const u = un(m.versionStartIncluding!);
      if (!u.ok) return u;
      events.push({ introduced: u.value });
    } else if (has(m.versionStartExcluding)) {
      const u = un(m.versionStartExcluding!);
      if (!u.ok) return u;
      events.push({ introduced_exclusive: u.value });
    } else events.push({ introduced: '0' });
    if (has(m.versionEndExcluding)) {
      const u = un(m.versionEndExcluding!);
      if (!u.ok) return u;
      events.push({ fixed: u.value });
    } else if (has(m.versionEndIncluding)) {
      const u = un(m.versionEndIncluding!);
      if (!u.ok) return u;
      events.push({ last_affected: u.value });
    }
    return ok({ ranges: [{ type: 'ECOSYSTEM', events }], versions: [] });
  }
  const cv = m.criteriaVersion;
  if (cv === undefined || cv === '' || cv === '*') return ok('all');
  if (cv === '-') return ok('none');
  const u = unescapeCpe(cv);
  if (!u.ok) return u;
  return ok({ ranges: [], versions: [u.value] });
}

/** Intervals → OSV ranges, one range per interval (a disjoint union is OR-ed by isAffected). */
export function intervalsToRanges(intervals: readonly Interval[]): OsvRange[] {
  return intervals.map((iv) => {
    const events: RangeEvent[] = [];
    if (!iv.lower) events.push({ introduced: '0' });
    else events.push(iv.lower.inclusive ? { introduced: iv.lower.version } : { introduced_exclusive: iv.lower.version });
    if (iv.upper) events.push(iv.upper.inclusive ? { last_affected: iv.upper.version } : { fixed: iv.upper.version });
    return { type: 'ECOSYSTEM', events };
  });
}

/** Intersects a conjunction of one-sided bounds into one interval (or none when it is empty). */
function intersect<V>(
  scheme: VersionScheme<V>,
  parts: readonly { lower?: Bound; upper?: Bound }[],
): Result<Interval | undefined> {
  let lower: { b: Bound; v: V } | undefined;
  let upper: { b: Bound; v: V } | undefined;
  for (const p of parts) {
    for (const side of ['lower', 'upper'] as const) {
      const b = p[side];
      if (!b) continue;
      const parsed = scheme.parse(b.version);
      if (!parsed.ok) return parsed;
      const cur = side === 'lower' ? lower : upper;
      let take = !cur;
      if (cur) {
        const c = scheme.compare(parsed.value, cur.v);
        take = side === 'lower' ? c > 0 || (c === 0 && !b.inclusive) : c < 0 || (c === 0 && !b.inclusive);
      }
      if (take) {
        if (side === 'lower') lower = { b, v: parsed.value };
        else upper = { b, v: parsed.value };
      }
    }
  }
  if (lower && upper) {
    const c = scheme.compare(lower.v, upper.v);
    if (c > 0 || (c === 0 && !(lower.b.inclusive && upper.b.inclusive))) return ok(undefined);
  }
  return ok({ ...(lower ? { lower: lower.b } : {}), ...(upper ? { upper: upper.b } : {}) });
}

type Conj = { lower?: Bound; upper?: Bound }[];

/** A Composer constraint as a union of conjunctions of one-sided bounds (`!=` splits in two). */
function composerDnf(c: ComposerConstraint): Result<Conj[]> {
  switch (c.kind) {
    case 'all':
      return ok([[]]);
    case 'op': {
      if (c.version.startsWith('dev-')) return fail('range.unsupported', `dev branch ${c.version} cannot be expressed as a version interval`, c.version);
      const v = c.version;
      switch (c.op) {
        case '==':
          return ok([[{ lower: { version: v, inclusive: true }, upper: { version: v, inclusive: true } }]]);
        case '!=':
          return ok([[{ upper: { version: v, inclusive: false } }], [{ lower: { version: v, inclusive: false } }]]);
        case '<':
          return ok([[{ upper: { version: v, inclusive: false } }]]);
        case '<=':
          return ok([[{ upper: { version: v, inclusive: true } }]]);
        case '>':
          return ok([[{ lower: { version: v, inclusive: false } }]]);
        case '>=':
          return ok([[{ lower: { version: v, inclusive: true } }]]);
      }
      break;
    }
    case 'or': {
      const out: Conj[] = [];
      for (const i of c.items) {
        const d = composerDnf(i);
        if (!d.ok) return d;
        out.push(...d.value);
      }
      return ok(out);
    }
    case 'and': {
      let acc: Conj[] = [[]];
      for (const i of c.items) {
        const d = composerDnf(i);
        if (!d.ok) return d;
        const next: Conj[] = [];
        for (const a of acc) for (const b of d.value) next.push([...a, ...b]);
        if (next.length > 256) return fail('range.unsupported', 'constraint too complex to expand into intervals', '');
        acc = next;
      }
      return ok(acc);
    }
  }
}

/**
 * A Composer or npm constraint as OSV ranges over the same interval model. Composer bounds are its
 * normalized versions (`>=2.0.0.0-dev`, `<3.0.0.0-dev`), evaluated with version_compare() like Composer.
 * npm ranges become plain intervals: node-semver's rule that a prerelease only matches a comparator with a
 * prerelease on the same major.minor.patch is not kept (OSV intervals include prereleases).
 * An unsatisfiable constraint gives no range (nothing affected).
 */
export function constraintToRanges(eco: 'composer' | 'semver', constraint: string): Result<OsvRange[]> {
  let conjs: Conj[];
  if (eco === 'composer') {
    const parsed = parseConstraints(constraint);
    if (!parsed.ok) return parsed;
    const d = composerDnf(parsed.value);
    if (!d.ok) return d;
    conjs = d.value;
  } else {
    const r = parseSemverRange(constraint);
    if (!r.ok) return r;
    conjs = r.value.set.map((comparators) =>
      comparators.flatMap((cmp): Conj => {
        const op = cmp.operator;
        if (op === '' && cmp.value === '') return [];
        const version = cmp.semver.version;
        if (op === '' || op === '=') return [{ lower: { version, inclusive: true }, upper: { version, inclusive: true } }];
        if (op === '<') return [{ upper: { version, inclusive: false } }];
        if (op === '<=') return [{ upper: { version, inclusive: true } }];
        if (op === '>') return [{ lower: { version, inclusive: false } }];
        return [{ lower: { version, inclusive: true } }];
      }),
    );
  }
  const scheme = (eco === 'composer' ? composerScheme : getScheme('semver')) as VersionScheme<ComposerVersion | unknown>;
  const intervals: Interval[] = [];
  for (const conj of conjs) {
    const iv = intersect(scheme, conj);
    if (!iv.ok) return iv;
    if (iv.value) intervals.push(iv.value);
  }
  return ok(intervalsToRanges(intervals));
}
