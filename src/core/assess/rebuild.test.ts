import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { compareVersions } from '../versioning/index.js';
import { isRebuildRelease, normaliseRelease, rebuildView } from './rebuild.js';
import { matchVersion } from './affected.js';

const cmp = (a: string, b: string) => {
  const r = compareVersions('rpm', a, b);
  assert.ok(r.ok, `${a} ${b}`);
  return r.value;
};

test('CentOS and Oracle retags map onto the RHEL release they rebuild', () => {
  assert.equal(normaliseRelease('2.2.3-92.el5.centos'), '2.2.3-92.el5');
  assert.equal(normaliseRelease('0:2.2.3-92.el5_11'), '0:2.2.3-92.el5');
  assert.equal(normaliseRelease('2.4.6-40.el7.centos.4'), '2.4.6-40.el7.4');
  assert.equal(normaliseRelease('0:2.4.6-40.el7_2.4'), '0:2.4.6-40.el7.4');
  assert.equal(normaliseRelease('2.2.3-11.el5_2.centos.4'), '2.2.3-11.el5.4');
  assert.equal(normaliseRelease('1.0.1e-42.el7.6'), '1.0.1e-42.el7.6');
  assert.equal(normaliseRelease('2.2.15-54.0.1.el6_8'), '2.2.15-54.el6');
  assert.ok(isRebuildRelease('2.2.3-92.el5.centos') && isRebuildRelease('2.2.15-54.0.1.el6_8'));
  assert.ok(!isRebuildRelease('1.8.6p3-29.el6_10.3') && !isRebuildRelease('3.10.0-1160.119.1.el7') && !isRebuildRelease('1.0.1e-42.el7'));
  assert.ok(isRebuildRelease('1.0.1e-42.el7.6'), 'CentOS 7.1 dropped _1 without .centos');
  // A kept minor tag is compared as published: el5_2.centos.4 is RHEL's el5_2.4.
  const kept = rebuildView('2.2.3-11.el5_2.centos.4', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:2.2.3-11.el5_3.4' }] }], 'rhel:5');
  assert.deepEqual([kept.version, matchVersion('rpm', kept.version, kept.ranges).status], ['2.2.3-11.el5_2.4', 'affected']);
  // A GA build (no tag after elN) is never normalised: 42.el7 is older than the z-stream 42.el7_1.
  assert.equal(matchVersion('rpm', rebuildView('1.0.1e-42.el7', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.0.1e-42.el7_1' }] }], 'rhel:7').version, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.0.1e-42.el7_1' }] }]).status, 'affected');
  // Compared as they are, the CentOS build of the fix looks older than the fix: the false alarm this removes.
  assert.equal(cmp('2.2.3-92.el5.centos', '0:2.2.3-92.el5_11'), -1);
  const v = rebuildView('2.2.3-92.el5.centos', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:2.2.3-92.el5_11' }] }], 'rhel:5');
  assert.equal(matchVersion('rpm', v.version, v.ranges).status, 'not-affected');
  const old = rebuildView('2.2.3-91.el5.centos', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:2.2.3-92.el5_11' }] }], 'rhel:5');
  assert.equal(matchVersion('rpm', old.version, old.ranges).status, 'affected');
  // Oracle's .0.1 before an older RHEL fix would otherwise hide it.
  assert.equal(cmp('2.2.15-45.0.1.el6', '0:2.2.15-54.el6_8'), -1);
  assert.equal(cmp('2.2.15-54.0.1.el6', '0:2.2.15-54.el6_8.1'), 1, 'raw: .0.1 sorts after .el6_8.1');
  const ol = rebuildView('2.2.15-54.0.1.el6', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:2.2.15-54.el6_8.1' }] }], 'rhel:6');
  assert.equal(matchVersion('rpm', ol.version, ol.ranges).status, 'affected');
  assert.equal(rebuildView('2.2.3-92.el5.centos', [], 'oracle:5').normalised, false, 'only against Red Hat data');
});

test('law: normalising keeps the order of releases that differ before the tag', () => {
  const rel = fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 5, max: 9 }), fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 9 }));
  fc.assert(
    fc.property(rel, rel, ([a, m, x, y], [b, , x2, y2]) => {
      fc.pre(a !== b);
      const centos = `1.0-${a}.el${m}.centos.${y}`;
      const rhel = `0:1.0-${b}.el${m}_${x2}.${y2}`;
      const v = rebuildView(centos, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: rhel }] }], `rhel:${m}`);
      const affected = matchVersion('rpm', v.version, v.ranges).status === 'affected';
      return affected === a < b && x >= 0;
    }),
    { numRuns: 300, seed: 5 },
  );
});

