#!/usr/bin/env node
// Bundles tsc's output (dist/cli/main.js and the file-scan worker dist/pii/worker.js) into dist/bundle/, which
// bin/mamori.js prefers: one file and a few shared chunks load faster than ~100 modules (CLI start-up counts
// against `scan files`' time limit). Run after tsc (`npm run build` does both).
//   - flat output (no chunk folders): src/pii/walk.ts starts `new URL('./worker.js', import.meta.url)`, so the
//     worker entry must sit beside whichever chunk holds walk; checked below.
//   - CommonJS dependencies (undici, semver, iconv-lite, …) call require() for node built-ins, which an ESM
//     bundle has only through the banner's createRequire.
//   - native or self-locating packages stay external and load from node_modules; so do kysely (its unused
//     FileMigrationProvider has a computed import(); the fleet store's migrations are in code) and pg (it may
//     require the optional pg-native).
//   - the version is a constant (src/scan/version.ts reads package.json only when it is not set).
//   - an import() or require() whose argument is not a string literal fails the build: esbuild cannot follow it,
//     and at run time it resolves beside the chunk instead of beside its source file (issue 13: the installed CLI
//     did not find src/pii and scanned no document root for personal data). test/e2e/bundle-paths.test.ts
//     checks the same at run time, for every module the bundled commands load.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist/bundle');
const entries = { main: join(root, 'dist/cli/main.js'), worker: join(root, 'dist/pii/worker.js') };
for (const f of Object.values(entries)) {
  if (!existsSync(f)) {
    console.error(`bundle: ${f} is missing; run tsc -p tsconfig.build.json first`);
    process.exit(1);
  }
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir,
  bundle: true,
  format: 'esm',
  splitting: true,
  platform: 'node',
  target: 'node20',
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  // The fleet server's framework and SQL layer (fastify, kysely, pg) load from node_modules too: they resolve
  // plugins and migrations at run time, and only `mamori serve` / `worker` load them.
  external: ['better-sqlite3', 'playwright-core', 'ssh2', 'cpu-features', 'fastify', 'kysely', 'pg', 'pg-native'],
  define: { __MAMORI_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __mamoriCreateRequire } from 'node:module'; const require = __mamoriCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  logOverride: { 'unsupported-dynamic-import': 'error', 'unsupported-require-call': 'error' },
});

// The layout walk.ts relies on: every output file directly in dist/bundle, the worker among them.
const out = readdirSync(outdir, { withFileTypes: true });
const dirs = out.filter((e) => e.isDirectory()).map((e) => e.name);
const holdsWalk = out.filter((e) => e.isFile() && readFileSync(join(outdir, e.name), 'utf8').includes('new URL("./worker.js", import.meta.url)'));
const problems = [
  ...dirs.map((d) => `dist/bundle/${d}/ is a folder (the worker is found beside the chunk holding walk)`),
  ...(existsSync(join(outdir, 'worker.js')) ? [] : ['dist/bundle/worker.js is missing']),
  ...(holdsWalk.length === 1 ? [] : [`expected one chunk starting the worker, found ${holdsWalk.length}`]),
];
if (problems.length) {
  console.error(`bundle: ${problems.join('; ')}`);
  process.exit(1);
}
