/**
 * One law suite for every registered version scheme, on property-generated strings: parse is total (never
 * throws), compare is reflexive, antisymmetric and transitive, and format round-trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getScheme, VERSION_ECOSYSTEMS, type VersionScheme } from '../../src/core/versioning/index.js';
import { apkMalformed, dpkgMalformed, VALID } from './arbitraries.js';

const RUNS = 300;

function parsedOf<V>(scheme: VersionScheme<V>, arb: fc.Arbitrary<string>): fc.Arbitrary<V> {
  return arb.map((s) => {
    const r = scheme.parse(s);
    if (!r.ok) throw new Error(`generator produced an invalid ${scheme.name} version ${JSON.stringify(s)}: ${r.issue.message}`);
    return r.value;
  });
}

for (const eco of VERSION_ECOSYSTEMS) {
  const scheme = getScheme(eco);
  const valid = VALID[eco];
  const values = parsedOf(scheme, valid);

  test(`${eco}: parse is total (arbitrary strings never throw; bad input is {ok:false, issue})`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), valid.map((s) => s + fc.sample(fc.string({ maxLength: 3 }), 1)[0])), (s) => {
        const r = scheme.parse(s);
        if (!r.ok) assert.ok(typeof r.issue.code === 'string' && r.issue.message.length > 0);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  test(`${eco}: the generator only makes valid versions`, () => {
    fc.assert(fc.property(valid, (s) => scheme.parse(s).ok), { numRuns: RUNS });
  });

  test(`${eco}: reflexive and antisymmetric`, () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        assert.equal(scheme.compare(a, a), 0);
        assert.equal(scheme.compare(a, b), -scheme.compare(b, a) || 0);
      }),
      { numRuns: RUNS },
    );
  });

  test(`${eco}: transitive (triples, and every pair of a sorted list)`, () => {
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        if (scheme.compare(a, b) <= 0 && scheme.compare(b, c) <= 0) assert.ok(scheme.compare(a, c) <= 0);
        if (scheme.compare(a, b) === 0 && scheme.compare(b, c) === 0) assert.equal(scheme.compare(a, c), 0);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.array(values, { minLength: 2, maxLength: 25 }), (xs) => {
        const sorted = [...xs].sort((x, y) => scheme.compare(x, y));
        for (let i = 0; i < sorted.length; i++)
          for (let j = i + 1; j < sorted.length; j++) assert.ok(scheme.compare(sorted[i]!, sorted[j]!) <= 0, 'sorted order holds for every pair');
      }),
      { numRuns: RUNS / 3 },
    );
  });

  test(`${eco}: format round-trips (format(parse(s)) parses to an equal value)`, () => {
    fc.assert(
      fc.property(valid, (s) => {
        const v = scheme.parse(s);
        assert.ok(v.ok);
        const f = scheme.format(v.value);
        const back = scheme.parse(f);
        assert.ok(back.ok, `format gave ${JSON.stringify(f)}, which does not parse`);
        assert.equal(scheme.compare(v.value, back.value), 0, `${JSON.stringify(s)} → ${JSON.stringify(f)}`);
        assert.equal(scheme.format(back.value), f, 'format is stable');
      }),
      { numRuns: RUNS },
    );
  });
}

for (const [eco, malformed] of [['dpkg', dpkgMalformed], ['apk', apkMalformed]] as const) {
  test(`${eco}: malformed versions the tool still orders keep the laws (mixed with valid ones), and say why`, () => {
    const scheme = getScheme(eco);
    const values = parsedOf(scheme, fc.oneof(malformed, VALID[eco]));
    fc.assert(fc.property(malformed, (s) => assert.ok(scheme.parse(s).ok && scheme.malformed?.((scheme.parse(s) as { value: unknown }).value), s)), { numRuns: RUNS });
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        assert.equal(scheme.compare(a, a), 0);
        assert.equal(scheme.compare(a, b), -scheme.compare(b, a) || 0);
        if (scheme.compare(a, b) <= 0 && scheme.compare(b, c) <= 0) assert.ok(scheme.compare(a, c) <= 0);
        if (scheme.compare(a, b) === 0 && scheme.compare(b, c) === 0) assert.equal(scheme.compare(a, c), 0);
      }),
      { numRuns: RUNS * 2 },
    );
    fc.assert(
      fc.property(malformed, (s) => {
        const v = scheme.parse(s);
        assert.ok(v.ok);
        const back = scheme.parse(scheme.format(v.value));
        assert.ok(back.ok);
        assert.equal(scheme.compare(v.value, back.value), 0);
      }),
      { numRuns: RUNS },
    );
  });
}

test('every ecosystem is one folder with index.ts, tests beside it and a README linking its specification', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = new URL('../../src/core/versioning/', import.meta.url);
  for (const eco of VERSION_ECOSYSTEMS) {
    const files = readdirSync(new URL(`${eco}/`, dir));
    assert.ok(files.includes('index.ts'), `${eco}/index.ts`);
    assert.ok(files.some((f) => f.endsWith('.test.ts')), `${eco} has tests beside it`);
    assert.match(readFileSync(new URL(`${eco}/README.md`, dir), 'utf8'), /https:\/\//, `${eco}/README.md links its specification`);
    assert.equal(getScheme(eco).name, eco);
  }
});
