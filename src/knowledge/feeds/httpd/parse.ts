/**
 * Apache httpd's per-CVE JSON (httpd-site `content/security/json/CVE-*.json`). Older records are CVE JSON 4.0
 * (`affects.vendor.vendor_data[].product.product_data[].version.version_data[]` with `version_affected`
 * `=`, `?=`, `<`, `<=`, `>=`, `!<`), newer ones CVE JSON 5 (`containers.cna.affected[].versions[]`).
 * Both become upstream advisories for `apache-httpd`. See ./README.md.
 */
import type { Advisory } from '../../../core/knowledge.js';
import type { OsvRange } from '../../../core/versioning/types.js';
import type { RawInput } from '../../types.js';
import type { Normalized } from '../../types.js';
import { CVE_RE, cvssFromMetrics, isObject, str, openJson } from '../common/util.js';

export const FEED = 'httpd';

export function recognise(text: string): boolean {
  const head = text.slice(0, 6000);
  return /"(product_name|product)"\s*:\s*"Apache HTTP Server"/.test(text) && (head.includes('"CVE_data_meta"') || head.includes('"CVE_RECORD"') || head.includes('"containers"'));
}

interface VersionDatum {
  name: string;
  op: string;
  value: string;
}

/** CVE 4.0 version_data → exact versions and ranges. */
export function rangesFromV4(data: VersionDatum[]): { ranges: OsvRange[]; versions: string[] } {
  const versions: string[] = [];
  const uppers: { v: string; inclusive: boolean }[] = [];
  let lower: string | undefined;
  for (const d of data) {
    switch (d.op) {
      case '=':
      case '?=': // "possibly affected": counted as affected, unknown is never "safe"
        versions.push(d.value);
        break;
      case '<':
        uppers.push({ v: d.value, inclusive: false });
        break;
      case '<=':
        uppers.push({ v: d.value, inclusive: true });
        break;
      case '>=':
      case '!<':
        lower = d.value;
        break;
      default:
        versions.push(d.value);
    }
  }
  // `version_name` names the branch an entry belongs to ("2.4", "Apache HTTP Server 2.4"): an upper bound
  // without its own lower bound starts at that branch, as httpd's per-branch pages present it.
  const branch = data.map((d) => /(\d+\.\d+)\s*$/.exec(d.name)?.[1]).find(Boolean);
  const ranges: OsvRange[] = uppers.map((u) => ({
    type: 'ECOSYSTEM',
    events: [{ introduced: lower ?? (branch && u.v.startsWith(`${branch}.`) ? `${branch}.0` : '0') }, u.inclusive ? { last_affected: u.v } : { fixed: u.v }],
  }));
  return { ranges, versions };
}

function fixedFromTimeline(timeline: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(timeline)) return out;
  for (const t of timeline) {
    if (!isObject(t)) continue;
    const m = /^(\d+\.\d+\.\d+) released$/.exec(str(t.value) ?? '');
    if (m) out.push(m[1]!);
  }
  return out;
}

