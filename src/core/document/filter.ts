/**
 * What `--severity` and `--ignore-unfixed` show (Trivy's flags of the same names): a copy of the document with
 * only the findings asked for, the summary recounted from them, and a note of what was left out and why, so a
 * table, a JSON file and an exit code computed from the same filtered document always agree.
 */
import { summarize, type Finding, type ReportDocument, type Severity } from '../model.js';

export interface FindingFilter {
  /** Show only these severities (all when absent or empty). */
  severities?: readonly Severity[];
  /** Leave out vulnerabilities no fixed version exists for yet (the distribution has not fixed them). */
  ignoreUnfixed?: boolean;
}

/** A CVE's fix state as the distro match records it (`state` beside each CVE of the evidence). */
const NO_FIX_STATES = new Set(['unfixed', 'will-not-fix', 'out-of-support', 'extended-support-only', 'deferred']);

/**
 * A vulnerability with no fix to apply: every CVE of it is recorded with a no-fix state and no fixed version.
 * A CVE fixed on a later release line (an end-of-life PHP) counts as fixed: the fix exists, the move is the work.
 */
export function isUnfixed(f: Finding): boolean {
  if (f.category !== 'vulnerability' || f.remediation.update?.tool) return false;
  const ev = f.evidence as { cves?: { state?: unknown; fixedIn?: unknown }[]; lineFixedIn?: unknown; fixedVersion?: unknown } | undefined;
  if (!ev || ev.lineFixedIn || ev.fixedVersion || !Array.isArray(ev.cves) || ev.cves.length === 0) return false;
  return ev.cves.every((c) => typeof c.state === 'string' && NO_FIX_STATES.has(c.state) && !c.fixedIn);
}

export type FilterNote = NonNullable<ReportDocument['filtered']>;

/** The document with the filter applied; the document itself when there is nothing to filter. */
export function filterDocument(doc: ReportDocument, filter: FindingFilter): ReportDocument {
  const sev = filter.severities?.length ? new Set(filter.severities) : undefined;
  if (!sev && !filter.ignoreUnfixed) return doc;
  const keep = (f: Finding) => (!sev || sev.has(f.severity)) && !(filter.ignoreUnfixed && isUnfixed(f));
  const findings = doc.findings.filter(keep);
  const note: FilterNote = { hidden: doc.findings.length - findings.length };
  if (sev) note.severities = [...sev];
  if (filter.ignoreUnfixed) note.ignoreUnfixed = true;
  return { ...doc, findings, summary: summarize(findings), filtered: note };
}
