/**
 * Web servers found where `httpd -V` from PATH does not reach: Apache, nginx or lighttpd built from source
 * under /usr/local or /opt, or a binary the scanning user may not execute. Sources, most telling first: the
 * process list (`ps` arguments: `-f`/`-d`/`-c`/`-p`), `/proc/N/exe` where readable, binaries under well-known
 * prefixes, and each family's well-known configuration paths (read even when no binary answers).
 * Versions of source builds come from their installed headers (`include/ap_release.h`,
 * `include/php/main/php_version.h`) when the binary cannot be run.
 */
import { posix } from 'node:path';
import { PLACEHOLDERS } from '../transport/allowlist.js';

export type WebFamily = 'apache-httpd' | 'nginx' | 'lighttpd';

/** One web server installation: where its configuration is, and how it was found. */
export interface WebInstance {
  server: WebFamily;
  /** The binary, when known (absolute). */
  bin?: string;
  /** Apache ServerRoot / nginx prefix: relative includes are resolved against it. */
  root: string;
  /** The main configuration file (absolute). */
  conf: string;
  /** `process-list (pid N)`, `prefix:/usr/local/apache2/bin`, `well-known`, `command:httpd -V`. */
  from: string;
  /**
   * Its binary may be run (`-V`): root already runs it (a root process) or root owns it. A file under /opt
   * may belong to an ordinary user; running it as the scanning user (often root) would run their code.
   */
  trusted?: boolean;
}

export interface ProcessInfo {
  pid: number;
  uid: number;
  args: string;
}

/** `ps -e -o pid=,uid=,args=`: `  812     0 /usr/local/apache2/bin/httpd -k start`. */
export function parseProcesses(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S.*?)\s*$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), uid: Number(m[2]), args: m[3]! });
  }
  return out;
}

/** `find <prefixes> -maxdepth 1 -printf '%U\t%p\n'`: owner uid and path of each entry. */
export function parsePrefixBins(text: string): { uid: number; path: string }[] {
  const out: { uid: number; path: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\t(\/.*)$/.exec(line);
    if (m) out.push({ uid: Number(m[1]), path: m[2]! });
  }
  return out;
}

/** `find /proc … -name exe -printf '%h\t%l\n'`: `/proc/812\t/usr/local/apache2/bin/httpd` (empty target when not readable). */
export function parseProcessExes(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^\/proc\/(\d+)\t(\/.+?)(?: \(deleted\))?$/.exec(line);
    if (m) out.set(Number(m[1]), m[2]!);
  }
  return out;
}

const FAMILY_OF: Record<string, WebFamily> = { httpd: 'apache-httpd', apache2: 'apache-httpd', nginx: 'nginx', openresty: 'nginx', lighttpd: 'lighttpd' };

/** A binary we may run with -V (the allowlist's `{webbin}`): under /usr or /opt, named like a web server. */
export const runnableWebBin = (bin: string | undefined): bin is string => Boolean(bin && PLACEHOLDERS.webbin!.test(bin));

/** Where a family keeps its configuration for a given binary: distro layout for /usr/sbin, else the build prefix. */
export function defaultsFor(server: WebFamily, bin: string | undefined): { root: string; conf: string } {
  const name = bin ? posix.basename(bin) : undefined;
  const prefix = bin ? posix.dirname(posix.dirname(bin)) : undefined;
  const distro = !prefix || prefix === '/usr' || prefix === '/' || prefix === '/usr/local';
  if (server === 'apache-httpd') {
    if (distro) return name === 'apache2' ? { root: '/etc/apache2', conf: '/etc/apache2/apache2.conf' } : { root: '/etc/httpd', conf: '/etc/httpd/conf/httpd.conf' };
    return { root: prefix, conf: `${prefix}/conf/httpd.conf` };
  }
  if (server === 'nginx') {
    if (distro) return { root: '/etc/nginx', conf: '/etc/nginx/nginx.conf' };
    return { root: prefix, conf: `${prefix}/conf/nginx.conf` };
  }
  return { root: '/etc/lighttpd', conf: '/etc/lighttpd/lighttpd.conf' };
}

/** The web server a process is, with the configuration its arguments name; undefined for anything else. */
export function webFromProcess(p: ProcessInfo, exe?: string): WebInstance | undefined {
  // nginx rewrites its title: `nginx: master process /usr/local/nginx/sbin/nginx -c /x/nginx.conf`.
  const args = p.args.replace(/^nginx: master process\s+/, '').split(/\s+/);
  if (/^nginx: (worker|cache)/.test(p.args)) return undefined;
  const argv0 = args[0] ?? '';
  const exeFamily = exe ? FAMILY_OF[posix.basename(exe)] : undefined;
  const family = exeFamily ?? FAMILY_OF[posix.basename(argv0)];
  if (!family) return undefined;
  // The executable link is the truth; argv[0] can be anything a process chose to show.
  const bin = exeFamily ? exe : argv0.startsWith('/') ? posix.normalize(argv0) : undefined;
  // Any user can run a program called httpd from their home (or title a process so): only servers installed
  // under /usr or /opt are taken, so a process cannot point the scan at files of its choosing.
  if (bin && !runnableWebBin(bin)) return undefined;
  const def = defaultsFor(family, bin);
  const opt = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 && args[i + 1] ? args[i + 1] : undefined;
  };
  // A server root or prefix is absolute (as the server itself requires); anything else is not one.
  const dirOpt = (flag: string) => {
    const v = opt(flag);
    return v?.startsWith('/') ? posix.normalize(v).replace(/(.)\/+$/, '$1') : undefined;
  };
  let root = def.root;
  let conf = def.conf;
  if (family === 'apache-httpd') {
    root = dirOpt('-d') ?? root;
    const f = opt('-f');
    conf = f ? abs(root, f) : dirOpt('-d') ? abs(root, 'conf/httpd.conf') : conf;
  } else if (family === 'nginx') {
    root = dirOpt('-p') ?? root;
    const c = opt('-c');
    conf = c ? abs(root, c) : dirOpt('-p') ? abs(root, 'conf/nginx.conf') : conf;
  } else {
    const f = opt('-f');
    if (f) conf = abs('/', f);
    root = posix.dirname(conf);
  }
  return { server: family, ...(bin ? { bin } : {}), root, conf, from: `process-list (pid ${p.pid})`, trusted: p.uid === 0 };
}