/**
 * Where the errata header names a build that really is older than Red Hat's fix: CESA-2014:1306 lists
 * bash 3.2-33.el5_10.4 among the fixed packages while Red Hat's fix is 3.2-33.el5_11.4 (and the same script's
 * "last versions recommended" is el5_11.4). By rpm's order el5_10.4 < el5_11.4, so reporting it is right.
 */
const KNOWN_DIFFERENT = new Map([['CESA-2014:1306 bash 3.2-33.el5_10.4', 'older than RHEL 3.2-33.el5_11.4 by rpm order']]);

/**
 * Ground truth: CentOS errata (Cyberwatch, ../shared/data/centos) list the CentOS build of each fix; Red Hat's
 * records give the RHEL build. The CentOS build of a fix must never be reported as missing that same fix.
 */
test('every CentOS build of a fix satisfies the RHEL fixed version of the same RHSA (real CentOS 5/6/7 errata)', (t) => {
  const shared = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
  if (!existsSync(join(shared, 'centos/cyberwatch-errata'))) return t.skip('../shared/data/centos not found: the rebuild ground truth needs it');
  const rhel = new Map<string, Map<string, string>>(); // RHSA → source@major → fixed EVR
  const apiDir = join(shared, 'redhat/api');
  for (const y of readdirSync(apiDir)) {
    for (const f of readdirSync(join(apiDir, y))) {
      const d = JSON.parse(readFileSync(join(apiDir, y, f), 'utf8')) as { affected_release?: { advisory: string; package?: string; cpe: string }[] };
      for (const a of d.affected_release ?? []) {
        const m = /^cpe:\/o:redhat:enterprise_linux:(\d)$/.exec(a.cpe);
        const p = a.package ? /^(.+)-(\d+):(.+)$/.exec(a.package) : null;
        if (!m || !p) continue;
        if (!rhel.has(a.advisory)) rhel.set(a.advisory, new Map());
        rhel.get(a.advisory)!.set(`${p[1]}@${m[1]}`, `${p[2]}:${p[3]}`);
      }
    }
  }
  let checked = 0;
  let rebuilt = 0;
  const wrong: string[] = [];
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  for (const major of ['5', '6', '7']) {
    for (const file of walk(join(shared, `centos/cyberwatch-errata/CentOS_${major}`))) {
      const id = /CESA-(\d{4}:\d+)\.sh$/.exec(file)?.[1];
      const fixes = id ? rhel.get(`RHSA-${id}`) : undefined;
      if (!fixes) continue;
      const text = readFileSync(file, 'utf8');
      const fixedBlock = text.split('# Last versions recommanded')[0]!;
      for (const m of fixedBlock.matchAll(/^#\s+- ([\w.+-]+)\.(?:x86_64|noarch|i686|i386):(\S+)$/gm)) {
        const fx = fixes.get(`${m[1]}@${major}`);
        if (!fx) continue; // a binary whose name is not its source's
        checked++;
        if (isRebuildRelease(m[2]!)) rebuilt++;
        const known = KNOWN_DIFFERENT.get(`CESA-${id} ${m[1]} ${m[2]}`);
        if (known) continue;
        // The errata scripts omit epochs (openssl carries 1 on EL7): the epoch is the fix's own.
        const installed = `${/^(\d+):/.exec(fx)?.[1] ?? '0'}:${m[2]}`;
        const v = rebuildView(installed, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: fx }] }], `rhel:${major}`);
        const st = matchVersion('rpm', v.version, v.ranges).status;
        if (st !== 'not-affected') wrong.push(`CESA-${id} ${m[1]} ${installed} vs RHEL ${fx}: ${st}`);
      }
    }
  }
  t.diagnostic(`compared ${checked} CentOS builds with Red Hat’s fixed versions, ${rebuilt} of them retagged`);
  assert.ok(checked >= 20, `compared ${checked} CentOS builds`);
  assert.ok(rebuilt >= 5, `${rebuilt} of them retagged .centos`);
  assert.deepEqual(wrong, []);
});
