/** Shared data location, a tiny tar writer, and a loopback mirror laid out like the upstream URLs. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { parse as parseYaml } from 'yaml';
import { FEED_SOURCES, mirrorUrl } from '../../src/knowledge/update/sources.js';

export const sharedData = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
export const haveShared = existsSync(join(sharedData, 'kev/known_exploited_vulnerabilities.json'));
export const SKIP_SHARED = haveShared ? false : `../shared/data is absent (${sharedData}): real-data tests skipped`;

/** A ustar archive of { name: bytes }. */
export function tar(files: Record<string, Uint8Array | string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const body = Buffer.from(content);
    const h = Buffer.alloc(512);
    h.write(name.slice(0, 99), 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0' + '00', 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function walk(dir: string, base = dir, out: Record<string, Buffer> = {}): Record<string, Buffer> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else out[p.slice(base.length + 1)] = readFileSync(p);
  }
  return out;
}

/** endoflife.date API v1 answer built from a repository products/*.md file (the API is generated from them). */
export function endoflifeApi(md: string, product: string): string {
  const fm = parseYaml(md.split(/^---$/m)[1]!) as { releases: Record<string, unknown>[] };
  const d = (v: unknown) => (typeof v === 'string' ? v : null);
  return JSON.stringify({
    schema_version: '1.2.0',
    result: {
      name: product,
      releases: fm.releases.map((r) => ({
        name: String(r.releaseCycle),
        codename: r.codename ?? null,
        releaseDate: d(r.releaseDate),
        isLts: r.lts === true,
        eoasFrom: d(r.eoas),
        isEoas: r.eoas === true,
        eolFrom: d(r.eol),
        isEol: r.eol === true,
        eoesFrom: d(r.eoes),
        isEoes: r.eoes === true,
        latest: r.latest ? { name: String(r.latest), date: d(r.latestReleaseDate) } : null,
      })),
    },
  });
}

/** Upstream URL → bytes, built from ../shared/data in each feed's upstream form. */
export function upstreamFiles(): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  const src = (feed: string) => FEED_SOURCES.find((s) => s.feed === feed)!.urls;
  const rd = (p: string) => readFileSync(join(sharedData, p));
  m.set(src('kev')[0]!, rd('kev/known_exploited_vulnerabilities.json'));
  m.set(src('php-version-audit')[0]!, rd('php-version-audit/rules-v1.json'));
  m.set(src('nginx')[0]!, rd('upstream-advisories/nginx/security_advisories.xml'));
  const di = src('distro-info');
  m.set(di[0]!, rd('debian/distro-info-data/debian.csv'));
  m.set(di[1]!, rd('debian/distro-info-data/ubuntu.csv'));
  const dt = src('debian-tracker');
  m.set(dt[0]!, rd('debian/security-tracker/DSA-list'));
  m.set(dt[1]!, rd('debian/security-tracker/DLA-list'));
  const cpe = src('debian-cpe');
  m.set(cpe[0]!, rd('debian/security-tracker/CPE-list'));
  m.set(cpe[1]!, rd('debian/security-tracker/CPE-aliases'));
  for (const u of src('endoflife')) {
    const product = u.split('/').filter(Boolean).pop()!;
    const f = join(sharedData, 'endoflife/md', `${product}.md`);
    if (existsSync(f)) m.set(u, Buffer.from(endoflifeApi(readFileSync(f, 'utf8'), product)));
  }
  const httpd = walk(join(sharedData, 'upstream-advisories/httpd/json'));
  m.set(src('httpd')[0]!, gzipSync(tar(Object.fromEntries(Object.entries(httpd).map(([k, v]) => [`httpd-site-main/content/security/json/${k}`, v])))));
  const fop = walk(join(sharedData, 'friendsofphp/selected'));
  m.set(src('friendsofphp')[0]!, gzipSync(tar(Object.fromEntries(Object.entries(fop).map(([k, v]) => [`security-advisories-master/${k}`, v])))));
  const alma = walk(join(sharedData, 'osv/almalinux/advisories'));
  m.set(src('osv-almalinux')[0]!, Buffer.from(zipSync(Object.fromEntries(Object.entries(alma).map(([k, v]) => [k.split('/').pop()!, new Uint8Array(v)])))));
  return m;
}

export interface Mirror {
  url: string;
  requests: { path: string; status: number }[];
  /** Per mirror path: a behaviour override. */
  behave: Map<string, (req: IncomingMessage, res: ServerResponse, n: number) => boolean>;
  close(): Promise<void>;
}

/** Serve `files` (upstream URL → bytes) at `<mirror>/<host>/<path>` on 127.0.0.1 with ETag / 304. */
export async function startMirror(files: Map<string, Buffer>): Promise<Mirror> {
  const byPath = new Map<string, Buffer>();
  for (const [u, b] of files) byPath.set(new URL(mirrorUrl('http://x', u)).pathname, b);
  const requests: Mirror['requests'] = [];
  const behave: Mirror['behave'] = new Map();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const done = (status: number) => requests.push({ path, status });
    const b = behave.get(path);
    if (b && b(req, res, n)) {
      done(res.statusCode);
      return;
    }
    const body = byPath.get(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return done(404);
    }
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return done(304);
    }
    res.writeHead(200, { etag, 'content-length': body.length, 'last-modified': 'Sat, 22 Aug 2026 00:00:00 GMT' }).end(body);
    done(200);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    behave,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function mirrorPath(upstream: string): string {
  return new URL(mirrorUrl('http://x', upstream)).pathname;
}
