/**
 * Does a version fall in an advisory's OSV ranges? Same semantics as versioning's `isAffected` (OSV
 * evaluation, three-valued: an unparseable version or bound is `unknown` with the reason, never "not
 * affected"), evaluated with a per-run cache of parsed bounds: the same bounds repeat across thousands of
 * advisories, and parsing them again per advisory was most of the assessment's time. A test holds the two
 * equal on every advisory of ../shared/data. Also returns what the plan needs: the fix that closes the
 * interval the version fell in (the update target on its line).
 */
import { fail, ok, type Result } from '../result.js';
import { getScheme, type OsvRange, type Sign, type VersionEcosystem, type VersionScheme } from '../versioning/index.js';
import type { MatchStatus } from './types.js';

/** The registered scheme, or a failure naming the ecosystem. */
export function schemeFor(eco: VersionEcosystem): Result<VersionScheme> {
  try {
    return ok(getScheme(eco));
  } catch (err) {
    // Handled: an unregistered scheme makes every match in this ecosystem "unknown" with this reason.
    return fail('version.scheme', `no version scheme for ${eco}: ${(err as Error).message}`);
  }
}

/** A parsed-version cache per ecosystem: bounds repeat across thousands of advisories. */
export class VersionCache {
  private readonly parsed = new Map<string, Result<unknown>>();
  constructor(
    readonly eco: VersionEcosystem,
    private readonly scheme: VersionScheme,
  ) {}
  parse(v: string): Result<unknown> {
    let r = this.parsed.get(v);
    if (!r) {
      r = this.scheme.parse(v);
      if (this.parsed.size > 50_000) this.parsed.clear();
      this.parsed.set(v, r);
    }
    return r;
  }
  compare(a: unknown, b: unknown): number {
    return this.scheme.compare(a, b);
  }
  /** The package manager's own answer (rpm: a missing release matches any), as versioning's isAffected uses. */
  toolCompare(a: unknown, b: unknown): Result<Sign> {
    return this.scheme.compareAsTool ? this.scheme.compareAsTool(a, b) : ok(this.scheme.compare(a, b));
  }
}

const caches = new Map<VersionEcosystem, VersionCache>();
export function versionCache(eco: VersionEcosystem): Result<VersionCache> {
  let c = caches.get(eco);
  if (c) return ok(c);
  const s = schemeFor(eco);
  if (!s.ok) return s;
  c = new VersionCache(eco, s.value);
  caches.set(eco, c);
  return ok(c);
}

const describe = (r: OsvRange): string =>
  r.events
    .map((e) =>
      e.introduced !== undefined
        ? `>=${e.introduced}`
        : e.introduced_exclusive !== undefined
          ? `>${e.introduced_exclusive}`
          : e.fixed !== undefined
            ? `<${e.fixed}`
            : e.last_affected !== undefined
              ? `<=${e.last_affected}`
              : `limit ${e.limit ?? ''}`,
    )
    .join(' ');

/** The lowest `fixed` above the version in the ranges that contain it: the fix on its interval. */
function fixFor(vc: VersionCache, v: unknown, ranges: readonly OsvRange[]): { fixed?: string; range?: string } {
  let best: { raw: string; at: unknown; range: OsvRange } | undefined;
  for (const r of ranges) {
    for (const e of r.events) {
      if (e.fixed === undefined) continue;
      const p = vc.parse(e.fixed);
      if (!p.ok || vc.compare(v, p.value) >= 0) continue;
      if (!best || vc.compare(p.value, best.at) < 0) best = { raw: e.fixed, at: p.value, range: r };
    }
  }
  if (best) return { fixed: best.raw, range: describe(best.range) };
  return ranges[0] ? { range: describe(ranges[0]) } : {};
}

type Kind = 'introduced' | 'introduced_exclusive' | 'fixed' | 'last_affected' | 'limit';
const KINDS: readonly Kind[] = ['introduced', 'introduced_exclusive', 'fixed', 'last_affected', 'limit'];

