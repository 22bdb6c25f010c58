/** `importPath` / `slice` / export bundles against the real data of ../shared/data, and corrupt inputs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { isAffected } from '../../src/core/versioning/index.js';
import type { Advisory, KnowledgeSlice } from '../../src/core/knowledge.js';
import { exportDb, importPath, KnowledgeDbError, openKnowledge, reindexDb } from '../../src/knowledge/index.js';
import { SKIP_SHARED, sharedData, tar } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mamori-'));
const dbPath = join(tmp, 'home', 'db.sqlite');
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function slice(q: Partial<Parameters<NonNullable<ReturnType<typeof openKnowledge>>['slice']>[0]>): KnowledgeSlice {
  const k = openKnowledge(dbPath);
  assert.ok(k, 'the DB exists');
  try {
    return k.slice({ products: [], libraries: [], lifecycleProducts: [], ...q });
  } finally {
    k.close();
  }
}

const affected = (a: Advisory, v: string) => {
  const r = isAffected(a.scope.versionScheme, v, a.ranges, a.versions);
  assert.ok(r.ok, `${a.id} evaluates for ${v}: ${r.ok ? '' : r.issue.message}`);
  return r.value;
};

const EXPECTED_FEEDS = ['endoflife', 'distro-info', 'kev', 'cve5', 'osv-almalinux', 'osv-ubuntu', 'debian-tracker', 'debian-cpe', 'php-releases', 'php-version-audit', 'httpd', 'nginx', 'friendsofphp', 'redhat-api', 'redhat-oval', 'oracle-elsa', 'alpine-secdb', 'amazon-alas'];
/**
 * Cyberwatch's CentOS errata scripts are the ground truth the rebuild matching is tested against
 * (src/core/assess/rebuild.test.ts, test/assess/distro-differential.test.ts), not a feed: a `centos:N`
 * source ending in 2017 would stand in front of Red Hat's own records for CentOS.
 */
const GROUND_TRUTH_ONLY = /^centos\/cyberwatch-errata\//;

test('every dataset in ../shared/data imports, each file recognised by its content', { skip: SKIP_SHARED }, () => {
  const s = importPath(dbPath, sharedData);
  assert.equal(s.failed, false);
  assert.deepEqual(s.unrecognised.filter((u) => !GROUND_TRUTH_ONLY.test(u.file)), [], 'no data file is left unrecognised');
  for (const sk of s.skipped) assert.match(sk.file, /LICENSE|README|SOURCES|schema|copyright/, `only licence/doc files are skipped: ${sk.file}`);
  const names = s.feeds.map((f) => f.name);
  for (const f of EXPECTED_FEEDS) assert.ok(names.includes(f), `feed ${f} imported`);
  const k = openKnowledge(dbPath)!;
  const feeds = k.feeds();
  k.close();
  const count = (n: string) => feeds.find((f) => f.name === n)?.records ?? 0;
  assert.equal(count('kev'), 1404);
  assert.equal(count('httpd'), 244, 'one advisory per httpd CVE file (two are duplicated at the top level)');
  assert.equal(count('nginx'), 62);
  assert.ok(count('debian-tracker') > 10_000);
  assert.ok(count('osv-almalinux') > 2000);
  assert.ok(count('endoflife') > 500);
  // The real CPE list has one line with a doubled separator (shellinabox;;cpe:…): kept, not rejected.
  const cpe = feeds.find((f) => f.name === 'debian-cpe')!;
  assert.equal(cpe.rejected, 0);
  for (const f of EXPECTED_FEEDS) assert.ok(feeds.find((x) => x.name === f)?.updatedAt, `${f} has an update time`);
  assert.equal(feeds.find((f) => f.name === 'epss')?.records, 0, 'feeds without data are listed as missing');
});

