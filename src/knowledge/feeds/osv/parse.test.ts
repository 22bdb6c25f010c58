import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, raw, shared } from '../test-util.js';
import { parse, recognise, scopeOf } from './parse.js';

test('OSV ecosystems map to mamori platforms', () => {
  assert.equal(scopeOf('AlmaLinux:8', 'httpd')?.scope.platform, 'almalinux:8');
  assert.equal(scopeOf('Rocky Linux:9', 'php')?.scope.platform, 'rocky:9');
  assert.equal(scopeOf('Red Hat:enterprise_linux:8::appstream', 'httpd')?.scope.platform, 'rhel:8');
  assert.equal(scopeOf('Ubuntu:22.04:LTS', 'nginx')?.scope.platform, 'ubuntu:22.04');
  assert.equal(scopeOf('Ubuntu:Pro:18.04:LTS', 'nginx')?.scope.platform, 'ubuntu:18.04');
  assert.equal(scopeOf('Alpine:v3.19', 'nginx')?.scope.platform, 'alpine:3.19');
  assert.equal(scopeOf('Debian:12', 'apache2')?.scope.versionScheme, 'dpkg');
  assert.equal(scopeOf('Packagist', 'Twig/Twig')?.scope.package, 'twig/twig');
  assert.equal(scopeOf('crates.io', 'x'), null);
});

test('OSV Debian and GHSA records: ranges kept, CVEs from aliases and related', () => {
  const d = fixture('osv-debian.json');
  assert.ok(recognise(d));
  const out = parse(raw('DSA-5376-1.json', d), d);
  assert.equal(out.feed, 'osv-debian');
  assert.deepEqual(out.out.advisories[0]!.cves.length, 5);
  assert.deepEqual(out.out.advisories[0]!.versions, ['2.4.54-1~deb11u1']);
  const g = fixture('osv-packagist-ghsa.json');
  const o2 = parse(raw('GHSA.json', g), g).out;
  assert.deepEqual(o2.advisories.map((a) => a.scope.platform).sort(), ['npm', 'packagist']);
  const npm = o2.advisories.find((a) => a.scope.platform === 'npm')!;
  assert.equal(npm.fixState, 'unfixed', 'only last_affected: no fixed version is known');
  assert.equal(o2.advisories.find((a) => a.scope.platform === 'packagist')!.vendorSeverity, 'MODERATE');
});

test('real AlmaLinux OSV: module streams of one package are merged into one advisory', { skip: shared('osv/almalinux/advisories/almalinux8/ALEA-2021:1834.json') === null ? 'shared data absent' : false }, () => {
  const t = shared('osv/almalinux/advisories/almalinux8/ALEA-2021:1834.json')!;
  const out = parse(raw('almalinux8/ALEA-2021:1834.json', t), t).out;
  const nginx = out.advisories.find((a) => a.scope.package === 'nginx')!;
  assert.equal(nginx.scope.platform, 'almalinux:8');
  assert.equal(nginx.ranges.length, 2);
  assert.equal(new Set(out.advisories.map((a) => a.scope.package)).size, out.advisories.length);
});

test('Ubuntu USN: fixes available only with Ubuntu Pro (ESM) are extended-support-only; a standard fix wins', (t) => {
  const text = shared('ubuntu/usn-osv/USN-6757-1.json');
  if (text === null) return t.skip('../shared/data not found');
  const out = parse(raw('USN-6757-1.json', text), text).out;
  const by = (p: string) => out.advisories.find((a) => a.scope.platform === p)!;
  assert.deepEqual([by('ubuntu:18.04').fixState, by('ubuntu:18.04').fixedVersion], ['extended-support-only', '7.2.24-0ubuntu0.18.04.17+esm3']);
  assert.equal(by('ubuntu:16.04').fixState, 'extended-support-only');
  assert.equal(by('ubuntu:22.04').fixState, 'fixed', 'No subscription required');
  const both = JSON.parse(text) as { affected: { package: { ecosystem: string; name: string }; ranges: unknown; ecosystem_specific?: unknown }[] };
  const pro = both.affected.find((a) => a.package.ecosystem === 'Ubuntu:Pro:18.04:LTS')!;
  both.affected.push({ ...pro, package: { ecosystem: 'Ubuntu:18.04:LTS', name: 'php7.2' }, ecosystem_specific: { availability: 'No subscription required' } });
  const t2 = JSON.stringify(both);
  const o2 = parse(raw('x.json', t2), t2).out;
  assert.deepEqual(o2.advisories.filter((a) => a.scope.platform === 'ubuntu:18.04').map((a) => a.fixState), ['fixed']);
});
