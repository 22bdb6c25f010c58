import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, raw } from '../test-util.js';
import { cpeMatchRange, parse, recognise } from './parse.js';

test('NVD API 2.0 page: CVSS, CWE and CPE matches become records and upstream ranges', () => {
  const text = fixture('nvd-page.json');
  assert.ok(recognise(text));
  const out = parse(raw('nvd/page.json', text), text);
  assert.deepEqual(out.rejected, []);
  const rec = out.cves.find((c) => c.id === 'CVE-2012-1823')!;
  assert.equal(rec.cvss?.[0]?.score, 9.8);
  assert.deepEqual(rec.cwe, ['CWE-20']);
  const php = out.advisories.find((a) => a.scope.package === 'php')!;
  assert.deepEqual(php.ranges.map((r) => r.events), [[{ introduced: '0' }, { fixed: '5.3.12' }], [{ introduced: '5.4.0' }, { fixed: '5.4.2' }]]);
  assert.ok(!out.advisories.some((a) => a.scope.package.includes('debian')), 'non-vulnerable and OS CPEs are not advisories');
  const httpd = out.advisories.find((a) => a.scope.package === 'apache-httpd')!;
  assert.deepEqual(httpd.versions, ['2.2.15']);
  assert.deepEqual(httpd.ranges[0]?.events, [{ introduced: '2.0.0' }, { last_affected: '2.0.64' }]);
});

test('cpeMatch: start-excluding maps to introduced_exclusive', () => {
  const r = cpeMatchRange({ criteria: 'cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*', versionStartExcluding: '1.0.1', versionEndExcluding: '1.0.1g' });
  assert.deepEqual(r, { product: 'openssl', range: { type: 'ECOSYSTEM', events: [{ introduced_exclusive: '1.0.1' }, { fixed: '1.0.1g' }] } });
  assert.equal(cpeMatchRange({ criteria: 'cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*' }), null);
});

test('a page that is not JSON is rejected with the reason', () => {
  const out = parse(raw('p.json', '{"format":"NVD_CVE", "vulnerabilities": ['), '{"format":"NVD_CVE", "vulnerabilities": [');
  assert.match(out.rejected[0]!.reason, /invalid JSON/);
});
