import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalizePhp, canonOf, comparePhpParts, parsePhp, phpScheme, phpVersionCompare, splitCanon } from './index.js';

test('canonicalisation: . between letters and digits, -_+ and other symbols become .', () => {
  assert.equal(canonicalizePhp('1.0rc1'), '1.0.rc.1');
  assert.equal(canonicalizePhp('5.4.45-0+deb7u14'), '5.4.45.0.deb.7.u.14');
  assert.equal(canonicalizePhp('1.2(message)'), '1.2.(message.', 'a symbol right after a digit is copied (php-src does the same)');
});

test('special forms: dev < alpha = a < beta = b < RC = rc < number < pl = p; unknown words below dev', () => {
  const order = ['1.0foo', '1.0-dev', '1.0alpha', '1.0b1', '1.0RC1', '1.0', '1.0pl1'];
  for (let i = 0; i + 1 < order.length; i++) assert.equal(phpVersionCompare(order[i]!, order[i + 1]!), -1, `${order[i]} < ${order[i + 1]}`);
  assert.equal(phpVersionCompare('1.0a1', '1.0alpha1'), 0);
  assert.equal(phpVersionCompare('1.0p1', '1.0pl1'), 0);
  assert.equal(phpVersionCompare('1.0rc1', '1.0RC1'), 0);
  assert.equal(phpVersionCompare('1.0', '1.0.0'), -1, 'PHP: 1.0 < 1.0.0');
  assert.equal(phpVersionCompare('5.3.3', '5.3.29'), -1);
});

test('what PHP orders inconsistently is rejected; everything else parses', () => {
  for (const bad of ['', '1.', '1.2(message)', '-1', '#1', '1 0', '.1']) assert.equal(parsePhp(bad).ok, false, JSON.stringify(bad));
  const a = parsePhp('8.3.0RC1');
  const b = parsePhp('8.3.0');
  assert.ok(a.ok && b.ok);
  assert.equal(phpScheme.compare(a.value, b.value), -1);
});

test('the pre-split comparison (parsed values) equals the string port for any non-empty string', () => {
  const str = fc.oneof(fc.stringMatching(/^[0-9a-zA-Z.\-_+#()~]{1,12}$/), fc.constantFrom('1.0', '1.0.0', '1.0-dev', '1.0.dev.5', '1.', '.1', '#1', '1..0', '1.0pl1', '1.0.a'));
  fc.assert(
    fc.property(str, str, (a, b) => {
      assert.equal(comparePhpParts(splitCanon(canonOf(a)), splitCanon(canonOf(b))), phpVersionCompare(a, b), `${a} vs ${b}`);
    }),
    { numRuns: 3000 },
  );
});
