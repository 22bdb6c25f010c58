/**
 * Web stack versions and configuration: nginx, Apache httpd, lighttpd, PHP (CLI, FPM) with expose_php and
 * display_errors, MySQL/MariaDB/PostgreSQL servers, OpenSSL. Components provided by a distro package are
 * marked `distroBuild` with the package name, so the assessment matches the package against distro
 * advisories and never the component against upstream ranges. Web servers PATH does not reach (source
 * builds, binaries the scanning user may not run) are found through ./webfind.ts; a version nothing
 * gives is a gap.
 */
import { gapOf } from '../../core/gaps.js';
import { posix } from 'node:path';
import type { Component, Gap, Package } from '../../core/model.js';
import { isMissing, type ExecResult, type Transport } from '../transport/types.js';
import { PLACEHOLDERS, type CommandId } from '../transport/allowlist.js';
import { readApacheConfig, readLighttpdConfig, readNginxConfig, type WebConfig } from './webconf.js';
import { defaultsFor, parseApRelease, parsePrefixBins, parseProcesses, parseProcessExes, parsePhpVersionH, passwdUsers, runnableWebBin, userDirPath, webFromPrefixBins, webFromProcess, WELL_KNOWN, type ProcessInfo, type WebInstance } from './webfind.js';

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
export function parseNginxV(text: string): { version?: string; confPath?: string; distro?: string; prefix?: string } {
  const v = /nginx version: (?:nginx|openresty)\/(\S+)(?:\s+\(([^)]+)\))?/.exec(text);
  const c = /--conf-path=(\S+)/.exec(text);
  const p = /--prefix=(\/\S*)/.exec(text);
  const r: { version?: string; confPath?: string; distro?: string; prefix?: string } = {};
  if (v) r.version = v[1]!;
  if (v?.[2]) r.distro = v[2];
  if (c) r.confPath = c[1]!;
  if (p) r.prefix = p[1]!.replace(/(.)\/+$/, '$1');
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

