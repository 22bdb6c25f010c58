import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, raw } from '../test-util.js';
import { parse, recognise } from './parse.js';

test('MyJVN getVulnOverviewList: JVNDB ids beside CVE ids; JVN-only items keyed by JVNDB id', () => {
  const text = fixture('myjvn-overview.xml');
  assert.ok(recognise(text));
  const out = parse(raw('jvn.xml', text), text);
  assert.deepEqual(out.rejected, []);
  const ec = out.cves.find((c) => c.id === 'CVE-2021-20717')!;
  assert.deepEqual(ec.jvn, ['JVNDB-2021-000045']);
  assert.equal(ec.cvss?.[0]?.score, 6.1);
  assert.match(ec.summary ?? '', /EC-CUBE/);
  assert.ok(out.cves.some((c) => c.id === 'JVNDB-2014-000999' && c.cvss?.[0]?.version === '2.0'));
});

test('a MyJVN error status and broken XML are rejected', () => {
  const err = '<?xml version="1.0"?><rdf:RDF xmlns:status="http://jvndb.jvn.jp/myjvn/Status"><status:Status retCd="1" errCd="E2" errMsg="bad parameter"/></rdf:RDF>';
  assert.match(parse(raw('e.xml', err), err).rejected[0]!.reason, /MyJVN error E2/);
  const broken = '<rdf:RDF><item><sec:identifier>JVNDB-1</item>';
  assert.equal(parse(raw('b.xml', broken), broken).rejected.length, 1);
});
