import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw } from '../test-util.js';
import { parseApi, parseMd, recogniseApi, recogniseMd } from './parse.js';

test('products/*.md front matter and the API v1 give the same cycles', () => {
  const md = '---\ntitle: PHP\npermalink: /php\nreleases:\n  - releaseCycle: "5.3"\n    releaseDate: 2009-06-30\n    eoas: 2011-06-30\n    eol: 2014-08-14\n    latest: "5.3.29"\n---\n\n> text\n';
  assert.ok(recogniseMd(md));
  const a = parseMd(raw('products/php.md', md), md).lifecycle[0]!;
  assert.deepEqual([a.product, a.cycle, a.eol, a.activeSupportEnd, a.latest], ['php', '5.3', '2014-08-14', '2011-06-30', '5.3.29']);
  const api = JSON.stringify({ schema_version: '1.2.0', result: { name: 'php', releases: [{ name: '5.3', releaseDate: '2009-06-30', isEol: true, eolFrom: '2014-08-14', isEoas: true, eoasFrom: '2011-06-30', latest: { name: '5.3.29', date: '2014-08-14' } }] } });
  assert.ok(recogniseApi(api));
  const b = parseApi(raw('php', api), api).lifecycle[0]!;
  assert.deepEqual([b.product, b.cycle, b.eol, b.activeSupportEnd, b.latest], ['php', '5.3', '2014-08-14', '2011-06-30', '5.3.29']);
});

test('eol given as a boolean is kept as a boolean', () => {
  const md = '---\npermalink: /x\nreleases:\n  - releaseCycle: "1"\n    eol: false\n---\n';
  assert.equal(parseMd(raw('x.md', md), md).lifecycle[0]!.eol, false);
});
