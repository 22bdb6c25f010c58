/**
 * The fleet store port: one interface, two implementations (SQLite, the embedded default, and PostgreSQL) that
 * pass the same conformance suite. Every method that reads or writes tenant data takes a Scope and behaves as if
 * an object outside the scope does not exist (undefined / empty), so the HTTP layer answers 404, never 403.
 * Secrets (SSH keys, TOTP secrets, the secrets of settings such as webhook URLs) are encrypted at rest by the
 * store; password and token hashes are computed by the caller (src/server/auth) and stored as given.
 */
import type {
  AuditEntry, FindingHistory, FindingRow, Page, PageRequest, ReportFormat, ReportRecord, ReportStatus, RiskException, Role, ScanDiff, ScanRecord, Scope,
  StoredDocument, Target, TargetInput, TargetSecrets, Tenant, User,
} from './types.js';
import type { Category, Severity } from '../core/model.js';

export interface TargetFilter {
  tenantId?: string;
  kind?: 'host' | 'site';
  tag?: string;
  /** Free text over name and address. */
  q?: string;
}

export interface FindingFilter {
  tenantId?: string;
  targetId?: string;
  /** Default: the latest finished scan of each target. */
  scanId?: string;
  severity?: Severity[];
  category?: Category[];
  cve?: string;
  package?: string;
  tag?: string;
  kev?: boolean;
  q?: string;
}

/** The dashboard's "at a glance": across the scope (or one tenant), latest finished scan of each target. */
export interface FleetOverview {
  targets: number;
  scannedTargets: number;
  failedTargets: number;
  summary: Record<Severity, number>;
  /** Missing security updates, oldest fix first: days the fix has been available (patch lag) and days since first seen. */
  missingUpdates: { targetId: string; targetName: string; tenantId: string; findingId: string; package: string | null; severity: Severity; fixPublishedAt: string | null; lagDays: number | null; firstSeenAt: string; daysSeen: number }[];
  endOfLife: { targetId: string; targetName: string; tenantId: string; findingId: string; component: string | null; version: string | null; title: string; severity: Severity }[];
  personalData: { targetId: string; targetName: string; tenantId: string; findingId: string; title: string; severity: Severity }[];
  kev: { targetId: string; targetName: string; tenantId: string; findingId: string; cves: string[]; title: string; severity: Severity }[];
}

export interface SessionRecord {
  /** SHA-256 of the session id held in the cookie; the id itself is never stored. */
  idHash: string;
  userId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  /** False until the TOTP second factor was given (when the user needs one). */
  mfaPassed: boolean;
}