export function parse(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  const d = j.value;
  if (!isObject(d)) {
    out.rejected.push({ ref: raw.key, reason: 'expected a CVE record object' });
    return out;
  }
  const base = {
    feed: FEED,
    aliases: [] as string[],
    scope: { kind: 'upstream' as const, platform: 'upstream', package: 'apache-httpd', versionScheme: 'generic' as const },
    rawRef: raw.key,
  };
  if (isObject(d.CVE_data_meta)) {
    const id = str(d.CVE_data_meta.ID);
    if (!id || !CVE_RE.test(id)) {
      out.rejected.push({ ref: raw.key, reason: 'CVE_data_meta.ID is not a CVE id' });
      return out;
    }
    const data: VersionDatum[] = [];
    const vendors = isObject(d.affects) && isObject(d.affects.vendor) && Array.isArray(d.affects.vendor.vendor_data) ? d.affects.vendor.vendor_data : [];
    for (const v of vendors) {
      const products = isObject(v) && isObject(v.product) && Array.isArray(v.product.product_data) ? v.product.product_data : [];
      for (const p of products) {
        const vd = isObject(p) && isObject(p.version) && Array.isArray(p.version.version_data) ? p.version.version_data : [];
        for (const x of vd) {
          if (isObject(x) && str(x.version_value)) data.push({ name: str(x.version_name) ?? '', op: str(x.version_affected) ?? '=', value: str(x.version_value)! });
        }
      }
    }
    if (!data.length) {
      out.rejected.push({ ref: id, reason: 'no affected versions in the record' });
      return out;
    }
    const { ranges, versions } = rangesFromV4(data);
    const fixed = fixedFromTimeline(d.timeline);
    const desc = isObject(d.description) && Array.isArray(d.description.description_data) ? d.description.description_data : [];
    const impact = Array.isArray(d.impact) ? d.impact.find((x) => isObject(x) && str(x.other)) : undefined;
    const adv: Advisory = {
      ...base,
      id,
      cves: [id],
      ranges,
      versions,
      fixState: 'fixed',
      fixedVersion: fixed[0],
      vendorSeverity: isObject(impact) ? str(impact.other) : undefined,
      summary: str(d.CVE_data_meta.TITLE) ?? (isObject(desc[0]) ? str(desc[0].value) : undefined),
      url: 'https://httpd.apache.org/security/vulnerabilities_' + (versions[0] ?? ranges[0]?.events[1]?.last_affected ?? '2.4').replace(/^(\d+)\.(\d+).*$/, '$1$2') + '.html',
    };
    if (!fixed.length && !ranges.length) adv.fixState = 'unfixed';
    out.advisories.push(adv);
    return out;
  }
  if (isObject(d.containers) && isObject(d.containers.cna) && isObject(d.cveMetadata)) {
    const id = str(d.cveMetadata.cveId);
    if (!id || !CVE_RE.test(id)) {
      out.rejected.push({ ref: raw.key, reason: 'cveMetadata.cveId is not a CVE id' });
      return out;
    }
    const cna = d.containers.cna;
    const ranges: OsvRange[] = [];
    const versions: string[] = [];
    for (const a of Array.isArray(cna.affected) ? cna.affected : []) {
      if (!isObject(a) || !Array.isArray(a.versions)) continue;
      for (const v of a.versions) {
        if (!isObject(v) || v.status !== 'affected') continue;
        const start = str(v.version);
        if (!start) continue;
        if (str(v.lessThanOrEqual)) ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: start }, { last_affected: str(v.lessThanOrEqual)! }] });
        else if (str(v.lessThan)) ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: start }, { fixed: str(v.lessThan)! }] });
        else versions.push(start);
      }
    }
    if (!ranges.length && !versions.length) {
      out.rejected.push({ ref: id, reason: 'no affected versions in the record' });
      return out;
    }
    const fixed = fixedFromTimeline(cna.timeline);
    const metrics = Array.isArray(cna.metrics) ? cna.metrics : [];
    const other = metrics.map((m) => (isObject(m) && isObject(m.other) && isObject(m.other.content) ? str(m.other.content.text) : undefined)).find(Boolean);
    const descs = Array.isArray(cna.descriptions) ? cna.descriptions : [];
    out.advisories.push({
      ...base,
      id,
      cves: [id],
      ranges,
      versions,
      fixState: 'fixed',
      fixedVersion: fixed[0],
      vendorSeverity: other,
      cvss: cvssFromMetrics(metrics),
      summary: str(cna.title) ?? (isObject(descs[0]) ? str(descs[0].value) : undefined),
      published: isObject(d.cveMetadata) ? str(d.cveMetadata.datePublished) : undefined,
      url: 'https://httpd.apache.org/security/vulnerabilities_24.html',
    });
    return out;
  }
  out.rejected.push({ ref: raw.key, reason: 'neither CVE JSON 4.0 nor 5 layout' });
  return out;
}
