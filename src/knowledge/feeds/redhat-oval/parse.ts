/**
 * OVAL patch definitions, in the vendors' own XML and as JSON: Red Hat OVAL v2 (https://security.access.redhat.com/data/oval/v2/, one
 * stream per RHEL release) and Oracle Linux ELSA OVAL (https://linux.oracle.com/security/oval/), in the JSON
 * rendering of aquasecurity/vuln-list (`oval/N/rhel-N/definitions/…/RHSA-….json`, `oval/oracle/…/ELSA-….json`).
 * Each criterion "`pkg` is earlier than `epoch:version-release`" is a fixed BINARY package; the release tag
 * (`el6_8`, `module+el8.4.0`) names the major. One advisory per RHSA/ELSA, major and binary. See ./README.md.
 */
import type { Advisory } from '../../../core/knowledge.js';
import { emptyNormalized, type Normalized, type RawInput } from '../../types.js';
import { isObject, openJson, str } from '../common/util.js';

export const FEED_REDHAT = 'redhat-oval';
export const FEED_ORACLE = 'oracle-elsa';

export function recogniseRedhat(text: string): boolean {
  const head = text.slice(0, 3000);
  return /"ID"\s*:\s*"oval:com\.redhat\.rh[sb]a:def:\d+"/.test(head) && /"Criteria"\s*:/.test(text);
}

export function recogniseOracle(text: string): boolean {
  const head = text.slice(0, 4000);
  return /"Title"\s*:\s*"ELSA-\d{4}-\d+/.test(head) && /"Criteria"\s*:/.test(text);
}

const EARLIER = /^(\S+) is earlier than ((?:\d+:)?[^\s-]+-\S+)$/;

/** Every "pkg is earlier than EVR" criterion under a criteria tree (vuln-list spells the keys Criterias/Criterions). */
function fixedPackages(criteria: unknown): { name: string; evr: string }[] {
  const out: { name: string; evr: string }[] = [];
  const stack: unknown[] = [criteria];
  while (stack.length) {
    const n = stack.pop();
    if (!isObject(n)) continue;
    for (const c of Array.isArray(n.Criterions) ? n.Criterions : []) {
      const m = isObject(c) ? EARLIER.exec(str(c.Comment) ?? '') : null;
      if (m) out.push({ name: m[1]!, evr: m[2]!.includes(':') ? m[2]! : `0:${m[2]}` });
    }
    if (Array.isArray(n.Criterias)) stack.push(...n.Criterias);
  }
  return out;
}

/**
 * RHEL 8+ module builds (`0:7.4.19-1.module+el8.6.0+…`): one RHSA fixes several streams of one package (php
 * 7.4 and 8.0). Each fix covers its own stream only, from `epoch:major.minor` on, so a host on the 7.4 stream
 * is not told to reach the 8.0 fix.
 */
export function moduleStreamStart(evr: string): string | undefined {
  const m = /^(?:(\d+):)?(\d+)\.(\d+)[^-]*-.*\bmodule\+el\d/.exec(evr);
  return m ? `${m[1] ?? '0'}:${m[2]}.${m[3]}` : undefined;
}

/** The RHEL/OL major of a fixed release: `2.2.15-54.el6_8` → 6, `…module+el8.4.0+…` → 8. */
export function majorOf(evr: string): string | undefined {
  return /(?:^|[.+_-])el(\d+)/.exec(evr.slice(evr.lastIndexOf('-') + 1))?.[1];
}

function emit(raw: RawInput, out: Normalized, o: { feed: string; family: string; id: string; cves: string[]; severity?: string; summary?: string; published?: string; url?: string; fixed: { name: string; evr: string }[] }): void {
  const rows = new Map<string, Advisory>();
  for (const p of o.fixed) {
    const major = majorOf(p.evr);
    if (!major) {
      out.rejected.push({ ref: `${o.id} ${p.name}`, reason: `no elN release tag in ${p.evr}` });
      continue;
    }
    const key = `${major}\u0000${p.name}`;
    const prev = rows.get(key);
    const events = [{ introduced: moduleStreamStart(p.evr) ?? '0' }, { fixed: p.evr }];
    if (prev) {
      if (!prev.ranges.some((r) => r.events.some((e) => e.fixed === p.evr))) prev.ranges.push({ type: 'ECOSYSTEM', events });
      continue;
    }
    rows.set(key, {
      id: o.id,
      feed: o.feed,
      cves: o.cves,
      aliases: [],
      advisory: o.id,
      scope: { kind: 'distro', platform: `${o.family}:${major}`, package: p.name, versionScheme: 'rpm' },
      ranges: [{ type: 'ECOSYSTEM', events }],
      fixState: 'fixed',
      fixedVersion: p.evr,
      vendorSeverity: o.severity?.toLowerCase(),
      summary: o.summary,
      published: o.published,
      url: o.url,
      rawRef: raw.key,
    });
  }
  if (!rows.size) out.rejected.push({ ref: `${raw.key} ${o.id}`, reason: 'no "is earlier than" criterion: nothing to compare' });
  out.advisories.push(...rows.values());
}

const cvesOf = (refs: unknown, key: 'RefID' | 'ID'): string[] =>
  [...new Set((Array.isArray(refs) ? refs : []).map((r) => (isObject(r) ? str(r[key]) : undefined)).filter((x): x is string => Boolean(x && /^CVE-\d{4}-\d+$/.test(x))))];

