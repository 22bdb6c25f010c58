/** CISA Known Exploited Vulnerabilities catalog JSON (`vulnerabilities[]` with cveID, dateAdded…). See ./README.md. */
import type { RawInput } from '../../types.js';
import type { Normalized } from '../../types.js';
import { CVE_RE, isObject, str, openJson } from '../common/util.js';

export const FEED = 'kev';

export function recognise(text: string): boolean {
  const head = text.slice(0, 1500);
  return head.includes('"catalogVersion"') || (head.includes('Known Exploited Vulnerabilities') && head.includes('"vulnerabilities"'));
}

export function parse(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  if (!isObject(j.value) || !Array.isArray(j.value.vulnerabilities)) {
    out.rejected.push({ ref: raw.key, reason: 'no vulnerabilities[] array' });
    return out;
  }
  for (const [i, v] of j.value.vulnerabilities.entries()) {
    const cve = isObject(v) ? str(v.cveID) : undefined;
    const added = isObject(v) ? str(v.dateAdded) : undefined;
    if (!isObject(v) || !cve || !CVE_RE.test(cve) || !added) {
      out.rejected.push({ ref: cve ?? `vulnerabilities[${i}]`, reason: 'missing cveID or dateAdded' });
      continue;
    }
    out.kev.push({
      cve,
      dateAdded: added,
      dueDate: str(v.dueDate),
      knownRansomwareCampaignUse: str(v.knownRansomwareCampaignUse),
      vendorProject: str(v.vendorProject),
      product: str(v.product),
      name: str(v.vulnerabilityName),
    });
  }
  return out;
}
