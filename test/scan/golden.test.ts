/**
 * Golden outputs of a fixed set of scans: two captured hosts (fixture transport), one site (a loopback server
 * over test/fixtures/site/old) and one files scan (a copy of the same tree), each rendered as JSON, SARIF,
 * CSV and the table, in English and Japanese. The files under test/fixtures/golden were written by the
 * pipeline as it stood in src/cli before the application layer (src/scan) existed; the refactoring must keep
 * every byte (the import's timestamps and temp paths normalised). `MAMORI_UPDATE_GOLDEN=1` rewrites them — only
 * for a change of output made on purpose, named in the commit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderers } from '../../src/report/index.js';
import type { Lang, ReportDocument } from '../../src/core/model.js';
import { buildDb, hasSharedData, sharedData, SKIP_NO_DATA } from '../assess/helpers.js';
import { FixtureTransport, fixturesDir } from '../host/fixture-transport.js';
import { fixtureRoot } from '../site/servers.js';
import { scanFilesDoc, scanHostDoc, scanSiteDoc } from './golden-driver.js';

const goldenDir = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
const update = process.env.MAMORI_UPDATE_GOLDEN === '1';
/** The clock of every scan here: the assessment's dates (days left, expiry) are fixed. */
export const NOW = new Date('2026-11-23T00:00:00Z');

let db: ReturnType<typeof buildDb> | undefined;
/** When the knowledge DB was imported: the feeds' updatedAt. */
let imported: { from: number; to: number; days: string[] } = { from: 0, to: 0, days: [] };
let server: Server | undefined;
let siteUrl = '';
let filesRoot = '';
const tmp = mkdtempSync(join(tmpdir(), 'mamori-golden-'));

const SITE_HOST = '127.54.91.7';
const SITE_PORT = 28443;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.php': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'application/javascript', '.txt': 'text/plain', '.xml': 'application/xml', '.csv': 'text/csv', '.sql': 'application/octet-stream', '.log': 'text/plain' };

before(async () => {
  const from = Date.now();
  if (hasSharedData) db = buildDb();
  const to = Date.now();
  imported = { from, to, days: [...new Set([from, to].map((t) => new Date(t).toISOString().slice(0, 10)))] };
  const root = join(fixtureRoot, 'old');
  // An old shop: Apache 2.2 and PHP 5.3 banners, dot files under their real names, no Date header.
  server = createServer((req, res) => {
    res.sendDate = false;
    const h = { server: 'Apache/2.2.15 (CentOS)', 'x-powered-by': 'PHP/5.3.3' };
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/\/\.(env|git)(?=\/|$)/, '/_$1');
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) return void res.writeHead(404, h).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404, { ...h, 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>');
    const body = readFileSync(file);
    res.writeHead(200, { ...h, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'set-cookie': 'PHPSESSID=0123456789abcdef; path=/' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  // A fixed address and port: finding ids hash the URL, and their order breaks ties by id. Nobody else
  // listens on this address of the loopback network.
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject);
    server!.listen(SITE_PORT, SITE_HOST, () => resolve());
  });
  siteUrl = `http://${SITE_HOST}:${SITE_PORT}/`;
  filesRoot = join(tmp, 'docroot');
  mkdirSync(filesRoot);
  cpSync(root, filesRoot, { recursive: true });
});

after(async () => {
  db?.cleanup();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(tmp, { recursive: true, force: true });
});

/** The captured hosts, with the checkout's path out of their error messages (a table wraps by their length). */
class PortableFixture extends FixtureTransport {
  override async walk(root: string, opts: { maxDepth: number; maxEntries: number }) {
    const r = await super.walk(root, opts);
    return r.error ? { ...r, error: r.error.split(fixturesDir).join('/fixtures/host/') } : r;
  }
}

const FORMATS = ['json', 'sarif', 'csv', 'table', 'html'] as const;

/** Temp paths and the import's clock replaced by fixed words, so two runs compare byte for byte. */
function normalise(text: string): string {
  let out = text.split(filesRoot).join('/golden/docroot');
  out = out.split(sharedData).join('/golden/shared-data');
  if (db) out = out.split(db.dbPath).join('/golden/db.sqlite');
  out = out.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, (iso) => {
    const t = Date.parse(iso);
    return t >= imported.from && t <= imported.to ? 'IMPORTED-AT' : iso;
  });
  for (const day of imported.days) out = out.split(day).join('IMPORTED-ON');
  return out;
}

async function renderAll(name: string, doc: ReportDocument, lang: Lang): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of FORMATS) {
    const body = await renderers[f]!(doc, { lang, columns: 160, color: false });
    out[`${name}.${lang}.${f === 'table' ? 'txt' : f === 'sarif' ? 'sarif.json' : f}`] = normalise(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  }
  return out;
}

function check(files: Record<string, string>): void {
  mkdirSync(goldenDir, { recursive: true });
  for (const [file, body] of Object.entries(files)) {
    const p = join(goldenDir, file);
    if (update || !existsSync(p)) {
      writeFileSync(p, body);
      continue;
    }
    assert.equal(body, readFileSync(p, 'utf8'), `${file} differs from the golden output (MAMORI_UPDATE_GOLDEN=1 rewrites it after a change made on purpose)`);
  }
}

for (const system of ['centos6', 'ubuntu2204']) {
  test(`host ${system}: JSON, SARIF, CSV and table are unchanged`, async (t) => {
    if (!db) return t.skip(SKIP_NO_DATA);
    for (const lang of ['en', 'ja'] as const) {
      const doc = await scanHostDoc(new PortableFixture(system), { dbPath: db.dbPath, lang, now: NOW });
      check(await renderAll(`host-${system}`, doc, lang));
    }
  });
}

test('site: JSON, SARIF, CSV and table are unchanged', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  for (const lang of ['en', 'ja'] as const) {
    const doc = await scanSiteDoc(siteUrl, { dbPath: db.dbPath, lang, now: NOW });
    check(await renderAll('site-old', doc, lang));
  }
});

test('files: JSON, SARIF, CSV and table are unchanged', async (t) => {
  if (!db) return t.skip(SKIP_NO_DATA);
  for (const lang of ['en', 'ja'] as const) {
    const doc = await scanFilesDoc(filesRoot, { dbPath: db.dbPath, lang, now: NOW });
    check(await renderAll('files-old', doc, lang));
  }
});
