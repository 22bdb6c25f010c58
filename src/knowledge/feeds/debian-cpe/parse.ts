/**
 * Debian security tracker `data/CPE/list` (`srcpkg;cpe:/a:vendor:product`) and `data/CPE/aliases` (blocks of
 * CPEs naming the same product, separated by blank lines). They link NVD's CPE matches to Debian source
 * packages. See ./README.md.
 */
import type { RawInput } from '../../types.js';
import { emptyNormalized, type Normalized } from '../../types.js';

export const FEED = 'debian-cpe';

export function recogniseList(text: string): boolean {
  const lines = text.slice(0, 2000).split('\n').filter((l) => l.trim() && !l.startsWith('#')).slice(0, 5);
  return lines.length > 0 && lines.every((l) => /^[a-z0-9][a-z0-9.+-]*;(cpe:\/[aho]:[^;\s]*)?$/.test(l.trim()));
}

export function recogniseAliases(text: string): boolean {
  const lines = text.slice(0, 2000).split('\n').filter((l) => l.trim() && !l.startsWith('#')).slice(0, 5);
  return /aliases/i.test(text.slice(0, 300)) && lines.length > 0 && lines.every((l) => /^cpe:\/[aho]:\S+$/.test(l.trim()));
}

export function parseList(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  for (const [i, line] of text.split('\n').entries()) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const m = /^([a-z0-9][a-z0-9.+-]*);+(cpe:\/[aho]:\S*)?$/.exec(l);
    if (!m) out.rejected.push({ ref: `line ${i + 1}`, reason: `not "srcpkg;cpe": ${l.slice(0, 60)}` });
    else if (m[2]) out.cpe.push({ package: m[1]!, cpe: m[2], group: m[2] });
  }
  return out;
}

export function parseAliases(_raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  let block: string[] = [];
  const flush = () => {
    if (block.length > 1) for (const c of block) out.cpe.push({ package: '', cpe: c, group: block[0]! });
    block = [];
  };
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (l.startsWith('#')) continue;
    if (!l) flush();
    else if (/^cpe:\/[aho]:\S+$/.test(l)) block.push(l);
    else out.rejected.push({ ref: l.slice(0, 60), reason: 'not a CPE 2.2 URI' });
  }
  flush();
  return out;
}
