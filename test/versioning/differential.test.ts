/**
 * mamori against the real tools on this machine, on generated inputs: PHP's own version_compare() (php-cli),
 * dpkg's own `dpkg --compare-versions` and rpm's own `rpm.vercmp()` (rpm's Lua, rpmverCmp on EVRs).
 * Skips with a clear message where a tool is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { phpVersionCompare } from '../../src/core/versioning/php/index.js';
import { compareVersions } from '../../src/core/versioning/index.js';
import { dpkg as dpkgArb, dpkgMalformed, php as phpArb, rpm as rpmArb } from './arbitraries.js';
import { malformedReason } from '../../src/core/versioning/index.js';
import { rpmVercmp } from '../helpers/rpm.js';

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;

test('php: version_compare() ported exactly (against the real php, any ASCII string)', (t) => {
  if (!has('php', ['-v'])) return t.skip('php (php-cli) not installed: cannot compare with the real version_compare()');
  const asciiish = fc.stringMatching(/^[0-9a-zA-Z.\-_+#()~ ]{0,10}$/);
  const pairs = fc.sample(
    fc.oneof(fc.tuple(phpArb, phpArb), fc.tuple(asciiish, asciiish), fc.tuple(phpArb, asciiish)),
    { numRuns: 4000, seed: 20261123 },
  );
  pairs.push(['1.2(message)', '1.2(message)'], ['1.', '1'], ['1.', '1.'], ['#1', '1'], ['', ''], ['', '1'], ['99999999999999999999', '9223372036854775807']);
  const script = 'foreach (json_decode(stream_get_contents(STDIN)) as $p) echo version_compare($p[0], $p[1]), "\\n";';
  const r = spawnSync('php', ['-r', script], { input: JSON.stringify(pairs), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const theirs = r.stdout.trim().split('\n').map(Number);
  assert.equal(theirs.length, pairs.length);
  const bad = pairs.flatMap(([a, b], i) => (phpVersionCompare(a, b) === theirs[i] ? [] : [`version_compare(${JSON.stringify(a)}, ${JSON.stringify(b)}): php ${theirs[i]}, mamori ${phpVersionCompare(a, b)}`]));
  assert.deepEqual(bad.slice(0, 20), []);
});

/** One shell, one dpkg per pair and operator: the sign (or `error`) and the warnings dpkg printed. */
function dpkgAnswers(pairs: readonly (readonly [string, string])[]): { sign: string; warnings: number }[] {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const body = pairs
    .map(([a, b]) => `w=$(dpkg --compare-versions -- ${q(a)} lt ${q(b)} 2>&1); l=$?; dpkg --compare-versions -- ${q(a)} eq ${q(b)} 2>/dev/null; e=$?; echo "$l $e $(printf '%s\n' "$w" | grep -c 'warning')"`)
    .join('\n');
  const r = spawnSync('sh', ['-c', body], { encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n');
  assert.equal(rows.length, pairs.length);
  return rows.map((row) => {
    const [l, e, w] = row.split(' ').map(Number) as [number, number, number];
    return { sign: l === 2 || e === 2 ? 'error' : l === 0 ? '-1' : e === 0 ? '0' : '1', warnings: w };
  });
}

test('dpkg: ordering and validity agree with `dpkg --compare-versions` (generated versions)', (t) => {
  if (!has('dpkg', ['--version'])) return t.skip('dpkg not installed: cannot compare with the real dpkg');
  const pairs = fc.sample(fc.tuple(dpkgArb, dpkgArb), { numRuns: 120, seed: 7 });
  pairs.push(['1.0~rc1-1', '1.0-1'], ['1:0.9', '2.0'], ['0foo-', '0foo'], ['1.0+dfsg-1', '1.0-1'], ['2.4.6-1ubuntu0.1', '2.4.6-1'], ['1.0-', '1.0'], ['a1', '1']);
  const theirs = dpkgAnswers(pairs);
  const bad = pairs.flatMap(([a, b], i) => {
    const m = compareVersions('dpkg', a, b);
    const ours = m.ok ? String(m.value) : 'error';
    return ours === theirs[i]!.sign ? [] : [`${a} vs ${b}: dpkg ${theirs[i]!.sign}, mamori ${ours}`];
  });
  assert.deepEqual(bad, []);
});

test('dpkg: malformed versions (non-digit start, odd and non-ASCII characters) are ordered exactly as dpkg orders them, with its warning', (t) => {
  if (!has('dpkg', ['--version'])) return t.skip('dpkg not installed: cannot compare with the real dpkg');
  const pairs = fc.sample(fc.oneof(fc.tuple(dpkgMalformed, dpkgMalformed), fc.tuple(dpkgMalformed, dpkgArb)), { numRuns: 300, seed: 20261206 });
  pairs.push(['abc', '1.0'], ['1.0_1', '1.0.1'], ['1é', '1.'], ['1é', '1z'], ['2.4.6_el7-1', '2.4.6-1'], ['0:0-0:0', '1'], ['~', 'a'], ['1.0-1@', '1.0-1~']);
  const theirs = dpkgAnswers(pairs);
  const bad: string[] = [];
  let warned = 0;
  pairs.forEach(([a, b], i) => {
    const m = compareVersions('dpkg', a, b);
    const ours = m.ok ? String(m.value) : 'error';
    if (ours !== theirs[i]!.sign) bad.push(`${a} vs ${b}: dpkg ${theirs[i]!.sign}, mamori ${ours}`);
    const malformed = [a, b].filter((v) => malformedReason('dpkg', v) !== undefined).length;
    if (ours !== 'error' && malformed !== theirs[i]!.warnings) bad.push(`${a} vs ${b}: dpkg printed ${theirs[i]!.warnings} warning(s), mamori marks ${malformed} malformed`);
    if (malformed) warned++;
  });
  assert.deepEqual(bad.slice(0, 20), []);
  assert.ok(warned > pairs.length / 2, `most pairs hold a malformed version (${warned}/${pairs.length})`);
});

test('rpm: EVR order agrees with rpm.vercmp() of the real rpm (generated EVRs and plain strings)', (t) => {
  if (!has('rpm', ['--version'])) return t.skip('rpm not installed (Debian package "rpm"): cannot compare with the real rpmvercmp');
  const plain = fc.stringMatching(/^[0-9a-zA-Z.~^_+]{1,8}$/);
  const pairs = fc.sample(fc.oneof(fc.tuple(rpmArb, rpmArb), fc.tuple(plain, plain)), { numRuns: 3000, seed: 11 });
  pairs.push(['1.0-1', '1.0'], ['1:1.0', '2.0'], ['1.0^git1', '1.0.1'], ['2.4.6-97.el7', '2.4.6-97.el7_9'], ['1.0.2k-26.el7_9', '1:1.0.2k-25.el7_9']);
  const theirs = rpmVercmp(pairs);
  const bad = pairs.flatMap(([a, b], i) => {
    const m = compareVersions('rpm', a, b);
    const ours = m.ok ? m.value : 'error';
    return ours === theirs[i] ? [] : [`rpm.vercmp(${JSON.stringify(a)}, ${JSON.stringify(b)}): rpm ${theirs[i]}, mamori ${ours}`];
  });
  assert.deepEqual(bad.slice(0, 20), []);
});
