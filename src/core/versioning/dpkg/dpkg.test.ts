import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDpkg, formatDpkg, parseDpkg, verrevcmp } from './index.js';

const p = (s: string) => {
  const r = parseDpkg(s);
  assert.ok(r.ok, `${s}: ${r.ok ? '' : r.issue.message}`);
  return r.value;
};

test("Debian policy's order: ~ first, letters before non-letters, digits numerically, epochs", () => {
  assert.equal(verrevcmp('1.0~rc1', '1.0'), -1);
  assert.equal(verrevcmp('1.0~~', '1.0~'), -1);
  assert.equal(verrevcmp('1.0a', '1.0+'), -1, 'letters sort before non-letters');
  assert.equal(verrevcmp('1.09', '1.9'), 0);
  assert.equal(compareDpkg(p('1:1.0'), p('2.0')), 1);
  assert.equal(compareDpkg(p('2.4.62-1~deb12u2'), p('2.4.62-1')), -1, 'a stable update (~) sorts before the release');
  assert.equal(compareDpkg(p('1:9.2p1-2+deb12u3'), p('1:9.2p1-2+deb12u2')), 1);
  assert.equal(compareDpkg(p('7.4.33-1+deb11u7'), p('7.4.33-1+deb11u10')), -1);
});

test("parseversion(): whitespace trimmed (TABs too), epoch rules, allowed characters", () => {
  assert.equal(compareDpkg(p('  \t0:0-1'), p('0:0-1')), 0);
  assert.equal(compareDpkg(p('0:0-1\t  '), p('0:0-1')), 0);
  assert.equal(compareDpkg(p('\t  0:0-1  \t'), p('0:0-1')), 0);
  for (const bad of ['', ' \t', '0:', '0:0 0-1', '-1:0-1', '999999999999999999999999:0-1', 'a:0-0', '-0', '0:-0', '0:abc3-0', '1.0-', '0:0-0:0', '1.0_1']) {
    const r = parseDpkg(bad);
    assert.equal(r.ok, false, JSON.stringify(bad));
  }
  assert.equal(formatDpkg(p('0:1.0-1')), '1.0-1');
  assert.equal(formatDpkg(p('1:2:3-4')), '1:2:3-4');
  assert.equal(formatDpkg(p('0:1:2')), '0:1:2', 'an upstream with a colon keeps its epoch');
});
