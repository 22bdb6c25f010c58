/**
 * An old CentOS 6 shop server as a directory tree, built with real tools: a real rpm database (packages built
 * by `rpmbuild` under CentOS 6 names, versions and vendor, installed with `rpm --justdb`), /etc/centos-release
 * and no os-release, Apache built from source under /usr/local/apache2 whose binary the scanning user may not
 * run, an EC-CUBE 2 cart, a KENT-WEB mail-form CGI and a Shift_JIS customer export in its document root, a
 * UserDir site, and a second source-built Apache under /opt that only the process list reveals.
 *
 * The scan reaches it over a real sshd whose forced command enters a private mount namespace (its own /proc
 * and /dev/null), chroots into the tree and drops to uid 65534: the scanning user is not root. The tools the
 * scan runs are this machine's binaries with their shared libraries (sh, env, id, uname, head, find, rpm, ps,
 * netstat); `ss`, `yum`, `httpd`, `php`, `openssl` are absent, as on many old servers.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import iconv from 'iconv-lite';
import { customersCsv } from './docroot-tree.js';

/** CentOS 6.10 packages as `rpm -qa` shows them on such a server (name, version, release). */
export const CENTOS6_PACKAGES: readonly [string, string, string][] = [
  ['centos-release', '6', '10.el6.centos.12.3'],
  ['bash', '4.1.2', '48.el6'],
  ['httpd', '2.2.15', '69.el6.centos'],
  ['php', '5.3.3', '50.el6_10'],
  ['php-cli', '5.3.3', '50.el6_10'],
  ['php-common', '5.3.3', '50.el6_10'],
  ['openssl', '1.0.1e', '58.el6_10'],
  ['mysql', '5.1.73', '8.el6_8'],
  ['mysql-server', '5.1.73', '8.el6_8'],
  ['kernel', '2.6.32', '754.35.1.el6'],
];

const TOOLS = ['/bin/sh', '/usr/bin/env', '/usr/bin/id', '/usr/bin/uname', '/usr/bin/head', '/usr/bin/find', '/usr/bin/rpm', '/usr/bin/ps', '/usr/bin/netstat'];

export const centosRootMissing = (): string | undefined => {
  if (process.getuid?.() !== 0) return 'needs root (chroot, mount namespace)';
  for (const b of ['/usr/bin/rpmbuild', '/usr/bin/unshare', '/usr/sbin/chroot', '/usr/bin/ldd', '/usr/bin/perl', ...TOOLS]) if (!existsSync(b)) return `${b} not installed`;
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' });
  } catch (err) {
    return `cannot create a mount namespace here (unshare --mount: ${(err as Error).message.split('\n')[0]})`;
  }
  return undefined;
};

export interface CentosRoot {
  dir: string;
  root: string;
  /** The forced command's last line for startSshd: namespace, chroot, uid 65534. */
  sshExec: string;
  docroot: string;
  userDir: string;
  /** The second Apache, found only through the process list. */
  hiddenDocroot: string;
  hiddenBin: string;
  hiddenArgs: string;
}

const AP_RELEASE_H = `#ifndef AP_RELEASE_H
#define AP_RELEASE_H

#include "apr_general.h" /* stringify */

#define AP_SERVER_COPYRIGHT \\
  "Copyright 2015 The Apache Software Foundation."

#define AP_SERVER_BASEVENDOR "Apache Software Foundation"
#define AP_SERVER_BASEPROJECT "Apache HTTP Server"
#define AP_SERVER_BASEPRODUCT "Apache"

#define AP_SERVER_MAJORVERSION_NUMBER 2
#define AP_SERVER_MINORVERSION_NUMBER 2
#define AP_SERVER_PATCHLEVEL_NUMBER   31
#define AP_SERVER_DEVBUILD_BOOLEAN    0

#endif
`;

const HTTPD_CONF = `#
# This is the main Apache HTTP server configuration file.
#
ServerRoot "/usr/local/apache2"
Listen 80

LoadModule authz_host_module modules/mod_authz_host.so
LoadModule userdir_module modules/mod_userdir.so
LoadModule cgi_module modules/mod_cgi.so
LoadModule php5_module        modules/libphp5.so

<IfModule !mpm_netware_module>
User daemon
Group daemon
</IfModule>

ServerAdmin webmaster@example.jp
DocumentRoot "/usr/local/apache2/htdocs"

<Directory />
    Options FollowSymLinks
    AllowOverride None
    Order deny,allow
    Deny from all
</Directory>

<Directory "/usr/local/apache2/htdocs">
    Options Indexes FollowSymLinks
    AllowOverride None
    Order allow,deny
    Allow from all
</Directory>

<FilesMatch "^\\.ht">
    Order allow,deny
    Deny from all
</FilesMatch>

ErrorLog "logs/error_log"
AddType application/x-httpd-php .php
AddHandler cgi-script .cgi

# Virtual hosts
Include conf/extra/httpd-vhosts.conf

# User home directories
Include conf/extra/httpd-userdir.conf
`;

