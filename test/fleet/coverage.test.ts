/**
 * The coverage rule on real documents: which findings a partial scan (a real golden document with the gap its
 * scanner emits for the failure) checked, and which it could not; and the notification of a rescan after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/model.js';
import { coverageFinding, coverageOf } from '../../src/fleet/coverage.js';
import { scanEvents } from '../../src/fleet/notify/index.js';
import { budgetGap, docrootGap, dpkgTimeoutGap, fromPackages, golden, knowledgeDamagedGap, phpVersionGap, siteHttpGap, variant, withoutPackageList } from './partial-docs.js';

const HOST = golden('host-ubuntu2204');
const CENTOS = golden('host-centos6');
const SITE = golden('site-old');
const covered = (doc: Parameters<typeof coverageOf>[0], ids: readonly Finding[] = HOST.findings, prev?: { kind: string; name: string }) => {
  const c = coverageOf(doc, prev ? { previousTarget: prev } : {});
  return ids.filter((f) => c.covers(coverageFinding(f))).map((f) => f.id).sort();
};
const idsOf = (fs: readonly { id: string }[]) => fs.map((f) => f.id).sort();

test('the golden documents as they are check every finding they could hold: their own gaps are of the harmless or unrelated kind', () => {
  assert.deepEqual(covered(HOST), idsOf(HOST.findings));
  assert.deepEqual(covered(SITE, SITE.findings), idsOf(SITE.findings));
  // CentOS 6: the nginx configuration gap (a missing include) says nothing of nginx's CVEs and end of life, which
  // come from `nginx -V` (test/fleet/gap-blinds.test.ts): every finding is checked.
  assert.deepEqual(covered(CENTOS, CENTOS.findings), idsOf(CENTOS.findings));
});

test('package list unavailable (dpkg-query timed out): nothing from packages counts as checked; PHP, its ini and lifecycle do', () => {
  const partial = withoutPackageList(HOST, '2026-11-24T00:00:00.000Z');
  const c = coverageOf(partial);
  const pkg = HOST.findings.filter(fromPackages);
  assert.equal(pkg.length, 4, 'two pending updates, one distro advisory, the kernel');
  for (const f of pkg) assert.equal(c.covers(coverageFinding(f)), false, f.id);
  assert.equal(c.blindFor(coverageFinding(pkg[0]!))?.why, 'host.gap.command');
  for (const f of HOST.findings.filter((x) => !fromPackages(x))) assert.equal(c.covers(coverageFinding(f)), true, f.id);
  // The same gap without its catalog subject cannot be placed: nothing is checked.
  const vague = variant(HOST, '2026-11-24T00:00:00.000Z', [], [{ what: 'packages', why: 'timeout', code: 'host.gap.somethingNew' }]);
  assert.deepEqual(covered(vague), []);
  // A package list emptied without any gap (a failed collection): no package finding resolves either.
  const empty = variant(HOST, '2026-11-24T00:00:00.000Z', [], [], (d) => (d.inventory.packages = []));
  assert.deepEqual(covered(empty), idsOf(HOST.findings.filter((f) => !fromPackages(f))));
  assert.equal(dpkgTimeoutGap().what, 'installed packages (dpkg)');
});

test('component, path and source gaps narrow what is unchecked', () => {
  const php = covered(variant(HOST, '2026-11-24T00:00:00.000Z', [], [phpVersionGap()]));
  assert.deepEqual(php, idsOf(HOST.findings.filter((f) => f.component?.name !== 'php')), 'PHP unknown: its CVEs, end of life and ini settings are unchecked');
  const db = covered(variant(HOST, '2026-11-24T00:00:00.000Z', [], [knowledgeDamagedGap()]));
  assert.deepEqual(db, idsOf(HOST.findings.filter((f) => f.source?.startsWith('host:'))), 'knowledge DB damaged: only the host collector\'s own findings are checked');
  const docroot = coverageOf(variant(HOST, '2026-11-24T00:00:00.000Z', [], [docrootGap('/var/www/shop')]));
  assert.equal(docroot.covers({ category: 'personal-data-exposure', source: 'host:docroot', location: '/var/www/shop/backup.sql' }), false);
  assert.equal(docroot.covers({ category: 'personal-data-exposure', source: 'host:docroot', location: '/var/www/shop2/backup.sql' }), true);
});

test('site: the site root not answering checks nothing; a spent budget leaves the exposure probes, the version files and the pages after the first unchecked, not the first page\'s headers', () => {
  const down = variant(SITE, '2026-11-24T00:00:00.000Z', [], [siteHttpGap()]);
  assert.deepEqual(covered(down, SITE.findings), []);
  const budget = coverageOf(variant(SITE, '2026-11-24T00:00:00.000Z', [], [budgetGap(12, 400)]));
  for (const f of SITE.findings) {
    const exposure = f.category === 'sensitive-file-exposure' || f.category === 'personal-data-exposure';
    // Products, their versions and the OS the banners hint at: the version files come after the exposure probes, with no budget left.
    const versions = /^(upstream|lifecycle|library):/.test(f.source ?? '');
    // Forms and cookies of the crawled pages, and the headers grade that counts the cookies.
    const crawled = /^(transport\.form-|transport\.mixed-content|cookie\.|header\.observatory-grade)/.test(f.source ?? '');
    assert.equal(budget.covers(coverageFinding(f)), !exposure && !versions && !crawled, f.id);
  }
});

test('a document of another target, or of another kind, checks none of the previous findings', () => {
  assert.deepEqual(covered(HOST, HOST.findings, { kind: 'host', name: 'fixture:other-host' }), []);
  assert.deepEqual(covered(SITE, HOST.findings, { kind: 'host', name: HOST.target.name }), []);
  // The same host by another SSH user is the same target.
  assert.equal(covered(HOST, HOST.findings, { kind: 'host', name: HOST.target.name }).length, HOST.findings.length);
});

test('notifications: a finding the previous scan did not check, seen before, is not announced again as new; a first sighting is', () => {
  const t = { tenantId: 'T1', tenantName: 'T', targetId: 'H1', targetName: 'web1' };
  const partial = withoutPackageList(HOST, '2026-11-20T00:00:00.000Z');
  const next = variant(HOST, '2026-11-23T00:00:00.000Z', HOST.findings);
  const serious = HOST.findings.filter((f) => fromPackages(f) && (f.severity === 'critical' || f.severity === 'high')).map((f) => f.id);
  assert.ok(serious.length >= 2);
  const seen = new Set(HOST.findings.map((f) => f.id));
  const quiet = scanEvents({ target: t, scan: { id: 'S3', finishedAt: next.scannedAt }, previous: partial, next, now: new Date('2026-11-23T00:00:00Z'), eolWithinDays: 0, seenBefore: seen });
  assert.deepEqual(quiet.filter((e) => e.kind === 'new-findings' || e.kind === 'kev'), []);
  // Never seen before: new, even though the previous scan could not have seen it.
  const fresh = scanEvents({ target: t, scan: { id: 'S3', finishedAt: next.scannedAt }, previous: partial, next, now: new Date('2026-11-23T00:00:00Z'), eolWithinDays: 0, seenBefore: new Set() });
  const ev = fresh.find((e) => e.kind === 'new-findings');
  assert.ok(ev && ev.kind === 'new-findings');
  assert.deepEqual(ev.items.map((i) => i.id).sort(), [...serious].sort());
});
