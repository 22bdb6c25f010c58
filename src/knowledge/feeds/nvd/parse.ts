/**
 * NVD CVE API 2.0 (`/rest/json/cves/2.0` pages: `vulnerabilities[].cve` with descriptions, metrics,
 * weaknesses, configurations[].nodes[].cpeMatch[]). CVSS and CWE go to CVE records; CPE matches of
 * applications become upstream advisories (`php:php` → `php`, `apache:http_server` → `apache-httpd`, …;
 * others `vendor:product`). See ./README.md.
 */
import type { Advisory, CvssScore } from '../../../core/knowledge.js';
import type { OsvRange } from '../../../core/versioning/types.js';
import type { RawInput } from '../../types.js';
import type { Normalized } from '../../types.js';
import { CVE_RE, isObject, str, openJson } from '../common/util.js';

export const FEED = 'nvd';

export const CPE_PRODUCTS: Record<string, string> = {
  'php:php': 'php',
  'apache:http_server': 'apache-httpd',
  'f5:nginx': 'nginx',
  'nginx:nginx': 'nginx',
  'igor_sysoev:nginx': 'nginx',
  'openssl:openssl': 'openssl',
  'wordpress:wordpress': 'wordpress',
  'ec-cube:ec-cube': 'ec-cube',
  'lockon:ec-cube': 'ec-cube',
  'collne:welcart_e-commerce': 'welcart',
  'zen-cart:zen_cart': 'zen-cart',
  'oscommerce:oscommerce': 'oscommerce',
  'openbsd:openssh': 'openssh',
  'mysql:mysql': 'mysql',
  'oracle:mysql': 'mysql',
  'mariadb:mariadb': 'mariadb',
};

export function recognise(text: string): boolean {
  const head = text.slice(0, 1000);
  return /"format"\s*:\s*"NVD_CVE"/.test(head) || (head.includes('"resultsPerPage"') && head.includes('"vulnerabilities"'));
}

/** One NVD cpeMatch → an OSV-style range, or exact versions. */
export function cpeMatchRange(m: Record<string, unknown>): { product: string; range?: OsvRange; version?: string } | null {
  const crit = str(m.criteria);
  if (!crit) return null;
  const parts = crit.split(':');
  if (parts[0] !== 'cpe' || parts[1] !== '2.3' || parts[2] !== 'a') return null;
  const key = `${parts[3]}:${parts[4]}`;
  const product = CPE_PRODUCTS[key] ?? key;
  const exact = parts[5];
  const si = str(m.versionStartIncluding);
  const se = str(m.versionStartExcluding);
  const ei = str(m.versionEndIncluding);
  const ee = str(m.versionEndExcluding);
  if (!si && !se && !ei && !ee) {
    if (exact && exact !== '*' && exact !== '-') {
      const update = parts[6] && parts[6] !== '*' && parts[6] !== '-' ? parts[6] : '';
      return { product, version: update ? `${exact}${/^\d/.test(update) ? '.' : ''}${update}` : exact };
    }
    return { product, range: { type: 'ECOSYSTEM', events: [{ introduced: '0' }] } };
  }
  const events: OsvRange['events'] = [se ? { introduced_exclusive: se } : { introduced: si ?? '0' }];
  if (ee) events.push({ fixed: ee });
  else if (ei) events.push({ last_affected: ei });
  return { product, range: { type: 'ECOSYSTEM', events } };
}

function metricScores(metrics: unknown): CvssScore[] {
  const out: CvssScore[] = [];
  if (!isObject(metrics)) return out;
  for (const [key, version] of [
    ['cvssMetricV40', '4.0'],
    ['cvssMetricV31', '3.1'],
    ['cvssMetricV30', '3.0'],
    ['cvssMetricV2', '2.0'],
  ] as const) {
    const list = metrics[key];
    if (!Array.isArray(list)) continue;
    const primary = list.find((x) => isObject(x) && x.type === 'Primary') ?? list[0];
    if (isObject(primary) && isObject(primary.cvssData) && typeof primary.cvssData.baseScore === 'number') {
      out.push({ version, score: primary.cvssData.baseScore, vector: str(primary.cvssData.vectorString) });
    }
  }
  return out;
}

export function parse(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  if (!isObject(j.value) || !Array.isArray(j.value.vulnerabilities)) {
    out.rejected.push({ ref: raw.key, reason: 'no vulnerabilities[] array' });
    return out;
  }
  for (const [i, v] of j.value.vulnerabilities.entries()) {
    const c = isObject(v) && isObject(v.cve) ? v.cve : null;
    const id = c ? str(c.id) : undefined;
    if (!c || !id || !CVE_RE.test(id)) {
      out.rejected.push({ ref: `vulnerabilities[${i}]`, reason: 'no cve.id' });
      continue;
    }
    if (c.vulnStatus === 'Rejected') continue;
    const descs = Array.isArray(c.descriptions) ? c.descriptions.filter(isObject) : [];
    const summary = str((descs.find((d) => d.lang === 'en') ?? descs[0])?.value);
    const cvss = metricScores(c.metrics);
    const cwe = (Array.isArray(c.weaknesses) ? c.weaknesses : [])
      .flatMap((w) => (isObject(w) && Array.isArray(w.description) ? w.description : []))
      .map((d) => (isObject(d) ? str(d.value) : undefined))
      .filter((x): x is string => !!x && x.startsWith('CWE-'));
    out.cves.push({ id, feed: FEED, summary, cvss: cvss.length ? cvss : undefined, published: str(c.published), cwe: cwe.length ? [...new Set(cwe)] : undefined });
    const byProduct = new Map<string, Advisory>();
    for (const conf of Array.isArray(c.configurations) ? c.configurations : []) {
      for (const node of isObject(conf) && Array.isArray(conf.nodes) ? conf.nodes : []) {
        if (!isObject(node) || node.negate === true) continue;
        for (const m of Array.isArray(node.cpeMatch) ? node.cpeMatch : []) {
          if (!isObject(m) || m.vulnerable !== true) continue;
          const r = cpeMatchRange(m);
          if (!r) continue;
          let a = byProduct.get(r.product);
          if (!a) {
            a = {
              id,
              feed: FEED,
              cves: [id],
              aliases: [],
              scope: { kind: 'upstream', platform: 'upstream', package: r.product, versionScheme: 'generic' },
              ranges: [],
              versions: [],
              fixState: 'fixed',
              cvss,
              summary,
              published: str(c.published),
              modified: str(c.lastModified),
              url: `https://nvd.nist.gov/vuln/detail/${id}`,
              rawRef: `${raw.key}#${id}`,
            };
            byProduct.set(r.product, a);
          }
          if (r.range) a.ranges.push(r.range);
          if (r.version) a.versions!.push(r.version);
        }
      }
    }
    for (const a of byProduct.values()) {
      const events = a.ranges.flatMap((r) => r.events);
      a.fixedVersion = events.find((e) => e.fixed)?.fixed;
      // NVD bounds the affected versions (fixed / last_affected); with no bound at all no fix is known.
      if (!events.some((e) => e.fixed || e.last_affected)) a.fixState = 'unfixed';
      if (!a.versions?.length) delete a.versions;
      out.advisories.push(a);
    }
  }
  return out;
}
