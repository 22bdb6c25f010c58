import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { constraintToRanges, cpeMatchToRange, ecosystemForOsv, isAffected, satisfies, type OsvRange } from './index.js';

const eco = (events: OsvRange['events']): OsvRange[] => [{ type: 'ECOSYSTEM', events }];
const yes = { ok: true, value: true };
const no = { ok: true, value: false };

test('OSV events: introduced 0 / fixed / last_affected / several intervals in one range, unsorted', () => {
  const r = eco([{ fixed: '1.0.2' }, { introduced: '0' }]);
  assert.deepEqual(isAffected('semver', '1.0.1', r), yes);
  assert.deepEqual(isAffected('semver', '1.0.2', r), no);
  const two = eco([{ introduced: '3.0.0' }, { fixed: '3.2.5' }, { introduced: '1.0.0' }, { fixed: '1.0.2' }]);
  assert.deepEqual(isAffected('semver', '0.9.0', two), no);
  assert.deepEqual(isAffected('semver', '1.0.1', two), yes);
  assert.deepEqual(isAffected('semver', '2.0.0', two), no);
  assert.deepEqual(isAffected('semver', '3.2.4', two), yes);
  assert.deepEqual(isAffected('semver', '3.2.5', two), no);
  const last = eco([{ introduced: '0' }, { last_affected: '2.1.214' }]);
  assert.deepEqual(isAffected('semver', '2.1.214', last), yes);
  assert.deepEqual(isAffected('semver', '2.1.215', last), no);
});

test('OSV limit: outside every limit is not affected', () => {
  const r = eco([{ introduced: '1.0' }, { limit: '1.5' }, { limit: '2.5' }]);
  assert.deepEqual(isAffected('generic', '1.2', r), yes);
  assert.deepEqual(isAffected('generic', '2.6', r), no);
  assert.deepEqual(isAffected('generic', '0.9', r), no);
});

test('ranges are OR-ed with the exact versions list; GIT ranges are skipped', () => {
  const ranges: OsvRange[] = [{ type: 'GIT', events: [{ introduced: 'abc123' }] }, ...eco([{ introduced: '2.0' }, { fixed: '2.1' }])];
  assert.deepEqual(isAffected('generic', '2.0.5', ranges, ['1.0']), yes);
  assert.deepEqual(isAffected('generic', '1.0.0', ranges, ['1.0']), yes, 'listed versions compare by the scheme (1.0 = 1.0.0)');
  assert.deepEqual(isAffected('generic', '1.5', ranges, ['1.0']), no);
  const git = isAffected('generic', '1.0', [{ type: 'GIT', events: [{ introduced: 'abc' }] }]);
  assert.equal(git.ok, false);
  assert.deepEqual(isAffected('generic', '1.0', []), no, 'nothing listed: not affected');
});

test('unknown is an answer: a bad version or event is {ok:false}, never false; true still wins', () => {
  const bad = isAffected('dpkg', 'not a version', eco([{ introduced: '0' }]));
  assert.equal(bad.ok, false);
  const badEvent = isAffected('dpkg', '1.0-1', eco([{ introduced: '0' }, { fixed: 'bo gus' }]));
  assert.equal(badEvent.ok, false);
  if (!badEvent.ok) assert.equal(badEvent.issue.code, 'range.badEvent');
  const twoKeys = isAffected('dpkg', '1.0-1', eco([{ introduced: '0', fixed: '2' }]));
  assert.equal(twoKeys.ok, false);
  const mixed = isAffected('dpkg', '1.0-1', [...eco([{ introduced: '0' }, { fixed: 'bo gus' }]), ...eco([{ introduced: '0' }])]);
  assert.deepEqual(mixed, yes, 'another range says affected: true');
  const listed = isAffected('dpkg', '1.0-1', [], ['gar bage']);
  assert.equal(listed.ok, false);
  const branch = isAffected('composer', 'dev-master', eco([{ introduced: '0' }, { fixed: '2.0.0' }]));
  assert.equal(branch.ok, false, 'a dev branch is not on the version line');
});

test('distribution semantics: Debian backports, rpm bounds without a release, epochs', () => {
  const deb = eco([{ introduced: '0' }, { fixed: '1.0.2k-1+deb9u1' }]);
  assert.deepEqual(isAffected('dpkg', '1.0.2k-1', deb), yes);
  assert.deepEqual(isAffected('dpkg', '1.0.2k-1+deb9u2', deb), no);
  assert.deepEqual(isAffected('dpkg', '1:1.0', deb), no, 'an epoch outranks everything');
  const rh = eco([{ introduced: '0' }, { last_affected: '2.4.6' }]);
  assert.deepEqual(isAffected('rpm', '2.4.6-97.el7', rh), yes, 'a bound without release covers every release (rpmverCmp)');
  assert.deepEqual(isAffected('rpm', '2.4.7-1.el7', rh), no);
  assert.deepEqual(isAffected('rpm', '2.4.6-97.el7', eco([{ introduced: '0' }, { fixed: '2.4.6-98.el7' }])), yes);
});

