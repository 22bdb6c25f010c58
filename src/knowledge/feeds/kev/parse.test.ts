import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, shared } from '../test-util.js';
import { parse, recognise } from './parse.js';

test('KEV catalog: entries kept, entries without cveID rejected', () => {
  const j = JSON.stringify({ title: 'CISA Catalog of Known Exploited Vulnerabilities', catalogVersion: 'x', vulnerabilities: [{ cveID: 'CVE-2012-1823', dateAdded: '2022-03-25', dueDate: '2022-04-15', knownRansomwareCampaignUse: 'Unknown' }, { dateAdded: '2022-03-25' }] });
  assert.ok(recognise(j));
  const out = parse(raw('kev.json', j), j);
  assert.equal(out.kev[0]!.cve, 'CVE-2012-1823');
  assert.equal(out.rejected.length, 1);
});

test('the real catalog', { skip: shared('kev/known_exploited_vulnerabilities.json') === null ? 'shared data absent' : false }, () => {
  const t = shared('kev/known_exploited_vulnerabilities.json')!;
  const out = parse(raw('kev.json', t), t);
  assert.equal(out.kev.length, 1404);
  assert.ok(out.kev.some((k) => k.cve === 'CVE-2012-1823'));
});
