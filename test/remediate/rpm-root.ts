/**
 * An rpm "host" for the dnf path of the patch tests: a real rpm database and a real dnf (Debian's `dnf`,
 * `createrepo-c`, `rpm`) operating on a root directory with `--installroot`, and a local repository the test
 * builds (rpmbuild, createrepo_c, modifyrepo_c with an updateinfo.xml security advisory). There is no RPM
 * distribution to chroot into (its base packages come only from non-Debian archives), so the sshd runs in
 * its own mount and pid namespace where `dnf`, `rpm` and `service` in /usr/local/sbin (first in mamori's PATH)
 * are wrappers pointing at the root, /etc/os-release says Rocky Linux 9, and /var/lock is private. The
 * commands mamori sends are the real allowlisted ones; only what they operate on is redirected.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sshdMissing, startSshd } from '../host/sshd.js';
import { testShell, type PatchTarget } from './target.js';

const has = (bin: string) => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, bin)));

export function rpmRootMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (unshare, mount namespaces)';
  for (const b of ['dnf', 'rpm', 'rpmbuild', 'createrepo_c', 'modifyrepo_c', 'unshare', 'busybox', 'start-stop-daemon', 'ssh']) if (!has(b)) return `${b} not installed (scripts/system-deps.txt)`;
  return sshdMissing();
}

export type RpmVersion = '1.0-1' | '1.0-2' | '1.0-3';

export interface RpmTarget extends PatchTarget {
  root: string;
  /** Publish VERSION with a security advisory (1.0-1 stays in the repository for the rollback). */
  publishSecurity(version: RpmVersion): void;
}

function buildRpm(work: string, version: RpmVersion, out: string): void {
  const [v, r] = version.split('-') as [string, string];
  const spec = join(work, `minihttpd-${version}.spec`);
  // 1.0-2 is the broken update: it ships no page (the site answers 404).
  const page = version === '1.0-2' ? '' : `printf '<html><body>\\n<h1>minihttpd</h1>\\n<p>shop is open</p>\\n</body></html>\\n' > %{buildroot}/usr/share/minihttpd/index.html\n`;
  writeFileSync(
    spec,
    [
      'Name: minihttpd',
      `Version: ${v}`,
      `Release: ${r}`,
      'Summary: tiny web service for the mamori patch tests',
      'License: MIT',
      'BuildArch: noarch',
      '%description',
      'tiny web service for the mamori patch tests',
      '%install',
      'mkdir -p %{buildroot}/usr/share/minihttpd',
      `echo ${version} > %{buildroot}/usr/share/minihttpd/VERSION`,
      page,
      '%files',
      '/usr/share/minihttpd',
      '',
    ].join('\n'),
  );
  execFileSync('rpmbuild', ['--quiet', '--define', `_topdir ${join(work, 'rpmbuild')}`, '--define', `_rpmdir ${out}`, '-bb', spec], { stdio: 'ignore' });
}

const updateinfo = (version: RpmVersion) => {
  const [v, r] = version.split('-');
  return `<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="tests@example.invalid" status="final" type="security" version="1">
    <id>RLSA-2026:${r!.padStart(4, '0')}</id>
    <title>Important: minihttpd security update</title>
    <issued date="2026-11-01 00:00:00"/>
    <severity>Important</severity>
    <references><reference href="https://example.invalid/CVE-2026-0001" id="CVE-2026-0001" type="cve" title="CVE-2026-0001"/></references>
    <pkglist><collection short="local"><name>local</name>
      <package name="minihttpd" version="${v}" release="${r}" epoch="0" arch="noarch" src="minihttpd-${version}.src.rpm"><filename>minihttpd-${version}.noarch.rpm</filename></package>
    </collection></pkglist>
  </update>
</updates>
`;
};