const VHOSTS_CONF = `NameVirtualHost *:80

<VirtualHost *:80>
    ServerAdmin webmaster@shop.example.jp
    DocumentRoot "/var/www/shop"
    ServerName shop.example.jp
    ServerAlias www.shop.example.jp
    ErrorLog "logs/shop-error_log"
    <Directory "/var/www/shop">
        Options ExecCGI FollowSymLinks
        AllowOverride All
        Order allow,deny
        Allow from all
    </Directory>
</VirtualHost>
`;

const USERDIR_CONF = `UserDir public_html

<Directory "/home/*/public_html">
    AllowOverride FileInfo AuthConfig Limit Indexes
    Options MultiViews Indexes SymLinksIfOwnerMatch IncludesNoExec
    Order allow,deny
    Allow from all
</Directory>
`;

const SC_INITIAL = `<?php
/*
 * This file is part of EC-CUBE
 *
 * Copyright(c) 2000-2011 LOCKON CO.,LTD. All Rights Reserved.
 */
class SC_Initial {
    function SC_Initial() {
        /** EC-CUBEのバージョン */
        define('ECCUBE_VERSION', '2.11.5');
    }
}
`;

function write(root: string, rel: string, body: string | Buffer, mode = 0o644): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, body);
  chmodSync(p, mode);
}

/** Copy a binary and the shared libraries `ldd` names to the same paths under the root. */
function copyWithLibs(root: string, bin: string): void {
  const real = realpathSync(bin);
  mkdirSync(join(root, dirname(bin)), { recursive: true });
  copyFileSync(real, join(root, bin));
  chmodSync(join(root, bin), 0o755);
  const libs = execFileSync('ldd', [real], { encoding: 'utf8' }).match(/\/\S+/g) ?? [];
  for (const lib of libs) {
    const to = join(root, lib);
    if (existsSync(to)) continue;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(realpathSync(lib), to);
  }
}

function rpmDatabase(dir: string, root: string): void {
  const top = join(dir, 'rpmbuild');
  const specs = join(dir, 'specs');
  mkdirSync(specs, { recursive: true });
  for (const [name, version, release] of CENTOS6_PACKAGES) {
    const spec = join(specs, `${name}.spec`);
    writeFileSync(spec, `Name: ${name}\nVersion: ${version}\nRelease: ${release}\nSummary: ${name} (look-alike, empty payload)\nLicense: GPL\nVendor: CentOS\nPackager: CentOS BuildSystem <http://bugs.centos.org>\n%description\nA package named as CentOS 6 names it.\n%files\n`);
    execFileSync('rpmbuild', ['-bb', '--quiet', '--target', 'x86_64', '--define', `_topdir ${top}`, '--define', `_rpmdir ${join(dir, 'rpms')}`, '--define', 'debug_package %{nil}', '--define', '_build_id_links none', spec], { stdio: 'pipe' });
  }
  const rpms = readdirSync(join(dir, 'rpms', 'x86_64')).map((f) => join(dir, 'rpms', 'x86_64', f));
  mkdirSync(join(root, 'var/lib/rpm'), { recursive: true });
  execFileSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-i', '--justdb', '--nodeps', '--noscripts', '--ignorearch', '--ignoreos', ...rpms], { stdio: 'pipe' });
}

