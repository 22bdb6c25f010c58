/**
 * Web stack versions and configuration: nginx, Apache httpd, lighttpd, PHP (CLI, FPM) with expose_php and
 * display_errors, MySQL/MariaDB/PostgreSQL servers, OpenSSL. Components provided by a distro package are
 * marked `distroBuild` with the package name, so the assessment matches the package against distro
 * advisories and never the component against upstream ranges.
 */
import type { Component, Gap, Package } from '../../core/model.js';
import { isMissing, type ExecResult, type Transport } from '../transport/types.js';
import type { CommandId } from '../transport/allowlist.js';
import { readApacheConfig, readLighttpdConfig, readNginxConfig, type WebConfig } from './webconf.js';

export interface PhpSettings {
  binary: string;
  sapi: string;
  version?: string;
  iniFile?: string;
  exposePhp?: string;
  displayErrors?: string;
}

export interface WebStack {
  components: Component[];
  configs: WebConfig[];
  php: PhpSettings[];
}

const out = (r: ExecResult) => `${r.stdout.toString('utf8')}\n${r.stderr}`;

/** `nginx version: nginx/1.22.1` (+ `--conf-path=` from -V). */
export function parseNginxV(text: string): { version?: string; confPath?: string; distro?: string } {
  const v = /nginx version: (?:nginx|openresty)\/(\S+)(?:\s+\(([^)]+)\))?/.exec(text);
  const c = /--conf-path=(\S+)/.exec(text);
  const r: { version?: string; confPath?: string; distro?: string } = {};
  if (v) r.version = v[1]!;
  if (v?.[2]) r.distro = v[2];
  if (c) r.confPath = c[1]!;
  return r;
}

/** `Server version: Apache/2.4.57 (Debian)` + `-D HTTPD_ROOT="/etc/apache2"` + `-D SERVER_CONFIG_FILE="apache2.conf"`. */
export function parseApacheV(text: string): { version?: string; distro?: string; root?: string; conf?: string } {
  const v = /Server version:\s*Apache\/(\S+)(?:\s+\(([^)]+)\))?/.exec(text);
  const r: { version?: string; distro?: string; root?: string; conf?: string } = {};
  if (v) r.version = v[1]!;
  if (v?.[2]) r.distro = v[2];
  const root = /-D HTTPD_ROOT="([^"]+)"/.exec(text)?.[1];
  const conf = /-D SERVER_CONFIG_FILE="([^"]+)"/.exec(text)?.[1];
  if (root) r.root = root;
  if (conf) r.conf = conf;
  return r;
}

/** `PHP 8.2.28 (cli) (built: …)`, `PHP 5.3.3 (cli) (built: …)`, `PHP 7.4.33 (fpm-fcgi) …`. */
export function parsePhpV(text: string): { version: string; sapi: string } | undefined {
  const m = /^PHP (\d+\.\d+\.\d+[\w.+~-]*) \(([\w-]+)\)/m.exec(text);
  return m ? { version: m[1]!, sapi: m[2]! } : undefined;
}

/** `php -i` lines: `expose_php => On => On`, `Loaded Configuration File => /etc/php/8.2/cli/php.ini`. */
export function parsePhpInfo(text: string): { iniFile?: string; exposePhp?: string; displayErrors?: string } {
  const r: { iniFile?: string; exposePhp?: string; displayErrors?: string } = {};
  const ini = /^Loaded Configuration File => (.+)$/m.exec(text)?.[1];
  const ex = /^expose_php => (\S+)/m.exec(text)?.[1];
  const de = /^display_errors => (\S+)/m.exec(text)?.[1];
  if (ini) r.iniFile = ini.trim();
  if (ex) r.exposePhp = ex;
  if (de) r.displayErrors = de;
  return r;
}

/** php.ini `expose_php = On` (last one wins, as PHP reads it). */
export function parsePhpIni(text: string): { exposePhp?: string; displayErrors?: string } {
  const r: { exposePhp?: string; displayErrors?: string } = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(expose_php|display_errors)\s*=\s*"?([^";\s]+)"?/i.exec(line);
    if (!m) continue;
    if (m[1]!.toLowerCase() === 'expose_php') r.exposePhp = m[2]!;
    else r.displayErrors = m[2]!;
  }
  return r;
}

