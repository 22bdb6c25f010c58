/**
 * Red Hat Security Data API per-CVE records (https://access.redhat.com/hydra/rest/securitydata/cve/CVE-….json,
 * also as stored by aquasecurity/vuln-list-redhat `api/`): `affected_release[]` names the fixed SOURCE package
 * per product CPE with its RHSA, `package_state[]` the releases without a fix (Affected / Will not fix / Out of
 * support scope / Not affected). One distro advisory per RHEL major and package, id = the CVE, `advisory` = the
 * RHSA. The general channel (`enterprise_linux:N`) wins over extended life-cycle support (`rhel_els:N`); a fix
 * only under ELS becomes `extended-support-only`, which CentOS and the other rebuilds never receive.
 * EUS/AUS/TUS/E4S streams (pinned minor releases) are not what a rebuild follows and are skipped. See ./README.md.
 */
import type { Advisory, FixState } from '../../../core/knowledge.js';
import type { Normalized, RawInput } from '../../types.js';
import { CVE_RE, isObject, openJson, str } from '../common/util.js';

export const FEED = 'redhat-api';

export function recognise(text: string): boolean {
  const head = text.slice(0, 6000);
  return /^\s*\{/.test(head) && /"threat_severity"\s*:|"affected_release"\s*:|"package_state"\s*:/.test(text.slice(0, 200_000)) && /"name"\s*:\s*"CVE-\d{4}-\d+"/.test(text) && !head.includes('"CVE_data_meta"');
}

/** `cpe:/o:redhat:enterprise_linux:6` → main 6; `cpe:/o:redhat:rhel_els:6` → els 6; anything else null. */
export function rhelStream(cpe: string): { major: string; stream: 'main' | 'els' } | null {
  let m = /^cpe:\/[ao]:redhat:enterprise_linux:(\d+)(?:::(appstream|baseos|crb|server|client|workstation|computenode|supplementary|optional|codeready_builder))?$/.exec(cpe);
  if (m) return { major: m[1]!, stream: 'main' };
  m = /^cpe:\/[ao]:redhat:rhel_els:(\d+)$/.exec(cpe);
  if (m) return { major: m[1]!, stream: 'els' };
  return null;
}

/** `sudo-0:1.8.6p3-29.el6_10.4` → name and `epoch:version-release` (epoch 0 when the record omits it). */
export function splitNevr(s: string): { name: string; evr: string } | null {
  const m = /^(.+)-(?:(\d+):)?([^-:]+)-([^-:]+)$/.exec(s.trim());
  if (!m) return null;
  return { name: m[1]!, evr: `${m[2] ?? '0'}:${m[3]}-${m[4]}` };
}

const STATE: Record<string, FixState> = {
  'not affected': 'not-affected',
  'will not fix': 'will-not-fix',
  'out of support scope': 'out-of-support',
  affected: 'unfixed',
  'fix deferred': 'unfixed',
  'under investigation': 'unfixed',
  new: 'unfixed',
};

export function parse(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  const d = j.value;
  const cve = isObject(d) ? str(d.name) : undefined;
  if (!isObject(d) || !cve || !CVE_RE.test(cve)) {
    out.rejected.push({ ref: raw.key, reason: 'Red Hat CVE record without a CVE `name`' });
    return out;
  }
  const severity = str(d.threat_severity)?.toLowerCase();
  const bz = isObject(d.bugzilla) ? str(d.bugzilla.description) : undefined;
  const summary = bz?.replace(new RegExp(`^${cve}\\s+`), '') ?? (Array.isArray(d.details) ? str(d.details[0]) : undefined);
  const score = isObject(d.cvss3) ? Number(str(d.cvss3.cvss3_base_score)) : NaN;
  const vector = isObject(d.cvss3) ? str(d.cvss3.cvss3_scoring_vector) : undefined;
  // major + package → the best row: main fixed > els fixed > package_state.
  const rows = new Map<string, { rank: number; adv: Advisory }>();
  const put = (major: string, pkg: string, rank: number, state: FixState, fixed?: string, advisory?: string, date?: string) => {
    const key = `${major}\u0000${pkg}`;
    const prev = rows.get(key);
    if (prev && prev.rank >= rank) {
      // Two general-channel fixes for one package (RHEL 8 module streams, a respin): each is a range of its own.
      if (prev.rank === rank && fixed && fixed !== prev.adv.fixedVersion) {
        prev.adv.ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] });
        if (advisory && !prev.adv.aliases.includes(advisory)) prev.adv.aliases.push(advisory);
      }
      return;
    }
    rows.set(key, {
      rank,
      adv: {
        id: cve,
        feed: FEED,
        cves: [cve],
        aliases: advisory ? [advisory] : [],
        advisory,
        scope: { kind: 'distro', platform: `rhel:${major}`, package: pkg, versionScheme: 'rpm' },
        ranges: state === 'not-affected' ? [] : [{ type: 'ECOSYSTEM', events: fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }] }],
        fixState: state,
        fixedVersion: fixed,
        vendorSeverity: severity,
        cvss: Number.isFinite(score) && score > 0 ? [{ version: '3.1', score, vector }] : undefined,
        summary,
        published: str(d.public_date) ?? date,
        url: `https://access.redhat.com/security/cve/${cve}`,
        rawRef: raw.key,
      },
    });
  };
  for (const [i, r] of (Array.isArray(d.affected_release) ? d.affected_release : []).entries()) {
    if (!isObject(r)) continue;
    const s = rhelStream(str(r.cpe) ?? '');
    if (!s) continue;
    const pkg = str(r.package);
    if (!pkg) {
      // Old records name only the RHSA: nothing to compare a version with.
      out.rejected.push({ ref: `${cve} affected_release[${i}]`, reason: `no package for ${str(r.product_name) ?? str(r.cpe)} (${str(r.advisory) ?? 'no advisory'})` });
      continue;
    }
    // RHEL 8+ module builds (`php:7.2-8010020191030112723.dcfb48bd`) name a stream, not a package: the
    // packages of the module come with the RHSA, which OVAL and CSAF list; nothing here to compare.
    if (/^[^\s:-]+:[^\s-]+-\d{16}\.[0-9a-f]{8}$/.test(pkg)) continue;
    const nevr = splitNevr(pkg);
    if (!nevr) {
      out.rejected.push({ ref: `${cve} affected_release[${i}]`, reason: `package "${pkg}" is not name-[epoch:]version-release` });
      continue;
    }
    put(s.major, nevr.name, s.stream === 'main' ? 3 : 2, s.stream === 'main' ? 'fixed' : 'extended-support-only', nevr.evr, str(r.advisory), str(r.release_date));
  }
  for (const p of Array.isArray(d.package_state) ? d.package_state : []) {
    if (!isObject(p)) continue;
    const s = rhelStream(str(p.cpe) ?? '');
    const name = str(p.package_name);
    if (!s || s.stream !== 'main' || !name) continue;
    const state = STATE[(str(p.fix_state) ?? '').toLowerCase()];
    if (!state) {
      out.rejected.push({ ref: `${cve} ${name} rhel:${s.major}`, reason: `unknown fix_state "${str(p.fix_state)}"` });
      continue;
    }
    // A package_state name can be a module stream (`php:7.4/php`): the package is after the slash.
    put(s.major, name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name, 1, state);
  }
  out.advisories.push(...[...rows.values()].map((r) => r.adv));
  return out;
}
