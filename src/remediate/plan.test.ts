import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CVE_DEFENCES, DEFENCE_SNIPPETS } from '../core/assess/data/defences.js';
import { packageUpdate } from '../core/assess/platform.js';
import { kernelFindings } from '../collect/host/index.js';
import { messages } from '../core/messages/index.js';
import type { Finding, ReportDocument, Severity } from '../core/model.js';
import { parseAptSimulation, parseListeningPorts, parseRpmTransaction, parseVersions, similarity, verifyResolved } from './apply.js';
import { buildPlan, parseLagPolicy, planCommand } from './plan.js';
import { renderPlanTable } from './table.js';

const NOW = new Date('2026-12-06T00:00:00Z');

function finding(id: string, over: Partial<Finding> = {}): Finding {
  return { id, category: 'missing-security-update', severity: 'high', title: id, remediation: { priority: 1, action: 'update' }, ...over };
}

function doc(findings: Finding[], over: Partial<ReportDocument> = {}): ReportDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'mamori', version: 't' },
    scannedAt: '2026-12-05T00:00:00.000Z',
    target: { kind: 'host', name: 'root@web1:22' },
    knowledge: { feeds: [] },
    inventory: { os: { family: 'debian', name: 'Debian GNU/Linux', version: '12' }, packages: [], components: [], pendingUpdates: [], listening: [{ port: 80, address: '0.0.0.0', process: 'nginx' }, { port: 5432, address: '127.0.0.1' }] },
    findings,
    gaps: [],
    summary: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    ...over,
  };
}

const openssl = finding('UPD-openssl', {
  severity: 'critical',
  cves: ['CVE-2024-0001'],
  remediation: { priority: 1, action: 'update', command: 'apt-get install --only-upgrade libssl3 openssl', update: packageUpdate('apt', [{ name: 'openssl', from: '3.0.11-1~deb12u1', to: '3.0.15-1~deb12u1' }, { name: 'libssl3', from: '3.0.11-1~deb12u1', to: '3.0.15-1~deb12u1' }], ['DSA-5764-1'], '2024-09-03') },
});
const nginx = finding('UPD-nginx', {
  severity: 'medium',
  remediation: { priority: 1, action: 'update', update: packageUpdate('apt', [{ name: 'nginx', from: '1.22.1-9', to: '1.22.1-9+deb12u1' }], [], '2026-11-20') },
});
const kernel = finding('UPD-kernel', {
  remediation: { priority: 1, action: 'update', update: packageUpdate('apt', [{ name: 'linux-image-6.1.0-18-amd64', from: '6.1.76-1', to: '6.1.119-1' }], []) },
});
const phpCgi = finding('VUL-php', {
  category: 'vulnerability',
  severity: 'critical',
  cves: ['CVE-2012-1823', 'CVE-2012-2311'],
  remediation: { priority: 1, action: 'update', update: packageUpdate('apt', [{ name: 'php5-cgi', from: '5.4.4-14', to: '5.4.45-0+deb7u14' }], ['DSA-2465-1']) },
});

