/**
 * `mamori db export FILE`: a gzip stream holding a header line, a JSON manifest line (schema, feeds, size,
 * SHA-256 of the DB) and a consistent snapshot of the SQLite DB. `db import FILE` recognises it by its magic,
 * checks the checksum and the DB's integrity, then switches it in atomically.
 */
import Database from 'better-sqlite3';
import { readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { gunzipBounded, isGzip } from '../import/archive.js';
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

/** Is this file an export bundle? (Reads only the start of the gzip stream.) */
export function looksLikeBundle(bytes: Uint8Array): boolean {
  if (!isGzip(bytes)) return false;
  const head = gunzipBounded(bytes.subarray(0, Math.min(bytes.length, 4096)), 64 * 1024).bytes;
  return Buffer.from(head.subarray(0, BUNDLE_MAGIC.length)).toString('latin1') === BUNDLE_MAGIC;
}

/** Unpack and verify a bundle into `outPath`; returns its manifest. */
export function unpackBundle(bytes: Uint8Array, outPath: string): BundleManifest {
  const g = gunzipBounded(bytes);
  if (g.truncated) throw new KnowledgeDbError('the bundle is truncated (gzip stream ends early); copy it again');
  const all = Buffer.from(g.bytes.buffer, g.bytes.byteOffset, g.bytes.length);
  const nl = all.indexOf(0x0a, BUNDLE_MAGIC.length);
  if (nl < 0) throw new KnowledgeDbError('the bundle has no manifest');
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(all.subarray(BUNDLE_MAGIC.length, nl).toString('utf8')) as BundleManifest;
  } catch (err) {
    throw new KnowledgeDbError(`the bundle manifest is not JSON (${(err as Error).message})`);
  }
  const db = all.subarray(nl + 1);
  if (manifest.format !== 'mamori-db-bundle' || db.length !== manifest.size || digestOf(db) !== manifest.sha256) {
    throw new KnowledgeDbError('the bundle checksum does not match its content; copy it again');
  }
  if (manifest.schemaVersion > SCHEMA_VERSION) throw new KnowledgeDbError(`the bundle has schema ${manifest.schemaVersion}, newer than this mamori (${SCHEMA_VERSION})`);
  writeFileSync(outPath, db);
  const check = new Database(outPath, { readonly: true });
  try {
    const r = check.pragma('quick_check', { simple: true });
    if (r !== 'ok') throw new KnowledgeDbError(`the bundled DB fails its integrity check: ${String(r)}`);
  } finally {
    check.close();
  }
  return manifest;
}
