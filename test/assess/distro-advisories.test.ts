/**
 * Distribution advisories end to end: captured host inventories (test/fixtures/host, replayed through the real
 * collectors) against the real records of ../shared/data imported into a knowledge DB — Red Hat's Security
 * Data API and OVAL for CentOS 5 / 6, Ubuntu's USN OSV for 22.04 — and Alpine secdb in its published schema.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectHost } from '../../src/collect/host/index.js';
import { assess } from '../../src/core/assess/index.js';
import { markSecurityUpdates } from '../../src/core/assess/pending.js';
import type { Finding, Inventory, Lang, ReportDocument } from '../../src/core/model.js';
import { importPath } from '../../src/knowledge/index.js';
import { FixtureTransport } from '../host/fixture-transport.js';
import { buildDb, fakeCtx, finishScan, hasSharedData, SKIP_NO_DATA, sliceFor } from './helpers.js';

const NOW = new Date('2026-11-23T00:00:00Z');
let db: ReturnType<typeof buildDb> | undefined;

before(() => {
  if (!hasSharedData) return;
  db = buildDb();
  // Alpine 3.19's secdb in its published schema (generated: no real 3.19 file in ../shared/data).
  const f = join(db.dir, 'alpine-v3.19-main.json');
  writeFileSync(f, JSON.stringify({ distroversion: 'v3.19', reponame: 'main', archs: ['x86_64'], packages: [{ pkg: { name: 'openssl', secfixes: { '3.1.4-r1': ['CVE-2023-5678'], '3.1.4-r4': ['CVE-2023-6237'], '3.1.4-r5': ['CVE-2024-0727'] } } }] }));
  importPath(db.dbPath, f, {});
});
after(() => db?.cleanup());

async function host(system: string, lang: Lang = 'en') {
  const r = await collectHost(new FixtureTransport(system), { docroots: [] });
  const out = assess({ target: { kind: 'host', name: system }, inventory: r.inventory, findings: r.findings, knowledge: sliceFor(db!.dbPath, r.inventory), now: NOW, lang });
  return { inv: r.inventory, out, marked: markSecurityUpdates(r.inventory, out.findings) };
}
type Ev = { state?: string; advisories?: string[]; fixedVersion?: string; releaseNormalised?: boolean; cves: { id: string; fixedIn?: string; state?: string; record: string }[]; pendingUpdates?: { package: string; fixesAll: boolean | null }[] };
const ev = (f: Finding) => f.evidence as unknown as Ev;
const distro = (fs: Finding[], source: string, category?: Finding['category']) => fs.filter((f) => f.source?.startsWith('distro:') && f.component?.name === source && (!category || f.category === category));

test('CentOS 6.10 with its final packages: sudo and polkit fixed only under Red Hat ELS, in their own state, with the real choices', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const { out } = await host('centos610-final');
  const sudo = distro(out.findings, 'sudo')[0]!;
  assert.equal(sudo.category, 'vulnerability');
  assert.deepEqual([ev(sudo).state, ev(sudo).advisories, ev(sudo).fixedVersion, sudo.cves], ['extended-support-only', ['RHSA-2021:0227'], '0:1.8.6p3-29.el6_10.4', ['CVE-2021-3156']]);
  assert.match(sudo.title, /fixed only under Red Hat extended support \(RHSA-2021:0227\); not available for CentOS 6/);
  assert.deepEqual(
    sudo.remediation.steps!.map((s) => s.actionMessage?.code),
    ['assess.step.extendedOnly.migrate', 'assess.step.extendedOnly.buy', 'assess.step.restrictUntilUpdated'],
    'the plan offers migrating or buying extended support, and a defence meanwhile',
  );
  assert.match(sudo.remediation.action, /never ships/);
  const polkit = distro(out.findings, 'polkit')[0]!;
  assert.deepEqual([ev(polkit).state, ev(polkit).advisories], ['extended-support-only', ['RHSA-2022:0269']]);
  // Will not fix stays apart; not affected is not reported; nothing CentOS shipped is missing.
  const php = distro(out.findings, 'php', 'vulnerability')[0]!;
  assert.equal(ev(php).cves.find((c) => c.id === 'CVE-2016-7124')?.state, 'will-not-fix');
  assert.ok(!out.findings.some((f) => f.cves?.includes('CVE-2024-6387')), 'regreSSHion does not affect RHEL 6 openssh');
  assert.deepEqual(out.findings.filter((f) => f.source === 'distro:rhel:6' && f.category === 'missing-security-update').map((f) => f.title), []);
  const ja = await host('centos610-final', 'ja');
  assert.match(distro(ja.out.findings, 'sudo')[0]!.title, /延長サポートでのみ修正.*CentOS 6 には提供されません/);
});

test('CentOS 5.4 with php-5.1.6 and httpd-2.2.3: the RHSAs fixing them with the fixed versions; yum’s updates marked as security', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const { out, marked } = await host('centos54');
  const php = distro(out.findings, 'php', 'missing-security-update')[0]!;
  assert.ok(ev(php).advisories!.includes('RHSA-2012:0546'));
  const cgi = ev(php).cves.find((c) => c.id === 'CVE-2012-1823')!;
  assert.equal(cgi.fixedIn, '0:5.1.6-34.el5_8');
  assert.ok(ev(php).advisories!.includes('RHSA-2012:0093') && ev(php).cves.some((c) => c.id === 'CVE-2012-0830' && c.fixedIn === '0:5.1.6-27.el5_7.5'));
  const httpd = distro(out.findings, 'httpd', 'missing-security-update')[0]!;
  assert.ok(ev(httpd).advisories!.includes('RHSA-2011:1245'), 'Range header DoS (CVE-2011-3192)');
  assert.equal(ev(httpd).fixedVersion, '0:2.2.3-92.el5_11');
  assert.equal(ev(httpd).releaseNormalised, true, 'el5.centos compared with el5_11 without the retag');
  assert.equal(httpd.remediation.command, 'yum update httpd mod_ssl');
  assert.ok(ev(httpd).pendingUpdates!.every((u) => u.fixesAll === true), 'the pending 2.2.3-99.el5.centos.1 reaches the fix');
  // Yum on CentOS has no updateinfo: mamori's matching marks which pending updates are security fixes.
  const sec = marked.pendingUpdates.filter((u) => u.security).map((u) => `${u.package} ${u.securityFrom}`).sort();
  assert.deepEqual(sec, ['bash mamori', 'httpd mamori', 'mod_ssl mamori', 'openssl mamori', 'php mamori', 'php-cli mamori', 'php-mbstring mamori']);
  assert.ok(marked.pendingUpdates.find((u) => u.package === 'httpd')!.advisories!.includes('RHSA-2016:1421'));
});

test('CentOS 5.11 with the last CentOS builds: no update reported missing (el5.centos is Red Hat’s el5_11)', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const { out } = await host('centos5');
  assert.deepEqual(out.findings.filter((f) => f.category === 'missing-security-update' && f.source?.startsWith('distro:')).map((f) => f.title), []);
  assert.ok(distro(out.findings, 'httpd', 'vulnerability').length === 1, 'what Red Hat 5 will not fix is still reported');
});

test('Ubuntu 22.04: USN advisories by source package with the fixed version', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const { out } = await host('ubuntu2204');
  const apache = distro(out.findings, 'apache2', 'missing-security-update')[0]!;
  assert.equal(apache.source, 'distro:ubuntu:22.04');
  assert.deepEqual(ev(apache).advisories, ['USN-6885-1']);
  assert.equal(ev(apache).fixedVersion, '2.4.52-1ubuntu4.10');
  assert.match(apache.remediation.command!, /^apt-get update && apt-get install --only-upgrade apache2/);
});

test('Alpine 3.19: secdb advisories for the origin package, apk order', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const { out } = await host('alpine319');
  const ssl = distro(out.findings, 'openssl', 'missing-security-update')[0]!;
  assert.equal(ssl.source, 'distro:alpine:3.19');
  assert.deepEqual(ssl.cves!.sort(), ['CVE-2023-6237', 'CVE-2024-0727'], '3.1.4-r3 already has the r1 fix');
  assert.equal(ev(ssl).fixedVersion, '3.1.4-r5');
  assert.equal(ssl.remediation.command, 'apk update && apk upgrade libcrypto3');
});

test('Amazon Linux 2023: ALAS by binary package with the dnf command', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const { out } = await host('amazon2023');
  const rs = distro(out.findings, 'rsyslog', 'missing-security-update')[0]!;
  assert.equal(rs.source, 'distro:amazon:2023');
  assert.deepEqual(ev(rs).advisories, ['ALAS2023-2023-001']);
  assert.deepEqual(rs.cves!.sort(), ['CVE-2014-3634', 'CVE-2022-24903']);
  assert.equal(ev(rs).fixedVersion, '0:8.2204.0-3.amzn2023.0.2');
  assert.equal(rs.remediation.command, 'dnf upgrade --advisory ALAS2023-2023-001');
});

const run = (inv: Inventory, lang: Lang = 'en') => assess({ target: { kind: 'host', name: 'h' }, inventory: inv, findings: [], knowledge: sliceFor(db!.dbPath, inv), now: NOW, lang });

test('Ubuntu 18.04 after standard support: an ESM-only fix is its own state unless the machine is attached to Ubuntu Pro', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const pkgs: Inventory['packages'] = [{ name: 'php7.2-cli', version: '7.2.24-0ubuntu0.18.04.17', source: 'php7.2', ecosystem: 'dpkg', arch: 'amd64' }];
  const inv: Inventory = { os: { family: 'ubuntu', name: 'Ubuntu', version: '18.04.6', codename: 'bionic' }, packages: pkgs, components: [], pendingUpdates: [] };
  const out = run(inv);
  const php = distro(out.findings, 'php7.2')[0]!;
  assert.deepEqual([php.category, ev(php).state, ev(php).fixedVersion], ['vulnerability', 'extended-support-only', '7.2.24-0ubuntu0.18.04.17+esm3']);
  assert.match(php.title, /fixed only in Ubuntu Pro \(ESM\).*not available to Ubuntu 18\.04 without Ubuntu Pro/);
  assert.deepEqual(php.remediation.steps!.map((s) => s.actionMessage?.code), ['assess.step.proOnly.migrate', 'assess.step.proOnly.attach', 'assess.step.restrictUntilUpdated']);
  // Attached: esm packages are installed, so apt offers the fix.
  const attached = run({ ...inv, packages: [...pkgs, { name: 'libssl1.1', version: '1.1.1-1ubuntu2.1~18.04.23+esm5', source: 'openssl', ecosystem: 'dpkg', arch: 'amd64' }] });
  const upd = distro(attached.findings, 'php7.2')[0]!;
  assert.equal(upd.category, 'missing-security-update');
  assert.equal(upd.remediation.command, 'apt-get update && apt-get install --only-upgrade php7.2-cli');
});

test('Oracle Linux 6: ELSA data with Oracle’s own .0.1 builds; without it, Red Hat’s data read through the retag', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const inv = (v: string): Inventory => ({ os: { family: 'oracle', name: 'Oracle Linux Server', version: '6.8' }, packages: [{ name: 'httpd', version: v, source: 'httpd', ecosystem: 'rpm', arch: 'x86_64' }, { name: 'mod_ssl', version: v, epoch: '1', source: 'httpd', ecosystem: 'rpm', arch: 'x86_64' }], components: [], pendingUpdates: [] });
  const old = distro(run(inv('2.2.15-45.0.1.el6')).findings, 'httpd', 'missing-security-update')[0]!;
  assert.equal(old.source, 'distro:oracle:6', 'Oracle’s own ELSA first');
  assert.ok(ev(old).advisories!.includes('ELSA-2016-1421'));
  assert.equal(ev(old).fixedVersion, '0:2.2.15-54.0.1.el6_8', 'the source’s own target; mod_ssl compared with its own epoch');
  const fixed = run(inv('2.2.15-54.0.1.el6_8')).findings.filter((f) => f.category === 'missing-security-update' && f.cves?.includes('CVE-2016-5387'));
  assert.deepEqual(fixed.map((f) => f.title), [], 'the Oracle build of the fix is not missing it');
});

/** The report as `mamori scan host` emits it (finishScan: assess, localise, render). */
async function report(system: string, format: 'json' | 'table', lang: Lang = 'en'): Promise<string> {
  const r = await collectHost(new FixtureTransport(system), { docroots: [] });
  const { ctx, out } = fakeCtx(db!.dbPath, { format }, lang, format === 'table' ? 100 : undefined);
  await finishScan({ target: { kind: 'host', name: system }, inventory: r.inventory, findings: r.findings, gaps: r.gaps, scannedAt: NOW }, ctx);
  return out();
}

