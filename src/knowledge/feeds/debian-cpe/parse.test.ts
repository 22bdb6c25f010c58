import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw } from '../test-util.js';
import { parseList, recogniseList } from './parse.js';

// Lines as they stand in the tracker's data/CPE/list, including its one `;;` (shellinabox).
const LIST = ['apache2;cpe:/a:apache:http_server', 'php8.2;cpe:/a:php:php', 'shellinabox;;cpe:/a:shellinabox_project:shellinabox', 'zzz-no-cpe;', 'Not A Line'].join('\n');

test('CPE list: package;cpe pairs, a doubled separator tolerated, a package without CPE kept silent', () => {
  assert.ok(recogniseList(LIST.split('\n').slice(0, 2).join('\n')));
  const out = parseList(raw('CPE/list', LIST), LIST);
  assert.deepEqual(
    out.cpe.map((c) => [c.package, c.cpe]),
    [
      ['apache2', 'cpe:/a:apache:http_server'],
      ['php8.2', 'cpe:/a:php:php'],
      ['shellinabox', 'cpe:/a:shellinabox_project:shellinabox'],
    ],
  );
  assert.equal(out.rejected.length, 1);
  assert.match(out.rejected[0]!.reason, /Not A Line/);
});
