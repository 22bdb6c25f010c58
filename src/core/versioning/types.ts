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
  compare(a: V, b: V): Sign;
  /** A canonical string that parses back to an equal value (round-trip law). */
  format(v: V): string;
}

/** One OSV `ranges[]` entry; `type` is OSV's (ECOSYSTEM, SEMVER) and the events are in OSV's order. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}
export interface OsvRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: RangeEvent[];
}
