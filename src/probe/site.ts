/**
 * `scan site`: the black-box assessment of one website. Order of work, within the request budget:
 * 1. the start page over http:// (redirect to https?) and https://; TLS probing runs alongside;
 * 2. a same-origin crawl (links, robots.txt, sitemap.xml, known entry points) for forms, mixed content,
 *    cookies, headers and fingerprints;
 * 3. exposure probes (src/checks/exposure.ts) with a random-path baseline per directory (soft 404s),
 *    confirmed by content, bodies through the personal-data classifier; listings followed one level;
 * 4. version files for what was fingerprinted (readme.html, plugin readme.txt, mail-form readme).
 * Everything it could not do is a gap; findings carry stable ids (category + check + path).
 * An overall time limit (`maxTimeMs`) aborts requests and handshakes in flight and starts no new ones; the scan
 * then finishes with what it found, and each step that was cut short names what it left unchecked as a gap.
 */
import { randomBytes } from 'node:crypto';
import type { Component, Finding, Gap, Inventory, OsInfo, Package, Severity } from '../core/model.js';
import { findingId } from '../core/ids.js';
import { check } from '../checks/catalog.js';
import { EXPOSURE_PROBES, OPEN_DIRECTORIES, expandProbes } from '../checks/exposure.js';
import { listingEntries, matchersForName, matchers, zipMemberNames } from '../checks/matchers.js';
import type { ExposureProbe, MatchResult, MatcherName } from '../checks/types.js';
import { JQUERY_BANNER } from '../checks/fingerprints.js';
import { SESSION_COOKIE_FLAGS, VERSION_BANNER_HEADERS } from '../checks/headers.js';
import { fingerprints } from '../apps/index.js';
import { kentVersion } from '../apps/kentweb.js';
import { pluginReadmeVersion, WP_PLUGIN_RE } from '../apps/wordpress.js';
import { parseSetCookie, scoreObservatory, SESSION_COOKIE_RE, hstsMaxAge, type ObservatoryResult } from '../checks/observatory.js';
import { gradeTls, type Protocol } from '../checks/tls-grade.js';
import { HttpClient, textOf, type FetchOptions, type HttpOptions, type HttpResponse } from './http.js';
import type { Result } from '../core/result.js';
import { parsePage, resolveRef, type PageInfo } from './html.js';
import { ComponentSet, detectInResponse, distroHints } from './fingerprint.js';
import { probeTls, type TlsReport } from './tls.js';
import { servedSeverity, type Classifier, type PiiVerdict } from './pii.js';
import { decodeRaw } from '../pii/decode.js';
import { SiteScope } from './scope.js';

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

const PERSONAL_FIELD_RE = /pass|name0?[12]?$|^name|kana|furigana|tel|phone|fax|mail|zip|postal|post_?code|addr|pref|city|birth|card|cvv|cvc|security_?code|kojin|shimei|jusho|denwa|住所|電話|氏名|名前|フリガナ|郵便|メール|生年月日|カード/i;
const SEARCH_FIELD_RE = /^(q|s|search|keyword|kw|query|word|name=?search)$/i;

/** Pages, listings and version files in their own encoding, with the personal-data detector's decoder; a body may
 * end inside a character (a ranged or capped read). */
const decodeText = (body: Uint8Array): string => decodeRaw(body, true);

type ProbeLike = Pick<ExposureProbe, 'check' | 'matcher' | 'pii' | 'rangeBytes'>;

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 16)).toString('hex');

