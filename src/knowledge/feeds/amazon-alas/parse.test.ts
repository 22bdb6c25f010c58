import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, shared } from '../test-util.js';
import { parseJson, parseXml, recogniseJson, recogniseXml, releaseOf } from './parse.js';

test('ALAS JSON (Amazon Linux 2023): fixed binaries with epoch, CVEs from cveids', (t) => {
  const text = shared('other/vuln-list-amazon/amazon/2023/ALAS2023-2023-001.json');
  if (text === null) return t.skip('../shared/data not found');
  assert.ok(recogniseJson(text));
  const out = parseJson(raw('ALAS2023-2023-001.json', text), text);
  const r = out.advisories.find((a) => a.scope.package === 'rsyslog')!;
  assert.deepEqual([r.scope.platform, r.fixedVersion, r.cves, r.vendorSeverity], ['amazon:2023', '0:8.2204.0-3.amzn2023.0.2', ['CVE-2014-3634', 'CVE-2022-24903'], 'important']);
  assert.equal(r.url, 'https://alas.aws.amazon.com/AL2023/ALAS2023-2023-001.html');
});

test('updateinfo.xml of an Amazon Linux 2 repository (the published schema)', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update author="linux-security@amazon.com" from="linux-security@amazon.com" status="final" type="security" version="2.0">
    <id>ALAS2-2024-2591</id>
    <title>Amazon Linux 2 - ALAS2-2024-2591: important priority package update for openssh</title>
    <issued date="2024-07-03 21:07" />
    <updated date="2024-07-10 18:51" />
    <severity>important</severity>
    <description>Package updates are available for Amazon Linux 2 that fix the following vulnerabilities: CVE-2024-6387</description>
    <references>
      <reference href="https://access.redhat.com/security/cve/CVE-2024-6387" id="CVE-2024-6387" title="" type="cve" />
    </references>
    <pkglist>
      <collection short="amazon-linux-2">
        <name>Amazon Linux 2</name>
        <package arch="x86_64" epoch="0" name="openssh-server" release="46.amzn2.0.2" version="7.4p1"><filename>Packages/openssh-server-7.4p1-22.amzn2.0.2.x86_64.rpm</filename></package>
        <package arch="aarch64" epoch="0" name="openssh-server" release="46.amzn2.0.2" version="7.4p1"><filename>x</filename></package>
      </collection>
    </pkglist>
  </update>
</updates>`;
  assert.ok(recogniseXml(xml));
  const out = parseXml(raw('updateinfo.xml', xml), xml);
  assert.deepEqual(out.advisories.map((a) => [a.id, a.scope.platform, a.scope.package, a.fixedVersion, a.cves.join(' ')]), [['ALAS2-2024-2591', 'amazon:2', 'openssh-server', '0:7.4p1-46.amzn2.0.2', 'CVE-2024-6387']]);
  assert.deepEqual([releaseOf('ALAS-2019-1234'), releaseOf('ALAS2-2024-1'), releaseOf('ALAS2023-2023-001'), releaseOf('RHSA-1')], ['1', '2', '2023', undefined]);
});
