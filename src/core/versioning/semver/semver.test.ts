import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSemver, satisfiesSemver } from './index.js';

test('strict npm semver: precedence, build metadata ignored, loose forms rejected', () => {
  const p = (s: string) => {
    const r = parseSemver(s);
    assert.ok(r.ok, s);
    return r.value;
  };
  assert.equal(p('1.2.3-beta.2').compare(p('1.2.3-beta.10')), -1);
  assert.equal(p('1.2.3+a').compare(p('1.2.3+b')), 0);
  for (const bad of ['1.2', '=1.2.3', '1.2.3beta', 'v 1.2.3', '01.2.3', '']) assert.equal(parseSemver(bad).ok, false, bad);
});

test("satisfies: node-semver's ranges, a TAB inside a range (range-include.js), bad input is an issue", () => {
  assert.deepEqual(satisfiesSemver('0.2.9', '<\t2.0.0'), { ok: true, value: true });
  assert.deepEqual(satisfiesSemver('1.2.3-pre', '^1.2.3'), { ok: true, value: false });
  assert.deepEqual(satisfiesSemver('1.2.3-pre', '^1.2.3-alpha'), { ok: true, value: true });
  assert.equal(satisfiesSemver('glorp', '>=2').ok, false);
  assert.equal(satisfiesSemver('1.2.3', '>=>=2').ok, false);
});
