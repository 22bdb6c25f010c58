/** Unit tests of the assessment over realistic hand-built slices (the real-data tests are in test/assess). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Advisory, KnowledgeSlice, LifecycleCycle } from '../knowledge.js';
import type { Finding, Inventory } from '../model.js';
import { applyBaseline, applyExceptions, assess, assessScanFindings, knowledgeQueries, type AssessInput } from './index.js';
import { rankFindings } from './risk.js';
import { selectCycle, phaseOf } from './lifecycle.js';
import { upstreamVersion, lineOf } from './upstream.js';
import { distroPlatforms, updateCommand } from './platform.js';

const NOW = new Date('2026-11-23T00:00:00Z');
const feeds = [{ name: 'debian-tracker', records: 10, updatedAt: '2026-11-20T00:00:00Z' }];

const adv = (a: Partial<Advisory> & Pick<Advisory, 'id' | 'scope'>): Advisory => ({ feed: 'test', cves: [a.id], aliases: [], ranges: [], fixState: 'fixed', ...a });
const slice = (s: Partial<KnowledgeSlice>): KnowledgeSlice => ({ advisories: [], lifecycle: [], kev: [], epss: [], cves: [], feeds, ...s });
const input = (inventory: Inventory, knowledge: KnowledgeSlice | null, extra: Partial<AssessInput> = {}): AssessInput => ({
  target: { kind: 'host', name: 'h' },
  inventory,
  findings: [],
  knowledge,
  now: NOW,
  lang: 'en',
  ...extra,
});

const phpUpstream = [
  adv({
    id: 'CVE-2012-1823',
    feed: 'php-version-audit',
    scope: { kind: 'upstream', platform: 'upstream', package: 'php', versionScheme: 'php' },
    ranges: [
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.3.12' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '5.4.0' }, { fixed: '5.4.2' }] },
    ],
    fixedVersion: '5.3.12',
  }),
  adv({
    id: 'CVE-2019-11043',
    feed: 'php-version-audit',
    scope: { kind: 'upstream', platform: 'upstream', package: 'php', versionScheme: 'php' },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.1.33' }] }],
    fixedVersion: '7.1.33',
  }),
  adv({
    id: 'CVE-2010-9999',
    feed: 'php-version-audit',
    scope: { kind: 'upstream', platform: 'upstream', package: 'php', versionScheme: 'php' },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.3.3' }] }],
  }),
];
const kev = [{ cve: 'CVE-2012-1823', dateAdded: '2022-03-25' }];
const cvss = [{ id: 'CVE-2012-1823', cvss: [{ version: '3.1' as const, score: 9.8 }] }, { id: 'CVE-2019-11043', cvss: [{ version: '3.1' as const, score: 9.8 }] }];

test('upstream PHP 5.3.3: CVEs fixed after it on its line and later lines, KEV separately, plan in order', () => {
  const inv: Inventory = { packages: [], pendingUpdates: [], components: [{ name: 'php', version: '5.3.3', detectedBy: 'header:X-Powered-By', location: 'https://shop.example.jp/' }] };
  const out = assess(input(inv, slice({ advisories: phpUpstream, kev, cves: cvss }), { target: { kind: 'site', name: 'https://shop.example.jp/' } }));
  const agg = out.findings.find((f) => f.category === 'vulnerability' && (f.cves?.length ?? 0) > 1)!;
  assert.deepEqual(new Set(agg.cves), new Set(['CVE-2012-1823', 'CVE-2019-11043']), 'fixed before 5.3.3 is not listed');
  const k = out.findings.find((f) => f.cves?.length === 1 && f.cves[0] === 'CVE-2012-1823')!;
  // Exploited, but only through php-cgi, which a banner cannot show: kept with the condition named, at most high.
  assert.equal(k.severity, 'high');
  assert.equal(k.message?.code, 'assess.title.kevIf.sapi');
  assert.ok((k.confidence ?? 100) <= 50);
  assert.deepEqual(agg.remediation.steps?.map((s) => s.priority), [1, 2, 3]);
  assert.match(agg.remediation.steps![0]!.action, /5\.3\.12/);
  assert.match(agg.remediation.steps![2]!.action, /application work/);
  assert.equal(agg.remediation.steps![1]!.reviewBy, '2026-12-23');
  assert.ok(agg.damage?.customers && agg.damage.organisation);
});

test('a distro-packaged PHP is never matched against upstream ranges', () => {
  const inv: Inventory = {
    os: { family: 'debian', name: 'Debian', version: '11' },
    packages: [{ name: 'php7.4-cli', version: '7.4.33-1+deb11u1', source: 'php7.4', ecosystem: 'dpkg' }],
    pendingUpdates: [],
    components: [{ name: 'php', version: '7.4.33', detectedBy: 'command:php -v', distroBuild: true, package: 'php7.4-cli' }],
  };
  const upstream = adv({ id: 'CVE-2024-4577', scope: { kind: 'upstream', platform: 'upstream', package: 'php', versionScheme: 'php' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '8.1.29' }] }] });
  const dsa = adv({ id: 'DSA-5363-1', cves: ['CVE-2023-0567'], scope: { kind: 'distro', platform: 'debian:11', package: 'php7.4', versionScheme: 'dpkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.4.33-1+deb11u3' }] }], fixedVersion: '7.4.33-1+deb11u3', published: '2023-02-20T00:00:00Z' });
  const out = assess(input(inv, slice({ advisories: [upstream, dsa] })));
  assert.ok(!out.findings.some((f) => f.cves?.includes('CVE-2024-4577')), 'upstream CVE not applied to the Debian build');
  const upd = out.findings.find((f) => f.category === 'missing-security-update')!;
  assert.deepEqual(upd.cves, ['CVE-2023-0567']);
  assert.equal(upd.remediation.command, 'apt-get update && apt-get install --only-upgrade php7.4-cli');
  assert.deepEqual(upd.remediation.update, { tool: 'apt', packages: [{ name: 'php7.4-cli', from: '7.4.33-1+deb11u1', to: '7.4.33-1+deb11u3' }], advisories: ['DSA-5363-1'], restart: [], reboot: false, publishedAt: '2023-02-20' });
  // Fixed version installed: nothing to report.
  inv.packages[0]!.version = '7.4.33-1+deb11u3';
  assert.ok(!assess(input(inv, slice({ advisories: [upstream, dsa] }))).findings.some((f) => f.category === 'missing-security-update'));
});

test('a malformed installed version (dpkg warns, still orders) is matched as dpkg orders it, confidence "malformed"', () => {
  // a locally rebuilt package whose version has a character dpkg only warns about
  const inv: Inventory = {
    os: { family: 'debian', name: 'Debian', version: '11' },
    packages: [{ name: 'openssl', version: '1.1.1n-0+deb11u3_local1', source: 'openssl', ecosystem: 'dpkg' }],
    pendingUpdates: [],
    components: [],
  };
  const dsa = adv({ id: 'DSA-5343-1', cves: ['CVE-2023-0286'], scope: { kind: 'distro', platform: 'debian:11', package: 'openssl', versionScheme: 'dpkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1n-0+deb11u4' }] }], fixedVersion: '1.1.1n-0+deb11u4' });
  const out = assess(input(inv, slice({ advisories: [dsa] })));
  const upd = out.findings.find((f) => f.category === 'missing-security-update');
  assert.ok(upd, `matched, not "unknown" (gaps: ${JSON.stringify(out.gaps)})`);
  const ev = (upd.evidence as { cves: { id: string; confidence?: string; malformed?: string }[] }).cves[0]!;
  assert.equal(ev.confidence, 'malformed');
  assert.equal(ev.malformed, 'invalid character in revision number');
});

test('CentOS is judged by Red Hat data; yum on 6/7, dnf --advisory on 8+', () => {
  assert.deepEqual(distroPlatforms({ family: 'centos', name: 'CentOS', version: '7.9.2009' }), ['centos:7', 'rhel:7']);
  assert.deepEqual(distroPlatforms({ family: 'rocky', name: 'Rocky', version: '9.2' }), ['rocky:9', 'rhel:9']);
  assert.deepEqual(distroPlatforms({ family: 'ubuntu', name: 'Ubuntu', version: '22.04' }), ['ubuntu:22.04']);
  const inv: Inventory = { os: { family: 'centos', name: 'CentOS', version: '7.9' }, packages: [{ name: 'openssl-libs', version: '1.0.2k-19.el7', epoch: '1', source: 'openssl', ecosystem: 'rpm' }], pendingUpdates: [], components: [] };
  const rhsa = adv({ id: 'RHSA-2023:1234', cves: ['CVE-2023-0286'], vendorSeverity: 'important', scope: { kind: 'distro', platform: 'rhel:7', package: 'openssl', versionScheme: 'rpm' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.0.2k-26.el7_9' }] }], fixedVersion: '1:1.0.2k-26.el7_9' });
  const out = assess(input(inv, slice({ advisories: [rhsa] })));
  const f = out.findings.find((x) => x.category === 'missing-security-update')!;
  assert.equal(f.severity, 'high', 'vendor "important" without CVSS');
  assert.equal(f.remediation.command, 'yum update openssl-libs');
  assert.equal(updateCommand('dnf', ['php', 'php-cli'], ['ALSA-2023:0965']), 'dnf upgrade --advisory ALSA-2023:0965');
  assert.equal(knowledgeQueries(inv).map((q) => q.distro?.platform).join(','), 'centos:7,rhel:7');
});

test('unfixed and will-not-fix are vulnerabilities with a defence or a migration, not updates', () => {
  const inv: Inventory = { os: { family: 'debian', name: 'Debian', version: '12' }, packages: [{ name: 'libxml2', version: '2.9.14+dfsg-1.3~deb12u1', source: 'libxml2', ecosystem: 'dpkg' }], pendingUpdates: [], components: [] };
  const a = adv({ id: 'CVE-2024-25062', fixState: 'unfixed', scope: { kind: 'distro', platform: 'debian:12', package: 'libxml2', versionScheme: 'dpkg' } });
  const b = adv({ id: 'CVE-2023-45322', fixState: 'will-not-fix', scope: { kind: 'distro', platform: 'debian:12', package: 'libxml2', versionScheme: 'dpkg' } });
  const out = assess(input(inv, slice({ advisories: [a, b] })));
  const f = out.findings.find((x) => x.category === 'vulnerability')!;
  assert.deepEqual(new Set(f.cves), new Set(['CVE-2024-25062', 'CVE-2023-45322']));
  assert.equal(f.remediation.priority, 2);
  assert.ok(!out.findings.some((x) => x.category === 'missing-security-update'));
});

test('an unparseable version is unknown with a gap, never "not affected"', () => {
  const inv: Inventory = { os: { family: 'debian', name: 'Debian', version: '11' }, packages: [{ name: 'x', version: 'garbage:1.0', source: 'x', ecosystem: 'dpkg' }], pendingUpdates: [], components: [] };
  const a = adv({ id: 'DSA-1', scope: { kind: 'distro', platform: 'debian:11', package: 'x', versionScheme: 'dpkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-1' }] }] });
  const out = assess(input(inv, slice({ advisories: [a] })));
  assert.ok(out.gaps.some((g) => g.code === 'assess.gap.compareUnknown' && g.why.includes('garbage')));
});

test('third-party repository packages are matched upstream', () => {
  const inv: Inventory = {
    os: { family: 'rocky', name: 'Rocky', version: '9.2' },
    packages: [{ name: 'php74-php-cli', version: '7.4.30-1.el9.remi', source: 'php74-php', ecosystem: 'rpm', thirdParty: true }],
    pendingUpdates: [],
    components: [],
  };
  const a = adv({ id: 'CVE-2022-31630', scope: { kind: 'upstream', platform: 'upstream', package: 'php', versionScheme: 'php' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.4.32' }] }] });
  const out = assess(input(inv, slice({ advisories: [a] })));
  const f = out.findings.find((x) => x.cves?.includes('CVE-2022-31630'))!;
  assert.equal(f.component?.version, '7.4.30');
  assert.match(f.remediation.action, /7\.4\.32/);
});

const cycles: LifecycleCycle[] = [
  { product: 'php', cycle: '5.3', eol: '2014-08-14', activeSupportEnd: '2013-07-11', source: 'endoflife' },
  { product: 'php', cycle: '8.4', eol: '2028-12-31', activeSupportEnd: '2026-12-31', source: 'endoflife' },
  { product: 'php', cycle: '8.2', eol: '2026-12-31', activeSupportEnd: '2024-12-31', source: 'endoflife' },
  { product: 'debian', cycle: '12', eol: '2026-07-11', extendedSupportEnd: '2028-06-30', source: 'endoflife' },
];

test('lifecycle: phases with dates and days left; within 90 days a warning; unknown is never supported', () => {
  assert.equal(selectCycle(cycles, '5.3.3')?.cycle, '5.3');
  assert.equal(selectCycle(cycles, '5.30.1'), undefined);
  assert.equal(phaseOf(cycles[0]!, NOW).phase, 'eol');
  assert.equal(phaseOf(cycles[1]!, NOW).phase, 'active');
  assert.equal(phaseOf({ product: 'x', cycle: '1', source: 's' }, NOW).phase, 'unknown');
  const inv: Inventory = {
    os: { family: 'debian', name: 'Debian', version: '12' },
    packages: [],
    pendingUpdates: [],
    components: [
      { name: 'php', version: '8.2.20', detectedBy: 'x', location: '/opt/php82' },
      { name: 'php', version: '5.3.3', detectedBy: 'y', location: '/usr/local/php53' },
      { name: 'nginx', detectedBy: 'banner:Server' },
    ],
  };
  const out = assess(input(inv, slice({ lifecycle: cycles })));
  const deb = out.lifecycle.find((e) => e.component === 'Debian')!;
  assert.equal(deb.phase, 'security', 'Debian LTS is free: security fixes until 2028-06-30');
  assert.equal(deb.securitySupportEnd, '2028-06-30');
  const soon = out.findings.find((f) => f.category === 'end-of-life' && f.component?.version === '8.2.20')!;
  assert.equal(soon.severity, 'medium');
  assert.equal((soon.evidence as { daysLeft: number }).daysLeft, 38);
  const old = out.findings.find((f) => f.category === 'end-of-life' && f.component?.version === '5.3.3')!;
  assert.equal(old.severity, 'high');
  assert.equal((old.evidence as { supportedSuccessor: string }).supportedSuccessor, '8.4');
  const ng = out.lifecycle.find((e) => e.component === 'nginx')!;
  assert.equal(ng.phase, 'unknown');
  assert.ok(out.gaps.some((g) => g.code === 'assess.gap.lifecycleVersion'));
});

/** An old shared server whose lifecycle data hits every branch that explains a phase in words. */
const oldServer: Inventory = {
  os: { family: 'centos', name: 'CentOS', version: '6.10' },
  packages: [{ name: 'openssl', version: '1.0.1e-58.el6_10', source: 'openssl', ecosystem: 'rpm' }],
  pendingUpdates: [],
  components: [
    { name: 'openssl', version: '1.0.1e', package: 'openssl', detectedBy: 'rpm' },
    { name: 'php', version: '5.6.40', detectedBy: 'binary:/opt/php56/bin/php', location: '/opt/php56' },
    { name: 'mysql', version: '5.7.44', detectedBy: 'binary:/usr/sbin/mysqld', location: '/usr/sbin/mysqld' },
    { name: 'nginx', detectedBy: 'banner:Server' },
    { name: 'mariadb', version: '10.3.39', detectedBy: 'binary:/usr/sbin/mariadbd', location: '/usr/sbin/mariadbd' },
    { name: 'apache-httpd', version: '2.2.34', detectedBy: 'binary:/usr/local/apache2/bin/httpd', location: '/usr/local/apache2' },
    { name: 'ec-cube', detectedBy: 'file', location: '/var/www/shop' },
    { name: 'ec-cube', version: '4.3.1', detectedBy: 'file', location: '/srv/shop2' },
  ],
};
const oldServerCycles: LifecycleCycle[] = [
  { product: 'centos', cycle: '6', releaseDate: '2011-07-10', activeSupportEnd: '2017-05-10', eol: '2020-11-30', source: 'endoflife' },
  { product: 'centos', cycle: '6', eol: '2020-12-02', source: 'distro-info' },
  { product: 'php', cycle: '5.6', releaseDate: '2014-08-28', eol: true, source: 'endoflife' },
  { product: 'php', cycle: '8.4', eol: '2028-12-31', activeSupportEnd: '2026-12-31', source: 'endoflife' },
  { product: 'mysql', cycle: '5.7', source: 'endoflife' },
  { product: 'apache-http-server', cycle: '2.4', releaseDate: '2012-02-21', eol: false, source: 'endoflife' },
];
const JAPANESE = /[ぁ-んァ-ン一-龥]/;