export function parseRedhat(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  const d = j.value;
  const md = isObject(d) && isObject(d.Metadata) ? d.Metadata : undefined;
  const title = md ? str(md.Title) : undefined;
  const id = /^(RH[SB]A-\d{4}:\d+)/.exec(title ?? '')?.[1];
  if (!isObject(d) || !md || !id) {
    out.rejected.push({ ref: raw.key, reason: 'OVAL definition without Metadata.Title "RHSA-…"' });
    return out;
  }
  const adv = isObject(md.Advisory) ? md.Advisory : {};
  const issued = isObject(adv.Issued) ? str(adv.Issued.Date) : undefined;
  emit(raw, out, {
    feed: FEED_REDHAT,
    family: 'rhel',
    id,
    cves: cvesOf(md.References, 'RefID'),
    severity: str(adv.Severity),
    summary: title!.slice(id.length + 1).trim(),
    published: issued,
    url: `https://access.redhat.com/errata/${id}`,
    fixed: fixedPackages(d.Criteria),
  });
  return out;
}

export function parseOracle(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  const d = j.value;
  const title = isObject(d) ? str(d.Title) : undefined;
  const id = /^(ELSA-\d{4}-\d+)/.exec(title ?? '')?.[1];
  if (!isObject(d) || !id) {
    out.rejected.push({ ref: raw.key, reason: 'ELSA definition without Title "ELSA-…"' });
    return out;
  }
  const cves = [...new Set([...cvesOf(d.References, 'ID'), ...cvesOf(d.Cves, 'ID')])];
  emit(raw, out, {
    feed: FEED_ORACLE,
    family: 'oracle',
    id,
    cves,
    severity: str(d.Severity),
    summary: title!.slice(id.length + 1).trim(),
    published: isObject(d.Issued) ? str(d.Issued.Date) : undefined,
    url: `https://linux.oracle.com/errata/${id}.html`,
    fixed: fixedPackages(d.Criteria),
  });
  return out;
}

/** Red Hat's and Oracle's own OVAL XML (`oval_definitions`): the file recognised, the feed by its ids. */
export function recogniseXml(text: string): boolean {
  const head = text.slice(0, 4000);
  return /<oval_definitions\b/.test(head) && /oval:com\.(redhat|oracle\.elsa)[.:]/.test(text.slice(0, 200_000));
}

export function xmlFeed(text: string): string {
  return /oval:com\.oracle\.elsa:def:/.test(text.slice(0, 200_000)) ? FEED_ORACLE : FEED_REDHAT;
}

const unxml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const attr = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

/**
 * `<definition class="patch">` elements: `<title>RHSA-2016:1421: …</title>` (Oracle: `ELSA-2016-1421: …`),
 * `<reference source="CVE" ref_id="CVE-…"/>`, `<severity>`, `<issued date>`, and the criteria's
 * `<criterion comment="httpd is earlier than 0:2.2.15-54.el6_8"/>`. Other classes (unpatched
 * "vulnerability" definitions, inventory) are not patches and are skipped.
 */
export function parseXml(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  const feed = xmlFeed(text);
  for (const m of text.matchAll(/<definition\b([^>]*)>([\s\S]*?)<\/definition>/g)) {
    if (attr(m[1]!, 'class') !== 'patch') continue;
    const body = m[2]!;
    const title = unxml(/<title>([\s\S]*?)<\/title>/.exec(body)?.[1] ?? '').trim();
    const id = /^((?:RH[SB]A-\d{4}:\d+)|(?:ELSA-\d{4}-\d+))/.exec(title)?.[1];
    if (!id) {
      out.rejected.push({ ref: `${raw.key} ${attr(m[1]!, 'id') ?? `offset ${m.index}`}`, reason: 'patch definition without an RHSA/ELSA title' });
      continue;
    }
    const cves = [...new Set([...body.matchAll(/<reference\b[^>]*>/g)].map((r) => (attr(r[0], 'source') === 'CVE' ? attr(r[0], 'ref_id') : undefined)).filter((x): x is string => Boolean(x && /^CVE-\d{4}-\d+$/.test(x))))];
    // Oracle lists CVEs as <cve> elements too.
    for (const c of body.matchAll(/<cve\b[^>]*>(CVE-\d{4}-\d+)<\/cve>/g)) if (!cves.includes(c[1]!)) cves.push(c[1]!);
    const fixed: { name: string; evr: string }[] = [];
    for (const c of body.matchAll(/<criterion\b[^>]*>/g)) {
      const e = EARLIER.exec(unxml(attr(c[0], 'comment') ?? ''));
      if (e) fixed.push({ name: e[1]!, evr: e[2]!.includes(':') ? e[2]! : `0:${e[2]}` });
    }
    const issued = /<issued\b[^>]*>/.exec(body);
    const oracle = feed === FEED_ORACLE;
    emit(raw, out, {
      feed,
      family: oracle ? 'oracle' : 'rhel',
      id,
      cves,
      severity: /<severity>([^<]*)<\/severity>/.exec(body)?.[1]?.trim(),
      summary: title.slice(id.length + 1).trim(),
      published: issued ? attr(issued[0], 'date') : undefined,
      url: oracle ? `https://linux.oracle.com/errata/${id}.html` : `https://access.redhat.com/errata/${id}`,
      fixed,
    });
  }
  if (!out.advisories.length && !out.rejected.length) out.rejected.push({ ref: raw.key, reason: 'no patch definition' });
  return out;
}