interface Ctx {
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

function addGap(c: Ctx, code: string, what: string, why: string): void {
  if (!c.gaps.some((g) => g.what === what && g.why === why)) c.gaps.push({ what, why, code });
}

/** A step cut short by the time limit: `what` is the catalog text `${code}What`. */
function deadlineGap(c: Ctx, code: string, params: Record<string, string | number>): void {
  addGap(c, code, c.o.t(`${code}What`, params), c.o.t('site.gap.deadlineWhy', { seconds: (c.o.maxTimeMs ?? 0) / 1000 }));
}

const cutByDeadline = (r: { ok: boolean; issue?: { code: string } }): boolean => !r.ok && r.issue?.code === 'http.deadline';

function addFinding(
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

function pathOf(u: string): string {
  const x = new URL(u);
  return x.pathname + x.search;
}

function observe(c: Ctx, r: HttpResponse, page?: PageInfo, html?: string): void {
  const cookieNames = r.setCookies.map((l) => parseSetCookie(l).name);
  for (const d of detectInResponse(r.finalUrl, r.headers, cookieNames, page, html)) c.comps.add(d);
  c.comps.addHints(distroHints(r.headers));
  for (const l of r.setCookies) {
    const n = parseSetCookie(l).name;
    if (n && !c.cookies.has(n)) c.cookies.set(n, { line: l, url: r.finalUrl });
  }
  if (html) for (const m of html.matchAll(WP_PLUGIN_RE)) {
    const slug = m[1]!.toLowerCase();
    if (!c.packages.has(slug) && c.packages.size < 30) c.packages.set(slug, { name: slug, version: '', ecosystem: 'wordpress-plugin', location: new URL(`/wp-content/plugins/${slug}/`, r.finalUrl).href });
  }
}

/** Observatory redirection outcome from the http:// start URL. */
function redirection(httpRes: HttpResponse | undefined, httpsOk: boolean, host: string): ObservatoryResult {
  if (!httpRes) return httpsOk ? 'redirection-not-needed-no-http' : 'redirection-missing';
  const hops = httpRes.hops;
  if (hops.length === 0) return 'redirection-missing';
  // a redirect out of the scope was not followed: where it pointed is where it ends
  const finalUrl = new URL(httpRes.outOfScope ?? httpRes.finalUrl);
  if (finalUrl.protocol !== 'https:') return 'redirection-not-to-https';
  const first = new URL(hops[0]!.location ?? httpRes.finalUrl);
  if (first.protocol !== 'https:') return 'redirection-not-to-https-on-initial-redirection';
  if (first.hostname !== host) return 'redirection-off-host-from-http';
  return 'redirection-to-https';
}

async function crawl(c: Ctx, start: HttpResponse, origin: string): Promise<{ url: string; res: HttpResponse; page: PageInfo; html: string }[]> {
  const out: { url: string; res: HttpResponse; page: PageInfo; html: string }[] = [];
  const queue: string[] = [];
  const seen = new Set<string>();
  const enqueue = (u: URL | undefined) => {
    if (!u || u.origin !== origin) return;
    if (/\.(jpe?g|png|gif|svg|ico|css|js|pdf|zip|gz|mp4|mp3|woff2?|ttf|eot|webp|bmp|xml|txt|csv|xls|xlsx|docx?|pptx?)$/i.test(u.pathname)) return;
    if (/logout|log_out|signout|delete|remove|cart_add|add_to_cart|mode=(?:delete|logout)/i.test(u.href)) return;
    const key = u.href;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(key);
  };
  const handle = (res: HttpResponse) => {
    const ct = res.headers['content-type'] ?? '';
    if (res.status >= 300 || !/html/i.test(ct) || new URL(res.finalUrl).origin !== origin) return;
    const html = decodeText(res.body);
    const page = parsePage(html);
    out.push({ url: res.finalUrl, res, page, html });
    observe(c, res, page, html);
    for (const l of page.links) enqueue(resolveRef(l, res.finalUrl));
    for (const f of page.forms) if (f.method === 'get') enqueue(resolveRef(f.action || res.finalUrl, res.finalUrl));
  };
  seen.add(start.finalUrl);
  handle(start);
  c.pages = 1;
  let cut = 0;
  // robots.txt and sitemap.xml: same-origin paths only, never more than the page cap.
  const robots = await c.client.fetch(`${origin}/robots.txt`, { maxBytes: 64 * 1024 });
  if (cutByDeadline(robots)) cut++;
  const sitemaps = [`${origin}/sitemap.xml`];
  if (robots.ok && robots.value.status === 200 && !/html/i.test(robots.value.headers['content-type'] ?? '')) {
    for (const line of textOf(robots.value.body).split(/\r?\n/)) {
      const m = /^\s*(allow|disallow|sitemap)\s*:\s*(\S+)/i.exec(line);
      if (!m) continue;
      if (m[1]!.toLowerCase() === 'sitemap') sitemaps.push(m[2]!);
      else if (!/[*$]/.test(m[2]!)) enqueue(resolveRef(m[2]!, origin));
    }
  }
  for (const sm of sitemaps.slice(0, 3)) {
    const smUrl = resolveRef(sm, origin)?.href;
    if (!smUrl) continue;
    // a sitemap robots.txt names on another host is that host's business: listed as a gap, not fetched
    if (!c.scope.allows(smUrl)) {
      c.scope.refuse(smUrl, `${origin}/robots.txt`, 'sitemap');
      continue;
    }
    const r = await c.client.fetch(smUrl, { maxBytes: 256 * 1024, identity: false });
    if (cutByDeadline(r)) cut++;
    if (r.ok && r.value.status === 200) for (const m of decodeText(r.value.body).matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/gi)) enqueue(resolveRef(m[1]!, origin));
  }
  // Known entry points of carts and CMSs (forms that take personal data).
  for (const p of ['/entry/kiyaku.php', '/entry/', '/mypage/login.php', '/contact/', '/contact/index.php', '/wp-login.php', '/cart/', '/shopping/', '/inquiry/', '/usces-member/']) enqueue(resolveRef(p, origin));
  while (queue.length && out.length < c.o.maxPages && c.client.remaining > 0 && !c.client.expired) {
    const batch = queue.splice(0, Math.min(c.o.http.concurrency, c.o.maxPages - out.length));
    const results = await Promise.all(batch.map((u) => c.client.fetch(u, { identity: false })));
    for (const r of results) {
      if (cutByDeadline(r)) {
        cut++;
        continue;
      }
      c.pages++;
      if (r.ok) handle(r.value);
    }
  }
  if (c.client.expired) cut += Math.min(queue.length, Math.max(0, c.o.maxPages - out.length));
  if (cut) deadlineGap(c, 'site.gap.deadlineCrawl', { left: cut });
  return out;
}

function formChecks(c: Ctx, pages: { url: string; page: PageInfo }[], httpServesPages: boolean): { url: string }[] {
  const recheckOnHttp: { url: string }[] = [];
  let mixedActive: string[] = [];
  let mixedPassive: string[] = [];
  let mixedPage = '';
  for (const { url, page } of pages) {
    const pageUrl = new URL(url);
    for (const f of page.forms) {
      const action = resolveRef(f.action || url, url) ?? pageUrl;
      const named = f.inputs.filter((i) => i.type !== 'hidden' && i.type !== 'submit' && i.type !== 'button');
      const password = named.some((i) => i.type === 'password');
      const personal = named.filter((i) => PERSONAL_FIELD_RE.test(i.name) || i.type === 'email' || i.type === 'tel');
      const searchOnly = named.length > 0 && named.every((i) => SEARCH_FIELD_RE.test(i.name) || i.type === 'search');
      if (searchOnly || (!password && personal.length === 0)) continue;
      const fields = [...new Set([...(password ? ['password'] : []), ...personal.map((i) => i.name || i.type)])].slice(0, 12);
      if (action.protocol === 'http:' && (pageUrl.protocol === 'https:' || action.host !== pageUrl.host)) {
        addFinding(c, 'transport.form-http-action', `${pathOf(url)} -> ${action.origin}${action.pathname}`, { page: url, action: action.href.split('?')[0]! }, {
          location: url,
          evidence: { page: url, action: action.href.split('?')[0], method: f.method, fields, crossHost: action.host !== pageUrl.host },
          severity: password || personal.length >= 2 ? 'high' : 'medium',
        });
      }
      if (pageUrl.protocol === 'http:') {
        addFinding(c, 'transport.form-on-http-page', pathOf(url), { page: url }, {
          location: url,
          evidence: { page: url, action: action.href.split('?')[0], fields },
          severity: password || personal.length >= 2 ? 'high' : 'medium',
        });
      } else if (httpServesPages && !recheckOnHttp.some((x) => x.url === url)) recheckOnHttp.push({ url });
    }
    if (pageUrl.protocol === 'https:') {
      const active = page.subresources.filter((s) => ['script', 'iframe', 'link', 'embed'].includes(s.tag) && /^http:\/\//i.test(s.url)).map((s) => s.url);
      const passive = page.subresources.filter((s) => !['script', 'iframe', 'link', 'embed'].includes(s.tag) && /^http:\/\//i.test(s.url)).map((s) => s.url);
      if ((active.length || passive.length) && !mixedPage) mixedPage = url;
      mixedActive = [...new Set([...mixedActive, ...active])];
      mixedPassive = [...new Set([...mixedPassive, ...passive])];
    }
  }
  if (mixedActive.length || mixedPassive.length) {
    addFinding(c, 'transport.mixed-content', 'site', { page: mixedPage, count: mixedActive.length + mixedPassive.length }, {
      location: mixedPage,
      evidence: { active: mixedActive.slice(0, 10), passive: mixedPassive.slice(0, 10) },
      severity: mixedActive.length ? 'medium' : 'low',
    });
  }
  return recheckOnHttp;
}

function cookieChecks(c: Ctx, https: boolean): void {
  for (const [name, { line, url }] of c.cookies) {
    if (!SESSION_COOKIE_RE.test(name)) continue;
    const p = parseSetCookie(line);
    const missing: string[] = SESSION_COOKIE_FLAGS.filter((r) => r.missing(p, https)).map((r) => r.flag);
    if (!missing.length) continue;
    addFinding(c, 'cookie.session-flags', name, { cookie: name, missing: missing.join(', ') }, {
      location: url,
      evidence: { cookie: name, missing, setCookieAttributes: line.split(';').slice(1).map((x) => x.trim().split('=')[0]).filter(Boolean) },
      severity: missing.includes('Secure') || missing.includes('HttpOnly') ? 'medium' : 'low',
    });
  }
}

function bannerFindings(c: Ctx, r: HttpResponse): void {
  for (const { header: h, label: header } of VERSION_BANNER_HEADERS) {
    const v = r.headers[h];
    if (v && /\d+\.\d+/.test(v)) addFinding(c, 'info.version-banner', header, { header, value: v.slice(0, 120) }, { location: r.finalUrl, evidence: { header, value: v.slice(0, 200) } });
  }
}

interface Baseline {
  status: number;
  length: number;
  head: string;
  body: Uint8Array;
  contentType: string;
}

function similar(a: HttpResponse, b: Baseline): boolean {
  if (a.status !== b.status) return false;
  if (hex(a.body) === b.head && Math.abs(a.body.byteLength - b.length) <= Math.max(64, b.length * 0.05)) return true;
  return false;
}

async function exposure(c: Ctx, origin: string, host: string): Promise<void> {
  const year = c.o.now.getUTCFullYear();
  const wanted = expandProbes(host, year);
  // Baselines: one random path per directory (soft 404 detection), fetched only when a probe there answers 200.
  const baselines = new Map<string, Promise<Baseline | 'deadline' | undefined>>();
  const rand = randomBytes(6).toString('hex');
  // 'deadline': the baseline was cut off, so a 200 there cannot be told from a soft 404 (not checked).
  const baselineFor = (d: string): Promise<Baseline | 'deadline' | undefined> => {
    let b = baselines.get(d);
    if (!b) {
      b = c.client.fetch(`${origin}${d}mamori-${rand}.txt`, { rangeBytes: 4096, follow: false }).then((r) =>
        r.ok ? { status: r.value.status, length: r.value.body.byteLength, head: hex(r.value.body), body: r.value.body, contentType: r.value.headers['content-type'] ?? '' } : cutByDeadline(r) ? 'deadline' : undefined,
      );
      baselines.set(d, b);
    }
    return b;
  };
  const confirmedUrls = c.confirmedUrls;
  let cut = 0;
  const confirm = async (path: string, probes: readonly ProbeLike[], via: string): Promise<void> => {
    const range = Math.max(...probes.map((p) => p.rangeBytes));
    const url = `${origin}${path}`;
    const r = await c.client.fetch(url, { rangeBytes: range, follow: false });
    if (!r.ok) {
      if (cutByDeadline(r)) cut++;
      return;
    }
    const res = r.value;
    if (res.status !== 200 && res.status !== 206) return;
    const dir = path.replace(/[^/]*$/, '') || '/';
    const base = await baselineFor(dir);
    if (base === 'deadline') {
      cut++;
      return;
    }
    if (base && similar(res, base)) return;
    const text = decodeText(res.body);
    const input = { status: res.status, contentType: res.headers['content-type'] ?? '', body: res.body, text, path };
    for (const p of probes) {
      const m: MatchResult | undefined = matchers[p.matcher](input);
      if (!m) continue;
      // The catch-all trap: if the random baseline page also "matches", this is not the file.
      if (base && base.status === res.status && matchers[p.matcher]({ status: base.status, contentType: base.contentType, body: base.body, text: decodeText(base.body), path })) continue;
      if (confirmedUrls.has(url)) return;
      confirmedUrls.add(url);
      await report(c, url, res, p, m, via);
      if (p.matcher === 'listing') await followListing(c, url, text, origin, confirmedUrls);
      return;
    }
  };
  const entries = [...wanted.entries()];
  const dirProbes: [string, ProbeLike[]][] = [...new Set(OPEN_DIRECTORIES)].map((d) => [d, [{ check: 'exposure.listing', matcher: 'listing', pii: false, rangeBytes: 64 * 1024 }]]);
  const all: [string, readonly ProbeLike[]][] = [...dirProbes, ...entries];
  const limit = Math.max(1, c.o.http.concurrency * 2);
  for (let i = 0; i < all.length; i += limit) {
    if (c.client.expired) {
      cut += all.length - i;
      break;
    }
    if (c.client.remaining === 0) {
      addGap(c, 'site.gap.budget', c.o.t('site.gap.budgetWhat', { left: all.length - i }), c.o.t('site.gap.budgetWhy', { budget: c.o.http.budget }));
      break;
    }
    await Promise.all(all.slice(i, i + limit).map(([p, probes]) => confirm(p, probes, 'probe')));
  }
  if (cut) deadlineGap(c, 'site.gap.deadlineExposure', { left: cut, total: all.length });
  if (c.listingCut) deadlineGap(c, 'site.gap.deadlineListing', { left: c.listingCut });
}

const CHECK_FOR_MATCHER: Partial<Record<MatcherName, string>> = {
  'sql-dump': 'exposure.sql-dump',
  archive: 'exposure.archive',
  csv: 'exposure.csv-export',
  excel: 'exposure.csv-export',
  'access-log': 'exposure.log',
  'error-log': 'exposure.error-log',
  sqlite: 'exposure.archive',
  'env-file': 'exposure.env',
  'php-source': 'exposure.config-backup',
  'text-data': 'exposure.listed-file',
  'kent-config': 'exposure.mailform-config',
  'kent-log': 'exposure.mailform-log',
};

async function followListing(c: Ctx, listingUrl: string, html: string, origin: string, confirmedUrls: Set<string>): Promise<void> {
  const entries = listingEntries({ text: html }) ?? [];
  const files = entries.filter((e) => !e.endsWith('/')).slice(0, 25);
  await Promise.all(
    files.map(async (e) => {
      const u = resolveRef(e, listingUrl);
      if (!u || u.origin !== origin) return;
      const name = decodeURIComponent(u.pathname.split('/').pop() ?? '');
      const candidates = matchersForName(name);
      if (!candidates.length || confirmedUrls.has(u.href)) return;
      const r = await c.client.fetch(u.href, { rangeBytes: 64 * 1024, follow: false });
      if (cutByDeadline(r)) c.listingCut++;
      if (!r.ok || (r.value.status !== 200 && r.value.status !== 206)) return;
      const text = decodeText(r.value.body);
      const input = { status: r.value.status, contentType: r.value.headers['content-type'] ?? '', body: r.value.body, text, path: u.pathname };
      let m: MatchResult | undefined;
      let used: MatcherName = candidates[0]!;
      for (const cand of candidates) {
        m = matchers[cand](input);
        used = cand;
        if (m) break;
      }
      if (!m || confirmedUrls.has(u.href)) return;
      confirmedUrls.add(u.href);
      const checkId = used === 'kent-config' && /^#!\S*perl/.test(text) ? 'exposure.cgi-source' : (CHECK_FOR_MATCHER[used] ?? 'exposure.listed-file');
      await report(c, u.href, r.value, { check: checkId, matcher: used, pii: true }, m, 'listing');
    }),
  );
}

/**
 * Personal data reachable by URL: critical with customer records (a name with contact data) by the dozen,
 * card numbers or My Numbers; otherwise at least high (check catalog, PII severity logic); the classifier's
 * own scale when it says more.
 */
function personalDataSeverity(v: PiiVerdict): Severity {
  const k = v.kinds;
  const contact = (k.phone ?? 0) + (k.email ?? 0) + (k.address ?? 0) > 0;
  if ((k.card ?? 0) > 0 || (k['my-number'] ?? 0) > 0 || ((k.name ?? 0) > 0 && contact && v.records >= 10)) return 'critical';
  const s = servedSeverity(v);
  return s === 'critical' ? s : 'high';
}

function maskEvidence(v: PiiVerdict): Record<string, unknown> {
  return { personal: v.personal, kinds: v.kinds, records: v.records, confidence: v.confidence, samples: v.samples.slice(0, 3), encoding: v.encoding, dummy: v.dummy };
}

async function report(c: Ctx, url: string, res: HttpResponse, p: Omit<ProbeLike, 'rangeBytes'>, m: MatchResult, via: string): Promise<void> {
  const path = pathOf(url);
  const evidence: Record<string, unknown> = { url, status: res.status, contentType: res.headers['content-type'] ?? '', bytesRead: res.body.byteLength, truncated: res.truncated, confirmedBy: p.matcher, via, ...m.detail };
  const def = check(p.check);
  let severity: Severity = def.severity;
  if (p.matcher === 'sql-dump' && m.detail.rows === 0) severity = 'medium';
  if (p.check === 'exposure.listed-file' && m.confidence < 70) severity = 'medium';
  // Component facts from test pages.
  if (p.matcher === 'phpinfo' && typeof m.detail.phpVersion === 'string') c.comps.add({ component: 'php', version: /^[\d.]+/.exec(m.detail.phpVersion)?.[0], detectedBy: `file:${path}`, location: url, confidence: 100 });
  if (p.matcher === 'mt-check') c.comps.add({ component: 'movable-type', version: typeof m.detail.version === 'string' ? m.detail.version : undefined, detectedBy: `file:${path}`, location: url, confidence: 95 });
  if (p.matcher === 'phpmyadmin') c.comps.add({ component: 'phpmyadmin', version: typeof m.detail.version === 'string' ? m.detail.version : undefined, detectedBy: `file:${path}`, location: url, confidence: 80 });
  // A zip: list its central directory (the archive's tail) to name the dumps and exports inside, unread.
  if (m.detail.format === 'zip' || m.detail.format === 'xlsx') {
    const total = Number(/\/(\d+)\s*$/.exec(res.headers['content-range'] ?? '')?.[1] ?? res.headers['content-length']);
    if (Number.isFinite(total) && total > 0) {
      const from = Math.max(0, total - 64 * 1024);
      const tail = res.body.byteLength >= total ? { ok: true as const, value: res } : await c.client.fetch(url, { rangeFrom: from, maxBytes: 64 * 1024, follow: false });
      if (tail.ok && (tail.value.status === 206 || tail.value.status === 200)) {
        const names = zipMemberNames(tail.value.body);
        evidence.members = names.length;
        evidence.dataMembers = names.filter((n) => /\.(sql|csv|tsv|xlsx?|dat|db|sqlite|bak|log|txt)$/i.test(n)).slice(0, 20);
      }
    }
  }
  if (p.matcher === 'installer-eccube') c.comps.add({ component: 'ec-cube', detectedBy: `file:${path}`, location: url, confidence: 70 });
  if (p.pii || ['sql-dump', 'csv', 'excel', 'access-log', 'error-log', 'mailform-log', 'kent-log', 'text-data', 'archive'].includes(p.matcher)) {
    if (c.o.classifier) {
      const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'index');
      let v: PiiVerdict | undefined;
      try {
        v = await c.o.classifier(name, res.body, { maxBytes: res.body.byteLength, totalBytes: Number(res.headers['content-range']?.split('/')[1]) || undefined });
      } catch (err) {
        addGap(c, 'site.gap.piiError', c.o.t('site.gap.piiErrorWhat', { url }), (err as Error).message);
      }
      if (v) {
        evidence.personalData = maskEvidence(v);
        // Read and judged: without personal data an export of products or a log of bots matters less.
        if (!v.personal && (p.matcher === 'csv' || p.matcher === 'excel')) severity = 'low';
        if (v.personal && !v.dummy) {
          const counts = Object.entries(v.kinds).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).map(([k, n]) => `${c.o.t(`site.kind.${k}`)} ${n}`).join(', ');
          addFinding(c, 'exposure.personal-data', path, { path, records: v.records, kinds: counts || '-' }, {
            location: url,
            evidence: { ...evidence, exposure: p.check },
            severity: personalDataSeverity(v),
            confidence: v.confidence,
          });
          return;
        }
      }
    }
  }
  addFinding(c, p.check, path, { path, url }, { location: url, evidence, severity, confidence: m.confidence });
}

async function versionFiles(c: Ctx, origin: string, pages: { url: string; page: PageInfo }[]): Promise<void> {
  const jobs: Promise<void>[] = [];
  let cut = 0;
  const get = async (url: string, fo: FetchOptions): Promise<Result<HttpResponse>> => {
    const r = await c.client.fetch(url, fo);
    if (cutByDeadline(r)) cut++;
    return r;
  };
  // Each application's version files (src/apps), once the application was seen.
  for (const app of fingerprints) {
    if (!app.site || !c.comps.has(app.component)) continue;
    for (const vf of app.site) {
      jobs.push(
        (async () => {
          const r = await get(`${origin}${vf.path}`, { maxBytes: vf.maxBytes });
          if (r.ok && r.value.status === 200) {
            const v = vf.version(decodeText(r.value.body));
            if (v) c.comps.add({ component: app.component, version: v, detectedBy: `file:${vf.path}`, location: `${origin}${vf.path}`, confidence: vf.confidence });
          }
        })(),
      );
    }
  }
  for (const [slug, pkg] of [...c.packages].slice(0, 15)) {
    jobs.push(
      (async () => {
        const url = `${origin}/wp-content/plugins/${slug}/readme.txt`;
        const r = await get(url, { rangeBytes: 8192 });
        if (r.ok && (r.value.status === 200 || r.value.status === 206) && !/html/i.test(r.value.headers['content-type'] ?? '')) {
          const v = pluginReadmeVersion(decodeText(r.value.body));
          if (v) {
            pkg.version = v.version;
            pkg.location = url;
            if (slug === 'usc-e-shop') c.comps.add({ component: 'welcart', version: v.version, detectedBy: `file:/wp-content/plugins/${slug}/readme.txt`, location: url, confidence: v.confidence });
          }
        }
      })(),
    );
  }
  // Mail-form CGIs: the distribution's readme next to the script, and its config/log files.
  const cgiDirs = new Set<string>();
  for (const { url, page } of pages)
    for (const f of page.forms) {
      if (!/(?:postmail|clipmail|formmail|mailformpro)\.(?:cgi|pl)/i.test(f.action)) continue;
      const a = resolveRef(f.action, url);
      if (a && a.origin === origin) cgiDirs.add(a.pathname.replace(/[^/]*$/, ''));
    }
  for (const d of [...cgiDirs].slice(0, 3)) {
    jobs.push(
      (async () => {
        const url = `${origin}${d}readme.txt`;
        const r = await get(url, { rangeBytes: 8192 });
        if (r.ok && (r.value.status === 200 || r.value.status === 206) && !/html/i.test(r.value.headers['content-type'] ?? '')) {
          const k = kentVersion(decodeText(r.value.body));
          if (k) c.comps.add({ component: k.product, version: k.version, detectedBy: `file:${d}readme.txt`, location: url, confidence: k.version ? 70 : 50 });
        }
        for (const f of ['init.cgi', 'data/log.cgi']) {
          const u = `${origin}${d}${f}`;
          const rr = await get(u, { rangeBytes: 16 * 1024, follow: false });
          if (!rr.ok || (rr.value.status !== 200 && rr.value.status !== 206)) continue;
          const text = decodeText(rr.value.body);
          const input = { status: rr.value.status, contentType: rr.value.headers['content-type'] ?? '', body: rr.value.body, text, path: `${d}${f}` };
          const matcher: MatcherName = f === 'init.cgi' ? 'kent-config' : 'kent-log';
          const m = matchers[matcher](input);
          if (m && !c.confirmedUrls.has(u)) c.confirmedUrls.add(u);
          else continue;
          await report(c, u, rr.value, { check: f === 'init.cgi' ? 'exposure.mailform-config' : 'exposure.mailform-log', matcher, pii: f !== 'init.cgi' }, m, 'mail-form');
        }
      })(),
    );
  }
  // jQuery without a version in the file name: the first bytes of the file carry the banner.
  if (!c.comps.get('jquery')?.version) {
    const src = pages.flatMap((p) => p.page.scripts.map((s) => resolveRef(s, p.url))).find((u) => u && u.origin === origin && /jquery(?:\.min)?\.js$/i.test(u.pathname));
    if (src)
      jobs.push(
        (async () => {
          const r = await get(src.href, { rangeBytes: 1024 });
          const v = r.ok ? JQUERY_BANNER.exec(decodeText(r.value.body)) : null;
          if (v) c.comps.add({ component: 'jquery', version: v[1], detectedBy: `file:${src.pathname}`, location: src.href, confidence: 90 });
        })(),
      );
  }
  await Promise.all(jobs);
  if (cut) deadlineGap(c, 'site.gap.deadlineVersion', { left: cut });
}

function tlsFindings(c: Ctx, rep: TlsReport, origin: string, hsts: boolean): { grade: string; score: number } | undefined {
  const offered = rep.protocols.filter((p) => p.offered).map((p) => p.protocol);
  // Cut short by the time limit: what was decided is reported, the rest (and the grade, which needs all of it) is a gap.
  const nc = rep.notChecked;
  if (nc) {
    const endpoint = `${rep.host}:${rep.port}`;
    if (nc.protocols.length) deadlineGap(c, 'site.gap.deadlineTlsProtocols', { endpoint, list: nc.protocols.join(', ') });
    if (nc.weak.length) deadlineGap(c, 'site.gap.deadlineTlsWeak', { endpoint, list: nc.weak.map((f) => f.toUpperCase()).join(', ') });
    if (nc.cert) deadlineGap(c, 'site.gap.deadlineTlsCert', { endpoint });
    deadlineGap(c, 'site.gap.deadlineTlsGrade', { endpoint });
  }
  const ids: Partial<Record<Protocol, string>> = { SSLv2: 'tls.sslv2', SSLv3: 'tls.sslv3', TLSv1: 'tls.tls10', 'TLSv1.1': 'tls.tls11' };
  for (const p of offered) {
    const id = ids[p];
    if (id) addFinding(c, id, `${rep.host}:${rep.port}`, { endpoint: `${rep.host}:${rep.port}`, protocol: p }, { location: origin, evidence: { endpoint: `${rep.host}:${rep.port}`, protocol: p, via: rep.protocols.find((x) => x.protocol === p)?.via } });
  }
  const modernUnknown = nc?.protocols.some((p) => p === 'TLSv1.2' || p === 'TLSv1.3') ?? false;
  if (offered.length && !modernUnknown && !offered.includes('TLSv1.2') && !offered.includes('TLSv1.3')) addFinding(c, 'tls.no-tls12', `${rep.host}:${rep.port}`, { endpoint: `${rep.host}:${rep.port}` }, { location: origin, evidence: { offered } });
  const weak = rep.weak.filter((w) => w.offered);
  for (const w of weak) {
    const sev: Severity = ['null', 'anon', 'export', 'des'].includes(w.family) ? 'high' : 'medium';
    addFinding(c, 'tls.weak-cipher', `${rep.host}:${rep.port} ${w.family}`, { endpoint: `${rep.host}:${rep.port}`, family: w.family.toUpperCase() }, { location: origin, severity: sev, evidence: { family: w.family, protocol: w.protocol, chosenSuite: w.cipher } });
  }
  const cert = rep.cert;
  if (cert) {
    const ev = { subject: cert.subject, issuer: cert.issuer, san: cert.san.slice(0, 20), validTo: cert.validTo, daysLeft: cert.daysLeft, keyType: cert.keyType, keyBits: cert.keyBits, signatureAlgorithm: cert.signatureAlgorithm, selfSigned: cert.selfSigned, trustError: cert.trustError, fingerprint256: cert.fingerprint256 };
    const ep = `${rep.host}:${rep.port}`;
    if (!cert.trusted) addFinding(c, 'cert.untrusted', ep, { endpoint: ep, reason: cert.trustError ?? (cert.selfSigned ? 'self-signed' : 'untrusted') }, { location: origin, evidence: ev });
    if (cert.expired) addFinding(c, 'cert.expired', ep, { endpoint: ep, date: cert.validTo.slice(0, 10) }, { location: origin, evidence: ev });
    else if (cert.daysLeft < 30) addFinding(c, 'cert.expiring', ep, { endpoint: ep, days: cert.daysLeft }, { location: origin, evidence: ev, severity: cert.daysLeft < 7 ? 'high' : 'medium' });
    if (!cert.hostnameOk) addFinding(c, 'cert.hostname', ep, { endpoint: ep, host: rep.host }, { location: origin, evidence: { ...ev, error: cert.hostnameError } });
    if (cert.keyType === 'RSA' && cert.keyBits !== undefined && cert.keyBits < 2048) addFinding(c, 'cert.weak-key', ep, { endpoint: ep, bits: cert.keyBits }, { location: origin, evidence: ev });
    if (cert.weakSignature) addFinding(c, 'cert.weak-signature', ep, { endpoint: ep, algorithm: cert.signatureAlgorithm }, { location: origin, evidence: ev });
  }
  if (nc) return undefined;
  const g = gradeTls({
    protocols: offered,
    weakFamilies: weak.map((w) => w.family),
    keyBits: cert?.keyBits,
    keyType: cert?.keyType,
    bestCipherBits: rep.bestCipher?.bits,
    trusted: cert?.trusted ?? false,
    hostnameOk: cert?.hostnameOk ?? true,
    expired: cert?.expired ?? false,
    weakSignature: cert?.weakSignature ?? false,
    hsts,
  });
  const sev: Severity = ['A+', 'A', 'A-'].includes(g.gradeIfTrusted) ? (g.grade === g.gradeIfTrusted ? 'info' : 'low') : g.gradeIfTrusted === 'B' ? 'low' : g.gradeIfTrusted === 'F' ? 'high' : 'medium';
  addFinding(c, 'tls.grade', `${rep.host}:${rep.port}`, { endpoint: `${rep.host}:${rep.port}`, grade: g.grade }, {
    location: origin,
    severity: sev,
    evidence: { grade: g.grade, gradeIfTrusted: g.gradeIfTrusted, score: g.score, caps: g.caps, mozillaProfile: g.mozilla, protocols: rep.protocols.map((p) => ({ protocol: p.protocol, offered: p.offered, via: p.via })), weakFamilies: rep.weak.filter((w) => w.offered).map((w) => w.family), handshakes: rep.handshakes },
  });
  return { grade: g.grade, score: g.score };
}

export async function scanSite(o: SiteScanOptions): Promise<SiteScanResult> {
  // The overall time limit: aborts requests and handshakes in flight; nothing new starts after it.
  const deadline = new AbortController();
  const deadlineTimer = o.maxTimeMs !== undefined ? setTimeout(() => deadline.abort(new DOMException('scan time limit', 'TimeoutError')), o.maxTimeMs) : undefined;
  const signal = deadline.signal;
  const given = new URL(o.url);
  const host = given.hostname;
  const bare = host.replace(/^\[|\]$/g, '');
  const httpPort = o.httpPort ?? (given.protocol === 'http:' ? Number(given.port || 80) : given.port && given.port !== '443' ? undefined : 80);
  const httpsPort = o.httpsPort ?? (given.protocol === 'https:' ? Number(given.port || 443) : given.port && given.port !== '80' ? undefined : 443);
  const scope = new SiteScope(given, { http: httpPort, https: httpsPort });
  const client = new HttpClient(o.http, signal, scope);
  const c: Ctx = { o, client, findings: new Map(), gaps: [], comps: new ComponentSet(), packages: new Map(), cookies: new Map(), pages: 0, confirmedUrls: new Set(), listingCut: 0, scope };
  const hostPort = (scheme: string, port: number) => `${scheme}://${host}${(scheme === 'http' && port === 80) || (scheme === 'https' && port === 443) ? '' : `:${port}`}`;
  const startPath = given.pathname + given.search;
  const result: SiteScanResult = { targetName: o.url, inventory: { packages: [], components: [], pendingUpdates: [] }, findings: [], gaps: c.gaps, stats: { requests: 0, pages: 0, handshakes: 0, byStatus: {}, errors: {} } };
  try {
    const httpOrigin = httpPort !== undefined ? hostPort('http', httpPort) : undefined;
    let httpsOrigin = httpsPort !== undefined ? hostPort('https', httpsPort) : undefined;
    const [httpR, httpsR0] = await Promise.all([
      httpOrigin ? client.fetch(`${httpOrigin}${startPath}`, { identity: false }) : Promise.resolve(undefined),
      httpsOrigin ? client.fetch(`${httpsOrigin}${startPath}`, { identity: false }) : Promise.resolve(undefined),
    ]);
    let httpsR = httpsR0;
    // An http:// site on an odd port that redirects to https tells us where https lives.
    if (httpR?.ok && new URL(httpR.value.finalUrl).protocol === 'https:' && (!httpsR || !httpsR.ok)) {
      httpsOrigin = new URL(httpR.value.finalUrl).origin;
      httpsR = { ok: true, value: httpR.value };
    }
    if (!httpOrigin) addGap(c, 'site.gap.httpUnknown', o.t('site.gap.httpUnknownWhat'), o.t('site.gap.httpUnknownWhy'));
    if (!httpsOrigin) addGap(c, 'site.gap.httpsUnknown', o.t('site.gap.httpsUnknownWhat'), o.t('site.gap.httpsUnknownWhy'));
    const httpOk = Boolean(httpR?.ok);
    const httpsOk = Boolean(httpsR?.ok);
    if (!httpOk && !httpsOk) {
      const why = client.expired
        ? o.t('site.gap.deadlineWhy', { seconds: (o.maxTimeMs ?? 0) / 1000 })
        : [httpR && !httpR.ok ? `http: ${httpR.issue.code} ${httpR.issue.message}` : '', httpsR && !httpsR.ok ? `https: ${httpsR.issue.code} ${httpsR.issue.message}` : ''].filter(Boolean).join('; ');
      result.fatal = why || 'no scheme reachable';
      // TLS may still answer (e.g. HTTP broken but handshake works): then something was checked.
      if (!o.skipTls && !client.expired && httpsOrigin && httpsR && !httpsR.ok && httpsR.issue.code !== 'http.refused' && httpsR.issue.code !== 'http.dns') {
        const rep = await probeTls({ host: bare, port: httpsPort ?? 443, servername: bare, ca: o.ca, timeoutMs: o.http.timeoutMs, now: o.now, concurrency: o.http.concurrency, signal });
        if (rep.protocols.some((p) => p.offered)) {
          result.fatal = undefined;
          result.tls = rep;
          tlsFindings(c, rep, httpsOrigin, false);
          result.stats.handshakes = rep.handshakes;
          addGap(c, 'site.gap.http', o.t('site.gap.httpWhat'), why);
        }
      }
      if (result.fatal) return result;
    } else {
      if (httpR && !httpR.ok && httpR.issue.code !== 'http.refused') addGap(c, 'site.gap.http', o.t('site.gap.httpWhat'), `${httpR.issue.code}: ${httpR.issue.message}`);
      if (httpsR && !httpsR.ok && httpsR.issue.code !== 'http.refused') addGap(c, 'site.gap.https', o.t('site.gap.httpsWhat'), `${httpsR.issue.code}: ${httpsR.issue.message}`);
      const tlsJob =
        !o.skipTls && httpsOk && httpsOrigin && new URL(httpsOrigin).protocol === 'https:'
          ? probeTls({ host: bare, port: Number(new URL(httpsOrigin).port || 443), servername: bare, ca: o.ca, timeoutMs: o.http.timeoutMs, now: o.now, concurrency: o.http.concurrency, signal })
          : undefined;
      const primary = httpsOk && httpsR?.ok ? httpsR.value : (httpR as { ok: true; value: HttpResponse }).value;
      const primaryOrigin = new URL(primary.finalUrl).origin;
      if (!httpsOk) addFinding(c, 'transport.no-https', host, { host }, { location: httpOrigin, evidence: { https: httpsR && !httpsR.ok ? `${httpsR.issue.code}` : 'not tried' } });
      const redir = redirection(httpR?.ok ? httpR.value : undefined, httpsOk, bare);
      if (httpsOk && httpR?.ok && ['redirection-missing', 'redirection-not-to-https', 'redirection-not-to-https-on-initial-redirection'].includes(redir)) {
        addFinding(c, 'transport.no-redirect', host, { host }, { location: httpR.value.url, evidence: { result: redir, status: httpR.value.status, hops: httpR.value.hops } });
      }
      if (httpR?.ok) {
        observe(c, httpR.value);
        bannerFindings(c, httpR.value);
      }
      bannerFindings(c, primary);
      const pages = await crawl(c, primary, primaryOrigin);
      // Forms on https pages that are also served on http:// (no redirect).
      const recheck = formChecks(c, pages, httpsOk && httpR?.ok === true && redir === 'redirection-missing');
      let recheckCut = 0;
      for (const { url } of recheck.slice(0, 10)) {
        const httpUrl = `${httpOrigin}${pathOf(url)}`;
        const r = await client.fetch(httpUrl, { identity: false, follow: false });
        if (r.ok && r.value.status === 200 && /html/i.test(r.value.headers['content-type'] ?? '')) {
          const page = parsePage(decodeText(r.value.body));
          formChecks(c, [{ url: httpUrl, page }], false);
        } else if (cutByDeadline(r)) recheckCut++;
        else if (!r.ok) addGap(c, 'site.gap.recheck', url, r.issue.code);
      }
      if (recheckCut) deadlineGap(c, 'site.gap.deadlineRecheck', { left: recheckCut });
      cookieChecks(c, httpsOk);
      const main = pages[0];
      const scripts = (main?.page.scripts ?? []).map((s) => {
        const u = resolveRef(s, primary.finalUrl);
        return { url: u?.href ?? s, integrity: main?.page.integrity.includes(s) ?? false, sameOrigin: u?.origin === primaryOrigin };
      });
      const tlsRep = tlsJob ? await tlsJob : undefined;
      // A certificate the time limit left unread is not held against the headers score (it is a gap instead).
      const certValid = tlsRep?.cert ? tlsRep.cert.trusted && tlsRep.cert.hostnameOk && !tlsRep.cert.expired : tlsRep?.notChecked?.cert === true;
      const obs = scoreObservatory({ https: httpsOk, headers: primary.headers, setCookies: [...c.cookies.values()].map((x) => x.line), redirection: redir, certValid, scripts });
      result.observatory = { score: obs.score, grade: obs.grade };
      const h = primary.headers;
      if (httpsOk && hstsMaxAge(h['strict-transport-security']) === undefined) addFinding(c, 'header.hsts', host, { host }, { location: primary.finalUrl, evidence: { header: 'Strict-Transport-Security', value: null } });
      else if (httpsOk && (hstsMaxAge(h['strict-transport-security']) ?? 0) < 15_768_000) addFinding(c, 'header.hsts-short', host, { host }, { location: primary.finalUrl, evidence: { header: 'Strict-Transport-Security', value: h['strict-transport-security'] } });
      const resultOf = (test: string) => obs.tests.find((t) => t.test === test)?.result ?? '';
      if (resultOf('content-security-policy') === 'csp-not-implemented') addFinding(c, 'header.csp', host, { host }, { location: primary.finalUrl, evidence: { header: 'Content-Security-Policy', value: null, observatory: -25 } });
      if (/not-implemented|invalid/.test(resultOf('x-frame-options'))) addFinding(c, 'header.x-frame-options', host, { host }, { location: primary.finalUrl, evidence: { header: 'X-Frame-Options', value: h['x-frame-options'] ?? null, observatory: -20 } });
      if (/not-implemented|invalid/.test(resultOf('x-content-type-options'))) addFinding(c, 'header.x-content-type-options', host, { host }, { location: primary.finalUrl, evidence: { header: 'X-Content-Type-Options', value: h['x-content-type-options'] ?? null, observatory: -5 } });
      if (/not-implemented|unsafe/.test(resultOf('referrer-policy'))) addFinding(c, 'header.referrer-policy', host, { host }, { location: primary.finalUrl, evidence: { header: 'Referrer-Policy', value: h['referrer-policy'] ?? null } });
      if (/not-loaded-securely/.test(resultOf('subresource-integrity'))) addFinding(c, 'header.sri', host, { host }, { location: primary.finalUrl, evidence: { result: resultOf('subresource-integrity') } });
      addFinding(c, 'header.observatory-grade', host, { host, grade: obs.grade, score: obs.score }, {
        location: primary.finalUrl,
        severity: obs.score >= 70 ? 'info' : obs.score >= 40 ? 'low' : 'medium',
        evidence: { score: obs.score, grade: obs.grade, tests: obs.tests, algorithm: 'MDN HTTP Observatory score table (reimplemented)' },
      });
      await exposure(c, primaryOrigin, host);
      await versionFiles(c, primaryOrigin, pages);
      if (tlsRep) {
        result.tls = tlsRep;
        result.stats.handshakes = tlsRep.handshakes;
        tlsFindings(c, tlsRep, httpsOrigin ?? primaryOrigin, (hstsMaxAge(h['strict-transport-security']) ?? 0) >= 15_768_000);
        for (const e of tlsRep.errors) addGap(c, 'site.gap.tls', o.t('site.gap.tlsWhat'), e);
      }
      if (!o.classifier) addGap(c, 'site.gap.piiMissing', o.t('site.gap.piiWhat'), o.classifierGap ?? o.t('site.gap.piiWhy'));
      if (client.remaining === 0 && !c.gaps.some((g) => g.code === 'site.gap.budget')) addGap(c, 'site.gap.budget', o.t('site.gap.budgetWhat', { left: '?' }), o.t('site.gap.budgetWhy', { budget: o.http.budget }));
      // Requests cut by the time limit that no step above accounted for (e.g. a zip's table of contents).
      const cutTotal = client.stats.errors['http.deadline'] ?? 0;
      if (cutTotal && !c.gaps.some((g) => g.code?.startsWith('site.gap.deadline'))) deadlineGap(c, 'site.gap.deadline', { left: cutTotal });
    }
  } finally {
    clearTimeout(deadlineTimer);
    await client.close();
    // What the scope kept the scan from: one gap per origin, to be scanned explicitly if it is the owner's.
    for (const r of scope.refused) {
      const why = o.t(r.kind === 'sitemap' ? 'site.gap.scopeSitemapWhy' : r.kind === 'redirect' ? 'site.gap.scopeRedirectWhy' : 'site.gap.scopeRequestWhy', { target: r.target, from: r.from, count: r.count });
      addGap(c, 'site.gap.scope', o.t('site.gap.scopeWhat', { target: r.target }), why);
    }
  }
  const comps: Component[] = c.comps.components();
  const os: OsInfo | undefined = c.comps.os();
  result.inventory = { packages: [...c.packages.values()].map((p) => (p.version ? p : { ...p, version: 'unknown' })), components: comps, pendingUpdates: [] };
  if (os) result.inventory.os = os;
  result.findings = [...c.findings.values()];
  result.stats = { ...result.stats, requests: client.stats.sent, pages: c.pages, byStatus: client.stats.byStatus, errors: client.stats.errors };
  return result;
}

export { EXPOSURE_PROBES };
