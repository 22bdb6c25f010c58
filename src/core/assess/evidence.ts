/** Per-CVE facts gathered from the slice: CVSS, KEV, EPSS, and the severity they imply. */
import type { Advisory, CvssScore, EpssEntry, KevEntry, KnowledgeSlice } from '../knowledge.js';
import type { Severity } from '../model.js';

/** EPSS probability at or above which a CVE is treated as likely to be exploited (FIRST's "top ~3 %" zone). */
export const EPSS_THRESHOLD = 0.1;

export interface CveFacts {
  cvss?: CvssScore[];
  kev?: KevEntry;
  epss?: EpssEntry;
  summary?: string;
  jvnTitle?: string;
  jvn?: string[];
}

export class FactIndex {
  private readonly kev = new Map<string, KevEntry>();
  private readonly epss = new Map<string, EpssEntry>();
  private readonly records = new Map<string, { cvss?: CvssScore[]; summary?: string; jvnTitle?: string; jvn?: string[] }>();
  constructor(slice: KnowledgeSlice) {
    for (const k of slice.kev) this.kev.set(k.cve, k);
    for (const e of slice.epss) this.epss.set(e.cve, e);
    for (const c of slice.cves) this.records.set(c.id, { cvss: c.cvss, summary: c.summary, jvnTitle: c.jvnTitle, jvn: c.jvn });
  }
  facts(cve: string, adv?: Advisory): CveFacts {
    const rec = this.records.get(cve);
    const cvss = mergeCvss(adv?.cvss, rec?.cvss);
    return { cvss: cvss.length ? cvss : undefined, kev: this.kev.get(cve), epss: this.epss.get(cve), summary: rec?.summary ?? adv?.summary, jvnTitle: rec?.jvnTitle, jvn: rec?.jvn };
  }
  isKev(cve: string): boolean {
    return this.kev.has(cve);
  }
}

function mergeCvss(a: CvssScore[] | undefined, b: CvssScore[] | undefined): CvssScore[] {
  const out = new Map<string, CvssScore>();
  for (const s of [...(a ?? []), ...(b ?? [])]) if (!out.has(s.version)) out.set(s.version, s);
  return [...out.values()];
}

/** The score that sets severity: the highest of CVSS 4.0 / 3.x, else 2.0. */
export function baseScore(cvss: readonly CvssScore[] | undefined): number | undefined {
  if (!cvss?.length) return undefined;
  const modern = cvss.filter((c) => c.version !== '2.0').map((c) => c.score);
  if (modern.length) return Math.max(...modern);
  return Math.max(...cvss.map((c) => c.score));
}

export function severityFromScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

/** Vendor words (Red Hat, Debian, Ubuntu, Alma, httpd, nginx) to a severity. */
export function severityFromVendor(word: string | undefined): Severity | undefined {
  if (!word) return undefined;
  const w = word.toLowerCase();
  if (/critical/.test(w)) return 'critical';
  if (/important|high|major/.test(w)) return 'high';
  if (/moderate|medium/.test(w)) return 'medium';
  if (/low|minor|negligible|unimportant/.test(w)) return 'low';
  return undefined;
}

export const SEV_ORDER: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
export const maxSeverity = (a: Severity, b: Severity): Severity => (SEV_ORDER[a] >= SEV_ORDER[b] ? a : b);
export const raise = (s: Severity, steps = 1): Severity => {
  const order: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
  return order[Math.min(4, SEV_ORDER[s] + steps)]!;
};

/** Severity of one CVE: CVSS (v4/v3.1) first, else the vendor's word, else medium (unknown is not low). */
export function cveSeverity(facts: CveFacts, adv?: Advisory): { severity: Severity; basis: string; score?: number } {
  const score = baseScore(facts.cvss);
  if (score !== undefined) return { severity: severityFromScore(score), basis: 'cvss', score };
  const v = severityFromVendor(adv?.vendorSeverity);
  if (v) return { severity: v, basis: 'vendor' };
  return { severity: 'medium', basis: 'default' };
}