test('lifecycle in Japanese: every reason, gap and end-of-life title on the lifecycle path is Japanese', () => {
  const out = assess(input(oldServer, slice({ lifecycle: oldServerCycles }), { lang: 'ja' }));
  const by = (component: string, version?: string) => out.lifecycle.find((e) => e.component === component && (version === undefined || e.version === version))!;
  // One entry per branch, each with its reason: if a branch loses its reason or stays English, this fails.
  assert.match(by('CentOS').reason ?? '', /^distro-info では 2020-12-02$/, 'the sources disagree');
  assert.match(by('openssl').reason ?? '', /CentOS のサポート期間に従います/, 'packaged: follows the OS');
  assert.equal(by('php').phase, 'eol');
  assert.match(by('php').reason ?? '', /終了日はデータにありません/, 'end of life without a date');
  assert.equal(by('mysql').phase, 'unknown');
  assert.equal(by('mysql').reason, 'サポート期限の日付がデータにありません');
  assert.match(by('nginx').reason ?? '', /バージョン不明/);
  assert.match(by('mariadb').reason ?? '', /ライフサイクル情報がありません/);
  assert.match(by('apache-httpd').reason ?? '', /該当する apache-http-server の系列がありません/);
  assert.match(by('ec-cube', '4.3.1').reason ?? '', /サポート情報がありません/);
  const reasons = out.lifecycle.map((e) => [e.component, e.reason ?? ''] as const);
  assert.equal(reasons.length, 9);
  assert.deepEqual(reasons.filter(([, r]) => !JAPANESE.test(r)), [], 'a lifecycle reason left in English');
  const gaps = out.gaps.filter((g) => /^assess\.gap\.(lifecycle|app)/.test(g.code ?? ''));
  assert.deepEqual(gaps.map((g) => g.code).sort(), ['assess.gap.appVersion', 'assess.gap.lifecycleCycle', 'assess.gap.lifecycleMissing', 'assess.gap.lifecycleVersion']);
  assert.deepEqual(gaps.filter((g) => !JAPANESE.test(g.what) || !JAPANESE.test(g.why)), [], 'a lifecycle gap left in English');
  assert.ok(gaps.some((g) => g.what === 'nginx のサポート状況'));
  const eol = out.findings.filter((f) => f.category === 'end-of-life');
  assert.deepEqual(eol.map((f) => f.component?.name).sort(), ['CentOS', 'php']);
  for (const f of eol) {
    assert.match(f.title, JAPANESE, f.title);
    for (const st of f.remediation.steps ?? []) assert.match(st.action, JAPANESE, st.action);
  }
  assert.match(eol.find((f) => f.component?.name === 'php')!.title, /サポート終了済み/);
  // The same server in English keeps English reasons (the catalog, not a hard-coded language).
  const en = assess(input(oldServer, slice({ lifecycle: oldServerCycles })));
  assert.equal(en.lifecycle.find((e) => e.component === 'mysql')!.reason, 'No support dates in the data');
  assert.equal(en.lifecycle.find((e) => e.component === 'CentOS')!.reason, 'distro-info gives 2020-12-02');
  assert.ok(en.gaps.some((g) => g.what === 'nginx support phase'));
});

