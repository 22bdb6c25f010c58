import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, shared } from '../test-util.js';
import { ovalXml, rhsa20161421Xml } from './xml-fixture.js';
import { isLargeOval, splitOval } from './split.js';
import { majorOf, moduleStreamStart, parseOracle, parseRedhat, parseXml, recogniseOracle, recogniseRedhat, recogniseXml, xmlFeed } from './parse.js';

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

test('Red Hat OVAL XML (the published form): patch definitions only, same rows as the JSON rendering; module streams bounded', (t) => {
  const json = shared('redhat/oval-vuln-list-json/oval/6/rhel-6/definitions/2016/RHSA-2016:1421.json');
  if (json === null) return t.skip('../shared/data not found');
  const xml = rhsa20161421Xml(json);
  assert.ok(recogniseXml(xml) && !recogniseRedhat(xml));
  const fromXml = parseXml(raw('rhel-6.oval.xml', xml), xml);
  const fromJson = parseRedhat(raw('RHSA-2016:1421.json', json), json);
  const rows = (o: typeof fromXml) => o.advisories.map((a) => `${a.id} ${a.scope.platform} ${a.scope.package} ${a.fixedVersion} ${a.cves.join(',')}`).sort();
  assert.deepEqual(rows(fromXml), rows(fromJson));
  assert.equal(fromXml.advisories[0]!.feed, 'redhat-oval');
  const mod = ovalXml([{ id: 'RHSA-2024:0001', title: 'RHSA-2024:0001: php:7.4 and php:8.0 security update (Moderate)', cves: ['CVE-2024-1'], severity: 'Moderate', issued: '2024-01-01', fixed: ['php is earlier than 0:7.4.33-1.module+el8.9.0+1+a', 'php is earlier than 0:8.0.30-1.module+el8.9.0+2+b'] }], 'redhat');
  const m = parseXml(raw('rhel-8.oval.xml', mod), mod).advisories[0]!;
  assert.deepEqual(m.ranges.map((r) => r.events[0]!.introduced), ['0:7.4', '0:8.0']);
  assert.equal(moduleStreamStart('0:2.2.15-54.el6_8'), undefined);
});

test('Oracle ELSA OVAL XML: oracle:N rows', () => {
  const xml = ovalXml([{ id: 'ELSA-2016-1421', title: 'ELSA-2016-1421:  httpd security update (IMPORTANT)', cves: ['CVE-2016-5387'], severity: 'IMPORTANT', issued: '2016-07-18', fixed: ['httpd is earlier than 0:2.2.15-54.0.1.el6_8', 'mod_ssl is earlier than 1:2.2.15-54.0.1.el6_8'] }], 'oracle');
  assert.equal(xmlFeed(xml), 'oracle-elsa');
  const out = parseXml(raw('com.oracle.elsa-all.xml', xml), xml);
  assert.deepEqual(out.advisories.map((a) => `${a.scope.platform} ${a.scope.package} ${a.fixedVersion}`).sort(), ['oracle:6 httpd 0:2.2.15-54.0.1.el6_8', 'oracle:6 mod_ssl 1:2.2.15-54.0.1.el6_8']);
});

test('a large OVAL document is cut into whole definitions that parse to the same rows', () => {
  const defs = Array.from({ length: 40 }, (_, i) => ({ id: `RHSA-2020:${1000 + i}`, title: `RHSA-2020:${1000 + i}: pkg${i} security update (Low)`, cves: [`CVE-2020-${10000 + i}`], severity: 'Low', issued: '2020-01-01', fixed: [`pkg${i} is earlier than 0:1.0-${i}.el7_9`] }));
  const xml = ovalXml(defs, 'redhat');
  const whole = parseXml(raw('rhel-7.oval.xml', xml), xml).advisories.map((a) => `${a.id} ${a.scope.package}`).sort();
  const parts = splitOval(Buffer.from(xml), 2000);
  assert.ok(parts.length > 5);
  assert.ok(isLargeOval(Buffer.from(xml), 2000) && !isLargeOval(Buffer.from(xml)));
  const joined = parts.flatMap((p, i) => {
    const t = Buffer.from(p).toString('utf8');
    assert.ok(recogniseXml(t), `part ${i} is a document of its own`);
    return parseXml(raw(`rhel-7.oval.xml#part${i + 1}`, t), t).advisories.map((a) => `${a.id} ${a.scope.package}`);
  });
  assert.deepEqual(joined.sort(), whole);
  assert.equal(whole.length, 40);
});
