/** One line naming the knowledge the report rests on; its own module so `db status` loads no renderer. */
import type { KnowledgeSnapshot } from '../core/model.js';

/** "Knowledge: embedded snapshot of 2026-08-22 (106 days old); refresh: offline" (table, db status). */
export function snapshotLine(s: KnowledgeSnapshot, t: (code: string, params?: Record<string, string | number>) => string): string {
  return t('knowledge.snapshot.line', {
    kind: t(`knowledge.snapshot.${s.kind}`),
    date: s.builtAt.slice(0, 10),
    days: s.ageDays,
    refresh: s.refresh ? t('knowledge.snapshot.refresh', { outcome: s.refresh }) : '',
  });
}
