/**
 * Crash safety: every change is built in a copy beside the DB and switched in with one rename, so killing
 * mamori at any moment leaves the previous DB whole. A lock file keeps two writers apart; leftovers of a
 * killed run (build copies, a lock whose process is gone) are cleaned up by the next run.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { KnowledgeDbError, KnowledgeStore, openWritable } from './sqlite.js';
import type { FeedBuild, FeedStore } from './ports.js';
import type { FeedStatus } from '../types.js';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(dbPath: string): () => void {
  mkdirSync(dirname(dbPath), { recursive: true });
  const lock = `${dbPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let pid = NaN;
      try {
        pid = Number(readFileSync(lock, 'utf8').trim());
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // released meanwhile: try again
        continue;
      }
      // An empty lock file: its writer is between creating and filling it (unless it was killed there long ago).
      if (!pid && Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 5000) throw new KnowledgeDbError(`another mamori is updating ${dbPath}; wait for it to finish`, 'locked');
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
        throw new KnowledgeDbError(`another mamori (pid ${pid}) is updating ${dbPath}; wait for it to finish`, 'locked');
      }
      rmSync(lock, { force: true }); // left by a killed run
    }
  }
  throw new KnowledgeDbError(`cannot lock ${dbPath}`, 'locked');
}

/** acquireLock, waiting (polling) while another live mamori holds the lock, up to `timeoutMs`. */
export async function acquireLockWaiting(dbPath: string, timeoutMs: number): Promise<() => void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return acquireLock(dbPath);
    } catch (err) {
      if (!(err instanceof KnowledgeDbError) || err.code !== 'locked' || Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Remove build copies left by killed runs (their process is gone). */
export function cleanLeftovers(dbPath: string): void {
  const dir = dirname(dbPath);
  const base = basename(dbPath);
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) {
    const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.build-(\\d+)(-wal|-shm|-journal)?$`).exec(f);
    if (m && !pidAlive(Number(m[1]))) rmSync(join(dir, f), { force: true });
  }
}

export function buildPath(dbPath: string): string {
  return `${dbPath}.build-${process.pid}`;
}

/** Start a build: a copy of the current DB (or a new one) opened for writing. */
export function beginBuild(dbPath: string, fresh = false): { path: string; db: Database.Database } {
  cleanLeftovers(dbPath);
  const path = buildPath(dbPath);
  for (const s of ['', '-wal', '-shm', '-journal']) rmSync(path + s, { force: true });
  if (!fresh && existsSync(dbPath)) copyFileSync(dbPath, path);
  try {
    return { path, db: openWritable(path) };
  } catch (err) {
    for (const s of ['', '-wal', '-shm', '-journal']) rmSync(path + s, { force: true });
    if (err instanceof KnowledgeDbError) throw err;
    throw new KnowledgeDbError(
      `the knowledge DB ${dbPath} is damaged or not a database (${(err as Error).message}); move it away (for example to ${dbPath}.damaged) and run the command again to rebuild it`,
    );
  }
}

function fsyncPath(p: string): void {
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Finish a build: fold the WAL in, close, fsync and rename over the DB. */
export function commitBuild(dbPath: string, build: { path: string; db: Database.Database }): void {
  build.db.pragma('wal_checkpoint(TRUNCATE)');
  build.db.pragma('journal_mode = DELETE');
  build.db.close();
  fsyncPath(build.path);
  publishFile(build.path, dbPath);
}

/** Rename a finished file over the DB (and fsync the directory). */
export function publishFile(from: string, dbPath: string): void {
  if (process.env.MAMORI_TEST_CRASH_BEFORE_RENAME === '1') process.kill(process.pid, 'SIGKILL');
  renameSync(from, dbPath);
  for (const s of ['-wal', '-shm']) rmSync(dbPath + s, { force: true });
  fsyncPath(dirname(dbPath));
}

export function abortBuild(build: { path: string; db: Database.Database }): void {
  if (build.db.open) build.db.close();
  for (const s of ['', '-wal', '-shm', '-journal']) rmSync(build.path + s, { force: true });
}

/** The SQLite DB at `dbPath` behind the write port: a build is a copy beside it, committed by one rename. */
export function sqliteFeedStore(dbPath: string, now: () => Date = () => new Date()): FeedStore {
  return {
    lock: () => acquireLock(dbPath),
    begin(opts = {}): FeedBuild {
      const build = beginBuild(dbPath, opts.fresh);
      return { writer: new KnowledgeStore(build.db, now), commit: () => commitBuild(dbPath, build), abort: () => abortBuild(build) };
    },
  };
}

/**
 * Install a whole store file (a bundle made by `db export`): `write` puts it beside the DB, where it is
 * migrated, read, shown to `accept` (which throws to refuse it) and renamed over the DB. Returns its feeds.
 * On any failure the DB stays as it was and the copy is removed.
 */
export function installStoreFile(dbPath: string, write: (path: string) => void, accept?: (feeds: FeedStatus[]) => void): FeedStatus[] {
  cleanLeftovers(dbPath);
  const path = buildPath(dbPath);
  for (const x of ['', '-wal', '-shm', '-journal']) rmSync(path + x, { force: true });
  let build: { path: string; db: Database.Database } | undefined;
  try {
    write(path);
    let db: Database.Database;
    try {
      db = openWritable(path); // migrates an older schema
    } catch (err) {
      throw new KnowledgeDbError(`the bundled DB cannot be opened as a mamori knowledge DB (${(err as Error).message})`);
    }
    build = { path, db };
    const feeds = new KnowledgeStore(db).feeds();
    accept?.(feeds);
    commitBuild(dbPath, build);
    return feeds;
  } catch (err) {
    if (build) abortBuild(build);
    for (const x of ['', '-wal', '-shm', '-journal']) rmSync(path + x, { force: true });
    throw err;
  }
}
