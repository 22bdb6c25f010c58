/**
 * PHP's own fix lists say "CVE X was fixed in 5.3.12 and 5.4.2". The ranges: below the lowest fixed line's
 * fix everything is affected (`{introduced: '0', fixed: f1}`); every later line L is affected from `L.0` up to
 * its own fix (`{introduced: 'L.0', fixed: fL}`). A version on a line older than the lowest fixed line is
 * therefore affected too: it never received a fix (the line had reached end of life).
 */
import type { Advisory } from '../../../core/knowledge.js';
import type { OsvRange } from '../../../core/versioning/types.js';
import { compareDotted, releaseLine } from '../common/util.js';

/** CVE → every version that lists it as fixed. */
export type FixMap = Map<string, string[]>;

export function addFix(map: FixMap, cve: string, version: string): void {
  const list = map.get(cve);
  if (list) list.push(version);
  else map.set(cve, [version]);
}

/** The lowest fixed version per release line, lines ascending. */
export function fixesByLine(versions: readonly string[]): { line: string; fixed: string }[] {
  const byLine = new Map<string, string>();
  for (const v of versions) {
    const line = releaseLine(v);
    const cur = byLine.get(line);
    if (cur === undefined || compareDotted(v, cur) < 0) byLine.set(line, v);
  }
  return [...byLine.entries()]
    .map(([line, fixed]) => ({ line, fixed }))
    .sort((a, b) => compareDotted(a.line, b.line));
}

export function phpRanges(versions: readonly string[]): OsvRange[] {
  const lines = fixesByLine(versions);
  return lines.map((l, i) => ({
    type: 'ECOSYSTEM' as const,
    events: [{ introduced: i === 0 ? '0' : `${l.line}.0` }, { fixed: l.fixed }],
  }));
}

export function phpAdvisories(fixes: FixMap, feed: string, rawRef: string, extra?: (cve: string) => Partial<Advisory>): Advisory[] {
  const out: Advisory[] = [];
  for (const [cve, versions] of [...fixes.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const ranges = phpRanges(versions);
    const lines = fixesByLine(versions);
    out.push({
      id: cve,
      feed,
      cves: [cve],
      aliases: [],
      scope: { kind: 'upstream', platform: 'upstream', package: 'php', versionScheme: 'php' },
      ranges,
      fixState: 'fixed',
      fixedVersion: lines[0]?.fixed,
      summary: `fixed in PHP ${lines.map((l) => l.fixed).join(', ')}`,
      url: `https://www.php.net/ChangeLog-${lines[0]?.line.split('.')[0] ?? '5'}.php`,
      rawRef,
      ...extra?.(cve),
    });
  }
  return out;
}
