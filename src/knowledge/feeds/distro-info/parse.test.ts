import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw } from '../test-util.js';
import { codenames, parse } from './parse.js';

test('Debian: LTS end is the end of free security support; ELTS is extended; codenames for the DSA lists', () => {
  const csv = 'version,codename,series,created,release,eol,eol-lts,eol-elts\n8,Jessie,jessie,2013-05-04,2015-04-26,2018-06-17,2020-06-30,2025-06-30\n14,Forky,forky,2025-08-09\n,Sid,sid,1993-08-16\n';
  const out = parse(raw('debian.csv', csv), csv);
  assert.deepEqual(out.lifecycle.map((c) => [c.cycle, c.eol, c.extendedSupportEnd]), [['8', '2020-06-30', '2025-06-30'], ['14', undefined, undefined]]);
  assert.equal(codenames(csv).get('jessie'), '8');
});

test('Ubuntu: LTS flag and ESM', () => {
  const csv = 'version,codename,series,created,release,eol,eol-server,eol-esm\n14.04 LTS,Trusty Tahr,trusty,2013-10-17,2014-04-17,2019-04-25,2019-04-25,2024-04-25\n';
  const c = parse(raw('ubuntu.csv', csv), csv).lifecycle[0]!;
  assert.deepEqual([c.product, c.cycle, c.lts, c.eol, c.extendedSupportEnd, c.source], ['ubuntu', '14.04', true, '2019-04-25', '2024-04-25', 'distro-info-data']);
});
