/**
 * lightswitch05/php-version-audit `rules-v1.json`: `releases.{version}.patchedCves`, `cves.{id}` with
 * baseScore and description, `supportEndDates.{line}` with active / security end. See ./README.md.
 */
import type { LifecycleCycle } from '../../../core/knowledge.js';
import type { RawInput } from '../../types.js';
import type { Normalized } from '../../types.js';
import { CVE_RE, isObject, str, openJson } from '../common/util.js';
import { addFix, phpAdvisories, type FixMap } from '../php-releases/ranges.js';

export const FEED = 'php-version-audit';

export function recognise(text: string): boolean {
  const head = text.slice(0, 2000);
  return head.includes('"supportEndDates"') || (head.includes('"latestVersions"') && head.includes('PHP Version Audit'));
}

export function parse(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  const doc = j.value;
  if (!isObject(doc) || !isObject(doc.releases)) {
    out.rejected.push({ ref: raw.key, reason: 'expected rules-v1.json with a "releases" object' });
    return out;
  }
  const fixes: FixMap = new Map();
  for (const [version, rel] of Object.entries(doc.releases)) {
    if (!isObject(rel) || !Array.isArray(rel.patchedCves)) {
      out.rejected.push({ ref: `releases.${version}`, reason: 'no patchedCves array' });
      continue;
    }
    for (const c of rel.patchedCves) {
      if (typeof c === 'string' && CVE_RE.test(c)) addFix(fixes, c, version);
      else out.rejected.push({ ref: `releases.${version}`, reason: `not a CVE id: ${String(c).slice(0, 40)}` });
    }
  }
  const cves = isObject(doc.cves) ? doc.cves : {};
  out.advisories = phpAdvisories(fixes, FEED, raw.key, (cve) => {
    const c = cves[cve];
    if (!isObject(c)) return {};
    return {
      summary: str(c.description),
      published: str(c.publishedDate),
      modified: str(c.lastModifiedDate),
      cvss: typeof c.baseScore === 'number' ? [{ version: '3.1' as const, score: c.baseScore }] : undefined,
    };
  });
  for (const [id, c] of Object.entries(cves)) {
    if (!CVE_RE.test(id) || !isObject(c)) {
      out.rejected.push({ ref: `cves.${id}`, reason: 'not a CVE record' });
      continue;
    }
    out.cves.push({
      id,
      feed: FEED,
      summary: str(c.description),
      published: str(c.publishedDate),
      cvss: typeof c.baseScore === 'number' ? [{ version: '3.1', score: c.baseScore }] : undefined,
    });
  }
  const latest = isObject(doc.latestVersions) ? doc.latestVersions : {};
  if (isObject(doc.supportEndDates)) {
    for (const [line, d] of Object.entries(doc.supportEndDates)) {
      if (!isObject(d)) continue;
      const cyc: LifecycleCycle = {
        product: 'php',
        cycle: line,
        activeSupportEnd: str(d.active)?.slice(0, 10),
        eol: str(d.security)?.slice(0, 10),
        latest: str(latest[line]),
        source: FEED,
      };
      out.lifecycle.push(cyc);
    }
  }
  return out;
}