test('PHP 5.3.3: CVE-2012-1823 (KEV) affects it; fixed on 5.3.12 and 5.4.2; lines keep their own fixes', { skip: SKIP_SHARED }, () => {
  const sl = slice({ products: ['php'], lifecycleProducts: ['php'] });
  const advs = sl.advisories.filter((a) => a.id === 'CVE-2012-1823');
  assert.deepEqual(advs.map((a) => a.feed).sort(), ['php-releases', 'php-version-audit']);
  for (const a of advs) {
    assert.equal(a.scope.platform, 'upstream');
    assert.equal(a.scope.kind, 'upstream');
    assert.equal(affected(a, '5.3.3'), true);
    assert.equal(affected(a, '5.3.12'), false);
    assert.equal(affected(a, '5.4.1'), true);
    assert.equal(affected(a, '5.4.2'), false);
    assert.equal(a.fixedVersion, '5.3.12');
    assert.deepEqual(a.ranges[1]?.events, [{ introduced: '5.4.0' }, { fixed: '5.4.2' }]);
  }
  assert.ok(sl.kev.some((k) => k.cve === 'CVE-2012-1823'), 'KEV entry comes with the slice');
  const rec = sl.cves.find((c) => c.id === 'CVE-2012-1823');
  assert.match(rec?.summary ?? '', /php-cgi|query string/i);
  // "published vulnerabilities of PHP 5.3.3": many, including ones fixed only on later lines.
  const hits = new Set(sl.advisories.filter((a) => a.feed === 'php-releases' && affected(a, '5.3.3')).map((a) => a.id));
  assert.ok(hits.size > 100, `PHP 5.3.3 has many published CVEs (${hits.size})`);
  const p53 = sl.lifecycle.filter((c) => c.cycle === '5.3');
  assert.ok(p53.some((c) => c.source === 'endoflife' && c.eol === '2014-08-14'));
  assert.ok(p53.some((c) => c.source === 'php-version-audit' && c.eol === '2014-08-14'));
});

test('Apache httpd 2.2.15 and nginx ranges match what the vendors publish', { skip: SKIP_SHARED }, () => {
  const sl = slice({ products: ['apache-httpd', 'nginx'], lifecycleProducts: ['apache-http-server', 'centos', 'ubuntu', 'debian'] });
  const h = sl.advisories.find((a) => a.id === 'CVE-2011-3192' && a.feed === 'httpd')!;
  assert.equal(affected(h, '2.2.15'), true);
  assert.equal(affected(h, '2.2.20'), false);
  assert.equal(h.fixedVersion, '2.2.20');
  const h2 = sl.advisories.find((a) => a.id === 'CVE-2021-33193' && a.feed === 'httpd')!;
  assert.equal(affected(h2, '2.4.17'), true, '!< 2.4.17 is the lower bound');
  assert.equal(affected(h2, '2.4.16'), false);
  assert.equal(affected(h2, '2.4.49'), false);
  const n = sl.advisories.find((a) => a.id === 'CVE-2013-4547')!;
  assert.equal(n.scope.package, 'nginx');
  assert.equal(affected(n, '1.4.3'), true);
  assert.equal(affected(n, '1.4.4'), false);
  assert.equal(affected(n, '1.5.6'), true);
  assert.equal(affected(n, '1.5.7'), false);
  const all = sl.advisories.find((a) => a.id === 'CVE-2009-4487')!;
  assert.equal(all.fixState, 'unfixed');
  assert.equal(affected(all, '1.22.1'), true, 'vulnerable="all" covers every version');
  assert.ok(sl.advisories.every((a) => a.scope.package !== 'nginx' || !/Windows/.test(a.summary ?? '') || a.scope.package === 'nginx'));
  const lc = (p: string, c: string) => sl.lifecycle.filter((x) => x.product === p && x.cycle === c);
  assert.equal(lc('apache-http-server', '2.2')[0]?.eol, '2017-07-11');
  assert.equal(lc('centos', '6')[0]?.eol, '2020-11-30');
  const u = lc('ubuntu', '14.04');
  assert.deepEqual(u.map((c) => c.source).sort(), ['distro-info-data', 'endoflife'], 'both sources kept');
  assert.notEqual(u[0]!.eol, u[1]!.eol, 'they disagree on Ubuntu 14.04, and both dates are kept');
  assert.ok(lc('debian', '12').length >= 2);
});

