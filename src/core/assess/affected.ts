/**
 * Does a version fall in an advisory's OSV ranges? Versioning's own evaluation (`isAffectedParsed`: OSV
 * semantics, three-valued: an unparseable version or bound is `unknown` with the reason, never "not
 * affected"), given a per-run cache of parsed bounds: the same bounds repeat across thousands of
 * advisories, and parsing them again per advisory was most of the assessment's time. A test holds the
 * cached answer equal to `isAffected` on every advisory of ../shared/data. Also returns what the plan needs: the fix that closes the
 * interval the version fell in (the update target on its line).
 */
import { fail, ok, type Result } from '../result.js';
import { getScheme, isAffectedParsed, type OsvRange, type VersionEcosystem, type VersionScheme } from '../versioning/index.js';
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
    readonly scheme: VersionScheme,
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

/** versioning's OSV evaluation (`isAffectedParsed`), with this run's cache of parsed bounds. */
export function affectedCached(vc: VersionCache, version: string, v: unknown, ranges: readonly OsvRange[], versions?: readonly string[]): Result<boolean> {
  return isAffectedParsed(vc.scheme, (raw) => vc.parse(raw), version, v, ranges, versions);
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
  const malformed = vc.scheme.malformed?.(pv.value);
  const quality = malformed === undefined ? {} : { confidence: 'malformed' as const, malformed };
  if (!r.value) return { status: 'not-affected', ...quality };
  const m: MatchStatus = { status: 'affected', ...quality };
  const f = fixFor(vc, pv.value, ranges);
  if (f.fixed !== undefined) m.fixed = f.fixed;
  m.range = f.range ?? `= ${version}`;
  return m;
}