/** `mysqld  Ver 8.0.35 for Linux on x86_64 (MySQL Community Server - GPL)`, `mysqld  Ver 10.11.4-MariaDB-1~deb12u1 for debian-linux-gnu`. */
export function parseMysqldV(text: string): { name: 'mysql' | 'mariadb'; version: string } | undefined {
  const m = /Ver (\d+\.\d+\.\d+)(-MariaDB)?/i.exec(text);
  if (!m) return undefined;
  return { name: m[2] || /MariaDB/i.test(text) ? 'mariadb' : 'mysql', version: m[1]! };
}

export const parsePostgresV = (text: string) => /postgres \(PostgreSQL\) (\d+(?:\.\d+)*)/.exec(text)?.[1];
export const parseOpensslV = (text: string) => /^OpenSSL (\d+\.\d+\.\d+[a-z]*)/m.exec(text)?.[1];
export const parseLighttpdV = (text: string) => /lighttpd\/(\d+\.\d+\.\d+)/.exec(text)?.[1];

/** Which installed package provides a component: the first candidate name whose upstream version matches. */
export function providerOf(packages: readonly Package[], names: RegExp, version: string | undefined, prefer?: RegExp): Package | undefined {
  const cands = packages.filter((p) => names.test(p.name)).sort((a, b) => Number(prefer?.test(b.name) ?? 0) - Number(prefer?.test(a.name) ?? 0));
  const upstream = (p: Package) => p.version.replace(/^\d+:/, '');
  return cands.find((p) => version && upstream(p).startsWith(version)) ?? (version ? undefined : cands[0]);
}

const PROVIDERS: Record<string, RegExp> = {
  nginx: /^(nginx|nginx-(light|core|full|extras|common)|nginx-mainline)$/,
  'apache-httpd': /^(apache2|apache2-bin|httpd|httpd24-httpd|apache2-mpm-\w+)$/,
  lighttpd: /^lighttpd$/,
  php: /^(php\d*(\.\d+)?-(cli|fpm|common)|php\d*(\.\d+)?|php-(cli|fpm|common)|php\d\d-php-(cli|fpm|common)|php5-(cli|fpm|common)|php\d+(-php)?-(cli|fpm|common)|php\d+)$/,
  mysql: /^(mysql-server(-core)?(-[\d.]+)?|mysql-community-server|mysql-server-core-[\d.]+|mysql)$/,
  mariadb: /^(mariadb-server(-core)?(-[\d.]+)?|mariadb-server-core|MariaDB-server|mariadb)$/,
  postgresql: /^(postgresql-\d+(\.\d+)?|postgresql\d*-server|postgresql\d*)$/,
  openssl: /^(openssl|openssl-libs|libssl\d[\w.]*|libssl3t64|openssl\d*)$/,
};

function component(name: string, version: string | undefined, detectedBy: string, packages: readonly Package[], location?: string): Component {
  const c: Component = { name, detectedBy };
  if (version) c.version = version;
  if (location) c.location = location;
  const re = PROVIDERS[name];
  // The package that ships the binary: php-fpm for an FPM binary, php-cli for the CLI.
  const prefer = name === 'php' ? (/fpm/.test(location ?? '') ? /-fpm$/ : /-cli$/) : undefined;
  const p = re ? providerOf(packages, re, version, prefer) : undefined;
  if (p && !p.thirdParty) {
    c.distroBuild = true;
    c.package = p.name;
  } else if (p) c.package = p.name;
  return c;
}

/**
 * `onConfigs` is called with the web server configurations as soon as they are read, before the package list
 * is needed (the document-root walk starts from them while slower package queries still run).
 */
