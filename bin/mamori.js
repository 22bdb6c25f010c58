#!/usr/bin/env node
// Entry point for `npx mamori`: runs the compiled CLI (built by `npm ci` through the prepare script).
// Prefers the bundle (dist/bundle, scripts/bundle.mjs: faster start-up) unless MAMORI_NO_BUNDLE=1 or it is
// older than tsc's output (a `tsc`-only rebuild since the last `npm run build`); then dist/cli/main.js.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = new URL('../dist/cli/main.js', import.meta.url);
const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const mainStat = statSync(fileURLToPath(main), { throwIfNoEntry: false });
if (!mainStat) {
  process.stderr.write('mamori: the compiled CLI is missing (dist/). Run `npm ci` or `npm run build` in the checkout.\n');
  process.exit(2);
}
const bundleStat = process.env.MAMORI_NO_BUNDLE === '1' ? undefined : statSync(fileURLToPath(bundle), { throwIfNoEntry: false });
const entry = bundleStat && bundleStat.mtimeMs >= mainStat.mtimeMs ? bundle : main;
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
