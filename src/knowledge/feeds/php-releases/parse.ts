/**
 * php.net ChangeLog CVE lists by release: `{ "5.3.12": { "date": "08-May-2012", "cves": ["CVE-2012-1823"] } }`
 * means the CVE was fixed in 5.3.12. See ./README.md.
 */
import type { RawInput } from '../../types.js';
import type { Normalized } from '../../types.js';
import { CVE_RE, isObject, openJson } from '../common/util.js';
import { addFix, phpAdvisories, type FixMap } from './ranges.js';

export const FEED = 'php-releases';

/** An object whose keys are PHP versions and whose values carry a `cves` array. */
export function recognise(text: string): boolean {
  return /^\s*\{\s*"\d+\.\d+\.\d+[^"]*"\s*:\s*\{\s*"(date|cves)"/.test(text.slice(0, 400));
}

export function parse(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  if (!isObject(j.value)) {
    out.rejected.push({ ref: raw.key, reason: 'expected an object keyed by PHP version' });
    return out;
  }
  const fixes: FixMap = new Map();
  for (const [version, rel] of Object.entries(j.value)) {
    if (!/^\d+\.\d+\.\d+/.test(version) || !isObject(rel) || !Array.isArray(rel.cves)) {
      out.rejected.push({ ref: `${raw.key}#${version}`, reason: 'expected "X.Y.Z": { "cves": [...] }' });
      continue;
    }
    for (const c of rel.cves) {
      if (typeof c === 'string' && CVE_RE.test(c)) addFix(fixes, c, version);
      else out.rejected.push({ ref: `${raw.key}#${version}`, reason: `not a CVE id: ${String(c).slice(0, 40)}` });
    }
  }
  out.advisories = phpAdvisories(fixes, FEED, raw.key);
  return out;
}
