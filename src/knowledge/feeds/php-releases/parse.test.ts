import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareDotted } from '../common/util.js';
import { raw } from '../test-util.js';
import { parse, recognise } from './parse.js';
import { phpRanges } from './ranges.js';

test('ranges: from 0 to the lowest line\'s fix, then each later line from L.0 to its fix', () => {
  assert.deepEqual(phpRanges(['5.4.2', '5.3.12']).map((r) => r.events), [
    [{ introduced: '0' }, { fixed: '5.3.12' }],
    [{ introduced: '5.4.0' }, { fixed: '5.4.2' }],
  ]);
  const json = JSON.stringify({ '5.4.2': { date: '03-May-2012', cves: ['CVE-2012-1823'] }, '5.3.12': { date: '03-May-2012', cves: ['CVE-2012-1823', 'bogus'] } });
  assert.ok(recognise(json));
  const out = parse(raw('changelog5.json', json), json);
  assert.equal(out.advisories[0]!.fixedVersion, '5.3.12');
  assert.equal(out.rejected.length, 1);
});

const inRanges = (v: string, fixes: string[]) =>
  phpRanges(fixes).some((r) => {
    const [a, b] = r.events;
    return (a!.introduced === '0' || compareDotted(v, a!.introduced!) >= 0) && compareDotted(v, b!.fixed!) < 0;
  });

test('law: every listed fix version is itself not affected, and the version just below the lowest fix is', () => {
  const ver = fc.tuple(fc.integer({ min: 4, max: 8 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 40 })).map(([a, b, c]) => `${a}.${b}.${c}`);
  fc.assert(
    fc.property(fc.array(ver, { minLength: 1, maxLength: 5 }), (fixes) => {
      for (const f of fixes) if (inRanges(f, fixes)) {
        // a fix on a line can only be "affected" when a lower fix on the same line exists — never its own minimum
        const line = f.split('.').slice(0, 2).join('.');
        const min = fixes.filter((x) => x.startsWith(`${line}.`)).sort(compareDotted)[0]!;
        if (compareDotted(f, min) === 0) return false;
      }
      const lowest = [...fixes].sort(compareDotted)[0]!;
      const [a, b, c] = lowest.split('.').map(Number);
      return inRanges(`${a}.${b}.${c! - 1}`, fixes);
    }),
  );
});
