/**
 * Installed packages: dpkg (`dpkg-query -W -f`), rpm (`rpm -qa --qf`), apk (`/lib/apk/db/installed`).
 * Third-party repositories are marked where the package manager tells: rpm vendor and release tags
 * (Remi `.remi`, EPEL vendor `Fedora Project`, IUS `.ius`, …), dpkg version tags (sury `+deb.sury.org`,
 * Launchpad PPAs `~ppa`/`+ppa`) and, for web-stack packages, `apt-cache policy` origins.
 */
import type { Package } from '../../core/model.js';

/** Output of ALLOWLIST.dpkgQuery: Package \t Version \t Source \t Architecture \t Status. Installed only. */
export function parseDpkgQuery(text: string): Package[] {
  const out: Package[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [name, version, source, arch, status] = line.split('\t');
    if (!name || !version || status === undefined) continue;
    // "install ok installed", "hold ok installed"; not "deinstall ok config-files", "half-installed", …
    if (status.trim().split(/\s+/)[2] !== 'installed') continue;
    const p: Package = { name, version, ecosystem: 'dpkg' };
    const m = /^(\S+)(?:\s+\((\S+)\))?$/.exec((source ?? '').trim());
    p.source = m ? m[1]! : name;
    p.sourceVersion = m?.[2] ?? version;
    if (arch) p.arch = arch;
    const tp = dpkgThirdParty(version);
    if (tp) {
      p.thirdParty = true;
      p.repository = tp;
    }
    out.push(p);
  }
  return out;
}

export function dpkgThirdParty(version: string): string | undefined {
  if (/deb\.sury\.org/.test(version)) return 'packages.sury.org';
  if (/[~+]ppa\d*/i.test(version)) return 'ppa';
  return undefined;
}

const RPM_THIRD_PARTY: { test: (p: { vendor: string; release: string }) => boolean; repo: string }[] = [
  { test: (p) => /\.remi\b|remi/i.test(p.release) || /remi/i.test(p.vendor), repo: 'remi' },
  { test: (p) => /\.ius\b/i.test(p.release) || /\bIUS\b/.test(p.vendor), repo: 'ius' },
  { test: (p) => /^Fedora Project$/i.test(p.vendor), repo: 'epel' },
  { test: (p) => /\.rf$|\.rfx$/i.test(p.release) || /rpmforge|repoforge|Dag/i.test(p.vendor), repo: 'rpmforge' },
  { test: (p) => /webtatic|\.w\d/i.test(p.release) || /webtatic/i.test(p.vendor), repo: 'webtatic' },
  { test: (p) => /nginx/i.test(p.vendor) && /ngx/.test(p.release), repo: 'nginx.org' },
  { test: (p) => /MariaDB/i.test(p.vendor), repo: 'mariadb.org' },
  { test: (p) => /Oracle and\/or its affiliates|^MySQL/i.test(p.vendor), repo: 'mysql.com' },
  { test: (p) => /PostgreSQL Global Development Group/i.test(p.vendor), repo: 'pgdg' },
];

/** Vendors of the distributions themselves: their advisories cover these. */
const DISTRO_VENDORS = /^(CentOS|Red Hat, Inc\.|Rocky Enterprise Software Foundation|AlmaLinux|Oracle America|Amazon Linux|Amazon\.com|Fedora Project|\(none\))$/i;

/** Output of ALLOWLIST.rpmQuery: NAME \t EPOCH \t VERSION \t RELEASE \t ARCH \t VENDOR \t SOURCERPM. */
export function parseRpmQuery(text: string, osFamily?: string): Package[] {
  const out: Package[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [name, epochRaw, version, release, arch, vendorRaw, sourceRpm] = line.split('\t');
    if (!name || !version || release === undefined) continue;
    if (name === 'gpg-pubkey') continue; // imported signing keys, not software
    const epoch = epochRaw && epochRaw !== '(none)' ? epochRaw : undefined;
    const vendor = vendorRaw && vendorRaw !== '(none)' ? vendorRaw : '';
    const p: Package = { name, version: `${epoch && epoch !== '0' ? `${epoch}:` : ''}${version}-${release}`, ecosystem: 'rpm', release };
    if (epoch) p.epoch = epoch;
    if (arch && arch !== '(none)') p.arch = arch;
    if (vendor) p.vendor = vendor;
    if (sourceRpm && sourceRpm !== '(none)') {
      const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
      if (m) {
        p.source = m[1]!;
        p.sourceVersion = `${m[2]}-${m[3]}`;
      }
    }
    const tp = RPM_THIRD_PARTY.find((r) => !(osFamily === 'fedora' && r.repo === 'epel') && r.test({ vendor, release }));
    if (tp) {
      p.thirdParty = true;
      p.repository = tp.repo;
    } else if (vendor && !DISTRO_VENDORS.test(vendor)) {
      p.thirdParty = true;
      p.repository = vendor;
    }
    out.push(p);
  }
  return out;
}

