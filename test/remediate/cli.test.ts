/** `mamori patch plan|apply` through the built CLI: plans from saved scans, and bad input exits 2 with a hint. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ReportDocument } from '../../src/core/model.js';
import type { PatchPlan } from '../../src/remediate/plan.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-patch-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const scan = (name: string): ReportDocument => ({
  schemaVersion: 1,
  tool: { name: 'mamori', version: 't' },
  scannedAt: '2026-12-01T00:00:00.000Z',
  target: { kind: 'host', name },
  knowledge: { feeds: [] },
  inventory: { os: { family: 'centos', name: 'CentOS Linux', version: '7.9.2009' }, packages: [], components: [], pendingUpdates: [] },
  findings: [
    {
      id: 'UPD-openssl',
      category: 'missing-security-update',
      severity: 'critical',
      title: 'openssl',
      cves: ['CVE-2023-0286'],
      remediation: { priority: 1, action: 'update', command: 'yum update openssl openssl-libs', update: { tool: 'yum', packages: [{ name: 'openssl', from: '1:1.0.2k-19.el7', to: '1:1.0.2k-26.el7_9' }, { name: 'openssl-libs', from: '1:1.0.2k-19.el7', to: '1:1.0.2k-26.el7_9' }], advisories: ['RHSA-2023:1335'], restart: [], reboot: false, publishedAt: '2023-03-20' } },
    },
    { id: 'VULN-php-cgi', category: 'vulnerability', severity: 'critical', title: 'php-cgi', cves: ['CVE-2012-1823'], remediation: { priority: 1, action: 'update', update: { tool: 'yum', packages: [{ name: 'php-cli', from: '5.4.16-45.el7', to: '5.4.16-48.el7' }], advisories: [], restart: [], reboot: false } } },
  ],
  gaps: [],
  summary: { critical: 2, high: 0, medium: 0, low: 0, info: 0 },
});

test('patch plan from saved scans: JSON of the contract, a held package gets its defence, the table in Japanese', async () => {
  writeFileSync(join(dir, 'a.json'), JSON.stringify(scan('root@web1:22')));
  writeFileSync(join(dir, 'b.json'), JSON.stringify(scan('root@web2:22')));
  const r = await runCli(['patch', 'plan', join(dir, 'a.json'), join(dir, 'b.json'), '--hold', 'php-cli', '--lag-policy', 'critical=7', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout) as PatchPlan;
  assert.deepEqual(p.hosts.map((h) => h.target), ['root@web1:22', 'root@web2:22']);
  const h = p.hosts[0]!;
  assert.deepEqual(h.steps.map((s) => [s.order, s.kind, s.command ?? s.action]), [
    [1, 'update', 'yum update-minimal --security openssl openssl-libs'],
    [2, 'defence', 'phpCgi'],
  ]);
  assert.deepEqual(h.steps[0]!.packages, [{ name: 'openssl', from: '1:1.0.2k-19.el7', to: '1:1.0.2k-26.el7_9' }, { name: 'openssl-libs', from: '1:1.0.2k-19.el7', to: '1:1.0.2k-26.el7_9' }]);
  assert.deepEqual(h.steps[0]!.advisories, ['RHSA-2023:1335']);
  assert.deepEqual(h.steps[0]!.fixes, ['UPD-openssl']);
  assert.equal(h.lag.find((l) => l.finding === 'UPD-openssl')!.status, 'overdue');
  const t = await runCli(['patch', 'plan', join(dir, 'a.json'), '--hold', 'php-cli', '--format', 'table', '--lang', 'ja']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /root@web1:22 のパッチ計画/);
  assert.match(t.stdout, /\$ yum update-minimal --security openssl openssl-libs/);
  assert.match(t.stdout, /RewriteCond %\{QUERY_STRING\}/);
  assert.match(t.stdout, /期限超過 openssl openssl-libs/);
});

test('bad input: exit 2 with what was wrong and where, nothing run', async () => {
  const none = await runCli(['patch', 'plan', '--format', 'json']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /SCAN\.json.*--ssh/);
  writeFileSync(join(dir, 'bad.json'), '{"schemaVersion":1,');
  const bad = await runCli(['patch', 'plan', join(dir, 'bad.json')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.json is not JSON/);
  const wrong = scan('x') as unknown as { findings: { remediation: { update: { tool: string } } }[] };
  wrong.findings[0]!.remediation.update.tool = 'pacman';
  writeFileSync(join(dir, 'wrong.json'), JSON.stringify(wrong));
  const w = await runCli(['patch', 'plan', join(dir, 'wrong.json')]);
  assert.equal(w.code, 2);
  assert.match(w.stderr, /findings\[0\]\.remediation\.update\.tool/);
  const pol = await runCli(['patch', 'plan', join(dir, 'wrong.json'), '--lag-policy', 'urgent=1']);
  assert.equal(pol.code, 2);
  assert.match(pol.stderr, /--lag-policy/);
  const url = await runCli(['patch', 'plan', join(dir, 'a.json'), '--check-url', 'ftp://x/']);
  assert.equal(url.code, 2);
  assert.match(url.stderr, /--check-url/);

  const noPlan = await runCli(['patch', 'apply', '--yes']);
  assert.equal(noPlan.code, 2);
  assert.match(noPlan.stderr, /--plan/);
  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ schemaVersion: 1, createdAt: 'x', policy: { days: { critical: 7, high: 30, medium: 90, low: 180, info: 365 } }, hosts: [{ target: 'root@web1:22', scannedAt: 'x', steps: [{ order: 1, kind: 'update', packages: [], advisories: [], fixes: [] }] }] }));
  const badPlan = await runCli(['patch', 'apply', '--plan', join(dir, 'plan.json'), '--yes']);
  assert.equal(badPlan.code, 2);
  assert.match(badPlan.stderr, /hosts\[0\]\.steps\[0\]: an update step names its tool and packages/);
  const p = await runCli(['patch', 'plan', join(dir, 'a.json'), '--format', 'json', '--output', join(dir, 'good-plan.json')]);
  assert.equal(p.code, 0, p.stderr);
  const other = await runCli(['patch', 'apply', '--plan', join(dir, 'good-plan.json'), '--ssh', 'root@127.0.0.1:1', '--yes']);
  assert.equal(other.code, 2, 'a target the plan was not made for: refused before connecting');
  assert.match(other.stderr, /no host root@127\.0\.0\.1:1 \(it has: root@web1:22\)/);
});
