import type { Result } from '../result.js';

/** Version ecosystems of `mamori version compare --ecosystem E`. */
export const VERSION_ECOSYSTEMS = ['rpm', 'dpkg', 'apk', 'semver', 'composer', 'php', 'generic'] as const;
export type VersionEcosystem = (typeof VERSION_ECOSYSTEMS)[number];

export type Sign = -1 | 0 | 1;

/**
 * One ecosystem's version semantics. Parse once into a value, compare values many times.
 * `parse` never falls back to another ecosystem's rules: bad input is `{ok:false, issue}`.
 */
export interface VersionScheme<V = unknown> {
  readonly name: VersionEcosystem;
  parse(input: string): Result<V>;
  /** A total order (reflexive, antisymmetric, transitive): what sorting and the law suite use. */
  compare(a: V, b: V): Sign;
  /**
   * How the ecosystem's tool matches a version against another one (a range bound) where that differs from
   * the total order: rpm's dependency matching (rpmdsCompare) compares the release only when both sides have
   * one, so a bound `2.4.6` covers `2.4.6-97.el7`; Composer never orders two different dev branches (an
   * issue). Ranges (`isAffected`) and `satisfies` use this; `compareVersions` reports its issues but answers
   * with `compare`. Absent means `compare`.
   */
  compareAsTool?(a: V, b: V): Result<Sign>;
  /** A canonical string that parses back to an equal value (round-trip law). */
  format(v: V): string;
  /**
   * Why a version the ecosystem's tool still orders is malformed (dpkg's parse warnings, what apk-tools'
   * apk_version_validate() rejects but apk_version_compare() orders), or undefined for a well-formed one.
   * Matches on such a version carry `confidence: 'malformed'`. Absent: every parsed version is well-formed.
   */
  malformed?(v: V): string | undefined;
}

/** One OSV `ranges[]` entry; `type` is OSV's (ECOSYSTEM, SEMVER) and the events are in OSV's order. */
export interface RangeEvent {
  /** Affected from this version on (inclusive); `"0"` means from the very first version. */
  introduced?: string;
  /**
   * mamori's extension for NVD `versionStartExcluding`, which OSV cannot express: affected from strictly
   * after this version. Evaluated like `introduced` but with `>`; never present in OSV data itself.
   */
  introduced_exclusive?: string;
  /** Not affected from this version on (exclusive upper bound). */
  fixed?: string;
  /** Affected up to and including this version. */
  last_affected?: string;
  /** Versions at or above every `limit` are outside the range. */
  limit?: string;
}
export interface OsvRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: RangeEvent[];
}