/** /lib/apk/db/installed: blank-line separated records of `X:value` lines (P name, V version, A arch, o origin). */
export function parseApkInstalled(text: string): Package[] {
  const out: Package[] = [];
  for (const rec of text.split(/\n\s*\n/)) {
    const f: Record<string, string> = {};
    for (const line of rec.split('\n')) {
      const m = /^([A-Za-z]):(.*)$/.exec(line);
      if (m && !(m[1]! in f)) f[m[1]!] = m[2]!;
    }
    if (!f.P || !f.V) continue;
    const p: Package = { name: f.P, version: f.V, ecosystem: 'apk', source: f.o ?? f.P, sourceVersion: f.V };
    if (f.A) p.arch = f.A;
    out.push(p);
  }
  return out;
}

export interface AptPolicyEntry {
  installed?: string;
  candidate?: string;
  /** Each version in the table with its sources (`500 http://… bookworm-security/main amd64 Packages`). */
  versions: { version: string; installed: boolean; sources: string[] }[];
}

/** `apt-cache policy pkg…`: per package (`name` or `name:arch` as apt prints it), installed, candidate, sources. */
export function parseAptPolicy(text: string): Map<string, AptPolicyEntry> {
  const out = new Map<string, AptPolicyEntry>();
  let cur: AptPolicyEntry | undefined;
  let ver: AptPolicyEntry['versions'][number] | undefined;
  for (const line of text.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      cur = { versions: [] };
      ver = undefined;
      out.set(head[1]!, cur);
      continue;
    }
    if (!cur) continue;
    const kv = /^ {2}(Installed|Candidate): (\S+)$/.exec(line);
    if (kv) {
      if (kv[2] !== '(none)') cur[kv[1] === 'Installed' ? 'installed' : 'candidate'] = kv[2]!;
      continue;
    }
    const v = /^ (\*\*\*| {3}) (\S+) (-?\d+)$/.exec(line);
    if (v) {
      ver = { version: v[2]!, installed: v[1] === '***', sources: [] };
      cur.versions.push(ver);
      continue;
    }
    const src = /^ {8}-?\d+ (\S.*)$/.exec(line);
    if (src && ver) ver.sources.push(src[1]!);
  }
  return out;
}

/** A source line of the security suite: `bookworm-security/main`, `jammy-security/main`, `stretch/updates/main`. */
export const isSecuritySource = (src: string) => /^\S+ \S+-security\/|^\S+ \S+\/updates\/|^\S*(security\.debian\.org|security\.ubuntu\.com|debian-security)\S* /.test(src);

/** The third-party origin of an installed version, when all its sources (besides dpkg's status) are third party. */
export function aptThirdParty(e: AptPolicyEntry): string | undefined {
  const inst = e.versions.find((v) => v.installed);
  const srcs = (inst?.sources ?? []).filter((s) => !/\/var\/lib\/dpkg\/status/.test(s));
  if (!srcs.length || srcs.some((s) => OFFICIAL_APT.test(s))) return undefined;
  return originName(srcs[0]!);
}

const OFFICIAL_APT = /(^|\/\/)([\w.-]+\.)?(debian\.org|ubuntu\.com|debian\.net|raspbian\.org|canonical\.com)[/: ]/i;

function originName(line: string): string {
  const m = /https?:\/\/([^/\s]+)(\/\S*)?/.exec(line);
  if (!m) return line.split(' ')[0] ?? line;
  if (m[1] === 'ppa.launchpad.net' || m[1] === 'ppa.launchpadcontent.net') {
    const parts = (m[2] ?? '').split('/').filter(Boolean);
    return `ppa:${parts[0]}/${parts[1]}`;
  }
  return m[1]!;
}
