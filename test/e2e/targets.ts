/**
 * Targets for the end-to-end suites that run the CLI as users run it (test/e2e/*.test.ts): a shop's document
 * root holding a Shift_JIS customer export, and a loopback shop site serving one. Each lives in a temp dir or on
 * a free 127.0.0.1 port and is removed or closed by its caller.
 */
import { createServer, type RequestListener } from 'node:http';
import iconv from 'iconv-lite';
import { customersCsv, makeTree } from '../host/docroot-tree.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, type CliResult } from '../helpers/cli.js';

/** The customer export, as old shop systems write it: Shift_JIS, CRLF. */
export const customerExport = (rows = 40): Buffer => iconv.encode(customersCsv(rows), 'Shift_JIS');

/**
 * A shop's document root: pages, a PHP include and, in the public `data/` folder, the customer export. Sixty
 * files, so that `scan files --workers 2` hands files to worker threads (walk.ts classifies fewer on the
 * calling thread alone).
 */
export function shopDocroot(): string {
  const files: Record<string, string | Buffer> = { 'data/customers.csv': customerExport() };
  for (let i = 0; i < 50; i++) files[`item/${i}.html`] = `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>商品 ${i}</title></head><body><h1>商品 ${i}</h1><p>在庫あり。</p></body></html>\n`;
  for (let i = 0; i < 9; i++) files[`lib/part${i}.php`] = `<?php\n// part ${i}\nfunction part${i}() { return ${i}; }\n`;
  return makeTree(files);
}

/** A node HTTP server on a free 127.0.0.1 port. */
export async function serve(handler: RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A shop site on 127.0.0.1 (plain HTTP) with a login form and its customer export in /data/customer.csv. */
export function startShopSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const csv = customerExport();
  return serve((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', server: 'Apache/2.2.15 (CentOS)' });
      return void res.end('<!doctype html><html lang="ja"><head><title>テストショップ</title></head><body><form method="post" action="/login.php"><input name="login_email"><input type="password" name="login_pass"></form><a href="/item/1.html">商品</a></body></html>');
    }
    if (path === '/data/customer.csv') {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': csv.length });
      return void res.end(req.method === 'HEAD' ? undefined : csv);
    }
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>Not Found</body></html>');
  });
}

interface Finding {
  id: string;
  category?: string;
  title: string;
  location?: string;
  evidence?: unknown;
}
interface Gap {
  what: string;
  why: string;
  code?: string;
}
export interface ScanJson {
  findings: Finding[];
  gaps: Gap[];
}

/** Parse a JSON report, naming the command's stderr when it is not one. */
export function scanJson(r: CliResult, what: string): ScanJson {
  try {
    return JSON.parse(r.stdout) as ScanJson;
  } catch {
    throw new Error(`${what}: exit ${r.code}, no JSON report on stdout; stderr:\n${r.stderr.slice(0, 2000)}`);
  }
}

/** Preloaded with --import (runTraced): registers the resolve hook and wraps CommonJS resolution; workers inherit it. */
const PRELOAD = `
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
const log = process.env.MAMORI_LOAD_LOG;
const hook = \`
import { appendFileSync } from 'node:fs';
const log = \${JSON.stringify(log)};
export async function resolve(specifier, context, next) {
  try {
    const r = await next(specifier, context);
    appendFileSync(log, 'ok ' + r.url + '\\\\n');
    return r;
  } catch (err) {
    appendFileSync(log, 'failed ' + specifier + ' from ' + context.parentURL + '\\\\n');
    throw err;
  }
}\`;
register('data:text/javascript,' + encodeURIComponent(hook));
const Module = createRequire(import.meta.url)('node:module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  try {
    const f = resolveFilename.call(this, request, parent, ...rest);
    appendFileSync(log, 'ok ' + (f.startsWith('/') ? 'file://' + f : 'node:' + f) + '\\n');
    return f;
  } catch (err) {
    appendFileSync(log, 'failed ' + request + ' from ' + (parent?.filename ?? '?') + '\\n');
    throw err;
  }
};
`;


let traces = 0;

/**
 * Run a command of the CLI at `packageRoot` (bin/mamori.js there) under a module hook; `unseen` lists every
 * module resolved outside the bundle (dist/bundle), bin/mamori.js and the dependencies in node_modules, and
 * every resolution that failed outside node_modules: a module loaded by a path the bundler did not see.
 */
export async function runTraced(args: string[], o: { dir: string; packageRoot: string; env?: NodeJS.ProcessEnv; bin?: string }) {
  const preload = join(o.dir, 'load-trace.mjs');
  if (!existsSync(preload)) writeFileSync(preload, PRELOAD);
  const log = join(o.dir, `load-${traces++}.log`);
  writeFileSync(log, '');
  const r = await runCli(args, { bin: o.bin ?? join(o.packageRoot, 'bin/mamori.js'), nodeArgs: ['--import', pathToFileURL(preload).href], cwd: o.dir, env: { ...o.env, MAMORI_LOAD_LOG: log } });
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const root = pathToFileURL(o.packageRoot).href.replace(/\/?$/, '/');
  const unseen = lines.filter((l) => {
    // A dependency probing for its own optional peers (playwright-core for bufferutil) is its own business.
    if (l.startsWith('failed ')) return !/ from (file:\/\/)?\/.*\/node_modules\//.test(l);
    const url = l.slice(3);
    if (!url.startsWith('file:') || url === pathToFileURL(preload).href) return false; // node:… built-ins, the hook
    if (url.startsWith(root)) {
      const rel = url.slice(root.length);
      return !(rel === 'bin/mamori.js' || rel.startsWith('dist/bundle/') || rel.startsWith('node_modules/'));
    }
    return !url.includes('/node_modules/');
  });
  return { r, lines, unseen: [...new Set(unseen)] };
}
