#!/usr/bin/env node
// Bundles the dashboard (src/server/ui, browser TypeScript) into dist/ui/: app.js (one IIFE, no eval, no chunks),
// app.css and index.html. The server serves exactly these three files under a strict CSP (script-src 'self',
// style-src 'self'): nothing in them may load from elsewhere, so the build fails on any http(s) URL to another
// origin in the output and on inline script or style in index.html. Run by `npm run build` after bundle.mjs.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src/server/ui');
const outdir = join(root, 'dist/ui');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { app: join(src, 'main.ts') },
  outdir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await build({ entryPoints: { app: join(src, 'app.css') }, outdir, bundle: true, minify: true, logLevel: 'warning' });
copyFileSync(join(src, 'index.html'), join(outdir, 'index.html'));

const problems = [];
const html = readFileSync(join(outdir, 'index.html'), 'utf8');
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) problems.push('index.html has an inline script');
if (/<style|\sstyle=/i.test(html)) problems.push('index.html has inline style');
for (const f of ['app.js', 'app.css', 'index.html']) {
  const text = readFileSync(join(outdir, f), 'utf8');
  const ext = text.match(/(?:src|href|url)\s*[=(]\s*["']?https?:\/\/[^"')\s]+/gi);
  if (ext) problems.push(`${f} loads from another origin: ${ext.join(', ')}`);
  if (f === 'app.js' && /\beval\(|new Function\(|\.innerHTML\s*=|insertAdjacentHTML/.test(text)) problems.push('app.js uses eval/new Function/innerHTML');
}
if (problems.length) {
  console.error(`bundle-ui: ${problems.join('; ')}`);
  process.exit(1);
}
