/**
 * What users run (issue 13, item 1): the package as npm publishes it, installed into a prefix of its own, run
 * through the `mamori` command npm links — not the checkout's dist/. Once per run: the sources are copied to a
 * temp dir and packed there (`npm pack` runs the package's own `prepare`: tsc, then the bundle, so the tarball
 * is built from the current sources and the checkout's dist/ is neither used nor rewritten under other tests);
 * the tarball is installed with `npm install --prefix` (dependencies from the npm cache, else the npm registry).
 *
 * Install scripts are skipped and better-sqlite3's native module is copied from the checkout's node_modules
 * (same package version, same node): compiling SQLite again costs minutes of CPU, and prebuild-install would
 * reach for GitHub. Everything else is the installed tree, run from a working directory outside the checkout.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from '../helpers/cli.js';
import { customersCsv } from '../host/docroot-tree.js';
import { runTraced, scanJson, shopDocroot, startShopSite } from './targets.js';

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Copy what `npm pack` needs to build the package, with the checkout's node_modules linked in (tsc, esbuild). */
function copySources(to: string): void {
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md']) copyFileSync(join(repoRoot, f), join(to, f));
  cpSync(join(repoRoot, 'bin'), join(to, 'bin'), { recursive: true });
  cpSync(join(repoRoot, 'src'), join(to, 'src'), { recursive: true });
  mkdirSync(join(to, 'scripts'));
  for (const s of ['bundle.mjs', 'bundle-ui.mjs']) copyFileSync(join(repoRoot, 'scripts', s), join(to, 'scripts', s));
  symlinkSync(join(repoRoot, 'node_modules'), join(to, 'node_modules'));
}

const NPM_QUIET = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };

