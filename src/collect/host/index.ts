/**
 * The host inventory: OS, packages, pending updates, kernel, web stack, document roots, web applications,
 * personal data in document roots. Everything goes through one Transport (local or SSH) and the allowlist.
 * Whatever cannot be checked becomes a gap with the reason; the scan goes on.
 *
 * Missing security updates: this collector produces the `missing-security-update` findings (one per
 * source package, id `findingId('missing-security-update', 'host-pending', source)`, listing its binary packages) from what the package manager
 * itself would install, so the assessment does not need to generate them again.
 */
import { gapOf } from '../../core/gaps.js';
import { posix } from 'node:path';
import type { Finding, Gap, Inventory, KernelInfo, OsInfo, Package, PendingUpdate } from '../../core/model.js';
import { findingId } from '../../core/ids.js';
import { packageUpdate, updateTool } from '../../core/assess/platform.js';
import { isMissing, type ExecResult, type Transport } from '../transport/types.js';
import { collectDocroots, DEFAULT_DOCROOT_LIMITS, type DocrootLimits, type PiiModule } from './docroots.js';
import { collectKernel } from './kernel.js';
import { collectOs } from './os.js';
import { aptThirdParty, parseApkInstalled, parseAptPolicy, parseDpkgQuery, parseRpmQuery, type AptPolicyEntry } from './packages.js';
import { aptPending, parseApkVersion, parseUpdateinfoSecurity, parseYumCheckUpdate, rpmPending } from './pending.js';
import { collectWebStack, type PhpSettings } from './webstack.js';
import type { WebConfig } from './webconf.js';

export interface HostScanOptions {
  docroots: string[];
  /** The personal-data detector, when available. */
  pii?: PiiModule;
  limits?: Partial<DocrootLimits>;
}

export interface HostScanResult {
  inventory: Inventory;
  findings: Finding[];
  gaps: Gap[];
  /** Web server configuration and PHP settings (for reporters and checks; not in the contract's inventory). */
  web: { configs: WebConfig[]; php: PhpSettings[] };
  stats: { files: number; dirs: number; filesClassified: number; bytesClassified: number };
}

const RPM_FAMILIES = new Set(['rhel', 'centos', 'almalinux', 'rocky', 'oracle', 'fedora', 'amazon']);

