import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatMaxAge, parseMaxAge, snapshotInfo } from './knowledge-prep.js';

test('--db-max-age: what formatMaxAge prints, parseMaxAge reads back (whole minutes)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 60 * 24 * 400 }), (minutes) => parseMaxAge(formatMaxAge(minutes * 60_000)) === minutes * 60_000));
  assert.deepEqual(['30m', '24h', '24', '7d', '1.5h', ' 2 d '].map(parseMaxAge), [1_800_000, 86_400_000, 86_400_000, 604_800_000, 5_400_000, 172_800_000]);
  for (const bad of ['', 'soon', '-1h', '1w', '1e3', 'h']) assert.equal(parseMaxAge(bad), null, bad);
  assert.equal(formatMaxAge(86_400_000), '24h');
});

test('knowledge.snapshot: whole days since the data, never negative', () => {
  fc.assert(
    fc.property(fc.integer({ min: -5 * 86_400_000, max: 5000 * 86_400_000 }), (delta) => {
      const at = new Date(Date.UTC(2026, 7, 22));
      const s = snapshotInfo({ kind: 'embedded', at: at.toISOString(), embedded: null }, new Date(at.getTime() + delta));
      return s.ageDays === Math.max(0, Math.floor(delta / 86_400_000)) && !('embeddedAt' in s) && !('refresh' in s);
    }),
  );
});
