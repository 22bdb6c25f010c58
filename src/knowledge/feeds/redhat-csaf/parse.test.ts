import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, raw } from '../test-util.js';
import { parse, recognise } from './parse.js';

test('Red Hat CSAF VEX: fixed source packages per RHEL major, will-not-fix and unfixed for old releases', () => {
  const text = fixture('redhat-vex.json');
  assert.ok(recognise(text));
  const out = parse(raw('cve-2023-25690.json', text), text);
  const by = (p: string) => out.advisories.find((a) => a.scope.platform === p)!;
  assert.equal(by('rhel:8').fixState, 'fixed');
  assert.equal(by('rhel:8').fixedVersion, '0:2.4.37-51.module+el8.7.0+18026+7b169787.1');
  assert.equal(by('rhel:8').scope.package, 'httpd');
  assert.equal(by('rhel:7').fixState, 'unfixed');
  assert.equal(by('rhel:6').fixState, 'out-of-support', 'no_fix_planned with "Out of support scope"');
  assert.equal(by('rhel:8').advisory, 'RHSA-2023:1597');
  assert.equal(out.advisories.find((a) => a.scope.platform === 'rhel:9'), undefined, 'EUS streams are not the general release');
  assert.equal(by('rhel:8').vendorSeverity, 'important');
});

test('Red Hat CSAF VEX: a fix only for the ELS product is extended-support-only, never the general channel', () => {
  // The fixture with an ELS product added in the published CSAF schema (generated).
  const d = JSON.parse(fixture('redhat-vex.json')) as { product_tree: { branches: { branches: { branches: unknown[] }[] }[] }; vulnerabilities: { product_status: { fixed?: string[] }; remediations: unknown[] }[] };
  d.product_tree.branches[0]!.branches[0]!.branches.push({ category: 'product_name', name: 'Red Hat Enterprise Linux 6 ELS', product: { name: 'Red Hat Enterprise Linux 6 ELS', product_id: '6Server-ELS', product_identification_helper: { cpe: 'cpe:/o:redhat:rhel_els:6' } } });
  const els = '6Server-ELS:httpd-0:2.2.15-70.el6_10.1.src';
  d.vulnerabilities[0]!.product_status.fixed = [...(d.vulnerabilities[0]!.product_status.fixed ?? []), els];
  d.vulnerabilities[0]!.remediations.push({ category: 'vendor_fix', details: 'ELS', product_ids: [els], url: 'https://access.redhat.com/errata/RHSA-2099:0001' });
  const text = JSON.stringify(d);
  const out = parse(raw('els.json', text), text);
  const six = out.advisories.filter((a) => a.scope.platform === 'rhel:6');
  assert.deepEqual(six.map((a) => [a.fixState, a.fixedVersion, a.advisory]), [['extended-support-only', '0:2.2.15-70.el6_10.1', 'RHSA-2099:0001']]);
  assert.equal(out.advisories.find((a) => a.scope.platform === 'rhel:8')!.fixState, 'fixed', 'the general channel is untouched');
});
