import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findingId, fnv1a64 } from './ids.js';

test('FNV-1a 64 matches the published test vectors', () => {
  assert.equal(fnv1a64(''), 'cbf29ce484222325');
  assert.equal(fnv1a64('a'), 'af63dc4c8601ec8c');
  assert.equal(fnv1a64('foobar'), '85944171f73967e8');
});

test('finding ids are stable and carry the category prefix', () => {
  const a = findingId('vulnerability', 'php', '5.3.3', 'CVE-2012-1823');
  assert.equal(a, findingId('vulnerability', 'php', '5.3.3', 'CVE-2012-1823'));
  assert.match(a, /^VULN-[0-9a-f]{12}$/);
  assert.notEqual(a, findingId('vulnerability', 'php', '5.3.4', 'CVE-2012-1823'));
});

test('part boundaries matter: ("ab","c") and ("a","bc") differ', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string(), (x, y, z) => {
      fc.pre(y.length > 0);
      return findingId('cookie', x + y, z) !== findingId('cookie', x, y + z) || (x + y === x && z === y + z);
    }),
  );
});
