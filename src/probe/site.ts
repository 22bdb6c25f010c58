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
 * The steps live in ./site/ (context, crawl, forms, headers, exposure, versions, tls-findings); this file runs them.
 */
import type { Component, OsInfo } from '../core/model.js';
import { EXPOSURE_PROBES } from '../checks/exposure.js';
import { scoreObservatory, hstsMaxAge } from '../checks/observatory.js';
import { HttpClient, type HttpResponse } from './http.js';
import { parsePage, resolveRef } from './html.js';
import { ComponentSet } from './fingerprint.js';
import { probeTls } from './tls.js';
import { SiteScope } from './scope.js';
import { maskFinding, maskGap, maskText, maskUrl } from '../pii/index.js';
import { type Ctx, type SiteScanOptions, type SiteScanResult, addFinding, addGap, cutByDeadline, deadlineGap, decodeText, pathOf } from './site/context.js';
import { crawl, observe, redirection } from './site/crawl.js';
import { exposure } from './site/exposure.js';
import { formChecks } from './site/forms.js';
import { bannerFindings, cookieChecks, headerFindings } from './site/headers.js';
import { HSTS_MIN_SECONDS } from '../checks/headers.js';
import { tlsFindings } from './site/tls-findings.js';
import { versionFiles } from './site/versions.js';

export type { SiteScanOptions, SiteScanResult } from './site/context.js';

/**
 * The site scan, its result masked: URLs (query values, file names in paths), titles, evidence (zip member
 * names, matcher details, personal-data samples), gaps and inventory locations can carry what the site
 * served, and leave the probe only through the personal-data masker (maskFinding, maskGap, maskUrl).
 */
export async function scanSite(o: SiteScanOptions): Promise<SiteScanResult> {
  const r = await scanSiteUnmasked(o);
  const located = <T extends { location?: string }>(x: T): T => (x.location ? { ...x, location: maskUrl(x.location) } : x);
  return {
    ...r,
    ...(r.fatal ? { fatal: maskText(r.fatal) } : {}),
    findings: r.findings.map(maskFinding),
    gaps: r.gaps.map(maskGap),
    inventory: { ...r.inventory, packages: r.inventory.packages.map(located), components: r.inventory.components.map(located) },
  };
}

async function scanSiteUnmasked(o: SiteScanOptions): Promise<SiteScanResult> {
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
    if (!httpOrigin) addGap(c, 'site.gap.httpUnknown', { code: 'site.gap.httpUnknownWhat' }, { code: 'site.gap.httpUnknownWhy' });
    if (!httpsOrigin) addGap(c, 'site.gap.httpsUnknown', { code: 'site.gap.httpsUnknownWhat' }, { code: 'site.gap.httpsUnknownWhy' });
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
          addGap(c, 'site.gap.http', { code: 'site.gap.httpWhat' }, why);
        }
      }
      if (result.fatal) return result;
    } else {
      if (httpR && !httpR.ok && httpR.issue.code !== 'http.refused') addGap(c, 'site.gap.http', { code: 'site.gap.httpWhat' }, `${httpR.issue.code}: ${httpR.issue.message}`);
      if (httpsR && !httpsR.ok && httpsR.issue.code !== 'http.refused') addGap(c, 'site.gap.https', { code: 'site.gap.httpsWhat' }, `${httpsR.issue.code}: ${httpsR.issue.message}`);
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
      o.onStep?.('crawl', { pages: c.pages, requests: client.stats.sent });
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
      headerFindings(c, primary, obs, httpsOk, host);
      o.onStep?.('exposure', { pages: c.pages, requests: client.stats.sent });
      await exposure(c, primaryOrigin, host);
      o.onStep?.('versions', { pages: c.pages, requests: client.stats.sent });
      await versionFiles(c, primaryOrigin, pages);
      if (tlsRep) {
        result.tls = tlsRep;
        result.stats.handshakes = tlsRep.handshakes;
        tlsFindings(c, tlsRep, httpsOrigin ?? primaryOrigin, (hstsMaxAge(primary.headers['strict-transport-security']) ?? 0) >= HSTS_MIN_SECONDS);
        for (const e of tlsRep.errors) addGap(c, 'site.gap.tls', { code: 'site.gap.tlsWhat' }, e);
      }
      if (!o.classifier) addGap(c, 'site.gap.piiMissing', { code: 'site.gap.piiWhat' }, o.classifierGap ?? { code: 'site.gap.piiWhy' });
      if (client.remaining === 0 && !c.gaps.some((g) => g.code === 'site.gap.budget')) addGap(c, 'site.gap.budget', { code: 'site.gap.budgetWhat', params: { left: '?' } }, { code: 'site.gap.budgetWhy', params: { budget: o.http.budget } });
      // Requests cut by the time limit that no step above accounted for (e.g. a zip's table of contents).
      const cutTotal = client.stats.errors['http.deadline'] ?? 0;
      if (cutTotal && !c.gaps.some((g) => g.code?.startsWith('site.gap.deadline'))) deadlineGap(c, 'site.gap.deadline', { left: cutTotal });
    }
  } finally {
    clearTimeout(deadlineTimer);
    await client.close();
    // What the scope kept the scan from: one gap per origin, to be scanned explicitly if it is the owner's.
    for (const r of scope.refused) {
      const why = r.kind === 'sitemap' ? 'site.gap.scopeSitemapWhy' : r.kind === 'redirect' ? 'site.gap.scopeRedirectWhy' : 'site.gap.scopeRequestWhy';
      addGap(c, 'site.gap.scope', { code: 'site.gap.scopeWhat', params: { target: r.target } }, { code: why, params: { target: r.target, from: r.from, count: r.count } });
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
