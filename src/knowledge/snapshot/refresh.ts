/**
 * What a scan does with the knowledge DB before it starts (Trivy's model): on first use, load the embedded
 * snapshot (no network); then, unless offline or told to skip, refresh online every default feed whose data is
 * older than the maximum age (default 24 h), in parallel. A refresh that fails keeps the DB as it was and is
 * reported — it never fails the scan.
 */
import { existsSync } from 'node:fs';
import type { RefreshOutcome } from '../../core/model.js';
import { KnowledgeDbError, KnowledgeStore, openReadonly } from '../store/sqlite.js';
import { updateFeeds, type FeedOutcome, type UpdateOptions } from '../update/index.js';
import { FEED_SOURCES } from '../update/sources.js';
import { loadEmbedded, type EmbeddedLoad } from './index.js';

export const DEFAULT_MAX_AGE_MS = 24 * 3_600_000;

/** The outcomes of the report's `knowledge.snapshot.refresh`, or `no-db`: an explicit --db that does not exist. */
export type RefreshStatus = RefreshOutcome | 'no-db';

export interface PrepareOptions {
  /** Load the embedded snapshot when the DB does not exist (the default DB path only). */
  embedded: boolean;
  /** --offline: no network at all. */
  offline?: boolean;
  /** --skip-db-update: use the DB as it is. */
  skipUpdate?: boolean;
  maxAgeMs?: number;
  now?: Date;
  /** Called with the stale feeds just before they are refreshed. */
  onRefresh?: (feeds: string[]) => void;
  /** Passed to updateFeeds (mirror, config, timeouts, progress…). */
  update?: Omit<UpdateOptions, 'feeds' | 'now'>;
}

export interface PrepareResult {
  embedded: EmbeddedLoad | null;
  status: RefreshStatus;
  /** The feeds that were older than the maximum age (refreshed, or not when offline / skipped). */
  stale: string[];
  outcomes: FeedOutcome[];
  /** Why the refresh failed as a whole (damaged DB, …), or who holds the lock. */
  error?: string;
  /** Age in days of the oldest of the stale feeds' data after all this (null: never updated). */
  oldestDays: number | null;
  /** Why the network looked unreachable during the refresh, when it did. */
  offline?: string;
}

/** Default feeds whose data is missing or older than maxAgeMs. */
export function staleFeeds(store: KnowledgeStore, now: Date, maxAgeMs: number): { names: string[]; oldestDays: number | null } {
  const byName = new Map(store.feeds().map((f) => [f.name, f]));
  const names: string[] = [];
  let oldest: number | null = 0;
  for (const src of FEED_SOURCES) {
    if (!src.byDefault) continue;
    const at = byName.get(src.feed)?.updatedAt;
    const age = at ? now.getTime() - Date.parse(at) : null;
    if (age !== null && age <= maxAgeMs) continue;
    names.push(src.feed);
    oldest = oldest === null || age === null ? null : Math.max(oldest, age / 86_400_000);
  }
  return { names, oldestDays: names.length ? (oldest === null ? null : Math.floor(oldest)) : 0 };
}

export async function prepareKnowledge(dbPath: string, opts: PrepareOptions): Promise<PrepareResult> {
  const now = opts.now ?? new Date();
  const embedded = opts.embedded ? await loadEmbedded(dbPath, { now }) : null;
  if (!existsSync(dbPath)) return { embedded, status: 'no-db', stale: [], outcomes: [], oldestDays: null };
  const check = () => {
    const store = new KnowledgeStore(openReadonly(dbPath), () => now);
    try {
      return staleFeeds(store, now, opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
    } finally {
      store.close();
    }
  };
  let stale: ReturnType<typeof check>;
  try {
    stale = check();
  } catch (err) {
    // A damaged DB: the scan reports it (assess.gap.dbDamaged); nothing to refresh into.
    if (err instanceof KnowledgeDbError) return { embedded, status: 'failed', stale: [], outcomes: [], error: err.message, oldestDays: null };
    throw err;
  }
  const base = { embedded, stale: stale.names, outcomes: [] as FeedOutcome[], oldestDays: stale.oldestDays };
  if (opts.offline) return { ...base, status: 'offline' };
  if (opts.skipUpdate) return { ...base, status: 'skipped' };
  if (!stale.names.length) return { ...base, status: 'fresh' };
  let outcomes: FeedOutcome[];
  let offline: string | undefined;
  opts.onRefresh?.(stale.names);
  try {
    const u = await updateFeeds(dbPath, { ...opts.update, feeds: stale.names, now });
    outcomes = u.feeds;
    offline = u.offline;
  } catch (err) {
    // A file-system error (a read-only $MAMORI_HOME, a full disk) fails the refresh, not the scan.
    if (!(err instanceof KnowledgeDbError) && !(err as NodeJS.ErrnoException).code) throw err;
    return { ...base, status: err instanceof KnowledgeDbError && err.code === 'locked' ? 'busy' : 'failed', error: (err as Error).message };
  }
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const after = check();
  return { ...base, outcomes, oldestDays: after.oldestDays, ...(offline ? { offline } : {}), status: failed === 0 ? 'updated' : failed === outcomes.length ? 'failed' : 'partial' };
}
