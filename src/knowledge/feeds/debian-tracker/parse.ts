/**
 * Debian security tracker data: the `data/DSA/list` and `data/DLA/list` text files, and the tracker's JSON
 * (https://security-tracker.debian.org/tracker/data/json). Both become distro advisories on `debian:<release>`
 * for the SOURCE package, compared with dpkg rules. See ./README.md.
 */
import type { Advisory, FixState } from '../../../core/knowledge.js';
import type { ParseContext, RawInput } from '../../types.js';
import { emptyNormalized, type Normalized } from '../../types.js';
import { isObject, str, openJson } from '../common/util.js';
import { debianRelease } from './codenames.js';

export const FEED = 'debian-tracker';

const HEADER = /^\[(\d\d) (\w\w\w) (\d{4})\] ((?:DSA|DLA|DTSA)-\d+(?:-\d+)?)\s+(.*)$/;
const FIX = /^\s+\[([a-z-]+)\]\s+-\s+(\S+)\s+(?:<([a-z-]+)>(?:\s+\((.*)\))?|(\S+))/;
const MONTHS: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };

export function recogniseList(text: string): boolean {
  return /^\[\d\d \w\w\w \d{4}\] D[ST]?[SL]?A-\d+/m.test(text.slice(0, 2000));
}

export function recogniseJson(text: string): boolean {
  return /^\s*\{\s*"[a-z0-9][a-z0-9.+-]*"\s*:\s*\{\s*"(CVE-\d{4}-\d+|TEMP-[0-9A-F-]+)"\s*:\s*\{/.test(text.slice(0, 600));
}

function stateOf(tag: string | undefined): FixState | null {
  switch (tag) {
    case undefined:
      return 'fixed';
    case 'not-affected':
      return 'not-affected';
    case 'unfixed':
    case 'undetermined':
      return 'unfixed';
    case 'end-of-life':
      return 'out-of-support';
    case 'postponed':
      return 'unfixed';
    case 'no-dsa':
    case 'ignored':
      return 'will-not-fix';
    default:
      return null;
  }
}

export function parseList(raw: RawInput, text: string, ctx: ParseContext): Normalized {
  const out = emptyNormalized();
  const lines = text.split('\n');
  let cur: { id: string; date: string; pkg: string; desc?: string; cves: string[] } | null = null;
  const emit = (codename: string, pkg: string, state: FixState, version: string | undefined, lineNo: number, note?: string) => {
    if (!cur) return;
    const rel = debianRelease(codename, ctx.debianCodenames);
    if (!rel) {
      out.rejected.push({ ref: `${cur.id} line ${lineNo}`, reason: `unknown Debian codename ${codename}` });
      return;
    }
    const adv: Advisory = {
      id: cur.id,
      feed: FEED,
      cves: cur.cves,
      aliases: [],
      scope: { kind: 'distro', platform: `debian:${rel}`, package: pkg, versionScheme: 'dpkg' },
      ranges: state === 'fixed' && version ? [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }] : state === 'not-affected' ? [] : [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
      fixState: state,
      fixedVersion: state === 'fixed' ? version : undefined,
      summary: note ? `${cur.desc ?? ''} (${note})`.trim() : cur.desc,
      published: cur.date,
      url: `https://security-tracker.debian.org/tracker/${cur.id}`,
      rawRef: `${raw.key}#${cur.id}`,
    };
    out.advisories.push(adv);
  };
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const h = HEADER.exec(line);
    if (h) {
      const rest = h[5]!;
      const dash = rest.indexOf(' - ');
      cur = { id: h[4]!, date: `${h[3]}-${MONTHS[h[2]!] ?? '01'}-${h[1]}`, pkg: (dash >= 0 ? rest.slice(0, dash) : rest).trim().split(/\s+/)[0]!, desc: dash >= 0 ? rest.slice(dash + 3).trim() : rest.trim(), cves: [] };
      continue;
    }
    if (!cur) {
      out.rejected.push({ ref: `line ${i + 1}`, reason: 'text before the first [date] DSA-… header' });
      continue;
    }
    const c = /^\s+\{([^}]*)\}/.exec(line);
    if (c) {
      cur.cves.push(...c[1]!.split(/\s+/).filter((x) => /^CVE-\d{4}-\d+$/.test(x)));
      continue;
    }
    const f = FIX.exec(line);
    if (f) {
      const state = stateOf(f[3]);
      if (!state) {
        out.rejected.push({ ref: `${cur.id} line ${i + 1}`, reason: `unknown state <${f[3]}>` });
        continue;
      }
      emit(f[1]!, f[2]!, state, f[5], i + 1, f[4]);
      continue;
    }
    if (/^\s+(NOTE|TODO):/.test(line) || /^\s+\[[a-z-]+\]\s*$/.test(line)) continue;
    if (/^\s/.test(line)) continue; // other annotations carry no version data
    out.rejected.push({ ref: `line ${i + 1}`, reason: `not a DSA/DLA list line: ${line.slice(0, 60)}` });
  }
  return out;
}

/** Tracker JSON: `{ pkg: { CVE: { description, releases: { codename: { status, fixed_version, urgency } } } } }`. */
export function parseJsonDump(raw: RawInput, text: string, ctx: ParseContext): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  if (!isObject(j.value)) {
    out.rejected.push({ ref: raw.key, reason: 'expected { package: { CVE: … } }' });
    return out;
  }
  for (const [pkg, issues] of Object.entries(j.value)) {
    if (!isObject(issues)) {
      out.rejected.push({ ref: pkg, reason: 'package entry is not an object' });
      continue;
    }
    for (const [cve, info] of Object.entries(issues)) {
      if (!isObject(info) || !isObject(info.releases)) {
        out.rejected.push({ ref: `${pkg} ${cve}`, reason: 'no releases object' });
        continue;
      }
      for (const [codename, r] of Object.entries(info.releases)) {
        if (!isObject(r)) continue;
        const rel = debianRelease(codename, ctx.debianCodenames);
        if (!rel) continue; // sid / experimental have no platform
        const fixed = str(r.fixed_version);
        const urgency = str(r.urgency) ?? '';
        // No DSA: `nodsa_reason` "postponed" (fixed in a later update) stays open; "ignored" and a plain
        // no-dsa (minor issue, left to a point release at best) will not be fixed by a DSA.
        const nodsa = r.nodsa !== undefined ? (str(r.nodsa_reason) ?? 'no-dsa') : undefined;
        let state: FixState;
        if (fixed === '0') state = 'not-affected';
        else if (r.status === 'resolved' && fixed) state = 'fixed';
        else if (urgency === 'end-of-life') state = 'out-of-support';
        else if (nodsa === 'postponed') state = 'unfixed';
        else if (urgency === 'unimportant' || nodsa !== undefined) state = 'will-not-fix';
        else state = 'unfixed';
        const note = nodsa ? `${nodsa}${str(r.nodsa) ? `: ${str(r.nodsa)}` : ''}` : undefined;
        out.advisories.push({
          id: cve,
          feed: FEED,
          cves: /^CVE-/.test(cve) ? [cve] : [],
          aliases: [],
          scope: { kind: 'distro', platform: `debian:${rel}`, package: pkg, versionScheme: 'dpkg' },
          ranges: state === 'fixed' ? [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: fixed! }] }] : state === 'not-affected' ? [] : [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
          fixState: state,
          fixedVersion: state === 'fixed' ? fixed : undefined,
          vendorSeverity: urgency || undefined,
          summary: note ? `${str(info.description) ?? ''} (${note})`.trim() : str(info.description),
          url: `https://security-tracker.debian.org/tracker/${cve}`,
          rawRef: `${raw.key}#${pkg}/${cve}`,
        });
      }
    }
  }
  return out;
}
