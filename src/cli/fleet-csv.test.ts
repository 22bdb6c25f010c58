import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsv, parseImportCsv } from './fleet-csv.js';

test('CSV: quotes, doubled quotes, commas and line breaks inside fields; CRLF; record start lines', () => {
  const r = parseCsv('a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\nlast,,\n');
  assert.ok(r.ok);
  assert.deepEqual(r.records.map((x) => [x.line, x.fields]), [
    [1, ['a', 'b', 'c']],
    [2, ['x, y', 'say "hi"', 'two\nlines']],
    [4, ['last', '', '']],
  ]);
  const open = parseCsv('a,b\n1,"oops\n2,3\n');
  assert.deepEqual(open, { ok: false, line: 2, message: 'a quoted field is not closed' });
});

const HEADER = 'tenant,name,kind,target,ssh_user,ssh_key,ssh_known_hosts,tags,schedule';

test('import CSV: BOM or not, Japanese names, empty cells omitted, blank lines skipped', () => {
  for (const bom of ['', '\uFEFF']) {
    const r = parseImportCsv(`${bom}${HEADER}\n株式会社さくら商店,web1,host,192.0.2.10:2222,mamori,keys/web1,kh/web1,shop;ec-cube,0 3 * * 1\n\n株式会社さくら商店,shop,site,https://shop.example.jp/,,,,,\n`);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.rows.length, 2);
    assert.deepEqual(r.rows[0], { line: 2, values: { tenant: '株式会社さくら商店', name: 'web1', kind: 'host', target: '192.0.2.10:2222', ssh_user: 'mamori', ssh_key: 'keys/web1', ssh_known_hosts: 'kh/web1', tags: 'shop;ec-cube', schedule: '0 3 * * 1' } });
    assert.deepEqual(r.rows[1], { line: 4, values: { tenant: '株式会社さくら商店', name: 'shop', kind: 'site', target: 'https://shop.example.jp/' } });
  }
  const reordered = parseImportCsv('name,target,kind,tenant\nweb,https://a.example/,site,T\n');
  assert.ok(reordered.ok);
});

test('import CSV: errors name the line and the column', () => {
  const cases: [string, number, RegExp][] = [
    [`${HEADER},owner\n`, 1, /unknown column "owner"/],
    ['name,kind,target\n', 1, /lacks the column\(s\) tenant/],
    ['', 1, /empty/],
    [`${HEADER}\n`, 1, /no rows/],
    [`${HEADER}\nT,web,host,h\nT,web2,vm,h\n`, 3, /kind must be host or site, not "vm"/],
    [`${HEADER}\nT,,host,h\n`, 2, /column name is empty/],
    [`${HEADER}\nT,a,host,h,,,,,,extra\n`, 2, /10 fields, but the header has 9/],
    [`${HEADER}\nT,a,host,h\nT,b"c,host,h\n`, 3, /quote inside an unquoted field/],
    [`${HEADER}\nT,a\uFFFD,host,h\n`, 2, /not UTF-8/],
  ];
  for (const [text, line, re] of cases) {
    const r = parseImportCsv(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.equal(r.line, line, text);
      assert.match(r.message, re);
    }
  }
});
