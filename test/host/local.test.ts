/** This machine: the inventory lists exactly what dpkg lists as installed; pending security updates exactly apt's. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectHost } from '../../src/collect/host/index.js';
import { LocalTransport } from '../../src/collect/transport/local.js';

const hasDpkg = existsSync('/usr/bin/dpkg-query') && existsSync('/usr/bin/apt-get');

test('local scan of this machine', { skip: hasDpkg ? false : 'not a dpkg system: dpkg-query/apt-get not installed' }, async (t) => {
  const transport = new LocalTransport({ timeoutMs: 120_000, sudo: false });
  const res = await collectHost(transport, { docroots: [] });

  await t.test('packages: exactly the installed ones of dpkg-query', () => {
    const out = execFileSync('dpkg-query', ['-W', '-f', '${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n'], { encoding: 'utf8' });
    const want = out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'))
      .filter((f) => f[3]?.[1] === 'i')
      .map((f) => `${f[0]} ${f[1]} ${f[2]}`)
      .sort();
    const got = res.inventory.packages.filter((p) => p.ecosystem === 'dpkg').map((p) => `${p.name} ${p.version} ${p.arch}`).sort();
    assert.ok(want.length > 50, 'dpkg lists packages');
    assert.deepEqual(got, want);
    const libssl = res.inventory.packages.find((p) => p.name === 'libssl3');
    if (libssl) assert.equal(libssl.source, 'openssl', 'source package recorded');
  });

  await t.test('pending security updates: exactly those apt list --upgradable shows from the security suite', () => {
    const out = execFileSync('apt', ['list', '--upgradable'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
    const rows = out
      .split('\n')
      .map((l) => /^([^/\s]+)\/(\S+) (\S+) (\S+) \[upgradable from: ([^\]]+)\]/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null);
    const want = rows.filter((m) => m[2]!.split(',').some((s) => s.endsWith('-security'))).map((m) => `${m[1]} ${m[5]} ${m[3]}`).sort();
    const got = res.inventory.pendingUpdates.filter((u) => u.security).map((u) => `${u.package} ${u.installed} ${u.candidate}`).sort();
    assert.deepEqual(got, want);
    // Each one is in exactly one missing-security-update finding (one per source package), whose command
    // upgrades it.
    const upd = res.findings.filter((f) => f.source === 'host:dpkg-pending');
    const sources = new Set<string>();
    for (const u of res.inventory.pendingUpdates.filter((x) => x.security)) {
      const fs = upd.filter((x) => (x.location ?? '').split(', ').includes(u.package));
      assert.equal(fs.length, 1, `one finding for ${u.package}`);
      const f = fs[0]!;
      assert.match(f.remediation.command ?? '', new RegExp(`^apt-get install --only-upgrade (\\S+ )*${u.package.replace(/[.+]/g, '\\$&')}( |$)`));
      sources.add(f.component!.name);
    }
    assert.equal(upd.length, sources.size);
    const dpkgSource = new Map(res.inventory.packages.map((p) => [p.name, p.source ?? p.name]));
    for (const f of upd) for (const n of (f.location ?? '').split(', ')) assert.equal(dpkgSource.get(n), f.component!.name, `${n} belongs to source ${f.component!.name}`);
  });

  await t.test('os, kernel and web stack', () => {
    assert.equal(res.inventory.os?.family, 'debian');
    assert.match(res.inventory.os?.version ?? '', /^\d+$/);
    const uname = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    assert.equal(res.inventory.kernel?.running, uname);
    const php = res.inventory.components.find((c) => c.name === 'php');
    if (existsSync('/usr/bin/php')) {
      const v = /^PHP (\d+\.\d+\.\d+)/.exec(execFileSync('php', ['-v'], { encoding: 'utf8' }))?.[1];
      assert.equal(php?.version, v);
      assert.equal(php?.distroBuild, true, 'php from a Debian package is a distro build');
      assert.match(php?.package ?? '', /^php\d/);
    }
    if (existsSync('/usr/sbin/nginx')) {
      const ng = res.inventory.components.find((c) => c.name === 'nginx');
      assert.match(ng?.version ?? '', /^\d+\.\d+\.\d+$/);
      assert.ok(res.web.configs.some((c) => c.server === 'nginx' && c.files.includes('/etc/nginx/nginx.conf')));
    }
  });
});
