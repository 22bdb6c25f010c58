/**
 * JVN iPedia through the MyJVN API (https://jvndb.jvn.jp/apis/myjvn/): `getVulnOverviewList` answers RSS 1.0
 * with `<item>`s carrying `sec:identifier` (JVNDB-…), `sec:references source="CVE"`, `sec:cpe`, `sec:cvss`.
 * Each item becomes a CVE-style record keyed by its CVE (or the JVNDB id when JVN is the only source), with
 * the JVNDB id beside it. The overview carries no version ranges, so no advisory is made from it.
 * See ./README.md.
 */
import { XMLParser } from 'fast-xml-parser';
import type { CvssScore } from '../../../core/knowledge.js';
import type { RawInput } from '../../types.js';
import { emptyNormalized, type Normalized } from '../../types.js';

export const FEED = 'jvn';

export function recognise(text: string): boolean {
  const head = text.slice(0, 3000);
  return head.includes('jvndb.jvn.jp') && /<(rdf:RDF|sec:identifier)/.test(text);
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function parse(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  let doc: Record<string, unknown>;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text' }).parse(text, true) as Record<string, unknown>;
  } catch (err) {
    out.rejected.push({ ref: raw.key, reason: `invalid XML: ${(err as Error).message}` });
    return out;
  }
  const rdf = (doc['rdf:RDF'] ?? {}) as Record<string, unknown>;
  const status = rdf['status:Status'] as Record<string, unknown> | undefined;
  if (status && String(status['@retCd'] ?? '0') !== '0') {
    out.rejected.push({ ref: raw.key, reason: `MyJVN error ${String(status['@errCd'] ?? '')}: ${String(status['@errMsg'] ?? '')}`.trim() });
    return out;
  }
  const items = asArray(rdf.item as Record<string, unknown> | Record<string, unknown>[] | undefined);
  if (!items.length && !rdf.channel) {
    out.rejected.push({ ref: raw.key, reason: 'no rdf:RDF/item elements' });
    return out;
  }
  for (const it of items) {
    const jvndb = typeof it['sec:identifier'] === 'string' ? it['sec:identifier'] : undefined;
    if (!jvndb) {
      out.rejected.push({ ref: String(it.title ?? raw.key).slice(0, 80), reason: 'item without sec:identifier' });
      continue;
    }
    const refs = asArray(it['sec:references'] as Record<string, unknown> | Record<string, unknown>[] | undefined);
    const cves = refs.filter((r) => r['@source'] === 'CVE').map((r) => String(r['@id'] ?? r['#text'] ?? '')).filter((c) => /^CVE-\d{4}-\d+$/.test(c));
    const cvss: CvssScore[] = [];
    for (const c of asArray(it['sec:cvss'] as Record<string, unknown> | Record<string, unknown>[] | undefined)) {
      const score = Number(c['@score']);
      const ver = String(c['@version'] ?? '');
      if (Number.isFinite(score) && (ver === '2.0' || ver === '3.0' || ver === '3.1' || ver === '4.0')) cvss.push({ version: ver, score, vector: typeof c['@vector'] === 'string' ? c['@vector'] : undefined });
    }
    const summary = typeof it.title === 'string' ? it.title : undefined;
    const published = typeof it['dcterms:issued'] === 'string' ? it['dcterms:issued'] : undefined;
    for (const id of cves.length ? cves : [jvndb]) out.cves.push({ id, feed: FEED, summary, cvss: cvss.length ? cvss : undefined, published, jvn: [jvndb] });
  }
  return out;
}
