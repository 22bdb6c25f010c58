/**
 * Personal data in document roots with the served/denied verdict: nginx locations and .htaccess rules read
 * from real configuration files, the real personal-data detector (src/pii) over the files.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { collectDocroots, DEFAULT_DOCROOT_LIMITS } from '../../src/collect/host/docroots.js';
import { nginxLocation, parseHtaccess, wouldServe } from '../../src/collect/host/exposure.js';
import { loadPii } from '../../src/collect/host/pii-bridge.js';
import { readApacheConfig, readNginxConfig } from '../../src/collect/host/webconf.js';
import { LocalTransport } from '../../src/collect/transport/local.js';
import type { Gap } from '../../src/core/model.js';
import { customersCsv, makeTree } from './docroot-tree.js';

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const t = new LocalTransport({ timeoutMs: 10_000, sudo: false });

test('nginx location selection: exact, ^~, regex in order, longest prefix', async () => {
  const root = makeTree({
    'nginx.conf': 'events {}\nhttp {\n  server {\n    listen 80;\n    root /srv/www;\n    location = /secret.csv { return 404; }\n    location ^~ /backup/ { deny all; }\n    location /upload/ { }\n    location ~* \\.(sql|bak)$ { deny all; }\n    location ~ /\\. { deny all; }\n    location /data/ { deny all; }\n  }\n}\n',
  });
  made.push(root);
  const cfg = await readNginxConfig(t, `${root}/nginx.conf`);
  const site = cfg.sites[0]!;
  const denied = (uri: string) => nginxLocation(site, uri)?.denied ?? false;
  assert.equal(denied('/secret.csv'), true);
  assert.equal(denied('/backup/db.csv'), true, '^~ stops regex matching');
  assert.equal(denied('/upload/dump.SQL'), true, 'a regex beats a plain prefix');
  assert.equal(denied('/upload/list.csv'), false);
  assert.equal(denied('/.git/config'), true);
  assert.equal(denied('/data/x.csv'), true);
  assert.equal(denied('/index.html'), false);
});

test('.htaccess: 2.2 and 2.4 syntax, <Files> and <FilesMatch>', () => {
  assert.equal(parseHtaccess('Order deny,allow\nDeny from all\n').all, true);
  assert.equal(parseHtaccess('Require all denied\n').all, true);
  assert.equal(parseHtaccess('Require all granted\n').all, false);
  const f = parseHtaccess('<FilesMatch "\\.(csv|log)$">\n  Require all denied\n</FilesMatch>\n<Files "config.php">\n  Order allow,deny\n  Deny from all\n</Files>\n');
  assert.equal(f.all, false);
  assert.ok(f.files.some((x) => x.regex.test('orders.csv')));
  assert.ok(f.files.some((x) => x.regex.test('config.php')));
  assert.ok(!f.files.some((x) => x.regex.test('index.php')));
});

test('Apache configuration: <Directory> deny applies under it, the stock <Directory /> deny does not', async () => {
  const root = makeTree({
    // No ServerRoot line: the includes resolve against this temporary tree (the ServerRoot given to the reader).
    'conf/httpd.conf': 'Listen 80\n<Directory />\n  Require all denied\n</Directory>\nDocumentRoot "/srv/shop"\n<Directory "/srv/shop/data">\n  Require all denied\n</Directory>\nIncludeOptional conf.d/*.conf\n',
    'conf.d/ssl.conf': 'Listen 443\n<VirtualHost *:443>\n  DocumentRoot /srv/shop\n  SSLProtocol all -SSLv3\n</VirtualHost>\n',
  });
  made.push(root);
  const cfg = await readApacheConfig(t, root, 'conf/httpd.conf');
  assert.deepEqual(cfg.problems, []);
  assert.equal(cfg.files.length, 2);
  const served = (p: string) => wouldServe(p, '/srv/shop', [cfg], new Map()).served;
  assert.equal(served('/srv/shop/data/customers.csv'), false);
  assert.equal(served('/srv/shop/html/customers.csv'), true);
});

test('personal data in a document root: served, denied by .htaccess, denied by nginx; masked evidence only', async () => {
  const pii = await loadPii();
  const csv = customersCsv(40);
  const root = makeTree({
    'html/index.html': '<html>shop</html>',
    'html/export/customers_20240101.csv': csv,
    'html/data/.htaccess': 'Require all denied\n',
    'html/data/members.csv': csv,
    'html/backup/members.csv': csv,
  });
  made.push(root);
  const docroot = `${root}/html`;
  writeFileSync(`${root}/nginx.conf`, `events {}\nhttp {\n  server {\n    listen 80;\n    root ${docroot};\n    location ^~ /backup/ { deny all; }\n  }\n}\n`);
  const cfg = await readNginxConfig(t, `${root}/nginx.conf`);
  const gaps: Gap[] = [];
  const res = await collectDocroots(t, [{ path: docroot, from: 'nginx' }], [cfg], pii.mod, DEFAULT_DOCROOT_LIMITS, gaps);
  const byPath = new Map(res.findings.map((f) => [f.location!.slice(docroot.length + 1), f]));
  const served = byPath.get('export/customers_20240101.csv');
  assert.ok(served, `served file found (${[...byPath.keys()].join(', ')})`);
  assert.equal(served.category, 'personal-data-exposure');
  assert.equal(served.evidence?.served, true);
  assert.ok(['high', 'critical'].includes(served.severity));
  // nginx serves data/ (an .htaccess means nothing to nginx); backup/ is denied by its location.
  assert.equal(byPath.get('data/members.csv')?.evidence?.served, true);
  const backup = byPath.get('backup/members.csv')!;
  assert.equal(backup.evidence?.served, false);
  assert.match(String(backup.evidence?.servedWhy), /\^~ \/backup\//);
  assert.equal(backup.severity, 'medium');
  // Evidence never carries a full value.
  const text = JSON.stringify(res.findings);
  assert.ok(!text.includes('user1.7919@gmail.com') && !/090-\d{4}-\d{4}/.test(text), 'values are masked');
  // The same tree without configuration: nothing is known to be denied (an .htaccess works only with AllowOverride).
  const res2 = await collectDocroots(t, [{ path: docroot, from: '--docroot' }], [], pii.mod, DEFAULT_DOCROOT_LIMITS, []);
  const m2 = new Map(res2.findings.map((f) => [f.location!.slice(docroot.length + 1), f.evidence]));
  assert.equal(m2.get('data/members.csv')?.served, 'unknown');
  assert.match(String(m2.get('data/members.csv')?.servedWhy), /AllowOverride/);
  assert.equal(m2.get('export/customers_20240101.csv')?.served, 'unknown');
  // Served by Apache: the .htaccess counts with AllowOverride All, and is ignored with AllowOverride None.
  for (const [ao, want] of [['All', false], ['None', true]] as const) {
    writeFileSync(`${root}/httpd.conf`, `Listen 80\nDocumentRoot "${docroot}"\n<Directory "${docroot}">\n  AllowOverride ${ao}\n  Require all granted\n</Directory>\n`);
    const ap = await readApacheConfig(t, root, 'httpd.conf');
    const res3 = await collectDocroots(t, [{ path: docroot, from: 'apache' }], [ap], pii.mod, DEFAULT_DOCROOT_LIMITS, []);
    const f = res3.findings.find((x) => x.location === `${docroot}/data/members.csv`)!;
    assert.equal(f.evidence?.served, want, `AllowOverride ${ao}: ${String(f.evidence?.servedWhy)}`);
  }
});
