/**
 * The write side of the knowledge store, as the import, the update and the re-index see it: raw records and
 * their normalised rows, feed state, HTTP validators, and a build that is begun, then committed or aborted as
 * one. The SQLite store implements it with its build-aside copy and one rename (./swap.ts); a PostgreSQL
 * store implements it with one transaction. Nothing outside src/knowledge/store sees a database handle.
 * (The read side is src/core/knowledge.ts: KnowledgeProvider → KnowledgeSource.)
 */
import type { FeedStatus, Normalized } from '../types.js';

export interface PutResult {
  status: 'new' | 'replaced' | 'unchanged' | 'kept-previous';
  records: number;
  rejected: number;
}

export interface RawRecord {
  feed: string;
  format: string;
  key: string;
  source: string;
  fetchedAt: string;
  bytes: Uint8Array;
}

export interface FeedWriter {
  /** Store one raw record and its normalised rows; a record that failed as a whole keeps the previous rows. */
  putRaw(p: RawRecord & { out: Normalized; force?: boolean }): PutResult;
  rawBody(format: string, key: string): Uint8Array | undefined;
  /** Every raw record, for re-normalising after a parser fix. */
  rawRecords(): Iterable<RawRecord>;
  markFeed(name: string, updatedAt: string, source: string): void;
  markFeedError(name: string, error: string, at: string): void;
  feeds(): FeedStatus[];
  httpValidators(url: string): { etag: string | null; lastModified: string | null } | undefined;
  setHttpValidators(url: string, etag: string | null, lastModified: string | null, at: string): void;
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** CPEs Debian links to a source package, with their aliases. */
  cpesForPackage(pkg: string): string[];
  /** Debian codename → release (`bookworm` → `12`) from the distro-info data already stored. */
  debianCodenames(): Map<string, string>;
  /** Run `fn` as one unit of writing (one transaction; each record inside is its own savepoint). */
  batch<T>(fn: () => T): T;
}

/** One build of the store: everything written through `writer` appears at `commit()`, or not at all. */
export interface FeedBuild {
  readonly writer: FeedWriter;
  commit(): void;
  abort(): void;
}

export interface FeedStore {
  /** Keep other writers out until the returned function is called. */
  lock(): () => void;
  /** Begin a build on the current data (`fresh`: on an empty store). */
  begin(opts?: { fresh?: boolean }): FeedBuild;
}
