/**
 * Node fixture servers for what nginx cannot show: hostile behaviour (endless body, gzip bomb, slow drip,
 * redirect loop, 100 KB of headers, connection resets) that must end within the caps; soft 404s that must not
 * produce exposure findings; old banners that must become distribution-build components.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { constants as zc, createGunzip, gzipSync } from 'node:zlib';
import { messages } from '../../src/core/messages/index.js';
import { decodeCapped, defaultHttpOptions, HttpClient, type HttpOptions } from '../../src/probe/http.js';
import { loadClassifier } from '../../src/probe/pii.js';
import { scanSite, type SiteScanResult } from '../../src/probe/site.js';
import { freePort } from './servers.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ port: number; server: Server; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const BOMB = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });

function endless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

function slow(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('.')), 100);
  res.on('close', () => clearInterval(t));
}

const hostile: Handler = (req, res) => {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/endless') return endless(res);
  if (path === '/bomb') {
    res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
    return void res.end(BOMB);
  }
  if (path === '/slow') return slow(res);
  if (path === '/loop-a') return void res.writeHead(302, { location: '/loop-b' }).end();
  if (path === '/loop-b') return void res.writeHead(302, { location: '/loop-a' }).end();
  const chain = /^\/chain\/(\d+)$/.exec(path);
  if (chain) return void res.writeHead(302, { location: `/chain/${Number(chain[1]) + 1}` }).end();
  if (path === '/headers') {
    for (let i = 0; i < 100; i++) res.setHeader(`x-pad-${i}`, 'p'.repeat(1000));
    return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }
  if (path === '/reset') return void req.socket.destroy();
  if (path === '/ok') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('fine');
  // Anything else: one of the hostile behaviours, chosen by the path (for the whole-scan test).
  const n = [...path].reduce((s, ch) => s + ch.charCodeAt(0), 0) % 5;
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
    return void res.end(BOMB);
  }
  if (n === 0) return endless(res);
  if (n === 1) return slow(res);
  if (n === 2) return void req.socket.destroy();
  if (n === 3) {
    for (let i = 0; i < 100; i++) res.setHeader(`x-pad-${i}`, 'p'.repeat(1000));
    return void res.writeHead(200).end();
  }
  res.writeHead(302, { location: path }).end();
};

const opts = (over: Partial<HttpOptions> = {}): HttpOptions => ({ ...defaultHttpOptions('mamori-test'), timeoutMs: 1500, maxBodyBytes: 256 * 1024, ratePerSec: 1000, ...over });

describe('careful HTTP client against a hostile server', () => {
  let h: Awaited<ReturnType<typeof serve>>;
  let client: HttpClient;
  before(async () => {
    h = await serve(hostile);
    client = new HttpClient(opts());
  });
  after(async () => {
    await client.close();
    await h.close();
  });
  const url = (p: string) => `http://127.0.0.1:${h.port}${p}`;

  it('stops an endless body at the byte cap', async () => {
    const r = await client.fetch(url('/endless'));
    assert.ok(r.ok);
    assert.equal(r.value.body.byteLength, 256 * 1024);
    assert.equal(r.value.truncated, true);
  });

  it('decompresses a gzip bomb only up to the cap', async () => {
    const r = await client.fetch(url('/bomb'), { identity: false });
    assert.ok(r.ok);
    assert.ok(r.value.body.byteLength <= 256 * 1024);
    assert.equal(r.value.truncated, true);
  });

  it('stops inflating a gzip bomb at the cap, not at the next raw chunk', async () => {
    // The whole 64 KB bomb arrives as one raw chunk: without stopping the decoder at the cap, that one write
    // goes on inflating towards 64 MB. Count every byte the decoder emits, also after decodeCapped returned.
    const decoder = createGunzip({ finishFlush: zc.Z_SYNC_FLUSH });
    let inflated = 0;
    decoder.on('data', (d: Buffer) => (inflated += d.length));
    async function* once(): AsyncIterable<Uint8Array> {
      yield BOMB;
      await new Promise((r) => setTimeout(r, 300)); // a slow server: the next raw chunk comes late
      yield Buffer.alloc(0);
    }
    const d = await decodeCapped(once(), decoder, 256 * 1024);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(d.truncated, true);
    assert.equal(d.body.byteLength, 256 * 1024);
    assert.ok(inflated < 4 * 1024 * 1024, `inflated ${inflated} bytes of the 64 MB bomb for a 256 KB cap`);
  });

  it('ends a slow drip at the time cap', async () => {
    const r = await client.fetch(url('/slow'));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.issue.code, 'http.timeout');
  });

  it('detects redirect loops and stops after 10 redirects', async () => {
    const loop = await client.fetch(url('/loop-a'));
    assert.equal(!loop.ok && loop.issue.code, 'http.redirectLoop');
    const sentBefore = client.stats.sent;
    const chain = await client.fetch(url('/chain/0'));
    assert.equal(!chain.ok && chain.issue.code, 'http.tooManyRedirects');
    assert.equal(client.stats.sent - sentBefore, 11);
  });

  it('refuses 100 KB of headers', async () => {
    const r = await client.fetch(url('/headers'));
    assert.equal(!r.ok && r.issue.code, 'http.headersTooLarge');
  });

  it('reports a connection reset as a value', async () => {
    const r = await client.fetch(url('/reset'));
    assert.equal(r.ok, false);
    assert.ok(!r.ok && ['http.reset', 'http.connect', 'http.protocol'].includes(r.issue.code), !r.ok ? r.issue.code : '');
  });

  it('sends identical requests once and honours the budget', async () => {
    const c = new HttpClient(opts({ budget: 2 }));
    try {
      const [a, b] = await Promise.all([c.fetch(url('/ok')), c.fetch(url('/ok'))]);
      assert.ok(a.ok && b.ok);
      assert.equal(c.stats.sent, 1);
      assert.ok((await c.fetch(url('/ok?x=1'))).ok);
      const over = await c.fetch(url('/ok?x=2'));
      assert.equal(!over.ok && over.issue.code, 'http.budget');
      assert.equal(c.stats.sent, 2);
    } finally {
      await c.close();
    }
  });

  it('a whole scan of a hostile site ends within its budget', async () => {
    const r = await scanSite({
      url: url('/'),
      http: opts({ budget: 40 }),
      maxPages: 5,
      now: new Date(),
      t: (code, p) => messages.t('en', code, p),
      skipTls: true,
    });
    assert.equal(r.fatal, undefined);
    assert.ok(r.stats.requests <= 40, String(r.stats.requests));
    assert.ok(r.gaps.some((g) => g.code === 'site.gap.budget'), 'the spent budget is a gap');
    assert.equal(r.findings.filter((f) => f.category === 'sensitive-file-exposure' || f.category === 'personal-data-exposure').length, 0);
  });
});

describe('soft 404s and old banners', () => {
  const servers: Awaited<ReturnType<typeof serve>>[] = [];
  let dumpEverywhere: SiteScanResult;
  let htmlEverywhere: SiteScanResult;
  let banners: SiteScanResult;
  const scan = async (port: number, httpsPort?: number) => {
    const cl = await loadClassifier();
    return scanSite({ url: `http://127.0.0.1:${port}/`, http: opts(), maxPages: 10, httpsPort, now: new Date(), t: (c, p) => messages.t('en', c, p), classifier: cl.ok ? cl.value : undefined, skipTls: true });
  };
  before(async () => {
    // A catch-all that answers 200 with the same SQL-looking text for every path.
    const a = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('-- dump\nCREATE TABLE t (id int);\nINSERT INTO t VALUES (1),(2),(3);\nuser:$apr1$abc$def\nA_B=1\nC_D=2\n'));
    // A CMS-style catch-all: the home page for every path, 200.
    const home = '<!DOCTYPE html><html><head><title>Shop</title></head><body><a href="/a">a</a> Index of /backup/ is not here</body></html>';
    const b = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(home));
    const c = await serve((req, res) => {
      const common = { server: 'Apache/2.2.15 (CentOS) OpenSSL/1.0.1e-fips mod_ssl/2.2.15 PHP/5.3.3', 'x-powered-by': 'PHP/5.3.3' };
      if (req.url === '/') {
        res.writeHead(200, { ...common, 'content-type': 'text/html; charset=Shift_JIS', 'set-cookie': 'PHPSESSID=0123456789abcdef; path=/' });
        res.end(
          '<html><head><meta name="generator" content="Movable Type Pro 5.2.3"><script type="text/javascript" id="mfpjs" src="/mailformpro/mailformpro.cgi" charset="UTF-8"></script></head>' +
            '<body><!-- Welcart version : v1.9.36 --><form action="/cgi-bin/formmail.cgi" method="post"><input name="email"><input name="name"></form></body></html>',
        );
        return;
      }
      res.writeHead(404, { ...common, 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>');
    });
    servers.push(a, b, c);
    const closed = await freePort();
    // The banner site's "https" port speaks plain HTTP: a failed handshake, recorded as a gap.
    [dumpEverywhere, htmlEverywhere, banners] = await Promise.all([scan(a.port, closed), scan(b.port, closed), scan(c.port, c.port)]);
  });
  after(async () => {
    for (const s of servers) await s.close();
  });

  const exposures = (r: SiteScanResult) => r.findings.filter((f) => (f.source ?? '').startsWith('exposure.'));

  it('reports no exposure when every path answers the same (random-path baseline)', () => {
    assert.deepEqual(exposures(dumpEverywhere).map((f) => f.title), []);
  });

  it('reports no exposure on an HTML catch-all (content confirmation)', () => {
    assert.deepEqual(exposures(htmlEverywhere).map((f) => f.title), []);
  });

  it('turns old banners into distribution-build components with the OS they imply', () => {
    const c = (n: string) => banners.inventory.components.find((x) => x.name === n);
    assert.deepEqual([c('apache-httpd')?.version, c('apache-httpd')?.distroBuild], ['2.2.15', true]);
    assert.deepEqual([c('php')?.version, c('php')?.distroBuild, c('php')?.detectedBy], ['5.3.3', true, 'header:Server']);
    assert.deepEqual([c('openssl')?.version, c('openssl')?.distroBuild], ['1.0.1e', true]);
    assert.equal(c('movable-type')?.version, '5.2.3');
    assert.equal(c('welcart')?.version, '1.9.36');
    assert.ok(c('mailform-pro') && c('formmail'));
    assert.deepEqual(banners.inventory.os && [banners.inventory.os.family, banners.inventory.os.version], ['centos', '6']);
  });

  it('flags the missing HTTPS and the plaintext form, and exits with gaps rather than failing', () => {
    assert.equal(banners.fatal, undefined);
    assert.ok(banners.findings.some((f) => f.source === 'transport.no-https'));
    assert.ok(banners.findings.some((f) => f.source === 'transport.form-on-http-page'));
    assert.ok(banners.findings.some((f) => f.source === 'cookie.session-flags'));
    assert.ok(banners.gaps.some((g) => g.code === 'site.gap.https'), JSON.stringify(banners.gaps));
  });
});