test('the report: CentOS 5.4’s pending yum updates marked security by mamori in the JSON inventory; the ELS state in the Japanese table', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const doc = JSON.parse(await report('centos54', 'json')) as ReportDocument;
  const httpd = doc.inventory.pendingUpdates.find((u) => u.package === 'httpd')!;
  assert.deepEqual([httpd.security, httpd.securityFrom], [true, 'mamori']);
  assert.ok(doc.knowledge.feeds.some((f) => f.name === 'redhat-api' && f.records > 0), 'the report names the feed it used');
  const table = await report('centos610-final', 'table', 'ja');
  assert.match(table, /sudo: Red Hat の延長サポートでのみ修正された脆弱性 1 件 \(RHSA-2021:0227\)/);
});

test('a CentOS host without Red Hat data: the gap says which feed to fetch', async () => {
  const r = await collectHost(new FixtureTransport('centos610-final'), { docroots: [] });
  const empty = { advisories: [], lifecycle: [], kev: [], epss: [], cves: [], feeds: [{ name: 'kev', records: 1404, updatedAt: '2026-11-20T00:00:00Z' }] };
  for (const lang of ['en', 'ja'] as const) {
    const out = assess({ target: { kind: 'host', name: 'h' }, inventory: r.inventory, findings: [], knowledge: empty, now: NOW, lang });
    const g = out.gaps.find((x) => x.code === 'assess.gap.noDistroDataRedhat')!;
    assert.match(g.why, /centos:6 \/ rhel:6/);
    assert.match(g.why, /mamori db update --feed redhat-api/);
  }
});

