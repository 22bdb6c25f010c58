import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, shared } from '../test-util.js';
import { parse, recognise } from './parse.js';

test('CVE JSON 5 records (verbatim and the trimmed excerpts)', { skip: shared('cve/CVE-2024-4577.json') === null ? 'shared data absent' : false }, () => {
  const t = shared('cve/CVE-2024-4577.json')!;
  assert.ok(recognise(t));
  const r = parse(raw('CVE-2024-4577.json', t), t).cves[0]!;
  assert.equal(r.id, 'CVE-2024-4577');
  assert.ok(r.cvss?.some((c) => c.score === 9.8));
  const ex = shared('cve/cve-excerpts-trimmed.json')!;
  assert.ok(recognise(ex));
  assert.deepEqual(parse(raw('ex.json', ex), ex).cves.map((c) => c.id), ['CVE-2011-4885', 'CVE-2010-3870', 'CVE-2011-3192', 'CVE-2014-0160']);
});
