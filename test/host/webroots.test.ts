/**
 * Document roots from web server configuration: they must stay inside what the configuration names (issue
 * 13, item 6: nginx joins a location's URI to its root, so `location /../../x { root /var/www; }` would
 * resolve to /x; the walk takes the path after resolving and only when it is still under that root), and
 * they are found when the scanning user may not run the web server's binary (item 2).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { collectHost } from '../../src/collect/host/index.js';
import { loadPii } from '../../src/collect/host/pii-bridge.js';
import { customersCsv, makeTree } from './docroot-tree.js';
import { FixtureTransport } from './fixture-transport.js';

const NGINX_CONF = `user nginx;
worker_processes 1;
events { worker_connections 1024; }
http {
    server {
        listen 80;
        server_name shop.example.jp;
        root /var/www/html;
        location /../../x { root /var/www; }
        location /static/ { root /srv; }
        location ~ \\.php$ { root /var/www; }
    }
}
`;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A host scan of a target laid out as `commands/<id>.txt|.err|.exit` and `files/<abs path>`, with the personal-data detector. */
async function scanTree(files: Record<string, string | Buffer>) {
  const tree = makeTree(files);
  dirs.push(tree);
  const pii = await loadPii();
  return { r: await collectHost(new FixtureTransport(tree), { docroots: [], pii: pii.ok ? pii.mod : undefined }), pii: pii.ok };
}

test('nginx location URIs with .. do not move the walk outside the location root', async () => {
  const { r } = await scanTree({
    'commands/nginxV.err': 'nginx version: nginx/1.20.1\nconfigure arguments: --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf\n',
    'files/etc/nginx/nginx.conf': NGINX_CONF,
    'files/var/www/html/index.html': '<html></html>\n',
    'files/srv/static/app.css': 'body{}\n',
    'files/x/customers.csv': customersCsv(20),
  });
  assert.deepEqual((r.inventory.docroots ?? []).map((d) => d.path).sort(), ['/srv/static', '/var/www/html']);
  assert.deepEqual(r.findings.filter((f) => f.location?.startsWith('/x/')), [], 'nothing outside the roots is read');
  const site = r.web.configs.find((c) => c.server === 'nginx')!.sites[0]!;
  assert.deepEqual(site.aliases, [{ url: '/static/', path: '/srv/static/' }], 'regex locations are not paths either');
  assert.ok(r.gaps.some((g) => /location \/\.\.\/\.\.\/x with root \/var\/www resolves to \/x, outside that root/.test(g.why)), r.gaps.map((g) => g.why).join('\n'));
});

const RPM = (rows: [string, string, string][]) => rows.map(([n, v, r]) => `${n}\t(none)\t${v}\t${r}\tx86_64\tCentOS\t${n}-${v}-${r}.src.rpm\n`).join('');

test('CentOS 7 where httpd -V is denied: configuration from /etc/httpd with conf.modules.d and conf.d, versions from the packages', async () => {
  const { r, pii } = await scanTree({
    'commands/id.txt': '1000\n',
    'commands/httpdV.err': 'sh: /usr/sbin/httpd: Permission denied\n',
    'commands/httpdV.exit': '126',
    'commands/rpmQuery.txt': RPM([['httpd', '2.4.6', '99.el7.centos.1'], ['php', '5.4.16', '48.el7'], ['php-cli', '5.4.16', '48.el7'], ['openssl', '1.0.2k', '26.el7_9'], ['centos-release', '7', '9.2009.1.el7.centos']]),
    'files/etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n',
    'files/etc/httpd/conf/httpd.conf': 'ServerRoot "/etc/httpd"\nListen 80\nInclude conf.modules.d/*.conf\nUser apache\nDocumentRoot "/var/www/html"\n<Directory "/var/www/html">\n    AllowOverride None\n    Require all granted\n</Directory>\nIncludeOptional conf.d/*.conf\n',
    'files/etc/httpd/conf.modules.d/00-base.conf': 'LoadModule alias_module modules/mod_alias.so\n',
    'files/etc/httpd/conf.d/shop.conf': '<VirtualHost *:80>\n    ServerName shop.example.jp\n    DocumentRoot /var/www/shop\n    Alias /old /home/shop/old_site\n</VirtualHost>\n',
    'files/var/www/html/index.html': '<html></html>\n',
    'files/var/www/shop/order.csv': customersCsv(15),
    'files/home/shop/old_site/index.html': '<html></html>\n',
  });
  const apache = r.web.configs.filter((c) => c.server === 'apache-httpd');
  assert.deepEqual(apache.map((c) => c.files), [['/etc/httpd/conf/httpd.conf', '/etc/httpd/conf.modules.d/00-base.conf', '/etc/httpd/conf.d/shop.conf']]);
  assert.deepEqual((r.inventory.docroots ?? []).map((d) => d.path).sort(), ['/home/shop/old_site', '/var/www/html', '/var/www/shop']);
  const comp = (n: string) => r.inventory.components.filter((c) => c.name === n).map((c) => [c.version, c.detectedBy, c.distroBuild]);
  assert.deepEqual(comp('apache-httpd'), [['2.4.6', 'package:httpd', true]]);
  assert.deepEqual(comp('php'), [['5.4.16', 'package:php', true]]);
  assert.deepEqual(comp('openssl'), [['1.0.2k', 'package:openssl', true]]);
  if (pii) assert.deepEqual(r.findings.filter((f) => f.category === 'personal-data-exposure').map((f) => [f.location, f.evidence?.served]), [['/var/www/shop/order.csv', true]]);
});

