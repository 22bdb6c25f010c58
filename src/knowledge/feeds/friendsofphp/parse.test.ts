import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw } from '../test-util.js';
import { branchRange, parse, recognise } from './parse.js';

test('branch constraints become OSV ranges', () => {
  assert.deepEqual(branchRange(['>=1.0.0', '<1.12.3'])!.events, [{ introduced: '1.0.0' }, { fixed: '1.12.3' }]);
  assert.deepEqual(branchRange(['<2.0.4'])!.events, [{ introduced: '0' }, { fixed: '2.0.4' }]);
  assert.deepEqual(branchRange(['>1.0', '<=1.5'])!.events, [{ introduced_exclusive: '1.0' }, { last_affected: '1.5' }]);
  assert.equal(branchRange(['~1.2']), null);
});

test('an advisory YAML, quoted reference and all', () => {
  const y = "title: 'DoS'\ncve: CVE-2023-50262\nbranches:\n    2.x:\n        versions: [ '<2.0.4' ]\nreference: 'composer://dompdf/dompdf'\n";
  assert.ok(recognise(y));
  const a = parse(raw('dompdf/dompdf/CVE-2023-50262.yaml', y), y).advisories[0]!;
  assert.equal(a.id, 'CVE-2023-50262');
  assert.equal(a.scope.package, 'dompdf/dompdf');
  assert.equal(a.fixedVersion, '2.0.4');
});