test('one update step per package manager, then restart and reboot; each step says what it fixes', () => {
  const p = buildPlan([doc([openssl, nginx, kernel, ...kernelFindings({ running: '6.1.0-18-amd64', rebootRequired: true, staleProcesses: [{ pid: 10, command: 'php-fpm8.2', libraries: ['/usr/lib/x86_64-linux-gnu/libssl.so.3'] }] })])], { now: NOW });
  const h = p.hosts[0]!;
  assert.deepEqual(h.steps.map((s) => [s.order, s.kind]), [[1, 'update'], [2, 'restart'], [3, 'reboot']]);
  const u = h.steps[0]!;
  assert.equal(u.tool, 'apt');
  assert.deepEqual(u.packages.map((x) => x.name), ['libssl3', 'linux-image-6.1.0-18-amd64', 'nginx', 'openssl']);
  assert.equal(u.command, 'apt-get update && apt-get install --only-upgrade libssl3 linux-image-6.1.0-18-amd64 nginx openssl');
  assert.deepEqual(u.advisories, ['DSA-5764-1']);
  assert.deepEqual(u.fixes, ['UPD-kernel', 'UPD-nginx', 'UPD-openssl']);
  assert.deepEqual(u.cves, ['CVE-2024-0001']);
  assert.deepEqual(h.steps[1]!.services, ['nginx', 'php8.2-fpm'], 'the updated server package and the process still using the replaced libssl');
  assert.equal(h.steps[2]!.fixes.length, 2, 'the kernel update and the pending-reboot finding');
  assert.deepEqual(h.healthChecks, [{ kind: 'port', port: 80 }], 'ports with a known owner at scan time');
  assert.deepEqual(h.notPlanned, []);
});

test('patch lag: days since the advisory against the policy; no date is unknown, never fine', () => {
  const p = buildPlan([doc([openssl, nginx, kernel])], { now: NOW, policy: parseLagPolicy('critical=7,high=30,medium=30')! });
  const lag = Object.fromEntries(p.hosts[0]!.lag.map((l) => [l.finding, l]));
  assert.deepEqual([lag['UPD-openssl']!.status, lag['UPD-openssl']!.days, lag['UPD-openssl']!.limit], ['overdue', 824, 7]);
  assert.deepEqual([lag['UPD-nginx']!.status, lag['UPD-nginx']!.days, lag['UPD-nginx']!.limit], ['within', 16, 30]);
  assert.deepEqual([lag['UPD-kernel']!.status, lag['UPD-kernel']!.days], ['unknown', undefined]);
  assert.equal(parseLagPolicy('critical=7,urgent=1'), undefined);
  assert.equal(parseLagPolicy('high=-1'), undefined);
});

test('a held-back update gets the reviewed temporary defence for its CVEs, shown and never part of the update', () => {
  const p = buildPlan([doc([openssl, phpCgi])], { now: NOW, hold: ['php5-cgi'] });
  const h = p.hosts[0]!;
  assert.deepEqual(h.held, ['php5-cgi']);
  assert.deepEqual(h.steps.map((s) => s.kind), ['update', 'defence']);
  assert.ok(!h.steps[0]!.packages.some((x) => x.name === 'php5-cgi'));
  const d = h.steps[1]!;
  assert.equal(d.defence?.key, 'phpCgi');
  assert.deepEqual(d.fixes, ['VUL-php']);
  assert.deepEqual(d.cves, ['CVE-2012-1823', 'CVE-2012-2311']);
  assert.ok(d.defence!.snippets.some((s) => s.server === 'apache' && s.module === 'mod_rewrite' && /RewriteCond %\{QUERY_STRING\} \^\[\^=\]\*\$/.test(s.text)));
  assert.equal(d.defence!.reviewOverdue, false);
  const table = renderPlanTable(p, { lang: 'en', columns: 100 });
  assert.match(table, /2\. Temporary defence until the update is in/);
  assert.match(table, /Side effects: Blocks query strings/);
  assert.match(table, /mamori never applies defences/);
  assert.match(renderPlanTable(p, { lang: 'ja', columns: 100 }), /暫定対策/);
  // A review-by date in the past is flagged, not hidden.
  const late = buildPlan([doc([phpCgi])], { now: new Date('2028-01-01T00:00:00Z'), hold: ['php5-cgi'] });
  assert.equal(late.hosts[0]!.steps[0]!.defence!.reviewOverdue, true);
});

