/**
 * OSV JSON (https://ossf.github.io/osv-schema/): one vulnerability per file, as in the per-ecosystem
 * `all.zip` archives and the AlmaLinux osv-database. `affected[].package.ecosystem` names the platform
 * (`AlmaLinux:8` → `almalinux:8`); ranges are kept as they are. See ./README.md.
 */
import type { Advisory, AdvisoryScope, CvssScore } from '../../../core/knowledge.js';
import type { OsvRange, RangeEvent } from '../../../core/versioning/types.js';
import type { RawInput } from '../../types.js';
import type { Normalized } from '../../types.js';
import { isObject, str, openJson } from '../common/util.js';

export function recognise(text: string): boolean {
  const head = text.slice(0, 4000);
  return /^\s*\{/.test(head) && /"affected"\s*:/.test(text) && /"id"\s*:/.test(head) && (/"ecosystem"\s*:/.test(text) || /"modified"\s*:/.test(head)) && !head.includes('"CVE_data_meta"') && !head.includes('"dataType"');
}

/** OSV ecosystem → scope and feed name; null when mamori has no use for the ecosystem. */
export function scopeOf(ecosystem: string, name: string): { scope: AdvisoryScope; feed: string } | null {
  const [eco = '', ...rest] = ecosystem.split(':');
  const release = rest.join(':');
  const distro = (family: string, rel: string | undefined, feed: string, scheme: 'rpm' | 'dpkg' | 'apk') =>
    rel ? { scope: { kind: 'distro' as const, platform: `${family}:${rel}`, package: name, versionScheme: scheme }, feed } : null;
  switch (eco) {
    case 'AlmaLinux':
      return distro('almalinux', rest[0], 'osv-almalinux', 'rpm');
    case 'Rocky Linux':
      return distro('rocky', rest[0], 'osv-rocky-linux', 'rpm');
    case 'Red Hat': {
      const m = /enterprise_linux:(\d+)/.exec(release);
      return distro('rhel', m?.[1], 'osv-redhat', 'rpm');
    }
    case 'Debian':
      return distro('debian', rest[0], 'osv-debian', 'dpkg');
    case 'Ubuntu': {
      const m = /(\d+\.\d+)/.exec(release);
      return distro('ubuntu', m?.[1], 'osv-ubuntu', 'dpkg');
    }
    case 'Alpine':
      return distro('alpine', rest[0]?.replace(/^v/, ''), 'osv-alpine', 'apk');
    case 'Packagist':
      return { scope: { kind: 'library', platform: 'packagist', package: name.toLowerCase(), versionScheme: 'composer' }, feed: 'osv-packagist' };
    case 'npm':
      return { scope: { kind: 'library', platform: 'npm', package: name, versionScheme: 'semver' }, feed: 'osv-npm' };
    default:
      return null;
  }
}

const SEVERITY_WORD = /^(Critical|Important|Moderate|Low|High|Medium):/i;

function cvssOf(sev: unknown): CvssScore[] {
  const out: CvssScore[] = [];
  if (!Array.isArray(sev)) return out;
  for (const s of sev) {
    if (!isObject(s)) continue;
    const vector = str(s.score);
    const type = str(s.type);
    // OSV gives vectors only; a numeric score is kept when the vector string is just a number.
    if (vector && /^\d+(\.\d+)?$/.test(vector)) out.push({ version: type === 'CVSS_V4' ? '4.0' : type === 'CVSS_V2' ? '2.0' : '3.1', score: Number(vector) });
  }
  return out;
}

export function parse(raw: RawInput, text: string): { feed: string; out: Normalized } {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return { feed: 'osv', out };
  const v = j.value;
  if (!isObject(v) || !str(v.id) || !Array.isArray(v.affected)) {
    out.rejected.push({ ref: raw.key, reason: 'OSV record without id or affected[]' });
    return { feed: 'osv', out };
  }
  const id = str(v.id)!;
  if (str(v.withdrawn)) return { feed: 'osv', out }; // withdrawn by its publisher: no longer an advisory
  const aliases = [...(Array.isArray(v.aliases) ? v.aliases : []), ...(Array.isArray(v.related) ? v.related : []), ...(Array.isArray(v.upstream) ? v.upstream : [])].filter(
    (a): a is string => typeof a === 'string',
  );
  const cves = [...new Set([id, ...aliases].filter((a) => /^CVE-\d{4}-\d+$/.test(a)))];
  const summary = str(v.summary) ?? str(v.details)?.slice(0, 300);
  const sevWord = SEVERITY_WORD.exec(summary ?? '')?.[1]?.toLowerCase();
  const refs = Array.isArray(v.references) ? v.references : [];
  const adv = refs.find((r) => isObject(r) && r.type === 'ADVISORY');
  const byKey = new Map<string, Advisory>();
  const proKeys = new Set<string>();
  let feed = 'osv';
  for (const [i, a] of v.affected.entries()) {
    if (!isObject(a) || !isObject(a.package)) {
      out.rejected.push({ ref: `${id} affected[${i}]`, reason: 'no package' });
      continue;
    }
    const eco = str(a.package.ecosystem);
    const name = str(a.package.name);
    if (!eco || !name) {
      out.rejected.push({ ref: `${id} affected[${i}]`, reason: 'package without ecosystem or name' });
      continue;
    }
    const sc = scopeOf(eco, name);
    if (!sc) continue; // an ecosystem mamori does not match against (crates.io, PyPI, …): not bad data
    feed = sc.feed;
    const ranges: OsvRange[] = [];
    for (const r of Array.isArray(a.ranges) ? a.ranges : []) {
      if (!isObject(r) || !Array.isArray(r.events)) continue;
      if (r.type !== 'ECOSYSTEM' && r.type !== 'SEMVER') continue;
      const events: RangeEvent[] = [];
      for (const e of r.events) {
        if (!isObject(e)) continue;
        const ev: RangeEvent = {};
        for (const k of ['introduced', 'fixed', 'last_affected', 'limit'] as const) if (typeof e[k] === 'string') ev[k] = e[k];
        if (Object.keys(ev).length) events.push(ev);
      }
      if (events.length) ranges.push({ type: r.type, events });
    }
    const versions = (Array.isArray(a.versions) ? a.versions : []).filter((x): x is string => typeof x === 'string');
    const dbs = isObject(a.database_specific) ? a.database_specific : isObject(a.ecosystem_specific) ? a.ecosystem_specific : {};
    // Ubuntu Pro (ESM) fixes reach only machines attached to Ubuntu Pro: their own state, and a standard
    // fix for the same release and package takes precedence.
    const pro = sc.feed === 'osv-ubuntu' && (/^Ubuntu:Pro:/.test(eco) || /Ubuntu Pro/i.test(isObject(a.ecosystem_specific) ? (str(a.ecosystem_specific.availability) ?? '') : ''));
    const key = `${sc.scope.platform}\u0000${sc.scope.package}${pro ? '\u0000pro' : ''}`;
    const prev = byKey.get(key);
    if (prev) {
      prev.ranges.push(...ranges);
      prev.versions = [...new Set([...(prev.versions ?? []), ...versions])];
      continue;
    }
    const fixedVersion = ranges.flatMap((r) => r.events).find((e) => e.fixed)?.fixed;
    if (pro) proKeys.add(key);
    const advisory: Advisory = {
      id,
      feed: sc.feed,
      cves,
      aliases: aliases.filter((x) => x !== id),
      scope: sc.scope,
      ranges,
      versions: versions.length ? versions : undefined,
      fixState: fixedVersion ? 'fixed' : 'unfixed',
      fixedVersion,
      vendorSeverity: str(dbs.severity) ?? str(dbs.urgency) ?? sevWord ?? (isObject(v.database_specific) ? str(v.database_specific.severity) : undefined),
      cvss: cvssOf(v.severity),
      summary,
      published: str(v.published),
      modified: str(v.modified),
      url: isObject(adv) ? str(adv.url) : undefined,
      rawRef: raw.key,
    };
    byKey.set(key, advisory);
  }
  for (const [key, a] of byKey) {
    if (proKeys.has(key) && byKey.has(key.slice(0, -'\u0000pro'.length))) continue;
    if (!a.ranges.length && !a.versions?.length) a.ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }] });
    if (a.fixState === 'fixed' && !a.ranges.some((r) => r.events.some((e) => e.fixed))) a.fixState = 'unfixed';
    if (a.fixState === 'fixed' && proKeys.has(key)) a.fixState = 'extended-support-only';
    out.advisories.push(a);
  }
  return { feed, out };
}
