/**
 * The embedded knowledge snapshot: upstream files vendored in the package's `data/` (listed, with source,
 * date and licence, in `data/SOURCES.tsv`), loaded into the DB on first use without any network. Each feed's
 * "updated" date is the date of its data, never the load time, so ages and staleness stay honest.
 *
 * Adding a vendored set = its files under `data/<name>/` + one row in `data/SOURCES.tsv`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestTree } from '../import/index.js';
import { emptySummary, type IngestSummary } from '../import/ingest.js';
import { listFiles } from '../import/archive.js';
import { KnowledgeDbError, KnowledgeStore } from '../store/sqlite.js';
import { abortBuild, acquireLockWaiting, beginBuild, commitBuild } from '../store/swap.js';

export const SOURCES_FILE = 'SOURCES.tsv';
const COLUMNS = ['path', 'feed', 'date', 'source', 'upstream_path', 'version', 'licence', 'licence_file'] as const;

export interface VendoredSource {
  /** File or folder relative to data/. */
  path: string;
  /** The feed its records belong to (documentation; the parsers decide). */
  feed: string;
  /** Date of the data, YYYY-MM-DD. */
  date: string;
  source: string;
  upstreamPath: string;
  version: string;
  licence: string;
  /** Licence text relative to data/, or `-` when there is none (facts only). */
  licenceFile: string;
}

export interface EmbeddedData {
  dir: string;
  sources: VendoredSource[];
  /** Newest and oldest data date (YYYY-MM-DD). */
  date: string;
  oldest: string;
}

/** Parse data/SOURCES.tsv (tab-separated, `#` comments, a header row). */
export function parseSources(text: string, where = SOURCES_FILE): VendoredSource[] {
  const out: VendoredSource[] = [];
  let header = false;
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim() || line.startsWith('#')) continue;
    const cells = line.split('\t');
    if (!header) {
      if (cells.join('\t') !== COLUMNS.join('\t')) throw new KnowledgeDbError(`${where}:${i + 1}: expected the header ${COLUMNS.join(' ')}`);
      header = true;
      continue;
    }
    if (cells.length !== COLUMNS.length || cells.some((c) => !c.trim())) throw new KnowledgeDbError(`${where}:${i + 1}: expected ${COLUMNS.length} non-empty tab-separated cells`);
    const [path, feed, date, source, upstreamPath, version, licence, licenceFile] = cells as [string, string, string, string, string, string, string, string];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw new KnowledgeDbError(`${where}:${i + 1}: date ${date} is not YYYY-MM-DD`);
    if (path.startsWith('/') || path.split('/').includes('..')) throw new KnowledgeDbError(`${where}:${i + 1}: path ${path} must stay inside data/`);
    out.push({ path, feed, date, source, upstreamPath, version, licence, licenceFile });
  }
  return out;
}

/**
 * The package's data/ folder: beside the package.json of mamori above this module (src/, dist/ and
 * dist/bundle/ alike, in a checkout or under node_modules/mamori). `MAMORI_EMBEDDED_DATA` overrides it
 * (`none` disables the embedded snapshot).
 */
export function findEmbeddedData(env: NodeJS.ProcessEnv = process.env): string | null {
  const override = env.MAMORI_EMBEDDED_DATA;
  if (override === 'none') return null;
  if (override) return resolve(override);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(join(dir, 'data', SOURCES_FILE)) && existsSync(pkg) && /"name"\s*:\s*"mamori"/.test(readFileSync(pkg, 'utf8'))) return join(dir, 'data');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

export function readEmbeddedData(dir: string): EmbeddedData {
  const file = join(dir, SOURCES_FILE);
  const sources = parseSources(readFileSync(file, 'utf8'), file);
  if (!sources.length) throw new KnowledgeDbError(`${file} lists no files`);
  for (const s of sources) if (!existsSync(join(dir, s.path))) throw new KnowledgeDbError(`${file}: ${s.path} does not exist`);
  const dates = sources.map((s) => s.date).sort();
  return { dir, sources, date: dates[dates.length - 1]!, oldest: dates[0]! };
}

export interface EmbeddedLoad {
  /** False when the DB already existed (possibly made meanwhile by another process). */
  loaded: boolean;
  data?: EmbeddedData;
  summary?: IngestSummary;
  durationMs: number;
}

/**
 * Build the DB at `dbPath` from the embedded data when there is none yet. Concurrent first uses: one process
 * builds under the lock and renames the finished file in; the others wait for the lock, then find the DB.
 */
export async function loadEmbedded(dbPath: string, opts: { now?: Date; dataDir?: string | null; waitMs?: number } = {}): Promise<EmbeddedLoad> {
  const started = performance.now();
  if (existsSync(dbPath)) return { loaded: false, durationMs: 0 };
  const dir = opts.dataDir === undefined ? findEmbeddedData() : opts.dataDir;
  if (!dir) return { loaded: false, durationMs: 0 };
  const data = readEmbeddedData(dir);
  const now = opts.now ?? new Date();
  try {
    return await build(dbPath, data, now, started, opts.waitMs ?? 120_000);
  } catch (err) {
    if (err instanceof KnowledgeDbError || !(err as NodeJS.ErrnoException).code) throw err;
    throw new KnowledgeDbError(`cannot write the knowledge DB at ${dbPath} (${(err as Error).message}); set MAMORI_HOME to a writable directory or give --db PATH`);
  }
}

async function build(dbPath: string, data: EmbeddedData, now: Date, started: number, waitMs: number): Promise<EmbeddedLoad> {
  const dir = data.dir;
  const release = await acquireLockWaiting(dbPath, waitMs);
  try {
    if (existsSync(dbPath)) return { loaded: false, durationMs: performance.now() - started };
    const build = beginBuild(dbPath, true);
    try {
      const store = new KnowledgeStore(build.db, () => now);
      const total = emptySummary();
      const feedDate = new Map<string, { date: string; source: string }>();
      for (const src of data.sources) {
        const s = emptySummary();
        const root = join(dir, src.path);
        const files = listFiles(root).map((e) => ({ rel: root === e.abs ? src.path : join(src.path, e.rel), abs: e.abs }));
        ingestTree(store, files, now.toISOString(), s);
        for (const f of s.feeds) {
          // A feed fed by several rows is as old as its oldest data.
          const prev = feedDate.get(f.name);
          if (!prev || src.date < prev.date) feedDate.set(f.name, { date: src.date, source: src.source });
        }
        total.feeds.push(...s.feeds);
        total.rejected.push(...s.rejected);
        total.rejectedTotal += s.rejectedTotal;
        total.unrecognised.push(...s.unrecognised);
        total.problems.push(...s.problems);
        total.files += s.files;
      }
      if (total.unrecognised.length) throw new KnowledgeDbError(`embedded data: ${total.unrecognised.map((u) => `${u.file} (${u.reason})`).join(', ')} not recognised`);
      for (const [feed, d] of feedDate) store.markFeed(feed, `${d.date}T00:00:00.000Z`, `embedded: ${d.source}`);
      store.setMeta('snapshot.kind', 'embedded');
      store.setMeta('snapshot.at', `${data.date}T00:00:00.000Z`);
      store.setMeta('snapshot.embedded', `${data.date}T00:00:00.000Z`);
      store.setMeta('snapshot.loadedAt', now.toISOString());
      commitBuild(dbPath, build);
      return { loaded: true, data, summary: total, durationMs: performance.now() - started };
    } catch (err) {
      abortBuild(build);
      throw err;
    }
  } finally {
    release();
  }
}