test('applications: old carts and mail forms in the field’s words; unknown versions are gaps', () => {
  const inv: Inventory = {
    packages: [],
    pendingUpdates: [],
    components: [
      { name: 'ec-cube', version: '2.13.5', detectedBy: 'file', location: '/var/www/html' },
      { name: 'ec-cube', version: '4.3.1', detectedBy: 'file', location: '/srv/shop2' },
      { name: 'kent-postmail', version: '2009/05/13', detectedBy: 'file', location: '/cgi-bin/postmail.cgi' },
      { name: 'kent-postmail', version: '2025/08/11', detectedBy: 'file', location: '/cgi-bin/new/postmail.cgi' },
      { name: 'oscommerce', detectedBy: 'cookie:osCsid', location: 'https://x/' },
    ],
  };
  const out = assess(input(inv, slice({}), { lang: 'ja' }));
  const apps = out.findings.filter((f) => f.category === 'outdated-application');
  assert.equal(apps.length, 2, apps.map((f) => f.title).join('\n'));
  assert.match(apps.find((f) => f.component?.name === 'ec-cube')!.title, /EC-CUBE 2\.13\.5 はサポート期限を過ぎています/);
  assert.match(apps.find((f) => f.component?.name === 'kent-postmail')!.title, /17 年|保守されていません/);
  assert.ok(out.gaps.some((g) => g.code === 'assess.gap.appVersion'));
});

