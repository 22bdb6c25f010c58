/**
 * What every step of the site scan shares: its options and result, the scan context, and how gaps and
 * findings are added (stable ids: category + check + subject).
 */
import type { CatalogRef } from '../../core/gaps.js';
import type { MessageCode } from '../../core/messages/index.js';
import type { Finding, Gap, Inventory, Package, Severity } from '../../core/model.js';
import { findingId } from '../../core/ids.js';
import { check } from '../../checks/catalog.js';
import type { ExposureProbe } from '../../checks/types.js';
import { HttpClient, type HttpOptions } from '../http.js';
import { ComponentSet } from '../fingerprint.js';
import { type TlsReport } from '../tls.js';
import { type Classifier } from '../pii.js';
import { decodeRaw } from '../../pii/decode.js';
import { SiteScope } from '../scope.js';

export interface SiteScanOptions {
  url: string;
  http: HttpOptions;
  maxPages: number;
  /** Override the port of the http:// or https:// counterpart (sites on non-standard ports). */
  httpPort?: number;
  httpsPort?: number;
  /** PEM trust anchors added to the system store for certificate checks. */
  ca?: string[];
  now: Date;
  t: (code: string, params?: Record<string, string | number>) => string;
  classifier?: Classifier;
  /** Why there is no classifier (a gap). */
  classifierGap?: string;
  /** Skip TLS probing (tests of HTTP-only behaviour). */
  skipTls?: boolean;
  /** Overall time limit of the scan in milliseconds (none when absent). */
  maxTimeMs?: number;
  /** Told when a step starts (the pages crawled and requests sent so far), for progress lines. */
  onStep?: (step: 'crawl' | 'exposure' | 'versions', so: { pages: number; requests: number }) => void;
}

export interface SiteScanResult {
  /** Nothing at all could be checked: the reason (exit 2). */
  fatal?: string;
  targetName: string;
  inventory: Inventory;
  findings: Finding[];
  gaps: Gap[];
  stats: { requests: number; pages: number; handshakes: number; byStatus: Record<string, number>; errors: Record<string, number> };
  tls?: TlsReport;
  observatory?: { score: number; grade: string };
}

/** Pages, listings and version files in their own encoding, with the personal-data detector's decoder; a body may
 * end inside a character (a ranged or capped read). */
export const decodeText = (body: Uint8Array): string => decodeRaw(body, true);

export type ProbeLike = Pick<ExposureProbe, 'check' | 'matcher' | 'pii' | 'rangeBytes'>;

export interface Ctx {
  o: SiteScanOptions;
  client: HttpClient;
  findings: Map<string, Finding>;
  gaps: Gap[];
  comps: ComponentSet;
  packages: Map<string, Package>;
  cookies: Map<string, { line: string; url: string }>;
  pages: number;
  confirmedUrls: Set<string>;
  /** Files in open directories not fetched because of the time limit. */
  listingCut: number;
  /** The origins this scan may send requests to (checked by the client on every request and redirect). */
  scope: SiteScope;
}

/**
 * A gap, once: subject and reason are catalog messages (rendered in the scan's language and kept, so a report
 * can show them in another) or plain text where they are technical detail (an HTTP error).
 */
export function addGap(c: Ctx, code: string, what: CatalogRef | string, why: CatalogRef | string): void {
  const render = (x: CatalogRef | string) => (typeof x === 'string' ? x : c.o.t(x.code, x.params));
  const g: Gap = { what: render(what), why: render(why), code };
  if (typeof why !== 'string') g.message = why;
  if (typeof what !== 'string') g.subject = what;
  if (!c.gaps.some((x) => x.what === g.what && x.why === g.why)) c.gaps.push(g);
}

/** A step cut short by the time limit: `what` is the catalog text `${code}What`. */
export function deadlineGap(c: Ctx, code: string, params: Record<string, string | number>): void {
  addGap(c, code, { code: `${code}What` as MessageCode, params }, { code: 'site.gap.deadlineWhy', params: { seconds: (c.o.maxTimeMs ?? 0) / 1000 } });
}

export const cutByDeadline = (r: { ok: boolean; issue?: { code: string } }): boolean => !r.ok && r.issue?.code === 'http.deadline';

export function addFinding(
  c: Ctx,
  checkId: string,
  subject: string,
  params: Record<string, string | number>,
  extra: { location?: string; evidence?: Record<string, unknown>; severity?: Severity; category?: Finding['category']; confidence?: number; component?: { name: string; version?: string } },
): void {
  const def = check(checkId);
  const category = extra.category ?? def.category;
  const id = findingId(category, checkId, subject);
  if (c.findings.has(id)) return;
  const f: Finding = {
    id,
    category,
    severity: extra.severity ?? def.severity,
    title: c.o.t(def.title, params),
    message: { code: def.title, params },
    remediation: { priority: def.priority, action: c.o.t(def.remediation, params), actionMessage: { code: def.remediation, params } },
    source: checkId,
  };
  if (def.snippet) f.remediation.command = def.snippet;
  if (extra.location) f.location = extra.location;
  if (extra.component) f.component = extra.component;
  if (extra.evidence) f.evidence = { ...extra.evidence, check: def.catalog, references: def.references };
  else f.evidence = { check: def.catalog, references: def.references };
  if (extra.confidence !== undefined) f.confidence = extra.confidence;
  c.findings.set(id, f);
}

export function pathOf(u: string): string {
  const x = new URL(u);
  return x.pathname + x.search;
}
