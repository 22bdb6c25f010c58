/**
 * CVE JSON 5 records (CVEProject/cvelistV5 `cves/YYYY/NNxxx/CVE-*.json`): descriptions, CVSS from
 * `containers.cna.metrics` and `containers.adp[].metrics`, CWE ids. Also the trimmed excerpt file of
 * ../shared/data (`{ records: [{ cveId, description, … }] }`). See ./README.md.
 */
import type { CveRecord } from '../../../core/knowledge.js';
import type { RawInput } from '../../types.js';
import type { Normalized } from '../../types.js';
import { CVE_RE, cvssFromMetrics, isObject, str, openJson } from '../common/util.js';

export const FEED = 'cve5';

export function recognise(text: string): boolean {
  const head = text.slice(0, 3000);
  return /"dataType"\s*:\s*"CVE_RECORD"/.test(text) || (/"records"\s*:/.test(head) && /"cveId"\s*:/.test(head));
}

function fromRecord(d: Record<string, unknown>): CveRecord | null {
  const meta = isObject(d.cveMetadata) ? d.cveMetadata : {};
  const id = str(meta.cveId) ?? str(d.cveId);
  if (!id || !CVE_RE.test(id)) return null;
  const containers = isObject(d.containers) ? d.containers : {};
  const cna = isObject(containers.cna) ? containers.cna : {};
  const adp = Array.isArray(containers.adp) ? containers.adp.filter(isObject) : [];
  const descs = Array.isArray(cna.descriptions) ? cna.descriptions.filter(isObject) : [];
  const en = descs.find((x) => String(x.lang ?? '').startsWith('en')) ?? descs[0];
  const cvss = [...cvssFromMetrics(cna.metrics), ...adp.flatMap((a) => cvssFromMetrics(a.metrics))];
  const cwe = new Set<string>();
  for (const c of [cna, ...adp]) {
    for (const pt of Array.isArray(c.problemTypes) ? c.problemTypes : []) {
      for (const de of isObject(pt) && Array.isArray(pt.descriptions) ? pt.descriptions : []) {
        if (isObject(de) && str(de.cweId)) cwe.add(str(de.cweId)!);
      }
    }
  }
  return {
    id,
    summary: (en ? str(en.value) : undefined) ?? str(d.description),
    cvss: cvss.length ? cvss : undefined,
    published: str(meta.datePublished) ?? str(d.datePublic),
    cwe: cwe.size ? [...cwe] : undefined,
  };
}

export function parse(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  const d = j.value;
  const records = isObject(d) && Array.isArray(d.records) ? d.records : [d];
  for (const [i, r] of records.entries()) {
    const rec = isObject(r) ? fromRecord(r) : null;
    if (!rec) out.rejected.push({ ref: `${raw.key}#${i}`, reason: 'no CVE id in cveMetadata.cveId / cveId' });
    else out.cves.push({ ...rec, feed: FEED });
  }
  return out;
}
