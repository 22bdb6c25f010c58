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
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { runTraced, scanJson, shopDocroot, startShopSite } from './targets.js';

describe('the bundled CLI loads modules only by paths the bundler saw', () => {
  let tmp: string;
  let docroot: string;
  let site: Awaited<ReturnType<typeof startShopSite>>;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'mamori-bundle-paths-'));
    docroot = shopDocroot();
    site = await startShopSite();
  });
  after(async () => {
    await site?.close();
    rmSync(tmp, { recursive: true, force: true });
    if (docroot) rmSync(docroot, { recursive: true, force: true });
  });

  const traced = (args: string[]) => runTraced(args, { dir: tmp, packageRoot: repoRoot, env: { MAMORI_HOME: join(tmp, 'home'), MAMORI_NO_BUNDLE: '' } });

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
