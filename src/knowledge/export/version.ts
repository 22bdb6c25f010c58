/**
 * The knowledge version: a short digest of what identifies the data of a knowledge DB (each feed's name,
 * update time and source, the snapshot metadata, the schema), the same on the server and on every worker that
 * imported the server's bundle. It is the strong ETag of `GET /api/knowledge/bundle` and the `knowledgeVersion`
 * recorded with each scan. Feed errors (a failed refresh that changed no data) do not change it.
 *
 * The bundle cache makes one export per version (the export is a consistent SQLite backup, seconds on a full
 * DB) and serves it to every worker until the version changes; concurrent requests share one export.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exportDb } from './bundle.js';

export function knowledgeVersion(dbPath: string): string | null {
  if (!existsSync(dbPath)) return null;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const h = createHash('sha256');
    h.update(`schema:${String(db.pragma('user_version', { simple: true }))}\n`);
    for (const r of db.prepare('SELECT name, updated_at, source FROM feeds ORDER BY name').all() as { name: string; updated_at: string | null; source: string | null }[]) {
      h.update(`feed:${r.name}\t${r.updated_at ?? ''}\t${r.source ?? ''}\n`);
    }
    for (const r of db.prepare('SELECT key, value FROM meta ORDER BY key').all() as { key: string; value: string }[]) h.update(`meta:${r.key}\t${r.value}\n`);
    return `k1-${h.digest('hex').slice(0, 24)}`;
  } finally {
    db.close();
  }
}

export interface BundleFile {
  version: string;
  file: string;
  bytes: number;
}

export function bundleCache(dbPath: string, dir: string) {
  let inflight: { version: string; p: Promise<BundleFile> } | undefined;
  return {
    /** The bundle of the DB's current version (made on first request); null when there is no knowledge DB. */
    async current(): Promise<BundleFile | null> {
      const version = knowledgeVersion(dbPath);
      if (!version) return null;
      if (inflight?.version === version) return inflight.p;
      const file = join(dir, `bundle-${version}.gz`);
      const p = (async () => {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!existsSync(file)) await exportDb(dbPath, file);
        for (const f of readdirSync(dir)) if (/^bundle-k1-[0-9a-f]+\.gz$/.test(f) && join(dir, f) !== file) rmSync(join(dir, f), { force: true });
        return { version, file, bytes: statSync(file).size };
      })();
      inflight = { version, p };
      p.catch(() => {
        if (inflight?.p === p) inflight = undefined;
      });
      return p;
    },
  };
}
