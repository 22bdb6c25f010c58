/**
 * The overall time limit of `scan site` (`maxTimeMs`, CLI `--max-time`) against slow loopback servers: the scan
 * ends, requests and handshakes in flight are cut off, what was found before the limit is kept, and what was not
 * checked is listed as gaps. Assertions are on termination and content, not on speed (the tests' own timeouts
 * bound them).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as tcpConnect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messages } from '../../src/core/messages/index.js';
import { defaultHttpOptions, type HttpOptions } from '../../src/probe/http.js';
import { loadClassifier } from '../../src/probe/pii.js';
import { scanSite, type SiteScanResult } from '../../src/probe/site.js';
import { probeTls } from '../../src/probe/tls.js';
import { fixtureRoot, freePort, makePki, which } from './servers.js';

const DELAY_MS = 2000;

interface Slow {
  port: number;
  /** Requests received, and those whose connection closed before the delayed answer was sent (cut off). */
  received: string[];
  cutOff: number;
  close: () => Promise<void>;
}

/** A node:http server that answers `slow(req)` requests after DELAY_MS, the others at once. */
async function slowServer(answer: (req: IncomingMessage, res: ServerResponse) => void, slow: (req: IncomingMessage) => boolean): Promise<Slow> {
  const s: Slow = { port: 0, received: [], cutOff: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    s.received.push(req.url ?? '/');
    if (!slow(req)) return answer(req, res);
    const t = setTimeout(() => answer(req, res), DELAY_MS);
    res.on('close', () => {
      clearTimeout(t);
      if (!res.writableEnded) s.cutOff++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  s.port = typeof a === 'object' && a ? a.port : 0;
  s.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return s;
}

const shopHeaders = { server: 'Apache/2.2.15 (CentOS)', 'x-powered-by': 'PHP/5.3.3', 'content-type': 'text/html; charset=utf-8' };
const HOME =
  '<!DOCTYPE html><html><head><title>オンラインショップ</title></head><body>' +
  '<a href="/products/list.php">商品一覧</a> <a href="/contact/">お問い合わせ</a>' +
  '<form method="post" action="/mypage/login.php"><input name="login_email" type="email"><input type="password" name="login_pass"></form></body></html>';
const DUMP = readFileSync(join(fixtureRoot, 'old/backup/backup.sql'));

/** An old shop: the home page with a login form over HTTP and a session cookie; /backup/ is an open directory. */
function shop(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/') return void res.writeHead(200, { ...shopHeaders, 'set-cookie': 'PHPSESSID=5f3c0e9a1b2d4c6e8f7a9b0c1d2e3f4a; path=/' }).end(HOME);
  if (path === '/backup/')
    return void res
      .writeHead(200, shopHeaders)
      .end('<html><head><title>Index of /backup/</title></head><body><h1>Index of /backup/</h1><hr><pre><a href="../">../</a>\n<a href="backup.sql">backup.sql</a>                                         12-Mar-2019 10:21              4711\n</pre><hr></body></html>');
  if (path === '/backup/backup.sql') return void res.writeHead(200, { ...shopHeaders, 'content-type': 'application/octet-stream' }).end(DUMP);
  res.writeHead(404, shopHeaders).end('<html><body><h1>Not Found</h1></body></html>');
}

const opts = (): HttpOptions => ({ ...defaultHttpOptions('mamori-test (security assessment)'), ratePerSec: 1000, timeoutMs: 10_000 });
const t = (code: string, p?: Record<string, string | number>) => messages.t('en', code, p);
const gapCodes = (r: SiteScanResult) => r.gaps.map((g) => g.code);
const elapsed = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

describe('scan site: overall time limit', { timeout: 60_000 }, () => {
  let everythingSlow: Slow;
  let probesSlow: Slow;
  let closedPort = 0;
  before(async () => {
    closedPort = await freePort();
    // Every answer takes 2 s (a tarpitting server), under the 10 s per-request cap.
    everythingSlow = await slowServer(shop, () => true);
    // Pages answer at once; exposure probes (ranged requests) take 2 s, except in the open /backup/ directory.
    probesSlow = await slowServer(shop, (req) => req.headers.range !== undefined && !(req.url ?? '').startsWith('/backup/'));
  });
  after(async () => {
    await everythingSlow?.close();
    await probesSlow?.close();
  });

  it('ends a scan of a server that answers every request after 2 s, keeping what the home page showed', { timeout: 30_000 }, async () => {
    const t0 = process.hrtime.bigint();
    const r = await scanSite({ url: `http://127.0.0.1:${everythingSlow.port}/`, http: opts(), maxPages: 50, httpsPort: closedPort, now: new Date(), t, skipTls: true, maxTimeMs: 3000 });
    const sentAtEnd = everythingSlow.received.length;
    console.log(`# slow server (every answer 2 s), max 3 s: scan took ${elapsed(t0).toFixed(2)} s, ${r.stats.requests} requests sent, ${everythingSlow.cutOff} cut off in flight`);
    assert.equal(r.fatal, undefined, 'the home page was read: not a fatal error');
    // What the first answer showed is kept.
    for (const src of ['transport.no-https', 'transport.form-on-http-page', 'info.version-banner', 'cookie.session-flags', 'header.observatory-grade'])
      assert.ok(r.findings.some((f) => f.source === src), `${src} kept; got ${r.findings.map((f) => f.source).join(', ')}`);
    // What was not checked is named, with the limit as the reason.
    const exposureGap = r.gaps.find((g) => g.code === 'site.gap.deadlineExposure');
    assert.ok(exposureGap, JSON.stringify(r.gaps));
    const [left, total] = (/exposure probes: (\d+) of (\d+) not sent/.exec(exposureGap.what) ?? []).slice(1).map(Number);
    assert.ok(total && total > 100 && left === total, exposureGap.what);
    assert.match(exposureGap.why, /time limit of 3 s/);
    assert.ok(gapCodes(r).includes('site.gap.deadlineCrawl'), JSON.stringify(r.gaps));
    // A request in flight at the limit was aborted, and nothing was sent afterwards.
    assert.ok(everythingSlow.cutOff >= 1, 'the request in flight at the limit was cut off');
    assert.ok(r.stats.requests < 10, String(r.stats.requests));
    assert.equal(r.stats.errors['http.deadline']! >= 1, true);
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(everythingSlow.received.length, sentAtEnd, 'no request reached the server after the scan returned');
  });

  it('keeps exposure findings confirmed before the limit and counts the probes left', { timeout: 30_000 }, async () => {
    const cl = await loadClassifier();
    const t0 = process.hrtime.bigint();
    const r = await scanSite({ url: `http://127.0.0.1:${probesSlow.port}/`, http: opts(), maxPages: 20, httpsPort: closedPort, now: new Date(), t, skipTls: true, maxTimeMs: 4000, classifier: cl.ok ? cl.value : undefined });
    console.log(`# slow exposure probes (2 s each), max 4 s: scan took ${elapsed(t0).toFixed(2)} s, ${r.stats.requests} requests sent, ${probesSlow.cutOff} cut off in flight`);
    assert.equal(r.fatal, undefined);
    const dump = r.findings.find((f) => (f.location ?? '').endsWith('/backup/backup.sql'));
    assert.ok(dump, `backup.sql found before the limit; got ${r.findings.map((f) => `${f.source} ${f.location ?? ''}`).join(', ')}`);
    assert.ok(['personal-data-exposure', 'sensitive-file-exposure'].includes(dump.category));
    assert.ok(r.findings.some((f) => f.source === 'exposure.listing'), 'the open /backup/ directory is kept');
    const exposureGap = r.gaps.find((g) => g.code === 'site.gap.deadlineExposure');
    assert.ok(exposureGap, JSON.stringify(r.gaps));
    const [left, total] = (/exposure probes: (\d+) of (\d+) not sent/.exec(exposureGap.what) ?? []).slice(1).map(Number);
    assert.ok(left! > 0 && left! < total!, `some probes were answered, the rest are counted: ${exposureGap.what}`);
    assert.ok(!gapCodes(r).includes('site.gap.deadlineCrawl'), 'the crawl was finished before the limit');
    assert.ok(probesSlow.cutOff >= 1);
  });

  it('without a limit the same slow server is scanned further (the gap comes from the limit)', { timeout: 30_000 }, async () => {
    // Budget-bound instead: a few slow probes, no time limit, no deadline gap.
    const r = await scanSite({ url: `http://127.0.0.1:${probesSlow.port}/`, http: { ...opts(), budget: 28 }, maxPages: 20, httpsPort: closedPort, now: new Date(), t, skipTls: true });
    assert.ok(!r.gaps.some((g) => (g.code ?? '').startsWith('site.gap.deadline')), JSON.stringify(r.gaps));
    assert.ok(gapCodes(r).includes('site.gap.budget'));
  });
});

describe('TLS probing: overall time limit', { timeout: 30_000 }, () => {
  let port = 0;
  const sockets = new Set<Socket>();
  let opened = 0;
  let closed = 0;
  // Accepts connections and never answers a ClientHello (a TLS tarpit).
  const tarpit = createTcpServer((sock) => {
    opened++;
    sockets.add(sock);
    sock.on('close', () => {
      closed++;
      sockets.delete(sock);
    });
    sock.on('error', () => undefined);
    sock.resume();
  });
  before(async () => {
    await new Promise<void>((r) => tarpit.listen(0, '127.0.0.1', () => r()));
    const a = tarpit.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => tarpit.close(() => r()));
  });

  it('closes handshakes in flight at the limit and reports the rest as not checked, not as "not offered"', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1000);
    const t0 = process.hrtime.bigint();
    const rep = await probeTls({ host: '127.0.0.1', port, timeoutMs: 20_000, now: new Date(), signal: ac.signal });
    console.log(`# TLS tarpit (20 s handshake cap), limit 1 s: probeTls took ${elapsed(t0).toFixed(2)} s, ${rep.handshakes} handshakes`);
    assert.deepEqual(rep.protocols, [], 'no protocol is reported as refused when nothing answered');
    assert.deepEqual(rep.notChecked?.protocols, ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], JSON.stringify(rep.notChecked));
    assert.equal(rep.notChecked?.weak.length, 6);
    assert.equal(rep.notChecked?.cert, true);
    assert.equal(rep.weak.length, 0);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(opened >= 1);
    assert.equal(closed, opened, 'every connection was closed by the prober');
  });
});

