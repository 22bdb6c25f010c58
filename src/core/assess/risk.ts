/**
 * Priority: severity from CVSS (v3.1/v4) and the vendor's rating (set by the matchers), raised here by
 * KEV, by EPSS at or above EPSS_THRESHOLD, by exposure (a public URL, a listening web server) and by
 * personal data on the same target. Then one ordered list: `rank` 1 = first.
 *
 * Raising rules (documented in the README):
 * - a `missing-security-update` / `vulnerability` carrying a KEV CVE is at least high;
 * - one carrying a CVE with EPSS ≥ 0.1 is raised one step (not above critical);
 * - on a target that also exposes personal data, `vulnerability` (likely exploited), `outdated-application`
 *   and `end-of-life` findings of a web-facing part are raised one step: a break-in there reaches customers.
 * Ranking within a severity uses a score: KEV +40, personal data already exposed +30 (a sensitive file +10),
 * EPSS +20, exposure +15, personal data on the target +10, confidence/10.
 */
import type { Category, Finding, Inventory, Severity, TargetKind } from '../model.js';
import { CATEGORIES } from '../model.js';
import { EPSS_THRESHOLD, maxSeverity, raise, SEV_ORDER } from './evidence.js';
import type { Exposure } from './types.js';

const WEB_PORTS = new Set([80, 443, 8080, 8443]);
const DB_PORTS = new Set([3306, 5432, 1433, 27017, 6379]);
const loopback = (a: string) => /^(127\.|::1$|localhost$|\[::1\])/.test(a);
const WEB = new Set(['php', 'apache-httpd', 'nginx', 'lighttpd', 'iis', 'openssl']);

export function exposureOf(target: { kind: TargetKind }, inv: Inventory, findings: readonly Finding[]): Exposure {
  const listening = inv.listening ?? [];
  const webListening = listening.some((l) => WEB_PORTS.has(l.port) && !loopback(l.address));
  const hasWebServer = inv.components.some((c) => ['apache-httpd', 'nginx', 'lighttpd', 'iis'].includes(c.name));
  return {
    // A site scan is public by definition; a host with a web server and no listening data is assumed public.
    publicWeb: target.kind === 'site' || webListening || Boolean(inv.docroots?.some((d) => d.url)) || (listening.length === 0 && hasWebServer),
    publicDb: listening.some((l) => DB_PORTS.has(l.port) && !loopback(l.address)),
    personalData: findings.some((f) => f.category === 'personal-data-exposure'),
  };
}

interface CveLike {
  kev?: unknown;
  epss?: number;
  conditionMessage?: unknown;
}
const cveList = (f: Finding): CveLike[] => {
  const e = f.evidence as { cves?: unknown; cve?: unknown } | undefined;
  if (Array.isArray(e?.cves)) return e.cves as CveLike[];
  if (e?.cve && typeof e.cve === 'object') return [e.cve as CveLike];
  return [];
};

const webFacing = (f: Finding): boolean => {
  const n = f.component?.name ?? '';
  return WEB.has(n) || f.category === 'outdated-application' || /^(php|apache2|httpd|nginx|openssl)/.test(n);
};

/** Raise severities per the rules above; returns the score used for ordering. Mutates `f`. */
export function prioritise(f: Finding, exposure: Exposure): number {
  const all = cveList(f);
  // A CVE that applies only under a condition mamori could not check (php-cgi, Windows) raises nothing.
  const cves = all.filter((c) => !c.conditionMessage);
  const kev = cves.some((c) => c.kev);
  const epss = cves.some((c) => (c.epss ?? 0) >= EPSS_THRESHOLD);
  if (f.category === 'vulnerability' || f.category === 'missing-security-update') {
    if (kev) f.severity = maxSeverity(f.severity, (f.confidence ?? 100) <= 40 ? 'medium' : 'high');
    if (epss) f.severity = raise(f.severity);
  }
  const exposed = exposure.publicWeb && webFacing(f);
  if (exposure.personalData && exposed && SEV_ORDER[f.severity] >= SEV_ORDER.medium) {
    if (f.category === 'outdated-application' || f.category === 'end-of-life' || (f.category === 'vulnerability' && (kev || epss))) f.severity = raise(f.severity);
  }
  if (all.length && !cves.length && f.severity === 'critical') f.severity = 'high';
  const single = (f.evidence as { kev?: boolean } | undefined)?.kev === true ? 5 : 0;
  // Data already out in the open comes before what could let someone in.
  const direct = f.category === 'personal-data-exposure' ? 30 : f.category === 'sensitive-file-exposure' ? 10 : 0;
  return direct + single + (kev ? 40 : 0) + (epss ? 20 : 0) + (exposed ? 15 : 0) + (exposure.personalData ? 10 : 0) + (f.confidence ?? 50) / 10;
}

const CAT_ORDER = new Map<Category, number>(CATEGORIES.map((c, i) => [c, i]));

/** Total, stable order: severity, then score, then category, then id. Assigns rank 1…n. */
export function rankFindings(findings: Finding[], scores: ReadonlyMap<string, number>): Finding[] {
  const sorted = [...findings].sort(
    (a, b) =>
      SEV_ORDER[b.severity] - SEV_ORDER[a.severity] ||
      (scores.get(b.id) ?? 0) - (scores.get(a.id) ?? 0) ||
      (CAT_ORDER.get(a.category) ?? 99) - (CAT_ORDER.get(b.category) ?? 99) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  sorted.forEach((f, i) => (f.rank = i + 1));
  return sorted;
}

export const severityAtLeast = (s: Severity, bar: Severity): boolean => SEV_ORDER[s] >= SEV_ORDER[bar];
