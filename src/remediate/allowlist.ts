/**
 * THE apply allowlist: every command `mamori patch apply` runs on a server, and the only place mutating
 * commands live. The scan allowlist (src/collect/transport/allowlist.ts) stays read-only and is never used
 * to change anything. Same rules as there: argument arrays, placeholders filled only with values that pass
 * their pattern, rendered over SSH by the transport's own invocation script (src/collect/transport/remote.ts). Reviewers: a line here is a change made to a
 * customer's server; keep each to what an administrator would type during maintenance.
 */
import { commandWords, parseInvocation } from '../collect/transport/remote.js';
import { fillTemplate, matchesTemplate } from '../collect/transport/template.js';

/** The lock that keeps two applies apart on one server (mkdir is atomic; rmdir releases it). */
export const LOCK_DIR = '/var/lock/mamori-patch.lock';

export const APPLY_ALLOWLIST = {
  // --- read-only checks ---
  whoami: ['id', '-u'],
  diskFree: ['df', '-P', '-k', '/', '/var'],
  /** Locks held on the machine (util-linux): is a package manager running? */
  locks: ['lslocks', '--noheadings', '--output', 'PATH'],
  dpkgVersions: ['dpkg-query', '-W', '-f', '${Package}\\t${Version}\\t${db:Status-Abbrev}\\n', '{names}'],
  rpmVersions: ['rpm', '-q', '--qf', '%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\n', '{names}'],
  listening: ['ss', '-tln'],
  deletedMaps: ['find', '/proc', '-mindepth', '2', '-maxdepth', '2', '-name', 'maps', '-exec', 'grep', '-H', '-F', '(deleted)', '{}', '+'],
  /** Simulations: show what would change, change nothing. */
  aptSimulate: ['apt-get', '-s', '-q', '-o', 'Debug::NoLocking=1', 'install', '--only-upgrade', '{names}'],
  dnfSimulate: ['dnf', '--assumeno', 'upgrade', '{names}'],
  yumSimulate: ['yum', '--assumeno', 'update', '{names}'],
  yumHistoryLast: ['yum', '-q', 'history', 'list'],
  dnfHistoryLast: ['dnf', '-q', 'history', 'list'],
  // --- mutating ---
  lockAcquire: ['mkdir', LOCK_DIR],
  lockRelease: ['rmdir', LOCK_DIR],
  aptUpdate: ['apt-get', '-q', 'update'],
  aptUpgrade: ['apt-get', '-y', '-q', '-o', 'DPkg::Lock::Timeout=60', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', 'install', '--only-upgrade', '{names}'],
  /** Rollback: the recorded versions (`name=version`), downgrades allowed. */
  aptReinstall: ['apt-get', '-y', '-q', '-o', 'DPkg::Lock::Timeout=60', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '--allow-downgrades', 'install', '{pins}'],
  dnfUpgrade: ['dnf', '-y', '-q', 'upgrade', '{names}'],
  yumUpgrade: ['yum', '-y', '-q', 'update', '{names}'],
  dnfUndo: ['dnf', '-y', '-q', 'history', 'undo', '{txid}'],
  yumUndo: ['yum', '-y', '-q', 'history', 'undo', '{txid}'],
  restart: ['service', '{service}', 'restart'],
} as const satisfies Record<string, readonly string[]>;

export type ApplyCommandId = keyof typeof APPLY_ALLOWLIST;

/** The ids that change the server (everything else only reads). */
export const MUTATING: ReadonlySet<ApplyCommandId> = new Set<ApplyCommandId>(['lockAcquire', 'lockRelease', 'aptUpdate', 'aptUpgrade', 'aptReinstall', 'dnfUpgrade', 'yumUpgrade', 'dnfUndo', 'yumUndo', 'restart']);

const NAME = '[a-z0-9][a-z0-9+._-]*(?::[a-z0-9]+)?';
export const APPLY_PLACEHOLDERS = {
  names: new RegExp(`^${NAME}( ${NAME})*$`),
  /** name=version (dpkg/rpm version characters only). */
  pins: new RegExp(`^${NAME}=[A-Za-z0-9.+~:_-]+( ${NAME}=[A-Za-z0-9.+~:_-]+)*$`),
  service: /^[a-zA-Z0-9][a-zA-Z0-9@._-]{0,63}$/,
  txid: /^[1-9]\d{0,8}$/,
} as const;

export type ApplyParams = Partial<Record<keyof typeof APPLY_PLACEHOLDERS, string>>;

export class ApplyAllowlistError extends Error {
  override name = 'ApplyAllowlistError';
}

/** Placeholders whose value is a space-separated list, one argument each (always a template's last part). */
const LISTS: ReadonlySet<string> = new Set(['names', 'pins']);

/** The argument array of an apply command; throws ApplyAllowlistError on a value that does not pass. */
export function applyArgv(id: ApplyCommandId, params: ApplyParams = {}): string[] {
  return fillTemplate(APPLY_ALLOWLIST[id], APPLY_PLACEHOLDERS, LISTS, params, (key, value) => new ApplyAllowlistError(`refused value for {${key}} in ${id}: ${JSON.stringify(value)}`));
}

/** What package scripts must not ask, added to the transport's fixed environment (C locale, PATH). */
export const APPLY_ENV: Readonly<Record<string, string>> = { DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'l' };
const ENV_EXTRA = ['env', ...Object.entries(APPLY_ENV).map(([k, v]) => `${k}=${v}`)];

/** The argument array the transport runs for an apply command: `env DEBIAN_FRONTEND=noninteractive … argv`. */
export const applyCommandArgs = (args: readonly string[]): string[] => [...ENV_EXTRA, ...args];

/** Which apply command `words` (as the remote /bin/sh runs them, transport environment included) is, if any. */
export function applyCommandId(words: readonly string[]): ApplyCommandId | undefined {
  let rest = words;
  if (rest[0] === 'sudo' && rest[1] === '-n') rest = rest.slice(2);
  const prefix = commandWords({ args: ENV_EXTRA, sudo: false });
  if (prefix.some((w, i) => rest[i] !== w)) return undefined;
  rest = rest.slice(prefix.length);
  return (Object.keys(APPLY_ALLOWLIST) as ApplyCommandId[]).find((id) => matchesTemplate(APPLY_ALLOWLIST[id], APPLY_PLACEHOLDERS, LISTS, rest));
}

/** The apply commands of an invocation as sshd received it; undefined when any of its commands is not one. */
export function applyCommandsOf(command: string): ApplyCommandId[] | undefined {
  const inv = parseInvocation(command);
  if (!inv) return undefined;
  const ids = inv.commands.map(applyCommandId);
  return ids.every((x): x is ApplyCommandId => x !== undefined) ? ids : undefined;
}