test('a pending update is marked security only when it reaches at least one fix', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const inv = (candidate: string): Inventory => ({
    os: { family: 'centos', name: 'CentOS', version: '5.4' },
    packages: [{ name: 'php', version: '5.1.6-24.el5_4.5', source: 'php', ecosystem: 'rpm', arch: 'x86_64' }],
    components: [],
    pendingUpdates: [{ package: 'php', installed: '5.1.6-24.el5_4.5', candidate, security: false, repository: 'updates' }],
  });
  const pend = (c: string) => {
    const out = run(inv(c));
    const f = distro(out.findings, 'php', 'missing-security-update')[0]!;
    return { ev: ev(f).pendingUpdates![0]!, marked: markSecurityUpdates(inv(c), out.findings).pendingUpdates[0]! };
  };
  const some = pend('5.1.6-27.el5_7.4');
  assert.deepEqual([some.ev.fixesAll, some.marked.security, some.marked.securityFrom], [false, true, 'mamori'], 'fixes CVE-2011-4885, not CVE-2012-1823');
  const none = pend('5.1.6-25.el5_4');
  assert.deepEqual([none.ev.fixesAll, none.marked.security, none.marked.securityFrom], [false, false, undefined], 'reaches no fix: left as yum said');
  assert.equal(pend('5.1.6-45.el5_11').ev.fixesAll, true);
});

test('RHEL 6 itself: the ELS-only fix is open unless the server has the ELS add-on, which ships it', (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  const inv = (v: string): Inventory => ({ os: { family: 'rhel', name: 'Red Hat Enterprise Linux Server', version: '6.10' }, packages: [{ name: 'sudo', version: v, source: 'sudo', ecosystem: 'rpm', arch: 'x86_64' }], components: [], pendingUpdates: [] });
  const f = distro(run(inv('1.8.6p3-29.el6_10.3')).findings, 'sudo')[0]!;
  assert.equal(ev(f).state, 'extended-support-only');
  assert.match(f.title, /fixed only in Red Hat Extended Life-cycle Support \(RHSA-2021:0227\): open unless this server has the ELS add-on/);
  assert.deepEqual(f.remediation.steps!.map((s) => s.actionMessage?.code).slice(0, 2), ['assess.step.elsAddOn.migrate', 'assess.step.elsAddOn.buy']);
  assert.deepEqual(distro(run(inv('1.8.6p3-29.el6_10.4')).findings, 'sudo'), [], 'the ELS build installed: nothing open');
});
