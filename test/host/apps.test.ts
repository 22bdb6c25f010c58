/** Web application fingerprints over document-root trees laid out as real releases, walked by the local transport. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { collectDocroots, DEFAULT_DOCROOT_LIMITS } from '../../src/collect/host/docroots.js';
import { LocalTransport } from '../../src/collect/transport/local.js';
import type { Gap } from '../../src/core/model.js';
import { makeTree, PLUGIN_MAIN, WP_VERSION_PHP } from './docroot-tree.js';

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const t = new LocalTransport({ timeoutMs: 10_000, sudo: false });

async function detect(files: Record<string, string | Buffer>) {
  const root = makeTree(files);
  made.push(root);
  const gaps: Gap[] = [];
  const r = await collectDocroots(t, [{ path: root, from: '--docroot' }], [], undefined, DEFAULT_DOCROOT_LIMITS, gaps);
  const at = (p: string) => (p ? `${root}/${p}` : root);
  return { root, at, gaps, components: r.components.map((c) => ({ name: c.name, version: c.version, location: c.location })), packages: r.packages };
}

test('WordPress core, plugins (main file, non-slug main file, readme fallback) and themes', async () => {
  const r = await detect({
    'index.php': "<?php\ndefine('WP_USE_THEMES', true);\nrequire __DIR__ . '/wp-blog-header.php';\n",
    'wp-includes/version.php': WP_VERSION_PHP('4.9.8'),
    'wp-content/plugins/akismet/akismet.php': PLUGIN_MAIN('Akismet Anti-Spam', '4.0.8'),
    'wp-content/plugins/akismet/readme.txt': '=== Akismet Anti-Spam ===\nStable tag: 4.1\n',
    'wp-content/plugins/contact-form-7/wp-contact-form-7.php': PLUGIN_MAIN('Contact Form 7', '5.0.3'),
    'wp-content/plugins/contact-form-7/includes/functions.php': '<?php\n// Version: 9.9.9 (not a header)\n',
    'wp-content/plugins/old-thing/loader.php': '<?php\n/*\nPlugin Name: Old Thing\n*/\n',
    'wp-content/plugins/old-thing/readme.txt': '=== Old Thing ===\nContributors: x\nStable tag: 1.2.3\n',
    'wp-content/themes/twentyseventeen/style.css': '/*\nTheme Name: Twenty Seventeen\nTheme URI: https://wordpress.org/themes/twentyseventeen/\nAuthor: the WordPress team\nVersion: 1.7\n*/\n',
    'wp-content/plugins/usc-e-shop/usc-e-shop.php': "<?php\n/*\nPlugin Name: Welcart e-Commerce\nPlugin URI: http://www.welcart.com/\nDescription: Welcart builds the management system with a net shop on WordPress.\nVersion: 1.9.31\nAuthor: Collne Inc.\n*/\ndefine('USCES_VERSION', '1.9.31.2007081');\n",
  });
  assert.deepEqual(r.components, [
    { name: 'wordpress', version: '4.9.8', location: r.root },
    { name: 'welcart', version: '1.9.31', location: r.at('wp-content/plugins/usc-e-shop') },
  ]);
  const pk = r.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`);
  assert.deepEqual(pk, [
    'wordpress-plugin akismet 4.0.8',
    'wordpress-plugin contact-form-7 5.0.3',
    'wordpress-plugin old-thing 1.2.3',
    'wordpress-plugin usc-e-shop 1.9.31',
    'wordpress-theme twentyseventeen 1.7',
  ]);
});

test('EC-CUBE 2.13 (data/class/SC_Initial.php) and 4.0 with a -p1 suffix (src/Eccube/Common/Constant.php)', async () => {
  const r = await detect({
    'eccube2/html/index.php': "<?php\nrequire_once './require.php';\n",
    'eccube2/data/class/SC_Initial.php': "<?php\n/*\n * This file is part of EC-CUBE\n */\nclass SC_Initial\n{\n    public function __construct()\n    {\n        /** EC-CUBEのバージョン */\n        define('ECCUBE_VERSION', '2.13.5');\n    }\n}\n",
    'eccube4/src/Eccube/Common/Constant.php': "<?php\n\n/*\n * This file is part of EC-CUBE\n */\n\nnamespace Eccube\\Common;\n\nclass Constant\n{\n    /**\n     * EC-CUBE VERSION.\n     */\n    const VERSION = '4.0.6-p1';\n\n    /**\n     * Enable value.\n     */\n    const ENABLED = 1;\n}\n",
    'eccube3/src/Eccube/Common/Constant.php': "<?php\nnamespace Eccube\\Common;\n\nclass Constant {\n    const VERSION = '3.0.18';\n}\n",
  });
  assert.deepEqual(r.components, [
    { name: 'ec-cube', version: '2.13.5', location: r.at('eccube2') },
    { name: 'ec-cube', version: '3.0.18', location: r.at('eccube3') },
    { name: 'ec-cube', version: '4.0.6-p1', location: r.at('eccube4') },
  ]);
});

test('Zen Cart, osCommerce 2.3 and 2.2, Movable Type, phpMyAdmin 5 and 4.0', async () => {
  const r = await detect({
    'zc/includes/version.php': "<?php\n/**\n * @package utilities\n */\nif (!defined('IS_ADMIN_FLAG')) {\n  die('Illegal Access');\n}\ndefine('PROJECT_VERSION_NAME', 'Zen Cart');\ndefine('PROJECT_VERSION_MAJOR', '1');\ndefine('PROJECT_VERSION_MINOR', '5.7d');\ndefine('PROJECT_VERSION_PATCH1', '');\n",
    'osc23/catalog/includes/version.php': '2.3.4.1\n',
    'osc22/catalog/includes/application_top.php': "<?php\n// define the project version\n  define('PROJECT_VERSION', 'osCommerce Online Merchant v2.2 RC2a');\n",
    'mt/lib/MT.pm': "package MT;\n\nuse strict;\nour ( $VERSION, $SCHEMA_VERSION );\nour (\n    $PRODUCT_NAME, $PRODUCT_CODE,   $PRODUCT_VERSION,\n    $VERSION_ID,   $RELEASE_NUMBER, $PORTAL_URL\n);\nBEGIN {\n    ( $VERSION, $SCHEMA_VERSION ) = ( '5.2', '5.0034' );\n    (   $PRODUCT_NAME, $PRODUCT_CODE,   $PRODUCT_VERSION,\n        $VERSION_ID,   $RELEASE_NUMBER, $PORTAL_URL,\n        )\n        = (\n        'Movable Type',   'MT',\n        '5.2.2',              '5.2.2',\n        '2', 'http://www.movabletype.org/'\n        );\n}\n",
    'pma/libraries/classes/Version.php': "<?php\n\ndeclare(strict_types=1);\n\nnamespace PhpMyAdmin;\n\nfinal class Version\n{\n    // The VERSION_SUFFIX constant is defined at libraries/vendor_config.php\n    public const VERSION = '5.2.1' . VERSION_SUFFIX;\n    public const SERIES = '5.2';\n}\n",
    'phpMyAdmin-4.0.10.20/libraries/Config.class.php': "<?php\nclass PMA_Config\n{\n    function checkSystem()\n    {\n        $this->set('PMA_VERSION', '4.0.10.20');\n    }\n}\n",
  });
  assert.deepEqual(r.components, [
    { name: 'movable-type', version: '5.2.2', location: r.at('mt') },
    { name: 'oscommerce', version: '2.2-RC2a', location: r.at('osc22/catalog') },
    { name: 'oscommerce', version: '2.3.4.1', location: r.at('osc23/catalog') },
    { name: 'phpmyadmin', version: '4.0.10.20', location: r.at('phpMyAdmin-4.0.10.20') },
    { name: 'phpmyadmin', version: '5.2.1', location: r.at('pma') },
    { name: 'zen-cart', version: '1.5.7d', location: r.at('zc') },
  ]);
});

test('CGI mail forms: Mailform Pro, KENT-WEB postmail and clip mail (Shift_JIS headers), Matt\'s FormMail, not NMS FormMail', async () => {
  const sjisBox = Buffer.from([0x81, 0xa9]); // a Shift_JIS box-drawing character
  const r = await detect({
    'contact/mailformpro/mailformpro.cgi': "#!/usr/bin/perl\n################################################################\n# MailForm Pro\n# SYNCK GRAPHICA\n################################################################\n$config{'version'} = '4.2.5';\nrequire './config.cgi';\n",
    'cgi-bin/postmail/postmail.cgi': Buffer.concat([Buffer.from('#!/usr/local/bin/perl\n\n#'), sjisBox, Buffer.from(' POST-MAIL : postmail.cgi - 2022/03/19\n#'), sjisBox, Buffer.from(' copyright (c) kentweb, 1997-2022\n#'), sjisBox, Buffer.from(' https://www.kent-web.com/\n')]),
    'cgi-bin/clipmail/clipmail.cgi': '#!/usr/local/bin/perl\n\n#| CLIP MAIL : clipmail.cgi - 2013/4/7\n#| copyright (c) KentWeb\n',
    'cgi-bin/formmail.cgi': "#!/usr/bin/perl\n##############################################################################\n# FormMail                        Version 1.92                               #\n# Copyright 1995-2002 Matt Wright mattw@scriptarchive.com                    #\n# Created 06/09/95                Last Modified 04/21/02                     #\n# Matt's Script Archive, Inc.:    http://www.scriptarchive.com/              #\n##############################################################################\n",
    'nms/FormMail.pl': '#!/usr/bin/perl -wT\n#\n# NMS FormMail Version 3.14m1\n#\n',
  });
  assert.deepEqual(r.components, [
    { name: 'formmail', version: '1.92', location: r.at('cgi-bin') },
    { name: 'kent-clipmail', version: '2013.04.07', location: r.at('cgi-bin/clipmail') },
    { name: 'kent-postmail', version: '2022.03.19', location: r.at('cgi-bin/postmail') },
    { name: 'mailform-pro', version: '4.2.5', location: r.at('contact/mailformpro') },
  ]);
});

test('libraries from composer.lock, vendor/composer/installed.json (v1 and v2) and package-lock.json (v1 and v3)', async () => {
  const r = await detect({
    'app/composer.lock': JSON.stringify({ _readme: ['This file locks the dependencies'], 'content-hash': 'x', packages: [{ name: 'monolog/monolog', version: '1.23.0' }, { name: 'symfony/http-foundation', version: 'v3.4.47' }], 'packages-dev': [{ name: 'phpunit/phpunit', version: '6.5.14' }] }),
    'app/vendor/composer/installed.json': JSON.stringify({ packages: [{ name: 'guzzlehttp/guzzle', version: '6.5.5', version_normalized: '6.5.5.0' }], dev: true, 'dev-package-names': [] }),
    'old/vendor/composer/installed.json': JSON.stringify([{ name: 'phpmailer/phpmailer', version: 'v5.2.21' }]),
    'old/vendor/phpmailer/phpmailer/composer.lock': '{}',
    'js/package-lock.json': JSON.stringify({ name: 'site', lockfileVersion: 3, packages: { '': { name: 'site' }, 'node_modules/jquery': { version: '1.12.4' }, 'node_modules/a/node_modules/lodash': { version: '4.17.4' } } }),
    'js1/package-lock.json': JSON.stringify({ name: 'site', lockfileVersion: 1, dependencies: { jquery: { version: '3.3.1' }, bootstrap: { version: '3.3.7', dependencies: { popper: { version: '1.0.0' } } } } }),
    'js1/node_modules/x/package-lock.json': JSON.stringify({ lockfileVersion: 1, dependencies: { inner: { version: '0.0.1' } } }),
    'bad/composer.lock': '{not json',
  });
  const pk = r.packages.map((p) => `${p.ecosystem} ${p.name}@${p.version} ${p.location!.slice(r.root.length + 1)}`);
  assert.deepEqual(pk, [
    'composer monolog/monolog@1.23.0 app/composer.lock',
    'composer symfony/http-foundation@3.4.47 app/composer.lock',
    'composer guzzlehttp/guzzle@6.5.5 app/vendor/composer/installed.json',
    'composer phpmailer/phpmailer@5.2.21 old/vendor/composer/installed.json',
    'npm jquery@1.12.4 js/package-lock.json',
    'npm lodash@4.17.4 js/package-lock.json',
    'npm bootstrap@3.3.7 js1/package-lock.json',
    'npm jquery@3.3.1 js1/package-lock.json',
    'npm popper@1.0.0 js1/package-lock.json',
  ]);
  assert.ok(r.gaps.some((g) => g.what.endsWith('bad/composer.lock') && /not JSON/.test(g.why)));
});

test('walk caps, symlink loops and non-UTF-8 names', async () => {
  const { symlinkSync, writeFileSync } = await import('node:fs');
  const root = makeTree({ 'a/b/c/d/e/f/deep.txt': 'x', 'top.txt': 'y' });
  made.push(root);
  symlinkSync(root, `${root}/a/loop`);
  writeFileSync(Buffer.concat([Buffer.from(`${root}/`), Buffer.from([0x93, 0xfa, 0x96, 0x7b]), Buffer.from('.csv')]), 'x');
  const w = await t.walk(root, { maxDepth: 24, maxEntries: 1000 });
  const names = w.entries.map((e) => e.rel.toString('latin1'));
  assert.ok(names.includes('a/loop') && w.entries.find((e) => e.rel.toString() === 'a/loop')!.type === 'l', 'symlink listed, not followed');
  assert.ok(!names.some((n) => n.startsWith('a/loop/')));
  assert.ok(w.entries.some((e) => e.rel.equals(Buffer.concat([Buffer.from([0x93, 0xfa, 0x96, 0x7b]), Buffer.from('.csv')]))), 'non-UTF-8 name kept byte for byte');
  const capped = await t.walk(root, { maxDepth: 3, maxEntries: 1000 });
  assert.ok(!capped.entries.some((e) => e.rel.toString().split('/').length > 3));
  const few = await t.walk(root, { maxDepth: 24, maxEntries: 2 });
  assert.equal(few.entries.length, 2);
  assert.equal(few.truncated, true);
});

test('a document root the allowlist refuses (`..`) or that does not exist is a gap, not a crash', async () => {
  const gaps: Gap[] = [];
  const r = await collectDocroots(t, [{ path: '/var/www/../../etc', from: 'test' }, { path: '/nonexistent/mamori-docroot', from: 'test' }], [], undefined, DEFAULT_DOCROOT_LIMITS, gaps);
  assert.deepEqual(r.docroots, []);
  assert.equal(gaps.length, 2);
  assert.match(gaps.map((g) => g.why).join('\n'), /refused value for \{path\}/);
  assert.match(gaps.map((g) => g.why).join('\n'), /No such file/);
});
