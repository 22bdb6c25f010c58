/** What every matcher shares: the language, the clock value, exposure, per-CVE facts and finding helpers. */
import type { Advisory } from '../knowledge.js';
import { messages } from '../messages/index.js';
import type { CveEvidence } from '../evidence.js';
import type { Finding, Gap, Inventory, Lang, MessageRef, Severity } from '../model.js';
import { cveSeverity, EPSS_THRESHOLD, type FactIndex, SEV_ORDER } from './evidence.js';
import type { Exposure } from './types.js';
import { dayOf, isoFromDay } from './dates.js';

export interface Ctx {
  lang: Lang;
  now: Date;
  inventory: Inventory;
  exposure: Exposure;
  facts: FactIndex;
  /** `now + 30 days`, YYYY-MM-DD: when a temporary defence must be reviewed. */
  reviewBy: string;
  targetKind: 'host' | 'site' | 'files';
}

export const msg = (code: string, params?: Record<string, string | number>): MessageRef => (params ? { code, params } : { code });
export const tr = (lang: Lang, ref: MessageRef): string => messages.render(lang, ref);

/** A gap with its messages: `what` is a catalog message or a plain subject (a package, a product and version). */
export function gap(ctx: Ctx, what: string | MessageRef, code: string, params?: Record<string, string | number>): Gap {
  const message = msg(code, params);
  if (typeof what === 'string') return { what, why: tr(ctx.lang, message), code, message };
  return { what: tr(ctx.lang, what), why: tr(ctx.lang, message), code, message, subject: what };
}

export const isoDay = (d: { getTime(): number }): string => isoFromDay(dayOf(d));
/** `now + days` as YYYY-MM-DD. */
export const isoDayPlus = (d: { getTime(): number }, days: number): string => isoFromDay(dayOf(d) + days);

export type { CveEvidence } from '../evidence.js';

/** A CVE summary kept in the document is cut here (NVD descriptions run to a few thousand characters). */
export const SUMMARY_MAX = 400;

export function cveEvidence(ctx: Ctx, cve: string, adv: Advisory, match: { range?: string; fixed?: string; confidence?: 'malformed'; malformed?: string }): CveEvidence {
  const f = ctx.facts.facts(cve, adv);
  const s = cveSeverity(f, adv);
  const best = f.cvss?.filter((c) => c.version !== '2.0').sort((a, b) => b.score - a.score)[0] ?? f.cvss?.[0];
  const e: CveEvidence = { id: cve, severity: s.severity, severityBasis: s.basis, feed: adv.feed, record: adv.id };
  if (best) {
    e.cvss = best.score;
    e.cvssVersion = best.version;
    if (best.vector) e.cvssVector = best.vector;
  }
  if (f.kev) e.kev = f.kev.knownRansomwareCampaignUse ? { dateAdded: f.kev.dateAdded, ransomware: f.kev.knownRansomwareCampaignUse } : { dateAdded: f.kev.dateAdded };
  if (f.epss) e.epss = f.epss.epss;
  const fixedIn = match.fixed ?? adv.fixedVersion;
  if (fixedIn) e.fixedIn = fixedIn;
  if (match.range) e.range = match.range;
  if (match.confidence === 'malformed') {
    e.confidence = 'malformed';
    if (match.malformed) e.malformed = match.malformed;
  }
  if (adv.rawRef) e.rawRef = adv.rawRef;
  // The per-CVE summary for the owner's report: the CVE record / NVD description, JVN's Japanese title beside it.
  const summary = f.summary?.trim();
  if (summary) e.summary = summary.length > SUMMARY_MAX ? `${summary.slice(0, SUMMARY_MAX - 1)}…` : summary;
  if (f.jvnTitle) e.jvnTitle = f.jvnTitle;
  if (f.jvn?.length) e.jvn = [...f.jvn];
  if (adv.url) e.url = adv.url;
  return e;
}

/** Most severe first; KEV, then EPSS, then CVSS, then id break ties (a total order). */
export function sortCves(list: CveEvidence[]): CveEvidence[] {
  return list.sort(
    (a, b) =>
      SEV_ORDER[b.severity] - SEV_ORDER[a.severity] ||
      Number(Boolean(b.kev)) - Number(Boolean(a.kev)) ||
      (b.epss ?? -1) - (a.epss ?? -1) ||
      (b.cvss ?? -1) - (a.cvss ?? -1) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export const worst = (list: readonly CveEvidence[]): Severity =>
  list.reduce<Severity>((m, c) => (SEV_ORDER[c.severity] > SEV_ORDER[m] ? c.severity : m), 'info');

export const likelyExploited = (list: readonly CveEvidence[]): boolean => list.some((c) => c.kev || (c.epss ?? 0) >= EPSS_THRESHOLD);

/** CVE ids of advisories that name none (GHSA-only, vendor ids) keep the advisory id. */
export const advisoryCves = (a: Advisory): string[] => (a.cves.length ? [...new Set(a.cves)] : [a.id]);

export type Step = NonNullable<Finding['remediation']['steps']>[number];

/** One step of the plan, rendered now and re-renderable later from its message. */
export function step(ctx: Pick<Ctx, 'lang'>, priority: 1 | 2 | 3, ref: MessageRef, extra: { command?: string; reviewBy?: string } = {}): Step {
  return { priority, action: tr(ctx.lang, ref), actionMessage: ref, ...extra };
}

export function newFinding(f: Omit<Finding, 'title'> & { message: MessageRef }, lang: Lang): Finding {
  return { ...f, title: tr(lang, f.message) };
}