/** `onConfigs` is called with the web server configurations once they are complete (the document-root walk starts from them). */
export async function collectWebStack(t: Transport, packagesP: Promise<readonly Package[]> | readonly Package[], gaps: Gap[], onConfigs?: (configs: readonly WebConfig[]) => void): Promise<WebStack> {
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
  const [nginx, apache2, httpd, lighttpd, mysqld, mariadbd, postgres, openssl, phpBins, ps, exes, prefixBins, confs] = await Promise.all([
    tryRun('nginxV'),
    tryRun('apache2V'),
    tryRun('httpdV'),
    tryRun('lighttpdV'),
    tryRun('mysqldV'),
    tryRun('mariadbdV'),
    tryRun('postgresV'),
    tryRun('opensslV'),
    tryRun('findPhp'),
    t.run('processes'),
    t.run('processExes'),
    t.run('findPrefixBins'),
    t.run('findWebConfs'),
  ]);
  const tasks: Promise<void>[] = [];
  // A configuration none of whose files could be read says nothing but why (a gap).
  const keep = (c: WebConfig | undefined) => {
    if (c?.files.length) ws.configs.push(c);
    else for (const p of c?.problems ?? []) gaps.push(gapOf('host.gap.config', { code: 'host.gap.what.config', params: { server: c!.server } }, p));
  };
  const reading = new Set<string>();
  const read = (w: Found) => {
    if (reading.has(w.conf)) return;
    reading.add(w.conf);
    // Paths guessed from a prefix or a process (not said by the binary itself) may simply not exist.
    const optional = !w.from.startsWith('command:');
    if (w.server === 'nginx') tasks.push(readNginxConfig(t, w.conf, { optional, prefix: w.prefix ?? (w.root.startsWith('/etc/') ? '/usr/share/nginx' : w.root) }).then(keep));
    else if (w.server === 'apache-httpd') tasks.push(readApacheConfig(t, w.root, w.conf, { optional }).then(keep));
    else tasks.push(readLighttpdConfig(t, w.conf, { optional }).then(keep));
  };
  // Web servers from PATH first (`nginx -V`, `httpd -V`, …), then the process list, prefixes and well-known paths.
  // Their configuration is read at once: it needs no package list (over SSH each level of includes is a round
  // trip that overlaps the package queries).
  const known: Found[] = [];
  const nginxV = nginx ? parseNginxV(out(nginx)) : undefined;
  if (nginxV) {
    const v = nginxV;
    const conf = v.confPath ?? (v.prefix ? `${v.prefix}/conf/nginx.conf` : '/etc/nginx/nginx.conf');
    known.push({ server: 'nginx', root: posix.dirname(conf), conf, from: 'command:nginx -V', ...(v.version ? { version: v.version } : {}), ...(v.prefix ? { prefix: v.prefix } : {}) });
  }
  const apacheV = ([[apache2, 'apache2 -V'], [httpd, 'httpd -V']] as const).map(([r, cmd]) => ({ cmd, v: r ? parseApacheV(out(r)) : undefined })).find((a) => a.v?.version);
  if (apacheV?.v?.version) {
    const { cmd, v } = apacheV;
    const root = v.root ?? (cmd.startsWith('apache2') ? '/etc/apache2' : '/etc/httpd');
    const conf = v.conf ?? (cmd.startsWith('apache2') ? 'apache2.conf' : 'conf/httpd.conf');
    known.push({ server: 'apache-httpd', root, conf: posix.isAbsolute(conf) ? conf : posix.join(root, conf), from: `command:${cmd}`, version: v.version });
  }
  const lighttpdV = lighttpd ? parseLighttpdV(out(lighttpd)) : undefined;
  if (lighttpd) known.push({ server: 'lighttpd', root: '/etc/lighttpd', conf: '/etc/lighttpd/lighttpd.conf', from: 'command:lighttpd -v', ...(lighttpdV ? { version: lighttpdV } : {}) });
  known.forEach(read);
  const packages = await packagesP;
  if (nginxV?.version) ws.components.push(component('nginx', nginxV.version, 'command:nginx -V', packages));
  else if (nginx) gaps.push(gapOf('host.gap.garbage', { code: 'host.gap.what.nginxVersion' }, { code: 'host.gap.why.nginxV', params: { output: out(nginx).trim().slice(0, 120) } }));
  if (apacheV?.v?.version) ws.components.push(component('apache-httpd', apacheV.v.version, `command:${apacheV.cmd}`, packages));
  if (lighttpd) ws.components.push(component('lighttpd', lighttpdV, 'command:lighttpd -v', packages));
  const processes = listProcesses(ps, gaps);
  const exeOf = parseProcessExes(exes.stdout.toString('utf8'));
  const prefixPaths = prefixBins.failure ? [] : parsePrefixBins(prefixBins.stdout.toString('utf8'));
  // Well-known configuration files that exist (all of them are tried when `find` could not say).
  const wellKnown = confs.failure || (confs.code !== 0 && !confs.stdout.length) ? WELL_KNOWN : WELL_KNOWN.filter((w) => confs.stdout.toString('utf8').split('\n').includes(w.conf));
  await findMoreWebServers(t, known, processes, exeOf, prefixPaths, wellKnown, packages, ws, gaps);
  known.forEach(read);
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
  // A php.ini the web SAPI reads that exists but cannot be read (not root, denied): its settings (expose_php,
  // display_errors) are unknown, said as a gap so an earlier finding is not taken as fixed. Absent files are not gaps.
  const iniUnread = (f: string, rr: { failure: string; detail: string }) => {
    if (rr.failure !== 'missing') gaps.push(gapOf('host.gap.read', f, { code: 'host.gap.why.phpIni', params: { reason: `${rr.failure}: ${rr.detail}`.slice(0, 200) } }));
  };
  // PHP: every php / php-fpm binary in the usual places, plus php -i for the CLI's ini settings.
  // Also PHP built from source (/usr/local/php/bin/php) and the binaries of running PHP processes.
  const phpLike = (p: string) => /\/php(-fpm)?[\d.]*$|\/php\d*-fpm$|\/php-cgi[\d.]*$/.test(p);
  // Only binaries root runs or owns (see WebInstance.trusted).
  const fromProcesses = processes.filter((p) => p.uid === 0).map((p) => exeOf.get(p.pid) ?? p.args.split(/\s+/)[0] ?? '');
  const fromPrefixes = prefixPaths.filter((e) => e.uid === 0).map((e) => e.path);
  const bins = [...new Set([...(phpBins ? phpBins.stdout.toString('utf8').split('\n') : []), ...fromPrefixes, ...fromProcesses].filter((p) => phpLike(p) && PLACEHOLDERS.bin!.test(p)))].sort();
  // php -i needs no answer of -v: asked with them.
  const infoP = bins.length ? tryRun('phpI') : undefined;
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
  // PHP built from source whose binary did not answer: the version its installed headers carry.
  for (const prefix of [...new Set(bins.filter((b) => !ws.php.some((p) => p.binary === b)).map((b) => posix.dirname(posix.dirname(b))))].filter((x) => x !== '/usr' && x !== '/usr/local')) {
    const h = `${prefix}/include/php/main/php_version.h`;
    const r = await t.readFile(h, 64 * 1024);
    const v = r.ok ? parsePhpVersionH(r.data.toString('latin1')) : undefined;
    if (v) ws.components.push({ name: 'php', version: v, detectedBy: `file:${h}`, location: prefix });
    else gaps.push(gapOf('host.gap.webVersion', { code: 'host.gap.what.phpUnder', params: { path: prefix } }, `its binary did not answer -v and ${h} ${r.ok ? 'has no PHP_VERSION' : `cannot be read (${r.failure})`}: version unknown`));
  }
  packageFallbacks(ws.components, packages);
  if (bins.length) {
    const r = await infoP;
    if (r) {
      const info = parsePhpInfo(out(r));
      const cli = ws.php.find((p) => p.binary.endsWith('/php')) ?? ws.php[0];
      if (cli) Object.assign(cli, info);
    }
    // FPM ini files (Debian layout /etc/php/X.Y/fpm/php.ini; RHEL /etc/php.ini is the CLI's too).
    // All candidates read at once; the first that can be read counts.
    await Promise.all(
      ws.php
        .filter((x) => x.sapi.startsWith('fpm'))
        .map(async (p) => {
          const ver = /php-fpm(\d+\.\d+)$/.exec(p.binary)?.[1] ?? p.version?.split('.').slice(0, 2).join('.');
          const files = [ver ? `/etc/php/${ver}/fpm/php.ini` : undefined, '/etc/php.ini'].filter((x): x is string => Boolean(x));
          const reads = files.map((f) => t.readFile(f, 512 * 1024));
          for (const [i, f] of files.entries()) {
            const rr = await reads[i]!;
            if (rr.ok) {
              Object.assign(p, { iniFile: f }, parsePhpIni(rr.data.toString('utf8')));
              break;
            }
            iniUnread(f, rr);
          }
        }),
    );
  }
  // mod_php (Debian layout /etc/php/X.Y/apache2/php.ini): Apache's own PHP settings.
  if (ws.components.some((c) => c.name === 'apache-httpd')) {
    const versions = [...new Set(ws.php.map((p) => p.version?.split('.').slice(0, 2).join('.')).filter((v): v is string => Boolean(v)))];
    for (const v of versions.sort()) {
      const f = `/etc/php/${v}/apache2/php.ini`;
      const rr = await t.readFile(f, 512 * 1024);
      if (rr.ok) ws.php.push({ binary: 'mod_php', sapi: 'apache2handler', version: ws.php.find((p) => p.version?.startsWith(`${v}.`))?.version, iniFile: f, ...parsePhpIni(rr.data.toString('utf8')) } as PhpSettings);
      else iniUnread(f, rr);
    }
  }
  // No PHP binary answered (not runnable, or built from source): the ini files mod_php reads on RHEL/CentOS
  // (/etc/php.ini) and in source builds (PREFIX/lib/php.ini), with the version found above.
  if (!ws.php.length && ws.components.some((c) => c.name === 'apache-httpd')) {
    const php = ws.components.filter((c) => c.name === 'php');
    const prefixes = php.map((c) => c.location).filter((l): l is string => Boolean(l?.startsWith('/')));
    const inis: { f: string; version: string | undefined }[] = [{ f: '/etc/php.ini', version: php.find((c) => c.detectedBy.startsWith('package:'))?.version }, ...prefixes.map((x) => ({ f: `${x}/lib/php.ini`, version: php.find((c) => c.location === x)?.version }))];
    for (const { f, version } of inis) {
      const rr = await t.readFile(f, 512 * 1024);
      if (rr.ok) ws.php.push({ binary: 'mod_php', sapi: 'apache2handler', ...(version ? { version } : {}), iniFile: f, ...parsePhpIni(rr.data.toString('utf8')) });
      else iniUnread(f, rr);
    }
  }
  await Promise.all(tasks);
  // A configuration in use whose server gave no version anywhere (binary, headers, package): said, not dropped.
  for (const c of ws.configs)
    if (!ws.components.some((x) => x.name === c.server)) {
      ws.components.push({ name: c.server, detectedBy: `config:${c.files[0]}` });
      gaps.push(gapOf('host.gap.webVersion', { code: 'host.gap.what.serverVersion', params: { server: c.server } }, { code: 'host.gap.why.configNoVersion', params: { file: c.files[0] ?? '?' } }));
    }
  ws.components.sort((a, b) => a.name.localeCompare(b.name) || (a.location ?? '').localeCompare(b.location ?? ''));
  ws.configs.sort((a, b) => a.server.localeCompare(b.server) || (a.files[0] ?? '').localeCompare(b.files[0] ?? ''));
  await userDirs(t, ws.configs, gaps);
  onConfigs?.(ws.configs);
  for (const c of ws.configs) for (const p of c.problems) gaps.push(gapOf('host.gap.config', { code: 'host.gap.what.config', params: { server: c.server } }, p));
  return ws;
}

