/**
 * RPM versions: rpmvercmp() and full EVR (`[epoch:]version[-release]`), as rpm-software-management/rpm does
 * it (rpmio/rpmvercmp.c, lib/rpmver.c, lib/rpmds.c). See README.md beside this file.
 *
 * Parsing splits and validates the EVR once; comparing walks the parts without allocating (vercmp.ts),
 * which measured faster for parse-plus-compare than building segment arrays and fast enough on parsed values.
 */
import { fail, ok, type Result } from '../../result.js';
import type { Sign, VersionScheme } from '../types.js';
import { rpmvercmpStr } from './vercmp.js';

export interface RpmVersion {
  /** Epoch as written (digits); `undefined` when absent (compares as 0). */
  readonly epoch: string | undefined;
  readonly version: string;
  /** `undefined` when the EVR has no `-release`. */
  readonly release: string | undefined;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** rpmvercmp(a, b) on two plain strings (no EVR splitting), like `rpm.vercmp` on plain versions. */
export const rpmvercmp = rpmvercmpStr;

function badChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 127) return true;
  }
  return false;
}

/** Parses `[epoch:]version[-release]` as rpm's parseEVR() splits it. */
export function parseRpm(input: string): Result<RpmVersion> {
  if (input.length === 0) return fail('version.invalid', 'empty rpm version', input);
  if (input.length > 512) return fail('version.invalid', 'rpm version longer than 512 characters', input);
  if (badChar(input)) return fail('version.invalid', 'rpm version contains whitespace or control characters', input);
  let s = 0;
  while (s < input.length && isDigit(input.charCodeAt(s))) s++;
  let epoch: string | undefined;
  let rest = input;
  if (input.charCodeAt(s) === 58 /* : */) {
    epoch = s === 0 ? '0' : input.slice(0, s);
    rest = input.slice(s + 1);
  }
  if (rest.includes(':')) return fail('version.invalid', 'rpm version has a colon that is not an epoch separator', input);
  const dash = rest.lastIndexOf('-');
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : undefined;
  if (version.length === 0) return fail('version.invalid', 'rpm version part is empty', input);
  if (release !== undefined && release.length === 0) return fail('version.invalid', 'rpm release after "-" is empty', input);
  return ok({ epoch, version, release });
}

/**
 * rpm.vercmp() of rpm 4.18 (rpmverCmp on parsed EVRs): epoch (missing = 0), version, then release, a missing
 * release comparing as an empty one, so `1.2` < `1.2-3`. A total order.
 */
export function compareRpm(a: RpmVersion, b: RpmVersion): Sign {
  return rpmvercmpStr(a.epoch ?? '0', b.epoch ?? '0') || rpmvercmpStr(a.version, b.version) || rpmvercmpStr(a.release ?? '', b.release ?? '');
}

/**
 * rpm's dependency matching (rpmdsCompare in lib/rpmds.c): epoch and version, and the release only when both
 * sides have one, so `Requires: foo >= 2.4.6` is met by `2.4.6-97.el7`, and an advisory bound `2.4.6` covers
 * every release of 2.4.6.
 */
export function compareRpmDependency(a: RpmVersion, b: RpmVersion): Sign {
  const c = rpmvercmpStr(a.epoch ?? '0', b.epoch ?? '0') || rpmvercmpStr(a.version, b.version);
  if (c !== 0 || a.release === undefined || b.release === undefined) return c;
  return rpmvercmpStr(a.release, b.release);
}

export function formatRpm(v: RpmVersion): string {
  return `${v.epoch === undefined ? '' : `${v.epoch}:`}${v.version}${v.release === undefined ? '' : `-${v.release}`}`;
}

export const rpmScheme: VersionScheme<RpmVersion> = {
  name: 'rpm',
  parse: parseRpm,
  compare: compareRpm,
  compareAsTool: (a, b) => ok(compareRpmDependency(a, b)),
  format: formatRpm,
};
