import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, shared } from '../test-util.js';
import { majorOf, parseOracle, parseRedhat, recogniseOracle, recogniseRedhat } from './parse.js';

test('Red Hat OVAL v2 (rhel-6 stream): RHSA-2016:1421 fixes httpd binaries at 2.2.15-54.el6_8, mod_ssl with epoch 1', (t) => {
  const text = shared('redhat/oval-vuln-list-json/oval/6/rhel-6/definitions/2016/RHSA-2016:1421.json');
  if (text === null) return t.skip('../shared/data not found');
  assert.ok(recogniseRedhat(text) && !recogniseOracle(text));
  const out = parseRedhat(raw('RHSA-2016:1421.json', text), text);
  const httpd = out.advisories.find((a) => a.scope.package === 'httpd')!;
  assert.deepEqual([httpd.id, httpd.scope.platform, httpd.fixedVersion, httpd.cves, httpd.vendorSeverity], ['RHSA-2016:1421', 'rhel:6', '0:2.2.15-54.el6_8', ['CVE-2016-5387'], 'important']);
  assert.equal(out.advisories.find((a) => a.scope.package === 'mod_ssl')?.fixedVersion, '1:2.2.15-54.el6_8');
  assert.deepEqual(out.rejected, []);
});

test('Oracle ELSA OVAL: one definition for OL5 and OL6, Oracle .0.1 releases kept as published', (t) => {
  const text = shared('other/vuln-list-oracle/oval/oracle/2016/ELSA-2016-1421.json');
  if (text === null) return t.skip('../shared/data not found');
  assert.ok(recogniseOracle(text) && !recogniseRedhat(text));
  const out = parseOracle(raw('ELSA-2016-1421.json', text), text);
  const by = (p: string, n: string) => out.advisories.find((a) => a.scope.platform === p && a.scope.package === n)?.fixedVersion;
  assert.equal(by('oracle:6', 'httpd'), '0:2.2.15-54.0.1.el6_8');
  assert.equal(by('oracle:5', 'httpd'), '0:2.2.3-92.0.1.el5_11');
  assert.equal(by('oracle:6', 'mod_ssl'), '1:2.2.15-54.0.1.el6_8');
  assert.deepEqual(out.advisories[0]!.cves, ['CVE-2016-5387']);
});

test('major from the release tag', () => {
  assert.equal(majorOf('0:2.2.15-54.el6_8'), '6');
  assert.equal(majorOf('0:2.4.37-51.module+el8.7.0+18026+7b169787.1'), '8');
  assert.equal(majorOf('0:1.0-1.fc30'), undefined);
});
