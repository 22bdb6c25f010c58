/**
 * Document roots a configuration names must stay inside what it names (issue 13, item 6): nginx joins a
 * location's URI to its root, so `location /../../x { root /var/www; }` would resolve to /x. The walk takes
 * the path after resolving and only when it is still under that root.
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

test('nginx location URIs with .. do not move the walk outside the location root', async () => {
  const tree = makeTree({
    'commands/nginxV.err': 'nginx version: nginx/1.20.1\nconfigure arguments: --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf\n',
    'files/etc/nginx/nginx.conf': NGINX_CONF,
    'files/var/www/html/index.html': '<html></html>\n',
    'files/srv/static/app.css': 'body{}\n',
    'files/x/customers.csv': customersCsv(20),
  });
  dirs.push(tree);
  const pii = await loadPii();
  const r = await collectHost(new FixtureTransport(tree), { docroots: [], pii: pii.ok ? pii.mod : undefined });
  assert.deepEqual((r.inventory.docroots ?? []).map((d) => d.path).sort(), ['/srv/static', '/var/www/html']);
  assert.deepEqual(r.findings.filter((f) => f.location?.startsWith('/x/')), [], 'nothing outside the roots is read');
  const site = r.web.configs.find((c) => c.server === 'nginx')!.sites[0]!;
  assert.deepEqual(site.aliases, [{ url: '/static/', path: '/srv/static/' }], 'regex locations are not paths either');
  assert.ok(r.gaps.some((g) => /location \/\.\.\/\.\.\/x with root \/var\/www resolves to \/x, outside that root/.test(g.why)), r.gaps.map((g) => g.why).join('\n'));
});
