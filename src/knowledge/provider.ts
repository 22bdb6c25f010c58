/**
 * The SQLite knowledge DB behind the read port of src/core/knowledge.ts (`KnowledgeProvider` →
 * `KnowledgeSource`). Light on purpose: better-sqlite3 and the store load only when `open()` is called, that is
 * only for an inventory the assessment can match.
 */
import type { KnowledgeProvider, KnowledgeSource } from '../core/knowledge.js';

/** The knowledge DB at `dbPath`, read-only; `now` decides which feeds are stale. */
export function sqliteKnowledge(dbPath: string, now: () => Date = () => new Date()): KnowledgeProvider {
  return {
    location: dbPath,
    async open() {
      const { KnowledgeDbError, openKnowledge } = await import('./index.js');
      let store: ReturnType<typeof openKnowledge>;
      try {
        store = openKnowledge(dbPath, now);
      } catch (err) {
        if (err instanceof KnowledgeDbError) return { ok: false, reason: 'damaged', why: err.message };
        throw err;
      }
      if (!store) return { ok: false, reason: 'missing' };
      const open = store;
      const source: KnowledgeSource = {
        slice: async (query) => open.slice(query),
        close: async () => open.close(),
      };
      return { ok: true, source };
    },
  };
}