describe('the installed package (npm pack, npm install --prefix, mamori)', { timeout: 600_000 }, () => {
  let tmp: string;
  let mamori: string;
  let docroot: string;
  let site: Awaited<ReturnType<typeof startShopSite>>;
  const run = (args: string[]) => runCli(args, { bin: mamori, cwd: tmp, env: { MAMORI_HOME: join(tmp, 'home'), MAMORI_NO_BUNDLE: '' } });

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'mamori-installed-'));
    const srcCopy = join(tmp, 'src-copy');
    mkdirSync(srcCopy);
    copySources(srcCopy);
    const packed = sh('npm', ['pack', '--pack-destination', tmp, '--silent'], srcCopy, NPM_QUIET).trim().split('\n').pop()!;
    const tarball = join(tmp, packed);
    assert.ok(existsSync(tarball), `npm pack wrote ${tarball}`);
    const prefix = join(tmp, 'prefix');
    sh('npm', ['install', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', '--no-save', tarball], tmp, NPM_QUIET);
    const installed = join(prefix, 'node_modules');
    const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'better-sqlite3/package.json'), 'utf8')) as { version: string }).version;
    assert.equal(version(installed), version(join(repoRoot, 'node_modules')), 'better-sqlite3: the installed version is the checkout’s (its native module is copied from there)');
    mkdirSync(join(installed, 'better-sqlite3/build/Release'), { recursive: true });
    copyFileSync(join(repoRoot, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), join(installed, 'better-sqlite3/build/Release/better_sqlite3.node'));
    mamori = join(installed, '.bin/mamori');
    assert.ok(realpathSync(mamori).startsWith(realpathSync(join(installed, 'mamori'))), 'the mamori command is the installed package’s');
    rmSync(srcCopy, { recursive: true, force: true });
    docroot = shopDocroot();
    site = await startShopSite();
  });
  after(async () => {
    await site?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (docroot) rmSync(docroot, { recursive: true, force: true });
  });

  it('is what the package lists: the bundle, the worker beside it, no test file', () => {
    const bundle = join(tmp, 'prefix/node_modules/mamori/dist/bundle');
    assert.ok(existsSync(join(bundle, 'main.js')) && existsSync(join(bundle, 'worker.js')));
    const shipped = readdirSync(join(tmp, 'prefix/node_modules/mamori/dist'), { recursive: true }).map(String);
    assert.deepEqual(shipped.filter((f) => /\.test\.js$/.test(f)), []);
  });

  it('npx mamori scan host --docroot: finds the Shift_JIS customer export, masked, and the detector is there', () => {
    // As the issue ran it: npx, in the directory the package is installed in.
    const x = spawnSync('npx', ['--no', '--', 'mamori', 'scan', 'host', '--docroot', docroot, '--format', 'json', '--lang', 'en'], {
      cwd: join(tmp, 'prefix'),
      encoding: 'utf8',
      env: { ...process.env, ...NPM_QUIET, MAMORI_HOME: join(tmp, 'home'), MAMORI_NO_BUNDLE: '', LANG: 'C.UTF-8' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    });
    const r = { code: x.status ?? 1, stdout: x.stdout, stderr: x.stderr };
    const rep = scanJson(r, 'scan host');
    assert.deepEqual(rep.gaps.filter((g) => g.code === 'host.gap.piiUnavailable' || /detector unavailable/.test(g.why)), []);
    const f = rep.findings.find((x) => x.category === 'personal-data-exposure' && x.location === join(docroot, 'data/customers.csv'));
    assert.ok(f, `the customer export is a finding; findings: ${rep.findings.map((x) => x.id).join(' ')}`);
    const text = JSON.stringify(rep);
    for (const phone of customersCsv(40).match(/090-\d{4}-\d{4}/g)!) assert.ok(!text.includes(phone), `${phone} is masked`);
    writeFileSync(join(tmp, 'host.json'), r.stdout);
  });

  it('scan files: the customer export, with worker threads, all from the installed bundle', async () => {
    const pkg = join(tmp, 'prefix/node_modules/mamori');
    // npm stamps each file with the time it extracted it: dist/cli/main.js may be a few ms newer than the bundle,
    // which in a checkout means "tsc ran after the bundle". Installed, the bundle must run all the same.
    const later = new Date(statSync(join(pkg, 'dist/bundle/main.js')).mtimeMs + 1000);
    utimesSync(join(pkg, 'dist/cli/main.js'), later, later);
    const t = await runTraced(['scan', 'files', docroot, '--workers', '2', '--format', 'json'], { dir: tmp, packageRoot: pkg, bin: mamori, env: { MAMORI_HOME: join(tmp, 'home'), MAMORI_NO_BUNDLE: '' } });
    assert.deepEqual(t.unseen, [], 'every module from the bundle');
    assert.ok(t.lines.some((l) => l.endsWith('/dist/bundle/worker.js')), 'a worker thread started from the bundle');
    const r = t.r;
    const rep = scanJson(r, 'scan files');
    assert.ok(rep.findings.some((f) => f.category === 'personal-data-exposure' && /customers\.csv$/.test(f.location ?? '')), r.stderr);
  });

  it('scan site: a loopback shop serving its customer export', async () => {
    const r = await run(['scan', 'site', site.url, '--format', 'json', '--max-pages', '5', '--rate', '200', '--max-time', '60', '--lang', 'en']);
    const rep = scanJson(r, 'scan site');
    assert.ok(rep.findings.some((f) => f.category === 'personal-data-exposure' && /\/data\/customer\.csv$/.test(f.location ?? '')), `findings: ${rep.findings.map((f) => `${f.id} ${f.location ?? ''}`).join('; ')}`);
    assert.ok(rep.findings.some((f) => /^PLN-|^INFO-|^HDR-/.test(f.id)), 'plaintext form, banner or header findings too');
  });

  it('report --format pdf: Chromium prints the host scan', { skip: !existsSync('/usr/bin/chromium') && 'no /usr/bin/chromium (scripts/system-deps.txt)' }, async () => {
    const out = join(tmp, 'host.pdf');
    const r = await run(['report', join(tmp, 'host.json'), '--format', 'pdf', '--lang', 'ja', '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(out).subarray(0, 5).toString('latin1'), '%PDF-');
    const text = sh('pdftotext', ['-layout', out, '-'], tmp);
    assert.match(text, /customers\.csv/);
  });

  it('db import and db status: the knowledge DB through the installed better-sqlite3', async () => {
    const feeds = join(tmp, 'feeds');
    mkdirSync(feeds);
    copyFileSync(join(repoRoot, 'test/knowledge/fixtures/redhat-vex.json'), join(feeds, 'redhat-vex.json'));
    const imp = await run(['db', 'import', feeds]);
    assert.equal(imp.code, 0, imp.stderr);
    const st = await run(['db', 'status', '--format', 'json']);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /redhat-csaf/);
  });
});