export function buildCentosRoot(): CentosRoot {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-centos6-'));
  chmodSync(dir, 0o755);
  const root = join(dir, 'root');
  mkdirSync(root);
  chmodSync(root, 0o755);
  for (const d of ['proc', 'dev', 'tmp', 'etc/rpm', 'usr/lib/rpm', 'var/log']) mkdirSync(join(root, d), { recursive: true });
  write(root, 'dev/null', '');
  for (const b of TOOLS) copyWithLibs(root, b);
  for (const f of ['rpmrc', 'macros']) copyFileSync(join('/usr/lib/rpm', f), join(root, 'usr/lib/rpm', f));
  write(root, 'etc/rpm/macros', '%_dbpath /var/lib/rpm\n');
  rpmDatabase(dir, root);
  // CentOS 6: centos-release (redhat-release is the same text), no os-release.
  write(root, 'etc/centos-release', 'CentOS release 6.10 (Final)\n');
  write(root, 'etc/redhat-release', 'CentOS release 6.10 (Final)\n');
  write(root, 'etc/passwd', ['root:x:0:0:root:/root:/bin/bash', 'daemon:x:2:2:daemon:/sbin:/sbin/nologin', 'apache:x:48:48:Apache:/var/www:/sbin/nologin', 'nobody:x:99:99:Nobody:/:/sbin/nologin', 'tanaka:x:500:500::/home/tanaka:/bin/bash', 'scan:x:65534:65534::/tmp:/bin/sh', ''].join('\n'));
  // CentOS 6's php.ini as shipped (the php package's mod_php reads it): expose_php on, display_errors off.
  write(root, 'etc/php.ini', '[PHP]\nengine = On\nshort_open_tag = Off\n; Decides whether PHP may expose the fact that it is installed on the server\nexpose_php = On\nmax_execution_time = 30\nerror_reporting = E_ALL & ~E_DEPRECATED\ndisplay_errors = Off\n');
  // Apache 2.2.31 built from source: bin/httpd only root may run; the installed headers carry its version.
  write(root, 'usr/local/apache2/bin/httpd', '\x7fELF (stand-in: not runnable by the scanning user)\n', 0o700);
  write(root, 'usr/local/apache2/bin/apachectl', '#!/bin/sh\n', 0o700);
  write(root, 'usr/local/apache2/include/ap_release.h', AP_RELEASE_H);
  write(root, 'usr/local/apache2/conf/httpd.conf', HTTPD_CONF);
  write(root, 'usr/local/apache2/conf/extra/httpd-vhosts.conf', VHOSTS_CONF);
  write(root, 'usr/local/apache2/conf/extra/httpd-userdir.conf', USERDIR_CONF);
  write(root, 'usr/local/apache2/htdocs/index.html', '<html><body><h1>It works!</h1></body></html>\n');
  // The shop: EC-CUBE 2.11.5 with its data directory inside the document root, a KENT-WEB postmail CGI, and
  // the customer export EC-CUBE 2 writes (Shift_JIS, CRLF).
  const docroot = '/var/www/shop';
  write(root, 'var/www/shop/html/index.php', "<?php\nrequire_once './require.php';\n");
  write(root, 'var/www/shop/html/require.php', "<?php\ndefine('HTML_REALDIR', rtrim(realpath(rtrim(realpath(dirname(__FILE__)), '/\\\\') . '/'), '/\\\\') . '/');\nrequire_once HTML_REALDIR . 'define.php';\n");
  write(root, 'var/www/shop/data/class/SC_Initial.php', SC_INITIAL);
  const box = iconv.encode('│', 'Shift_JIS');
  write(root, 'var/www/shop/cgi-bin/postmail/postmail.cgi', Buffer.concat([Buffer.from('#!/usr/bin/perl\n\n#'), box, Buffer.from(' POST-MAIL v5.6 (2019/03/02)\n#'), box, Buffer.from(' copyright (c) KentWeb, 1997-2019\n#'), box, Buffer.from(' http://www.kent-web.com/\n')]), 0o755);
  write(root, 'var/www/shop/data/upload/csv/customer_20130401.csv', iconv.encode(customersCsv(40), 'Shift_JIS'));
  // A UserDir site.
  chmodSync(join(root, 'tmp'), 0o1777);
  write(root, 'home/tanaka/public_html/index.html', '<html><body>tanaka</body></html>\n');
  write(root, 'home/tanaka/public_html/meibo.csv', customersCsv(12));
  chmodSync(join(root, 'home/tanaka'), 0o711);
  // A second shop under /opt, in no well-known place: only its running process names it.
  const hiddenBin = '/opt/shop2/apache/bin/httpd';
  write(root, hiddenBin.slice(1), '\x7fELF (stand-in)\n', 0o700);
  write(root, 'opt/shop2/apache/conf/shop2.conf', 'ServerRoot "/opt/shop2/apache"\nListen 8080\nDocumentRoot "/opt/shop2/htdocs"\n');
  write(root, 'opt/shop2/htdocs/order_export.csv', customersCsv(25));
  return {
    dir,
    root,
    docroot,
    userDir: '/home/tanaka/public_html',
    hiddenDocroot: '/opt/shop2/htdocs',
    hiddenBin,
    hiddenArgs: `${hiddenBin} -d /opt/shop2/apache -f conf/shop2.conf -k start`,
    sshExec: `exec unshare --mount --propagation private /bin/sh -c 'mount -t proc proc "$0/proc" && mount --bind /dev/null "$0/dev/null" && exec chroot --userspec=65534:65534 "$0" /bin/sh -c "$SSH_ORIGINAL_COMMAND"' '${root}'`,
  };
}
