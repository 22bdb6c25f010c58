import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aptThirdParty, isSecuritySource, parseAptPolicy, parseDpkgQuery, parseRpmQuery } from './packages.js';
import { parseUpdateinfoSecurity, parseYumCheckUpdate, splitNevra } from './pending.js';

test('security suites: Debian 11+, Debian ≤10 /updates, Ubuntu, Ubuntu ESM; not -updates', () => {
  for (const s of [
    'http://deb.debian.org/debian-security bookworm-security/main amd64 Packages',
    'http://security.debian.org buster/updates/main amd64 Packages',
    'http://security.ubuntu.com/ubuntu jammy-security/main amd64 Packages',
    'https://esm.ubuntu.com/infra/ubuntu xenial-infra-security/main amd64 Packages',
  ])
    assert.equal(isSecuritySource(s), true, s);
  for (const s of ['http://deb.debian.org/debian bookworm-updates/main amd64 Packages', 'http://archive.ubuntu.com/ubuntu jammy-updates/main amd64 Packages', '/var/lib/dpkg/status'])
    assert.equal(isSecuritySource(s), false, s);
});

test('third party from apt-cache policy: only when every source of the installed version is foreign', () => {
  const p = parseAptPolicy(
    [
      'nginx:',
      '  Installed: 1.25.3-1~bookworm',
      '  Candidate: 1.25.3-1~bookworm',
      '  Version table:',
      ' *** 1.25.3-1~bookworm 500',
      '        500 http://nginx.org/packages/mainline/debian bookworm/nginx amd64 Packages',
      '        100 /var/lib/dpkg/status',
      '     1.22.1-9 500',
      '        500 http://deb.debian.org/debian bookworm/main amd64 Packages',
      'bash:',
      '  Installed: 5.2.15-2+b2',
      '  Candidate: 5.2.15-2+b7',
      '  Version table:',
      '     5.2.15-2+b7 500',
      '        500 http://deb.debian.org/debian bookworm/main amd64 Packages',
      ' *** 5.2.15-2+b2 100',
      '        100 /var/lib/dpkg/status',
      'libc6:i386:',
      '  Installed: (none)',
      '  Candidate: 2.36-9+deb12u4',
      '  Version table:',
      '     2.36-9+deb12u4 500',
      '        500 http://deb.debian.org/debian bookworm/main i386 Packages',
    ].join('\n'),
  );
  assert.equal(aptThirdParty(p.get('nginx')!), 'nginx.org');
  assert.equal(aptThirdParty(p.get('bash')!), undefined, 'a superseded version known only to dpkg is not third party');
  assert.equal(p.get('libc6:i386')?.installed, undefined);
});

test('dpkg and rpm edge cases', () => {
  const d = parseDpkgQuery('a\t1.0\t\tamd64\thold ok installed\nb\t1.0\t\tamd64\tinstall ok half-configured\nc\t1.0\t\tamd64\tinstall ok unpacked\nd\t2:1.0-1\tdsrc (2:1.0-1)\tall\tinstall ok installed\n');
  assert.deepEqual(d.map((p) => `${p.name} ${p.source} ${p.sourceVersion}`), ['a a 1.0', 'd dsrc 2:1.0-1']);
  const r = parseRpmQuery('php-cli\t(none)\t7.4.33\t1.el7.ius\tx86_64\tIUS Community Project\tphp74-7.4.33-1.el7.ius.src.rpm\nmysql-community-server\t(none)\t5.7.44\t1.el7\tx86_64\tOracle and/or its affiliates\tmysql-community-5.7.44-1.el7.src.rpm\nzlib\t(none)\t1.2.11\t40.el9\tx86_64\tAlmaLinux\tzlib-1.2.11-40.el9.src.rpm\n');
  assert.deepEqual(r.map((p) => `${p.name} ${p.repository ?? '-'}`), ['php-cli ius', 'mysql-community-server mysql.com', 'zlib -']);
  assert.equal(r[0]!.source, 'php74');
});

test('yum/dnf outputs: wrapped long names, obsoletes section, advisories', () => {
  const u = parseYumCheckUpdate('\nNetworkManager-libnm.x86_64        1:1.18.8-2.el7_9       updates\npython-perf-and-a-very-long-name.x86_64\n                                   3.10.0-1160.119.1.el7  updates\nObsoleting Packages\ngrub2.x86_64    1:2.02-0.87.el7.centos.14   updates\n');
  assert.deepEqual(u.map((x) => `${x.name}.${x.arch} ${x.evr}`), ['NetworkManager-libnm.x86_64 1:1.18.8-2.el7_9', 'python-perf-and-a-very-long-name.x86_64 3.10.0-1160.119.1.el7']);
  const a = parseUpdateinfoSecurity('Loaded plugins: fastestmirror\nRHSA-2023:1335 Important/Sec. openssl-1:1.0.2k-26.el7_9.x86_64\nALAS2-2024-2001 important/Sec. curl-8.3.0-1.amzn2.0.5.x86_64\nRHBA-2023:1000 bugfix       tzdata-2023c-1.el7.noarch\nupdateinfo list done\n');
  assert.deepEqual(a.map((x) => `${x.id} ${x.severity} ${x.name} ${x.evr}`), ['RHSA-2023:1335 Important openssl 1:1.0.2k-26.el7_9', 'ALAS2-2024-2001 important curl 8.3.0-1.amzn2.0.5']);
  assert.deepEqual(splitNevra('kernel-3.10.0-1160.119.1.el7.x86_64'), { name: 'kernel', evr: '3.10.0-1160.119.1.el7', arch: 'x86_64' });
});

test('ss -tlnp: addresses, IPv6, process names, header and duplicates skipped', async () => {
  const { parseSs } = await import('./index.js');
  const out = parseSs(
    'State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\nLISTEN 0      511          0.0.0.0:80         0.0.0.0:*    users:(("nginx",pid=7092,fd=6),("nginx",pid=7088,fd=6))\nLISTEN 0      511             [::]:80            [::]:*    users:(("nginx",pid=7092,fd=7))\nLISTEN 0      80         127.0.0.1:3306       0.0.0.0:*\nLISTEN 0      80         127.0.0.1:3306       0.0.0.0:*\n',
  );
  assert.deepEqual(out, [
    { address: '0.0.0.0', port: 80, process: 'nginx' },
    { address: '::', port: 80, process: 'nginx' },
    { address: '127.0.0.1', port: 3306 },
  ]);
});
