/**
 * The patch lag: for every missing security fix, how many days it has been published (the earliest advisory
 * date, `remediation.update.publishedAt`) against a policy of days per severity. A fix without a known date is
 * `unknown` — never counted as within the policy. Pure: the scan time comes in.
 */
import { SEVERITIES, severityRank, type Finding, type PatchLag, type PatchLagEntry, type Severity } from '../model.js';
import { dayOf, epochDay } from './dates.js';

export type LagDays = Record<Severity, number>;

/** Critical 7 days, high 30, medium 90, low 180, info 365 (a common policy; `--lag-policy` changes it). */
export const DEFAULT_LAG_DAYS: LagDays = { critical: 7, high: 30, medium: 90, low: 180, info: 365 };

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One finding's lag at `today` (days since 1970-01-01). */
export function lagEntry(f: Finding, publishedAt: string | undefined, today: number, days: LagDays): PatchLagEntry {
  const limit = days[f.severity];
  const packages = [...new Set((f.remediation.update?.packages ?? []).map((p) => p.name))].sort(cmp);
  const e: PatchLagEntry = { finding: f.id, severity: f.severity, packages, limit, status: 'unknown' };
  const day = publishedAt ? epochDay(publishedAt) : undefined;
  if (publishedAt && day !== undefined) {
    e.publishedAt = publishedAt;
    e.days = Math.max(0, today - day);
    e.status = e.days > limit ? 'overdue' : 'within';
  }
  return e;
}

/** Most severe first, then the longest lag, then the finding id. */
export const byLag = (a: PatchLagEntry, b: PatchLagEntry): number =>
  severityRank(b.severity) - severityRank(a.severity) || (b.days ?? -1) - (a.days ?? -1) || cmp(a.finding, b.finding);

/** The lag of every finding whose remediation installs packages; undefined when there is none. */
export function patchLagOf(findings: readonly Finding[], now: { getTime(): number }, days: LagDays = DEFAULT_LAG_DAYS): PatchLag | undefined {
  const today = dayOf(now);
  const entries = findings
    .filter((f) => f.remediation.update?.tool && f.remediation.update.packages.length > 0)
    .map((f) => lagEntry(f, f.remediation.update!.publishedAt, today, days))
    .sort(byLag);
  if (!entries.length) return undefined;
  const known = entries.filter((e) => e.days !== undefined).map((e) => e.days!);
  const lag: PatchLag = {
    policy: { ...days },
    entries,
    overdue: entries.filter((e) => e.status === 'overdue').length,
    unknown: entries.filter((e) => e.status === 'unknown').length,
  };
  if (known.length) lag.maxDays = Math.max(...known);
  return lag;
}

/** `critical=7,high=30`: the days allowed per severity (the rest keep the default); undefined when malformed. */
export function parseLagDays(s: string, base: LagDays = DEFAULT_LAG_DAYS): LagDays | undefined {
  const days = { ...base };
  for (const part of s.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*(\d{1,4})\s*$/.exec(part);
    if (!m || !(SEVERITIES as readonly string[]).includes(m[1]!)) return undefined;
    days[m[1] as Severity] = Number(m[2]);
  }
  return days;
}
