/**
 * examples/site-scan.ts, a program that uses only src/scan and src/report, scans a loopback site and writes the
 * HTML report without the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

const example = join(repoRoot, 'examples/site-scan.ts');

test('the example program imports only src/scan and src/report', () => {
  const specs = [...readFileSync(example, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  assert.deepEqual(specs.filter((s) => s.startsWith('.')).sort(), ['../src/report/index.js', '../src/scan/index.js']);
});

test('the example program scans a loopback site and renders HTML, in Japanese', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'mamori-example-'));
  const server = createServer((req, res) => {
    const h = { server: 'Apache/2.2.15 (CentOS)', 'x-powered-by': 'PHP/5.3.3', 'content-type': 'text/html; charset=utf-8' };
    if (req.url === '/') return void res.writeHead(200, h).end('<html><body><form method="post" action="/login.php"><input name="user"><input type="password" name="pass"></form></body></html>');
    res.writeHead(404, h).end('<html>not found</html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    server.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const a = server.address();
  const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`;
  const out = join(tmp, 'report.html');
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', example, url, out, join(tmp, 'none.sqlite'), 'ja'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^site\.done \{"requests":\d+/m, 'progress arrives as a message code with parameters');
  assert.match(r.stdout, /^\d+ findings, \d+ gaps → /);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/i);
  assert.match(html, /<html lang="ja"/);
  assert.ok(html.includes(url), 'the report names the site');
  assert.match(html, /平文|HTTP/, 'the login form over plain HTTP is reported');
  assert.ok(html.includes('none.sqlite'), 'the missing knowledge DB is a gap naming where it was looked for');
});