test('distro and library advisories: Debian DSA, AlmaLinux OSV, FriendsOfPHP', { skip: SKIP_SHARED }, () => {
  const deb = slice({ distro: { platform: 'debian:11', packages: ['apache2', 'no-such-package'] } });
  const d = deb.advisories.find((a) => a.id === 'DSA-5376-1')!;
  assert.equal(d.scope.versionScheme, 'dpkg');
  assert.equal(d.fixedVersion, '2.4.56-1~deb11u1');
  assert.deepEqual(d.cves.slice(0, 2), ['CVE-2006-20001', 'CVE-2022-36760']);
  assert.equal(affected(d, '2.4.54-1~deb11u1'), true);
  assert.equal(affected(d, '2.4.56-1~deb11u1'), false);
  assert.ok(deb.advisories.every((a) => a.scope.platform === 'debian:11'));
  const old = slice({ distro: { platform: 'debian:7', packages: ['php5'] } });
  assert.ok(old.advisories.length > 20, 'wheezy php5 advisories from the DLA/DSA lists');
  const notAff = slice({ distro: { platform: 'debian:3.0', packages: ['mantis'] } }).advisories.filter((a) => a.fixState === 'not-affected');
  assert.ok(notAff.length >= 1, '<not-affected> kept as a fix state');
  const alma = slice({ distro: { platform: 'almalinux:8', packages: ['httpd', 'php', 'openssl'] } });
  assert.ok(alma.advisories.length > 10);
  const a = alma.advisories.find((x) => x.scope.package === 'openssl' && x.fixedVersion)!;
  assert.equal(a.scope.versionScheme, 'rpm');
  assert.ok(a.cves.length > 0 && a.cves.every((c) => c.startsWith('CVE-')));
  const lib = slice({ libraries: [{ platform: 'packagist', packages: ['twig/twig', 'phpmailer/phpmailer'] }] });
  const t = lib.advisories.find((x) => x.scope.package === 'twig/twig' && x.ranges.some((r) => r.events.some((e) => e.fixed === '1.12.3')))!;
  assert.equal(t.scope.versionScheme, 'composer');
  assert.equal(affected(t, '1.12.2'), true);
  assert.equal(affected(t, '1.12.3'), false);
  assert.ok(lib.advisories.some((x) => x.scope.package === 'phpmailer/phpmailer'));
});

test('re-importing the same data changes nothing and duplicates nothing', { skip: SKIP_SHARED }, () => {
  const before = openKnowledge(dbPath)!;
  const counts = before.feeds().map((f) => [f.name, f.records]);
  before.close();
  const s = importPath(dbPath, join(sharedData, 'kev'));
  assert.equal(s.feeds.find((f) => f.name === 'kev')?.unchanged, 1);
  const s2 = importPath(dbPath, sharedData);
  assert.ok(s2.feeds.every((f) => f.unchanged === f.files), 'every raw record is recognised as unchanged');
  const after = openKnowledge(dbPath)!;
  assert.deepEqual(after.feeds().map((f) => [f.name, f.records]), counts);
  after.close();
});