test('no knowledge DB: a gap that says what to run, and the scan’s own findings still reported', () => {
  const pii: Finding = { id: 'PII-1', category: 'personal-data-exposure', severity: 'critical', title: 'x', remediation: { priority: 1, action: 'y' } };
  const php = { name: 'php', version: '5.3.3', detectedBy: 'header:X-Powered-By' };
  const out = assess(input({ packages: [], pendingUpdates: [], components: [php] }, null, { findings: [pii], knowledgeLocation: '/nowhere/db.sqlite' }));
  assert.equal(out.findings[0]!.id, 'PII-1');
  assert.ok(out.findings[0]!.damage?.customers.length);
  const g = out.gaps.find((x) => x.code === 'assess.gap.noDb')!;
  assert.match(g.why, /\/nowhere\/db\.sqlite.*mamori db update.*mamori db import/);
  // A files scan with nothing to match needs no DB: no gap is noise there.
  const files = assess(input({ packages: [], pendingUpdates: [], components: [] }, null, { findings: [pii], target: { kind: 'files', name: '/srv' } }));
  assert.equal(files.gaps.filter((x) => x.code === 'assess.gap.noDb').length, 0);
  // in a Japanese report the gap's subject is Japanese too, as is a host without a known OS
  const ja = assess(input({ packages: [], pendingUpdates: [], components: [php] }, null, { findings: [pii], lang: 'ja', target: { kind: 'host', name: 'web01' } }));
  assert.equal(ja.gaps.find((x) => x.code === 'assess.gap.noDb')!.what, 'ナレッジ DB');
  assert.equal(ja.gaps.find((x) => x.code === 'assess.gap.noOs')!.what, 'OS');
});

