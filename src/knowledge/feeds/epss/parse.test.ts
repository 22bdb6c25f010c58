import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw } from '../test-util.js';
import { parse, recognise } from './parse.js';

test('EPSS CSV with its model line; bad lines rejected by line number', () => {
  const csv = '#model_version:v2025.03.14,score_date:2026-08-01T00:00:00+0000\ncve,epss,percentile\nCVE-2012-1823,0.94379,0.99961\nCVE-2024-4577,0.94,1.5\n';
  assert.ok(recognise(csv));
  const out = parse(raw('epss.csv', csv), csv);
  assert.deepEqual(out.epss, [{ cve: 'CVE-2012-1823', epss: 0.94379, percentile: 0.99961, date: '2026-08-01' }]);
  assert.deepEqual(out.rejected.map((r) => r.ref), ['line 4']);
});
