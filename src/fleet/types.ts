/**
 * The fleet's domain: tenants (client companies) → targets (hosts over SSH, sites by URL) → scans (the whole
 * report document plus normalised findings) → finding history; people, sessions, tokens, exceptions, audit.
 * Plain data shared by the store (src/fleet/store), the job runners (src/worker) and the HTTP server
 * (src/server). Times are ISO-8601 strings (UTC); ids are opaque strings (UUIDs).
 */
import type { Category, ReportDocument, Severity } from '../core/model.js';

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: every read and write of the store is scoped by it. `tenantIds: 'all'` only for admins. */
export interface Scope {
  userId: string | null;
  role: Role;
  tenantIds: 'all' | readonly string[];
}
/** The scope of the server's own work (schedules, job handlers): sees every tenant. Never given to a request. */
export const SYSTEM_SCOPE: Scope = { userId: null, role: 'admin', tenantIds: 'all' };

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

export const FLEET_TARGET_KINDS = ['host', 'site'] as const;
export type FleetTargetKind = (typeof FLEET_TARGET_KINDS)[number];

export interface Target {
  id: string;
  tenantId: string;
  name: string;
  kind: FleetTargetKind;
  /** `HOST[:PORT]` for a host, an http(s) URL for a site. */
  address: string;
  sshUser: string | null;
  /** Whether an SSH key / known_hosts are stored. The values themselves never leave the store but to a job. */
  hasSshKey: boolean;
  hasKnownHosts: boolean;
  tags: string[];
  /** Five-field cron expression, or null for on-demand only. */
  schedule: string | null;
  /** Optional maintenance window, e.g. `Sun 02:00-05:00` (server time zone UTC unless stated). */
  maintenanceWindow: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TargetInput {
  tenantId: string;
  name: string;
  kind: FleetTargetKind;
  address: string;
  sshUser?: string | null;
  tags?: string[];
  schedule?: string | null;
  maintenanceWindow?: string | null;
}

/** Decrypted credentials: only for the job that scans the target. Never serialised into an API answer or a log. */
export interface TargetSecrets {
  sshKey?: string;
  knownHosts?: string;
}

export const SCAN_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];
export type SeverityCounts = Record<Severity, number>;

export interface ScanRecord {
  id: string;
  tenantId: string;
  targetId: string;
  status: ScanStatus;
  trigger: 'manual' | 'schedule' | 'api' | 'patch-verify';
  requestedBy: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  /** Why the last attempt failed (shown; the scan is retried until its attempts run out). */
  failureReason: string | null;
  summary: SeverityCounts | null;
  /** Knowledge version the scan used (snapshot id / feed times), recorded with every scan. */
  knowledgeVersion: string | null;
}

/** One finding of one scan, normalised for queries (the document keeps everything). */
export interface FindingRow {
  scanId: string;
  tenantId: string;
  targetId: string;
  /** The report's stable finding id: the same problem has the same id on the next scan. */
  findingId: string;
  category: Category;
  severity: Severity;
  title: string;
  component: string | null;
  version: string | null;
  package: string | null;
  cves: string[];
  kev: boolean;
  /** When the fix became available (advisory date), for the patch lag; null when unknown. */
  fixPublishedAt: string | null;
  /** Whether an active exception covers it at scan time. */
  accepted: boolean;
  /** The check, feed or probe that produced it (`host:dpkg-pending`, `upstream:…`, `exposure.env`) and where: what the coverage rule reads. */
  source?: string | null;
  location?: string | null;
  /**
   * The latest-findings list only: when the finding was last not checked (a scan since its last sighting could not
   * look: a gap), null when the latest scan saw it.
   */
  unverifiedSince?: string | null;
}

export const REPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const REPORT_FORMATS = ['html', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * A rendered report (the `render-report` job's result): the tenant's owner report, or one scan's report when
 * `scanId` is set. The bytes are kept in the store (read by GET /api/reports/:id/download), never in this record.
 */
export interface ReportRecord {
  id: string;
  tenantId: string;
  scanId: string | null;
  format: ReportFormat;
  lang: 'ja' | 'en';
  status: ReportStatus;
  failureReason: string | null;
  /** Set once done. */
  filename: string | null;
  contentType: string | null;
  size: number | null;
  sha256: string | null;
  /** Email it to the tenant's report recipients once rendered. */
  deliver: boolean;
  deliveredAt: string | null;
  attempts: number;
  requestedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const FINDING_STATES = ['open', 'resolved', 'accepted'] as const;
export type FindingState = (typeof FINDING_STATES)[number];

/** A finding across a target's scans: first seen, last seen, resolved, reopened. */
export interface FindingHistory {
  tenantId: string;
  targetId: string;
  findingId: string;
  state: FindingState;
  severity: Severity;
  category: Category;
  title: string;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  reopenedAt: string | null;
  reopenCount: number;
  /**
   * Not verified since: the observation time and id of the first scan after its last sighting that did not check it
   * (absent, but the scan had a gap for it, see src/fleet/coverage.ts). The state stays as it was (open or accepted,
   * never resolved by such a scan); null when the latest scan checked it.
   */
  unverifiedSince: string | null;
  unverifiedScanId: string | null;
}

export interface ScanDiff {
  from: string;
  to: string;
  /** In `to`, not in `from`, and `from` checked it. */
  new: FindingRow[];
  /** In `from`, not in `to`, and `to` checked it: gone. */
  resolved: FindingRow[];
  unchanged: FindingRow[];
  /** In `from`, not in `to`, but `to` did not check it (a gap): not resolved, unknown. */
  notChecked: FindingRow[];
  /** In `to`, not in `from`, because `from` did not check it: not new. */
  notCheckedBefore: FindingRow[];
}

/** Accepted risk: scoped to a tenant, a target, a finding id and/or a CVE; expired ones stop applying. */
export interface RiskException {
  id: string;
  tenantId: string;
  targetId: string | null;
  findingId: string | null;
  cve: string | null;
  reason: string;
  owner: string;
  expiresAt: string;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface User {
  id: string;
  email: string;
  role: Role;
  tenantIds: string[];
  totpEnabled: boolean;
  createdAt: string;
  disabledAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorUserId: string | null;
  actorTokenId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  tenantId: string | null;
  detail: Record<string, unknown>;
}

export interface PageRequest {
  page: number;
  pageSize: number;
}
export interface Page<T> {
  items: T[];
  /** The rows matched; a lower bound when `totalIsLowerBound`. */
  total: number;
  /** Set by lists that stop counting (the fleet-wide findings): true when there are more than `total` rows. */
  totalIsLowerBound?: boolean;
  page: number;
  pageSize: number;
}

/** A scan's full document as stored. */
export type StoredDocument = ReportDocument;
