/**
 * A real Debian 12 root for the patch tests: debootstrap (minbase + busybox + iproute2) from the mirror apt
 * uses on this machine, cached under /var/cache/mamori-test keyed by ROOT_KEY (a fresh machine builds it once,
 * ~30 s), copied per test run. A local apt repository built by the test (dpkg-deb, apt-ftparchive) holds a
 * tiny service package `minihttpd` (busybox httpd behind an init script): 1.0-1 in `bookworm`, and whatever the
 * test publishes in `bookworm-security`. A real sshd in its own pid and mount namespace (unshare) runs every
 * received command chrooted into the root, so apt and dpkg there operate on the root, services started there
 * die with the sshd, and /proc shows only that namespace's processes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sshdMissing, startSshd } from '../host/sshd.js';
import { testShell, type PatchTarget } from './target.js';

/** Change when the root's recipe changes: a new key builds a new cached root. */
export const ROOT_KEY = 'debian-bookworm-minbase-busybox-iproute2-v1';
const CACHE = '/var/cache/mamori-test';

const has = (bin: string) => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, bin)));

export function debianRootMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (chroot, debootstrap, unshare)';
  for (const b of ['debootstrap', 'dpkg-deb', 'apt-ftparchive', 'unshare', 'chroot', 'ssh']) if (!has(b)) return `${b} not installed (scripts/system-deps.txt)`;
  return sshdMissing();
}

/** The Debian mirror apt uses on this machine (deb822 `URIs:` or a one-line `deb` entry), for debootstrap. */
function debianMirror(): string {
  const files = ['/etc/apt/sources.list', ...(existsSync('/etc/apt/sources.list.d') ? execFileSync('ls', ['/etc/apt/sources.list.d']).toString().split('\n').filter(Boolean).map((f) => `/etc/apt/sources.list.d/${f}`) : [])];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    const m = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+bookworm\b/m.exec(text);
    if (m) return m[1]!;
  }
  return 'http://deb.debian.org/debian';
}