export async function collectHost(t: Transport, opts: HostScanOptions): Promise<HostScanResult> {
  const gaps: Gap[] = [];
  const findings: Finding[] = [];
  // Nothing waits for what it does not need: over SSH each wait is a round trip. The package queries start
  // with the OS files (the OS only decides which answer counts); the web stack's configuration is read without
  // the package list, and the document roots are walked as soon as the configuration names them.
  const early: { dpkg?: Promise<ExecResult>; rpm?: Promise<ExecResult> } = { dpkg: t.run('dpkgQuery'), rpm: t.run('rpmQuery') };
  const osP = Promise.all([collectOs(t, gaps), t.run('id')]);
  let packagesKnown: (p: Promise<readonly Package[]>) => void = () => {};
  const packagesP = new Promise<readonly Package[]>((resolve) => (packagesKnown = resolve));
  let configsKnown: (c: readonly WebConfig[]) => void = () => {};
  const configsP = new Promise<readonly WebConfig[]>((resolve) => (configsKnown = resolve));
  const webP = collectWebStack(t, packagesP, gaps, (c) => configsKnown(c));
  const listeningP = t.run('listening');
  const [os, idr] = await osP;
  const isRoot = idr.stdout.toString('utf8').trim() === '0';
  const family = os?.family;
  const pkgsP = collectPackages(t, os, gaps, early);
  packagesKnown(pkgsP.then((p) => p.packages));
  webP.then(
    (w) => configsKnown(w.configs),
    () => configsKnown([]),
  );
  const drP = configsP.then((configs) => {
    const roots: { path: string; from: string; url?: string }[] = [];
    // Paths as the server's open() resolves them (`/var/www/../shop` is /var/shop); variables cannot be resolved.
    for (const c of configs)
      for (const s of c.sites) {
        if (s.root?.startsWith('/') && !/\$/.test(s.root)) roots.push({ path: posix.normalize(s.root), from: `${c.server}:${s.file}` });
        for (const a of s.aliases) if (!/\$/.test(a.path) && a.path.startsWith('/')) roots.push({ path: posix.normalize(a.path), from: `${c.server}:${s.file} (alias ${a.url})`, url: a.url });
      }
    for (const d of opts.docroots) roots.push({ path: d, from: '--docroot' });
    return collectDocroots(t, roots, configs, opts.pii, { ...DEFAULT_DOCROOT_LIMITS, ...opts.limits }, gaps);
  });
  const [pkgs, pending, kernel, web, listening, dr] = await Promise.all([
    pkgsP,
    collectPending(t, os, pkgsP, gaps),
    collectKernel(t, family, packagesP, isRoot, gaps),
    webP,
    listeningP,
    drP,
  ]);
  if (!opts.pii && dr.docroots.length) gaps.push(gapOf('host.gap.piiUnavailable', { code: 'host.gap.what.piiDocroots' }, { code: 'host.gap.why.piiUnavailable' }));
  findings.push(...dr.findings);
  // One finding per source package: postgresql-15, postgresql-client-15 and libpq5 are one problem with one
  // command; libc6 for amd64 and i386 is one package.
  const bySource = new Map<string, PendingUpdate[]>();
  const sourceOf = new Map(pkgs.packages.map((p) => [p.name, p.source]));
  for (const u of pending.filter((p) => p.security)) {
    const src = u.source ?? sourceOf.get(u.package) ?? u.package;
    const g = bySource.get(src);
    if (!g) bySource.set(src, [u]);
    else if (!g.some((x) => x.package === u.package)) g.push(u);
  }
  for (const [src, ups] of bySource) findings.push(updateFinding(src, ups, pkgs.manager, os));
  if (kernel) findings.push(...kernelFindings(kernel));
  findings.push(...phpFindings(web.php));
  findings.sort((a, b) => a.id.localeCompare(b.id));
  const inventory: Inventory = {
    packages: [...pkgs.packages, ...dr.packages],
    components: [...web.components, ...dr.components],
    pendingUpdates: pending,
  };
  if (os) inventory.os = os;
  if (kernel) inventory.kernel = kernel;
  inventory.docroots = dr.docroots;
  // Old systems (CentOS 5, minimal installs) have net-tools' netstat and no ss.
  const netstat = isMissing(listening) ? await t.run('listeningNetstat') : undefined;
  if (!listening.failure && listening.code === 0) inventory.listening = parseSs(listening.stdout.toString('utf8'));
  else if (netstat && !netstat.failure && netstat.code === 0) inventory.listening = parseNetstat(netstat.stdout.toString('utf8'));
  else if (netstat) gaps.push(gapOf('host.gap.command', { code: 'host.gap.what.listening' }, `ss not installed; netstat -tlnp: ${isMissing(netstat) ? 'not installed' : (netstat.failure ?? `exit ${netstat.code}`)} ${netstat.stderr.trim().slice(0, 200)}`.trim()));
  else gaps.push(gapOf('host.gap.command', { code: 'host.gap.what.listening' }, `ss -tlnp: ${listening.failure ?? `exit ${listening.code}`} ${listening.stderr.trim().slice(0, 200)}`));
  if (web.configs.length)
    inventory.webServers = web.configs.map((c) => ({
      server: c.server,
      files: c.files,
      ...(c.features?.length ? { features: [...c.features].sort() } : {}),
      ...(c.problems.length ? { partial: true } : {}),
      sites: c.sites.map((x) => ({ names: x.names, listen: x.listen, ...(x.root ? { root: x.root } : {}), aliases: x.aliases, ...(x.tlsProtocols ? { tlsProtocols: x.tlsProtocols } : {}), file: x.file })),
    }));
  if (web.php.length) inventory.php = web.php.map((p) => ({ ...p }));
  for (const p of t.problems ?? []) gaps.push({ what: 'sudo', why: p, code: 'host.gap.sudo' });
  return { inventory, findings, gaps, web: { configs: web.configs, php: web.php }, stats: dr.stats };
}

