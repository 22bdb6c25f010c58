/** The collectors over captured real outputs of CentOS 5, 6, 7, Rocky 9, Ubuntu 22.04 and Alpine 3.19. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectHost } from '../../src/collect/host/index.js';
import { FixtureTransport } from './fixture-transport.js';
import { blindsOfGap, coverageFinding, coverageOf } from '../../src/fleet/coverage.js';

const scan = (system: string) => collectHost(new FixtureTransport(system), { docroots: [] });
const gapWhy = (r: Awaited<ReturnType<typeof scan>>) => r.gaps.map((g) => `${g.what}: ${g.why}`).join('\n');

test('CentOS 5: redhat-release only, rpm with (none) epochs, yum without updateinfo', async () => {
  const r = await scan('centos5');
  assert.deepEqual({ ...r.inventory.os, detectedBy: undefined }, { family: 'centos', name: 'CentOS release 5.11 (Final)', version: '5.11', codename: 'Final', detectedBy: undefined });
  const bash = r.inventory.packages.find((p) => p.name === 'bash')!;
  assert.deepEqual({ v: bash.version, epoch: bash.epoch, src: bash.source, sv: bash.sourceVersion, tp: bash.thirdParty }, { v: '3.2-33.el5_11.4', epoch: undefined, src: 'bash', sv: '3.2-33.el5_11.4', tp: undefined });
  assert.ok(!r.inventory.packages.some((p) => p.name === 'gpg-pubkey'), 'signing keys are not packages');
  assert.deepEqual(r.inventory.pendingUpdates.map((u) => [u.package, u.installed, u.candidate, u.security]), [['bash', '3.2-33.el5_11.4', '3.2-33.el5_11.5', false]]);
  assert.match(gapWhy(r), /security advisories \(yum updateinfo\)/);
  assert.match(gapWhy(r), /CentOS repositories publish no updateinfo/);
  assert.equal(r.inventory.kernel?.running, '2.6.18-419.el5');
  assert.equal(r.inventory.kernel?.newestInstalled, '2.6.18-419.el5');
  assert.equal(r.inventory.kernel?.rebootRequired, false);
  const httpd = r.inventory.components.find((c) => c.name === 'apache-httpd')!;
  assert.deepEqual([httpd.version, httpd.distroBuild, httpd.package], ['2.2.3', true, 'httpd']);
  const php = r.inventory.components.find((c) => c.name === 'php')!;
  assert.deepEqual([php.version, php.distroBuild], ['5.1.6', true]);
  assert.equal(r.inventory.components.find((c) => c.name === 'openssl')?.version, '0.9.8e');
  const apache = r.web.configs.find((c) => c.server === 'apache-httpd')!;
  assert.deepEqual(apache.files, ['/etc/httpd/conf/httpd.conf', '/etc/httpd/conf.d/ssl.conf']);
  const vhost = apache.sites.find((s) => s.root === '/var/www/shop')!;
  assert.deepEqual([vhost.names, vhost.listen, vhost.tlsProtocols], [['shop.example.jp:443'], ['_default_:443'], 'all -SSLv2']);
  assert.deepEqual(r.inventory.docroots?.map((d) => d.path), []);
  assert.match(gapWhy(r), /document root \/var\/www\/html: cannot walk/);
});

test('CentOS 6: nginx from EPEL is third party; includes resolved; deny locations', async () => {
  const r = await scan('centos6');
  assert.equal(r.inventory.os?.version, '6.10');
  const nginx = r.inventory.packages.find((p) => p.name === 'nginx')!;
  assert.deepEqual([nginx.thirdParty, nginx.repository], [true, 'epel']);
  const comp = r.inventory.components.find((c) => c.name === 'nginx')!;
  assert.equal(comp.version, '1.10.2');
  assert.equal(comp.distroBuild, undefined, 'an EPEL build is not covered by CentOS advisories');
  assert.equal(comp.package, 'nginx');
  const ng = r.web.configs.find((c) => c.server === 'nginx')!;
  assert.deepEqual(ng.files, ['/etc/nginx/nginx.conf', '/etc/nginx/mime.types', '/etc/nginx/conf.d/shop.conf']);
  const site = ng.sites[0]!;
  assert.deepEqual([site.root, site.names, site.listen, site.tlsProtocols], ['/var/www/eccube/html', ['shop.example.jp'], ['80 default_server'], 'TLSv1 TLSv1.1 TLSv1.2']);
  assert.deepEqual(site.denies.map((d) => `${d.modifier} ${d.pattern}`), ['~ /\\.ht', '^~ /upload/csv/']);
  assert.equal(r.inventory.components.find((c) => c.name === 'mysql')?.version, '5.1.73');
  assert.deepEqual(r.inventory.pendingUpdates.map((u) => u.package), ['tzdata']);
  assert.equal(r.inventory.kernel?.rebootRequired, false);
});

test('CentOS 7: point release from centos-release, Remi and EPEL marked, reboot from needs-restarting, not root', async () => {
  const r = await scan('centos7');
  assert.deepEqual([r.inventory.os?.family, r.inventory.os?.version, r.inventory.os?.codename], ['centos', '7.9.2009', 'Core']);
  const php = r.inventory.packages.find((p) => p.name === 'php-cli')!;
  assert.deepEqual([php.thirdParty, php.repository, php.release], [true, 'remi', '40.el7.remi']);
  assert.equal(r.inventory.packages.find((p) => p.name === 'php74-php-cli')?.repository, 'remi');
  assert.equal(r.inventory.packages.find((p) => p.name === 'epel-release')?.repository, 'epel');
  const ssl = r.inventory.packages.find((p) => p.name === 'openssl-libs')!;
  assert.deepEqual([ssl.version, ssl.epoch, ssl.source, ssl.thirdParty], ['1:1.0.2k-25.el7_9', '1', 'openssl', undefined]);
  const phpComp = r.inventory.components.find((c) => c.name === 'php')!;
  assert.deepEqual([phpComp.version, phpComp.distroBuild, phpComp.package], ['5.6.40', undefined, 'php-cli'], 'Remi PHP is matched upstream');
  assert.equal(r.inventory.components.find((c) => c.name === 'apache-httpd')?.distroBuild, true);
  assert.equal(r.inventory.components.find((c) => c.name === 'mariadb')?.version, '5.5.68');
  assert.equal(r.inventory.kernel?.newestInstalled, '3.10.0-1160.114.2.el7.x86_64');
  assert.equal(r.inventory.kernel?.rebootRequired, true);
  assert.match(gapWhy(r), /replaced libraries: needs root/);
  assert.deepEqual(r.inventory.pendingUpdates.map((u) => `${u.package} ${u.installed} → ${u.candidate}`), [
    'httpd 2.4.6-97.el7.centos.5 → 2.4.6-99.el7.centos.1',
    'kernel 3.10.0-1160.114.2.el7 → 3.10.0-1160.119.1.el7',
    'openssl 1:1.0.2k-25.el7_9 → 1:1.0.2k-26.el7_9',
    'openssl-libs 1:1.0.2k-25.el7_9 → 1:1.0.2k-26.el7_9',
  ]);
  const apache = r.web.configs.find((c) => c.server === 'apache-httpd')!;
  const shop = apache.sites.find((s) => s.root === '/home/shop/public_html')!;
  assert.deepEqual(shop.denies.map((d) => d.pattern), ['/home/shop/public_html/data']);
  assert.ok(apache.denies.some((d) => d.kind === 'apache-files' && d.pattern === '.ht*'));
});

test('Rocky 9: dnf security advisories, kernel-core, processes on deleted libraries', async () => {
  const r = await scan('rocky9');
  assert.deepEqual([r.inventory.os?.family, r.inventory.os?.version, r.inventory.os?.codename], ['rocky', '9.3', 'Blue Onyx']);
  const pend = r.inventory.pendingUpdates;
  assert.deepEqual(pend.map((u) => [u.package, u.security, u.advisories?.join(',') ?? '']), [
    ['curl', false, ''],
    ['openssl', true, 'RLSA-2024:0310'],
    ['openssl-libs', true, 'RLSA-2024:0310'],
  ]);
  const f = r.findings.filter((x) => x.source === 'host:rpm-pending');
  // One finding per source RPM (openssl and openssl-libs both come from openssl), one command for both.
  assert.deepEqual(f.map((x) => [x.component?.name, x.remediation.command]), [['openssl', 'yum update openssl openssl-libs']]);
  assert.deepEqual((f[0]!.evidence as { advisories?: string[] }).advisories, ['RLSA-2024:0310']);
  // The same as data: Rocky 9 updates with dnf; nothing parses the command string.
  assert.deepEqual(f[0]!.remediation.update, {
    tool: 'dnf',
    packages: [
      { name: 'openssl', from: r.inventory.pendingUpdates.find((u) => u.package === 'openssl')!.installed, to: r.inventory.pendingUpdates.find((u) => u.package === 'openssl')!.candidate, arch: 'x86_64' },
      { name: 'openssl-libs', from: r.inventory.pendingUpdates.find((u) => u.package === 'openssl-libs')!.installed, to: r.inventory.pendingUpdates.find((u) => u.package === 'openssl-libs')!.candidate, arch: 'x86_64' },
    ],
    advisories: ['RLSA-2024:0310'],
    restart: [],
    reboot: false,
  });
  const restart = r.findings.find((x) => x.source === 'host:proc-maps')!;
  assert.deepEqual([restart.title, restart.evidence?.pids], ['nginx still uses replaced libraries: restart it', [812]]);
  assert.deepEqual(restart.remediation.update, { packages: [], advisories: [], restart: ['nginx'], reboot: false });
  assert.equal(r.inventory.kernel?.newestInstalled, '5.14.0-362.13.1.el9_3.x86_64');
  assert.equal(r.inventory.kernel?.rebootRequired, false, 'needs-restarting -r says no (exit 0)');
  assert.deepEqual(r.inventory.kernel?.staleProcesses, [{ pid: 812, command: 'nginx', libraries: ['/usr/lib64/libcrypto.so.3.0.7'] }]);
  const nginx = r.inventory.components.find((c) => c.name === 'nginx')!;
  assert.deepEqual([nginx.version, nginx.distroBuild, nginx.package], ['1.20.1', true, 'nginx']);
});

test('Ubuntu 22.04: dpkg installed only, multi-arch, sury PPA, security origins from apt simulation', async () => {
  const r = await scan('ubuntu2204');
  assert.deepEqual([r.inventory.os?.family, r.inventory.os?.version, r.inventory.os?.codename], ['ubuntu', '22.04.3', 'jammy']);
  const names = r.inventory.packages.map((p) => `${p.name}:${p.arch}`);
  assert.ok(!names.includes('old-removed:amd64'), 'config-files only is not installed');
  assert.ok(names.includes('libc6:amd64') && names.includes('libc6:i386'));
  const vim = r.inventory.packages.find((p) => p.name === 'vim-tiny')!;
  assert.deepEqual([vim.source, vim.sourceVersion], ['vim', '2:8.2.3995-1ubuntu2.12']);
  const php = r.inventory.packages.find((p) => p.name === 'php8.1-cli')!;
  assert.deepEqual([php.thirdParty, php.repository], [true, 'ppa:ondrej/php']);
  assert.equal(r.inventory.packages.find((p) => p.name === 'apache2')?.thirdParty, undefined);
  const sec = r.inventory.pendingUpdates.filter((u) => u.security).map((u) => `${u.package}/${u.arch} ${u.candidate} ${u.repository}`);
  assert.deepEqual(sec, ['libc6/amd64 2.35-0ubuntu3.6 jammy-security', 'libc6/i386 2.35-0ubuntu3.6 jammy-security', 'libssl3/amd64 3.0.2-0ubuntu1.12 jammy-security', 'openssl/amd64 3.0.2-0ubuntu1.12 jammy-security']);
  assert.deepEqual(r.inventory.pendingUpdates.filter((u) => !u.security).map((u) => u.package), ['tzdata']);
  assert.ok(!r.inventory.pendingUpdates.some((u) => u.package.startsWith('linux-image-5.15.0-94')), 'a new package is not an update');
  assert.equal(r.inventory.pendingUpdates.find((u) => u.package === 'libssl3')?.source, 'openssl');
  assert.equal(r.inventory.kernel?.rebootRequired, true);
  assert.equal(r.inventory.kernel?.newestInstalled, '5.15.0-91-generic');
  assert.ok(r.findings.some((f) => f.source === 'host:kernel' && f.category === 'missing-security-update'), 'reboot finding');
  assert.deepEqual(r.findings.find((f) => f.source === 'host:kernel')!.remediation.update, { packages: [], advisories: [], restart: [], reboot: true });
  assert.deepEqual(
    r.findings.filter((f) => f.source === 'host:dpkg-pending').map((f) => [f.remediation.update?.tool, f.remediation.update?.packages.map((p) => `${p.name}:${p.arch} ${p.to}`)]).sort(),
    [
      ['apt', ['libc6:amd64 2.35-0ubuntu3.6']],
      ['apt', ['libssl3:amd64 3.0.2-0ubuntu1.12', 'openssl:amd64 3.0.2-0ubuntu1.12']],
    ].sort(),
  );
  const upd = r.findings.filter((f) => f.source === 'host:dpkg-pending').map((f) => f.remediation.command);
  // One finding per source package: libssl3 and openssl both come from openssl.
  assert.deepEqual(upd.sort(), ['apt-get install --only-upgrade libc6', 'apt-get install --only-upgrade libssl3 openssl']);
  assert.equal(new Set(r.findings.map((f) => f.id)).size, r.findings.length, 'ids are unique');
  // The CLI's expose_php does not reach visitors; mod_php's (apache2/php.ini) does.
  assert.deepEqual(r.findings.filter((f) => f.source === 'host:php-ini').map((f) => f.title), ['expose_php = On in /etc/php/8.1/apache2/php.ini']);
  const phpc = r.inventory.components.find((c) => c.name === 'php')!;
  assert.deepEqual([phpc.version, phpc.distroBuild, phpc.package, phpc.location], ['8.1.26', undefined, 'php8.1-cli', '/usr/bin/php'], 'sury PHP is not a distro build');
  assert.equal(r.web.php.find((p) => p.binary === '/usr/bin/php')?.exposePhp, 'On');
  assert.equal(r.inventory.components.find((c) => c.name === 'mysql')?.version, '8.0.35');
  assert.deepEqual(r.inventory.components.find((c) => c.name === 'apache-httpd')?.package, 'apache2');
  const apache = r.web.configs.find((c) => c.server === 'apache-httpd')!;
  assert.deepEqual(apache.sites.map((s) => [s.root, s.listen.join(' '), s.tlsProtocols ?? '']), [
    ['/var/www/html', '*:80', ''],
    ['/var/www/html', '*:443', 'all -SSLv3 -TLSv1 -TLSv1.1'],
  ]);
  assert.deepEqual(apache.sites[0]!.aliases, [{ url: '/pma', path: '/usr/share/phpmyadmin' }]);
});

test('Alpine 3.19: apk database, kernel from linux-lts, upgradable without security flag', async () => {
  const r = await scan('alpine319');
  assert.deepEqual([r.inventory.os?.family, r.inventory.os?.version], ['alpine', '3.19.1']);
  assert.deepEqual(r.inventory.packages.map((p) => `${p.name} ${p.version} ${p.source}`), ['libcrypto3 3.1.4-r3 openssl', 'linux-lts 6.6.14-r0 linux-lts', 'musl 1.2.4_git20230717-r4 musl', 'nginx 1.24.0-r15 nginx']);
  assert.deepEqual(r.inventory.pendingUpdates.map((u) => [u.package, u.installed, u.candidate, u.security]), [['libcrypto3', '3.1.4-r3', '3.1.4-r5', false]]);
  assert.equal(r.inventory.kernel?.newestInstalled, '6.6.14-0-lts');
  assert.equal(r.inventory.kernel?.rebootRequired, false);
  assert.match(gapWhy(r), /nginx configuration: \/etc\/nginx\/nginx.conf: missing/);
});

test('an unknown system: gaps with reasons, no crash', async () => {
  const r = await scan('empty-system-that-does-not-exist');
  assert.equal(r.inventory.os, undefined);
  assert.deepEqual(r.inventory.packages, []);
  assert.match(gapWhy(r), /^os: no \/etc\/os-release/m);
  assert.match(gapWhy(r), /no package manager found/);
  assert.match(gapWhy(r), /kernel: uname -r failed/);
});

test("Ubuntu 22.04 with mod_php's php.ini unreadable (not root): a gap naming the file, no ini finding, and the earlier finding kept open", async () => {
  const INI = '/etc/php/8.1/apache2/php.ini';
  const before = await scan('ubuntu2204');
  const earlier = before.findings.find((f) => f.source === 'host:php-ini' && f.location === INI);
  assert.ok(earlier, 'the readable ini gives its expose_php finding');
  assert.ok(!before.gaps.some((g) => g.message?.code === 'host.gap.why.phpIni'), 'a readable (or absent) ini is not a gap');
  // What the SSH transport answers as a non-root user for a 0600 file: denied.
  class Denied extends FixtureTransport {
    override readFile(path: string, maxBytes: number): ReturnType<FixtureTransport['readFile']> {
      return path === INI ? Promise.resolve({ ok: false, failure: 'denied', detail: 'Permission denied' }) : super.readFile(path, maxBytes);
    }
  }
  const r = await collectHost(new Denied('ubuntu2204'), { docroots: [] });
  assert.ok(!r.findings.some((f) => f.source === 'host:php-ini'), 'no settings finding from a file not read');
  const gap = r.gaps.find((g) => g.message?.code === 'host.gap.why.phpIni');
  assert.ok(gap, gapWhy(r));
  assert.deepEqual([gap.code, gap.what], ['host.gap.read', INI]);
  assert.match(gap.why, /denied: Permission denied/);
  // The fleet history must not resolve the earlier finding on this scan, and nothing else is blinded by it.
  const blinds = blindsOfGap(gap, 'host', 'web1');
  assert.deepEqual(blinds.map((b) => [b.area, b.component, b.path]), [['web', 'php', INI]]);
  const cov = coverageOf({ target: { kind: 'host', name: 'web1' }, gaps: r.gaps, inventory: r.inventory } as Parameters<typeof coverageOf>[0]);
  assert.equal(cov.covers(coverageFinding(earlier)), false, 'the earlier expose_php finding is not checked');
  const others = before.findings.filter((f) => f.source !== 'host:php-ini');
  assert.ok(others.length > 0 && others.every((f) => cov.covers(coverageFinding(f))), 'the other findings of the scan are still checked');
});
