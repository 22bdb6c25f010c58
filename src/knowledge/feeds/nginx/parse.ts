/**
 * nginx.org `xml/en/security_advisories.xml`: `<item name cve severity vulnerable="1.5.6-1.5.7, 0.8.41-1.4.3"
 * good="1.5.8+, 1.4.4+">` (older copies call `good` `not`). `good="1.8.1+"` means 1.8.1 and later on the 1.8
 * branch; the highest good entry covers every later version. `vulnerable="all"` with `good="none"` is never
 * fixed. `nginx/Windows …` items go to the product `nginx-windows`. See ./README.md.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Advisory } from '../../../core/knowledge.js';
import type { OsvRange } from '../../../core/versioning/types.js';
import type { RawInput } from '../../types.js';
import { emptyNormalized, type Normalized } from '../../types.js';
import { compareDotted } from '../common/util.js';

export const FEED = 'nginx';

export function recognise(text: string): boolean {
  return /<article[^>]+name="nginx security advisories"/.test(text.slice(0, 2000)) || (text.includes('<security>') && /<item[^>]+vulnerable="/.test(text));
}

const VERSION = /^\d+(\.\d+)*$/;

function nextBranch(v: string): string {
  const [maj, min] = v.split('.');
  return `${maj}.${Number(min ?? 0) + 1}.0`;
}

/** Split the vulnerable intervals at the good versions. Returns null when the text does not parse. */
export function nginxRanges(vulnerable: string, good: string): { ranges: OsvRange[]; fixed: string[] } | null {
  const goods = good
    .split(',')
    .map((s) => s.trim().replace(/\+$/, ''))
    .filter((s) => s && s !== 'none');
  if (goods.some((g) => !VERSION.test(g))) return null;
  goods.sort(compareDotted);
  const ranges: OsvRange[] = [];
  if (vulnerable.trim() === 'all') {
    ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }] });
    return { ranges, fixed: goods };
  }
  for (const part of vulnerable.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const [a = '', bRaw] = p.split('-').map((s) => s.trim());
    const b = bRaw ?? a;
    if (!VERSION.test(a) || !VERSION.test(b)) return null;
    let start = a;
    for (const g of goods) {
      if (compareDotted(g, start) <= 0 || compareDotted(g, b) > 0) continue;
      ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: start }, { fixed: g }] });
      start = nextBranch(g);
    }
    if (compareDotted(start, b) <= 0) ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: start }, { last_affected: b }] });
  }
  return { ranges, fixed: goods };
}

export function parse(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  let doc: unknown;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'item' || name === 'patch' }).parse(text, true);
  } catch (err) {
    out.rejected.push({ ref: raw.key, reason: `invalid XML: ${(err as Error).message}` });
    return out;
  }
  const items = findItems(doc);
  if (!items) {
    out.rejected.push({ ref: raw.key, reason: 'no <security><item> elements' });
    return out;
  }
  for (const [i, it] of items.entries()) {
    const name = typeof it.name === 'string' ? it.name : `item ${i + 1}`;
    const vulnerable = typeof it.vulnerable === 'string' ? it.vulnerable : '';
    const good = typeof it.good === 'string' ? it.good : typeof it.not === 'string' ? it.not : '';
    const windows = /^nginx\/Windows\s+/.test(vulnerable);
    const r = nginxRanges(vulnerable.replace(/^nginx\/Windows\s+/, ''), good);
    if (!r) {
      out.rejected.push({ ref: name, reason: `cannot read vulnerable="${vulnerable}" good="${good}"` });
      continue;
    }
    const cves = String(it.cve ?? '')
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((c) => (c.startsWith('CVE-') ? c : `CVE-${c}`));
    const id = cves[0] ?? `nginx:${name}`;
    const adv: Advisory = {
      id,
      feed: FEED,
      cves,
      aliases: [],
      scope: { kind: 'upstream', platform: 'upstream', package: windows ? 'nginx-windows' : 'nginx', versionScheme: 'generic' },
      ranges: r.ranges,
      fixState: r.fixed.length ? 'fixed' : 'unfixed',
      fixedVersion: r.ranges.find((x) => x.events[1]?.fixed)?.events[1]?.fixed ?? r.fixed[0],
      vendorSeverity: typeof it.severity === 'string' ? it.severity : undefined,
      summary: name,
      url: typeof it.advisory === 'string' ? it.advisory : 'https://nginx.org/en/security_advisories.html',
      rawRef: `${raw.key}#${id}`,
    };
    out.advisories.push(adv);
  }
  return out;
}

function findItems(doc: unknown): Record<string, unknown>[] | null {
  const stack: unknown[] = [doc];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    const o = n as Record<string, unknown>;
    if (o.security && typeof o.security === 'object') {
      const items = (o.security as Record<string, unknown>).item;
      if (Array.isArray(items)) return items.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object');
    }
    for (const v of Object.values(o)) if (v && typeof v === 'object') stack.push(v);
  }
  return null;
}
