import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, repoRoot, binPath } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { version: string };

test('--version prints the package version', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('--help lists the commands that work, and only those', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /mamori version compare/);
  assert.match(r.stdout, /mamori version satisfies/);
});

test('no command prints help and exits 2', async () => {
  const r = await runCli([]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /Usage: mamori/);
});

test('an unknown command is a usage error (exit 2) that says what to do', async () => {
  const r = await runCli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.match(r.stderr, /--help/);
});

test('an unknown option names the option and the command', async () => {
  const r = await runCli(['version', 'compare', '--ecosystem', 'rpm', '--frob', '1', '2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--frob/);
  assert.match(r.stderr, /mamori version compare --help/);
});

test('a value outside the closed list is rejected with the accepted values', async () => {
  const r = await runCli(['version', 'compare', '--ecosystem', 'maven', '1', '2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /rpm \| dpkg \| apk/);
});

test('messages follow --lang, and LANG when --lang is absent', async () => {
  const ja = await runCli(['--lang', 'ja', 'frobnicate']);
  assert.match(ja.stderr, /不明なコマンド/);
  const envJa = await runCli(['frobnicate'], { env: { LANG: 'ja_JP.UTF-8' } });
  assert.match(envJa.stderr, /不明なコマンド/);
  const en = await runCli(['--lang', 'en', 'frobnicate'], { env: { LANG: 'ja_JP.UTF-8' } });
  assert.match(en.stderr, /unknown command/);
});

/** The modules of dist/ and node_modules/ a CLI run loads (ESM loader hook), as paths relative to the checkout. */
function loadedModules(args: readonly string[], tmp: string): { code: number | null; loaded: string[] } {
  const hook = join(tmp, 'hook.mjs');
  const reg = join(tmp, 'register.mjs');
  // fs.writeSync, not process.stderr.write: the hooks run on their own thread, whose async writes can be lost
  // when the CLI exits right after loading its last module (the renderer).
  writeFileSync(hook, "import { writeSync } from 'node:fs';\nexport async function load(url, ctx, next) { writeSync(2, 'LOADED ' + url + '\\n'); return next(url, ctx); }\n");
  writeFileSync(reg, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(reg).href, binPath, ...args], {
    cwd: repoRoot,
    // the module graph of tsc's output: the bundle (dist/bundle) keeps the same lazy imports as hashed chunks
    env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: '', NO_COLOR: '1', MAMORI_HOME: join(tmp, 'home'), MAMORI_NO_BUNDLE: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const root = pathToFileURL(repoRoot).href.replace(/\/?$/, '/');
  const loaded = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED file:'))
    .map((l) => l.slice('LOADED '.length).replace(root, ''));
  return { code: r.status, loaded };
}

test('commands load only what they use: a files scan opens no store, parses no YAML, renders with one renderer', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'mamori-load-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const site = join(tmp, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>Shop</title><p>Contact: info@shop.example.jp, 03-1234-5678</p>\n');
  const heavy = /^node_modules\/(zod|yaml|better-sqlite3|fast-xml-parser)\/|^dist\/knowledge\/index\.js$|^dist\/report\/(html|pdf|sarif|csv|cyclonedx|table)\.js$|^dist\/scan\/inputs\.js$|^dist\/core\/document\/schema\.js$/;

  const json = loadedModules(['scan', 'files', site, '--format', 'json'], tmp);
  assert.equal(json.code, 0);
  assert.ok(json.loaded.includes('dist/pii/index.js') && json.loaded.includes('dist/scan/assemble.js'), 'the hook sees the scan');
  assert.deepEqual(json.loaded.filter((u) => heavy.test(u)), []);
  // nothing to match in a files scan: no version schemes (semver) and no matchers
  assert.deepEqual(json.loaded.filter((u) => u.startsWith('node_modules/semver/') || u === 'dist/core/versioning/index.js' || u === 'dist/core/assess/index.js'), []);

  const csv = loadedModules(['scan', 'files', site, '--format', 'csv'], tmp);
  assert.equal(csv.code, 0);
  assert.deepEqual(csv.loaded.filter((u) => /^dist\/report\/[a-z]+\.js$/.test(u)).sort(), ['dist/report/csv.js', 'dist/report/index.js', 'dist/report/json.js']);

  const help = loadedModules(['scan', 'host', '--help'], tmp);
  assert.equal(help.code, 0);
  assert.deepEqual(help.loaded.filter((u) => heavy.test(u) || u.startsWith('node_modules/semver/') || u.startsWith('dist/core/versioning/index') || u.startsWith('dist/core/assess/')), []);

  const version = loadedModules(['version', 'compare', '--ecosystem', 'semver', '1.2.3', '1.10.0'], tmp);
  assert.equal(version.code, 0);
  assert.ok(version.loaded.includes('dist/core/versioning/index.js') && version.loaded.some((u) => u.startsWith('node_modules/semver/')), 'loaded when the command runs');
});
