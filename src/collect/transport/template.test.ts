import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fillTemplate, matchesTemplate } from './template.js';

const patterns = { names: /^[a-z0-9][a-z0-9+.:_-]*( [a-z0-9][a-z0-9+.:_-]*)*$/, path: /^\/[^\0\n]*$/ };
const lists = new Set(['names']);
const refuse = (key: string) => new Error(`refused {${key}}`);
const name = fc.stringMatching(/^[a-z0-9][a-z0-9+.:_-]{0,10}$/);

test('a filled template matches itself; a list placeholder last takes every remaining word', () => {
  fc.assert(
    fc.property(fc.array(name, { minLength: 1, maxLength: 6 }), fc.stringMatching(/^\/[a-z/]{0,12}$/), (names, path) => {
      const t = ['tool', '-q', '{path}', '{names}'];
      const words = fillTemplate(t, patterns, lists, { names: names.join(' '), path }, refuse);
      assert.deepEqual(words, ['tool', '-q', path, ...names]);
      assert.ok(matchesTemplate(t, patterns, lists, words));
      assert.ok(!matchesTemplate(t, patterns, lists, [...words, 'BAD WORD']));
      assert.ok(!matchesTemplate(t, patterns, lists, words.slice(0, 3)), 'a list takes at least one word');
    }),
  );
});

test('a list placeholder elsewhere takes one word; unknown or refused values never pass', () => {
  const t = ['tool', '{names}', '--', '{path}'];
  assert.ok(matchesTemplate(t, patterns, lists, ['tool', 'a', '--', '/x']));
  assert.ok(!matchesTemplate(t, patterns, lists, ['tool', 'a', 'b', '--', '/x']));
  assert.throws(() => fillTemplate(t, patterns, lists, { names: 'a', path: 'relative' }, refuse), /refused \{path\}/);
  assert.throws(() => fillTemplate(['x', '{nope}'], patterns, lists, { nope: 'v' }, refuse), /refused \{nope\}/);
  assert.ok(!matchesTemplate(['x', '{nope}'], patterns, lists, ['x', 'v']));
});
