/** `mamori scan site` as a user runs it (built CLI): JSON report of the contract, exit codes, bad input. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binPath, runCli } from '../helpers/cli.js';
import { freePort } from './servers.js';

const built = existsSync(new URL('../../dist/cli/main.js', import.meta.url)) ? false : 'dist/ missing: run npm run build first';

describe('mamori scan site (CLI)', { skip: built }, () => {
  let server: Server;
  let slow: Server;
  let port = 0;
  let slowPort = 0;
  let closed = 0;
  let home = '';
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'mamori-'));
    server = createServer((req, res) => {
      const h = { server: 'Apache/2.2.15 (CentOS)', 'x-powered-by': 'PHP/5.3.3', 'content-type': 'text/html; charset=utf-8' };
      if (req.url === '/') return void res.writeHead(200, h).end('<html><body><form method="post" action="/login.php"><input name="user"><input type="password" name="pass"></form></body></html>');
      res.writeHead(404, h).end('<html>not found</html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const a = server.address();
    port = typeof a === 'object' && a ? a.port : 0;
    // Every answer after 2 s (a tarpitting server).
    slow = createServer((req, res) => {
      const timer = setTimeout(() => res.writeHead(req.url === '/' ? 200 : 404, { server: 'Apache/2.2.15 (CentOS)', 'content-type': 'text/html' }).end('<html><body>shop</body></html>'), 2000);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    const b = slow.address();
    slowPort = typeof b === 'object' && b ? b.port : 0;
    closed = await freePort();
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
    rmSync(home, { recursive: true, force: true });
  });
  const env = () => ({ MAMORI_HOME: home });

  it('writes the JSON report of the contract with components and findings', async () => {
    const r = await runCli(['scan', 'site', `http://127.0.0.1:${port}/`, '--https-port', String(closed), '--format', 'json', '--budget', '120', '--rate', '200'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { target: { kind: string; name: string }; inventory: { components: { name: string; version?: string; distroBuild?: boolean }[] }; findings: { source?: string; category: string; id: string }[]; gaps: unknown[] };
    assert.equal(doc.target.kind, 'site');
    const apache = doc.inventory.components.find((c) => c.name === 'apache-httpd');
    assert.deepEqual([apache?.version, apache?.distroBuild], ['2.2.15', true]);
    assert.ok(doc.findings.some((f) => f.category === 'plaintext-transport'));
    assert.ok(doc.findings.every((f) => /^[A-Z]+-[0-9a-f]{12}$/.test(f.id)));
    assert.match(r.stderr, /requests/);
  });

  it('exits 1 with --fail-on when a finding reaches it', async () => {
    const r = await runCli(['scan', 'site', `http://127.0.0.1:${port}/`, '--https-port', String(closed), '--format', 'json', '--fail-on', 'high', '--budget', '120', '--rate', '200', '--no-tls'], { env: env() });
    assert.equal(r.code, 1, r.stderr);
  });

  it('ends at --max-time with what it found and the unchecked parts as gaps (exit 0)', { timeout: 30_000 }, async () => {
    const r = await runCli(['scan', 'site', `http://127.0.0.1:${slowPort}/`, '--https-port', String(closed), '--format', 'json', '--max-time', '3', '--rate', '200', '--no-tls'], { env: env(), timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { findings: { source?: string }[]; gaps: { what: string; why: string; code?: string }[] };
    assert.ok(doc.findings.some((f) => f.source === 'transport.no-https'), 'the finding from the home page is kept');
    const gap = doc.gaps.find((g) => /^exposure probes: \d+ of \d+ not sent/.test(g.what));
    assert.ok(gap, JSON.stringify(doc.gaps));
    assert.match(gap.why, /time limit of 3 s .*--max-time/);
  });

  it('rejects a --max-time that is not a positive number', async () => {
    const r = await runCli(['scan', 'site', `http://127.0.0.1:${slowPort}/`, '--max-time', '0'], { env: env() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--max-time/);
  });

  it('exits 2 on an invalid URL, with a hint', async () => {
    const r = await runCli(['scan', 'site', 'ftp://example.jp/'], { env: env() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /http:\/\/ or https:\/\/, not ftp:\/\/\. Give a URL such as https:\/\/example\.jp\//);
    const bad = await runCli(['scan', 'site', 'http://user:pw@example.jp/'], { env: env() });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a website address/);
  });

  it('exits 2 when nothing at all could be checked (refused on every scheme)', async () => {
    const r = await runCli(['scan', 'site', `http://127.0.0.1:${closed}/`, '--https-port', String(closed), '--format', 'json'], { env: env() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nothing could be checked/);
    assert.match(r.stderr, /http\.refused/);
    assert.equal(r.stdout, '');
  });

  it('is listed in help', async () => {
    assert.ok(existsSync(binPath));
    const r = await runCli(['scan', 'site', '--help'], { env: env() });
    assert.match(r.stdout + r.stderr, /--max-pages/);
    assert.match(r.stdout + r.stderr, /--max-time <SECONDS> +time limit of the whole scan/);
  });
});
