import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw } from '../test-util.js';
import { nginxRanges, parse, recognise } from './parse.js';

test('vulnerable intervals are split at each branch fix', () => {
  assert.deepEqual(nginxRanges('0.6.18-1.9.9', '1.9.10+, 1.8.1+')!.ranges.map((r) => r.events), [
    [{ introduced: '0.6.18' }, { fixed: '1.8.1' }],
    [{ introduced: '1.9.0' }, { last_affected: '1.9.9' }],
  ]);
  assert.deepEqual(nginxRanges('1.5.6-1.5.7, 0.8.41-1.4.3', '1.5.8+, 1.4.4+')!.ranges.map((r) => r.events), [
    [{ introduced: '1.5.6' }, { last_affected: '1.5.7' }],
    [{ introduced: '0.8.41' }, { last_affected: '1.4.3' }],
  ]);
  assert.deepEqual(nginxRanges('all', 'none')!.ranges[0]!.events, [{ introduced: '0' }]);
  assert.equal(nginxRanges('1.2.x', '1.3+'), null);
});

test('security_advisories.xml items: Windows-only advisories get their own product; older "not" attribute read', () => {
  const xml = `<article name="nginx security advisories"><section><security>
<item name="Vulnerabilities with Windows directory aliases" severity="medium" cve="2011-4963" good="1.3.1+, 1.2.1+" vulnerable="nginx/Windows 0.7.52-1.3.0" />
<item name="Request line parsing vulnerability" severity="medium" cve="2013-4547" not="1.5.7+, 1.4.4+" vulnerable="0.8.41-1.5.6"><patch name="p"/></item>
</security></section></article>`;
  assert.ok(recognise(xml));
  const out = parse(raw('security_advisories.xml', xml), xml);
  assert.deepEqual(out.advisories.map((a) => [a.id, a.scope.package]), [['CVE-2011-4963', 'nginx-windows'], ['CVE-2013-4547', 'nginx']]);
  assert.equal(out.advisories[1]!.fixedVersion, '1.4.4');
});
