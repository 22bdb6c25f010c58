/**
 * `mamori db export FILE`: a gzip stream holding a header line, a JSON manifest line (schema, feeds, size,
 * SHA-256 of the DB) and a consistent snapshot of the SQLite DB. `db import FILE` recognises it by its magic,
 * checks the checksum and the DB's integrity, then switches it in atomically.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, renameSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { gunzipFile, readContentHead } from '../import/archive.js';
import { KnowledgeDbError, KnowledgeStore, digestOf, openReadonly } from '../store/sqlite.js';
import { SCHEMA_VERSION } from '../store/schema.js';

export const BUNDLE_MAGIC = 'MAMORI-DB-BUNDLE 1\n';

export interface BundleManifest {
  format: 'mamori-db-bundle';
  version: 1;
  createdAt: string;
  schemaVersion: number;
  size: number;
  sha256: string;
  feeds: { name: string; records: number; updatedAt: string | null }[];
}

export interface ExportSummary {
  file: string;
  bytes: number;
  dbBytes: number;
  sha256: string;
  feeds: BundleManifest['feeds'];
}

export async function exportDb(dbPath: string, file: string, now: Date = new Date()): Promise<ExportSummary> {
  const src = openReadonly(dbPath);
  const snap = `${file}.snapshot-${process.pid}`;
  rmSync(snap, { force: true });
  try {
    await src.backup(snap);
    const store = new KnowledgeStore(src, () => now);
    const feeds = store.feeds().filter((f) => f.records > 0).map((f) => ({ name: f.name, records: f.records, updatedAt: f.updatedAt }));
    src.close();
    const snapDb = new Database(snap);
    snapDb.pragma('journal_mode = DELETE');
    snapDb.close();
    const db = readFileSync(snap);
    const manifest: BundleManifest = { format: 'mamori-db-bundle', version: 1, createdAt: now.toISOString(), schemaVersion: SCHEMA_VERSION, size: db.length, sha256: digestOf(db), feeds };
    const body = gzipSync(Buffer.concat([Buffer.from(BUNDLE_MAGIC), Buffer.from(`${JSON.stringify(manifest)}\n`), db]), { level: 6 });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, body);
    renameSync(tmp, file);
    return { file, bytes: body.length, dbBytes: db.length, sha256: manifest.sha256, feeds };
  } finally {
    if (src.open) src.close();
    rmSync(snap, { force: true });
  }
}

/** Is this file an export bundle? (Inflates only the first bytes of a gzip stream.) */
export function looksLikeBundle(path: string): boolean {
  return Buffer.from(readContentHead(path, BUNDLE_MAGIC.length)).toString('latin1') === BUNDLE_MAGIC;
}

const SQLITE_MAGIC = 'SQLite format 3\0';
/** A manifest line longer than this is not a manifest. */
const MAX_MANIFEST = 1024 * 1024;

/**
 * Unpack and verify a bundle file into `outPath`, streamed: the DB part is written to disk as it inflates and
 * hashed on the way, so a bundle is never held in memory. Checks, each a KnowledgeDbError naming what is
 * wrong: the manifest, the size and SHA-256 it declares, the schema, SQLite's header and its integrity check.
 * On any failure `outPath` is removed. Returns the manifest.
 */
