/**
 * A site scan stays on the origins it was given (issue 13 item 3), through the built CLI: the start URL
 * redirecting to another host, a sitemap that robots.txt names on another host, and crawl links that redirect
 * off-host. Two other servers, on 127.0.0.2 and on [::1], count every connection and request: they must see
 * none. What was not followed is listed as a gap ("redirects to X: not in scope; scan it explicitly"), and the
 * given origin is still probed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCli } from '../helpers/cli.js';
import { freePort } from './servers.js';
import { SiteScope } from '../../src/probe/scope.js';

const built = existsSync(new URL('../../dist/cli/main.js', import.meta.url)) ? false : 'dist/ missing: run npm run build first';

interface Counted {
  server: Server;
  port: number;
  connections: number;
  requests: string[];
}

async function listen(host: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Counted> {
  const c: Counted = { server: createServer((req, res) => (c.requests.push(req.url ?? ''), handler(req, res))), port: 0, connections: 0, requests: [] };
  c.server.on('connection', () => c.connections++);
  await new Promise<void>((r) => c.server.listen(0, host, () => r()));
  c.port = (c.server.address() as AddressInfo).port;
  return c;
}

async function close(c: Counted | undefined): Promise<void> {
  if (!c) return;
  c.server.closeAllConnections();
  await new Promise<void>((r) => c.server.close(() => r()));
}

interface Report {
  gaps: { what: string; why: string; code?: string }[];
  findings: { source?: string }[];
}

describe('scan site: the scope is the given origin and its http/https pair', { skip: built }, () => {
  let other: Counted; // 127.0.0.2: where redirects point
  let v6: Counted; // [::1]: where robots.txt's sitemap points
  let movedAway: Counted; // the target whose start page redirects to 127.0.0.2
  let linking: Counted; // the target whose pages link to a redirect off-host
  let closed = 0;
  let home = '';
  const html = { 'content-type': 'text/html; charset=utf-8', server: 'Apache/2.4.6 (CentOS)' };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'mamori-scope-'));
    closed = await freePort();
    const everything = (req: IncomingMessage, res: ServerResponse) => res.writeHead(200, html).end('<html><body><a href="/next">next</a><form method="post" action="/entry.php"><input name="name"><input name="tel"><input name="email"></form></body></html>');
    other = await listen('127.0.0.2', everything);
    v6 = await listen('::1', (req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end(`<urlset><url><loc>http://[::1]:${v6.port}/secret/</loc></url></urlset>`));
    const robots = () => `User-agent: *\nDisallow: /admin/\nSitemap: http://[::1]:${v6.port}/sitemap.xml\nSitemap: http://127.0.0.2:${other.port}/sitemap.xml\n`;
    movedAway = await listen('127.0.0.1', (req, res) => {
      if (req.url === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(robots());
      if (req.url === '/') return void res.writeHead(301, { ...html, location: `http://127.0.0.2:${other.port}/` }).end('<html><body>moved</body></html>');
      if (req.url === '/.env') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('DB_HOST=localhost\nDB_PASSWORD=hunter2hunter2\nAPP_KEY=base64:abcdefghijklmnopqrstuvwxyz012345\n');
      res.writeHead(404, html).end('<html>not found</html>');
    });
    linking = await listen('127.0.0.1', (req, res) => {
      if (req.url === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(robots());
      if (req.url === '/') return void res.writeHead(200, html).end(`<html><body><a href="/go/shop">shop</a><a href="/about.html">about</a><a href="http://127.0.0.2:${other.port}/direct">partner</a></body></html>`);
      if (req.url === '/go/shop') return void res.writeHead(302, { ...html, location: `http://127.0.0.2:${other.port}/landing` }).end('');
      if (req.url === '/about.html') return void res.writeHead(302, { ...html, location: `http://[::1]:${v6.port}/about.html` }).end('');
      res.writeHead(404, html).end('<html>not found</html>');
    });
  });
  after(async () => {
    await Promise.all([close(other), close(v6), close(movedAway), close(linking)]);
    rmSync(home, { recursive: true, force: true });
  });

  const scan = async (port: number) => {
    const r = await runCli(['scan', 'site', `http://127.0.0.1:${port}/`, '--https-port', String(closed), '--format', 'json', '--no-tls', '--budget', '800', '--rate', '1000'], { env: { MAMORI_HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Report;
  };

  it('the start URL redirecting to another host: nothing is sent there; a gap names it; the given origin is still probed', async () => {
    const doc = await scan(movedAway.port);
    assert.equal(other.connections, 0, `127.0.0.2 received ${other.requests.length} request(s): ${other.requests.slice(0, 5).join(' ')}`);
    assert.equal(v6.connections, 0, `[::1] received ${v6.requests.length} request(s): ${v6.requests.slice(0, 5).join(' ')}`);
    const redirect = doc.gaps.find((g) => g.code === 'site.gap.scope' && g.what.startsWith(`http://127.0.0.2:${other.port}`));
    assert.ok(redirect, JSON.stringify(doc.gaps));
    assert.match(redirect.why, new RegExp(`http://127\\.0\\.0\\.1:${movedAway.port}/ redirects to http://127\\.0\\.0\\.2:${other.port}: not in scope; scan it explicitly`));
    const sitemap = doc.gaps.find((g) => g.code === 'site.gap.scope' && g.what.startsWith(`http://[::1]:${v6.port}`));
    assert.ok(sitemap, 'the sitemap on [::1] is a gap');
    assert.match(sitemap.why, /robots\.txt names a sitemap on .*not in scope/);
    assert.ok(movedAway.requests.includes('/.env'), `exposure probes ran on the given origin: ${movedAway.requests.join(' ')} ${JSON.stringify(doc.gaps)}`);
    assert.ok(doc.findings.some((f) => f.source === 'exposure.env'), 'and found what it exposes');
  });

  it('crawl links that redirect off-host, and off-host links: not followed, named as gaps; no request to 127.0.0.2 or [::1]', async () => {
    const doc = await scan(linking.port);
    assert.equal(other.connections, 0, `127.0.0.2 received: ${other.requests.join(' ')}`);
    assert.equal(v6.connections, 0, `[::1] received: ${v6.requests.join(' ')}`);
    assert.ok(linking.requests.includes('/go/shop') && linking.requests.includes('/about.html'), 'the links on the given origin were crawled');
    const whys = doc.gaps.filter((g) => g.code === 'site.gap.scope').map((g) => g.why);
    assert.ok(whys.some((w) => w.includes(`/go/shop redirects to http://127.0.0.2:${other.port}: not in scope`)), whys.join('\n'));
    assert.ok(whys.some((w) => w.includes(`/about.html redirects to http://[::1]:${v6.port}: not in scope`)), whys.join('\n'));
  });
});

describe('SiteScope', () => {
  it('holds the given origin and its http/https pair on the same host, nothing else', () => {
    const s = new SiteScope(new URL('http://shop.example.jp/index.php'), { http: 80, https: 443 });
    for (const ok of ['http://shop.example.jp/x', 'https://shop.example.jp/y', 'HTTP://SHOP.EXAMPLE.JP:80/']) assert.ok(s.allows(ok), ok);
    for (const no of ['http://www.shop.example.jp/', 'https://shop.example.jp:8443/', 'http://shop.example.jp:8080/', 'ftp://shop.example.jp/', 'http://127.0.0.2/', 'not a url']) assert.ok(!s.allows(no), no);
    // a counterpart port that is not known: the same host on that scheme, any port (the site's own redirect says which)
    const odd = new SiteScope(new URL('http://127.0.0.1:8080/'), { http: 8080 });
    assert.ok(odd.allows('https://127.0.0.1:8443/'));
    assert.ok(!odd.allows('http://127.0.0.1:8081/'));
    assert.ok(!odd.allows('https://[::1]:8443/'));
    const v6 = new SiteScope(new URL('https://[::1]:8443/'), { https: 8443, http: 8080 });
    assert.ok(v6.allows('http://[::1]:8080/a') && !v6.allows('http://[::1]/'));
    s.refuse('http://www.shop.example.jp/a', 'http://shop.example.jp/', 'redirect');
    s.refuse('http://www.shop.example.jp/b', 'http://shop.example.jp/c', 'redirect');
    assert.deepEqual(s.refused, [{ target: 'http://www.shop.example.jp', url: 'http://www.shop.example.jp/a', from: 'http://shop.example.jp/', kind: 'redirect', count: 2 }]);
  });
});
