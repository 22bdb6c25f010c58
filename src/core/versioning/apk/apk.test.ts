import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareApk, parseApk } from './index.js';

const p = (s: string) => {
  const r = parseApk(s);
  assert.ok(r.ok, `${s}: ${r.ok ? '' : r.issue.message}`);
  return r.value;
};

test('apk grammar: pre-release suffixes < none < post-release suffixes, letters, -rN, leading zeros', () => {
  const order = ['1.2.3_alpha', '1.2.3_alpha2', '1.2.3_beta', '1.2.3_pre1', '1.2.3_rc1', '1.2.3', '1.2.3-r1', '1.2.3_cvs', '1.2.3_p1', '1.2.3_p2-r4', '1.2.3a', '1.2.4'];
  for (let i = 0; i + 1 < order.length; i++) assert.equal(compareApk(p(order[i]!), p(order[i + 1]!)), -1, `${order[i]} < ${order[i + 1]}`);
  assert.equal(compareApk(p('1.0_alpha1'), p('1.0')), -1);
  assert.equal(compareApk(p('1.2.07'), p('1.2.1')), -1, 'a leading zero compares as a string');
  assert.equal(compareApk(p('3.0.15-r0'), p('3.0.15-r0')), 0);
  assert.equal(compareApk(p('1.0~abc'), p('1.0')), 1, 'a commit hash sorts after the plain version');
});

test('what apk_version_validate() rejects is still ordered as apk_version_compare() orders it, marked malformed', () => {
  for (const bad of ['a1', '1.0bc', '1.0_foo', '1.0-1', '1.0-r', '1.0.', '1..0', '1.0A', '1.0 ', '1.0-r1-r2', '1.0_rc1a']) {
    assert.ok(p(bad).malformed, JSON.stringify(bad));
  }
  assert.equal(parseApk('').ok, false, 'the empty string is no version');
  assert.equal(p('1.0-r1').malformed, undefined);
  // apk-tools' test/version.data: "1.0 < 1.0bc" (invalid, string sort) and "23_foo > 4_beta"
  assert.equal(compareApk(p('1.0'), p('1.0bc')), -1);
  assert.equal(compareApk(p('23_foo'), p('4_beta')), 1);
  // TOKEN_INVALID is the largest token: a version that turns invalid sorts below one that ends there…
  assert.equal(compareApk(p('23_foo'), p('23')), -1);
  assert.equal(compareApk(p('1.0_foo'), p('1.0-r1')), -1);
  // …but above a pre-release suffix at that position, and equal to any other version invalid there
  assert.equal(compareApk(p('23_foo'), p('23_rc1')), 1);
  assert.equal(compareApk(p('23_foo'), p('23_bar')), 0);
  assert.equal(compareApk(p('a1'), p('0')), -1, 'no leading digit: invalid from the first token');
  // apk_blob_pull_uint() wraps at 2^64
  assert.equal(compareApk(p('18446744073709551617'), p('2')), -1);
});
