/**
 * Step 4: version files of what was fingerprinted (src/apps: WordPress readme.html, plugin readme.txt,
 * mail-form readme and its config/log files; jQuery's banner).
 */
import { matchers } from '../../checks/matchers.js';
import type { MatcherName } from '../../checks/types.js';
import { JQUERY_BANNER } from '../../checks/fingerprints.js';
import { fingerprints } from '../../apps/index.js';
import { kentVersion } from '../../apps/kentweb.js';
import { pluginReadmeVersion } from '../../apps/wordpress.js';
import { type FetchOptions, type HttpResponse } from '../http.js';
import type { Result } from '../../core/result.js';
import { resolveRef, type PageInfo } from '../html.js';
import { type Ctx, cutByDeadline, deadlineGap, decodeText } from './context.js';
import { report } from './exposure.js';

export async function versionFiles(c: Ctx, origin: string, pages: { url: string; page: PageInfo }[]): Promise<void> {
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
