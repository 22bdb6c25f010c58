/**
 * THE allowlist: every command mamori runs on a target, local or over SSH, is one of these argument arrays.
 * All are read-only. Placeholders (`{path}`, `{bytes}`, `{name}`) are filled only with values that pass the
 * placeholder's pattern, and each argument is quoted when sent over SSH (remote.ts), so nothing a user or a config
 * file says is ever interpreted by a shell. Reviewers: adding a line here is adding a command run on customers'
 * servers; it must not write, lock, download or restart anything.
 */
import { fillTemplate, matchesTemplate } from './template.js';

export const ALLOWLIST = {
  id: ['id', '-u'],
  uname: ['uname', '-r'],
  /** Bounded file read (file reads over SSH; the local transport reads with fs and the same cap). */
  readFile: ['head', '-c', '{bytes}', '--', '{path}'],
  /** Directory listing for include globs: names only, one level, NUL separated. */
  listDir: ['find', '{path}', '-mindepth', '1', '-maxdepth', '1', '-printf', '%y\\t%f\\0'],
  /** Document-root walk: type, size, relative path; symlinks not followed (the root itself may be one: -H), one file system. */
  walk: ['find', '-H', '{path}', '-xdev', '-maxdepth', '{depth}', '-mindepth', '1', '-printf', '%y\\t%s\\t%P\\0'],
  dpkgQuery: ['dpkg-query', '-W', '-f', '${Package}\\t${Version}\\t${Source}\\t${Architecture}\\t${Status}\\n'],
  /** Installed and candidate versions with their sources, from the existing lists (no lock, no download). */
  aptPolicy: ['apt-cache', 'policy', '{names}'],
  rpmQuery: ['rpm', '-qa', '--qf', '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\t%{SOURCERPM}\\n'],
  /** From the existing yum metadata only (-C): never refreshes it. */
  yumCheckUpdate: ['yum', '-C', '-q', 'check-update'],
  yumSecurity: ['yum', '-C', '-q', 'updateinfo', 'list', 'security'],
  /** EL5/EL6 yum-security plugin (no `updateinfo` command there). */
  yumListSecurity: ['yum', '-C', '-q', 'list-security'],
  dnfCheckUpdate: ['dnf', '-C', '-q', 'check-update'],
  dnfSecurity: ['dnf', '-C', '-q', 'updateinfo', 'list', '--security'],
  needsRestarting: ['needs-restarting', '-r'],
  apkUpgradable: ['apk', '--no-network', 'version', '-l', '<'],
  /** Processes mapping deleted (replaced) files; root only. */
  deletedMaps: ['find', '/proc', '-mindepth', '2', '-maxdepth', '2', '-name', 'maps', '-exec', 'grep', '-H', '-F', '(deleted)', '{}', '+'],
  /** Listening TCP sockets (process names need root). */
  listening: ['ss', '-tlnp'],
  /** The same from net-tools, where `ss` is missing (CentOS 5, minimal old systems). */
  listeningNetstat: ['netstat', '-tlnp'],
  /** Every process with its arguments: web servers found where PATH does not reach (`/usr/local/apache2/bin/httpd -k start`). */
  processes: ['ps', '-e', '-o', 'pid=,uid=,args='],
  /** Each process's executable (`/proc/N/exe` link targets; only the scanning user's own unless root). */
  processExes: ['find', '/proc', '-mindepth', '2', '-maxdepth', '2', '-name', 'exe', '-printf', '%h\\t%l\\n'],
  /** Web servers, PHP, MySQL and OpenSSL built from source under well-known prefixes (owner uid and path, one level). */
  findPrefixBins: [
    'find',
    '/usr/local/apache2/bin',
    '/usr/local/apache/bin',
    '/usr/local/httpd/bin',
    '/usr/local/nginx/sbin',
    '/usr/local/lighttpd/sbin',
    '/usr/local/php/bin',
    '/usr/local/php/sbin',
    '/usr/local/php5/bin',
    '/usr/local/php7/bin',
    '/usr/local/mysql/bin',
    '/usr/local/ssl/bin',
    '/opt/apache2/bin',
    '/opt/httpd/bin',
    '/opt/nginx/sbin',
    '/opt/php/bin',
    '/opt/lampp/bin',
    '-maxdepth',
    '1',
    '-printf',
    '%U\\t%p\\n',
  ],
  /** Which of the web servers' well-known main configuration files exist (one command instead of a read each). */
  findWebConfs: [
    'find',
    '/etc/httpd/conf/httpd.conf',
    '/etc/apache2/apache2.conf',
    '/etc/apache2/conf/httpd.conf',
    '/usr/local/apache2/conf/httpd.conf',
    '/usr/local/apache/conf/httpd.conf',
    '/opt/lampp/etc/httpd.conf',
    '/etc/nginx/nginx.conf',
    '/usr/local/nginx/conf/nginx.conf',
    '/opt/nginx/conf/nginx.conf',
    '/etc/lighttpd/lighttpd.conf',
    '/usr/local/etc/lighttpd/lighttpd.conf',
    '-maxdepth',
    '0',
    '-printf',
    '%p\\n',
  ],
  /**
   * `{webbin}`: an httpd/apache2/nginx/lighttpd binary under /usr or /opt found in the process list or a prefix.
   * Never with sudo (not in WANTS_ROOT): a tree under /opt may belong to an ordinary user, and running their
   * file as root would hand them root.
   */
  webBinV: ['{webbin}', '-V'],
  nginxV: ['nginx', '-V'],
  apache2V: ['apache2', '-V'],
  httpdV: ['httpd', '-V'],
  lighttpdV: ['lighttpd', '-v'],
  /** `{bin}` must match /^\/(usr|opt)\/[\w./+-]*\/php[\w.-]*$/: a php or php-fpm binary found by findPhp. */
  phpV: ['{bin}', '-v'],
  phpI: ['php', '-i'],
  findPhp: ['find', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '-maxdepth', '1', '-name', 'php*', '-printf', '%p\\n'],
  mysqldV: ['mysqld', '--version'],
  mariadbdV: ['mariadbd', '--version'],
  postgresV: ['postgres', '--version'],
  opensslV: ['openssl', 'version'],
} as const satisfies Record<string, readonly string[]>;

