/**
 * `mamori db import PATH`: a directory or archive of raw upstream files (each recognised by its content), or
 * a bundle made by `db export`. Built aside and switched in atomically; the previous DB stays whole on any
 * failure or kill.
 */
import { existsSync, statSync } from 'node:fs';
import { looksLikeBundle, unpackBundle, type BundleManifest } from '../export/bundle.js';
import { KnowledgeDbError } from '../store/sqlite.js';
import { acquireLock, installStoreFile, sqliteFeedStore } from '../store/swap.js';
import { expandFile, listFiles, readHead, type FileEntry } from './archive.js';
import { batchingSink, codenamesFromStore, emptySummary, renormalise, type IngestSummary } from './ingest.js';
import * as distroInfo from '../feeds/distro-info/parse.js';

export interface ImportOptions {
  now?: Date;
  /** Called per file (progress). */
  onFile?: (i: number, n: number, rel: string) => void;
  /** Take a bundle that holds no feed data at all (it replaces the DB with an empty one). */
  force?: boolean;
}

export interface ImportSummary extends IngestSummary {
  kind: 'raw' | 'bundle';
  dbPath: string;
  durationMs: number;
  /** The bundle's manifest, when a bundle was imported. */
  bundle?: BundleManifest;
  /** True when nothing at all could be imported (the DB was left as it was). */
  failed: boolean;
}

export function importPath(dbPath: string, path: string, opts: ImportOptions = {}): ImportSummary {
  const started = performance.now();
  const now = opts.now ?? new Date();
  if (!existsSync(path)) throw new KnowledgeDbError(`${path} does not exist`);
  const release = acquireLock(dbPath);
  try {
    if (statSync(path).isFile() && looksLikeBundle(path)) return importBundle(dbPath, path, started, opts.force ?? false);
    const build = sqliteFeedStore(dbPath, () => now).begin();
    try {
      const store = build.writer;
      const s = emptySummary();
      ingestTree(store, listFiles(path), now.toISOString(), s, opts.onFile);
      store.setMeta('snapshot.kind', 'imported');
      store.setMeta('snapshot.at', now.toISOString());
      for (const f of s.feeds) if (f.files > f.unchanged || f.records > 0 || f.unchanged > 0) store.markFeed(f.name, now.toISOString(), `import:${path}`);
      const imported = s.feeds.reduce((n, f) => n + f.files, 0);
      const failed = imported === 0;
      if (failed) build.abort();
      else build.commit();
      return { ...s, kind: 'raw', dbPath, durationMs: performance.now() - started, failed };
    } catch (err) {
      build.abort();
      throw err;
    }
  } finally {
    release();
  }
}

/**
 * Ingest files into an open store, one at a time (a large tree never sits in memory at once); distro-info
 * first, so the Debian lists find the codenames imported in the same run.
 */
export function ingestTree(store: Parameters<typeof batchingSink>[0], files: readonly FileEntry[], fetchedAt: string, s: IngestSummary, onFile?: ImportOptions['onFile']): void {
  const isDistroInfo = (abs: string) => distroInfo.recognise(Buffer.from(readHead(abs, 64)).toString('utf8'));
  const entries = [...files].sort((a, b) => Number(isDistroInfo(b.abs)) - Number(isDistroInfo(a.abs)));
  const sink = batchingSink(store, { debianCodenames: codenamesFromStore(store) }, { fetchedAt, summary: s });
  for (const [i, e] of entries.entries()) {
    onFile?.(i, entries.length, e.rel);
    expandFile(e, sink, s.problems);
  }
  sink.finish();
}

function importBundle(dbPath: string, file: string, started: number, force: boolean): ImportSummary {
  let manifest: BundleManifest | undefined;
  const feeds = installStoreFile(
    dbPath,
    (path) => {
      manifest = unpackBundle(file, path); // removes `path` itself on failure
    },
    (all) => {
      // A bundle with no data would silently replace a working DB with an empty one.
      if (all.every((f) => f.records === 0) && !force) {
        throw new KnowledgeDbError(
          `the bundle ${file} holds no feed data (0 records in every feed; manifest lists ${manifest?.feeds.length ?? 0} feed(s)); the knowledge DB was left as it was. Export again from a DB that has data, or add --force to replace the DB with it anyway`,
        );
      }
    },
  ).filter((f) => f.records > 0);
  return {
    kind: 'bundle',
    dbPath,
    durationMs: performance.now() - started,
    bundle: manifest!,
    failed: false,
    feeds: feeds.map((f) => ({ name: f.name, files: 0, unchanged: 0, records: f.records, rejected: f.rejected })),
    rejected: [],
    rejectedTotal: feeds.reduce((n, f) => n + f.rejected, 0),
    unrecognised: [],
    skipped: [],
    problems: [],
    files: 1,
  };
}

/** Re-parse every stored raw record with the current parsers (after a parser fix); no download. */
export function reindexDb(dbPath: string, now: Date = new Date()): IngestSummary {
  if (!existsSync(dbPath)) throw new KnowledgeDbError(`no knowledge DB at ${dbPath}`);
  const release = acquireLock(dbPath);
  try {
    const build = sqliteFeedStore(dbPath, () => now).begin();
    try {
      const store = build.writer;
      const s = renormalise(store, { debianCodenames: codenamesFromStore(store) }, now.toISOString());
      build.commit();
      return s;
    } catch (err) {
      build.abort();
      throw err;
    }
  } finally {
    release();
  }
}