interface Found extends WebInstance {
  version?: string;
  /** Why its binary gave no version (`denied`, `exit 1`). */
  why?: string;
  /** nginx --prefix from -V. */
  prefix?: string;
}

function listProcesses(ps: ExecResult, gaps: Gap[]): ProcessInfo[] {
  if (ps.failure || ps.code !== 0) {
    gaps.push(gapOf('host.gap.command', { code: 'host.gap.what.processList' }, `ps: ${isMissing(ps) ? 'not installed' : (ps.failure ?? `exit ${ps.code}`)} ${ps.stderr.trim().slice(0, 200)}`.trim()));
    return [];
  }
  return parseProcesses(ps.stdout.toString('utf8'));
}

/**
 * Web servers PATH did not answer for: running processes, binaries under well-known prefixes, well-known
 * configuration paths. Each new installation's binary is asked for -V when the allowlist lets it run; when it
 * cannot run, the version comes from its installed headers (source builds) or stays unknown, said as a gap.
 */
async function findMoreWebServers(t: Transport, known: Found[], processes: readonly ProcessInfo[], exeOf: ReadonlyMap<number, string>, prefixPaths: readonly { uid: number; path: string }[], wellKnown: readonly Omit<WebInstance, 'from'>[], packages: readonly Package[], ws: WebStack, gaps: Gap[]): Promise<void> {
  const seen = new Set(known.map((k) => k.conf));
  const fresh: Found[] = [];
  for (const w of [...processes.map((p) => webFromProcess(p, exeOf.get(p.pid))), ...webFromPrefixBins(prefixPaths)]) {
    if (!w || seen.has(w.conf)) continue;
    seen.add(w.conf);
    fresh.push(w);
  }
  const asked = new Map<string, Promise<ExecResult>>(); // one -V per binary, however many instances run it
  await Promise.all(
    fresh.map(async (w) => {
      if (!runnableWebBin(w.bin)) return;
      if (!w.trusted) {
        w.why = 'not run: neither run by root nor owned by root';
        return;
      }
      const bin = w.bin;
      const r = await (asked.get(bin) ?? (asked.set(bin, t.run('webBinV', { webbin: bin })), asked.get(bin)!));
      const text = out(r);
      const v = w.server === 'nginx' ? parseNginxV(text) : w.server === 'apache-httpd' ? parseApacheV(text) : { version: parseLighttpdV(text) };
      if (!v.version) {
        w.why = r.failure ?? (r.code === 126 || /Permission denied/i.test(r.stderr) ? 'denied' : `exit ${r.code}`);
        return;
      }
      w.version = v.version;
      const a = v as ReturnType<typeof parseApacheV>;
      const n = v as ReturnType<typeof parseNginxV>;
      // What the binary was built with, unless the process named its own configuration.
      if (w.server === 'apache-httpd' && a.root && w.conf === defaultsFor(w.server, w.bin).conf) Object.assign(w, { root: a.root, conf: a.conf ? (posix.isAbsolute(a.conf) ? a.conf : posix.join(a.root, a.conf)) : w.conf });
      if (w.server === 'nginx' && n.confPath && w.conf === defaultsFor(w.server, w.bin).conf) w.conf = n.confPath;
      if (w.server === 'nginx' && n.prefix) w.prefix = n.prefix;
    }),
  );
  for (const w of fresh) {
    const loc = w.bin ?? w.root;
    if (ws.components.some((c) => c.name === w.server && c.location === loc)) continue; // another instance of the same installation
    if (w.version) {
      // The PATH binary again (a second instance with its own configuration): the component is already there.
      const again = /^\/(usr\/(local\/)?)?s?bin\/[^/]+$/.test(loc) && ws.components.some((c) => c.name === w.server && c.version === w.version && c.detectedBy.startsWith('command:') && !c.location);
      if (!again) ws.components.push(component(w.server, w.version, `command:${w.bin} -V`, packages, loc));
      continue;
    }
    // Source builds keep their headers: include/ap_release.h names the Apache version.
    if (w.server === 'apache-httpd' && !w.root.startsWith('/etc/')) {
      const h = `${w.root}/include/ap_release.h`;
      const r = await t.readFile(h, 64 * 1024);
      const v = r.ok ? parseApRelease(r.data.toString('latin1')) : undefined;
      if (v) {
        ws.components.push({ name: w.server, version: v, detectedBy: `file:${h}`, location: loc });
        continue;
      }
    }
    if (w.root.startsWith('/etc/')) continue; // a distro layout: the package gives the version (below)
    ws.components.push({ name: w.server, detectedBy: w.from.replace(/ \(pid \d+\)$/, ''), location: loc });
    gaps.push(gapOf('host.gap.webVersion', { code: 'host.gap.what.serverVersionAt', params: { server: w.server, path: loc } }, `${w.bin ? `${w.bin} -V ${w.why ?? 'may not be run (outside /usr and /opt)'}` : 'no binary found'}; no version in its installed files`));
  }
  known.push(...fresh);
  for (const w of wellKnown) if (!seen.has(w.conf)) known.push({ ...w, from: 'well-known' });
}