export function unpackBundle(path: string, outPath: string): BundleManifest {
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let manifest: BundleManifest | undefined;
  let problem: string | undefined;
  let size = 0;
  let fd: number | undefined;
  const fail = (why: string) => {
    problem ??= why;
    return false;
  };
  const writeDb = (b: Uint8Array): boolean => {
    size += b.length;
    if (size > manifest!.size) return fail('the bundle holds more bytes than its manifest declares; copy it again');
    hash.update(b);
    try {
      fd ??= openSync(outPath, 'w');
      writeSync(fd, b);
    } catch (err) {
      // handled: a full disk or a read-only directory is named as such, not as a damaged bundle
      return fail(`cannot write the bundled DB to ${outPath} (${(err as Error).message})`);
    }
    return true;
  };
  /** The header is whole (magic, manifest line, SQLite's magic) or the stream ended: judge it, then stream. */
  const start = (ended: boolean): boolean => {
    const nl = head.indexOf(0x0a, BUNDLE_MAGIC.length);
    if (nl < 0) return ended || head.length > MAX_MANIFEST ? fail('the bundle has no manifest') : true;
    const rest = head.subarray(nl + 1);
    if (rest.length < SQLITE_MAGIC.length && !ended) return true;
    try {
      manifest = parseManifest(head.subarray(BUNDLE_MAGIC.length, nl));
    } catch (err) {
      return fail((err as Error).message);
    }
    head = Buffer.alloc(0);
    if (Buffer.from(rest.subarray(0, SQLITE_MAGIC.length)).toString('latin1') !== SQLITE_MAGIC) {
      return fail('the bundle does not hold a SQLite database (wrong header); it was not made by `mamori db export`');
    }
    return writeDb(rest);
  };
  try {
    const stop = gunzipFile(
      path,
      {
        write(chunk) {
          if (manifest) return writeDb(chunk);
          head = Buffer.concat([head, chunk]);
          return start(false);
        },
        end(damaged) {
          if (damaged) fail(`the bundle is truncated or damaged (${damaged}); copy it again`);
          else if (!manifest) start(true);
        },
      },
      MAX_BUNDLE_BYTES,
    );
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    if (problem === undefined && stop) problem = /^decompresses/.test(stop) ? `the bundle ${stop}` : `the bundle is truncated or damaged (${stop}); copy it again`;
    if (problem !== undefined) throw new KnowledgeDbError(problem);
    const m = manifest!;
    // a cut gzip stream does not always fail to inflate (a cut on a block boundary inflates cleanly): fewer
    // bytes than the manifest declares is a truncated bundle, whatever the inflater said
    if (size < m.size) throw new KnowledgeDbError(`the bundle is truncated or damaged (it holds ${size} of the ${m.size} bytes its manifest declares); copy it again`);
    if (size !== m.size || hash.digest('hex') !== m.sha256) throw new KnowledgeDbError('the bundle checksum does not match its content; copy it again');
    checkDb(outPath);
    return m;
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(outPath, { force: true });
    throw err;
  }
}

/** The most a bundle may inflate to. */
const MAX_BUNDLE_BYTES = 8 * 1024 * 1024 * 1024;

function parseManifest(line: Uint8Array): BundleManifest {
  let m: unknown;
  try {
    m = JSON.parse(Buffer.from(line).toString('utf8'));
  } catch (err) {
    throw new KnowledgeDbError(`the bundle manifest is not JSON (${(err as Error).message})`);
  }
  const o = m as Partial<BundleManifest>;
  if (!o || typeof o !== 'object' || o.format !== 'mamori-db-bundle' || typeof o.size !== 'number' || typeof o.sha256 !== 'string') {
    throw new KnowledgeDbError('the bundle manifest is not a mamori bundle manifest (format, size, sha256)');
  }
  if (!Number.isInteger(o.schemaVersion) || o.schemaVersion! < 1) throw new KnowledgeDbError(`the bundle has an unknown schema (${JSON.stringify(o.schemaVersion)})`);
  if (o.schemaVersion! > SCHEMA_VERSION) throw new KnowledgeDbError(`the bundle has schema ${o.schemaVersion}, newer than this mamori (${SCHEMA_VERSION})`);
  if (!Array.isArray(o.feeds)) o.feeds = [];
  return o as BundleManifest;
}

/** The unpacked file is a SQLite DB that passes its integrity check, with mamori's schema. */
function checkDb(path: string): void {
  let check: Database.Database | undefined;
  try {
    check = new Database(path, { readonly: true, fileMustExist: true });
    const r = check.pragma('quick_check', { simple: true });
    if (r !== 'ok') throw new KnowledgeDbError(`the bundled DB fails its integrity check: ${String(r)}`);
    const v = check.pragma('user_version', { simple: true }) as number;
    if (v < 1 || v > SCHEMA_VERSION) throw new KnowledgeDbError(`the bundled DB has an unknown schema (user_version ${v})`);
    check.prepare('SELECT count(*) FROM feeds').get();
  } catch (err) {
    if (err instanceof KnowledgeDbError) throw err;
    throw new KnowledgeDbError(`the bundled DB cannot be read as a mamori knowledge DB (${(err as Error).message})`);
  } finally {
    check?.close();
  }
}