describe('scan site: time limit during TLS probing', { timeout: 30_000, skip: which('openssl') ? false : 'openssl CLI not installed' }, () => {
  let dir = '';
  let front: TcpServer;
  let port = 0;
  const held = new Set<Socket>();
  let backend: ReturnType<typeof createHttpsServer>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-deadline-'));
    const pki = makePki(dir);
    backend = createHttpsServer({ key: readFileSync(pki.key), cert: readFileSync(pki.cert) }, (req, res) => {
      if (req.url === '/') return void res.writeHead(200, { ...shopHeaders, 'strict-transport-security': 'max-age=63072000' }).end(HOME);
      res.writeHead(404, shopHeaders).end('not found');
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    const bport = (backend.address() as { port: number }).port;
    // The first connection (the start page) reaches the HTTPS server; every later one is accepted and never answered.
    let first = true;
    front = createTcpServer((sock) => {
      sock.on('error', () => undefined);
      if (first) {
        first = false;
        const up = tcpConnect({ host: '127.0.0.1', port: bport });
        up.on('error', () => sock.destroy());
        sock.pipe(up).pipe(sock);
        sock.on('close', () => up.destroy());
        return;
      }
      held.add(sock);
      sock.on('close', () => held.delete(sock));
      sock.resume();
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    port = (front.address() as { port: number }).port;
  });
  after(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((r) => front?.close(() => r()));
    backend?.closeAllConnections();
    await new Promise<void>((r) => backend?.close(() => r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the HTTPS findings and names the TLS checks it could not finish (no grade)', async () => {
    const closed = await freePort();
    const t0 = process.hrtime.bigint();
    // A per-request cap (60 s) beyond the test's own timeout: only the time limit can end this scan in time.
    const r = await scanSite({ url: `https://127.0.0.1:${port}/`, http: { ...opts(), timeoutMs: 60_000 }, maxPages: 10, httpPort: closed, now: new Date(), t, maxTimeMs: 3000 });
    console.log(`# HTTPS with later connections held open, max 3 s: scan took ${elapsed(t0).toFixed(2)} s, ${r.stats.handshakes} handshakes`);
    assert.equal(r.fatal, undefined);
    assert.ok(r.findings.some((f) => f.source === 'header.csp'), 'header findings from the start page are kept');
    assert.ok(r.findings.some((f) => f.source === 'info.version-banner'));
    const codes = gapCodes(r);
    for (const code of ['site.gap.deadlineTlsProtocols', 'site.gap.deadlineTlsWeak', 'site.gap.deadlineTlsCert', 'site.gap.deadlineTlsGrade']) assert.ok(codes.includes(code), `${code}: ${JSON.stringify(r.gaps)}`);
    assert.match(r.gaps.find((g) => g.code === 'site.gap.deadlineTlsWeak')!.what, /weak cipher suites not checked \(NULL, ANON, EXPORT, RC4, DES, 3DES\)/);
    // Nothing undecided is reported as a TLS finding: no grade, no "no TLS 1.2", no refused protocol.
    assert.deepEqual(r.findings.filter((f) => /^(tls|cert)\./.test(f.source ?? '')).map((f) => f.source), []);
    assert.ok(codes.includes('site.gap.deadlineExposure'));
    // Every held connection (HTTP requests still in the TLS handshake, TLS probes) was closed by the scanner.
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(held.size, 0, `${held.size} connections left open`);
  });
});
