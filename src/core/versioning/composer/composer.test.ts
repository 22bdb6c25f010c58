import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareComposer, normalize, parseComposer, parseConstraints, satisfiesComposer, type ComposerConstraint } from './index.js';

const fixture = new URL('../../../../test/fixtures/versioning/composer/normalize.tsv', import.meta.url);
const constraintsFixture = new URL('../../../../test/fixtures/versioning/composer/constraints.tsv', import.meta.url);

/** composer/semver's __toString() of Constraint, MultiConstraint and MatchAllConstraint. */
function show(c: ComposerConstraint): string {
  switch (c.kind) {
    case 'all':
      return '*';
    case 'op':
      return `${c.op} ${c.version}`;
    case 'and':
      return `[${c.items.map(show).join(' ')}]`;
    case 'or':
      return `[${c.items.map(show).join(' || ')}]`;
  }
}

test("VersionParser::parseConstraints() agrees with composer/semver's VersionParserTest (constraints.tsv)", () => {
  const bad: string[] = [];
  let n = 0;
  for (const line of readFileSync(constraintsFixture, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [input, expected] = line.split('\t') as [string, string];
    const r = parseConstraints(input);
    const got = r.ok ? show(r.value) : 'error';
    n++;
    if (got !== expected) bad.push(`${JSON.stringify(input)}: expected ${expected}, got ${got}`);
  }
  assert.deepEqual(bad, []);
  assert.ok(n > 140);
});

test("VersionParser::normalize() agrees with composer/semver's VersionParserTest (normalize.tsv)", () => {
  const bad: string[] = [];
  let n = 0;
  for (const line of readFileSync(fixture, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [input, expected] = line.split('\t') as [string, string];
    const r = normalize(input);
    const got = r.ok ? r.value : 'error';
    n++;
    if (got !== expected) bad.push(`${JSON.stringify(input)}: expected ${expected}, got ${got}`);
  }
  assert.deepEqual(bad, []);
  assert.ok(n > 80);
});

test('constraints: caret, tilde, wildcard, hyphen, stability flags, OR and AND', () => {
  const s = (v: string, c: string) => {
    const r = satisfiesComposer(v, c);
    assert.ok(r.ok, `${v} ${c}: ${r.ok ? '' : r.issue.message}`);
    return r.value;
  };
  assert.equal(s('0.2.9', '<\t2.0.0'), true, 'SemverTest: a TAB between operator and version');
  assert.equal(s('2.0.5', '>=2.0.0, <2.0.5'), false);
  assert.equal(s('2.0.4', '>=2.0.0,<2.0.5'), true);
  assert.equal(s('3.4.1', '~3.4.0'), true);
  assert.equal(s('3.5.0', '~3.4.0'), false);
  assert.equal(s('1.0.0-beta2', '^1.0@beta'), true);
  assert.equal(s('1.0.0-beta2', '^1.0'), true, 'satisfies() has no minimum-stability: ^1.0 is >=1.0.0.0-dev');
  assert.equal(s('dev-master', 'dev-master'), true);
  assert.equal(s('dev-master', '>=1.0'), false, 'a branch never satisfies a numbered range');
  assert.equal(s('4.3.2', '4.3.x-dev || >=5.0'), false);
  assert.equal(s('5.0.0', '4.3.* || >=5.0'), true);
  assert.equal(parseConstraints('~>1.2').ok, false, 'Ruby-style ~> is an error, as in Composer');
  assert.equal(satisfiesComposer('1.0.0-meh', '*').ok, false);
});

test("order: Semver::sort's — version_compare() on normalized versions, dev-master newest, other branches lowest", () => {
  const p = (v: string) => {
    const r = parseComposer(v);
    assert.ok(r.ok, v);
    return r.value;
  };
  assert.equal(compareComposer(p('1.0.0-beta2'), p('1.0.0-RC1')), -1);
  assert.equal(compareComposer(p('v1.0'), p('1.0.0.0')), 0);
  assert.equal(compareComposer(p('1.0.0-p1'), p('1.0.0')), 1, 'patch releases after the release');
  assert.equal(compareComposer(p('dev-master'), p('50.2')), 1, 'the default branch is 9999999-dev');
  assert.equal(compareComposer(p('dev-foo'), p('0.0.1')), -1);
  assert.equal(compareComposer(p('dev-bar'), p('dev-foo')), -1, 'branches by name, for a total order');
});
