import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, fixture, raw } from '../test-util.js';
import { parseJsonDump, parseList, recogniseJson, recogniseList } from './parse.js';

const LIST = `[20 Mar 2023] DSA-5376-1 apache2 - security update
\t{CVE-2006-20001 CVE-2022-36760}
\t[bullseye] - apache2 2.4.56-1~deb11u1
[18 Apr 2018] DSA-4205-1 jessie end-of-life
[01 Jan 2005] DSA-600-1 mantis - several vulnerabilities
\t{CVE-2004-0001}
\t[woody] - mantis <not-affected> (Vulnerable code not present)
\t[sarge] - mantis <end-of-life>
\t[etch] - mantis <unfixed>
`;

test('DSA/DLA list text: fixed versions, not-affected, end-of-life and unfixed per release', () => {
  assert.ok(recogniseList(LIST));
  const out = parseList(raw('DSA/list', LIST), LIST, ctx);
  assert.deepEqual(out.rejected, []);
  const a = out.advisories.find((x) => x.id === 'DSA-5376-1')!;
  assert.equal(a.scope.platform, 'debian:11');
  assert.equal(a.published, '2023-03-20');
  assert.deepEqual(a.ranges[0]!.events, [{ introduced: '0' }, { fixed: '2.4.56-1~deb11u1' }]);
  const m = out.advisories.filter((x) => x.id === 'DSA-600-1');
  assert.deepEqual(m.map((x) => [x.scope.platform, x.fixState]), [['debian:3.0', 'not-affected'], ['debian:3.1', 'out-of-support'], ['debian:4', 'unfixed']]);
});

test('tracker JSON: resolved, open/end-of-life, and fixed_version 0 (not affected)', () => {
  const t = fixture('debian-tracker.json');
  assert.ok(recogniseJson(t));
  const out = parseJsonDump(raw('json', t), t, ctx);
  const f = (p: string, pkg = 'apache2') => out.advisories.find((a) => a.scope.platform === p && a.scope.package === pkg)!;
  assert.equal(f('debian:12').fixedVersion, '2.4.56-1');
  assert.equal(f('debian:10').fixState, 'out-of-support', 'urgency end-of-life: the release is out of security support');
  assert.equal(f('debian:11', 'php7.4').fixState, 'not-affected');
  assert.ok(!out.advisories.some((a) => a.scope.platform.includes('sid')), 'sid has no platform');
});

test('tracker JSON (published schema): no-DSA, postponed and ignored stay apart', () => {
  const t = JSON.stringify({
    libxml2: {
      'CVE-2024-25062': { description: 'xmlreader use-after-free', scope: 'local', releases: { bookworm: { status: 'open', repositories: { bookworm: '2.9.14+dfsg-1.3~deb12u1' }, urgency: 'low', nodsa: 'Minor issue', nodsa_reason: '' } } },
      'CVE-2023-45322': { description: 'use-after-free', scope: 'local', releases: { bookworm: { status: 'open', repositories: { bookworm: '2.9.14+dfsg-1.3~deb12u1' }, urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'ignored' } } },
      'CVE-2024-34459': { description: 'buffer over-read', scope: 'local', releases: { bookworm: { status: 'open', repositories: { bookworm: '2.9.14+dfsg-1.3~deb12u1' }, urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'postponed' } } },
      'CVE-2025-0001': { description: 'open', scope: 'remote', releases: { bookworm: { status: 'open', repositories: { bookworm: '2.9.14+dfsg-1.3~deb12u1' }, urgency: 'not yet assigned' } } },
    },
  });
  assert.ok(recogniseJson(t));
  const out = parseJsonDump(raw('json', t), t, ctx);
  const st = Object.fromEntries(out.advisories.map((a) => [a.id, a.fixState]));
  assert.deepEqual(st, { 'CVE-2024-25062': 'will-not-fix', 'CVE-2023-45322': 'will-not-fix', 'CVE-2024-34459': 'unfixed', 'CVE-2025-0001': 'unfixed' });
  assert.match(out.advisories.find((a) => a.id === 'CVE-2024-34459')!.summary!, /\(postponed: Minor issue\)/);
  assert.match(out.advisories.find((a) => a.id === 'CVE-2023-45322')!.summary!, /\(ignored: Minor issue\)/);
});