export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface FleetStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs pending versioned migrations (idempotent); called at start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // tenants
  createTenant(scope: Scope, name: string): Promise<Tenant>;
  listTenants(scope: Scope): Promise<Tenant[]>;
  getTenant(scope: Scope, id: string): Promise<Tenant | undefined>;
  findTenantByName(scope: Scope, name: string): Promise<Tenant | undefined>;
  renameTenant(scope: Scope, id: string, name: string): Promise<Tenant | undefined>;

  // targets: upsert by (tenantId, name); secrets given are encrypted, secrets omitted are kept
  upsertTarget(scope: Scope, input: TargetInput, secrets?: TargetSecrets): Promise<{ target: Target; created: boolean } | undefined>;
  getTarget(scope: Scope, id: string): Promise<Target | undefined>;
  listTargets(scope: Scope, filter: TargetFilter, page: PageRequest): Promise<Page<Target & { lastScan: ScanRecord | null }>>;
  deleteTarget(scope: Scope, id: string): Promise<boolean>;
  /** Decrypted: for the scan job only (SYSTEM_SCOPE). */
  getTargetSecrets(targetId: string): Promise<TargetSecrets>;

  // scans
  createScan(scope: Scope, targetId: string, trigger: ScanRecord['trigger']): Promise<ScanRecord | undefined>;
  /** Queued → running; increments attempts. False when the scan is not queued (already taken, or finished). */
  startScan(scanId: string): Promise<boolean>;
  /**
   * One transaction, idempotent by scan id: the document, the summary, the normalised findings, the finding
   * history (first seen / last seen / resolved / reopened) and exceptions applied at this time.
   */
  finishScan(scanId: string, document: StoredDocument, knowledgeVersion: string | null): Promise<void>;
  /** `final`: no retry left → failed; otherwise back to queued with the reason kept. */
  failScan(scanId: string, reason: string, final: boolean): Promise<void>;
  getScan(scope: Scope, id: string): Promise<ScanRecord | undefined>;
  getScanDocument(scope: Scope, id: string): Promise<StoredDocument | undefined>;
  listScans(scope: Scope, filter: { targetId?: string; tenantId?: string; status?: ScanRecord['status'] }, page: PageRequest): Promise<Page<ScanRecord>>;
  /** Scans by tenant and status in the scope (one grouped count; tenants without scans are absent). */
  countScans(scope: Scope): Promise<{ tenantId: string; status: ScanRecord['status']; count: number }[]>;

  // findings
  listFindings(scope: Scope, filter: FindingFilter, page: PageRequest): Promise<Page<FindingRow & { targetName: string }>>;
  /**
   * Every finding listFindings matches, in its order, a batch at a time (the CSV export): each batch read on from the
   * last (keyset), so the whole costs in proportion to the rows; no snapshot across batches (each finding at most once).
   */
  findingsInOrder(scope: Scope, filter: FindingFilter, batchSize?: number): AsyncIterable<(FindingRow & { targetName: string })[]>;
  findingHistory(scope: Scope, targetId: string): Promise<FindingHistory[]>;
  diffScans(scope: Scope, fromScanId: string, toScanId: string): Promise<ScanDiff | undefined>;
  overview(scope: Scope, opts: { tenantId?: string; now: Date; limit?: number }): Promise<FleetOverview>;

  // exceptions (accepted risk)
  createException(scope: Scope, e: Omit<RiskException, 'id' | 'createdAt' | 'revokedAt'>): Promise<RiskException | undefined>;
  listExceptions(scope: Scope, filter: { tenantId?: string; targetId?: string; includeExpired?: boolean }, now: Date): Promise<RiskException[]>;
  revokeException(scope: Scope, id: string): Promise<boolean>;

  // people
  countUsers(): Promise<number>;
  createUser(u: { email: string; passwordHash: string; role: Role; tenantIds: string[] }): Promise<User>;
  getUser(id: string): Promise<User | undefined>;
  getUserByEmail(email: string): Promise<(User & { passwordHash: string }) | undefined>;
  listUsers(scope: Scope): Promise<User[]>;
  updateUser(id: string, patch: { role?: Role; tenantIds?: string[]; passwordHash?: string; disabled?: boolean }): Promise<User | undefined>;
  /** The TOTP secret is stored encrypted; `enabled` false while it is being set up. */
  setTotp(userId: string, secret: string | null, enabled: boolean): Promise<void>;
  getTotpSecret(userId: string): Promise<string | undefined>;

  // sessions and tokens
  createSession(s: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  updateSession(idHash: string, patch: Partial<Pick<SessionRecord, 'expiresAt' | 'mfaPassed'>>): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteUserSessions(userId: string): Promise<void>;
  createToken(t: { userId: string; name: string; hash: string }): Promise<TokenRecord>;
  findToken(hash: string): Promise<TokenRecord | undefined>;
  listTokens(userId: string): Promise<TokenRecord[]>;
  revokeToken(userId: string, id: string): Promise<boolean>;

  // login throttling
  recordLoginAttempt(key: string, ok: boolean, at: Date): Promise<void>;
  countLoginFailures(key: string, since: Date): Promise<number>;

  // audit: append-only
  appendAudit(e: Omit<AuditEntry, 'id' | 'at'>, at: Date): Promise<void>;
  listAudit(scope: Scope, filter: { tenantId?: string }, page: PageRequest): Promise<Page<AuditEntry>>;

  // rendered reports (the render-report job). Viewers may request their tenants' reports (they may download
  // them synchronously too), so creation needs a scope that sees the tenant, not one that writes it.
  /** A queued report record; idempotent by `id` (an existing record is returned as it is). Undefined when the tenant is out of scope or missing. */
  createReport(scope: Scope, r: { id?: string; tenantId: string; scanId?: string | null; format: ReportFormat; lang: 'ja' | 'en'; deliver?: boolean }): Promise<ReportRecord | undefined>;
  getReport(scope: Scope, id: string): Promise<ReportRecord | undefined>;
  /** Newest first, without their bytes (at most `limit`, default 50, max 500). */
  listReports(scope: Scope, filter: { tenantId?: string; status?: ReportStatus[] }, limit?: number): Promise<ReportRecord[]>;
  /** The bytes of a done report in the scope. */
  getReportContent(scope: Scope, id: string): Promise<{ report: ReportRecord; content: Uint8Array } | undefined>;
  /** queued|running → running, attempts + 1 (the job took it). False when it is done or failed for good. */
  startReport(id: string): Promise<boolean>;
  /** Stores the bytes once: false when the report was already done (a retried job writes nothing). */
  finishReport(id: string, r: { filename: string; content: Uint8Array; sha256: string }): Promise<boolean>;
  /** `final`: failed for good; otherwise back to queued with the reason kept. A done report is left as it is. */
  failReport(id: string, reason: string, final: boolean): Promise<void>;
  markReportDelivered(id: string, at: Date): Promise<void>;
  /** Deletes the tenant's finished reports beyond the newest `keep` and those created before `before`; returns how many. */
  pruneReports(tenantId: string, opts: { keep: number; before: Date }): Promise<number>;

  // key-value settings per tenant (notifications, reports) as JSON
  getSetting<T>(tenantId: string | null, key: string): Promise<T | undefined>;
  /**
   * With `secrets` (name → plaintext, e.g. webhook URLs): they are encrypted like target secrets, bound to the
   * tenant, the setting and the name, and replace the setting's previous secrets, in one transaction with the
   * value (which must not hold them). Without: the setting's secrets are left as they are.
   */
  setSetting(tenantId: string | null, key: string, value: unknown, secrets?: Readonly<Record<string, string>>): Promise<void>;
  /**
   * Read-modify-write of one setting (its secrets untouched) in one transaction: `fn` gets the stored value
   * (undefined when unset) and returns the new one, which is stored and returned. Serialised with every other
   * updateSetting of the same setting, across processes (PostgreSQL: an advisory lock; SQLite: the file's write
   * lock) — a setting several writers change, such as the patch plans a server approves and workers apply,
   * loses no update. A plain setSetting is not serialised with it: a setting that has an updater is written
   * through updateSetting only (a setSetting landing between an updater's read and write is overwritten).
   */
  updateSetting<T>(tenantId: string | null, key: string, fn: (current: T | undefined) => T): Promise<T>;
  /** One secret of a setting, decrypted; a SecretKeyError when it does not open (wrong key, moved or altered). */
  getSettingSecret(tenantId: string | null, key: string, name: string): Promise<string | undefined>;
}
