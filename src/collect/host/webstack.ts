/**
 * Web stack versions and configuration: nginx, Apache httpd, lighttpd, PHP (CLI, FPM) with expose_php and
 * display_errors, MySQL/MariaDB/PostgreSQL servers, OpenSSL. Components provided by a distro package are
 * marked `distroBuild` with the package name, so the assessment matches the package against distro
 * advisories and never the component against upstream ranges.
 */
import { gapOf } from '../../core/gaps.js';
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

export async function collectWebStack(t: Transport, packagesP: Promise<readonly Package[]> | readonly Package[], gaps: Gap[]): Promise<WebStack> {
  const ws: WebStack = { components: [], configs: [], php: [] };
  const tryRun = async (id: CommandId, params?: Record<string, string>) => {
    const r = await t.run(id, params);
    if (isMissing(r)) return undefined;
    if (r.failure) {
      gaps.push(gapOf('host.gap.command', { code: 'host.gap.what.command', params: { command: id } }, `${r.failure}: ${r.stderr.trim().slice(0, 200)}`));
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
  const packages = await packagesP;
  const tasks: Promise<void>[] = [];
  if (nginx) {
    const v = parseNginxV(out(nginx));
    if (v.version) ws.components.push(component('nginx', v.version, 'command:nginx -V', packages));
    else gaps.push(gapOf('host.gap.garbage', { code: 'host.gap.what.nginxVersion' }, { code: 'host.gap.why.nginxV', params: { output: out(nginx).trim().slice(0, 120) } }));
    tasks.push(readNginxConfig(t, v.confPath ?? '/etc/nginx/nginx.conf').then((c) => void ws.configs.push(c)));
  }
  for (const [r, cmd] of [[apache2, 'apache2 -V'], [httpd, 'httpd -V']] as const) {
    if (!r) continue;
    const v = parseApacheV(out(r));
    if (!v.version) continue;
    if (ws.components.some((c) => c.name === 'apache-httpd')) continue;
    ws.components.push(component('apache-httpd', v.version, `command:${cmd}`, packages));
    const root = v.root ?? (cmd.startsWith('apache2') ? '/etc/apache2' : '/etc/httpd');
    tasks.push(readApacheConfig(t, root, v.conf ?? (cmd.startsWith('apache2') ? 'apache2.conf' : 'conf/httpd.conf')).then((c) => void ws.configs.push(c)));
  }
  if (lighttpd) {
    const v = parseLighttpdV(out(lighttpd));
    ws.components.push(component('lighttpd', v, 'command:lighttpd -v', packages));
    tasks.push(readLighttpdConfig(t, '/etc/lighttpd/lighttpd.conf').then((c) => void ws.configs.push(c)));
  }
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
  // PHP: every php / php-fpm binary in the usual places, plus php -i for the CLI's ini settings.
  const bins = phpBins
    ? phpBins.stdout
        .toString('utf8')
        .split('\n')
        .filter((p) => /\/php(-fpm)?[\d.]*$|\/php\d*-fpm$|\/php-cgi[\d.]*$/.test(p))
        .sort()
    : [];
  await Promise.all(
    bins.map(async (bin) => {
      const r = await tryRun('phpV', { bin });
      const v = r ? parsePhpV(out(r)) : undefined;
      if (v) ws.php.push({ binary: bin, sapi: v.sapi, version: v.version });
    }),
  );
  // One php component per version, named after the CLI binary when there is one (deterministic order).
  const rank = (b: string) => (/\/php$/.test(b) ? 0 : /\/php[\d.]+$/.test(b) ? 1 : 2);
  ws.php.sort((a, b) => rank(a.binary) - rank(b.binary) || a.binary.localeCompare(b.binary));
  const seen = new Set<string>();
  for (const p of ws.php) {
    if (!p.version || seen.has(p.version)) continue;
    seen.add(p.version);
    ws.components.push(component('php', p.version.replace(/[-+~].*$/, ''), `command:${p.binary} -v`, packages, p.binary));
  }
  ws.components.sort((a, b) => a.name.localeCompare(b.name) || (a.location ?? '').localeCompare(b.location ?? ''));
  if (bins.length) {
    const r = await tryRun('phpI');
    if (r) {
      const info = parsePhpInfo(out(r));
      const cli = ws.php.find((p) => p.binary.endsWith('/php')) ?? ws.php[0];
      if (cli) Object.assign(cli, info);
    }
    // FPM ini files (Debian layout /etc/php/X.Y/fpm/php.ini; RHEL /etc/php.ini is the CLI's too).
    for (const p of ws.php.filter((x) => x.sapi.startsWith('fpm'))) {
      const ver = /php-fpm(\d+\.\d+)$/.exec(p.binary)?.[1] ?? p.version?.split('.').slice(0, 2).join('.');
      const ini = ver ? `/etc/php/${ver}/fpm/php.ini` : undefined;
      for (const f of [ini, '/etc/php.ini'].filter((x): x is string => Boolean(x))) {
        const rr = await t.readFile(f, 512 * 1024);
        if (rr.ok) {
          Object.assign(p, { iniFile: f }, parsePhpIni(rr.data.toString('utf8')));
          break;
        }
      }
    }
  }
  // mod_php (Debian layout /etc/php/X.Y/apache2/php.ini): Apache's own PHP settings.
  if (ws.components.some((c) => c.name === 'apache-httpd')) {
    const versions = [...new Set(ws.php.map((p) => p.version?.split('.').slice(0, 2).join('.')).filter((v): v is string => Boolean(v)))];
    for (const v of versions.sort()) {
      const f = `/etc/php/${v}/apache2/php.ini`;
      const rr = await t.readFile(f, 512 * 1024);
      if (rr.ok) ws.php.push({ binary: 'mod_php', sapi: 'apache2handler', version: ws.php.find((p) => p.version?.startsWith(`${v}.`))?.version, iniFile: f, ...parsePhpIni(rr.data.toString('utf8')) } as PhpSettings);
    }
  }
  await Promise.all(tasks);
  ws.configs.sort((a, b) => a.server.localeCompare(b.server));
  for (const c of ws.configs) for (const p of c.problems) gaps.push(gapOf('host.gap.config', { code: 'host.gap.what.config', params: { server: c.server } }, p));
  return ws;
}
