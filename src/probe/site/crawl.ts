/**
 * Step 2: the same-origin crawl (links, robots.txt, sitemap.xml, known entry points of carts and CMSs),
 * what each page shows (fingerprints, cookies, plugin slugs) and the Observatory redirection outcome.
 */
import { WP_PLUGIN_RE } from '../../apps/wordpress.js';
import { parseSetCookie, type ObservatoryResult } from '../../checks/observatory.js';
import { textOf, type HttpResponse } from '../http.js';
import { parsePage, resolveRef, type PageInfo } from '../html.js';
import { detectInResponse, distroHints } from '../fingerprint.js';
import { type Ctx, cutByDeadline, deadlineGap, decodeText } from './context.js';

export function observe(c: Ctx, r: HttpResponse, page?: PageInfo, html?: string): void {
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
export function redirection(httpRes: HttpResponse | undefined, httpsOk: boolean, host: string): ObservatoryResult {
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

export async function crawl(c: Ctx, start: HttpResponse, origin: string): Promise<{ url: string; res: HttpResponse; page: PageInfo; html: string }[]> {
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
