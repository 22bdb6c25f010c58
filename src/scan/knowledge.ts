/**
 * Which knowledge a report rests on: the snapshot of the knowledge DB (kind, build time, age, what the refresh
 * did) added to the document after the scan, and the version string a fleet scan records. Shared by the CLI's
 * scans and the server's scan jobs (moved down from src/cli/knowledge-prep.ts).
 */
import type { Gap, KnowledgeSnapshot, RefreshOutcome, ReportDocument, SnapshotKind } from '../core/model.js';

/** The report's `knowledge.snapshot`. */
export function snapshotInfo(s: { kind: SnapshotKind; at: string; embedded: string | null }, now: Date, refresh?: RefreshOutcome): KnowledgeSnapshot {
  return {
    kind: s.kind,
    builtAt: s.at,
    ageDays: Math.max(0, Math.floor((now.getTime() - Date.parse(s.at)) / 86_400_000)),
    ...(s.embedded ? { embeddedAt: s.embedded } : {}),
    ...(refresh ? { refresh } : {}),
  };
}

/** The snapshot of the knowledge DB at `dbPath`: null when there is none (or it cannot be read: the assessment reports a damaged DB). */
export async function readSnapshot(dbPath: string): Promise<{ kind: SnapshotKind; at: string; embedded: string | null } | null> {
  const { KnowledgeDbError, openKnowledge } = await import('../knowledge/index.js');
  try {
    const store = openKnowledge(dbPath);
    const snap = store?.snapshot() ?? null;
    store?.close();
    return snap;
  } catch (err) {
    if (!(err instanceof KnowledgeDbError)) throw err;
    return null;
  }
}

/**
 * After the scan: the refresh's gaps join the report, and `knowledge.snapshot` says which data it rests on and
 * how old (when the report used the knowledge DB at all).
 */
export async function addKnowledgeSnapshot(doc: ReportDocument, kn: { gaps: Gap[]; refresh?: RefreshOutcome }, dbPath: string): Promise<ReportDocument> {
  doc.gaps.push(...kn.gaps);
  if (!doc.knowledge.feeds.length) return doc;
  const snap = await readSnapshot(dbPath);
  if (snap) doc.knowledge.snapshot = snapshotInfo(snap, new Date(doc.scannedAt), kn.refresh);
  return doc;
}

/** The knowledge version a fleet scan records: `<kind>@<built at>` of the snapshot, null without a DB. */
export const knowledgeVersion = (snap: { kind: SnapshotKind; at: string } | null): string | null => (snap ? `${snap.kind}@${snap.at}` : null);