export type CommandId = keyof typeof ALLOWLIST;

/** Placeholder patterns: a value that does not match is refused before anything runs. */
export const PLACEHOLDERS: Record<string, RegExp> = {
  // Absolute path without NUL or newline; `..` segments refused.
  path: /^\/(?!.*(?:^|\/)\.\.(?:\/|$))[^\0\n]*$/,
  bytes: /^[1-9]\d{0,9}$/,
  depth: /^[1-9]\d?$/,
  bin: /^\/(usr|opt)\/[\w./+-]*\/php[\w.-]*$/,
  webbin: /^\/(usr|opt)\/(?!.*(?:^|\/)\.\.(?:\/|$))[\w./+-]*\/(httpd|apache2|nginx|openresty|lighttpd)$/,
  // Package names (dpkg/rpm), space separated when several: expanded to one argument each.
  names: /^[a-z0-9][a-z0-9+.:_-]*( [a-z0-9][a-z0-9+.:_-]*)*$/,
};

export type Params = Partial<Record<keyof typeof PLACEHOLDERS, string>>;

/** Commands that need root to give a full answer and get `sudo -n` with --sudo. */
export const WANTS_ROOT: ReadonlySet<CommandId> = new Set<CommandId>(['id', 'deletedMaps', 'readFile', 'walk', 'listDir', 'apache2V', 'httpdV', 'processExes']);

export class AllowlistError extends Error {
  override name = 'AllowlistError';
}

/** Placeholders whose value is a space-separated list, one argument each. */
const LISTS: ReadonlySet<string> = new Set(['names']);

/** The argument array for `id` with its placeholders filled; throws AllowlistError on a bad value. */
export function argv(id: CommandId, params: Params = {}): string[] {
  return fillTemplate(ALLOWLIST[id], PLACEHOLDERS, LISTS, params, (key, value) => new AllowlistError(`refused value for {${key}} in ${id}: ${JSON.stringify(value)}`));
}

/** Fixed environment for every command: C locale (parsable output) and a PATH that finds sbin tools. */
export const COMMAND_ENV = { LC_ALL: 'C', LANG: 'C', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' } as const;

/** Is `words` exactly an allowlisted argument array with acceptable values? (remote.ts checks what sshd received with it.) */
export function isAllowlistedWords(words: readonly string[]): boolean {
  return Object.keys(ALLOWLIST).some((id) => matchesTemplate(ALLOWLIST[id as CommandId], PLACEHOLDERS, LISTS, words));
}

