/**
 * The dashboard's static files (dist/ui, built by scripts/bundle-ui.mjs) and the headers they are served with:
 * a strict Content Security Policy (no inline script or style, no eval, nothing from another origin), no framing,
 * no sniffing, no referrer. Framework-free: the HTTP app maps `GET /` and `GET /ui/*` to uiAsset().
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const UI_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': UI_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export interface UiAsset {
  status: 200;
  headers: Record<string, string>;
  body: Buffer;
}

const FILES: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/ui/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/ui/app.css': ['app.css', 'text/css; charset=utf-8'],
};

/** dist/ui of the package this file belongs to, whether it runs from src (tsx), dist or dist/bundle. */
export function uiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'dist'))) return join(dir, 'dist/ui');
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '../../dist/ui');
}

let cache: Map<string, UiAsset> | undefined;

/** Loads the three files once; throws a clear error when the dashboard was not built. */
export function loadUi(dir = uiDir()): Map<string, UiAsset> {
  const out = new Map<string, UiAsset>();
  for (const [path, [file, type]] of Object.entries(FILES)) {
    const p = join(dir, file);
    if (!existsSync(p)) throw new Error(`the dashboard is not built: ${p} is missing (run npm run build)`);
    const body = readFileSync(p);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    out.set(path, {
      status: 200,
      body,
      headers: { ...UI_HEADERS, 'content-type': type, etag, 'cache-control': file === 'index.html' ? 'no-cache' : 'public, max-age=300' },
    });
  }
  return out;
}

/** The asset for a request path (query ignored), or undefined when the path is not one of the dashboard's. */
export function uiAsset(urlPath: string): UiAsset | undefined {
  cache ??= loadUi();
  return cache.get(urlPath.split('?')[0] ?? urlPath);
}
