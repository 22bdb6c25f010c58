import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareGeneric, formatGeneric, parseGeneric } from './index.js';

const p = (s: string) => {
  const r = parseGeneric(s);
  assert.ok(r.ok, `${s}: ${r.ok ? '' : r.issue.message}`);
  return r.value;
};

test('upstream product versions in order', () => {
  const chains = [
    ['1.0.1u', '1.0.2', '1.0.2a', '1.0.2k', '1.0.2l', '1.0.2z', '1.0.2za', '1.1.0', '1.1.1w', '3.0.0', '3.0.19'],
    ['1.20.2', '1.22.1', '1.24.0'],
    ['2.2.34', '2.4.6', '2.4.62'],
    ['5.3.3', '5.3.29', '7.4.33', '8.3.0alpha1', '8.3.0beta2', '8.3.0RC1', '8.3.0RC6', '8.3.0', '8.3.1'],
    ['5.7.44', '8.0.35', '8.0.36-log', '8.0.37'],
    ['7.4', '7.4p1', '7.5p1', '9.6p1'],
    ['2.0.0-beta1', '2.0.0-rc1', '2.0.0'],
  ];
  for (const chain of chains)
    for (let i = 0; i + 1 < chain.length; i++) assert.equal(compareGeneric(p(chain[i]!), p(chain[i + 1]!)), -1, `${chain[i]} < ${chain[i + 1]}`);
  assert.equal(compareGeneric(p('8.0.36-log'), p('8.0.36')), 0, 'a -flavor tag is not part of the order');
  assert.equal(compareGeneric(p('3.0'), p('3.0.0')), 0, 'trailing zeros do not count');
  assert.equal(compareGeneric(p('v1.2'), p('1.2')), 0);
  assert.equal(compareGeneric(p('5.4.45+deb7u14'), p('5.4.45')), 0, 'build metadata after + is ignored');
  assert.equal(compareGeneric(p('1.0.2k-fips'), p('1.0.2k')), 0, 'OpenSSL/1.0.2k-fips');
  assert.equal(compareGeneric(p('10.3.39-MariaDB-0+deb10u2'), p('10.3.39')), 0);
  assert.equal(compareGeneric(p('8.0.36-0ubuntu0.22.04.1'), p('8.0.37')), -1);
  assert.equal(formatGeneric(p('8.3.0RC1')), '8.3.0-rc1');
});

test('what is not a version is an issue', () => {
  for (const bad of ['', ' ', '1.0 ', 'abc', 'nginx', '1..2', '1.2.', '-1', '1.2/3', '<script>', 'v', '1.0+']) assert.equal(parseGeneric(bad).ok, false, JSON.stringify(bad));
});