test('assessScanFindings is assess() for an inventory with nothing to match (files and site targets)', () => {
  const pii = (i: number, severity: Finding['severity']): Finding => ({ id: `PII-${i}`, category: 'personal-data-exposure', severity, title: `t${i}`, location: `/srv/f${i}.csv`, remediation: { priority: 1, action: 'y' } });
  const sens: Finding = { id: 'SENS-1', category: 'sensitive-file-exposure', severity: 'high', title: 's', location: '/srv/.env', remediation: { priority: 2, action: 'z' } };
  for (const kind of ['files', 'site'] as const) {
    for (const lang of ['en', 'ja'] as const) {
      const make = () => input({ packages: [], pendingUpdates: [], components: [] }, null, { findings: [pii(1, 'medium'), sens, pii(2, 'critical'), pii(3, 'high')], target: { kind, name: '/srv' }, lang });
      assert.deepEqual(assessScanFindings(make()), assess(make()), `${kind} ${lang}`);
    }
  }
  // anything the matchers could use goes to assess()
  assert.throws(() => assessScanFindings(input({ packages: [], pendingUpdates: [], components: [{ name: 'php', version: '5.3.3', detectedBy: 'x' }] }, null)), /needs assess/);
});

test('stale feeds become gaps with their age', () => {
  const out = assess(input({ packages: [], pendingUpdates: [], components: [] }, slice({ feeds: [{ name: 'kev', records: 1400, updatedAt: '2026-08-25T00:00:00Z' }] })));
  assert.match(out.gaps.find((g) => g.code === 'assess.gap.feedStale')!.why, /kev is 90 days old/);
  assert.equal(out.feeds[0]!.stale, true);
});

