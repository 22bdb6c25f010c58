/**
 * The dashboard's static files (built by esbuild into dist/ui): `/` and any unknown non-API path get index.html
 * (the UI routes on the client); `/api/…` never falls back to it. Paths are resolved inside the folder only.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** dist/ui of the package this file belongs to (found by walking up to mamori's package.json). */
export function defaultUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"mamori"/.test(readFileSync(pkg, 'utf8'))) return join(dir, 'dist', 'ui');
    dir = dirname(dir);
  }
  return join(process.cwd(), 'dist', 'ui');
}

function fileIn(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return undefined; // malformed escapes: treated as an unknown path
  }
  if (decoded.includes('\0')) return undefined;
  const full = normalize(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return undefined;
  const st = statSync(full, { throwIfNoEntry: false });
  return st?.isFile() ? full : undefined;
}

export function registerStatic(app: FastifyInstance, uiDir: string): void {
  const root = normalize(uiDir);
  const index = join(root, 'index.html');
  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    config: { auth: 'public' },
    schema: { hide: true } as Record<string, unknown>,
    handler: async (req, reply) => {
      if (req.url === '/api' || req.url.startsWith('/api/')) {
        return reply.code(404).send({ error: { code: 'not_found', message: `no API route ${req.method} ${req.url.split('?')[0]}` } });
      }
      const file = fileIn(root, req.url) ?? (existsSync(index) ? index : undefined);
      if (!file) {
        return reply.code(404).type('text/plain; charset=utf-8').send('The dashboard is not built (dist/ui is missing): run `npm run build`. The JSON API is under /api/ (see /api/openapi.json).\n');
      }
      const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      reply.header('cache-control', file === index ? 'no-cache' : 'public, max-age=300');
      return reply.type(type).send(readFileSync(file));
    },
  });
}
