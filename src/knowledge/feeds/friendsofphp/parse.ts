/**
 * FriendsOfPHP/security-advisories YAML: `reference: composer://vendor/name`, `branches.<name>.versions:
 * ['>=1.0.0', '<1.12.3']`, `cve`, `title`, `link`. See ./README.md.
 */
import { parse as parseYaml } from 'yaml';
import type { OsvRange, RangeEvent } from '../../../core/versioning/types.js';
import type { RawInput } from '../../types.js';
import { emptyNormalized, type Normalized } from '../../types.js';
import { isObject, str } from '../common/util.js';

export const FEED = 'friendsofphp';

export function recognise(text: string): boolean {
  return /^reference:\s*['"]?composer:\/\//m.test(text) && /^branches:/m.test(text);
}

/** `['>=1.0.0', '<1.12.3']` → one OSV range; null when a constraint is not understood. */
export function branchRange(constraints: readonly string[]): OsvRange | null {
  const lower: RangeEvent = { introduced: '0' };
  let upper: RangeEvent | undefined;
  for (const c of constraints) {
    const m = /^\s*(>=|<=|>|<|=|==)?\s*v?([0-9][\w.+-]*)\s*$/.exec(c);
    if (!m) return null;
    const [, op = '=', ver = ''] = m;
    if (op === '>=') lower.introduced = ver;
    else if (op === '>') {
      delete lower.introduced;
      lower.introduced_exclusive = ver;
    } else if (op === '<') upper = { fixed: ver };
    else if (op === '<=') upper = { last_affected: ver };
    else {
      lower.introduced = ver;
      upper = { last_affected: ver };
    }
  }
  return { type: 'ECOSYSTEM', events: upper ? [lower, upper] : [lower] };
}

export function parse(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 50 });
  } catch (err) {
    out.rejected.push({ ref: raw.key, reason: `invalid YAML: ${(err as Error).message.split('\n')[0]}` });
    return out;
  }
  if (!isObject(doc) || !str(doc.reference) || !isObject(doc.branches)) {
    out.rejected.push({ ref: raw.key, reason: 'expected reference: composer://… and branches:' });
    return out;
  }
  const m = /^composer:\/\/([^/\s]+\/[^/\s]+)$/.exec(str(doc.reference)!);
  if (!m) {
    out.rejected.push({ ref: raw.key, reason: `reference is not composer://vendor/name: ${str(doc.reference)}` });
    return out;
  }
  const ranges: OsvRange[] = [];
  for (const [bname, b] of Object.entries(doc.branches)) {
    const versions = isObject(b) && Array.isArray(b.versions) ? b.versions.filter((x): x is string => typeof x === 'string') : null;
    const r = versions && versions.length ? branchRange(versions) : null;
    if (!r) {
      out.rejected.push({ ref: `${raw.key} branches.${bname}`, reason: 'versions are not >=, >, <, <= constraints' });
      continue;
    }
    ranges.push(r);
  }
  if (!ranges.length) return out;
  const cve = str(doc.cve);
  const ghsa = str(doc.ghsa) ?? (typeof doc.ghsa === 'string' ? doc.ghsa : undefined);
  const fileId = raw.key.replace(/^.*?([^/]+\/[^/]+\/[^/]+)\.ya?ml$/, '$1');
  const id = cve && /^CVE-/.test(cve) ? cve : ghsa ?? `friendsofphp:${fileId}`;
  const fixedVersion = ranges.flatMap((r) => r.events).find((e) => e.fixed)?.fixed;
  out.advisories.push({
    id,
    feed: FEED,
    cves: cve && /^CVE-/.test(cve) ? [cve] : [],
    aliases: [ghsa, `friendsofphp:${fileId}`].filter((x): x is string => !!x && x !== id),
    scope: { kind: 'library', platform: 'packagist', package: m[1]!.toLowerCase(), versionScheme: 'composer' },
    ranges,
    fixState: fixedVersion ? 'fixed' : 'unfixed',
    fixedVersion,
    summary: str(doc.title),
    url: str(doc.link),
    rawRef: raw.key,
  });
  return out;
}