test('pending security updates from the package manager are reported once, deduped with the scan’s', () => {
  const inv: Inventory = {
    os: { family: 'ubuntu', name: 'Ubuntu', version: '20.04' },
    packages: [{ name: 'libssl1.1', version: '1.1.1f-1ubuntu2.19', source: 'openssl', ecosystem: 'dpkg' }],
    pendingUpdates: [{ package: 'libssl1.1', installed: '1.1.1f-1ubuntu2.19', candidate: '1.1.1f-1ubuntu2.22', security: true, source: 'openssl' }],
    components: [],
  };
  const mine = assess(input(inv, slice({})));
  const upd = mine.findings.filter((f) => f.category === 'missing-security-update');
  assert.equal(upd.length, 1);
  assert.equal(upd[0]!.remediation.command, 'apt-get update && apt-get install --only-upgrade libssl1.1');
  const scanOwn: Finding = { id: 'UPD-host-own', category: 'missing-security-update', severity: 'medium', title: 'libssl1.1', component: { name: 'libssl1.1' }, remediation: { priority: 1, action: 'a' } };
  const both = assess(input(inv, slice({}), { findings: [scanOwn] }));
  assert.equal(both.findings.filter((f) => f.category === 'missing-security-update').length, 1, 'not reported twice');
});

const arbFinding = fc.record({
  id: fc.stringMatching(/^[A-Z]{3,4}-[0-9a-f]{12}$/),
  category: fc.constantFrom('vulnerability', 'end-of-life', 'outdated-application', 'weak-tls', 'missing-security-update') as fc.Arbitrary<Finding['category']>,
  severity: fc.constantFrom('critical', 'high', 'medium', 'low', 'info') as fc.Arbitrary<Finding['severity']>,
  title: fc.string(),
  cves: fc.array(fc.constantFrom('CVE-2012-1823', 'CVE-2014-0160', 'CVE-2021-44228', 'CVE-2024-4577'), { maxLength: 3 }),
  remediation: fc.constant({ priority: 1 as const, action: 'a' }),
});
const uniq = (fs: Finding[]) => [...new Map(fs.map((f) => [f.id, f])).values()];

