/** Inputs and outputs of the pure assessment (src/core/assess). Nothing here does I/O or reads the clock. */
import type { KnowledgeSlice } from '../knowledge.js';
import type { Finding, Gap, Inventory, Lang, LifecycleEntry, ReportDocument, TargetKind } from '../model.js';

export interface AssessInput {
  target: { kind: TargetKind; name: string };
  inventory: Inventory;
  /** Findings the scan determined itself (personal data, TLS, headers, pending updates…). */
  findings: readonly Finding[];
  /** What the knowledge store returned for this inventory; `null` when there is no DB. */
  knowledge: KnowledgeSlice | null;
  /** The instant of the scan (passed in: core never reads the clock). */
  now: Date;
  lang: Lang;
  /** Where the knowledge was looked for (a file path, a database name), for the "no DB" gap. */
  knowledgeLocation?: string;
  /** Feeds older than this many days are reported as stale (default 30). */
  staleAfterDays?: number;
}

export interface AssessOutput {
  /** Scan findings plus the assessment's, deduplicated, ranked (rank 1 = first). */
  findings: Finding[];
  gaps: Gap[];
  lifecycle: LifecycleEntry[];
  feeds: ReportDocument['knowledge']['feeds'];
  /** Host scans: advisories published per month for the installed packages (src/core/assess/advisory-history.ts). */
  advisoryHistory?: ReportDocument['advisoryHistory'];
}

/** The answer to "does this version fall in these ranges". Unknown is an answer, never "not affected". */
export type MatchStatus =
  /**
   * `fixed`: the fix closing the interval the version fell in (the update target on its line).
   * `confidence: 'malformed'` (with the tool's reason in `malformed`): the installed version is malformed,
   * ordered as the ecosystem's tool orders it (dpkg with a warning, apk-tools past its validation).
   */
  | { status: 'affected'; range?: string; fixed?: string; confidence?: 'malformed'; malformed?: string }
  | { status: 'not-affected'; confidence?: 'malformed'; malformed?: string }
  | { status: 'unknown'; reason: string };

/** Exposure of the target, which raises priority. */
export interface Exposure {
  /** A public URL (site scan) or a web server listening on a non-loopback address. */
  publicWeb: boolean;
  /** Database ports listening on a non-loopback address. */
  publicDb: boolean;
  /** The same target holds personal data findings. */
  personalData: boolean;
}

/** One entry of an --ignore-file (VEX-style), already parsed and validated at the edge. */
export const EXCEPTION_STATUSES = ['not_affected', 'accepted', 'false_positive', 'fixed', 'under_investigation'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

export interface ExceptionEntry {
  id?: string;
  cve?: string;
  reason: string;
  /** YYYY-MM-DD; from that day on the entry no longer suppresses. */
  expires?: string;
  status: ExceptionStatus;
}