export async function collectWebStack(t: Transport, packagesP: Promise<readonly Package[]> | readonly Package[], gaps: Gap[], onConfigs?: (configs: readonly WebConfig[]) => void): Promise<WebStack> {
  const ws: WebStack = { components: [], configs: [], php: [] };
  const tryRun = async (id: CommandId, params?: Record<string, string>) => {
    const r = await t.run(id, params);
    if (isMissing(r)) return undefined;
    if (r.failure) {
      gaps.push({ what: `command ${id}`, why: `${r.failure}: ${r.stderr.trim().slice(0, 200)}`, code: 'host.gap.command' });
      return undefined;
    }
    return r;
  };
  const [nginx, apache2, httpd, lighttpd, mysqld, mariadbd, postgres, openssl, phpBins] = await Promise.all([
    tryRun('nginxV'),
    tryRun('apache2V'),
    tryRun('httpdV'),
    tryRun('lighttpdV'),
    tryRun('mysqldV'),
    tryRun('mariadbdV'),
    tryRun('postgresV'),
    tryRun('opensslV'),
    tryRun('findPhp'),
  ]);
  // Configuration files and PHP binaries first: they need no package list, and over SSH each level of
  // includes is a round trip that should overlap the package queries.
  const tasks: Promise<void>[] = [];
  const apache = ([[apache2, 'apache2 -V'], [httpd, 'httpd -V']] as const).map(([r, cmd]) => ({ cmd, v: r ? parseApacheV(out(r)) : undefined })).find((a) => a.v?.version);
  if (nginx) tasks.push(readNginxConfig(t, parseNginxV(out(nginx)).confPath ?? '/etc/nginx/nginx.conf').then((c) => void ws.configs.push(c)));
  if (apache?.v) {
    const root = apache.v.root ?? (apache.cmd.startsWith('apache2') ? '/etc/apache2' : '/etc/httpd');
    tasks.push(readApacheConfig(t, root, apache.v.conf ?? (apache.cmd.startsWith('apache2') ? 'apache2.conf' : 'conf/httpd.conf')).then((c) => void ws.configs.push(c)));
  }
  if (lighttpd) tasks.push(readLighttpdConfig(t, '/etc/lighttpd/lighttpd.conf').then((c) => void ws.configs.push(c)));
  const configsRead = Promise.all(tasks).then(() => {
    ws.configs.sort((a, b) => a.server.localeCompare(b.server));
    onConfigs?.(ws.configs);
  });
  const phpP = collectPhp(t, phpBins, tryRun, Boolean(apache?.v?.version));
  const packages = await packagesP;
  if (nginx) {
    const v = parseNginxV(out(nginx));
    if (v.version) ws.components.push(component('nginx', v.version, 'command:nginx -V', packages));
    else gaps.push({ what: 'nginx version', why: `unrecognised output of nginx -V: ${out(nginx).trim().slice(0, 120)}`, code: 'host.gap.garbage' });
  }
  if (apache?.v?.version) ws.components.push(component('apache-httpd', apache.v.version, `command:${apache.cmd}`, packages));
  if (lighttpd) ws.components.push(component('lighttpd', parseLighttpdV(out(lighttpd)), 'command:lighttpd -v', packages));
  const db = (mariadbd && parseMysqldV(out(mariadbd))) || (mysqld && parseMysqldV(out(mysqld)));
  if (db) ws.components.push(component(db.name, db.version, mariadbd ? 'command:mariadbd --version' : 'command:mysqld --version', packages));
  else {
    // Not in PATH for the user (e.g. /usr/sbin for non-root): fall back to the server package.
    for (const name of ['mariadb', 'mysql'] as const) {
      const p = packages.find((x) => PROVIDERS[name]!.test(x.name) && /server/.test(x.name));
      if (p) {
        ws.components.push({ name, version: p.version.replace(/^\d+:/, '').replace(/[-+~].*$/, ''), detectedBy: `package:${p.name}`, distroBuild: !p.thirdParty, package: p.name });
        break;
      }
    }
  }
  const pg = postgres ? parsePostgresV(out(postgres)) : undefined;
  if (pg) ws.components.push(component('postgresql', pg, 'command:postgres --version', packages));
  else {
    const p = packages.find((x) => /^postgresql-\d+(\.\d+)?$|^postgresql\d*-server$/.test(x.name));
    if (p) ws.components.push({ name: 'postgresql', version: p.version.replace(/^\d+:/, '').replace(/[-+~].*$/, ''), detectedBy: `package:${p.name}`, distroBuild: !p.thirdParty, package: p.name });
  }
  if (openssl) {
    const v = parseOpensslV(out(openssl));
    if (v) ws.components.push(component('openssl', v, 'command:openssl version', packages));
  }
  const { php, modPhp } = await phpP;
  ws.php.push(...php);
  // One php component per version, named after the CLI binary when there is one (deterministic order).
  const seen = new Set<string>();
  for (const p of ws.php) {
    if (!p.version || seen.has(p.version)) continue;
    seen.add(p.version);
    ws.components.push(component('php', p.version.replace(/[-+~].*$/, ''), `command:${p.binary} -v`, packages, p.binary));
  }
  ws.components.sort((a, b) => a.name.localeCompare(b.name) || (a.location ?? '').localeCompare(b.location ?? ''));
  ws.php.push(...modPhp);
  await configsRead;
  for (const c of ws.configs) for (const p of c.problems) gaps.push({ what: `${c.server} configuration`, why: p, code: 'host.gap.config' });
  return ws;
}