test('ranking is a total order, stable and independent of input order (property)', () => {
  fc.assert(
    fc.property(fc.array(arbFinding, { maxLength: 30 }).map(uniq), fc.array(fc.nat(), { maxLength: 30 }), (fs, perm) => {
      const scores = new Map(fs.map((f, i) => [f.id, (i * 7) % 5]));
      const a = rankFindings(fs.map((f) => ({ ...f })), scores).map((f) => f.id);
      const shuffled = [...fs];
      perm.forEach((p, i) => {
        const j = p % Math.max(1, shuffled.length);
        if (i < shuffled.length) [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      });
      const b = rankFindings(shuffled.map((f) => ({ ...f })), scores).map((f) => f.id);
      assert.deepEqual(a, b);
      const ranked = rankFindings(fs.map((f) => ({ ...f })), scores);
      ranked.forEach((f, i) => assert.equal(f.rank, i + 1));
    }),
  );
});

test('ignore then un-ignore restores the findings exactly (property); expired entries stop hiding', () => {
  fc.assert(
    fc.property(fc.array(arbFinding, { maxLength: 20 }).map(uniq), fc.array(fc.nat(), { maxLength: 5 }), (fs, picks) => {
      const before = JSON.stringify(fs);
      const entries = picks.map((p, i) => (i % 2 && fs.length ? { id: fs[p % fs.length]!.id, reason: 'r', status: 'accepted' as const } : { cve: 'CVE-2014-0160', reason: 'r', status: 'not_affected' as const }));
      const hidden = applyExceptions(fs, entries, NOW, 'en');
      assert.equal(JSON.stringify(fs), before, 'inputs untouched');
      assert.ok(hidden.findings.every((f) => !f.cves?.includes('CVE-2014-0160') || entries.every((e) => !e.cve)));
      const restored = applyExceptions(fs, [], NOW, 'en');
      assert.deepEqual(restored.findings, fs);
    }),
  );
  const f: Finding = { id: 'VULN-aaaaaaaaaaaa', category: 'vulnerability', severity: 'high', title: 't', cves: ['CVE-1', 'CVE-2'], remediation: { priority: 1, action: 'a' } };
  const expired = applyExceptions([f], [{ id: f.id, reason: 'waiting for vendor', expires: '2026-11-22', status: 'accepted' }], NOW, 'en');
  assert.equal(expired.findings.length, 1, 'expired: shown again');
  assert.equal(expired.gaps[0]!.code, 'assess.gap.ignoreExpired');
  assert.equal(expired.suppressed[0]!.status, 'expired');
  const lastDay = applyExceptions([f], [{ id: f.id, reason: 'r', expires: '2026-11-23', status: 'accepted' }], NOW, 'en');
  assert.equal(lastDay.findings.length, 0, 'valid through its expiry day');
  const partial = applyExceptions([f], [{ cve: 'CVE-1', reason: 'not reachable', status: 'not_affected' }], NOW, 'en');
  assert.deepEqual(partial.findings[0]!.cves, ['CVE-2']);
  const inv = applyExceptions([f], [{ id: f.id, reason: 'checking', status: 'under_investigation' }], NOW, 'en');
  assert.equal(inv.findings.length, 1);
  assert.equal((inv.findings[0]!.evidence as { vex: { status: string } }).vex.status, 'under_investigation');
});

test('baseline: new, unchanged and resolved', () => {
  const mk = (id: string): Finding => ({ id, category: 'vulnerability', severity: 'high', title: id, remediation: { priority: 1, action: 'a' } });
  const r = applyBaseline([mk('A'), mk('B')], [mk('B'), mk('C')]);
  assert.deepEqual(r.findings.map((f) => [f.id, f.baseline]), [['A', 'new'], ['B', 'unchanged']]);
  assert.deepEqual(r.resolved.map((x) => x.id), ['C']);
});

test('version helpers', () => {
  assert.equal(upstreamVersion('5.3.3-7+squeeze19'), '5.3.3');
  assert.equal(upstreamVersion('1.0.1e-fips'), '1.0.1e');
  assert.equal(upstreamVersion('1:2.4.6-97.el7'), '2.4.6');
  assert.equal(upstreamVersion('unknown'), undefined);
  assert.equal(lineOf('openssl', '1.0.1e'), '1.0.1');
  assert.equal(lineOf('php', '5.3.29'), '5.3');
});

test('calendar days without the Date global agree with Date.UTC (property)', async () => {
  const { epochDay, isoFromDay } = await import('./dates.js');
  fc.assert(
    fc.property(fc.integer({ min: -30000, max: 80000 }), (day) => {
      const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
      assert.equal(isoFromDay(day), iso);
      assert.equal(epochDay(iso), day);
    }),
  );
});

test('findings carry message codes: a report re-rendered in Japanese changes titles, plans and damage', async () => {
  const { localize } = await import('./localize.js');
  const inv: Inventory = { packages: [], pendingUpdates: [], components: [{ name: 'php', version: '5.3.3', detectedBy: 'header', location: 'https://x/' }] };
  const en = assess(input(inv, slice({ advisories: phpUpstream, kev, cves: cvss }))).findings;
  const ja = localize(en, 'ja');
  for (const [a, b] of en.map((f, i) => [f, ja[i]!] as const)) {
    assert.notEqual(a.title, b.title);
    assert.match(b.title, /[ぁ-んァ-ン一-龯]/);
    assert.match(b.damage!.customers, /[ぁ-んァ-ン一-龯]/);
    for (const st of b.remediation.steps ?? []) assert.match(st.action, /[ぁ-んァ-ン一-龯]/, st.action);
  }
  assert.deepEqual(localize(ja, 'en'), en, 'round trip');
});

test('every message code the assessment builds at run time exists in both languages', async () => {
  const { messages } = await import('../messages/index.js');
  const { CATEGORIES } = await import('../model.js');
  const { APPLICATIONS } = await import('./data/applications.js');
  const { CVE_DEFENCES } = await import('./data/defences.js');
  const { UPSTREAM_PRODUCTS } = await import('./index.js');
  const { damageKey } = await import('./damage.js');
  const codes: string[] = [];
  for (const p of UPSTREAM_PRODUCTS) codes.push(`assess.step.defence.${p === 'apache-httpd' ? 'httpd' : p}`);
  for (const k of Object.values(CVE_DEFENCES)) codes.push(`assess.step.defence.${k}`);
  for (const k of ['os', 'php', 'webserver', 'database', 'openssl', 'application']) codes.push(`assess.step.eol.${k}`, `assess.step.eol.${k}Any`);
  for (const s of ['eol', 'unmaintained', 'vulnerable']) codes.push(`assess.title.app.${s}`);
  for (const a of APPLICATIONS) {
    codes.push(a.migration, `${a.migration}Any`, `assess.step.appDefence.${a.kind}`);
    for (const r of a.rules) codes.push(r.detail);
  }
  const keys = new Set<string>(['vulnerabilityKev', 'mailform', 'cart']);
  for (const c of CATEGORIES) keys.add(damageKey({ id: 'x', category: c, severity: 'low', title: '', remediation: { priority: 1, action: '' } }));
  for (const k of keys) codes.push(`assess.damage.${k}.customers`, `assess.damage.${k}.organisation`);
  const ja = new Set(messages.codes('ja'));
  assert.deepEqual(codes.filter((c) => !messages.has(c) || !ja.has(c)), []);
});

test('an exception that matches nothing is reported (gone, or mistyped)', () => {
  const f: Finding = { id: 'VULN-aaaaaaaaaaaa', category: 'vulnerability', severity: 'high', title: 't', cves: ['CVE-2012-1823'], remediation: { priority: 1, action: 'a' } };
  const r = applyExceptions([f], [{ id: 'VULN-typo', reason: 'r', status: 'accepted' }, { cve: 'CVE-2012-1823', reason: 'r', status: 'under_investigation' }], NOW, 'en');
  assert.deepEqual(r.gaps.map((g) => [g.code, g.what]), [['assess.gap.ignoreUnused', 'VULN-typo']]);
});

test('a command-line PHP at the version of an installed distro package is that package; a distro revision in a banner lowers confidence', () => {
  const upstream = adv({ id: 'CVE-2024-2756', scope: { kind: 'upstream', platform: 'upstream', package: 'php', versionScheme: 'php' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '8.1.29' }] }] });
  const inv: Inventory = {
    os: { family: 'ubuntu', name: 'Ubuntu', version: '20.04' },
    packages: [{ name: 'php7.4-cli', version: '7.4.3-4ubuntu2.18', source: 'php7.4', ecosystem: 'dpkg' }],
    pendingUpdates: [],
    components: [{ name: 'php', version: '7.4.3', detectedBy: 'command:php -v', location: '/usr/bin/php' }],
  };
  assert.ok(!assess(input(inv, slice({ advisories: [upstream] }))).findings.some((f) => f.cves?.includes('CVE-2024-2756')));
  inv.components[0]!.location = '/usr/local/php/bin/php';
  assert.ok(assess(input(inv, slice({ advisories: [upstream] }))).findings.some((f) => f.cves?.includes('CVE-2024-2756')), 'a source build in /usr/local is upstream');
  const banner: Inventory = { packages: [], pendingUpdates: [], components: [{ name: 'php', version: '7.4.3-4ubuntu2.18', detectedBy: 'header:X-Powered-By', location: 'https://x/' }] };
  const f = assess(input(banner, slice({ advisories: [upstream] }), { target: { kind: 'site', name: 'https://x/' } })).findings.find((x) => x.cves?.includes('CVE-2024-2756'))!;
  assert.ok((f.confidence ?? 100) <= 40);
});
