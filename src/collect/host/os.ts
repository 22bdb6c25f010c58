/**
 * Which OS: /etc/os-release first, then the release files of systems without it (CentOS 5/6 have only
 * /etc/redhat-release and /etc/centos-release; Amazon Linux 1 /etc/system-release; old Debian
 * /etc/debian_version; Alpine /etc/alpine-release; old Ubuntu /etc/lsb-release).
 */
import { gapOf } from '../../core/gaps.js';
import type { Gap, OsFamily, OsInfo } from '../../core/model.js';
import type { Transport } from '../transport/types.js';

const ID_TO_FAMILY: Record<string, OsFamily> = {
  debian: 'debian',
  raspbian: 'debian',
  ubuntu: 'ubuntu',
  rhel: 'rhel',
  redhat: 'rhel',
  centos: 'centos',
  almalinux: 'almalinux',
  rocky: 'rocky',
  ol: 'oracle',
  oracle: 'oracle',
  fedora: 'fedora',
  amzn: 'amazon',
  amazon: 'amazon',
  alpine: 'alpine',
};

/** KEY=value lines with optional quotes (os-release, lsb-release). */
export function parseKeyValue(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    out[m[1]!] = v;
  }
  return out;
}

const DEBIAN_CODENAMES: Record<string, string> = { '5': 'lenny', '6': 'squeeze', '7': 'wheezy', '8': 'jessie', '9': 'stretch', '10': 'buster', '11': 'bullseye', '12': 'bookworm', '13': 'trixie' };

export function parseOsRelease(text: string, from = '/etc/os-release'): OsInfo | undefined {
  const kv = parseKeyValue(text);
  const id = (kv.ID ?? '').toLowerCase();
  if (!id) return undefined;
  const family = ID_TO_FAMILY[id] ?? ID_TO_FAMILY[(kv.ID_LIKE ?? '').split(/\s+/)[0] ?? ''] ?? 'unknown';
  let version = kv.VERSION_ID ?? '';
  // Ubuntu's VERSION carries the point release ("22.04.3 LTS (Jammy Jellyfish)"); VERSION_ID is 22.04.
  if (family === 'ubuntu' && kv.VERSION) {
    const m = /^(\d+\.\d+(?:\.\d+)?)/.exec(kv.VERSION);
    if (m && m[1]!.startsWith(version)) version = m[1]!;
  }
  const info: OsInfo = { family: ID_TO_FAMILY[id] ? family : 'unknown', name: kv.PRETTY_NAME ?? kv.NAME ?? id, version, detectedBy: from };
  const codename = kv.VERSION_CODENAME ?? kv.UBUNTU_CODENAME ?? (family === 'debian' ? DEBIAN_CODENAMES[version.split('.')[0] ?? ''] : undefined);
  if (codename) info.codename = codename;
  return info;
}

/** `CentOS release 5.11 (Final)`, `CentOS Linux release 7.9.2009 (Core)`, `Red Hat Enterprise Linux Server release 6.10 (Santiago)`, `Amazon Linux AMI release 2018.03`. */
export function parseRedhatRelease(text: string, from: string): OsInfo | undefined {
  const line = text.split('\n')[0]?.trim() ?? '';
  const m = /^(.*?)\s+release\s+(\d[\w.]*)\s*(?:\((.*?)\))?/i.exec(line);
  if (!m) return undefined;
  const name = m[1]!;
  let family: OsFamily = 'unknown';
  if (/^CentOS/i.test(name)) family = 'centos';
  else if (/^Red Hat Enterprise/i.test(name)) family = 'rhel';
  else if (/^Rocky/i.test(name)) family = 'rocky';
  else if (/^AlmaLinux/i.test(name)) family = 'almalinux';
  else if (/^Oracle/i.test(name)) family = 'oracle';
  else if (/^Fedora/i.test(name)) family = 'fedora';
  else if (/^Amazon/i.test(name)) family = 'amazon';
  const info: OsInfo = { family, name: line, version: m[2]!, detectedBy: from };
  if (m[3]) info.codename = m[3];
  return info;
}

export function parseLsbRelease(text: string): OsInfo | undefined {
  const kv = parseKeyValue(text);
  const id = (kv.DISTRIB_ID ?? '').toLowerCase();
  if (!id) return undefined;
  const info: OsInfo = { family: ID_TO_FAMILY[id] ?? 'unknown', name: kv.DISTRIB_DESCRIPTION ?? id, version: kv.DISTRIB_RELEASE ?? '', detectedBy: '/etc/lsb-release' };
  if (kv.DISTRIB_CODENAME) info.codename = kv.DISTRIB_CODENAME;
  return info;
}

export async function collectOs(t: Transport, gaps: Gap[]): Promise<OsInfo | undefined> {
  const read = async (p: string) => {
    const r = await t.readFile(p, 64 * 1024);
    return r.ok ? r.data.toString('utf8') : undefined;
  };
  const [osRelease, usrOsRelease, centos, redhat, system, alpine, debian, lsb] = await Promise.all(
    ['/etc/os-release', '/usr/lib/os-release', '/etc/centos-release', '/etc/redhat-release', '/etc/system-release', '/etc/alpine-release', '/etc/debian_version', '/etc/lsb-release'].map(read),
  );
  // CentOS 7's os-release says VERSION_ID="7"; its centos-release has the point release (7.9.2009).
  const rh = (centos && parseRedhatRelease(centos, '/etc/centos-release')) || (redhat && parseRedhatRelease(redhat, '/etc/redhat-release')) || (system && parseRedhatRelease(system, '/etc/system-release')) || undefined;
  const osr = (osRelease && parseOsRelease(osRelease)) || (usrOsRelease && parseOsRelease(usrOsRelease, '/usr/lib/os-release')) || undefined;
  if (osr) {
    if (rh && rh.family === osr.family && rh.version.startsWith(osr.version) && rh.version.length > osr.version.length) return { ...osr, version: rh.version, detectedBy: `${osr.detectedBy}, ${rh.detectedBy}`, ...(rh.codename && !osr.codename ? { codename: rh.codename } : {}) };
    if (osr.family === 'alpine' && alpine) return { ...osr, version: alpine.trim() || osr.version };
    if (rh && rh.family === osr.family && rh.codename && !osr.codename) return { ...osr, codename: rh.codename };
    if (osr.family !== 'unknown') return osr;
  }
  if (rh) return rh;
  if (alpine) return { family: 'alpine', name: `Alpine Linux ${alpine.trim()}`, version: alpine.trim(), detectedBy: '/etc/alpine-release' };
  const lsbInfo = lsb ? parseLsbRelease(lsb) : undefined;
  if (lsbInfo && lsbInfo.family !== 'unknown') return lsbInfo;
  if (debian) {
    const v = debian.trim();
    const info: OsInfo = { family: 'debian', name: `Debian ${v}`, version: v, detectedBy: '/etc/debian_version' };
    const c = DEBIAN_CODENAMES[v.split('.')[0] ?? ''];
    if (c) info.codename = c;
    return info;
  }
  if (osr) {
    gaps.push(gapOf('host.gap.osUnknown', { code: 'host.gap.what.os' }, { code: 'host.gap.why.osUnknownId', params: { file: osr.detectedBy ?? '?', name: osr.name } }));
    return osr;
  }
  gaps.push(gapOf('host.gap.osUnknown', { code: 'host.gap.what.os' }, { code: 'host.gap.why.noOsRelease' }));
  return undefined;
}