test('findings without a structured update or defence are listed as not planned, with why', () => {
  const unfixed = finding('VUL-x', { category: 'vulnerability', cves: ['CVE-2099-1'], remediation: { priority: 2, action: 'wait' } });
  const shellshock = finding('VUL-bash', { category: 'vulnerability', cves: ['CVE-2014-6271'], remediation: { priority: 2, action: 'wait' } });
  const eol = finding('EOL-php', { category: 'end-of-life', remediation: { priority: 3, action: 'Migrate to PHP 8.3' } });
  const h = buildPlan([doc([unfixed, shellshock, eol])], { now: NOW }).hosts[0]!;
  assert.deepEqual(h.steps.map((s) => [s.kind, s.fixes]), [['defence', ['VUL-bash']], ['migration', ['EOL-php']]]);
  assert.deepEqual(h.notPlanned.map((n) => n.id), ['VUL-x']);
});

test('every finding with an update lands in exactly one update step (property)', () => {
  const pkg = fc.constantFrom('openssl', 'libssl3', 'nginx', 'php8.2-fpm', 'curl', 'bash');
  const arb = fc.array(fc.record({ tool: fc.constantFrom('apt' as const, 'dnf' as const, 'yum' as const), pkgs: fc.uniqueArray(pkg, { minLength: 1, maxLength: 3 }), sev: fc.constantFrom<Severity>('critical', 'high', 'medium', 'low') }), { maxLength: 8 });
  fc.assert(
    fc.property(arb, (specs) => {
      const fs = specs.map((s, i) => finding(`F${i}`, { severity: s.sev, remediation: { priority: 1, action: 'u', update: packageUpdate(s.tool, s.pkgs.map((name) => ({ name, to: '2' })), []) } }));
      const h = buildPlan([doc(fs)], { now: NOW }).hosts[0]!;
      const fixes = h.steps.filter((s) => s.kind === 'update').flatMap((s) => s.fixes);
      assert.deepEqual([...fixes].sort(), fs.map((f) => f.id).sort());
      assert.deepEqual(h.steps.map((s) => s.order), h.steps.map((_, i) => i + 1));
      for (const s of h.steps.filter((x) => x.kind === 'update')) assert.equal(new Set(s.packages.map((x) => x.name)).size, s.packages.length, 'each package once');
    }),
  );
});

test('commands per package manager', () => {
  const pk = [{ name: 'openssl' }, { name: 'curl' }];
  assert.equal(planCommand('yum', pk, ['RHSA-2023:1335']), 'yum update-minimal --security curl openssl');
  assert.equal(planCommand('yum', pk, []), 'yum update curl openssl');
  assert.equal(planCommand('dnf', pk, ['ALSA-2024:1234', 'not-an-advisory']), 'dnf upgrade --advisory=ALSA-2024:1234');
  assert.equal(planCommand('apk', pk, []), 'apk update && apk upgrade curl openssl');
});

