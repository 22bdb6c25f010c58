/**
 * Step 3: exposure probes (src/checks/exposure.ts) with a random-path baseline per directory (soft 404s),
 * confirmed by content; bodies through the personal-data classifier; open directories followed one level.
 */
import { randomBytes } from 'node:crypto';
import type { Severity } from '../../core/model.js';
import { check } from '../../checks/catalog.js';
import { OPEN_DIRECTORIES, expandProbes } from '../../checks/exposure.js';
import { listingEntries, matchersForName, matchers, zipMemberNames } from '../../checks/matchers.js';
import type { MatchResult, MatcherName } from '../../checks/types.js';
import { type HttpResponse } from '../http.js';
import { resolveRef } from '../html.js';
import { servedSeverity, type PiiVerdict } from '../pii.js';
import { type Ctx, type ProbeLike, addFinding, addGap, cutByDeadline, deadlineGap, decodeText, pathOf } from './context.js';

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 16)).toString('hex');

export interface Baseline {
  status: number;
  length: number;
  head: string;
  body: Uint8Array;
  contentType: string;
}

export function similar(a: HttpResponse, b: Baseline): boolean {
  if (a.status !== b.status) return false;
  if (hex(a.body) === b.head && Math.abs(a.body.byteLength - b.length) <= Math.max(64, b.length * 0.05)) return true;
  return false;
}

export async function exposure(c: Ctx, origin: string, host: string): Promise<void> {
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
      addGap(c, 'site.gap.budget', { code: 'site.gap.budgetWhat', params: { left: all.length - i } }, { code: 'site.gap.budgetWhy', params: { budget: c.o.http.budget } });
      break;
    }
    await Promise.all(all.slice(i, i + limit).map(([p, probes]) => confirm(p, probes, 'probe')));
  }
  if (cut) deadlineGap(c, 'site.gap.deadlineExposure', { left: cut, total: all.length });
  if (c.listingCut) deadlineGap(c, 'site.gap.deadlineListing', { left: c.listingCut });
}

export const CHECK_FOR_MATCHER: Partial<Record<MatcherName, string>> = {
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

export async function followListing(c: Ctx, listingUrl: string, html: string, origin: string, confirmedUrls: Set<string>): Promise<void> {
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
export function personalDataSeverity(v: PiiVerdict): Severity {
  const k = v.kinds;
  const contact = (k.phone ?? 0) + (k.email ?? 0) + (k.address ?? 0) > 0;
  if ((k.card ?? 0) > 0 || (k['my-number'] ?? 0) > 0 || ((k.name ?? 0) > 0 && contact && v.records >= 10)) return 'critical';
  const s = servedSeverity(v);
  return s === 'critical' ? s : 'high';
}

export function maskEvidence(v: PiiVerdict): Record<string, unknown> {
  return { personal: v.personal, kinds: v.kinds, records: v.records, confidence: v.confidence, samples: v.samples.slice(0, 3), encoding: v.encoding, dummy: v.dummy };
}

export async function report(c: Ctx, url: string, res: HttpResponse, p: Omit<ProbeLike, 'rangeBytes'>, m: MatchResult, via: string): Promise<void> {
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
        addGap(c, 'site.gap.piiError', { code: 'site.gap.piiErrorWhat', params: { url } }, (err as Error).message);
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
