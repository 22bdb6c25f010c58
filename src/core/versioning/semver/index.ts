/**
 * npm's semantic versions, through the `semver` package npm itself uses (strict parsing, no `loose`).
 * See README.md beside this file.
 */
// The function and class files, not the package index, which loads every function and range module
// (require: 20 ms → 10 ms; this module loads for any assessment, so at CLI start-up).
import parse from 'semver/functions/parse.js';
import validRange from 'semver/ranges/valid.js';
import Range from 'semver/classes/range.js';
import type SemVer from 'semver/classes/semver.js';
import { fail, ok, type Result } from '../../result.js';
import type { Sign, VersionScheme } from '../types.js';

export type SemverVersion = SemVer;

export function parseSemver(input: string): Result<SemverVersion> {
  if (input.length > 256) return fail('version.invalid', 'semver version longer than 256 characters', input);
  const v = parse(input, { loose: false });
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

export function parseSemverRange(range: string): Result<Range> {
  if (range.length > 1024) return fail('range.invalid', 'range longer than 1024 characters', range);
  if (validRange(range, { loose: false }) === null) return fail('range.invalid', 'not a valid npm semver range', range);
  return ok(new Range(range, { loose: false }));
}