/** The cached base root (built on first use; concurrent builders wait on a lock directory). */
export function baseRoot(): string {
  const dir = join(CACHE, ROOT_KEY);
  if (existsSync(join(dir, '.complete'))) return dir;
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, `${ROOT_KEY}.lock`);
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(join(dir, '.complete'))) return dir;
      if (i > 600) throw new Error(`${lock} held for 10 minutes: remove it if no build runs`);
      execFileSync('sleep', ['1']);
    }
  }
  try {
    if (existsSync(join(dir, '.complete'))) return dir;
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    execFileSync('debootstrap', ['--variant=minbase', '--include=busybox,iproute2', 'bookworm', tmp, debianMirror()], { stdio: 'ignore', timeout: 600_000 });
    writeFileSync(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export type MiniVersion = '1.0-1' | '1.0-2' | '1.0-3' | '1.0-4' | '1.0-5';

/**
 * minihttpd VERSION: 1.0-1 and 1.0-3 serve the page; 1.0-2 is the broken update (its docroot is gone: the
 * service does not come up); 1.0-4 needs minitools 2 (an upgrade outside the plan); 1.0-5 conflicts with
 * minitools (the update would remove it).
 */
function buildDeb(work: string, version: MiniVersion): string {
  const d = join(work, `minihttpd-${version}`);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(join(d, 'DEBIAN'), { recursive: true });
  mkdirSync(join(d, 'etc/init.d'), { recursive: true });
  mkdirSync(join(d, 'usr/share/minihttpd/www'), { recursive: true });
  const docroot = version === '1.0-2' ? '/usr/share/minihttpd/missing' : '/usr/share/minihttpd/www';
  const rel = version === '1.0-4' ? 'Depends: busybox, minitools (>= 2.0)\n' : version === '1.0-5' ? 'Depends: busybox\nConflicts: minitools\n' : 'Depends: busybox\n';
  writeFileSync(join(d, 'DEBIAN/control'), `Package: minihttpd\nVersion: ${version}\nArchitecture: all\nMaintainer: mamori tests <tests@example.invalid>\n${rel}Section: web\nPriority: optional\nDescription: tiny web service for the mamori patch tests\n`);
  writeFileSync(join(d, 'DEBIAN/postinst'), '#!/bin/sh\nset -e\nif [ "$1" = configure ] && [ -z "$MINIHTTPD_NOSTART" ]; then /etc/init.d/minihttpd restart; fi\nexit 0\n');
  chmodSync(join(d, 'DEBIAN/postinst'), 0o755);
  writeFileSync(
    join(d, 'etc/init.d/minihttpd'),
    [
      '#!/bin/sh',
      'PORT=$(cat /etc/minihttpd.port)',
      'case "$1" in',
      `start) start-stop-daemon --start --quiet --background --make-pidfile --pidfile /run/minihttpd.pid --exec /bin/busybox -- httpd -f -p 127.0.0.1:$PORT -h ${docroot} </dev/null >/dev/null 2>&1 ;;`,
      'stop) start-stop-daemon --stop --quiet --oknodo --retry 5 --pidfile /run/minihttpd.pid; rm -f /run/minihttpd.pid ;;',
      'restart) "$0" stop; "$0" start ;;',
      'esac',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(join(d, 'etc/init.d/minihttpd'), 0o755);
  writeFileSync(join(d, 'usr/share/minihttpd/www/index.html'), '<html><body>\n<h1>minihttpd</h1>\n<p>shop is open</p>\n</body></html>\n');
  const out = join(work, `minihttpd_${version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', d, out], { stdio: 'ignore' });
  return out;
}

/** minitools: a plain package with no service (1.0-1 installed; 2.0-1 a regular, non-security update). */
function buildTools(work: string, version: '1.0-1' | '2.0-1'): string {
  const d = join(work, `minitools-${version}`);
  mkdirSync(join(d, 'DEBIAN'), { recursive: true });
  mkdirSync(join(d, 'usr/share/minitools'), { recursive: true });
  writeFileSync(join(d, 'DEBIAN/control'), `Package: minitools\nVersion: ${version}\nArchitecture: all\nMaintainer: mamori tests <tests@example.invalid>\nSection: utils\nPriority: optional\nDescription: helper files for the mamori patch tests\n`);
  writeFileSync(join(d, 'usr/share/minitools/VERSION'), `${version}\n`);
  const out = join(work, `minitools_${version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', d, out], { stdio: 'ignore' });
  return out;
}

export interface DebianTarget extends PatchTarget {
  root: string;
  /** Publish this version in bookworm-security (1.0-1 stays in bookworm, so a rollback can reinstall it). */
  publishSecurity(version: MiniVersion): void;
}

function suite(repo: string, name: string, debs: string[]): void {
  const pool = join(repo, 'pool', name);
  rmSync(pool, { recursive: true, force: true });
  mkdirSync(pool, { recursive: true });
  for (const deb of debs) execFileSync('cp', [deb, pool]);
  const dist = join(repo, 'dists', name);
  const bin = join(dist, 'main/binary-amd64');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'Packages'), execFileSync('apt-ftparchive', ['packages', `pool/${name}`], { cwd: repo }));
  rmSync(join(dist, 'Release'), { force: true });
  const release = execFileSync('apt-ftparchive', ['-o', `APT::FTPArchive::Release::Suite=${name}`, '-o', `APT::FTPArchive::Release::Codename=${name}`, '-o', 'APT::FTPArchive::Release::Origin=mamori-test', '-o', 'APT::FTPArchive::Release::Architectures=amd64 all', '-o', 'APT::FTPArchive::Release::Components=main', 'release', dist]);
  writeFileSync(join(dist, 'Release'), release);
}

/** A copy of the base root with minihttpd 1.0-1 installed and running (inside the sshd's namespaces), reachable over SSH. */
export async function startDebianTarget(): Promise<DebianTarget> {
  const base = baseRoot();
  const work = mkdtempSync(join(tmpdir(), 'mamori-patch-'));
  const root = join(work, 'root');
  execFileSync('cp', ['-a', '--reflink=auto', base, root]);
  const debs = Object.fromEntries((['1.0-1', '1.0-2', '1.0-3', '1.0-4', '1.0-5'] as const).map((v) => [v, buildDeb(work, v)])) as Record<MiniVersion, string>;
  const repo = join(root, 'srv/repo');
  suite(repo, 'bookworm', [debs['1.0-1'], buildTools(work, '1.0-1')]);
  suite(repo, 'bookworm-updates', [buildTools(work, '2.0-1')]);
  suite(repo, 'bookworm-security', []);
  // No network from the root: only the local repository.
  rmSync(join(root, 'etc/apt/sources.list.d'), { recursive: true, force: true });
  mkdirSync(join(root, 'etc/apt/sources.list.d'));
  writeFileSync(join(root, 'etc/apt/sources.list'), 'deb [trusted=yes] file:/srv/repo bookworm main\ndeb [trusted=yes] file:/srv/repo bookworm-updates main\ndeb [trusted=yes] file:/srv/repo bookworm-security main\n');
  const port = await freePort();
  writeFileSync(join(root, 'etc/minihttpd.port'), `${port}\n`);
  execFileSync('chroot', [root, '/bin/sh', '-c', 'apt-get -q update && MINIHTTPD_NOSTART=1 DEBIAN_FRONTEND=noninteractive apt-get -y -q install minihttpd minitools=1.0-1'], { stdio: 'ignore', timeout: 300_000 });
  const sshd = await startSshd({
    wrap: (argv) => ['unshare', '--pid', '--fork', '--mount', '--kill-child', '--mount-proc', '/bin/sh', '-c', `mount -t proc proc '${root}/proc' && exec "$@"`, 'sh', ...argv],
    exec: `exec /usr/sbin/chroot '${root}' /bin/sh -c "$SSH_ORIGINAL_COMMAND"`,
    // unshare ignores SIGTERM while it waits; SIGKILL takes the whole namespace (sshd, sessions, services) with it.
    stopSignal: 'SIGKILL',
  });
  const sh = testShell(sshd);
  sh('/etc/init.d/minihttpd start');
  return {
    root,
    sshd,
    port,
    target: `root@127.0.0.1:${sshd.port}`,
    publishSecurity: (v) => suite(repo, 'bookworm-security', [debs[v]]),
    sh,
    stop: async () => {
      await sshd.stop();
      // The namespace (and its /proc mount and services) ended with the sshd: nothing is mounted below root.
      execFileSync('rm', ['-rf', '--one-file-system', work]);
    },
  };
}
