/**
 * The knowledge DB: feeds → raw records → normalised advisories, lifecycle, KEV, EPSS and CVE records in a
 * local SQLite store, answered per inventory in one batched query (`slice`). See the README.
 */
import { existsSync } from 'node:fs';
import { KnowledgeStore, openReadonly } from './store/sqlite.js';

export { KnowledgeStore, KnowledgeDbError, STALE_DAYS } from './store/sqlite.js';
export type { FeedStatus, Rejection } from './types.js';
export { importPath, reindexDb, type ImportSummary, type ImportOptions } from './import/index.js';
export { exportDb, type ExportSummary } from './export/bundle.js';
export { updateFeeds, FEED_SOURCES, type UpdateOptions, type UpdateSummary } from './update/index.js';

/** The store at `dbPath`, read-only; null when the file does not exist; throws KnowledgeDbError when damaged. */
export function openKnowledge(dbPath: string, now: () => Date = () => new Date()): KnowledgeStore | null {
  if (!existsSync(dbPath)) return null;
  return new KnowledgeStore(openReadonly(dbPath), now);
}
