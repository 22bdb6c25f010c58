/**
 * From the detected OS to the names the knowledge DB uses: distro advisory platforms (`debian:12`,
 * `rhel:7` for CentOS 7, `rocky:9` and `rhel:9` for Rocky), the endoflife.date product id, the package
 * manager and its update command.
 */
import type { OsInfo, PackageEcosystem, RemediationUpdate, UpdateTool } from '../model.js';

export type { UpdateTool };

const major = (v: string): string | undefined => /^(\d+)/.exec(v.trim())?.[1];
const majorMinor = (v: string): string | undefined => /^(\d+\.\d+)/.exec(v.trim())?.[1];

/** Advisory platforms to query for this OS, most specific first. Empty when the OS is unknown. */
export function distroPlatforms(os: OsInfo | undefined): string[] {
  if (!os) return [];
  const m = major(os.version);
  switch (os.family) {
    case 'debian':
      return m ? [`debian:${m}`] : [];
    case 'ubuntu': {
      const mm = majorMinor(os.version);
      return mm ? [`ubuntu:${mm}`] : [];
    }
    case 'alpine': {
      const mm = majorMinor(os.version);
      return mm ? [`alpine:${mm}`] : [];
    }
    case 'rhel':
      return m ? [`rhel:${m}`] : [];
    // CentOS rebuilds RHEL: judged by Red Hat's data.
    case 'centos':
      return m ? [`centos:${m}`, `rhel:${m}`] : [];
    case 'almalinux':
      return m ? [`almalinux:${m}`, `rhel:${m}`] : [];
    case 'rocky':
      return m ? [`rocky:${m}`, `rhel:${m}`] : [];
    case 'oracle':
      return m ? [`oracle:${m}`, `rhel:${m}`] : [];
    case 'amazon':
      return m ? [`amazon:${m}`] : [];
    case 'fedora':
      return m ? [`fedora:${m}`] : [];
    case 'unknown':
      return [];
  }
}

/** endoflife.date product id of the OS. */
export function osLifecycleProduct(os: OsInfo): string | undefined {
  const ids: Partial<Record<OsInfo['family'], string>> = {
    centos: 'centos',
    rhel: 'rhel',
    almalinux: 'almalinux',
    rocky: 'rocky-linux',
    oracle: 'oracle-linux',
    amazon: 'amazon-linux',
    debian: 'debian',
    ubuntu: 'ubuntu',
    alpine: 'alpine-linux',
    fedora: 'fedora',
  };
  return ids[os.family];
}

/** endoflife.date product ids of components (applications without one are judged by assess/data). */
export const COMPONENT_LIFECYCLE: Readonly<Record<string, string>> = {
  php: 'php',
  'apache-httpd': 'apache-http-server',
  nginx: 'nginx',
  openssl: 'openssl',
  mysql: 'mysql',
  mariadb: 'mariadb',
  postgresql: 'postgresql',
  wordpress: 'wordpress',
  phpmyadmin: 'phpmyadmin',
  jquery: 'jquery',
  iis: 'iis',
  tomcat: 'tomcat',
  drupal: 'drupal',
};

export function updateTool(os: OsInfo | undefined, ecosystem: PackageEcosystem): UpdateTool | undefined {
  if (ecosystem === 'dpkg') return 'apt';
  if (ecosystem === 'apk') return 'apk';
  if (ecosystem !== 'rpm') return undefined;
  const m = Number(major(os?.version ?? '') ?? NaN);
  if (os?.family === 'amazon') return m >= 2023 ? 'dnf' : 'yum';
  if (os?.family === 'fedora') return 'dnf';
  return Number.isFinite(m) && m >= 8 ? 'dnf' : 'yum';
}

/** The exact command that applies the update for these binary packages (and advisories, with dnf). */
export function updateCommand(tool: UpdateTool, packages: readonly string[], advisories: readonly string[] = []): string {
  const pk = [...new Set(packages)].sort().join(' ');
  switch (tool) {
    case 'apt':
      return `apt-get update && apt-get install --only-upgrade ${pk}`;
    case 'yum':
      return `yum update ${pk}`;
    case 'dnf': {
      const adv = [...new Set(advisories)].filter((a) => /^[A-Z]+SA-\d{4}:\d+/.test(a) || /^ALAS(2022|2023)-\d{4}-\d+$/.test(a)).sort();
      return adv.length ? `dnf upgrade ${adv.map((a) => `--advisory ${a}`).join(' ')}` : `dnf upgrade ${pk}`;
    }
    case 'apk':
      return `apk update && apk upgrade ${pk}`;
  }
}

/** Kernel packages: installing one takes effect only after a reboot. */
const KERNEL_PACKAGE = /^(linux-image-\S+|linux-(lts|virt|edge)|kernel(-core|-PAE|-xen|-uek(-core)?)?)$/;

/** Binary packages that are themselves a service, and the service to restart after updating them. */
const SERVICE_OF_PACKAGE: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^(nginx|nginx-(light|full|extras|core))$/, () => 'nginx'],
  [/^apache2(-bin)?$/, () => 'apache2'],
  [/^httpd$/, () => 'httpd'],
  [/^(php(\d+(\.\d+)?)?)-fpm$/, (m) => `${m[1]}-fpm`],
  [/^openssh-server$/, () => 'sshd'],
  [/^mariadb-server(-core)?(-\d+(\.\d+)?)?$/, () => 'mariadb'],
  [/^postfix$/, () => 'postfix'],
];

/** The structured update of a remediation: which tool, which packages, restarts and whether a reboot is needed. */
export function packageUpdate(tool: UpdateTool | undefined, packages: RemediationUpdate['packages'], advisories: readonly string[] = [], publishedAt?: string): RemediationUpdate {
  const byName = new Map<string, RemediationUpdate['packages'][number]>();
  for (const p of packages) if (!byName.has(p.name)) byName.set(p.name, p);
  const pk = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const restart = new Set<string>();
  for (const p of pk)
    for (const [re, svc] of SERVICE_OF_PACKAGE) {
      const m = re.exec(p.name);
      if (m) restart.add(svc(m));
    }
  const u: RemediationUpdate = { ...(tool ? { tool } : {}), packages: pk, advisories: [...new Set(advisories)].sort(), restart: [...restart].sort(), reboot: pk.some((p) => KERNEL_PACKAGE.test(p.name)) };
  if (publishedAt) u.publishedAt = publishedAt;
  return u;
}