export async function startRpmTarget(): Promise<RpmTarget> {
  const work = mkdtempSync(join(tmpdir(), 'mamori-patch-rpm-'));
  const root = join(work, 'root');
  const repo = join(work, 'repo');
  const pool = join(work, 'pool');
  for (const d of [root, repo, pool, join(root, 'etc/yum.repos.d'), join(root, 'etc/init.d'), join(root, 'run'), join(work, 'sbin'), join(work, 'lock')]) mkdirSync(d, { recursive: true });
  for (const v of ['1.0-1', '1.0-2', '1.0-3'] as const) buildRpm(work, v, pool);
  const publish = (versions: RpmVersion[], security?: RpmVersion) => {
    execFileSync('rm', ['-rf', repo]);
    mkdirSync(repo);
    for (const v of versions) execFileSync('cp', [join(pool, 'noarch', `minihttpd-${v}.noarch.rpm`), repo]);
    execFileSync('createrepo_c', ['-q', repo]);
    if (security) {
      writeFileSync(join(work, 'updateinfo.xml'), updateinfo(security));
      execFileSync('modifyrepo_c', ['--mdtype=updateinfo', join(work, 'updateinfo.xml'), join(repo, 'repodata')], { stdio: 'ignore' });
    }
  };
  publish(['1.0-1']);
  writeFileSync(join(root, 'etc/yum.repos.d/local.repo'), `[local]\nname=local\nbaseurl=file://${repo}\nenabled=1\ngpgcheck=0\nmetadata_expire=0\n`);
  const port = await freePort();
  // The service: busybox httpd on the root's page, started by an init script in the root.
  writeFileSync(
    join(root, 'etc/init.d/minihttpd'),
    [
      '#!/bin/sh',
      `R='${root}'`,
      'case "$1" in',
      `start) start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$R/run/minihttpd.pid" --exec /bin/busybox -- httpd -f -p 127.0.0.1:${port} -h "$R/usr/share/minihttpd" </dev/null >/dev/null 2>&1 ;;`,
      'stop) start-stop-daemon --stop --quiet --oknodo --retry 5 --pidfile "$R/run/minihttpd.pid"; rm -f "$R/run/minihttpd.pid" ;;',
      'restart) "$0" stop; "$0" start ;;',
      'esac',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(join(root, 'etc/init.d/minihttpd'), 0o755);
  const wrap = (name: string, body: string) => {
    writeFileSync(join(work, 'sbin', name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(work, 'sbin', name), 0o755);
  };
  // Debian's rpm keeps its database under $HOME (~/.rpmdb): one HOME for every caller keeps it one database.
  wrap('dnf', `HOME=/root exec /usr/bin/dnf --installroot='${root}' --releasever=9 --nogpgcheck --setopt=install_weak_deps=0 --setopt=reposdir='${root}/etc/yum.repos.d' "$@"`);
  wrap('rpm', `HOME=/root exec /usr/bin/rpm --root '${root}' "$@"`);
  wrap('service', `exec '${root}/etc/init.d/'"$1" "$2"`);
  writeFileSync(join(work, 'os-release'), 'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n');
  execFileSync(join(work, 'sbin', 'dnf'), ['-y', '-q', 'install', 'minihttpd'], { stdio: 'ignore', timeout: 300_000 });
  const mounts = [`mount --bind '${join(work, 'sbin')}' /usr/local/sbin`, `mount --bind '${join(work, 'os-release')}' /etc/os-release`, `mount --bind '${join(work, 'lock')}' /var/lock`].join(' && ');
  const sshd = await startSshd({
    wrap: (argv) => ['unshare', '--pid', '--fork', '--mount', '--kill-child', '--mount-proc', '/bin/sh', '-c', `${mounts} && exec "$@"`, 'sh', ...argv],
    stopSignal: 'SIGKILL',
  });
  const sh = testShell(sshd, 'PATH=/usr/local/sbin:$PATH; ');
  sh('service minihttpd start');
  return {
    root,
    sshd,
    port,
    target: `root@127.0.0.1:${sshd.port}`,
    publishSecurity: (v) => publish(v === '1.0-1' ? ['1.0-1'] : ['1.0-1', v], v === '1.0-1' ? undefined : v),
    sh,
    stop: async () => {
      await sshd.stop();
      execFileSync('rm', ['-rf', '--one-file-system', work]);
    },
  };
}