test('NVD CPE match bounds', () => {
  assert.deepEqual(cpeMatchToRange({ criteriaVersion: '*' }), { ok: true, value: 'all' });
  assert.deepEqual(cpeMatchToRange({}), { ok: true, value: 'all' });
  assert.deepEqual(cpeMatchToRange({ criteriaVersion: '-' }), { ok: true, value: 'none' });
  assert.deepEqual(cpeMatchToRange({ criteriaVersion: '1.0.2k' }), { ok: true, value: { ranges: [], versions: ['1.0.2k'] } });
  assert.deepEqual(cpeMatchToRange({ criteriaVersion: '8.0.36\\-log' }), { ok: true, value: { ranges: [], versions: ['8.0.36-log'] } });
  const m = cpeMatchToRange({ criteriaVersion: '*', versionStartExcluding: '1.0.1', versionEndIncluding: '1.0.2k' });
  assert.ok(m.ok && m.value !== 'all' && m.value !== 'none');
  if (m.ok && typeof m.value === 'object') {
    assert.deepEqual(m.value.ranges, eco([{ introduced_exclusive: '1.0.1' }, { last_affected: '1.0.2k' }]));
    assert.deepEqual(isAffected('generic', '1.0.1', m.value.ranges), no, 'start excluding');
    assert.deepEqual(isAffected('generic', '1.0.1u', m.value.ranges), yes);
    assert.deepEqual(isAffected('generic', '1.0.2k', m.value.ranges), yes, 'end including');
    assert.deepEqual(isAffected('generic', '1.0.2l', m.value.ranges), no);
  }
  const end = cpeMatchToRange({ versionEndExcluding: '2.4.62' });
  assert.ok(end.ok && typeof end.value === 'object');
  if (end.ok && typeof end.value === 'object') assert.deepEqual(end.value.ranges, eco([{ introduced: '0' }, { fixed: '2.4.62' }]));
  assert.equal(cpeMatchToRange({ versionStartIncluding: '1', versionStartExcluding: '1' }).ok, false);
  assert.equal(cpeMatchToRange({ criteriaVersion: '1.*' }).ok, false);
});

test('constraintToRanges: FriendsOfPHP-style Composer constraints and npm ranges', () => {
  assert.deepEqual(constraintToRanges('composer', '>=2.0.0,<2.0.5'), { ok: true, value: eco([{ introduced: '2.0.0.0-dev' }, { fixed: '2.0.5.0-dev' }]) });
  assert.deepEqual(constraintToRanges('composer', '<1.0 || >=2.0,<2.1'), {
    ok: true,
    value: [...eco([{ introduced: '0' }, { fixed: '1.0.0.0-dev' }]), ...eco([{ introduced: '2.0.0.0-dev' }, { fixed: '2.1.0.0-dev' }])],
  });
  assert.deepEqual(constraintToRanges('composer', '>=3.0 <2.0'), { ok: true, value: [] }, 'unsatisfiable: no range');
  assert.equal(constraintToRanges('composer', 'dev-master').ok, false);
  assert.deepEqual(constraintToRanges('semver', '^1.2.3'), { ok: true, value: eco([{ introduced: '1.2.3' }, { fixed: '2.0.0-0' }]) });
  assert.deepEqual(constraintToRanges('semver', '*'), { ok: true, value: eco([{ introduced: '0' }]) });
  assert.equal(constraintToRanges('semver', '>=>=1').ok, false);
});

const cv = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })).map((x) => x.join('.'));
const composerConstraint = fc
  .array(
    fc.array(fc.oneof(cv.map((v) => `^${v}`), cv.map((v) => `~${v}`), fc.tuple(fc.constantFrom('>=', '<', '>', '<=', '!=', '=='), cv).map(([o, v]) => o + v), cv.map((v) => v.replace(/\.\d+$/, '.*'))), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(', ')),
    { minLength: 1, maxLength: 3 },
  )
  .map((xs) => xs.join(' || '));

test('property: isAffected(constraintToRanges(c)) agrees with satisfies(c) (composer; semver without prereleases)', () => {
  fc.assert(
    fc.property(cv, fc.option(fc.constantFrom('-beta1', '-RC2', '-p1', '-dev')), composerConstraint, (v, suffix, c) => {
      const version = v + (suffix ?? '');
      const ranges = constraintToRanges('composer', c);
      assert.ok(ranges.ok, c);
      const a = isAffected('composer', version, ranges.value);
      assert.deepEqual(a, satisfies('composer', version, c), `${version} in ${c}: ${JSON.stringify(ranges.value)}`);
    }),
    { numRuns: 400 },
  );
  const semverRange = fc
    .array(fc.oneof(cv.map((v) => `^${v}`), cv.map((v) => `~${v}`), fc.tuple(fc.constantFrom('>=', '<', '>', '<=', '='), cv).map(([o, v]) => o + v), cv.map((v) => v.replace(/\.\d+$/, '.x'))), { minLength: 1, maxLength: 3 })
    .map((xs) => xs.join(' '));
  fc.assert(
    fc.property(cv, fc.array(semverRange, { minLength: 1, maxLength: 2 }).map((xs) => xs.join(' || ')), (v, c) => {
      const ranges = constraintToRanges('semver', c);
      assert.ok(ranges.ok, c);
      assert.deepEqual(isAffected('semver', v, ranges.value), satisfies('semver', v, c), `${v} in ${c}`);
    }),
    { numRuns: 400 },
  );
});

test('OSV ecosystem names map to schemes; unknown ones to none', () => {
  assert.equal(ecosystemForOsv('Debian:12'), 'dpkg');
  assert.equal(ecosystemForOsv('Ubuntu:22.04:LTS'), 'dpkg');
  assert.equal(ecosystemForOsv('Alpine:v3.19'), 'apk');
  assert.equal(ecosystemForOsv('Rocky Linux:9'), 'rpm');
  assert.equal(ecosystemForOsv('AlmaLinux:8'), 'rpm');
  assert.equal(ecosystemForOsv('Red Hat'), 'rpm');
  assert.equal(ecosystemForOsv('npm'), 'semver');
  assert.equal(ecosystemForOsv('Packagist'), 'composer');
  assert.equal(ecosystemForOsv('PyPI'), undefined);
});
