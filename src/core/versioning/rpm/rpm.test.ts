import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRpm, compareRpmDependency, parseRpm, rpmvercmp } from './index.js';

const p = (s: string) => {
  const r = parseRpm(s);
  assert.ok(r.ok, s);
  return r.value;
};

test('EVR: epoch beats version, version beats release, tilde and caret', () => {
  assert.equal(compareRpm(p('1:1.0-1'), p('2.0-1')), 1);
  assert.equal(compareRpm(p('0:1.0-1'), p('1.0-1')), 0, 'a missing epoch is 0');
  assert.equal(compareRpm(p('2.4.6-97.el7'), p('2.4.6-99.el7')), -1);
  assert.equal(compareRpm(p('1.0.2k-25.el7_9'), p('1.0.2k-26.el7_9')), -1);
  assert.equal(compareRpm(p('1.0~rc1-1'), p('1.0-1')), -1);
  assert.equal(compareRpm(p('1.0^20200101-1'), p('1.0-1')), 1);
  assert.equal(compareRpm(p('1.0^20200101-1'), p('1.0.1-1')), -1);
  assert.equal(rpmvercmp('1.0~rc1^git1', '1.0~rc1'), 1);
  assert.equal(rpmvercmp('1.0^', '1.0'), 1);
  assert.equal(rpmvercmp('1.0~', '1.0'), -1);
});

test("a missing release: sorts first (rpm.vercmp), ignored by dependency/range matching (rpmdsCompare)", () => {
  assert.equal(compareRpmDependency(p('1.2'), p('1.2-3')), 0);
  assert.equal(compareRpmDependency(p('1.2-3'), p('1.2')), 0);
  assert.equal(compareRpm(p('1.2'), p('1.2-3')), -1);
  assert.equal(compareRpmDependency(p('1.3'), p('1.2-3')), 1);
});

test('bad EVRs are issues, never thrown', () => {
  for (const s of ['', ' 1.0', '1.0 ', '1.0-', '-1', ':', '1:', 'a:1.0', '1:2:3', '1.0\n']) {
    const r = parseRpm(s);
    assert.equal(r.ok, false, JSON.stringify(s));
    if (!r.ok) assert.equal(r.issue.code, 'version.invalid');
  }
  assert.deepEqual(
    (({ epoch, version, release }) => ({ epoch, version, release }))(p(':1.0-1')),
    { epoch: '0', version: '1.0', release: '1' },
    'an empty epoch is 0, as parseEVR() makes it',
  );
});
