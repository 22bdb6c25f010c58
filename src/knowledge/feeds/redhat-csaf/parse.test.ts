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
  assert.equal(by('rhel:6').fixState, 'will-not-fix');
  assert.equal(out.advisories.find((a) => a.scope.platform === 'rhel:9'), undefined, 'EUS streams are not the general release');
  assert.equal(by('rhel:8').vendorSeverity, 'important');
});
