/**
 * The fleet store's tables, as Kysely sees them: one schema for SQLite and PostgreSQL. Times are ISO-8601 text
 * (UTC, so text order is time order in both dialects), booleans are 0/1 integers and lists are JSON text, so both
 * dialects hold exactly the same values.
 */
import type { Generated } from 'kysely';

export interface TenantsTable { id: string; name: string; created_at: string }

export interface TargetsTable {
  id: string;
  tenant_id: string;
  name: string;
  kind: string;
  address: string;
  ssh_user: string | null;
  /** JSON array of tags (the target_tags table indexes them). */
  tags: string;
  schedule: string | null;
  maintenance_window: string | null;
  created_at: string;
  updated_at: string;
  /** The latest scan (any status) and the latest finished one (by observation time): the dashboard's joins. */
  last_scan_id: string | null;
  last_done_scan_id: string | null;
  last_done_scanned_at: string | null;
}

export interface TargetTagsTable { target_id: string; tenant_id: string; tag: string }

/** Every encrypted value (target SSH key / known_hosts, user TOTP secret) in one table, so rotation is one pass. */
export interface SecretsTable {
  owner_type: string;
  owner_id: string;
  name: string;
  key_id: string;
  sealed: string;
  updated_at: string;
}

export interface ScansTable {
  id: string;
  tenant_id: string;
  target_id: string;
  status: string;
  trigger: string;
  requested_by: string | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The document's scannedAt: the time the findings were observed (history and exceptions use it). */
  scanned_at: string | null;
  attempts: number;
  failure_reason: string | null;
  summary: string | null;
  knowledge_version: string | null;
}

export interface ScanDocumentsTable { scan_id: string; document: string }

export interface FindingsTable {
  scan_id: string;
  tenant_id: string;
  target_id: string;
  finding_id: string;
  category: string;
  severity: string;
  /** 4 critical … 0 info, for ordering. */
  severity_rank: number;
  title: string;
  component: string | null;
  version: string | null;
  package: string | null;
  /** JSON array of CVE ids. */
  cves: string;
  kev: number;
  fix_published_at: string | null;
  accepted: number;
  /** The check, feed or probe that produced it, and where (read by the coverage rule); null on rows before 0005. */
  source: string | null;
  location: string | null;
}

export interface FindingCvesTable { scan_id: string; finding_id: string; tenant_id: string; target_id: string; cve: string }

export interface FindingHistoryTable {
  tenant_id: string;
  target_id: string;
  finding_id: string;
  state: string;
  severity: string;
  category: string;
  title: string;
  first_seen_at: string;
  last_seen_at: string;
  resolved_at: string | null;
  reopened_at: string | null;
  reopen_count: number;
  /** The finding's columns as of the latest scan: the overview reads them here (one row per open problem). */
  severity_rank: number;
  component: string | null;
  version: string | null;
  package: string | null;
  cves: string;
  kev: number;
  fix_published_at: string | null;
  source: string | null;
  location: string | null;
  /** The observation time and id of the first scan since which the finding was not checked (absent, but not covered); null when verified. */
  unverified_since: string | null;
  unverified_scan_id: string | null;
}

export interface ExceptionsTable {
  id: string;
  tenant_id: string;
  target_id: string | null;
  finding_id: string | null;
  cve: string | null;
  reason: string;
  owner: string;
  expires_at: string;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  role: string;
  tenant_ids: string;
  totp_enabled: number;
  created_at: string;
  disabled_at: string | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  mfa_passed: number;
}

export interface TokensTable {
  id: string;
  user_id: string;
  name: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface LoginAttemptsTable { id: Generated<number>; key: string; ok: number; at: string }

export interface AuditTable {
  seq: Generated<number>;
  id: string;
  at: string;
  actor_user_id: string | null;
  actor_token_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  tenant_id: string | null;
  detail: string;
}

/** `tenant_key` is the tenant id, or '' for server-wide settings. */
export interface SettingsTable { tenant_key: string; key: string; value: string; updated_at: string }

/** Rendered reports (the render-report job): the bytes with their digest, kept a bounded number per tenant. */
export interface ReportsTable {
  id: string;
  tenant_id: string;
  scan_id: string | null;
  format: string;
  lang: string;
  status: string;
  failure_reason: string | null;
  filename: string | null;
  /** bytea on PostgreSQL, blob on SQLite; null until done. */
  content: Uint8Array | null;
  size: number | null;
  sha256: string | null;
  deliver: number;
  delivered_at: string | null;
  attempts: number;
  requested_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface FleetDb {
  tenants: TenantsTable;
  targets: TargetsTable;
  target_tags: TargetTagsTable;
  secrets: SecretsTable;
  scans: ScansTable;
  scan_documents: ScanDocumentsTable;
  findings: FindingsTable;
  finding_cves: FindingCvesTable;
  finding_history: FindingHistoryTable;
  exceptions: ExceptionsTable;
  users: UsersTable;
  sessions: SessionsTable;
  tokens: TokensTable;
  login_attempts: LoginAttemptsTable;
  audit: AuditTable;
  settings: SettingsTable;
  reports: ReportsTable;
}
