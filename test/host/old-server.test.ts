/**
 * An old CentOS 6 shop server whose web server the scanner cannot run (issue 13, item 2): Apache built from
 * source under /usr/local/apache2 with a binary the scanning user may not execute, no `httpd`/`php`/`ss` in
 * PATH, no os-release. Reached as a user would, `mamori scan host --ssh`, over a real sshd that chroots into
 * the tree as uid 65534. The scan must find the document roots from the configuration files alone, the cart
 * and the mail-form CGI in them, and the Shift_JIS customer export; versions from the rpm database and the
 * installed headers; a second Apache that only the process list names.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isAllowlistedRemote } from '../../src/collect/transport/remote.js';
import type { Component, Finding, Gap, Inventory } from '../../src/core/model.js';
import { runCli } from '../helpers/cli.js';
import { buildCentosRoot, centosRootMissing, type CentosRoot } from './centos-root.js';
import { sshdMissing, startSshd, type Sshd } from './sshd.js';

const missing = sshdMissing() ?? centosRootMissing();
let box: CentosRoot | undefined;
let sshd: Sshd | undefined;
let hidden: ChildProcess | undefined;
let home: string;

before(async () => {
  if (missing) return;
  box = buildCentosRoot();
  home = mkdtempSync(join(tmpdir(), 'mamori-home-'));
  // The second Apache's master process as `ps` shows it (a root process the scanning user cannot inspect).
  hidden = spawn('perl', ['-e', `$0 = ${JSON.stringify(box.hiddenArgs)}; sleep 600;`], { stdio: 'ignore' });
  sshd = await startSshd({ exec: box.sshExec });
});
after(async () => {
  hidden?.kill('SIGKILL');
  await sshd?.stop();
  if (box) rmSync(box.dir, { recursive: true, force: true });
  if (home) rmSync(home, { recursive: true, force: true });
});

interface Doc {
  inventory: Inventory;
  findings: Finding[];
  gaps: Gap[];
}

test('CentOS 6 with Apache built from source and no runnable binary: document roots, cart, CGI and customer data over chrooted SSH', { skip: missing ?? false, timeout: 240_000 }, async () => {
  const s = sshd!;
  const b = box!;
  const r = await runCli(['scan', 'host', '--ssh', `${s.user}@127.0.0.1:${s.port}`, '--identity', s.userKey, '--known-hosts', s.knownHosts, '--format', 'json', '--lang', 'en'], { env: { MAMORI_HOME: home }, timeoutMs: 200_000 });
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as Doc;
  if (process.env.MAMORI_TEST_KEEP) (await import('node:fs')).writeFileSync(process.env.MAMORI_TEST_KEEP, r.stdout);
  const inv = doc.inventory;
  const gaps = doc.gaps.map((g) => `${g.what}: ${g.why}`).join('\n');

  // The OS from /etc/centos-release; packages from the real rpm database, read by rpm as a non-root user.
  assert.deepEqual([inv.os?.family, inv.os?.version, inv.os?.detectedBy], ['centos', '6.10', '/etc/centos-release']);
  assert.equal(inv.packages.find((p) => p.name === 'httpd')?.version, '2.2.15-69.el6.centos');
  assert.equal(inv.packages.find((p) => p.name === 'openssl')?.source, 'openssl');

  // The document roots come from the configuration files alone (Include, DocumentRoot, UserDir) and from ps.
  const roots = (inv.docroots ?? []).map((d) => d.path).sort();
  assert.deepEqual(roots, ['/home/tanaka/public_html', '/opt/shop2/htdocs', '/usr/local/apache2/htdocs', '/var/www/shop']);
  const apache = (inv.webServers ?? []).filter((w) => w.server === 'apache-httpd');
  assert.deepEqual(apache.map((w) => w.files).sort(), [['/opt/shop2/apache/conf/shop2.conf'], ['/usr/local/apache2/conf/httpd.conf', '/usr/local/apache2/conf/extra/httpd-vhosts.conf', '/usr/local/apache2/conf/extra/httpd-userdir.conf']]);
  const shop = apache.flatMap((w) => w.sites).find((x) => x.root === b.docroot)!;
  assert.deepEqual(shop.names, ['shop.example.jp', 'www.shop.example.jp']);

  // The cart and the mail-form CGI in the document root.
  const comp = (name: string) => inv.components.filter((c: Component) => c.name === name);
  assert.deepEqual(comp('ec-cube').map((c) => [c.version, c.location]), [['2.11.5', '/var/www/shop']]);
  assert.deepEqual(comp('kent-postmail').map((c) => [c.version, c.location]), [['2019.03.02', '/var/www/shop/cgi-bin/postmail']]);

  // Versions where no binary could be run: the source build's headers, the rpm database for the rest.
  const httpd = comp('apache-httpd').map((c) => [c.version ?? null, c.detectedBy, c.location ?? null]);
  assert.deepEqual(httpd.sort(), [
    ['2.2.15', 'package:httpd', null],
    ['2.2.31', 'file:/usr/local/apache2/include/ap_release.h', '/usr/local/apache2/bin/httpd'],
    [null, 'process-list', '/opt/shop2/apache/bin/httpd'],
  ].sort());
  assert.match(gaps, /apache-httpd version \(\/opt\/shop2\/apache\/bin\/httpd\): \/opt\/shop2\/apache\/bin\/httpd -V denied/);
  assert.deepEqual(comp('php').map((c) => [c.version, c.detectedBy]), [['5.3.3', 'package:php']]);
  assert.deepEqual(comp('openssl').map((c) => [c.version, c.detectedBy]), [['1.0.1e', 'package:openssl']]);
  assert.deepEqual(comp('mysql').map((c) => [c.version, c.detectedBy]), [['5.1.73', 'package:mysql-server']]);

  // mod_php's settings from /etc/php.ini although no php binary could be run.
  assert.deepEqual(doc.findings.filter((f) => f.category === 'information-disclosure').map((f) => f.title), ['expose_php = On in /etc/php.ini: PHP announces its version to every visitor']);

  // Customer data: the Shift_JIS export EC-CUBE wrote, the UserDir list, the second shop's export.
  const pii = doc.findings.filter((f) => f.category === 'personal-data-exposure').map((f) => f.location).sort();
  assert.deepEqual(pii, ['/home/tanaka/public_html/meibo.csv', '/opt/shop2/htdocs/order_export.csv', '/var/www/shop/data/upload/csv/customer_20130401.csv']);
  const sjis = doc.findings.find((f) => f.location === '/var/www/shop/data/upload/csv/customer_20130401.csv')!;
  assert.equal((sjis.evidence as { records: number }).records, 40);
  assert.equal(JSON.stringify(doc).includes('090-3100-5200'), false, 'phone numbers are masked');

  // Listening ports from netstat where ss is missing.
  assert.ok((inv.listening ?? []).some((l) => l.port === s.port), `netstat lists sshd's port ${s.port}`);
  assert.doesNotMatch(gaps, /listening ports/);

  // Nothing but the read-only allowlist reached the server.
  const received = s.commands();
  assert.deepEqual(received.filter((c) => !isAllowlistedRemote(c)), []);
  assert.ok(received.some((c) => /netstat/.test(c)) && received.some((c) => / ps /.test(c)));
});