type Manager = 'dpkg' | 'rpm' | 'apk' | undefined;

interface Installed {
  packages: Package[];
  manager: Manager;
  /** apt's view of each package (dpkg systems): origins and candidates. */
  apt?: { policy: Map<string, AptPolicyEntry>; nativeArch?: string } | undefined;
}

async function collectPackages(t: Transport, os: OsInfo | undefined, gaps: Gap[], early: { dpkg?: Promise<ExecResult>; rpm?: Promise<ExecResult> } = {}): Promise<Installed> {
  const family = os?.family;
  const order: Manager[] = family === 'alpine' ? ['apk'] : family && RPM_FAMILIES.has(family) ? ['rpm'] : family === 'debian' || family === 'ubuntu' ? ['dpkg'] : ['dpkg', 'rpm', 'apk'];
  for (const m of order) {
    if (m === 'dpkg') {
      const r = await (early.dpkg ?? t.run('dpkgQuery'));
      if (isMissing(r)) continue;
      if (r.failure || r.code !== 0) {
        gaps.push(gapOf('host.gap.command', { code: 'host.gap.what.packages', params: { tool: 'dpkg' } }, { code: 'host.gap.why.commandFailed', params: { command: 'dpkg-query', reason: `${r.failure ?? `exit ${r.code}`} ${r.stderr.trim().slice(0, 200)}` } }));
        return { packages: [], manager: 'dpkg' };
      }
      const packages = parseDpkgQuery(r.stdout.toString('utf8')).sort(byName);
      const apt = await aptPolicy(t, packages, gaps);
      return { packages, manager: 'dpkg', apt };
    }
    if (m === 'rpm') {
      const r = await (early.rpm ?? t.run('rpmQuery'));
      if (isMissing(r)) continue;
      if (r.failure || r.code !== 0) {
        gaps.push(gapOf('host.gap.command', { code: 'host.gap.what.packages', params: { tool: 'rpm' } }, { code: 'host.gap.why.commandFailed', params: { command: 'rpm -qa', reason: `${r.failure ?? `exit ${r.code}`} ${r.stderr.trim().slice(0, 200)}` } }));
        return { packages: [], manager: 'rpm' };
      }
      return { packages: parseRpmQuery(r.stdout.toString('utf8'), family).sort(byName), manager: 'rpm' };
    }
    if (m === 'apk') {
      const r = await t.readFile('/lib/apk/db/installed', 64 * 1024 * 1024);
      if (!r.ok) {
        if (r.failure === 'missing') continue;
        gaps.push(gapOf('host.gap.read', { code: 'host.gap.what.packages', params: { tool: 'apk' } }, `/lib/apk/db/installed: ${r.failure} ${r.detail}`));
        return { packages: [], manager: 'apk' };
      }
      return { packages: parseApkInstalled(r.data.toString('utf8')).sort(byName), manager: 'apk' };
    }
  }
  gaps.push(gapOf('host.gap.noPackageManager', { code: 'host.gap.what.packagesAll' }, { code: 'host.gap.why.noPackageManager' }));
  return { packages: [], manager: undefined };
}

const byName = (a: Package, b: Package) => a.name.localeCompare(b.name) || (a.arch ?? '').localeCompare(b.arch ?? '');

/**
 * One `apt-cache policy` over every installed package (foreign architectures as name:arch): where each
 * installed version comes from (third-party repositories: PPAs, sury, vendor repositories) and its candidate.
 * It reads the existing lists only and builds apt's cache in memory, as `apt list --upgradable` does.
 */