test('corrupt inputs of every format are rejected and named; previous data is kept; unknown files are named', { skip: SKIP_SHARED }, () => {
  const bad = join(tmp, 'bad');
  mkdirSync(bad, { recursive: true });
  const kev = readFileSync(join(sharedData, 'kev/known_exploited_vulnerabilities.json'), 'utf8');
  writeFileSync(join(bad, 'kev.json'), kev.slice(0, 5000)); // truncated JSON
  writeFileSync(join(bad, 'ALSA-bad.json'), JSON.stringify({ id: 'ALSA-2099:0001', modified: '2099-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'AlmaLinux:9' } }] }));
  writeFileSync(join(bad, 'security_advisories.xml'), '<article name="nginx security advisories"><security><item name="x" cve="2099-1" vulnerable="1.2.3-" good="banana+"></item></security></article>');
  writeFileSync(join(bad, 'adv.yaml'), 'reference: composer://a/b\nbranches:\n  1.x:\n\tversions: [">=1"\n');
  writeFileSync(join(bad, 'php.md'), '---\ntitle: PHP\nreleases:\n  - releaseCycle: "5.3"\n    eol: [unclosed\n---\n');
  writeFileSync(join(bad, 'ubuntu.csv'), 'version,codename,series,created,release,eol,eol-server,eol-esm\n99.04,Bad\n');
  writeFileSync(join(bad, 'DSA-list'), '[01 Jan 2099] DSA-9999-1 foo - security update\n\t{CVE-2099-0001}\n\t[bookworm] - foo <bogus-state>\n\t[nosuchcodename] - foo 1.0-1\n');
  writeFileSync(join(bad, 'epss.csv'), '#model_version:v2025.03.14,score_date:2026-08-01T00:00:00+0000\ncve,epss,percentile\nCVE-2012-1823,0.94,0.99\nCVE-2099-x,2,0.5\n');
  writeFileSync(join(bad, 'CVE-2099-0002.json'), '{"data_type":"CVE","CVE_data_meta":{"ID":"CVE-2099-0002"},"affects":{"vendor":{"vendor_data":[{"product":{"product_data":[{"product_name":"Apache HTTP Server","version":{"version_data":[{"version_affected":"<=","version_value":"2.4.1"');
  writeFileSync(join(bad, 'php-cves.json'), '{ "9.9.9": { "date": "x", "cves": ["not-a-cve"] } }');
  const goodTar = tar({ 'a/CVE-2012-1823.json': readFileSync(join(sharedData, 'cve/CVE-2012-1823.json')), 'a/CVE-2024-4577.json': readFileSync(join(sharedData, 'cve/CVE-2024-4577.json')) });
  const tgz = gzipSync(goodTar);
  writeFileSync(join(bad, 'cut.tar.gz'), tgz.subarray(0, Math.floor(tgz.length * 0.6)));
  const zip = zipSync({ 'x.json': new TextEncoder().encode('{"id":"X"}') });
  writeFileSync(join(bad, 'cut.zip'), zip.subarray(0, zip.length - 10));
  writeFileSync(join(bad, 'notes.txt'), 'hello, not a feed');
  const s = importPath(dbPath, bad);
  assert.equal(s.failed, false, 'good records in the same import still go in');
  const rej = (feed: string) => s.rejected.filter((r) => r.feed === feed);
  assert.match(rej('kev')[0]?.reason ?? '', /invalid JSON/);
  assert.match(rej('osv-almalinux').concat(rej('osv'))[0]?.reason ?? '', /ecosystem or name|no package/);
  assert.match(rej('nginx')[0]?.reason ?? '', /cannot read/);
  assert.match(rej('friendsofphp')[0]?.reason ?? '', /invalid YAML/);
  assert.match(rej('endoflife')[0]?.reason ?? '', /invalid YAML/);
  assert.match(rej('distro-info')[0]?.reason ?? '', /columns/);
  assert.ok(rej('debian-tracker').some((r) => /bogus-state/.test(r.reason)));
  assert.ok(rej('debian-tracker').some((r) => /nosuchcodename/.test(r.reason)));
  assert.match(rej('epss')[0]?.ref ?? '', /line 4/);
  assert.match(rej('httpd')[0]?.reason ?? '', /invalid JSON/);
  assert.match(rej('php-releases')[0]?.reason ?? '', /not a CVE id/);
  assert.ok(s.problems.some((p) => p.file === 'cut.tar.gz' && /truncated/.test(p.reason)), 'truncated tar.gz named');
  assert.ok(s.problems.some((p) => p.file === 'cut.zip' && /zip/.test(p.reason)), 'truncated zip named');
  assert.ok(s.unrecognised.some((u) => u.file === 'notes.txt' && /not a format/.test(u.reason)));
  const k = openKnowledge(dbPath)!;
  const feeds = k.feeds();
  const sl = k.slice({ products: ['php'], libraries: [], lifecycleProducts: ['php'] });
  k.close();
  const f = (n: string) => feeds.find((x) => x.name === n)!;
  assert.equal(f('kev').records, 1404, 'a KEV file that fails as a whole keeps the previous KEV data');
  assert.ok(f('kev').rejected >= 1 && /invalid JSON/.test(f('kev').rejections[0]!.reason), 'and db status names the rejection');
  assert.equal(f('epss').records, 1, 'the good EPSS line is kept, the bad one rejected');
  assert.ok(sl.advisories.some((a) => a.id === 'CVE-2012-1823' && a.feed === 'php-releases'), 'php-releases merged: earlier fixes kept');
  assert.ok(sl.lifecycle.some((c) => c.cycle === '5.3' && c.source === 'endoflife'), 'endoflife php kept after its file failed');
});

test('export bundle: round trip into a fresh home; a damaged bundle is refused and the DB kept', { skip: SKIP_SHARED }, async () => {
  const file = join(tmp, 'kb.mamori');
  const ex = await exportDb(dbPath, file);
  assert.ok(ex.bytes > 1000 && ex.sha256.length === 64);
  const other = join(tmp, 'airgap', 'db.sqlite');
  const s = importPath(other, file);
  assert.equal(s.kind, 'bundle');
  const a = openKnowledge(dbPath)!;
  const b = openKnowledge(other)!;
  assert.deepEqual(
    b.feeds().map((f) => [f.name, f.records, f.updatedAt]),
    a.feeds().map((f) => [f.name, f.records, f.updatedAt]),
    'same feeds, records and update times (the data keeps its age)',
  );
  a.close();
  b.close();
  const bytes = readFileSync(file);
  writeFileSync(join(tmp, 'cut.mamori'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  assert.throws(() => importPath(other, join(tmp, 'cut.mamori')), KnowledgeDbError);
  const still = openKnowledge(other)!;
  assert.ok(still.feeds().find((f) => f.name === 'kev')!.records === 1404);
  still.close();
  assert.deepEqual(readdirSync(join(tmp, 'airgap')).sort(), ['db.sqlite'], 'no leftovers beside the DB');
});

test('reindex re-normalises from the stored raw records without a download', { skip: SKIP_SHARED }, () => {
  const k = openKnowledge(dbPath)!;
  const before = k.feeds().map((f) => [f.name, f.records]);
  k.close();
  const s = reindexDb(dbPath);
  assert.ok(s.files > 500);
  const k2 = openKnowledge(dbPath)!;
  assert.deepEqual(k2.feeds().map((f) => [f.name, f.records]), before);
  k2.close();
});

test('openKnowledge: null when absent, a clear error when the file is not a DB', () => {
  assert.equal(openKnowledge(join(tmp, 'nope.sqlite')), null);
  const junk = join(tmp, 'junk.sqlite');
  writeFileSync(junk, 'this is not sqlite at all'.repeat(100));
  assert.throws(() => openKnowledge(junk), (e: Error) => e instanceof KnowledgeDbError && /damaged or not a database/.test(e.message));
});

test('writing into a damaged DB fails with a clear message and leaves the file as it was', () => {
  const h = join(tmp, 'damaged');
  mkdirSync(h, { recursive: true });
  const p = join(h, 'db.sqlite');
  writeFileSync(p, 'garbage'.repeat(1000));
  const f = join(tmp, 'one-kev.json');
  writeFileSync(f, JSON.stringify({ title: 'CISA Catalog of Known Exploited Vulnerabilities', catalogVersion: '1', vulnerabilities: [{ cveID: 'CVE-2012-1823', dateAdded: '2022-03-25' }] }));
  assert.throws(() => importPath(p, f), (e: Error) => e instanceof KnowledgeDbError && /damaged or not a database.*move it away/.test(e.message));
  assert.equal(readFileSync(p, 'utf8'), 'garbage'.repeat(1000));
  assert.deepEqual(readdirSync(h), ['db.sqlite']);
});
