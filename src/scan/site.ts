/**
 * The site scan: the black-box probe of one website (src/probe/site.ts: crawl, forms, cookies, headers, TLS,
 * exposure probes, version files) within the request budget and time limit, then the assessment of what it
 * fingerprinted (end of life, CVEs) and the report assembly.
 */
import { FatalError, UsageError } from '../core/errors.js';
import { messages } from '../core/messages/index.js';
import type { ReportDocument } from '../core/model.js';
import { assembleReport } from './assemble.js';
import { systemClock, type ReportChoices, type ScanPorts } from './ports.js';
import { defaultUserAgent } from './version.js';

export { defaultUserAgent };

/** The site's URL from what a user typed (`shop.example.jp` → `https://shop.example.jp/`); a UsageError when it is none. */
export function siteUrl(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch (_err) {
    throw new UsageError({ code: 'site.err.badUrl', params: { value: raw } });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError({ code: 'site.err.scheme', params: { scheme: u.protocol, host: u.hostname || 'www.example.co.jp' } });
  if (!u.hostname || u.username || u.password) throw new UsageError({ code: 'site.err.badUrl', params: { value: raw } });
  return u.href;
}

export interface SiteScanOptions extends ReportChoices {
  /** The start URL, as `siteUrl()` returns it. */
  url: string;
  userAgent?: string;
  /** Requests in all (default 500), per second (10), at once (5). */
  budget?: number;
  ratePerSec?: number;
  concurrency?: number;
  /** One request's time limit (default 10 s). */
  timeoutMs?: number;
  maxPages?: number;
  httpPort?: number;
  httpsPort?: number;
  /** PEM trust anchors for the certificate checks (the system store and the user's CA, read by the front end). */
  ca: string[];
  skipTls?: boolean;
  /** The scan's overall time limit (default 300 s). */
  maxTimeMs?: number;
}

export async function scanSite(o: SiteScanOptions, ports: ScanPorts): Promise<ReportDocument> {
  // The prober loads on demand.
  const [{ defaultHttpOptions }, { loadClassifier }, probe] = await Promise.all([import('../probe/http.js'), import('../probe/pii.js'), import('../probe/site.js')]);
  const http = defaultHttpOptions(o.userAgent ?? defaultUserAgent);
  http.budget = o.budget ?? 500;
  http.ratePerSec = o.ratePerSec ?? 10;
  http.concurrency = o.concurrency ?? 5;
  http.timeoutMs = o.timeoutMs ?? 10_000;
  http.ca = o.ca;
  const classifier = await loadClassifier();
  const started = (ports.clock ?? systemClock)();
  ports.progress?.({ code: 'progress.site.start', params: { target: o.url, pages: o.maxPages ?? 50, budget: http.budget, rate: http.ratePerSec } });
  const res = await probe.scanSite({
    url: o.url,
    http,
    maxPages: o.maxPages ?? 50,
    httpPort: o.httpPort,
    httpsPort: o.httpsPort,
    ca: o.ca,
    now: started,
    t: (code, params) => messages.t(o.lang, code, params),
    classifier: classifier.ok ? classifier.value : undefined,
    classifierGap: classifier.ok ? undefined : classifier.issue.message,
    skipTls: Boolean(o.skipTls),
    maxTimeMs: o.maxTimeMs ?? 300_000,
    onStep: (step, so) => ports.progress?.({ code: `progress.site.${step}`, params: so }),
  });
  if (res.fatal) {
    const ref = { code: 'site.err.unreachable', params: { url: o.url, why: res.fatal } };
    throw new FatalError(messages.t('en', ref.code, ref.params), ref);
  }
  ports.progress?.({ code: 'site.done', params: { requests: res.stats.requests, pages: res.stats.pages, handshakes: res.stats.handshakes, findings: res.findings.length } });
  // The assessment (end-of-life, CVEs) of what the probe fingerprinted.
  ports.progress?.({ code: 'progress.assess' });
  return assembleReport({ target: { kind: 'site', name: o.url }, inventory: res.inventory, findings: res.findings, gaps: res.gaps, scannedAt: started }, ports.knowledge, o);
}