async function aptPolicy(t: Transport, packages: Package[], gaps: Gap[]): Promise<Installed['apt']> {
  const count = new Map<string, number>();
  for (const p of packages) if (p.arch && p.arch !== 'all') count.set(p.arch, (count.get(p.arch) ?? 0) + 1);
  const nativeArch = [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
  const names = [...new Set(packages.map((p) => (p.arch && p.arch !== 'all' && p.arch !== nativeArch ? `${p.name}:${p.arch}` : p.name)))];
  if (!names.length) return undefined;
  const r = await t.run('aptPolicy', { names: names.join(' ') });
  if (isMissing(r)) {
    gaps.push(gapOf('host.gap.pending', { code: 'host.gap.what.pending', params: { tool: 'apt' } }, { code: 'host.gap.why.notFound', params: { command: 'apt-cache' } }));
    return undefined;
  }
  if (r.failure || r.code !== 0) {
    gaps.push(gapOf('host.gap.pending', { code: 'host.gap.what.aptPolicy' }, `${r.failure ?? `exit ${r.code}`}: ${r.stderr.trim().slice(0, 300)}`));
    return undefined;
  }
  const policy = parseAptPolicy(r.stdout.toString('utf8'));
  for (const p of packages) {
    const e = policy.get(p.arch && p.arch !== 'all' && p.arch !== nativeArch ? `${p.name}:${p.arch}` : p.name);
    const origin = e && e.installed === p.version ? aptThirdParty(e) : undefined;
    if (origin) {
      p.thirdParty = true;
      p.repository = origin;
    }
  }
  return { policy, nativeArch };
}

async function collectPending(t: Transport, os: OsInfo | undefined, pkgsP: Promise<Installed>, gaps: Gap[]): Promise<PendingUpdate[]> {
  const { packages, manager, apt } = await pkgsP;
  if (manager === 'dpkg') {
    if (!apt) return [];
    return aptPending(packages, apt.policy, apt.nativeArch).sort((a, b) => a.package.localeCompare(b.package) || (a.arch ?? '').localeCompare(b.arch ?? ''));
  }
  if (manager === 'rpm') {
    const major = Number((os?.version ?? '').split('.')[0]);
    const dnf = os?.family === 'fedora' || (os?.family !== 'amazon' && major >= 8) || (os?.family === 'amazon' && major >= 2022);
    const [upd, sec0] = await Promise.all([t.run(dnf ? 'dnfCheckUpdate' : 'yumCheckUpdate'), t.run(dnf ? 'dnfSecurity' : 'yumSecurity')]);
    // Old yum (EL5/EL6) knows `list-security` (yum-security plugin) but not `updateinfo`.
    const sec = !dnf && sec0.code !== 0 && /No such command|updateinfo/i.test(sec0.stderr) ? await t.run('yumListSecurity') : sec0;
    const tool = dnf ? 'dnf' : 'yum';
    // check-update: exit 100 = updates available, 0 = none, 1 = error (e.g. no cache with -C).
    if (upd.failure || (upd.code !== 0 && upd.code !== 100)) {
      gaps.push(gapOf('host.gap.pending', { code: 'host.gap.what.pending', params: { tool } }, { code: 'host.gap.why.commandFailed', params: { command: `${tool} -C check-update`, reason: `${upd.failure ?? `exit ${upd.code}`} ${upd.stderr.trim().slice(0, 300)}` } }));
      return [];
    }
    const updates = parseYumCheckUpdate(upd.stdout.toString('utf8'));
    let advisories: ReturnType<typeof parseUpdateinfoSecurity> = [];
    if (sec.failure || sec.code !== 0) gaps.push(gapOf('host.gap.pending', { code: 'host.gap.what.advisories', params: { tool } }, `${sec.failure ?? `exit ${sec.code}`} ${sec.stderr.trim().slice(0, 300)}`));
    else advisories = parseUpdateinfoSecurity(sec.stdout.toString('utf8'));
    if (os?.family === 'centos' && updates.length && !advisories.length)
      gaps.push(gapOf('host.gap.noUpdateinfo', { code: 'host.gap.what.securityClass' }, { code: 'host.gap.why.centosNoUpdateinfo' }));
    return rpmPending(packages, updates, advisories).sort((a, b) => a.package.localeCompare(b.package));
  }
  if (manager === 'apk') {
    const r = await t.run('apkUpgradable');
    if (r.failure || r.code !== 0) {
      gaps.push(gapOf('host.gap.pending', { code: 'host.gap.what.pending', params: { tool: 'apk' } }, `${r.failure ?? `exit ${r.code}`} ${r.stderr.trim().slice(0, 200)}`));
      return [];
    }
    const list = parseApkVersion(r.stdout.toString('utf8'), packages);
    if (list.length) gaps.push(gapOf('host.gap.noUpdateinfo', { code: 'host.gap.what.securityClass' }, { code: 'host.gap.why.apkNoSecurity' }));
    return list;
  }
  return [];
}

function updateFinding(src: string, ups: readonly PendingUpdate[], manager: Manager, os: OsInfo | undefined): Finding {
  const names = ups.map((u) => u.package).sort();
  const first = ups[0]!;
  const list = names.join(' ');
  const command = manager === 'dpkg' ? `apt-get install --only-upgrade ${list}` : manager === 'rpm' ? `yum update ${list}` : `apk upgrade ${list}`;
  const label = names.length === 1 && names[0] === src ? src : `${src} (${names.join(', ')})`;
  const advisories = [...new Set(ups.flatMap((u) => u.advisories ?? []))].sort();
  return {
    id: findingId('missing-security-update', 'host-pending', src),
    category: 'missing-security-update',
    severity: 'high',
    title: `Security update not applied: ${label} ${first.installed} → ${first.candidate}`,
    message: { code: 'host.update.title', params: { package: label, installed: first.installed, candidate: first.candidate } },
    component: { name: src, version: first.installed },
    location: names.join(', '),
    evidence: {
      installed: first.installed,
      candidate: first.candidate,
      repository: first.repository ?? '',
      packages: ups.map((u) => ({ package: u.package, installed: u.installed, candidate: u.candidate })),
      ...(advisories.length ? { advisories } : {}),
    },
    remediation: {
      priority: 1,
      action: `Apply the update: ${command}`,
      actionMessage: { code: 'host.update.action', params: { command } },
      command,
      update: packageUpdate(manager ? updateTool(os, manager) : undefined, ups.map((u) => ({ name: u.package, from: u.installed, to: u.candidate, ...(u.arch ? { arch: u.arch } : {}) })), advisories),
    },
    source: `host:${manager ?? 'unknown'}-pending`,
  };
}

/** Installed fixes that are not running yet: a newer kernel waiting for a reboot, services mapping replaced libraries. */
export function kernelFindings(k: KernelInfo): Finding[] {
  const out: Finding[] = [];
  if (k.rebootRequired) {
    const params = { running: k.running, newest: k.newestInstalled ?? '' };
    out.push({
      id: findingId('missing-security-update', 'host-reboot-required'),
      category: 'missing-security-update',
      severity: 'medium',
      title: `Updates installed but not active until a reboot (running kernel ${k.running}${k.newestInstalled ? `, installed ${k.newestInstalled}` : ''})`,
      message: { code: 'host.reboot.title', params },
      component: { name: 'kernel', version: k.running },
      location: 'kernel',
      evidence: { running: k.running, newestInstalled: k.newestInstalled ?? null },
      remediation: { priority: 1, action: 'Schedule a reboot so the installed kernel and libraries are the ones running.', actionMessage: { code: 'host.reboot.action', params }, update: { packages: [], advisories: [], restart: [], reboot: true } },
      source: 'host:kernel',
    });
  }
  const byCommand = new Map<string, { pids: number[]; libraries: Set<string> }>();
  for (const p of k.staleProcesses ?? []) {
    const e = byCommand.get(p.command) ?? { pids: [], libraries: new Set<string>() };
    e.pids.push(p.pid);
    p.libraries.forEach((l) => e.libraries.add(l));
    byCommand.set(p.command, e);
  }
  for (const [command, e] of [...byCommand].sort((a, b) => a[0].localeCompare(b[0]))) {
    out.push({
      id: findingId('missing-security-update', 'host-restart', command),
      category: 'missing-security-update',
      severity: 'medium',
      title: `${command} still uses replaced libraries: restart it`,
      message: { code: 'host.restart.title', params: { command } },
      location: command,
      evidence: { pids: e.pids, libraries: [...e.libraries].sort() },
      remediation: {
        priority: 1,
        action: `Restart ${command} (or reboot) so it loads the updated libraries.`,
        actionMessage: { code: 'host.restart.action', params: { command } },
        update: { packages: [], advisories: [], restart: [serviceOfProcess(command)], reboot: false },
      },
      source: 'host:proc-maps',
    });
  }
  return out;
}

/**
 * The service to restart for a process mapping replaced libraries: php-fpm's workers are named
 * `php-fpm7.4` (Debian's service is `php7.4-fpm`), else the process name.
 */
export function serviceOfProcess(command: string): string {
  const fpm = /^php-fpm(\d+(?:\.\d+)?)?(?::.*)?$/.exec(command);
  if (fpm) return fpm[1] ? `php${fpm[1]}-fpm` : 'php-fpm';
  return command.replace(/:.*$/, '');
}

const isOn = (v: string | undefined) => v !== undefined && /^(on|1|yes|true|stdout|stderr)$/i.test(v);

/** expose_php / display_errors in the ini files the web SAPIs read (FPM, or RHEL's shared /etc/php.ini). */
export function phpFindings(php: readonly PhpSettings[]): Finding[] {
  const out: Finding[] = [];
  for (const p of php) {
    const web = p.sapi.startsWith('fpm') || p.sapi === 'apache2handler' || p.iniFile === '/etc/php.ini';
    if (!web || !p.iniFile) continue;
    for (const [key, value, code] of [['expose_php', p.exposePhp, 'host.php.exposePhp'], ['display_errors', p.displayErrors, 'host.php.displayErrors']] as const) {
      if (!isOn(value)) continue;
      out.push({
        id: findingId('information-disclosure', 'host-php-ini', key, p.iniFile),
        category: 'information-disclosure',
        severity: key === 'display_errors' ? 'medium' : 'low',
        title: `${key} = ${value} in ${p.iniFile}`,
        message: { code, params: { file: p.iniFile, value: value ?? '' } },
        component: { name: 'php', ...(p.version ? { version: p.version } : {}) },
        location: p.iniFile,
        evidence: { setting: key, value, sapi: p.sapi, binary: p.binary },
        remediation: { priority: 2, action: `Set ${key} = Off in ${p.iniFile} and reload PHP.`, actionMessage: { code: `${code}.action`, params: { file: p.iniFile } } },
        source: 'host:php-ini',
      });
    }
  }
  return out;
}

/** `ss -tlnp`: `LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=7092,fd=6),…)`. */
export function parseSs(text: string): NonNullable<Inventory['listening']> {
  return listeningFrom(text, /^LISTEN\s+\d+\s+\d+\s+(\S+):(\d+|\*)\s+\S+(?:\s+users:\(\("([^"]+)")?/);
}

/** `netstat -tlnp`: `tcp  0  0 0.0.0.0:80  0.0.0.0:*  LISTEN  2345/httpd` (`-` for other users' sockets). */
export function parseNetstat(text: string): NonNullable<Inventory['listening']> {
  return listeningFrom(text, /^tcp6?\s+\d+\s+\d+\s+(\S+):(\d+|\*)\s+\S+\s+LISTEN(?:\s+\d+\/(\S+))?/);
}

/** Listening sockets from lines matched by `re`: groups address, port, process name. */
function listeningFrom(text: string, re: RegExp): NonNullable<Inventory['listening']> {
  const out: NonNullable<Inventory['listening']> = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (!m || m[2] === '*') continue;
    const address = m[1]!.replace(/^\[|\]$/g, '').replace(/%\S+$/, '');
    const key = `${address} ${m[2]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ address, port: Number(m[2]), ...(m[3] ? { process: m[3] } : {}) });
  }
  return out.sort((a, b) => a.port - b.port || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
