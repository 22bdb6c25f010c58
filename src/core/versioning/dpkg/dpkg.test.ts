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
  for (const bad of ['', ' \t', '0:', '0:0 0-1', '-1:0-1', '999999999999999999999999:0-1', 'a:0-0', '-0', '0:-0', '1.0-']) {
    const r = parseDpkg(bad);
    assert.equal(r.ok, false, JSON.stringify(bad));
  }
  assert.equal(formatDpkg(p('0:1.0-1')), '1.0-1');
  assert.equal(formatDpkg(p('1:2:3-4')), '1:2:3-4');
  assert.equal(formatDpkg(p('0:1:2')), '0:1:2', 'an upstream with a colon keeps its epoch');
});

test("parseversion()'s warnings: ordered as dpkg orders them, marked malformed with dpkg's reason", () => {
  const cases: [string, string][] = [
    ['0:abc3-0', 'version number does not start with digit'],
    ['abc', 'version number does not start with digit'],
    ['0:0-0:0', 'invalid character in revision number'],
    ['1.0_1', 'invalid character in version number'],
    ['2.4.6_el7-1', 'invalid character in version number'],
    ['1.0-1@x', 'invalid character in revision number'],
  ];
  for (const [v, why] of cases) assert.equal(p(v).malformed, why, v);
  assert.equal(p('1.0-1').malformed, undefined);
  // non-digit start: letters order as their code, after nothing but `~`; a letter sorts before any digit run
  assert.equal(compareDpkg(p('abc'), p('1.0')), 1, 'a letter against a digit run: the letter against the end of the non-digit part');
  assert.equal(compareDpkg(p('abc'), p('abd')), -1);
  assert.equal(compareDpkg(p('1.0_1'), p('1.0.1')), 1, "'_' (95 + 256) sorts after '.' (46 + 256)");
  // bytes ≥ 0x80 order as the byte (signed char + 256), below '.' and other punctuation, above letters
  assert.equal(verrevcmp('1é', '1.'), -1);
  assert.equal(verrevcmp('1é', '1z'), 1);
});
