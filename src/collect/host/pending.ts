/**
 * Pending updates as the package manager sees them, from its existing metadata only (never refreshed):
 * apt: `apt-get -s dist-upgrade` (what apt would install; the candidate's origins tell whether it comes from
 * the security suite); yum/dnf: `check-update` plus `updateinfo list security` advisories (-C: cache only).
 */
import type { Package, PendingUpdate } from '../../core/model.js';
import { isSecuritySource, type AptPolicyEntry } from './packages.js';
import { rpmvercmp } from './kernel.js';

/**
 * Pending updates from `apt-cache policy`: a package whose candidate differs from the installed version is
 * upgradable (what `apt list --upgradable` lists and `apt-get upgrade` installs); it is a security update
 * when the candidate version is published in the security suite.
 */
export function aptPending(packages: readonly Package[], policy: ReadonlyMap<string, AptPolicyEntry>, nativeArch: string | undefined): PendingUpdate[] {
  const out: PendingUpdate[] = [];
  for (const p of packages) {
    const e = policy.get(p.arch && p.arch !== 'all' && p.arch !== nativeArch ? `${p.name}:${p.arch}` : p.name);
    if (!e?.installed || !e.candidate || e.candidate === e.installed || e.installed !== p.version) continue;
    const cand = e.versions.find((v) => v.version === e.candidate);
    const sec = (cand?.sources ?? []).filter(isSecuritySource);
    const u: PendingUpdate = { package: p.name, installed: e.installed, candidate: e.candidate, security: sec.length > 0 };
    if (p.arch) u.arch = p.arch;
    const repo = (sec[0] ?? cand?.sources[0])?.split(' ')[1]?.replace(/\/[^/]+$/, '');
    if (repo) u.repository = repo;
    if (p.source) u.source = p.source;
    out.push(u);
  }
  return out;
}

/** `name.arch   [epoch:]version-release   repo`, with long names wrapped onto the next line. */
export function parseYumCheckUpdate(text: string): { name: string; arch: string; evr: string; repo: string }[] {
  const out: { name: string; arch: string; evr: string; repo: string }[] = [];
  const tokens: string[] = [];
  for (const line of text.split('\n')) {
    if (/^(Obsoleting Packages|Security:|Last metadata expiration|Loaded plugins|Loading mirror)/i.test(line.trim())) {
      if (/^Obsoleting/i.test(line.trim())) break;
      continue;
    }
    tokens.push(...line.trim().split(/\s+/).filter(Boolean));
  }
  for (let i = 0; i + 2 < tokens.length + 0; ) {
    const na = tokens[i]!;
    const evr = tokens[i + 1];
    const repo = tokens[i + 2];
    const m = /^(.+)\.([^.]+)$/.exec(na);
    if (!m || !evr || !repo || !/^(\d+:)?[^-\s]+-[^-\s]+$/.test(evr)) {
      i++;
      continue;
    }
    out.push({ name: m[1]!, arch: m[2]!, evr, repo });
    i += 3;
  }
  return out;
}

export interface SecurityAdvisory {
  id: string;
  severity: string;
  name: string;
  evr: string;
  arch: string;
}

/** Split `openssl-1:1.0.2k-26.el7_9.x86_64` into name, evr, arch. */
export function splitNevra(nevra: string): { name: string; evr: string; arch: string } | undefined {
  const m = /^(.+)-((?:\d+:)?[^-]+-[^-]+)\.([^.]+)$/.exec(nevra);
  return m ? { name: m[1]!, evr: m[2]!, arch: m[3]! } : undefined;
}

/** `RHSA-2023:1335 Important/Sec. openssl-1:1.0.2k-26.el7_9.x86_64` (yum 3.4 / dnf), `RHSA-2013:0771 security curl-…` (yum-security). */
export function parseUpdateinfoSecurity(text: string): SecurityAdvisory[] {
  const out: SecurityAdvisory[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:[ i]\s+)?([A-Z][A-Z0-9]*-\d{4}[-:]\d+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    const type = m[2]!;
    if (!/sec/i.test(type)) continue;
    const n = splitNevra(m[3]!);
    if (!n) continue;
    out.push({ id: m[1]!, severity: type.replace(/\/Sec\.?$/i, ''), ...n });
  }
  return out;
}

/** Join check-update candidates with security advisories into pending updates. */
export function rpmPending(installed: readonly Package[], updates: ReturnType<typeof parseYumCheckUpdate>, advisories: readonly SecurityAdvisory[]): PendingUpdate[] {
  const inst = new Map<string, Package>();
  // Several versions of one name (kernels): the newest installed is the one an update replaces.
  for (const p of installed) {
    const k = `${p.name}.${p.arch ?? ''}`;
    const prev = inst.get(k);
    if (!prev || rpmvercmp(evrOf(p), evrOf(prev)) > 0) inst.set(k, p);
  }
  const adv = new Map<string, SecurityAdvisory[]>();
  for (const a of advisories) {
    const k = `${a.name}.${a.arch}`;
    adv.set(k, [...(adv.get(k) ?? []), a]);
  }
  return updates.map((u) => {
    const key = `${u.name}.${u.arch}`;
    const p = inst.get(key) ?? installed.find((x) => x.name === u.name);
    const a = adv.get(key) ?? adv.get(`${u.name}.noarch`) ?? [];
    const pu: PendingUpdate = { package: u.name, installed: p?.version ?? '', candidate: u.evr, security: a.length > 0, arch: u.arch, repository: u.repo };
    if (a.length) pu.advisories = [...new Set(a.map((x) => x.id))];
    if (p?.source) pu.source = p.source;
    return pu;
  });
}

/** `apk version -l '<'`: `musl-1.2.4-r1 < 1.2.4-r2`. */
export function parseApkVersion(text: string, installed: readonly Package[]): PendingUpdate[] {
  const names = new Map(installed.map((p) => [`${p.name}-${p.version}`, p]));
  const out: PendingUpdate[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+<\s+(\S+)/.exec(line);
    if (!m) continue;
    const p = names.get(m[1]!);
    const name = p?.name ?? m[1]!.replace(/-[^-]+-r\d+$/, '');
    out.push({ package: name, installed: p?.version ?? m[1]!.slice(name.length + 1), candidate: m[2]!, security: false });
  }
  return out;
}

const evrOf = (p: Package) => `${p.epoch ?? '0'}:${p.version.replace(/^\d+:/, '')}`;