/**
 * PHP: every php / php-fpm binary in the usual places (`-v` each), `php -i` for the CLI's ini settings, the
 * FPM and mod_php ini files; each step starts as soon as what it needs is known.
 */
async function collectPhp(t: Transport, phpBins: ExecResult | undefined, tryRun: (id: CommandId, params?: Record<string, string>) => Promise<ExecResult | undefined>, apache: boolean): Promise<{ php: PhpSettings[]; modPhp: PhpSettings[] }> {
  const bins = phpBins
    ? phpBins.stdout
        .toString('utf8')
        .split('\n')
        .filter((p) => /\/php(-fpm)?[\d.]*$|\/php\d*-fpm$|\/php-cgi[\d.]*$/.test(p))
        .sort()
    : [];
  if (!bins.length) return { php: [], modPhp: [] };
  const infoP = tryRun('phpI');
  const php: PhpSettings[] = [];
  await Promise.all(
    bins.map(async (bin) => {
      const r = await tryRun('phpV', { bin });
      const v = r ? parsePhpV(out(r)) : undefined;
      if (v) php.push({ binary: bin, sapi: v.sapi, version: v.version });
    }),
  );
  const rank = (b: string) => (/\/php$/.test(b) ? 0 : /\/php[\d.]+$/.test(b) ? 1 : 2);
  php.sort((a, b) => rank(a.binary) - rank(b.binary) || a.binary.localeCompare(b.binary));
  const read = (f: string) => t.readFile(f, 512 * 1024);
  // FPM ini files (Debian layout /etc/php/X.Y/fpm/php.ini; RHEL /etc/php.ini is the CLI's too), the first that
  // can be read; mod_php (Debian layout /etc/php/X.Y/apache2/php.ini): Apache's own PHP settings. All read at once.
  const fpm = php
    .filter((x) => x.sapi.startsWith('fpm'))
    .map((p) => {
      const ver = /php-fpm(\d+\.\d+)$/.exec(p.binary)?.[1] ?? p.version?.split('.').slice(0, 2).join('.');
      const files = [ver ? `/etc/php/${ver}/fpm/php.ini` : undefined, '/etc/php.ini'].filter((x): x is string => Boolean(x));
      return { p, reads: files.map((f) => ({ f, r: read(f) })) };
    });
  const versions = [...new Set(php.map((p) => p.version?.split('.').slice(0, 2).join('.')).filter((v): v is string => Boolean(v)))].sort();
  const modPhp = (apache ? versions : []).map((v) => ({ v, f: `/etc/php/${v}/apache2/php.ini`, r: read(`/etc/php/${v}/apache2/php.ini`) }));
  const info = await infoP;
  if (info) {
    const cli = php.find((p) => p.binary.endsWith('/php')) ?? php[0];
    if (cli) Object.assign(cli, parsePhpInfo(out(info)));
  }
  for (const { p, reads } of fpm) {
    for (const { f, r } of reads) {
      const rr = await r;
      if (rr.ok) {
        Object.assign(p, { iniFile: f }, parsePhpIni(rr.data.toString('utf8')));
        break;
      }
    }
  }
  const mod: PhpSettings[] = [];
  for (const { v, f, r } of modPhp) {
    const rr = await r;
    if (rr.ok) mod.push({ binary: 'mod_php', sapi: 'apache2handler', version: php.find((p) => p.version?.startsWith(`${v}.`))?.version, iniFile: f, ...parsePhpIni(rr.data.toString('utf8')) } as PhpSettings);
  }
  return { php, modPhp: mod };
}
