/**
 * The explicit registry of version schemes, one folder per ecosystem (rpm/ dpkg/ apk/ semver/ composer/
 * php/ generic/), and the two questions everything else asks: compare two version strings, and does a
 * version satisfy a range written in an ecosystem's own syntax.
 */
import { fail, ok, type Result } from '../result.js';
import { VERSION_ECOSYSTEMS, type Sign, type VersionEcosystem, type VersionScheme } from './types.js';

export * from './types.js';

const registry: Partial<Record<VersionEcosystem, VersionScheme>> = {};

export function isVersionEcosystem(s: string): s is VersionEcosystem {
  return (VERSION_ECOSYSTEMS as readonly string[]).includes(s);
}

export function getScheme(eco: VersionEcosystem): VersionScheme {
  const s = registry[eco];
  if (!s) throw new Error(`version scheme ${eco} is not registered`);
  return s;
}

export function compareVersions(eco: VersionEcosystem, a: string, b: string): Result<Sign> {
  const s = getScheme(eco);
  const pa = s.parse(a);
  if (!pa.ok) return pa;
  const pb = s.parse(b);
  if (!pb.ok) return pb;
  return ok(s.compare(pa.value, pb.value));
}

/** Does `version` fall in `range`, written in the ecosystem's own constraint syntax? */
export function satisfies(eco: VersionEcosystem, version: string, range: string): Result<boolean> {
  void version;
  void range;
  return fail('range.unsupported', `ranges are not implemented for ${eco}`);
}