test('every defence is reviewed data: source, side effects and check in both languages, a review-by date, CVEs that point to it', () => {
  const keys = new Set(Object.values(CVE_DEFENCES));
  for (const [key, d] of Object.entries(DEFENCE_SNIPPETS)) {
    assert.equal(d.key, key);
    assert.ok(keys.has(key), `${key} is reached from a CVE`);
    assert.match(d.source, /^https:\/\//);
    assert.match(d.reviewBy, /^\d{4}-\d\d-\d\d$/);
    assert.ok(d.snippets.length > 0 && d.snippets.every((s) => s.text.trim().length > 0));
    for (const lang of ['en', 'ja'] as const) for (const code of [d.sideEffects, d.check.describe, `assess.step.defence.${key}`]) assert.notEqual(messages.t(lang, code), code, `${lang} ${code}`);
    assert.ok(d.check.expectStatus?.length || d.check.bodyMustNotContain, `${key}: the check says what the answer must be`);
  }
  for (const k of ['phpCgi', 'httpdRange', 'httpoxy', 'shellshock']) assert.ok(DEFENCE_SNIPPETS[k], k);
});

test('apt simulation, rpm transaction, versions, ports and page similarity parse what the tools print', () => {
  const apt = [
    'NOTE: This is only a simulation!',
    'Reading package lists...',
    'The following packages will be upgraded:',
    '  libssl3 openssl',
    'Inst libssl3 [3.0.11-1~deb12u1] (3.0.15-1~deb12u2 Debian-Security:12/stable-security [amd64])',
    'Inst openssl [3.0.11-1~deb12u1] (3.0.15-1~deb12u2 Debian-Security:12/stable-security [amd64])',
    'Inst libnew1 (1.0-1 Debian:12/stable [amd64])',
    'Remv oldthing [0.9-1]',
    'Conf libssl3 (3.0.15-1~deb12u2 Debian-Security:12/stable-security [amd64])',
  ].join('\n');
  assert.deepEqual(parseAptSimulation(apt), {
    upgrades: [
      { name: 'libssl3', from: '3.0.11-1~deb12u1', to: '3.0.15-1~deb12u2' },
      { name: 'openssl', from: '3.0.11-1~deb12u1', to: '3.0.15-1~deb12u2' },
    ],
    installs: [{ name: 'libnew1', to: '1.0-1' }],
    removals: ['oldthing'],
  });
  const dnf = [
    '================================================================================',
    ' Package          Arch       Version                    Repository        Size',
    '================================================================================',
    'Upgrading:',
    ' openssl          x86_64     1:3.0.7-27.el9_4           baseos           1.2 M',
    ' openssl-libs     x86_64     1:3.0.7-27.el9_4           baseos           2.2 M',
    'Installing dependencies:',
    ' crypto-policies  noarch     20240202-1.git283706d.el9  baseos            88 k',
    '',
    'Transaction Summary',
    '================================================================================',
    'Upgrade  2 Packages',
    'Operation aborted.',
  ].join('\n');
  assert.deepEqual(parseRpmTransaction(dnf), {
    upgrades: [
      { name: 'openssl', to: '1:3.0.7-27.el9_4' },
      { name: 'openssl-libs', to: '1:3.0.7-27.el9_4' },
    ],
    installs: [{ name: 'crypto-policies', to: '20240202-1.git283706d.el9' }],
    removals: [],
  });
  assert.deepEqual(parseVersions('minihttpd\t1.0-1\tii \nrc-only\t2.0\trc \n'), [{ name: 'minihttpd', version: '1.0-1' }]);
  assert.deepEqual(parseVersions('openssl\t(none):1.0.2k-26.el7_9\n'), [{ name: 'openssl', version: '1.0.2k-26.el7_9' }]);
  assert.deepEqual([...parseListeningPorts('State  Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0 128 127.0.0.1:8080 0.0.0.0:*\nLISTEN 0 128 [::]:22 [::]:*\n')].sort(), [22, 8080]);
  assert.equal(similarity('<h1>shop</h1>\n<p>open</p>', '<h1>shop</h1>\n<p>open</p>'), 1);
  assert.ok(similarity('<h1>shop</h1>\n<p>open</p>\n<p>a</p>\n<p>b</p>\n<p>c</p>', '<h1>shop</h1>\n<p>open</p>\n<p>a</p>\n<p>b</p>\n<p>d</p>') < 0.8);
  assert.equal(similarity('404 Not Found', '<h1>shop</h1>'), 0);
});

test('verify by rescan: resolved unless the rescan still reports the finding or a package is still pending', () => {
  const h = buildPlan([doc([openssl, nginx])], { now: NOW }).hosts[0]!;
  assert.deepEqual(verifyResolved(h, { findingIds: new Set(), pendingSecurity: new Set() }), { resolved: ['UPD-nginx', 'UPD-openssl'], unresolved: [] });
  const v = verifyResolved(h, { findingIds: new Set(['UPD-nginx']), pendingSecurity: new Set(['openssl']) });
  assert.deepEqual(v.unresolved.map((u) => u.id).sort(), ['UPD-nginx', 'UPD-openssl']);
});
