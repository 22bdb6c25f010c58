/**
 * A report document's findings as FindingRow rows (the columns the dashboard filters and orders by); the document
 * itself is stored whole beside them. Pure.
 */
import { severityRank, type Finding, type ReportDocument } from '../core/model.js';
import type { CveEvidence } from '../core/evidence.js';
import type { FindingRow, RiskException } from './types.js';

type Ev = { kev?: unknown; cve?: CveEvidence; cves?: unknown[]; sourcePackage?: unknown };

/** KEV: the known-exploited finding marks `evidence.kev` and its `evidence.cve.kev`; CVE lists carry `kev` per CVE. */
export function isKev(f: Finding): boolean {
  const ev = (f.evidence ?? {}) as Ev;
  if (ev.kev === true) return true;
  if (ev.cve && typeof ev.cve === 'object' && ev.cve.kev) return true;
  return Array.isArray(ev.cves) && ev.cves.some((c) => typeof c === 'object' && c !== null && Boolean((c as CveEvidence).kev));
}

/** The package a finding is about: the distro source package, else the first package of its update, else its component. */
export function packageOf(f: Finding): string | null {
  const ev = (f.evidence ?? {}) as Ev;
  if (typeof ev.sourcePackage === 'string' && ev.sourcePackage) return ev.sourcePackage;
  const p = f.remediation?.update?.packages?.[0]?.name;
  if (p) return p;
  return f.component?.name ?? null;
}

/** The earliest publication date of the fix (remediation.update.publishedAt), as given (YYYY-MM-DD), or null. */
export function fixPublishedAtOf(f: Finding): string | null {
  const d = f.remediation?.update?.publishedAt;
  return typeof d === 'string' && /^\d{4}-\d{2}-\d{2}/.test(d) ? d : null;
}

/** Whether an exception covers a finding of a target at time `at` (not revoked, not expired, every given field matching). */
export function exceptionCovers(e: RiskException, row: Pick<FindingRow, 'tenantId' | 'targetId' | 'findingId' | 'cves'>, at: string): boolean {
  if (e.revokedAt !== null && e.revokedAt <= at) return false;
  if (e.expiresAt <= at) return false;
  if (e.tenantId !== row.tenantId) return false;
  if (e.targetId !== null && e.targetId !== row.targetId) return false;
  if (e.findingId !== null && e.findingId !== row.findingId) return false;
  if (e.cve !== null && !row.cves.includes(e.cve)) return false;
  return e.targetId !== null || e.findingId !== null || e.cve !== null;
}

export function findingRowsOf(doc: ReportDocument, ids: { scanId: string; tenantId: string; targetId: string }, exceptions: readonly RiskException[], at: string): FindingRow[] {
  const seen = new Set<string>();
  const rows: FindingRow[] = [];
  for (const f of doc.findings) {
    if (seen.has(f.id)) continue; // a duplicate id would break the (scan, finding) key; the first is kept
    seen.add(f.id);
    const row: FindingRow = {
      ...ids,
      findingId: f.id,
      category: f.category,
      severity: f.severity,
      title: f.title,
      component: f.component?.name ?? null,
      version: f.component?.version ?? null,
      package: packageOf(f),
      cves: [...new Set(f.cves ?? [])],
      kev: isKev(f),
      fixPublishedAt: fixPublishedAtOf(f),
      accepted: false,
      source: f.source ?? null,
      location: f.location ?? null,
    };
    row.accepted = exceptions.some((e) => exceptionCovers(e, row, at));
    rows.push(row);
  }
  return rows;
}

export { severityRank };
