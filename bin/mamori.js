#!/usr/bin/env node
// Entry point for `npx mamori`: runs the compiled CLI (built by `npm ci` through the prepare script).
// Prefers the bundle (dist/bundle, scripts/bundle.mjs: faster start-up) unless MAMORI_NO_BUNDLE=1 or, in a
// checkout, it is older than tsc's output (a `tsc`-only rebuild since the last `npm run build`); then
// dist/cli/main.js. An installed package (under node_modules) is never rebuilt in place and npm stamps each
// file with the time it extracted it, so there the bundle always runs.
import { statSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
const main = new URL('../dist/cli/main.js', import.meta.url);
const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const mainStat = statSync(fileURLToPath(main), { throwIfNoEntry: false });
if (!mainStat) {
  process.stderr.write('mamori: the compiled CLI is missing (dist/). Run `npm ci` or `npm run build` in the checkout.\n');
  process.exit(2);
}
const bundleStat = process.env.MAMORI_NO_BUNDLE === '1' ? undefined : statSync(fileURLToPath(bundle), { throwIfNoEntry: false });
const installed = fileURLToPath(import.meta.url).split(sep).includes('node_modules');
const entry = bundleStat && (installed || bundleStat.mtimeMs >= mainStat.mtimeMs) ? bundle : main;
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
