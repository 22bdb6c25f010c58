/**
 * The bundled CLI (bin/mamori.js → dist/bundle) loads no module by a path the bundler could not see (issue 13,
 * item 1): a computed import() resolved beside the bundle's chunk instead of beside its source file, and the
 * installed CLI silently scanned no document root for personal data. Every command users run is run here with
 * a module hook that records each module resolved (import and require, in the main thread and in the workers)
 * and each resolution that failed; all of them must be the bundle's own files, node built-ins, or packages in
 * node_modules. scripts/bundle.mjs refuses the same at build time (an import()/require() of a non-literal).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, runCli } from '../helpers/cli.js';
import { scanJson, shopDocroot, startShopSite } from './targets.js';

/** Preloaded with --import: registers the resolve hook and wraps CommonJS resolution; workers inherit it. */
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

describe('the bundled CLI loads modules only by paths the bundler saw', () => {
  let tmp: string;
  let docroot: string;
  let site: Awaited<ReturnType<typeof startShopSite>>;
  let preload: string;
  let n = 0;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'mamori-bundle-paths-'));
    preload = join(tmp, 'preload.mjs');
    writeFileSync(preload, PRELOAD);
    docroot = shopDocroot();
    site = await startShopSite();
  });
  after(async () => {
    await site?.close();
    rmSync(tmp, { recursive: true, force: true });
    if (docroot) rmSync(docroot, { recursive: true, force: true });
  });

  /** Run a command under the hook; return its result and the modules it resolved. */
  async function traced(args: string[]) {
    const log = join(tmp, `load-${n++}.log`);
    writeFileSync(log, '');
    const r = await runCli(args, {
      nodeArgs: ['--import', pathToFileURL(preload).href],
      cwd: tmp,
      env: { MAMORI_LOAD_LOG: log, MAMORI_HOME: join(tmp, 'home'), MAMORI_NO_BUNDLE: '' },
    });
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const root = pathToFileURL(repoRoot).href;
    const unseen = lines.filter((l) => {
      // A dependency probing for its own optional peers (playwright-core for bufferutil) is its own business.
      if (l.startsWith('failed ')) return !/ from (file:\/\/)?\/.*\/node_modules\//.test(l);
      const url = l.slice(3);
      if (!url.startsWith('file:')) return false; // node:… built-ins
      if (!url.startsWith(root)) return url !== pathToFileURL(preload).href;
      const rel = url.slice(root.length);
      return !(rel === 'bin/mamori.js' || rel.startsWith('dist/bundle/') || rel.startsWith('node_modules/'));
    });
    return { r, lines, unseen: [...new Set(unseen)] };
  }

  it('scan host --docroot: the personal-data detector is in the bundle and finds the customer export', async () => {
    const t = await traced(['scan', 'host', '--docroot', docroot, '--format', 'json', '--lang', 'en']);
    assert.deepEqual(t.unseen, []);
    assert.ok(t.lines.some((l) => l.endsWith('/dist/bundle/main.js')), 'the bundle ran');
    const rep = scanJson(t.r, 'scan host');
    assert.deepEqual(rep.gaps.filter((g) => g.code === 'host.gap.piiUnavailable'), []);
    assert.ok(rep.findings.some((f) => f.category === 'personal-data-exposure' && f.location === join(docroot, 'data/customers.csv')), 'the customer export is found');
  });

  it('scan files with worker threads: the worker is the bundled one', async () => {
    const t = await traced(['scan', 'files', docroot, '--workers', '2', '--format', 'json']);
    assert.deepEqual(t.unseen, []);
    assert.ok(t.lines.some((l) => l.endsWith('/dist/bundle/worker.js')), 'a worker thread started from dist/bundle/worker.js');
    assert.ok(scanJson(t.r, 'scan files').findings.some((f) => f.category === 'personal-data-exposure'));
  });

  it('scan site, then every report format (pdf through Chromium)', async () => {
    const s = await traced(['scan', 'site', site.url, '--format', 'json', '--max-pages', '5', '--rate', '200', '--max-time', '60', '--lang', 'en']);
    assert.deepEqual(s.unseen, []);
    const rep = scanJson(s.r, 'scan site');
    assert.ok(rep.findings.some((f) => f.category === 'personal-data-exposure' || /customer\.csv/.test(f.location ?? '')), 'the exposed export is found');
    const saved = join(tmp, 'site.json');
    writeFileSync(saved, s.r.stdout);
    for (const format of ['json', 'table', 'html', 'sarif', 'csv', 'cyclonedx', 'pdf']) {
      const out = join(tmp, `report.${format}`);
      const t = await traced(['report', saved, '--format', format, '--output', out]);
      assert.equal(t.r.code, 0, `report --format ${format}: ${t.r.stderr}`);
      assert.deepEqual(t.unseen, [], `report --format ${format}`);
    }
  });

  it('db, version and help commands', async () => {
    const feeds = join(tmp, 'feeds');
    mkdirSync(feeds);
    copyFileSync(join(repoRoot, 'test/knowledge/fixtures/redhat-vex.json'), join(feeds, 'redhat-vex.json'));
    for (const args of [['--version'], ['--help'], ['db', 'import', feeds], ['db', 'status', '--format', 'json'], ['version', 'compare', '--ecosystem', 'rpm', '1.0-1.el7', '1.0-2.el7']]) {
      const t = await traced(args);
      assert.deepEqual(t.unseen, [], args.join(' '));
      assert.ok(t.r.code === 0 || t.r.code === 1, `${args.join(' ')}: exit ${t.r.code} ${t.r.stderr}`);
    }
  });
});
