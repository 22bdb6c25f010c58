/**
 * Amazon Linux security advisories (ALAS): the repositories' `updateinfo.xml` (`<update>` with `<pkglist>`),
 * and aquasecurity/vuln-list's JSON rendering of one advisory (`amazon/2023/ALAS2023-2023-001.json`). Each
 * fixed BINARY package (name, epoch, version, release) is one advisory row on `amazon:1|2|2023`. See ./README.md.
 */
import type { Advisory } from '../../../core/knowledge.js';
import { emptyNormalized, type Normalized, type RawInput } from '../../types.js';
import { isObject, openJson, str } from '../common/util.js';

export const FEED = 'amazon-alas';

export function recogniseJson(text: string): boolean {
  return /^\s*\{\s*"id"\s*:\s*"ALAS(2|2023|2022)?-\d{4}-\d+"/.test(text.slice(0, 200)) && /"packages"\s*:/.test(text);
}

export function recogniseXml(text: string): boolean {
  const head = text.slice(0, 3000);
  return /<updates\b/.test(head) && /<id>ALAS(2|2023|2022)?-\d{4}-\d+<\/id>/.test(text.slice(0, 20_000));
}

/** `ALAS2023-…` → 2023, `ALAS2-…` → 2, `ALAS-…` → 1 (Amazon Linux AMI). */
export function releaseOf(id: string): string | undefined {
  const m = /^ALAS(2023|2022|2)?-/.exec(id);
  return m ? (m[1] ?? '1') : undefined;
}

interface Alas {
  id: string;
  title?: string;
  severity?: string;
  issued?: string;
  cves: string[];
  packages: { name: string; epoch?: string; version?: string; release?: string }[];
}

function rows(raw: RawInput, out: Normalized, a: Alas): void {
  const rel = releaseOf(a.id);
  if (!rel) {
    out.rejected.push({ ref: a.id, reason: 'advisory id is not ALAS-/ALAS2-/ALAS2023-' });
    return;
  }
  const byName = new Map<string, Advisory>();
  for (const p of a.packages) {
    if (!p.version || !p.release) {
      out.rejected.push({ ref: `${a.id} ${p.name}`, reason: 'package without version or release' });
      continue;
    }
    if (byName.has(p.name)) continue; // one row per binary (the arches repeat it)
    const evr = `${p.epoch ?? '0'}:${p.version}-${p.release}`;
    byName.set(p.name, {
      id: a.id,
      feed: FEED,
      cves: a.cves,
      aliases: [],
      advisory: a.id,
      scope: { kind: 'distro', platform: `amazon:${rel}`, package: p.name, versionScheme: 'rpm' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: evr }] }],
      fixState: 'fixed',
      fixedVersion: evr,
      vendorSeverity: a.severity?.toLowerCase(),
      summary: a.title,
      published: a.issued,
      url: `https://alas.aws.amazon.com/${rel === '1' ? '' : `AL${rel}/`}${a.id}.html`,
      rawRef: `${raw.key}#${a.id}`,
    });
  }
  out.advisories.push(...byName.values());
}

const CVE_IN = /CVE-\d{4}-\d{4,}/g;

export function parseJson(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  const d = j.value;
  if (!isObject(d) || !str(d.id) || !Array.isArray(d.packages)) {
    out.rejected.push({ ref: raw.key, reason: 'ALAS JSON without id or packages[]' });
    return out;
  }
  const refs = Array.isArray(d.references) ? d.references : [];
  const cves = new Set<string>([...(Array.isArray(d.cveids) ? d.cveids.filter((c): c is string => typeof c === 'string') : []), ...refs.map((r) => (isObject(r) ? (str(r.id) ?? '') : '')).filter((x) => /^CVE-/.test(x))]);
  if (!cves.size) for (const m of (str(d.description) ?? '').matchAll(CVE_IN)) cves.add(m[0]);
  rows(raw, out, {
    id: str(d.id)!,
    title: str(d.title),
    severity: str(d.severity),
    issued: isObject(d.issued) ? str(d.issued.date)?.slice(0, 10) : undefined,
    cves: [...cves].sort(),
    packages: d.packages.filter(isObject).map((p) => ({ name: str(p.name) ?? '', epoch: str(p.epoch), version: str(p.version), release: str(p.release) })).filter((p) => p.name),
  });
  return out;
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
const unxml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** updateinfo.xml: `<update><id>ALAS2-…</id><title>…</title><severity>…</severity><issued date=…/><references><reference id="CVE-…"/>…<pkglist>…<package name= epoch= version= release=>`. */
export function parseXml(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  for (const m of text.matchAll(/<update\b[^>]*>([\s\S]*?)<\/update>/g)) {
    const body = m[1]!;
    const id = /<id>([^<]+)<\/id>/.exec(body)?.[1]?.trim();
    if (!id) {
      out.rejected.push({ ref: `${raw.key} offset ${m.index}`, reason: '<update> without <id>' });
      continue;
    }
    const cves = [...new Set([...body.matchAll(/<reference\b[^>]*>/g)].map((r) => attr(r[0], 'id') ?? '').filter((x) => /^CVE-\d{4}-\d+$/.test(x)))].sort();
    const issued = /<issued\b[^>]*>/.exec(body);
    rows(raw, out, {
      id,
      title: unxml(/<title>([^<]*)<\/title>/.exec(body)?.[1]?.trim() ?? '') || undefined,
      severity: /<severity>([^<]*)<\/severity>/.exec(body)?.[1]?.trim(),
      issued: issued ? attr(issued[0], 'date')?.slice(0, 10) : undefined,
      cves,
      packages: [...body.matchAll(/<package\b[^>]*>/g)].map((p) => ({ name: attr(p[0], 'name') ?? '', epoch: attr(p[0], 'epoch'), version: attr(p[0], 'version'), release: attr(p[0], 'release') })).filter((p) => p.name),
    });
  }
  if (!out.advisories.length && !out.rejected.length) out.rejected.push({ ref: raw.key, reason: 'no <update> element' });
  return out;
}
