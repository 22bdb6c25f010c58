/** Every matcher with a positive and a negative fixture (the false-positive traps of check-catalog.md). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MATCHERS, type MatcherName, type MatchInput } from './types.js';
import { matchers, matchersForName, magicKind, zipMemberNames } from './matchers.js';
import { strToU8, zipSync } from 'fflate';
import { EXPOSURE_PROBES, expandPath, expandProbes } from './exposure.js';
import { CHECKS } from './catalog.js';

const enc = new TextEncoder();
const text = (t: string, contentType = 'text/plain', path = '/x'): MatchInput => ({ status: 200, contentType, body: enc.encode(t), text: t, path });
const bytes = (b: number[], contentType = 'application/octet-stream', path = '/x'): MatchInput => ({ status: 200, contentType, body: Uint8Array.from(b), text: String.fromCharCode(...b), path });
const HOME = '<!DOCTYPE html><html><head><title>Shop</title></head><body>Welcome. INSERT INTO cart VALUES (1); ref: refs/heads/main</body></html>';

const FIXTURES: Record<MatcherName, { pos: MatchInput; neg: MatchInput }> = {
  'sql-dump': { pos: text("CREATE TABLE `dtb_customer` (id int);\nINSERT INTO `dtb_customer` VALUES (1,'a'),(2,'b');\n"), neg: text(HOME, 'text/html') },
  archive: { pos: bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), neg: text(HOME, 'text/html') },
  csv: { pos: text('氏名,電話,メール\n山田,03-1,a@b\n田中,03-2,c@d\n'), neg: text('just a sentence, with a comma\nand another line\n') },
  excel: { pos: bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), neg: bytes([0x50, 0x4b, 0x03, 0x04], 'application/zip', '/x.zip') },
  'access-log': { pos: text('1.2.3.4 - - [10/Oct/2025:13:55:36 +0900] "GET / HTTP/1.1" 200 1\n'.repeat(3)), neg: text('1.2.3.4 - - [10/Oct/2025:13:55:36 +0900] "GET / HTTP/1.1" 200 1\n', 'text/plain') },
  'error-log': { pos: text('PHP Warning:  foo in /var/www/a.php on line 1\nPHP Fatal error:  bar\n'), neg: text('<html><body>error</body></html>', 'text/html') },
  'git-head': { pos: text('ref: refs/heads/master\n'), neg: text(HOME, 'text/html') },
  'git-config': { pos: text('[core]\n\trepositoryformatversion = 0\n'), neg: text(HOME, 'text/html') },
  'svn-entries': { pos: text('10\n\ndir\n12\nhttps://svn.example/repo\n'), neg: text('not svn') },
  sqlite: { pos: bytes([...'SQLite format 3\0'].map((c) => c.charCodeAt(0))), neg: text('SQLite format 2') },
  'ds-store': { pos: bytes([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31, 0, 0]), neg: text(HOME, 'text/html') },
  'env-file': { pos: text('APP_ENV=prod\nDB_PASSWORD=x\n'), neg: text(HOME, 'text/html') },
  'php-source': { pos: text("<?php\ndefine('DB_PASSWORD', 'x');\n"), neg: text(HOME, 'text/html') },
  phpinfo: { pos: text('<title>phpinfo()</title><h1 class="p">PHP Version 5.3.3</h1>', 'text/html'), neg: text(HOME, 'text/html') },
  listing: { pos: text('<html><head><title>Index of /backup/</title></head><body><h1>Index of /backup/</h1><a href="../">../</a><a href="db.sql">db.sql</a></body></html>', 'text/html'), neg: text(HOME, 'text/html') },
  htpasswd: { pos: text('admin:$apr1$abc$defghijk\n'), neg: text(HOME, 'text/html') },
  'installer-eccube': { pos: text('<title>EC-CUBE インストール</title><form><input type=submit value="次へ進む"></form>', 'text/html'), neg: text(HOME, 'text/html') },
  'installer-wordpress': { pos: text('<title>WordPress &rsaquo; Installation</title><form id="setup" action="install.php?step=2">', 'text/html'), neg: text('<p>WordPress is already installed.</p> Installation', 'text/html') },
  'installer-generic': { pos: text('<title>Duplicator Installer</title>', 'text/html'), neg: text(HOME, 'text/html') },
  phpmyadmin: { pos: text('<title>phpMyAdmin</title><input name="pma_username">', 'text/html'), neg: text(HOME, 'text/html') },
  'admin-login': { pos: text('<title>EC-CUBE 管理画面</title><input type="password" name="password">', 'text/html'), neg: text('<title>Login</title><input type="password">', 'text/html') },
  'kent-config': { pos: text("#│ POST-MAIL : init.cgi\n$cf{'mailto'} = 'a@b';\n"), neg: text(HOME, 'text/html') },
  'kent-log': { pos: text('1<>2025/10/10<>name<>mail<>\n'), neg: text(HOME, 'text/html') },
  'mailform-log': { pos: text('1<>2025/10/10<>name<>mail<>\n'), neg: text(HOME, 'text/html') },
  'server-status': { pos: text('<h1>Apache Server Status for localhost</h1>', 'text/html'), neg: text(HOME, 'text/html') },
  'mt-check': { pos: text('<title>Movable Type System Check [mt-check.cgi]</title><li><strong>Movable Type version:</strong> <code>5.2.3</code></li>', 'text/html'), neg: text(HOME, 'text/html') },
  'ftp-config': { pos: text('{"host": "ftp.example.jp", "user": "u", "password": "p"}', 'application/json'), neg: text(HOME, 'text/html') },
  'text-data': { pos: text('a\nb\nc\n'), neg: text(HOME, 'text/html') },
};

describe('matchers (checks as data: positive and negative fixtures)', () => {
  for (const name of MATCHERS) {
    it(`${name}: confirms its own content and rejects a look-alike`, () => {
      const f = FIXTURES[name];
      assert.ok(matchers[name](f.pos), `${name} positive`);
      assert.equal(matchers[name](f.neg), undefined, `${name} negative`);
    });
  }

  it('counts SQL rows and customer tables, and schema-only dumps have no rows', () => {
    const m = matchers['sql-dump'](FIXTURES['sql-dump'].pos)!;
    assert.equal(m.detail.rows, 2);
    assert.deepEqual(m.detail.customerTables, ['dtb_customer']);
    assert.equal(matchers['sql-dump'](text('CREATE TABLE dtb_customer (id int);\n'))?.detail.rows, 0);
  });

  it('reads the PHP version from phpinfo and the MT version from mt-check', () => {
    assert.equal(matchers.phpinfo(FIXTURES.phpinfo.pos)?.detail.phpVersion, '5.3.3');
    assert.equal(matchers['mt-check'](FIXTURES['mt-check'].pos)?.detail.version, '5.2.3');
  });

  it('knows archive magic bytes, including LHA and tar', () => {
    assert.equal(magicKind(Uint8Array.from([0x1f, 0x8b, 8])), 'gzip');
    assert.equal(magicKind(Uint8Array.from([0x20, 0x00, 0x2d, 0x6c, 0x68, 0x35, 0x2d, 0])), 'lzh');
    const tar = new Uint8Array(300);
    tar.set(enc.encode('ustar'), 257);
    assert.equal(magicKind(tar), 'tar');
    assert.equal(magicKind(enc.encode('<html>')), undefined);
  });

  it('names the members of a zip from its central directory', () => {
    const z = zipSync({ 'dump/顧客.sql': strToU8('x'), 'a.txt': strToU8('y') });
    assert.deepEqual(zipMemberNames(z.subarray(z.length - 200)), ['dump/顧客.sql', 'a.txt']);
    assert.deepEqual(zipMemberNames(enc.encode('not a zip')), []);
  });

  it('chooses matchers for listed files and skips readmes and assets', () => {
    assert.deepEqual(matchersForName('backup.sql'), ['sql-dump']);
    assert.deepEqual(matchersForName('readme.txt'), []);
    assert.deepEqual(matchersForName('logo.png'), []);
    assert.ok(matchersForName('顧客.csv').includes('csv'));
  });

  it('never throws on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(...MATCHERS), (b, name) => {
        const t = new TextDecoder().decode(b);
        matchers[name]({ status: 200, contentType: 'application/octet-stream', body: b, text: t, path: '/x' });
      }),
      { numRuns: 300 },
    );
  });
});

describe('exposure probe data', () => {
  it('names only known checks, and stays a targeted list (no brute force)', () => {
    for (const p of EXPOSURE_PROBES) assert.ok(CHECKS.has(p.check), p.check);
    const all = expandProbes('www.example.co.jp', 2026);
    assert.ok(all.size >= 200 && all.size <= 400, `${all.size} paths`);
    for (const path of all.keys()) {
      assert.ok(path.startsWith('/'), path);
      assert.doesNotMatch(path, /[{}]/);
    }
  });

  it('fills host placeholders', () => {
    assert.equal(expandPath('/{host}.sql', 'www.example.co.jp', 2026), '/www.example.co.jp.sql');
    assert.equal(expandPath('/{domain}.zip', 'www.example.co.jp:8443', 2026), '/example.co.jp.zip');
    assert.equal(expandPath('/{label}_{year}.zip', 'www.example.co.jp', 2026), '/example_2026.zip');
    assert.equal(expandPath('/{label}.sql', '127.0.0.1', 2026), '/127_0_0_1.sql');
  });
});
