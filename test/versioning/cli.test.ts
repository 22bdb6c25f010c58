/** The contract of `mamori version compare|satisfies`, single and --batch (run `npm run build` first). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

test('compare prints the sign of compare(A, B)', async () => {
  for (const [eco, a, b, out] of [
    ['rpm', '1:1.0-1.el7', '2.0-1.el7', '1'],
    ['generic', '1.0.2k', '1.0.2l', '-1'],
  ] as const) {
    const r = await runCli(['version', 'compare', '--ecosystem', eco, a, b]);
    assert.equal(r.stdout, `${out}\n`, `${eco} ${a} ${b}: ${r.stderr}`);
    assert.equal(r.code, 0);
  }
});

test('batch: a bad line prints error in its place, the reason goes to stderr, order is kept, exit 2 at the end', async () => {
  const input = ['1.0-1\t1.0-2', 'x:1.0\t1.0', '2:1.0\t1:9.9', 'no tab here', '1.0\t1.0', ''].join('\n');
  const r = await runCli(['version', 'compare', '--ecosystem', 'dpkg', '--batch'], { input });
  assert.equal(r.stdout, '-1\nerror\n1\nerror\n0\n');
  assert.equal(r.code, 2);
  const reasons = r.stderr.trim().split('\n');
  assert.equal(reasons.length, 2, r.stderr);
  assert.match(reasons[0]!, /line 2/);
  assert.match(reasons[0]!, /epoch in version is not number/);
  assert.match(reasons[1]!, /line 4/);
});

test('malformed versions dpkg and apk-tools still order: an answer, a warning naming the reason, exit 0', async () => {
  const one = await runCli(['version', 'compare', '-e', 'dpkg', 'not-a-version', '1.0']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, '1\n', 'as `dpkg --compare-versions not-a-version gt 1.0` (true, with a warning)');
  assert.match(one.stderr, /warning: "not-a-version" is a malformed dpkg version \(version number does not start with digit\)/);
  const batch = await runCli(['version', 'compare', '-e', 'apk', '--batch'], { input: '23_foo\t4_beta\n1.0\t1.0bc\n1.0\t1.0\n' });
  assert.equal(batch.code, 0, batch.stderr);
  assert.equal(batch.stdout, '1\n-1\n0\n');
  const warnings = batch.stderr.trim().split('\n');
  assert.equal(warnings.length, 2, batch.stderr);
  assert.match(warnings[0]!, /line 1: warning: "23_foo" is a malformed apk version \(unknown suffix "_foo"\)/);
  assert.match(warnings[1]!, /line 2: warning: "1.0bc" is a malformed apk version \(letter "c" not allowed here\)/);
  const sat = await runCli(['version', 'satisfies', '-e', 'dpkg', '2.4.6_el7-1', '<2.4.7']);
  assert.equal(sat.stdout, 'true\n');
  assert.match(sat.stderr, /malformed/);
});

test('batch: all good lines exit 0 and answer every line, even a large input', async () => {
  const lines: string[] = [];
  const expected: string[] = [];
  for (let i = 0; i < 5000; i++) {
    lines.push(`1.${i}.0\t1.${5000 - i}.0`);
    expected.push(String(Math.sign(i - (5000 - i))));
  }
  const r = await runCli(['version', 'compare', '-e', 'semver', '--batch'], { input: lines.join('\n') + '\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, expected.join('\n') + '\n');
});

test('satisfies: each ecosystem in its own syntax, and the simple comparator list for the others', async () => {
  const input = [
    '1.2-4\t>=1.2-3, <1.2-5',
    '1.2-6\t>=1.2-3, <1.2-5',
    '1.2-6\t>=1.2-3 <1.2-5 || =1.2-6',
    '0.9\t*',
    '1.2\t>=1.2-3',
  ].join('\n');
  const r = await runCli(['version', 'satisfies', '--ecosystem', 'rpm', '--batch'], { input });
  // rpm: a bound with a release against a version without one compares equal on the release (rpmverCmp)
  assert.equal(r.stdout, 'true\nfalse\ntrue\ntrue\ntrue\n');
  const c = await runCli(['version', 'satisfies', '-e', 'composer', '1.0.0-beta2', '^1.0@beta']);
  assert.equal(c.stdout, 'true\n');
  const d = await runCli(['version', 'satisfies', '-e', 'dpkg', '2.4.6-1', '>> 2.4.5, << 2.5']);
  assert.equal(d.stdout, 'true\n');
  const bad = await runCli(['version', 'satisfies', '-e', 'dpkg', '2.4.6-1', '>> 2.4.5, <<']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /comparator|range|version/i);
});

test('usage errors exit 2 with a message that says what to do', async () => {
  const noEco = await runCli(['version', 'compare', '1', '2']);
  assert.equal(noEco.code, 2);
  assert.match(noEco.stderr, /--ecosystem/);
  const badEco = await runCli(['version', 'compare', '--ecosystem', 'maven', '1', '2']);
  assert.equal(badEco.code, 2);
  assert.match(badEco.stderr, /rpm/);
  const ja = await runCli(['version', 'compare', '-e', 'dpkg', 'x:', '1'], { env: { LANG: 'ja_JP.UTF-8' } });
  assert.equal(ja.code, 2);
  assert.match(ja.stderr, /[\u3040-\u30ff\u4e00-\u9fff]/, 'Japanese message under LANG=ja');
});
