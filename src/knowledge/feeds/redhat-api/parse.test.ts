import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, shared } from '../test-util.js';
import { parse, recognise, rhelStream, splitNevr } from './parse.js';

const SKIP = '../shared/data/redhat/api not found: the Red Hat Security Data API tests need the real records';
const load = (path: string) => {
  const text = shared(`redhat/api/${path}`);
  return text === null ? null : { text, out: parse(raw(`redhat/api/${path}`, text), text) };
};
const row = (out: ReturnType<typeof parse>, platform: string, pkg: string) => out.advisories.find((a) => a.scope.platform === platform && a.scope.package === pkg);

test('sudo CVE-2021-3156: RHEL 6 fixed only under ELS (RHSA-2021:0227), RHEL 7 in the general channel, RHEL 5 not affected', (t) => {
  const r = load('2021/CVE-2021-3156.json');
  if (!r) return t.skip(SKIP);
  assert.ok(recognise(r.text));
  const six = row(r.out, 'rhel:6', 'sudo')!;
  assert.deepEqual([six.fixState, six.fixedVersion, six.advisory], ['extended-support-only', '0:1.8.6p3-29.el6_10.4', 'RHSA-2021:0227']);
  const seven = row(r.out, 'rhel:7', 'sudo')!;
  assert.deepEqual([seven.fixState, seven.fixedVersion, seven.advisory], ['fixed', '0:1.8.23-10.el7_9.1', 'RHSA-2021:0221']);
  assert.equal(row(r.out, 'rhel:5', 'sudo')?.fixState, 'not-affected');
  assert.equal(r.out.advisories.filter((a) => a.scope.platform === 'rhel:7' && a.scope.package === 'sudo').length, 1, 'EUS/AUS/TUS streams are not the general channel');
  assert.equal(six.vendorSeverity, 'important');
  assert.equal(six.cvss?.[0]?.score, 7.8);
});

test('php CVE-2016-7124 will not be fixed on RHEL 6; openssh CVE-2024-6387 not affected on RHEL 6', (t) => {
  const php = load('2016/CVE-2016-7124.json');
  const ssh = load('2024/CVE-2024-6387.json');
  if (!php || !ssh) return t.skip(SKIP);
  assert.equal(row(php.out, 'rhel:6', 'php')?.fixState, 'will-not-fix');
  assert.equal(row(ssh.out, 'rhel:6', 'openssh')?.fixState, 'not-affected');
});

test('every record of the real set parses; Out of support scope is its own state; only module builds lack a package', (t) => {
  if (!load('2021/CVE-2021-3156.json')) return t.skip(SKIP);
  const states = new Set<string>();
  for (const y of ['2011', '2012', '2013', '2014', '2015', '2016', '2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024']) {
    for (const f of ['CVE-2011-3192', 'CVE-2021-41773', 'CVE-2014-3566', 'CVE-2016-2183', 'CVE-2020-15778'].filter((c) => c.includes(`-${y}-`))) {
      const r = load(`${y}/${f}.json`)!;
      assert.ok(recognise(r.text), f);
      for (const a of r.out.advisories) states.add(a.fixState);
      assert.deepEqual(r.out.rejected.filter((x) => !/no package for/.test(x.reason)), [], f);
    }
  }
  assert.ok(states.has('out-of-support') || states.has('will-not-fix'));
});

test('CPE streams and NEVRs', () => {
  assert.deepEqual(rhelStream('cpe:/o:redhat:enterprise_linux:7'), { major: '7', stream: 'main' });
  assert.deepEqual(rhelStream('cpe:/a:redhat:enterprise_linux:8::appstream'), { major: '8', stream: 'main' });
  assert.deepEqual(rhelStream('cpe:/o:redhat:rhel_els:6'), { major: '6', stream: 'els' });
  for (const c of ['cpe:/o:redhat:rhel_eus:7.6', 'cpe:/o:redhat:rhel_aus:7.2', 'cpe:/o:redhat:enterprise_linux:7::hypervisor', 'cpe:/a:redhat:rhel_software_collections:3::el7']) assert.equal(rhelStream(c), null, c);
  assert.deepEqual(splitNevr('sudo-0:1.8.6p3-29.el6_10.4'), { name: 'sudo', evr: '0:1.8.6p3-29.el6_10.4' });
  assert.deepEqual(splitNevr('mod_ssl-1:2.4.6-97.el7_9'), { name: 'mod_ssl', evr: '1:2.4.6-97.el7_9' });
  assert.deepEqual(splitNevr('httpd-2.2.3-92.el5_11'), { name: 'httpd', evr: '0:2.2.3-92.el5_11' });
  assert.equal(splitNevr('garbage'), null);
});

test('a record without a CVE name is rejected, not thrown', () => {
  const out = parse(raw('x.json', '{"threat_severity":"Low"}'), '{"threat_severity":"Low"}');
  assert.equal(out.advisories.length, 0);
  assert.match(out.rejected[0]!.reason, /CVE/);
});