/** OSV IncludedInRanges() for one range, with cached parses. */
function inRange(vc: VersionCache, v: unknown, range: OsvRange): Result<boolean> {
  // Fast path for the shape nearly every distro advisory has: [{introduced: "0"}, {fixed: X}].
  const [e0, e1] = range.events;
  if (range.events.length === 2 && e0 && e1 && e0.introduced === '0' && e1.fixed !== undefined && Object.keys(e0).length === 1 && Object.keys(e1).length === 1) {
    const p = vc.parse(e1.fixed);
    if (!p.ok) return fail('range.badEvent', `fixed ${JSON.stringify(e1.fixed)} is not a valid ${vc.eco} version: ${p.issue.message}`, e1.fixed);
    const c = vc.toolCompare(v, p.value);
    if (!c.ok) return c;
    return ok(c.value < 0);
  }
  const evs: { kind: Kind; at: unknown; order: number }[] = [];
  for (const [order, e] of range.events.entries()) {
    const present = KINDS.filter((k) => e[k] !== undefined);
    if (present.length !== 1) return fail('range.badEvent', `an OSV event must have exactly one of ${KINDS.join(', ')}`, JSON.stringify(e));
    const kind = present[0]!;
    const raw = e[kind]!;
    if (kind === 'introduced' && raw === '0') {
      evs.push({ kind, at: undefined, order });
      continue;
    }
    const p = vc.parse(raw);
    if (!p.ok) return fail('range.badEvent', `${kind} ${JSON.stringify(raw)} is not a valid ${vc.eco} version: ${p.issue.message}`, raw);
    evs.push({ kind, at: p.value, order });
  }
  const limits = evs.filter((e) => e.kind === 'limit');
  if (limits.length) {
    let before = false;
    for (const l of limits) {
      const c = vc.toolCompare(v, l.at);
      if (!c.ok) return c;
      if (c.value < 0) before = true;
    }
    if (!before) return ok(false);
  }
  const sorted = evs
    .filter((e) => e.kind !== 'limit')
    .sort((x, y) => {
      const zx = x.at === undefined;
      const zy = y.at === undefined;
      if (zx || zy) return zx && zy ? x.order - y.order : zx ? -1 : 1;
      return vc.compare(x.at, y.at) || x.order - y.order;
    });
  let vulnerable = false;
  for (const e of sorted) {
    if (e.at === undefined) {
      vulnerable = true;
      continue;
    }
    const c = vc.toolCompare(v, e.at);
    if (!c.ok) return c;
    if (e.kind === 'introduced' && c.value >= 0) vulnerable = true;
    else if (e.kind === 'introduced_exclusive' && c.value > 0) vulnerable = true;
    else if (e.kind === 'fixed' && c.value >= 0) vulnerable = false;
    else if (e.kind === 'last_affected' && c.value > 0) vulnerable = false;
  }
  return ok(vulnerable);
}

/** Three-valued, like versioning's isAffected: true if anything says so; unknown if nothing does but something failed. */
export function affectedCached(vc: VersionCache, version: string, v: unknown, ranges: readonly OsvRange[], versions?: readonly string[]): Result<boolean> {
  let unknown: Result<boolean> | undefined;
  let evaluated = 0;
  for (const ev of versions ?? []) {
    evaluated++;
    if (ev === version) return ok(true);
    const p = vc.parse(ev);
    if (!p.ok) {
      unknown ??= fail('range.badVersion', `listed version ${JSON.stringify(ev)}: ${p.issue.message}`, ev);
      continue;
    }
    const c = vc.toolCompare(v, p.value);
    if (!c.ok) unknown ??= c;
    else if (c.value === 0) return ok(true);
  }
  let git = 0;
  for (const r of ranges) {
    if (r.type === 'GIT') {
      git++;
      continue;
    }
    evaluated++;
    const res = inRange(vc, v, r);
    if (!res.ok) unknown ??= res;
    else if (res.value) return ok(true);
  }
  if (unknown) return unknown;
  if (git && evaluated === 0) return fail('range.gitOnly', 'only GIT ranges (commits), no versions to compare with', version);
  return ok(false);
}

/** Match `version` against an advisory's ranges and exact versions. */
export function matchVersion(eco: VersionEcosystem, version: string, ranges: readonly OsvRange[], versions?: readonly string[]): MatchStatus {
  if (ranges.length === 0 && !versions?.length) return { status: 'affected', range: 'all versions' };
  const vcR = versionCache(eco);
  if (!vcR.ok) return { status: 'unknown', reason: vcR.issue.message };
  const vc = vcR.value;
  const pv = vc.parse(version);
  if (!pv.ok) return { status: 'unknown', reason: `${version} is not a valid ${eco} version: ${pv.issue.message}` };
  const r = affectedCached(vc, version, pv.value, ranges, versions);
  if (!r.ok) return { status: 'unknown', reason: r.issue.message };
  if (!r.value) return { status: 'not-affected' };
  const m: MatchStatus = { status: 'affected' };
  const f = fixFor(vc, pv.value, ranges);
  if (f.fixed !== undefined) m.fixed = f.fixed;
  m.range = f.range ?? `= ${version}`;
  return m;
}
