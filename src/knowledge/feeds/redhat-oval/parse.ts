/**
 * OVAL patch definitions as JSON: Red Hat OVAL v2 (https://security.access.redhat.com/data/oval/v2/, one
 * stream per RHEL release) and Oracle Linux ELSA OVAL (https://linux.oracle.com/security/oval/), in the JSON
 * rendering of aquasecurity/vuln-list (`oval/N/rhel-N/definitions/…/RHSA-….json`, `oval/oracle/…/ELSA-….json`).
 * Each criterion "`pkg` is earlier than `epoch:version-release`" is a fixed BINARY package; the release tag
 * (`el6_8`, `module+el8.4.0`) names the major. One advisory per RHSA/ELSA, major and binary. See ./README.md.
 */
import type { Advisory } from '../../../core/knowledge.js';
import type { Normalized, RawInput } from '../../types.js';
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

/** The RHEL/OL major of a fixed release: `2.2.15-54.el6_8` → 6, `…module+el8.4.0+…` → 8. */
export function majorOf(evr: string): string | undefined {
  return /(?:^|[.+_-])el(\d+)/.exec(evr.slice(evr.lastIndexOf('-') + 1))?.[1];
}

function emit(raw: RawInput, out: Normalized, o: { feed: string; family: string; id: string; cves: string[]; severity?: string; summary?: string; published?: string; url?: string; criteria: unknown }): void {
  const rows = new Map<string, Advisory>();
  for (const p of fixedPackages(o.criteria)) {
    const major = majorOf(p.evr);
    if (!major) {
      out.rejected.push({ ref: `${o.id} ${p.name}`, reason: `no elN release tag in ${p.evr}` });
      continue;
    }
    const key = `${major}\u0000${p.name}`;
    const prev = rows.get(key);
    if (prev) {
      if (!prev.ranges.some((r) => r.events.some((e) => e.fixed === p.evr))) prev.ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: p.evr }] });
      continue;
    }
    rows.set(key, {
      id: o.id,
      feed: o.feed,
      cves: o.cves,
      aliases: [],
      advisory: o.id,
      scope: { kind: 'distro', platform: `${o.family}:${major}`, package: p.name, versionScheme: 'rpm' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: p.evr }] }],
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
    criteria: d.Criteria,
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
    criteria: d.Criteria,
  });
  return out;
}