const abs = (base: string, p: string) => posix.normalize(posix.isAbsolute(p) ? p : posix.join(base, p));

/** Web server binaries among `find <prefixes> -maxdepth 1` names. */
export function webFromPrefixBins(entries: readonly { uid: number; path: string }[]): WebInstance[] {
  const out: WebInstance[] = [];
  for (const { uid, path: bin } of entries) {
    const family = FAMILY_OF[posix.basename(bin)];
    if (!family) continue;
    const def = defaultsFor(family, bin);
    out.push({ server: family, bin, root: def.root, conf: def.conf, from: `prefix:${posix.dirname(bin)}`, trusted: uid === 0 });
  }
  return out;
}

/** Each family's well-known configuration: distro layouts (RHEL/CentOS 5–9, Debian/Ubuntu), control panels (cPanel EasyApache 3/4, XAMPP) and source-build prefixes. */
export const WELL_KNOWN: readonly Omit<WebInstance, 'from'>[] = [
  { server: 'apache-httpd', root: '/etc/httpd', conf: '/etc/httpd/conf/httpd.conf' },
  { server: 'apache-httpd', root: '/etc/apache2', conf: '/etc/apache2/apache2.conf' },
  { server: 'apache-httpd', root: '/etc/apache2', conf: '/etc/apache2/conf/httpd.conf' }, // cPanel EasyApache 4
  { server: 'apache-httpd', root: '/usr/local/apache2', conf: '/usr/local/apache2/conf/httpd.conf' },
  { server: 'apache-httpd', root: '/usr/local/apache', conf: '/usr/local/apache/conf/httpd.conf' },
  { server: 'apache-httpd', root: '/opt/lampp', conf: '/opt/lampp/etc/httpd.conf' },
  { server: 'nginx', root: '/etc/nginx', conf: '/etc/nginx/nginx.conf' },
  { server: 'nginx', root: '/usr/local/nginx', conf: '/usr/local/nginx/conf/nginx.conf' },
  { server: 'nginx', root: '/opt/nginx', conf: '/opt/nginx/conf/nginx.conf' },
  { server: 'lighttpd', root: '/etc/lighttpd', conf: '/etc/lighttpd/lighttpd.conf' },
  { server: 'lighttpd', root: '/usr/local/etc/lighttpd', conf: '/usr/local/etc/lighttpd/lighttpd.conf' },
];

/** `#define AP_SERVER_MAJORVERSION_NUMBER 2` … (Apache 2.x include/ap_release.h). */
export function parseApRelease(text: string): string | undefined {
  const n = (k: string) => new RegExp(`#define\\s+AP_SERVER_${k}_NUMBER\\s+(\\d+)`).exec(text)?.[1];
  const [ma, mi, pa] = [n('MAJORVERSION'), n('MINORVERSION'), n('PATCHLEVEL')];
  return ma && mi && pa ? `${ma}.${mi}.${pa}` : undefined;
}

/** `#define PHP_VERSION "5.2.17"` (include/php/main/php_version.h). */
export const parsePhpVersionH = (text: string) => /#define\s+PHP_VERSION\s+"(\d+\.\d+\.\d+[\w.-]*)"/.exec(text)?.[1];

/** An Apache `UserDir` value → that user's directory (`public_html` → HOME/public_html; `/home/STAR/www` with STAR = user; `/www/users` → /www/users/USER). */
export function userDirPath(value: string, user: string, home: string): string | undefined {
  if (/^\w+:/.test(value)) return undefined; // a redirect URL
  if (!value.startsWith('/')) return posix.join(home, value);
  if (value.includes('*')) return posix.normalize(value.replace('*', user));
  return posix.join(value, user);
}

/** /etc/passwd users who may own a web directory: regular users (uid ≥ 500, the CentOS 5/6 start) with a home. */
export function passwdUsers(text: string): { user: string; home: string }[] {
  const out: { user: string; home: string }[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7) continue;
    const uid = Number(f[2]);
    if (!(uid >= 500) || uid === 65534 || !f[5]?.startsWith('/') || f[5] === '/' || /^\/(nonexistent|dev|proc|run|var\/run)(\/|$)/.test(f[5])) continue;
    out.push({ user: f[0]!, home: f[5] });
  }
  return out;
}
