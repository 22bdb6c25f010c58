import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, shared } from '../test-util.js';
import { parse, rangesFromV4 } from './parse.js';

test('CVE 4.0 version_affected operators', () => {
  const r = rangesFromV4([
    { name: '2.4', op: '<=', value: '2.4.48' },
    { name: '2.4', op: '!<', value: '2.4.17' },
  ]);
  assert.deepEqual(r.ranges[0]!.events, [{ introduced: '2.4.17' }, { last_affected: '2.4.48' }]);
  assert.deepEqual(rangesFromV4([{ name: 'Apache HTTP Server 2.4', op: '<=', value: '2.4.48' }]).ranges[0]!.events, [{ introduced: '2.4.0' }, { last_affected: '2.4.48' }], 'the branch in version_name is the lower bound');
  assert.deepEqual(rangesFromV4([{ name: '', op: '<=', value: '2.4.53' }]).ranges[0]!.events, [{ introduced: '0' }, { last_affected: '2.4.53' }]);
  assert.deepEqual(rangesFromV4([{ name: '1.3', op: '?=', value: '1.3.2' }]).versions, ['1.3.2'], '"possibly affected" counts as affected');
});

test('real httpd records of both layouts', { skip: shared('upstream-advisories/httpd/json/CVE-2024-38476.json') === null ? 'shared data absent' : false }, () => {
  const v5 = shared('upstream-advisories/httpd/json/CVE-2024-38476.json')!;
  const a = parse(raw('CVE-2024-38476.json', v5), v5).advisories[0]!;
  assert.deepEqual(a.ranges[0]!.events, [{ introduced: '2.4.0' }, { last_affected: '2.4.59' }]);
  assert.equal(a.fixedVersion, '2.4.60');
  assert.equal(a.vendorSeverity, 'important');
  const v4 = shared('upstream-advisories/httpd/json/CVE-1999-1199.json')!;
  const b = parse(raw('CVE-1999-1199.json', v4), v4).advisories[0]!;
  assert.deepEqual(b.versions, ['1.3.1', '1.3.0']);
  assert.equal(b.fixedVersion, '1.3.2');
});