test('a configuration found with no binary and no package: its document root is walked, the version is an unknown said as a gap', async () => {
  const { r } = await scanTree({
    'files/etc/lighttpd/lighttpd.conf': 'server.document-root = "/srv/www"\nserver.port = 8080\n',
    'files/srv/www/index.html': '<html></html>\n',
  });
  assert.deepEqual((r.inventory.docroots ?? []).map((d) => d.path), ['/srv/www']);
  assert.deepEqual(r.inventory.components.map((c) => [c.name, c.version ?? null, c.detectedBy]), [['lighttpd', null, 'config:/etc/lighttpd/lighttpd.conf']]);
  assert.ok(r.gaps.some((g) => g.code === 'host.gap.webVersion' && /lighttpd\.conf/.test(g.why)));
});

test('nginx built from source under /usr/local/nginx, found by its prefix: -V, relative roots resolved against --prefix', async () => {
  const { r, pii } = await scanTree({
    'commands/findPrefixBins.txt': '0\t/usr/local/nginx/sbin\n0\t/usr/local/nginx/sbin/nginx\n',
    'commands/findPrefixBins.err': "find: '/usr/local/apache2/bin': No such file or directory\n",
    'commands/findPrefixBins.exit': '1',
    'commands/webBinV.err': 'nginx version: nginx/1.0.15\nbuilt by gcc 4.4.7 20120313 (Red Hat 4.4.7-17) (GCC)\nTLS SNI support enabled\nconfigure arguments: --prefix=/usr/local/nginx --with-http_ssl_module\n',
    // The nginx.conf `make install` writes, trimmed.
    'files/usr/local/nginx/conf/nginx.conf': 'worker_processes  1;\nevents {\n    worker_connections  1024;\n}\nhttp {\n    include       mime.types;\n    default_type  application/octet-stream;\n    server {\n        listen       80;\n        server_name  localhost;\n        location / {\n            root   html;\n            index  index.html index.htm;\n        }\n        error_page   500 502 503 504  /50x.html;\n        location = /50x.html {\n            root   html;\n        }\n    }\n}\n',
    'files/usr/local/nginx/conf/mime.types': 'types {\n    text/html html;\n}\n',
    'files/usr/local/nginx/html/index.html': '<html></html>\n',
    'files/usr/local/nginx/html/backup/members.csv': customersCsv(10),
  });
  assert.deepEqual(r.inventory.components.filter((c) => c.name === 'nginx').map((c) => [c.version, c.detectedBy, c.location]), [['1.0.15', 'command:/usr/local/nginx/sbin/nginx -V', '/usr/local/nginx/sbin/nginx']]);
  assert.deepEqual(r.web.configs.map((c) => c.files), [['/usr/local/nginx/conf/nginx.conf', '/usr/local/nginx/conf/mime.types']]);
  assert.deepEqual((r.inventory.docroots ?? []).map((d) => d.path), ['/usr/local/nginx/html']);
  if (pii) assert.deepEqual(r.findings.filter((f) => f.category === 'personal-data-exposure').map((f) => f.location), ['/usr/local/nginx/html/backup/members.csv']);
});

test('lighttpd as CentOS ships it: variables, includes, a host condition and alias.url', async () => {
  const { r } = await scanTree({
    'commands/lighttpdV.txt': 'lighttpd/1.4.54 (ssl) - a light and fast webserver\n',
    'files/etc/lighttpd/lighttpd.conf': [
      '#######################################################################',
      '## Some Variable definition which will make chrooting easier.',
      'var.log_root    = "/var/log/lighttpd"',
      'var.server_root = "/var/www"',
      'var.conf_dir    = "/etc/lighttpd"',
      'include "modules.conf"',
      'server.port = 80',
      'server.document-root = server_root + "/lighttpd"',
      'include conf_dir + "/conf.d/*.conf"',
      'include_shell "cat /etc/lighttpd/vhosts.d/*.conf"',
      '$HTTP["host"] == "shop.example.jp" {',
      '  server.document-root = "/home/shop/www"',
      '}',
      'alias.url += ( "/files" => "/srv/files",',
      '               "/logs"  => var.log_root )',
      '',
    ].join('\n'),
    'files/etc/lighttpd/modules.conf': 'server.modules = (\n  "mod_access",\n  "mod_alias",\n)\n',
    'files/etc/lighttpd/conf.d/mime.conf': 'mimetype.assign = ( ".html" => "text/html" )\n',
    'files/var/www/lighttpd/index.html': '<html></html>\n',
    'files/home/shop/www/index.html': '<html></html>\n',
    'files/srv/files/a.txt': 'a\n',
  });
  const c = r.web.configs.find((x) => x.server === 'lighttpd')!;
  assert.deepEqual(c.files, ['/etc/lighttpd/lighttpd.conf', '/etc/lighttpd/modules.conf', '/etc/lighttpd/conf.d/mime.conf']);
  assert.deepEqual(c.sites.map((s) => s.root), ['/var/www/lighttpd', '/home/shop/www']);
  assert.deepEqual(c.sites[0]!.aliases, [{ url: '/files', path: '/srv/files' }, { url: '/logs', path: '/var/log/lighttpd' }]);
  assert.deepEqual((r.inventory.docroots ?? []).map((d) => d.path).sort(), ['/home/shop/www', '/srv/files', '/var/www/lighttpd']);
  assert.deepEqual(r.inventory.components.filter((x) => x.name === 'lighttpd').map((x) => x.version), ['1.4.54']);
  assert.ok(r.gaps.some((g) => /include_shell .*not run/.test(g.why)), 'what include_shell would add is said to be unchecked');
});
