/**
 * npm's semantic versions, through the `semver` package npm itself uses (strict parsing, no `loose`).
 * See README.md beside this file.
 */
import semver from 'semver';
import { fail, ok, type Result } from '../../result.js';
import type { Sign, VersionScheme } from '../types.js';

export type SemverVersion = semver.SemVer;

export function parseSemver(input: string): Result<SemverVersion> {
  if (input.length > 256) return fail('version.invalid', 'semver version longer than 256 characters', input);
  const v = semver.parse(input, { loose: false });
  if (!v) return fail('version.invalid', 'not a valid semantic version (npm semver, strict)', input);
  return ok(v);
}

export const semverScheme: VersionScheme<SemverVersion> = {
  name: 'semver',
  parse: parseSemver,
  compare: (a, b) => a.compare(b) as Sign,
  // `version` drops build metadata, which never takes part in precedence
  format: (v) => v.version,
};

/** node-semver's satisfies(), strict, without includePrerelease; a bad version or range is an issue. */
export function satisfiesSemver(version: string, range: string): Result<boolean> {
  const v = parseSemver(version);
  if (!v.ok) return v;
  const r = parseSemverRange(range);
  if (!r.ok) return r;
  return ok(r.value.test(v.value));
}

export function parseSemverRange(range: string): Result<semver.Range> {
  if (range.length > 1024) return fail('range.invalid', 'range longer than 1024 characters', range);
  if (semver.validRange(range, { loose: false }) === null) return fail('range.invalid', 'not a valid npm semver range', range);
  return ok(new semver.Range(range, { loose: false }));
}