/** Components whose binary could not be run: the version of the package that provides them (`package:httpd`). */
function packageFallbacks(components: Component[], packages: readonly Package[]): void {
  for (const name of ['apache-httpd', 'nginx', 'lighttpd', 'php', 'openssl'] as const) {
    if (components.some((c) => c.name === name && c.detectedBy.startsWith('command:'))) continue;
    const p = providerOf(packages, PROVIDERS[name]!, undefined, name === 'php' ? /^php(-cli)?$/ : name === 'openssl' ? /^openssl$/ : undefined);
    if (!p || components.some((c) => c.package === p.name)) continue;
    components.push({ name, version: p.version.replace(/^\d+:/, '').replace(/[-+~].*$/, ''), detectedBy: `package:${p.name}`, distroBuild: !p.thirdParty, package: p.name });
  }
}

/** Apache `UserDir public_html`: each regular user's directory that exists becomes an alias `/~user`. */
async function userDirs(t: Transport, configs: readonly WebConfig[], gaps: Gap[]): Promise<void> {
  const sites = configs.flatMap((c) => c.sites.filter((s) => s.userDir?.value));
  if (!sites.length) return;
  const passwd = await t.readFile('/etc/passwd', 4 * 1024 * 1024);
  if (!passwd.ok) {
    gaps.push(gapOf('host.gap.read', { code: 'host.gap.what.userDirs' }, `/etc/passwd: ${passwd.failure} (${passwd.detail})`));
    return;
  }
  const users = passwdUsers(passwd.data.toString('utf8'));
  if (users.length > MAX_USERDIRS) gaps.push(gapOf('host.gap.docrootCap', { code: 'host.gap.what.userDirs' }, { code: 'host.gap.why.userDirCap', params: { count: users.length, max: MAX_USERDIRS } }));
  const exists = new Map<string, Promise<boolean>>();
  const has = (p: string) => exists.get(p) ?? (exists.set(p, t.listDir(p).then(Boolean)), exists.get(p)!);
  for (const s of sites) {
    const ud = s.userDir!;
    for (const u of users.slice(0, MAX_USERDIRS)) {
      if (ud.disabled.includes(u.user)) continue;
      const path = userDirPath(ud.value, u.user, u.home);
      if (path && (await has(path))) s.aliases.push({ url: `/~${u.user}`, path });
    }
  }
}

const MAX_USERDIRS = 200;
