import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, shared } from '../test-util.js';
import { parse, recognise } from './parse.js';

test('Alpine secdb: legacy YAML (v3.11) and vuln-list per-package JSON (3.20) become apk advisories by origin package', (t) => {
  const yaml = shared('other/alpine-secdb-legacy/v3.11/main.yaml');
  const json = shared('other/vuln-list-alpine/alpine/3.20/main/apache2.json');
  if (yaml === null || json === null) return t.skip('../shared/data not found');
  assert.ok(recognise(yaml) && recognise(json));
  const y = parse(raw('v3.11/main.yaml', yaml), yaml);
  assert.ok(y.advisories.length > 1000);
  assert.ok(y.advisories.every((a) => a.scope.platform === 'alpine:3.11' && a.scope.versionScheme === 'apk'));
  const ap = y.advisories.find((a) => a.scope.package === 'apache2' && a.id === 'CVE-2019-9517')!;
  assert.equal(ap.fixedVersion, '2.4.41-r0');
  const j = parse(raw('alpine/3.20/main/apache2.json', json), json);
  const c = j.advisories.find((a) => a.id === 'CVE-2017-9798')!;
  assert.deepEqual([c.scope.platform, c.scope.package, c.fixedVersion], ['alpine:3.20', 'apache2', '2.4.27-r1']);
});

test('secdb JSON of the published schema (main.json): "0" means never affected; a file without a release is rejected', () => {
  const doc = JSON.stringify({ distroversion: 'v3.19', reponame: 'main', packages: [{ pkg: { name: 'openssl', secfixes: { '3.1.4-r1': ['CVE-2023-5678'], '0': ['CVE-2022-1234 XSA-1'] } } }] });
  assert.ok(recognise(doc));
  const out = parse(raw('main.json', doc), doc);
  assert.deepEqual(
    out.advisories.map((a) => [a.id, a.scope.platform, a.fixState, a.fixedVersion ?? '']).sort(),
    [
      ['CVE-2022-1234', 'alpine:3.19', 'not-affected', ''],
      ['CVE-2023-5678', 'alpine:3.19', 'fixed', '3.1.4-r1'],
    ],
  );
  const bad = parse(raw('x.json', '{"name":"a","secfixes":{}}'), '{"name":"a","secfixes":{}}');
  assert.match(bad.rejected[0]!.reason, /release/);
});
