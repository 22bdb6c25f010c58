/**
 * The fleet store over Kysely: one implementation for both dialects (SQLite via better-sqlite3, PostgreSQL via
 * pg). Differences are few and marked: row locks (`FOR UPDATE`) exist on PostgreSQL only; SQLite serialises
 * transactions on its single connection.
 *
 * Scope: every scoped read adds `tenant_id IN (scope)` (admins: no filter), every scoped write refuses viewers
 * and out-of-scope objects by answering undefined/false, exactly as if the object did not exist.
 */
import { randomUUID } from 'node:crypto';
import { Migrator, sql, type Kysely, type Transaction, type SelectQueryBuilder, type ExpressionBuilder, type Selectable } from 'kysely';
import { SEVERITIES, severityRank, type ReportDocument, type Severity } from '../../core/model.js';
import type { FindingFilter, FleetOverview, FleetStore, SessionRecord, TargetFilter, TokenRecord } from '../ports.js';
import type {
  AuditEntry, FindingHistory, FindingRow, FindingState, Page, PageRequest, ReportFormat, ReportRecord, ReportStatus, RiskException, Role, ScanDiff, ScanRecord, Scope,
  StoredDocument, Target, TargetInput, TargetSecrets, Tenant, User,
} from '../types.js';
import { decryptSecret, encryptSecret, SecretKeyError, type SecretKey, type SecretRotatable } from '../secrets.js';
import { exceptionCovers, findingRowsOf } from '../normalise.js';
import { coverageOf, FULL_COVERAGE, type Coverage } from '../coverage.js';
import { InCodeMigrations, type Dialect } from './migrations.js';
import type { FleetDb, FindingHistoryTable, FindingsTable, ReportsTable, ScansTable, TargetsTable } from './schema.js';

type Db = Kysely<FleetDb>;
type Tx = Transaction<FleetDb>;
type Q = Db | Tx;

const DAY = 86_400_000;
const MAX_PAGE_SIZE = 500;
/**
 * The fleet-wide findings list counts its matches up to this many (or up to the end of the page asked for, when
 * further): beyond, its total is a lower bound (`totalIsLowerBound`), so a page costs the same at 1,000 targets
 * as at 10,000 instead of reading every matching row for an exact figure nobody pages through.
 */
export const COUNT_CAP = 10_000;
const now = () => new Date().toISOString();
const emptySummary = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });

function pageOf(p: PageRequest): { page: number; pageSize: number; offset: number } {
  const page = Number.isFinite(p.page) && p.page >= 1 ? Math.floor(p.page) : 1;
  const pageSize = Number.isFinite(p.pageSize) && p.pageSize >= 1 ? Math.min(Math.floor(p.pageSize), MAX_PAGE_SIZE) : 50;
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/** `%text%` for LIKE with the wildcards of the text escaped (ESCAPE '\'). */
const likeArg = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const parseJson = <T>(s: string | null, fallback: T): T => {
  if (s === null) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
};

/** A row of the latest findings (finding_history joined to its target) as the list's item. */
const latestFindingOf = (r: Selectable<FindingHistoryTable> & { target_name: string; last_done_scan_id: string | null }): FindingRow & { targetName: string } => ({
  scanId: r.last_done_scan_id ?? '', tenantId: r.tenant_id as string, targetId: r.target_id as string, findingId: r.finding_id as string, category: r.category as FindingRow['category'],
  severity: r.severity as Severity, title: r.title, component: r.component, version: r.version, package: r.package, cves: parseJson<string[]>(r.cves, []),
  kev: Number(r.kev) === 1, fixPublishedAt: r.fix_published_at, accepted: r.state === 'accepted', source: r.source ?? null, location: r.location ?? null,
  unverifiedSince: r.unverified_since ?? null, targetName: r.target_name,
});

/** Tenant ids a scope may see, or 'all'. */
const visible = (scope: Scope): 'all' | string[] => (scope.tenantIds === 'all' ? (scope.role === 'admin' ? 'all' : []) : [...scope.tenantIds]);
const sees = (scope: Scope, tenantId: string | null): boolean => {
  const v = visible(scope);
  return v === 'all' || (tenantId !== null && v.includes(tenantId));
};
const writes = (scope: Scope, tenantId: string | null): boolean => scope.role !== 'viewer' && sees(scope, tenantId);

const toTenant = (r: FleetDb['tenants']): Tenant => ({ id: r.id, name: r.name, createdAt: r.created_at });

function toScan(r: ScansTable): ScanRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    targetId: r.target_id,
    status: r.status as ScanRecord['status'],
    trigger: r.trigger as ScanRecord['trigger'],
    requestedBy: r.requested_by,
    queuedAt: r.queued_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    attempts: Number(r.attempts),
    failureReason: r.failure_reason,
    summary: parseJson<ScanRecord['summary']>(r.summary, null),
    knowledgeVersion: r.knowledge_version,
  };
}

function toFinding(r: FindingsTable): FindingRow {
  return {
    scanId: r.scan_id,
    tenantId: r.tenant_id,
    targetId: r.target_id,
    findingId: r.finding_id,
    category: r.category as FindingRow['category'],
    severity: r.severity as Severity,
    title: r.title,
    component: r.component,
    version: r.version,
    package: r.package,
    cves: parseJson<string[]>(r.cves, []),
    kev: Number(r.kev) === 1,
    fixPublishedAt: r.fix_published_at,
    accepted: Number(r.accepted) === 1,
    source: r.source ?? null,
    location: r.location ?? null,
  };
}

const toUser = (r: FleetDb['users']): User => ({
  id: r.id,
  email: r.email,
  role: r.role as Role,
  tenantIds: parseJson<string[]>(r.tenant_ids, []),
  totpEnabled: Number(r.totp_enabled) === 1,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
});

const toException = (r: FleetDb['exceptions']): RiskException => ({
  id: r.id,
  tenantId: r.tenant_id,
  targetId: r.target_id,
  findingId: r.finding_id,
  cve: r.cve,
  reason: r.reason,
  owner: r.owner,
  expiresAt: r.expires_at,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

const toToken = (r: FleetDb['tokens']): TokenRecord => ({ id: r.id, userId: r.user_id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at });

const toHistory = (r: FleetDb['finding_history']): FindingHistory => ({
  tenantId: r.tenant_id,
  targetId: r.target_id,
  findingId: r.finding_id,
  state: r.state as FindingState,
  severity: r.severity as Severity,
  category: r.category as FindingHistory['category'],
  title: r.title,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  resolvedAt: r.resolved_at,
  reopenedAt: r.reopened_at,
  reopenCount: Number(r.reopen_count),
  unverifiedSince: r.unverified_since ?? null,
  unverifiedScanId: r.unverified_scan_id ?? null,
});

/**
 * Where the secrets of a setting live in the secrets table: owner `tenant:<id>` (or `server:` for a server-wide
 * setting), name `<setting key>/<secret name>`; the associated data is `tenant:<id>:<key>/<name>`, so a ciphertext
 * copied to another tenant's row, or to another secret of the same tenant, does not decrypt.
 */
export const settingSecretSlot = (tenantId: string | null, key: string) => ({ ownerType: tenantId === null ? 'server' : 'tenant', ownerId: tenantId ?? '', prefix: `${key}/` });

type ReportRow = Omit<ReportsTable, 'content'>;
const REPORT_COLUMNS = ['id', 'tenant_id', 'scan_id', 'format', 'lang', 'status', 'failure_reason', 'filename', 'size', 'sha256', 'deliver', 'delivered_at', 'attempts', 'requested_by', 'created_at', 'started_at', 'finished_at'] as const;

const toReport = (r: ReportRow): ReportRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  scanId: r.scan_id,
  format: r.format as ReportFormat,
  lang: r.lang as 'ja' | 'en',
  status: r.status as ReportStatus,
  failureReason: r.failure_reason,
  filename: r.filename,
  contentType: r.status === 'done' ? (r.format === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8') : null,
  size: r.size === null ? null : Number(r.size),
  sha256: r.sha256,
  deliver: Number(r.deliver) === 1,
  deliveredAt: r.delivered_at,
  attempts: Number(r.attempts),
  requestedBy: r.requested_by,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** Error thrown for input the store cannot hold (named, never an internal error). */
export class FleetStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetStoreError';
  }
}

/** A unique constraint refused the row (SQLite or PostgreSQL). */
const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

export interface SqlFleetStoreOptions {
  dialect: Dialect;
  db: Db;
  /** The secrets key, loaded on first use (a store that never touches a secret never needs one). */
  secretKey: () => SecretKey;
  /** Called by close() after Kysely is destroyed (e.g. to drop a test database). */
  onClose?: () => Promise<void>;
}

export class SqlFleetStore implements FleetStore, SecretRotatable {
  readonly dialect: Dialect;
  readonly db: Db;
  private keyFn: () => SecretKey;
  private key: SecretKey | undefined;

  constructor(private readonly opts: SqlFleetStoreOptions) {
    this.dialect = opts.dialect;
    this.db = opts.db;
    this.keyFn = opts.secretKey;
  }

  private secretKey(): SecretKey {
    this.key ??= this.keyFn();
    return this.key;
  }

  /** Use `key` from now on (after a rotation). */
  useSecretKey(key: SecretKey): void {
    this.key = key;
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: new InCodeMigrations(this.dialect, () => this.secretKey()) });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      // a database migrated by a newer mamori (a server upgraded before this worker): say so, and what to do
      const newer = /previously executed migration (\S+) is missing/.exec((error as Error).message ?? '')?.[1];
      if (newer) throw new FleetStoreError(`the fleet store on ${this.dialect} was upgraded by a newer mamori (its schema has migration ${newer}, unknown to this version); run the same mamori version as the server (upgrade this one)`);
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new FleetStoreError(`fleet store migration ${failed ?? ''} failed on ${this.dialect}: ${(error as Error).message ?? String(error)}`);
    }
    if (results?.some((r) => r.migrationName === '0003_seal_webhook_urls' && r.status === 'Success')) await this.dropOldPlaintext();
  }

  /**
   * After webhook URLs were sealed (0003): the old plaintext values may still sit in freed pages (SQLite; also in
   * its WAL) or in dead row versions (PostgreSQL). Rewrite the file / the settings table so they are gone from the
   * database itself (backups taken before stay as they were).
   */
  private async dropOldPlaintext(): Promise<void> {
    if (this.dialect === 'sqlite') {
      await sql`VACUUM`.execute(this.db);
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(this.db);
    } else {
      await sql`VACUUM FULL settings`.execute(this.db);
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.opts.onClose?.();
  }

  private tx<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Restricts a query on a table with `tenant_id` to the scope's tenants. */
  private scoped<QB extends SelectQueryBuilder<FleetDb, keyof FleetDb, object>>(qb: QB, scope: Scope, column: string): QB {
    const v = visible(scope);
    if (v === 'all') return qb;
    if (v.length === 0) return qb.where(sql<boolean>`1 = 0`) as QB;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (qb as any).where(column, 'in', v) as QB;
  }

  // ---- tenants ----

  async createTenant(scope: Scope, name: string): Promise<Tenant> {
    if (scope.role !== 'admin' || scope.tenantIds !== 'all') throw new FleetStoreError('only an administrator creates tenants');
    const n = name.trim();
    if (!n) throw new FleetStoreError('a tenant name must not be empty');
    const t = { id: randomUUID(), name: n, created_at: now() };
    try {
      await this.db.insertInto('tenants').values(t).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new FleetStoreError(`a tenant named ${JSON.stringify(n)} already exists`);
      throw err;
    }
    return toTenant(t);
  }

  async listTenants(scope: Scope): Promise<Tenant[]> {
    const rows = await this.scoped(this.db.selectFrom('tenants').selectAll(), scope, 'id').orderBy('name').execute();
    return rows.map(toTenant);
  }

  async getTenant(scope: Scope, id: string): Promise<Tenant | undefined> {
    if (!sees(scope, id)) return undefined;
    const r = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toTenant(r);
  }

  async findTenantByName(scope: Scope, name: string): Promise<Tenant | undefined> {
    const r = await this.db.selectFrom('tenants').selectAll().where('name', '=', name.trim()).executeTakeFirst();
    return r && sees(scope, r.id) ? toTenant(r) : undefined;
  }

  async renameTenant(scope: Scope, id: string, name: string): Promise<Tenant | undefined> {
    if (!writes(scope, id)) return undefined;
    const n = name.trim();
    if (!n) throw new FleetStoreError('a tenant name must not be empty');
    try {
      await this.db.updateTable('tenants').set({ name: n }).where('id', '=', id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new FleetStoreError(`a tenant named ${JSON.stringify(n)} already exists`);
      throw err;
    }
    return this.getTenant(scope, id);
  }

  // ---- targets ----

  private toTarget(r: TargetsTable, secretNames: ReadonlySet<string>): Target {
    return {
      id: r.id,
      tenantId: r.tenant_id,
      name: r.name,
      kind: r.kind as Target['kind'],
      address: r.address,
      sshUser: r.ssh_user,
      hasSshKey: secretNames.has('sshKey'),
      hasKnownHosts: secretNames.has('knownHosts'),
      tags: parseJson<string[]>(r.tags, []),
      schedule: r.schedule,
      maintenanceWindow: r.maintenance_window,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  private async secretNamesOf(q: Q, ownerType: string, ids: readonly string[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await q.selectFrom('secrets').select(['owner_id', 'name']).where('owner_type', '=', ownerType).where('owner_id', 'in', ids.slice(i, i + 500)).execute();
      for (const r of rows) {
        let s = out.get(r.owner_id);
        if (!s) out.set(r.owner_id, (s = new Set()));
        s.add(r.name);
      }
    }
    return out;
  }

  private async putSecret(q: Q, ownerType: string, ownerId: string, name: string, value: string | null): Promise<void> {
    await q.deleteFrom('secrets').where('owner_type', '=', ownerType).where('owner_id', '=', ownerId).where('name', '=', name).execute();
    if (value === null) return;
    const key = this.secretKey();
    await q.insertInto('secrets').values({ owner_type: ownerType, owner_id: ownerId, name, key_id: key.id, sealed: encryptSecret(key, value, `${ownerType}:${ownerId}:${name}`), updated_at: now() }).execute();
  }

  private async getSecret(ownerType: string, ownerId: string, name: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('secrets').select('sealed').where('owner_type', '=', ownerType).where('owner_id', '=', ownerId).where('name', '=', name).executeTakeFirst();
    return r ? decryptSecret(this.secretKey(), r.sealed, `${ownerType}:${ownerId}:${name}`) : undefined;
  }

  async upsertTarget(scope: Scope, input: TargetInput, secrets?: TargetSecrets): Promise<{ target: Target; created: boolean } | undefined> {
    if (!writes(scope, input.tenantId)) return undefined;
    const name = input.name.trim();
    if (!name) throw new FleetStoreError('a target name must not be empty');
    if (input.kind !== 'host' && input.kind !== 'site') throw new FleetStoreError(`target kind must be host or site, not ${JSON.stringify(input.kind)}`);
    if (!input.address.trim()) throw new FleetStoreError(`target ${name}: the address must not be empty`);
    const tags = [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))];
    // Load the key before the transaction: a missing or unreadable key fails here, with nothing written.
    if (secrets && (secrets.sshKey !== undefined || secrets.knownHosts !== undefined)) this.secretKey();
    return this.tx(async (trx) => {
      const tenant = await trx.selectFrom('tenants').select('id').where('id', '=', input.tenantId).executeTakeFirst();
      if (!tenant) return undefined;
      const existing = await trx.selectFrom('targets').selectAll().where('tenant_id', '=', input.tenantId).where('name', '=', name).executeTakeFirst();
      const t = now();
      let id: string;
      if (existing) {
        id = existing.id;
        await trx.updateTable('targets').set({
          kind: input.kind,
          address: input.address.trim(),
          ssh_user: input.sshUser === undefined ? existing.ssh_user : input.sshUser,
          tags: input.tags === undefined ? existing.tags : JSON.stringify(tags),
          schedule: input.schedule === undefined ? existing.schedule : input.schedule,
          maintenance_window: input.maintenanceWindow === undefined ? existing.maintenance_window : input.maintenanceWindow,
          updated_at: t,
        }).where('id', '=', id).execute();
      } else {
        id = randomUUID();
        await trx.insertInto('targets').values({
          id, tenant_id: input.tenantId, name, kind: input.kind, address: input.address.trim(), ssh_user: input.sshUser ?? null,
          tags: JSON.stringify(tags), schedule: input.schedule ?? null, maintenance_window: input.maintenanceWindow ?? null,
          created_at: t, updated_at: t, last_scan_id: null, last_done_scan_id: null, last_done_scanned_at: null,
        }).execute();
      }
      if (!existing || input.tags !== undefined) {
        await trx.deleteFrom('target_tags').where('target_id', '=', id).execute();
        if (tags.length) await trx.insertInto('target_tags').values(tags.map((tag) => ({ target_id: id, tenant_id: input.tenantId, tag }))).execute();
      }
      if (secrets?.sshKey !== undefined) await this.putSecret(trx, 'target', id, 'sshKey', secrets.sshKey || null);
      if (secrets?.knownHosts !== undefined) await this.putSecret(trx, 'target', id, 'knownHosts', secrets.knownHosts || null);
      const row = await trx.selectFrom('targets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const names = (await this.secretNamesOf(trx, 'target', [id])).get(id) ?? new Set<string>();
      return { target: this.toTarget(row, names), created: !existing };
    });
  }

  async getTarget(scope: Scope, id: string): Promise<Target | undefined> {
    const r = await this.db.selectFrom('targets').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r || !sees(scope, r.tenant_id)) return undefined;
    const names = (await this.secretNamesOf(this.db, 'target', [id])).get(id) ?? new Set<string>();
    return this.toTarget(r, names);
  }

  async listTargets(scope: Scope, filter: TargetFilter, p: PageRequest): Promise<Page<Target & { lastScan: ScanRecord | null }>> {
    const { page, pageSize, offset } = pageOf(p);
    let qb = this.scoped(this.db.selectFrom('targets'), scope, 'targets.tenant_id');
    if (filter.tenantId !== undefined) qb = qb.where('targets.tenant_id', '=', filter.tenantId);
    if (filter.kind !== undefined) qb = qb.where('targets.kind', '=', filter.kind);
    if (filter.tag !== undefined) {
      const tag = filter.tag;
      qb = qb.where((eb) => eb.exists(eb.selectFrom('target_tags').select('target_tags.tag').whereRef('target_tags.target_id', '=', 'targets.id').where('target_tags.tag', '=', tag)));
    }
    if (filter.q) {
      const q = likeArg(filter.q);
      qb = qb.where((eb) => eb.or([
        sql<boolean>`lower(${eb.ref('targets.name')}) like ${q} escape '\\'`,
        sql<boolean>`lower(${eb.ref('targets.address')}) like ${q} escape '\\'`,
      ]));
    }
    const total = Number((await qb.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await qb.selectAll('targets').orderBy('targets.name').orderBy('targets.id').limit(pageSize).offset(offset).execute();
    const ids = rows.map((r) => r.id);
    const names = ids.length ? await this.secretNamesOf(this.db, 'target', ids) : new Map<string, Set<string>>();
    const lastIds = rows.map((r) => r.last_scan_id).filter((x): x is string => x !== null);
    const scans = new Map<string, ScanRecord>();
    for (let i = 0; i < lastIds.length; i += 500) {
      for (const s of await this.db.selectFrom('scans').selectAll().where('id', 'in', lastIds.slice(i, i + 500)).execute()) scans.set(s.id, toScan(s));
    }
    return {
      items: rows.map((r) => ({ ...this.toTarget(r, names.get(r.id) ?? new Set()), lastScan: (r.last_scan_id && scans.get(r.last_scan_id)) || null })),
      total, page, pageSize,
    };
  }

  async deleteTarget(scope: Scope, id: string): Promise<boolean> {
    const r = await this.db.selectFrom('targets').select('tenant_id').where('id', '=', id).executeTakeFirst();
    if (!r || !writes(scope, r.tenant_id)) return false;
    await this.tx(async (trx) => {
      const scanIds = trx.selectFrom('scans').select('id').where('target_id', '=', id);
      await trx.deleteFrom('scan_documents').where('scan_id', 'in', scanIds).execute();
      await trx.deleteFrom('finding_cves').where('target_id', '=', id).execute();
      await trx.deleteFrom('findings').where('target_id', '=', id).execute();
      await trx.deleteFrom('finding_history').where('target_id', '=', id).execute();
      await trx.deleteFrom('scans').where('target_id', '=', id).execute();
      await trx.deleteFrom('exceptions').where('target_id', '=', id).execute();
      await trx.deleteFrom('target_tags').where('target_id', '=', id).execute();
      await trx.deleteFrom('secrets').where('owner_type', '=', 'target').where('owner_id', '=', id).execute();
      await trx.deleteFrom('targets').where('id', '=', id).execute();
    });
    return true;
  }

  async getTargetSecrets(targetId: string): Promise<TargetSecrets> {
    const out: TargetSecrets = {};
    const k = await this.getSecret('target', targetId, 'sshKey');
    if (k !== undefined) out.sshKey = k;
    const h = await this.getSecret('target', targetId, 'knownHosts');
    if (h !== undefined) out.knownHosts = h;
    return out;
  }

  // ---- scans ----

  async createScan(scope: Scope, targetId: string, trigger: ScanRecord['trigger']): Promise<ScanRecord | undefined> {
    const t = await this.db.selectFrom('targets').select(['tenant_id']).where('id', '=', targetId).executeTakeFirst();
    if (!t || !writes(scope, t.tenant_id)) return undefined;
    const row: ScansTable = {
      id: randomUUID(), tenant_id: t.tenant_id, target_id: targetId, status: 'queued', trigger, requested_by: scope.userId,
      queued_at: now(), started_at: null, finished_at: null, scanned_at: null, attempts: 0, failure_reason: null, summary: null, knowledge_version: null,
    };
    await this.tx(async (trx) => {
      await trx.insertInto('scans').values(row).execute();
      await trx.updateTable('targets').set({ last_scan_id: row.id }).where('id', '=', targetId).execute();
    });
    return toScan(row);
  }

  async startScan(scanId: string): Promise<boolean> {
    const r = await this.db.updateTable('scans')
      .set((eb) => ({ status: 'running', started_at: now(), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', scanId).where('status', '=', 'queued').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async failScan(scanId: string, reason: string, final: boolean): Promise<void> {
    await this.db.updateTable('scans')
      .set({ status: final ? 'failed' : 'queued', failure_reason: reason.slice(0, 4000), finished_at: final ? now() : null })
      .where('id', '=', scanId).where('status', 'in', ['queued', 'running']).execute();
  }

  async finishScan(scanId: string, document: StoredDocument, knowledgeVersion: string | null): Promise<void> {
    if (!document || !Array.isArray(document.findings)) throw new FleetStoreError(`scan ${scanId}: the document has no findings list`);
    const scannedAt = new Date(document.scannedAt);
    const at = Number.isNaN(scannedAt.getTime()) ? now() : scannedAt.toISOString();
    await this.tx(async (trx) => {
      // Claim the scan: only the first finisher passes (a second call, or a racing worker, changes nothing).
      const claimed = await trx.updateTable('scans')
        .set({ status: 'done', finished_at: now(), scanned_at: at, summary: JSON.stringify(summaryOf(document)), knowledge_version: knowledgeVersion, failure_reason: null })
        .where('id', '=', scanId).where('status', '!=', 'done').executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return;
      const scan = await trx.selectFrom('scans').select(['tenant_id', 'target_id']).where('id', '=', scanId).executeTakeFirstOrThrow();
      let targetQ = trx.selectFrom('targets').select(['last_done_scan_id', 'last_done_scanned_at', 'kind']).where('id', '=', scan.target_id);
      if (this.dialect === 'postgres') targetQ = targetQ.forUpdate(); // serialise finishes of one target
      const target = await targetQ.executeTakeFirst();
      if (!target) return;
      const exceptions = (await trx.selectFrom('exceptions').selectAll().where('tenant_id', '=', scan.tenant_id)
        .where((eb) => eb.or([eb('target_id', 'is', null), eb('target_id', '=', scan.target_id)])).execute()).map(toException);
      const rows = findingRowsOf(document, { scanId, tenantId: scan.tenant_id, targetId: scan.target_id }, exceptions, at);
      await trx.insertInto('scan_documents').values({ scan_id: scanId, document: JSON.stringify(document) })
        .onConflict((oc) => oc.column('scan_id').doUpdateSet({ document: JSON.stringify(document) })).execute();
      await insertFindings(trx, rows);
      // History moves only forward: a scan observed before the target's latest finished one is stored but changes neither.
      if (target.last_done_scanned_at !== null && target.last_done_scanned_at > at) return;
      // What this scan checked: a finding it did not check keeps its state (src/fleet/coverage.ts).
      const previousTarget = target.last_done_scan_id ? await documentTarget(trx, target.last_done_scan_id) : undefined;
      const coverage = coverageOf(document, { previousTarget: previousTarget ?? { kind: target.kind, name: document.target?.name ?? '' } });
      await trx.updateTable('targets').set({ last_done_scan_id: scanId, last_done_scanned_at: at }).where('id', '=', scan.target_id).execute();
      await updateHistory(trx, scan.tenant_id, scan.target_id, rows, at, coverage, scanId);
    });
  }

  async getScan(scope: Scope, id: string): Promise<ScanRecord | undefined> {
    const r = await this.db.selectFrom('scans').selectAll().where('id', '=', id).executeTakeFirst();
    return r && sees(scope, r.tenant_id) ? toScan(r) : undefined;
  }

  async getScanDocument(scope: Scope, id: string): Promise<StoredDocument | undefined> {
    const r = await this.db.selectFrom('scans').innerJoin('scan_documents', 'scan_documents.scan_id', 'scans.id')
      .select(['scans.tenant_id', 'scan_documents.document']).where('scans.id', '=', id).executeTakeFirst();
    return r && sees(scope, r.tenant_id) ? (JSON.parse(r.document) as ReportDocument) : undefined;
  }

  async listScans(scope: Scope, filter: { targetId?: string; tenantId?: string; status?: ScanRecord['status'] }, p: PageRequest): Promise<Page<ScanRecord>> {
    const { page, pageSize, offset } = pageOf(p);
    let qb = this.scoped(this.db.selectFrom('scans'), scope, 'scans.tenant_id');
    if (filter.targetId !== undefined) qb = qb.where('target_id', '=', filter.targetId);
    if (filter.tenantId !== undefined) qb = qb.where('tenant_id', '=', filter.tenantId);
    if (filter.status !== undefined) qb = qb.where('status', '=', filter.status);
    const total = Number((await qb.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await qb.selectAll().orderBy('queued_at', 'desc').orderBy('id', 'desc').limit(pageSize).offset(offset).execute();
    return { items: rows.map(toScan), total, page, pageSize };
  }

  async countScans(scope: Scope): Promise<{ tenantId: string; status: ScanRecord['status']; count: number }[]> {
    const rows = await this.scoped(this.db.selectFrom('scans'), scope, 'scans.tenant_id')
      .select((eb) => ['tenant_id', 'status', eb.fn.countAll<number | string>().as('n')])
      .groupBy(['tenant_id', 'status'])
      .execute();
    return rows.map((r) => ({ tenantId: r.tenant_id, status: r.status as ScanRecord['status'], count: Number(r.n) }));
  }

  // ---- findings ----

  async listFindings(scope: Scope, filter: FindingFilter, p: PageRequest): Promise<Page<FindingRow & { targetName: string }>> {
    if (filter.scanId === undefined) return this.listLatestFindings(scope, filter, p);
    const { page, pageSize, offset } = pageOf(p);
    let qb = this.scoped(this.db.selectFrom('findings').innerJoin('targets', 'targets.id', 'findings.target_id'), scope, 'findings.tenant_id');
    if (filter.scanId !== undefined) qb = qb.where('findings.scan_id', '=', filter.scanId);
    else qb = qb.whereRef('findings.scan_id', '=', 'targets.last_done_scan_id');
    if (filter.tenantId !== undefined) qb = qb.where('findings.tenant_id', '=', filter.tenantId);
    if (filter.targetId !== undefined) qb = qb.where('findings.target_id', '=', filter.targetId);
    if (filter.severity?.length) qb = qb.where('findings.severity', 'in', filter.severity);
    if (filter.category?.length) qb = qb.where('findings.category', 'in', filter.category);
    if (filter.cve) {
      const cve = filter.cve.trim().toUpperCase();
      qb = qb.where((eb) => eb.exists(eb.selectFrom('finding_cves').select('finding_cves.cve')
        .whereRef('finding_cves.scan_id', '=', 'findings.scan_id').whereRef('finding_cves.finding_id', '=', 'findings.finding_id').where('finding_cves.cve', '=', cve)));
    }
    if (filter.package) qb = qb.where('findings.package', '=', filter.package);
    if (filter.tag !== undefined) {
      const tag = filter.tag;
      qb = qb.where((eb) => eb.exists(eb.selectFrom('target_tags').select('target_tags.tag').whereRef('target_tags.target_id', '=', 'findings.target_id').where('target_tags.tag', '=', tag)));
    }
    if (filter.kev !== undefined) qb = qb.where('findings.kev', '=', filter.kev ? 1 : 0);
    if (filter.q) {
      const q = likeArg(filter.q);
      qb = qb.where((eb: ExpressionBuilder<FleetDb & { findings: FindingsTable; targets: TargetsTable }, 'findings' | 'targets'>) => eb.or([
        sql<boolean>`lower(${eb.ref('findings.title')}) like ${q} escape '\\'`,
        sql<boolean>`lower(${eb.ref('findings.finding_id')}) like ${q} escape '\\'`,
        sql<boolean>`lower(coalesce(${eb.ref('findings.component')}, '')) like ${q} escape '\\'`,
        sql<boolean>`lower(coalesce(${eb.ref('findings.package')}, '')) like ${q} escape '\\'`,
        sql<boolean>`lower(${eb.ref('findings.cves')}) like ${q} escape '\\'`,
        sql<boolean>`lower(${eb.ref('targets.name')}) like ${q} escape '\\'`,
      ]));
    }
    const total = Number((await qb.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await qb.selectAll('findings').select('targets.name as target_name')
      .orderBy('findings.severity_rank', 'desc').orderBy('targets.name').orderBy('findings.finding_id')
      .limit(pageSize).offset(offset).execute();
    // One scan's findings: counted exactly (a few hundred rows).
    return { items: rows.map((r) => ({ ...toFinding(r), targetName: r.target_name })), total, totalIsLowerBound: false, page, pageSize };
  }

  /**
   * The findings of each target's latest finished scan matching the filter, from finding_history (not resolved),
   * joined to their target, without order or limit: the findings list and the CSV export add theirs.
   * `tenantsInOrder`: the scope's tenants as a plain filter, no index on it (SQLite's unary +), so the page is read
   * in the list's order (finding_history_latest) instead of gathering and sorting every row of those tenants. Also
   * for one target's findings: SQLite would otherwise walk its tenant's rows (per-tenant index) for them, 15-117 ms
   * at 5,000 targets, instead of the target's own (its primary key), under 1 ms.
   */
  private latestFindingsQuery(scope: Scope, filter: FindingFilter, tenantsInOrder: boolean) {
    const tenants = visible(scope);
    const targetOnSqlite = this.dialect === 'sqlite' && filter.targetId !== undefined;
    let qb = (tenantsInOrder || targetOnSqlite) && Array.isArray(tenants) && tenants.length > 0
      ? this.db.selectFrom('finding_history').innerJoin('targets', 'targets.id', 'finding_history.target_id')
        .where(sql<boolean>`+${sql.ref('finding_history.tenant_id')} in (${sql.join(tenants)})`)
      : this.scoped(this.db.selectFrom('finding_history').innerJoin('targets', 'targets.id', 'finding_history.target_id'), scope, 'finding_history.tenant_id');
    qb = qb.where('finding_history.state', '!=', 'resolved');
    if (filter.tenantId !== undefined) {
      const tenantId = filter.tenantId;
      qb = targetOnSqlite ? qb.where(sql<boolean>`+${sql.ref('finding_history.tenant_id')} = ${tenantId}`) : qb.where('finding_history.tenant_id', '=', tenantId);
    }
    if (filter.targetId !== undefined) qb = qb.where('finding_history.target_id', '=', filter.targetId);
    if (filter.severity?.length) qb = qb.where('finding_history.severity_rank', 'in', filter.severity.map((x) => severityRank(x)));
    if (filter.category?.length) qb = qb.where('finding_history.category', 'in', filter.category);
    if (filter.cve) {
      const cve = filter.cve.trim().toUpperCase();
      // Driven from the CVE (its index), not checked row by row along the whole history: the findings naming it in
      // each target's latest finished scan (a scan has one target, so its target id is the history row's).
      qb = qb.where((eb) => eb(eb.refTuple('finding_history.target_id', 'finding_history.finding_id'), 'in', eb.selectFrom('finding_cves')
        .innerJoin('targets as latest', (j) => j.onRef('latest.id', '=', 'finding_cves.target_id').onRef('latest.last_done_scan_id', '=', 'finding_cves.scan_id'))
        .select(['finding_cves.target_id', 'finding_cves.finding_id']).where('finding_cves.cve', '=', cve).$asTuple('target_id', 'finding_id')));
    }
    if (filter.package) qb = qb.where('finding_history.package', '=', filter.package);
    if (filter.tag !== undefined) {
      const tag = filter.tag;
      qb = qb.where((eb) => eb.exists(eb.selectFrom('target_tags').select('target_tags.tag').whereRef('target_tags.target_id', '=', 'finding_history.target_id').where('target_tags.tag', '=', tag)));
    }
    if (filter.kev !== undefined) qb = qb.where('finding_history.kev', '=', filter.kev ? 1 : 0);
    if (filter.q) {
      const q = likeArg(filter.q);
      qb = qb.where((eb) => eb.or([
        sql<boolean>`lower(${eb.ref('finding_history.title')}) like ${q} escape '\\'`,
        sql<boolean>`lower(${eb.ref('finding_history.finding_id')}) like ${q} escape '\\'`,
        sql<boolean>`lower(coalesce(${eb.ref('finding_history.component')}, '')) like ${q} escape '\\'`,
        sql<boolean>`lower(coalesce(${eb.ref('finding_history.package')}, '')) like ${q} escape '\\'`,
        sql<boolean>`lower(${eb.ref('finding_history.cves')}) like ${q} escape '\\'`,
        sql<boolean>`lower(${eb.ref('targets.name')}) like ${q} escape '\\'`,
      ]));
    }
    return qb;
  }

  /** The columns of a latest-findings row (latestFindingOf): the history row, its target's name and latest scan. */
  private latestColumns(qb: ReturnType<SqlFleetStore['latestFindingsQuery']>) {
    return qb.selectAll('finding_history').select(['targets.name as target_name', 'targets.last_done_scan_id']);
  }

  /** The findings list's order (finding_history_latest): most severe first, then by target and finding id (unique). */
  private inListOrder(qb: ReturnType<SqlFleetStore['latestFindingsQuery']>) {
    return qb.orderBy('finding_history.severity_rank', 'desc').orderBy('finding_history.target_id').orderBy('finding_history.finding_id');
  }

  /**
   * A scope of several tenants without a tenant filter, on SQLite: read in the list's order from the index
   * (latestFindingsQuery's `tenantsInOrder`) when many rows match, instead of gathering and sorting every row of
   * those tenants.
   */
  private manyTenantsOnSqlite(scope: Scope, filter: FindingFilter): boolean {
    const tenants = visible(scope);
    return this.dialect === 'sqlite' && filter.tenantId === undefined && Array.isArray(tenants) && tenants.length > 1;
  }

  /**
   * The findings of each target's latest finished scan, read from finding_history (its rows not resolved are exactly
   * those findings, with the same columns), in index order: most severe first, then by target and finding id.
   */
  private async listLatestFindings(scope: Scope, filter: FindingFilter, p: PageRequest): Promise<Page<FindingRow & { targetName: string }>> {
    const { page, pageSize, offset } = pageOf(p);
    const qb = this.latestFindingsQuery(scope, filter, false);
    // PostgreSQL counts in the list's order: unordered, it may count by a sequential scan that stops at the cap, and
    // synchronised scans start it where the previous one stopped, so its cost swings up to a whole-table read (7 ms
    // to 175 ms for one tenant at 5,000 targets); in order it reads at most cap + 1 index entries (17 / 42 ms).
    // SQLite counts faster without the order (covering indexes) and has no synchronised scans.
    const counted = await this.countUpTo(this.dialect === 'postgres' ? this.inListOrder(qb) : qb, Math.max(COUNT_CAP, offset + pageSize));
    // A scope of several tenants (no tenant filter) with many rows: SQLite would take them from the per-tenant index
    // and sort them all (250 ms for 3 of 20 tenants at 5,000 targets); read the list's order, LIMIT rows, instead.
    // With few rows (under the cap) sorting them is the cheaper plan. PostgreSQL's planner makes this choice itself.
    const inOrder = counted.totalIsLowerBound && this.manyTenantsOnSqlite(scope, filter);
    const rows = await this.latestColumns(this.inListOrder(inOrder ? this.latestFindingsQuery(scope, filter, true) : qb)).limit(pageSize).offset(offset).execute();
    return {
      items: rows.map(latestFindingOf),
      ...counted, page, pageSize,
    };
  }

  /**
   * Every finding listFindings matches, in its order (the same rows, fields and order as its pages one after the
   * other), a batch at a time: the CSV export. Each batch is one query of at most `batchSize` rows, read on from the
   * last row of the batch before (keyset on the list's order: severity rank, then target id and finding id, unique),
   * so a batch costs the same at the end of the list as at its start; OFFSET re-read every row before the page, and
   * the export grew with the square of the rows. Without a snapshot (SQLite's one connection is not held between
   * batches, nor a PostgreSQL one): each finding comes at most once, in order; a finding that changes while the export
   * is running is as it was when its batch was read, and one added or resolved then shows (or not) by whether the
   * export has passed its place yet. Rows never shift as with OFFSET, so none is doubled or skipped by others' changes.
   * One scan's findings (a few hundred) are read by their pages.
   */
  async *findingsInOrder(scope: Scope, filter: FindingFilter, batchSize = 500): AsyncGenerator<(FindingRow & { targetName: string })[]> {
    if (filter.scanId !== undefined) {
      for (let page = 1; ; page++) {
        const res = await this.listFindings(scope, filter, { page, pageSize: batchSize });
        if (res.items.length) yield res.items;
        if (res.items.length < batchSize) return;
      }
    }
    // In the list's order from the index, as listLatestFindings with many rows: SQLite would otherwise gather and sort
    // every remaining row of the scope's tenants for each batch.
    const inOrder = this.manyTenantsOnSqlite(scope, filter);
    const base = () => this.latestFindingsQuery(scope, filter, inOrder);
    const columns = (qb: ReturnType<typeof base>) => this.latestColumns(qb).limit(batchSize);
    let last: { rank: number; targetId: string; findingId: string } | undefined;
    for (;;) {
      let rows: Awaited<ReturnType<ReturnType<typeof columns>['execute']>> = [];
      if (last) {
        // The rest of this severity rank, then (in a query of its own, each a range of the index) the ranks below.
        const { rank, targetId, findingId } = last;
        rows = await columns(base().where('finding_history.severity_rank', '=', rank)
          .where((eb) => eb(eb.refTuple('finding_history.target_id', 'finding_history.finding_id'), '>', eb.tuple(targetId, findingId)))
          .orderBy('finding_history.target_id').orderBy('finding_history.finding_id')).execute();
        if (!rows.length) {
          rows = await columns(this.inListOrder(base().where('finding_history.severity_rank', '<', rank))).execute();
        }
      } else {
        rows = await columns(this.inListOrder(base())).execute();
      }
      if (!rows.length) return;
      yield rows.map(latestFindingOf);
      const r = rows[rows.length - 1]!;
      last = { rank: Number(r.severity_rank), targetId: r.target_id as string, findingId: r.finding_id as string };
    }
  }

  /**
   * The rows a query matches, counted up to `cap`: reads at most cap + 1 rows, so the cost stops growing with the
   * fleet. Past the cap the answer is the cap, flagged as a lower bound (there are more).
   */
  private async countUpTo(qb: SelectQueryBuilder<FleetDb, keyof FleetDb, object>, cap: number): Promise<{ total: number; totalIsLowerBound: boolean }> {
    const capped = qb.select(sql<number>`1`.as('one')).limit(cap + 1).as('capped');
    const n = Number((await this.db.selectFrom(capped).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return n > cap ? { total: cap, totalIsLowerBound: true } : { total: n, totalIsLowerBound: false };
  }

  async findingHistory(scope: Scope, targetId: string): Promise<FindingHistory[]> {
    const rows = await this.scoped(this.db.selectFrom('finding_history').selectAll(), scope, 'tenant_id').where('target_id', '=', targetId)
      .orderBy('last_seen_at', 'desc').orderBy('finding_id').execute();
    return rows.map(toHistory);
  }

  async diffScans(scope: Scope, fromScanId: string, toScanId: string): Promise<ScanDiff | undefined> {
    const scans = await this.db.selectFrom('scans').selectAll().where('id', 'in', [fromScanId, toScanId]).execute();
    const from = scans.find((s) => s.id === fromScanId);
    const to = scans.find((s) => s.id === toScanId);
    if (!from || !to || !sees(scope, from.tenant_id) || !sees(scope, to.tenant_id) || from.target_id !== to.target_id) return undefined;
    const rowsOf = async (id: string) => (await this.db.selectFrom('findings').selectAll().where('scan_id', '=', id).orderBy('severity_rank', 'desc').orderBy('finding_id').execute()).map(toFinding);
    const [a, b] = [await rowsOf(fromScanId), await rowsOf(toScanId)];
    const inA = new Set(a.map((f) => f.findingId));
    const inB = new Set(b.map((f) => f.findingId));
    // A finding absent from one side is gone (or new) only when that side's scan checked it.
    const [docA, docB] = [await this.scanDocument(fromScanId), await this.scanDocument(toScanId)];
    const targetOf = (d: ReportDocument | undefined) => (d?.target ? { kind: d.target.kind, name: d.target.name } : undefined);
    const coverB = docB ? coverageOf(docB, { previousTarget: targetOf(docA) }) : FULL_COVERAGE;
    const coverA = docA ? coverageOf(docA, { previousTarget: targetOf(docB) }) : FULL_COVERAGE;
    const goneFromA = a.filter((f) => !inB.has(f.findingId));
    const notInA = b.filter((f) => !inA.has(f.findingId));
    return {
      from: fromScanId,
      to: toScanId,
      new: notInA.filter((f) => coverA.covers(f)),
      resolved: goneFromA.filter((f) => coverB.covers(f)),
      unchanged: b.filter((f) => inA.has(f.findingId)),
      notChecked: goneFromA.filter((f) => !coverB.covers(f)),
      notCheckedBefore: notInA.filter((f) => !coverA.covers(f)),
    };
  }

  private async scanDocument(scanId: string): Promise<ReportDocument | undefined> {
    const r = await this.db.selectFrom('scan_documents').select('document').where('scan_id', '=', scanId).executeTakeFirst();
    return r ? parseJson<ReportDocument | undefined>(r.document, undefined) : undefined;
  }

  async overview(scope: Scope, opts: { tenantId?: string; now: Date; limit?: number }): Promise<FleetOverview> {
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 1000));
    const nowMs = opts.now.getTime();
    const days = (iso: string | null) => (iso === null ? null : Math.max(0, Math.floor((nowMs - Date.parse(iso)) / DAY)));
    const tenantFilter = <QB extends SelectQueryBuilder<FleetDb, 'targets', object>>(qb: QB): QB => {
      let out = this.scoped(qb, scope, 'targets.tenant_id');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      if (opts.tenantId !== undefined) out = (out as any).where('targets.tenant_id', '=', opts.tenantId) as QB;
      return out;
    };
    const targetsQ = tenantFilter(this.db.selectFrom('targets') as SelectQueryBuilder<FleetDb, 'targets', object>);
    const counts = await targetsQ.select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.count<number>('targets.last_done_scan_id').as('scanned'),
    ]).executeTakeFirstOrThrow();
    const failed = await tenantFilter(this.db.selectFrom('targets').innerJoin('scans', 'scans.id', 'targets.last_scan_id') as unknown as SelectQueryBuilder<FleetDb, 'targets', object>)
      .where(sql<boolean>`scans.status = 'failed'`).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const summaries = await tenantFilter(this.db.selectFrom('targets').innerJoin('scans', 'scans.id', 'targets.last_done_scan_id') as unknown as SelectQueryBuilder<FleetDb, 'targets', object>)
      .select(sql<string | null>`scans.summary`.as('summary')).execute();
    const summary = emptySummary();
    for (const r of summaries) {
      const s = parseJson<Partial<Record<Severity, number>> | null>(r.summary, null);
      if (s) for (const k of SEVERITIES) summary[k] += Number(s[k] ?? 0);
    }
    // The open problems of each target's latest finished scan are the history rows not resolved (history follows the
    // newest scan only); accepted ones have state 'accepted' and are left out.
    const open = () => {
      let qb = this.scoped(this.db.selectFrom('finding_history').innerJoin('targets', 'targets.id', 'finding_history.target_id'), scope, 'finding_history.tenant_id')
        .where('finding_history.state', '=', 'open');
      if (opts.tenantId !== undefined) qb = qb.where('finding_history.tenant_id', '=', opts.tenantId);
      return qb;
    };
    const cols = ['finding_history.target_id', 'targets.name', 'finding_history.tenant_id', 'finding_history.finding_id', 'finding_history.package', 'finding_history.component',
      'finding_history.version', 'finding_history.title', 'finding_history.severity', 'finding_history.cves', 'finding_history.fix_published_at', 'finding_history.first_seen_at'] as const;
    // Every list in index order (ties by target id, then finding id), so each reads about `limit` rows.
    const ordered = <QB extends ReturnType<typeof open>>(qb: QB) => qb.orderBy('finding_history.severity_rank', 'desc').orderBy('finding_history.target_id').orderBy('finding_history.finding_id');
    // Oldest fix first, then the ones whose fix date is unknown.
    const datedQ = ordered(open().where('finding_history.category', '=', 'missing-security-update').where('finding_history.fix_published_at', 'is not', null)
      .orderBy('finding_history.fix_published_at')).select(cols).limit(limit).execute();
    const undatedQ = ordered(open().where('finding_history.category', '=', 'missing-security-update').where('finding_history.fix_published_at', 'is', null)).select(cols).limit(limit).execute();
    const pick = (category: string) => ordered(open().where('finding_history.category', '=', category)).select(cols).limit(limit).execute();
    const kevQ = ordered(open().where('finding_history.kev', '=', 1)).select(cols).limit(limit).execute();
    // Independent queries: on PostgreSQL they run on several pool connections at once.
    const [dated, undated, eol, pii, kev] = await Promise.all([datedQ, undatedQ, pick('end-of-life'), pick('personal-data-exposure'), kevQ]);
    const missing = [...dated, ...undated].slice(0, limit);
    return {
      targets: Number(counts.n),
      scannedTargets: Number(counts.scanned),
      failedTargets: Number(failed.n),
      summary,
      missingUpdates: missing.map((r) => {
        const firstSeenAt = r.first_seen_at;
        return {
          targetId: r.target_id, targetName: r.name, tenantId: r.tenant_id, findingId: r.finding_id, package: r.package, severity: r.severity as Severity,
          fixPublishedAt: r.fix_published_at, lagDays: days(r.fix_published_at), firstSeenAt, daysSeen: days(firstSeenAt) ?? 0,
        };
      }),
      endOfLife: eol.map((r) => ({ targetId: r.target_id, targetName: r.name, tenantId: r.tenant_id, findingId: r.finding_id, component: r.component, version: r.version, title: r.title, severity: r.severity as Severity })),
      personalData: pii.map((r) => ({ targetId: r.target_id, targetName: r.name, tenantId: r.tenant_id, findingId: r.finding_id, title: r.title, severity: r.severity as Severity })),
      kev: kev.map((r) => ({ targetId: r.target_id, targetName: r.name, tenantId: r.tenant_id, findingId: r.finding_id, cves: parseJson<string[]>(r.cves, []), title: r.title, severity: r.severity as Severity })),
    };
  }

  // ---- exceptions ----

  async createException(scope: Scope, e: Omit<RiskException, 'id' | 'createdAt' | 'revokedAt'>): Promise<RiskException | undefined> {
    if (!writes(scope, e.tenantId)) return undefined;
    if (e.targetId === null && e.findingId === null && e.cve === null) throw new FleetStoreError('an exception names a target, a finding id or a CVE (a whole tenant cannot be accepted at once)');
    if (Number.isNaN(Date.parse(e.expiresAt))) throw new FleetStoreError(`exception expiry ${JSON.stringify(e.expiresAt)} is not a date`);
    if (!e.reason.trim() || !e.owner.trim()) throw new FleetStoreError('an exception needs a reason and an owner');
    const tenant = await this.db.selectFrom('tenants').select('id').where('id', '=', e.tenantId).executeTakeFirst();
    if (!tenant) return undefined;
    if (e.targetId !== null) {
      const t = await this.db.selectFrom('targets').select('tenant_id').where('id', '=', e.targetId).executeTakeFirst();
      if (!t || t.tenant_id !== e.tenantId) return undefined;
    }
    const row = {
      id: randomUUID(), tenant_id: e.tenantId, target_id: e.targetId, finding_id: e.findingId, cve: e.cve ? e.cve.trim().toUpperCase() : null,
      reason: e.reason, owner: e.owner, expires_at: new Date(e.expiresAt).toISOString(), created_by: e.createdBy, created_at: now(), revoked_at: null,
    };
    await this.tx(async (trx) => {
      await trx.insertInto('exceptions').values(row).execute();
      await this.reapplyExceptions(trx, e.tenantId, e.targetId);
    });
    return toException(row);
  }

  /**
   * Re-evaluates `accepted` on the latest finished scan of the affected targets (and their history state), so a
   * risk accepted or revoked shows at once; later scans apply the exceptions active when they were observed.
   */
  private async reapplyExceptions(trx: Tx, tenantId: string, targetId: string | null): Promise<void> {
    let tq = trx.selectFrom('targets').select(['id', 'last_done_scan_id', 'last_done_scanned_at']).where('tenant_id', '=', tenantId).where('last_done_scan_id', 'is not', null);
    if (targetId !== null) tq = tq.where('id', '=', targetId);
    const targets = await tq.execute();
    const exceptions = (await trx.selectFrom('exceptions').selectAll().where('tenant_id', '=', tenantId).execute()).map(toException);
    const at = now();
    for (const t of targets) {
      const rows = (await trx.selectFrom('findings').selectAll().where('scan_id', '=', t.last_done_scan_id!).execute()).map(toFinding);
      for (const r of rows) {
        const accepted = exceptions.some((e) => exceptionCovers(e, r, at));
        if (accepted === r.accepted) continue;
        await trx.updateTable('findings').set({ accepted: accepted ? 1 : 0 }).where('scan_id', '=', r.scanId).where('finding_id', '=', r.findingId).execute();
        await trx.updateTable('finding_history').set({ state: accepted ? 'accepted' : 'open' })
          .where('target_id', '=', t.id).where('finding_id', '=', r.findingId).where('state', '!=', 'resolved').execute();
      }
      // Findings the latest scan did not check are not in its rows: their history state follows the exceptions too.
      const unverified = await trx.selectFrom('finding_history').selectAll().where('target_id', '=', t.id).where('unverified_since', 'is not', null).where('state', '!=', 'resolved').execute();
      for (const h of unverified) {
        const row = { tenantId: h.tenant_id, targetId: h.target_id, findingId: h.finding_id, cves: parseJson<string[]>(h.cves, []) };
        const state = exceptions.some((e) => exceptionCovers(e, row, at)) ? 'accepted' : 'open';
        if (state !== h.state) await trx.updateTable('finding_history').set({ state }).where('target_id', '=', t.id).where('finding_id', '=', h.finding_id).execute();
      }
    }
  }

  async listExceptions(scope: Scope, filter: { tenantId?: string; targetId?: string; includeExpired?: boolean }, at: Date): Promise<RiskException[]> {
    let qb = this.scoped(this.db.selectFrom('exceptions').selectAll(), scope, 'tenant_id');
    if (filter.tenantId !== undefined) qb = qb.where('tenant_id', '=', filter.tenantId);
    if (filter.targetId !== undefined) qb = qb.where('target_id', '=', filter.targetId);
    if (!filter.includeExpired) qb = qb.where('expires_at', '>', at.toISOString()).where('revoked_at', 'is', null);
    return (await qb.orderBy('expires_at').orderBy('id').execute()).map(toException);
  }

  async revokeException(scope: Scope, id: string): Promise<boolean> {
    const r = await this.db.selectFrom('exceptions').select(['tenant_id', 'target_id', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    if (!r || !writes(scope, r.tenant_id) || r.revoked_at !== null) return false;
    await this.tx(async (trx) => {
      await trx.updateTable('exceptions').set({ revoked_at: now() }).where('id', '=', id).execute();
      await this.reapplyExceptions(trx, r.tenant_id, r.target_id);
    });
    return true;
  }

  // ---- people ----

  async countUsers(): Promise<number> {
    return Number((await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  }

  async createUser(u: { email: string; passwordHash: string; role: Role; tenantIds: string[] }): Promise<User> {
    const email = u.email.trim().toLowerCase();
    if (!email) throw new FleetStoreError('a user needs an email address');
    const row = { id: randomUUID(), email, password_hash: u.passwordHash, role: u.role, tenant_ids: JSON.stringify([...new Set(u.tenantIds)]), totp_enabled: 0, created_at: now(), disabled_at: null };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new FleetStoreError(`a user with the email address ${JSON.stringify(email)} already exists`);
      throw err;
    }
    return toUser(row);
  }

  async getUser(id: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  }

  async getUserByEmail(email: string): Promise<(User & { passwordHash: string }) | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return r && { ...toUser(r), passwordHash: r.password_hash };
  }

  async listUsers(scope: Scope): Promise<User[]> {
    const rows = (await this.db.selectFrom('users').selectAll().orderBy('email').execute()).map(toUser);
    const v = visible(scope);
    if (v === 'all') return rows;
    // Non-admins see the users who share one of their tenants (never administrators' full list).
    return rows.filter((u) => u.id === scope.userId || (u.role !== 'admin' && u.tenantIds.some((t) => v.includes(t))));
  }

  async updateUser(id: string, patch: { role?: Role; tenantIds?: string[]; passwordHash?: string; disabled?: boolean }): Promise<User | undefined> {
    const cur = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!cur) return undefined;
    await this.db.updateTable('users').set({
      role: patch.role ?? cur.role,
      tenant_ids: patch.tenantIds ? JSON.stringify([...new Set(patch.tenantIds)]) : cur.tenant_ids,
      password_hash: patch.passwordHash ?? cur.password_hash,
      disabled_at: patch.disabled === undefined ? cur.disabled_at : patch.disabled ? (cur.disabled_at ?? now()) : null,
    }).where('id', '=', id).execute();
    return this.getUser(id);
  }

  async setTotp(userId: string, secret: string | null, enabled: boolean): Promise<void> {
    if (secret !== null) this.secretKey();
    await this.tx(async (trx) => {
      await this.putSecret(trx, 'user', userId, 'totp', secret);
      await trx.updateTable('users').set({ totp_enabled: enabled && secret !== null ? 1 : 0 }).where('id', '=', userId).execute();
    });
  }

  async getTotpSecret(userId: string): Promise<string | undefined> {
    return this.getSecret('user', userId, 'totp');
  }

  // ---- sessions and tokens ----

  async createSession(s: SessionRecord): Promise<void> {
    await this.db.insertInto('sessions').values({ id_hash: s.idHash, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt, mfa_passed: s.mfaPassed ? 1 : 0 }).execute();
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const r = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return r && { idHash: r.id_hash, userId: r.user_id, csrfToken: r.csrf_token, createdAt: r.created_at, expiresAt: r.expires_at, mfaPassed: Number(r.mfa_passed) === 1 };
  }

  async updateSession(idHash: string, patch: Partial<Pick<SessionRecord, 'expiresAt' | 'mfaPassed'>>): Promise<void> {
    const set: { expires_at?: string; mfa_passed?: number } = {};
    if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt;
    if (patch.mfaPassed !== undefined) set.mfa_passed = patch.mfaPassed ? 1 : 0;
    if (Object.keys(set).length) await this.db.updateTable('sessions').set(set).where('id_hash', '=', idHash).execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  async createToken(t: { userId: string; name: string; hash: string }): Promise<TokenRecord> {
    const row = { id: randomUUID(), user_id: t.userId, name: t.name, hash: t.hash, created_at: now(), last_used_at: null, revoked_at: null };
    await this.db.insertInto('tokens').values(row).execute();
    return toToken(row);
  }

  /** The token with this hash, when not revoked (and its last use is recorded). */
  async findToken(hash: string): Promise<TokenRecord | undefined> {
    const r = await this.db.selectFrom('tokens').selectAll().where('hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
    if (!r) return undefined;
    const t = now();
    await this.db.updateTable('tokens').set({ last_used_at: t }).where('id', '=', r.id).execute();
    return toToken({ ...r, last_used_at: t });
  }

  async listTokens(userId: string): Promise<TokenRecord[]> {
    return (await this.db.selectFrom('tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute()).map(toToken);
  }

  async revokeToken(userId: string, id: string): Promise<boolean> {
    const r = await this.db.updateTable('tokens').set({ revoked_at: now() }).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  // ---- login throttling ----

  async recordLoginAttempt(key: string, ok: boolean, at: Date): Promise<void> {
    await this.db.insertInto('login_attempts').values({ key, ok: ok ? 1 : 0, at: at.toISOString() }).execute();
  }

  async countLoginFailures(key: string, since: Date): Promise<number> {
    // Failures since the last success (a successful login resets the count).
    const lastOk = await this.db.selectFrom('login_attempts').select('at').where('key', '=', key).where('ok', '=', 1).where('at', '>=', since.toISOString())
      .orderBy('at', 'desc').limit(1).executeTakeFirst();
    const from = lastOk?.at ?? since.toISOString();
    const r = await this.db.selectFrom('login_attempts').select((eb) => eb.fn.countAll<number>().as('n')).where('key', '=', key).where('ok', '=', 0)
      .where('at', lastOk ? '>' : '>=', from).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  // ---- audit ----

  async appendAudit(e: Omit<AuditEntry, 'id' | 'at'>, at: Date): Promise<void> {
    await this.db.insertInto('audit').values({
      id: randomUUID(), at: at.toISOString(), actor_user_id: e.actorUserId, actor_token_id: e.actorTokenId, action: e.action,
      object_type: e.objectType, object_id: e.objectId, tenant_id: e.tenantId, detail: JSON.stringify(e.detail ?? {}),
    }).execute();
  }

  async listAudit(scope: Scope, filter: { tenantId?: string }, p: PageRequest): Promise<Page<AuditEntry>> {
    const { page, pageSize, offset } = pageOf(p);
    let qb = this.scoped(this.db.selectFrom('audit'), scope, 'tenant_id');
    if (filter.tenantId !== undefined) qb = qb.where('tenant_id', '=', filter.tenantId);
    const total = Number((await qb.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await qb.selectAll().orderBy('seq', 'desc').limit(pageSize).offset(offset).execute();
    return {
      items: rows.map((r) => ({
        id: r.id, at: r.at, actorUserId: r.actor_user_id, actorTokenId: r.actor_token_id, action: r.action, objectType: r.object_type,
        objectId: r.object_id, tenantId: r.tenant_id, detail: parseJson<Record<string, unknown>>(r.detail, {}),
      })),
      total, page, pageSize,
    };
  }

  // ---- reports ----

  async createReport(scope: Scope, r: { id?: string; tenantId: string; scanId?: string | null; format: ReportFormat; lang: 'ja' | 'en'; deliver?: boolean }): Promise<ReportRecord | undefined> {
    if (!sees(scope, r.tenantId)) return undefined;
    if (r.format !== 'html' && r.format !== 'pdf') throw new FleetStoreError(`report format must be html or pdf, not ${JSON.stringify(r.format)}`);
    if (r.lang !== 'ja' && r.lang !== 'en') throw new FleetStoreError(`report language must be ja or en, not ${JSON.stringify(r.lang)}`);
    const tenant = await this.db.selectFrom('tenants').select('id').where('id', '=', r.tenantId).executeTakeFirst();
    if (!tenant) return undefined;
    const id = r.id ?? randomUUID();
    const row: ReportsTable = {
      id, tenant_id: r.tenantId, scan_id: r.scanId ?? null, format: r.format, lang: r.lang, status: 'queued', failure_reason: null, filename: null,
      content: null, size: null, sha256: null, deliver: r.deliver ? 1 : 0, delivered_at: null, attempts: 0, requested_by: scope.userId, created_at: now(),
      started_at: null, finished_at: null,
    };
    await this.db.insertInto('reports').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
    return this.getReport(scope, id);
  }

  async getReport(scope: Scope, id: string): Promise<ReportRecord | undefined> {
    const r = await this.db.selectFrom('reports').select(REPORT_COLUMNS).where('id', '=', id).executeTakeFirst();
    return r && sees(scope, r.tenant_id) ? toReport(r) : undefined;
  }

  async listReports(scope: Scope, filter: { tenantId?: string; status?: ReportStatus[] }, limit = 50): Promise<ReportRecord[]> {
    let qb = this.scoped(this.db.selectFrom('reports'), scope, 'tenant_id');
    if (filter.tenantId !== undefined) qb = qb.where('tenant_id', '=', filter.tenantId);
    if (filter.status?.length) qb = qb.where('status', 'in', filter.status);
    const n = Number.isFinite(limit) && limit >= 1 ? Math.min(Math.floor(limit), MAX_PAGE_SIZE) : 50;
    return (await qb.select(REPORT_COLUMNS).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(n).execute()).map(toReport);
  }

  async getReportContent(scope: Scope, id: string): Promise<{ report: ReportRecord; content: Uint8Array } | undefined> {
    const r = await this.db.selectFrom('reports').selectAll().where('id', '=', id).where('status', '=', 'done').executeTakeFirst();
    if (!r || !sees(scope, r.tenant_id) || r.content === null) return undefined;
    return { report: toReport(r), content: new Uint8Array(r.content) };
  }

  async startReport(id: string): Promise<boolean> {
    const r = await this.db.updateTable('reports')
      .set((eb) => ({ status: 'running', started_at: now(), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id).where('status', 'in', ['queued', 'running']).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async finishReport(id: string, r: { filename: string; content: Uint8Array; sha256: string }): Promise<boolean> {
    const u = await this.db.updateTable('reports')
      .set({ status: 'done', filename: r.filename, content: Buffer.from(r.content.buffer, r.content.byteOffset, r.content.byteLength), size: r.content.byteLength, sha256: r.sha256, failure_reason: null, finished_at: now() })
      .where('id', '=', id).where('status', '!=', 'done').executeTakeFirst();
    return Number(u.numUpdatedRows) === 1;
  }

  async failReport(id: string, reason: string, final: boolean): Promise<void> {
    await this.db.updateTable('reports')
      .set({ status: final ? 'failed' : 'queued', failure_reason: reason.slice(0, 4000), finished_at: final ? now() : null })
      .where('id', '=', id).where('status', 'in', ['queued', 'running']).execute();
  }

  async markReportDelivered(id: string, at: Date): Promise<void> {
    await this.db.updateTable('reports').set({ delivered_at: at.toISOString() }).where('id', '=', id).execute();
  }

  async pruneReports(tenantId: string, opts: { keep: number; before: Date }): Promise<number> {
    const finished = ['done', 'failed'];
    // One statement (what to keep and what to delete from one snapshot): chosen in one query and deleted in the
    // next, a report another worker finished in between was deleted, the newest of the tenant.
    const r = await this.db.deleteFrom('reports').where('tenant_id', '=', tenantId).where('status', 'in', finished)
      .where((eb) => eb.or([
        eb('created_at', '<', opts.before.toISOString()),
        eb('id', 'not in', eb.selectFrom('reports').select('id').where('tenant_id', '=', tenantId).where('status', 'in', finished)
          .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(Math.max(0, Math.floor(opts.keep)))),
      ]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- settings ----

  async getSetting<T>(tenantId: string | null, key: string): Promise<T | undefined> {
    const r = await this.db.selectFrom('settings').select('value').where('tenant_key', '=', tenantId ?? '').where('key', '=', key).executeTakeFirst();
    return r ? (JSON.parse(r.value) as T) : undefined;
  }

  async setSetting(tenantId: string | null, key: string, value: unknown, secrets?: Readonly<Record<string, string>>): Promise<void> {
    const v = JSON.stringify(value ?? null);
    const upsert = (q: Q) => q.insertInto('settings').values({ tenant_key: tenantId ?? '', key, value: v, updated_at: now() })
      .onConflict((oc) => oc.columns(['tenant_key', 'key']).doUpdateSet({ value: v, updated_at: now() })).execute();
    if (secrets === undefined) {
      await upsert(this.db);
      return;
    }
    for (const name of Object.keys(secrets)) {
      if (!name || name.includes('/')) throw new FleetStoreError(`setting ${key}: a secret's name must be non-empty and hold no '/' (${JSON.stringify(name)})`);
    }
    // Load the key before the transaction: a missing or unreadable key fails here, with nothing written.
    if (Object.keys(secrets).length) this.secretKey();
    const slot = settingSecretSlot(tenantId, key);
    await this.tx(async (trx) => {
      await upsert(trx);
      // The setting's secrets are replaced as a whole: those not named any more are deleted.
      const old = await trx.selectFrom('secrets').select('name').where('owner_type', '=', slot.ownerType).where('owner_id', '=', slot.ownerId).execute();
      for (const r of old) if (r.name.startsWith(slot.prefix) && !(r.name.slice(slot.prefix.length) in secrets)) await this.putSecret(trx, slot.ownerType, slot.ownerId, r.name, null);
      for (const [name, plain] of Object.entries(secrets)) await this.putSecret(trx, slot.ownerType, slot.ownerId, `${slot.prefix}${name}`, plain);
    });
  }

  async updateSetting<T>(tenantId: string | null, key: string, fn: (current: T | undefined) => T): Promise<T> {
    return this.tx(async (trx) => {
      // PostgreSQL: a lock per setting for the transaction (the row may not exist yet, so not FOR UPDATE); every
      // updater of it waits for the one before. SQLite: the transaction holds the store's only connection, and the
      // file's write lock from its BEGIN IMMEDIATE (another process's updater waits for it: ./index.ts).
      if (this.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext('mamori:setting'), hashtext(${`${tenantId ?? ''}/${key}`}))`.execute(trx);
      const r = await trx.selectFrom('settings').select('value').where('tenant_key', '=', tenantId ?? '').where('key', '=', key).executeTakeFirst();
      const next = fn(r ? (JSON.parse(r.value) as T) : undefined);
      const v = JSON.stringify(next ?? null);
      await trx.insertInto('settings').values({ tenant_key: tenantId ?? '', key, value: v, updated_at: now() })
        .onConflict((oc) => oc.columns(['tenant_key', 'key']).doUpdateSet({ value: v, updated_at: now() })).execute();
      return next;
    });
  }

  async getSettingSecret(tenantId: string | null, key: string, name: string): Promise<string | undefined> {
    const slot = settingSecretSlot(tenantId, key);
    return this.getSecret(slot.ownerType, slot.ownerId, `${slot.prefix}${name}`);
  }

  // ---- secrets rotation ----

  async reencryptSecrets(oldKey: SecretKey, newKey: SecretKey): Promise<number> {
    const n = await this.tx(async (trx) => {
      let q = trx.selectFrom('secrets').selectAll();
      if (this.dialect === 'postgres') q = q.forUpdate();
      const rows = await q.execute();
      for (const r of rows) {
        const aad = `${r.owner_type}:${r.owner_id}:${r.name}`;
        if (r.key_id === newKey.id) continue; // already rotated (a rerun after an interrupted key-file swap)
        const plain = decryptSecret(oldKey, r.sealed, aad);
        await trx.updateTable('secrets').set({ key_id: newKey.id, sealed: encryptSecret(newKey, plain, aad), updated_at: now() })
          .where('owner_type', '=', r.owner_type).where('owner_id', '=', r.owner_id).where('name', '=', r.name).execute();
      }
      return rows.length;
    });
    this.key = newKey;
    return n;
  }

  /** Key ids of the stored secrets (for `secret rotate` to check before it starts). */
  async secretKeyIds(): Promise<string[]> {
    return (await this.db.selectFrom('secrets').select('key_id').distinct().execute()).map((r) => r.key_id);
  }
}

export { SecretKeyError };

/** @internal exported for the bench's bulk load */
export function summaryOf(doc: ReportDocument): Record<Severity, number> {
  const s = emptySummary();
  for (const f of doc.findings) if (f.severity in s) s[f.severity]++;
  return s;
}

/** @internal exported for the bench's bulk load (the rows finishScan writes) */
export async function insertFindings(trx: Tx, rows: FindingRow[]): Promise<void> {
  const chunk = 400;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await trx.insertInto('findings').values(part.map((r) => ({
      scan_id: r.scanId, tenant_id: r.tenantId, target_id: r.targetId, finding_id: r.findingId, category: r.category, severity: r.severity,
      severity_rank: severityRank(r.severity), title: r.title, component: r.component, version: r.version, package: r.package,
      cves: JSON.stringify(r.cves), kev: r.kev ? 1 : 0, fix_published_at: r.fixPublishedAt, accepted: r.accepted ? 1 : 0,
      source: r.source ?? null, location: r.location ?? null,
    }))).execute();
  }
  const cves = rows.flatMap((r) => r.cves.map((cve) => ({ scan_id: r.scanId, finding_id: r.findingId, tenant_id: r.tenantId, target_id: r.targetId, cve: cve.toUpperCase() })));
  const seen = new Set<string>();
  const unique = cves.filter((c) => {
    const k = `${c.finding_id}\0${c.cve}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  for (let i = 0; i < unique.length; i += 1000) await trx.insertInto('finding_cves').values(unique.slice(i, i + 1000)).execute();
}

/** The target (kind and name) of a stored scan document, without keeping the document. */
async function documentTarget(q: Q, scanId: string): Promise<{ kind: string; name: string } | undefined> {
  const r = await q.selectFrom('scan_documents').select('document').where('scan_id', '=', scanId).executeTakeFirst();
  const doc = r ? parseJson<Partial<ReportDocument> | null>(r.document, null) : null;
  return doc?.target ? { kind: String(doc.target.kind), name: String(doc.target.name) } : undefined;
}

/**
 * First seen / last seen / resolved / reopened for the target's findings after a scan observed at `at` (the newest
 * for its target): present → open or accepted (reopened when it was resolved); absent and checked by the scan
 * (`coverage`) → resolved; absent but not checked (the scan had a gap for it) → its state and last seen stay, and
 * it is marked not verified since this scan (the first such scan is kept until a scan checks it again).
 */
export async function updateHistory(trx: Tx, tenantId: string, targetId: string, rows: FindingRow[], at: string, coverage: Coverage = FULL_COVERAGE, scanId: string | null = null): Promise<void> {
  const current = new Map((await trx.selectFrom('finding_history').selectAll().where('target_id', '=', targetId).execute()).map((h) => [h.finding_id, h]));
  const present = new Set<string>();
  const inserts: FleetDb['finding_history'][] = [];
  const unchanged: string[] = [];
  for (const r of rows) {
    present.add(r.findingId);
    const state = r.accepted ? 'accepted' : 'open';
    const h = current.get(r.findingId);
    const cols = {
      severity: r.severity, category: r.category, title: r.title, severity_rank: severityRank(r.severity), component: r.component, version: r.version,
      package: r.package, cves: JSON.stringify(r.cves), kev: r.kev ? 1 : 0, fix_published_at: r.fixPublishedAt, source: r.source ?? null, location: r.location ?? null,
    };
    if (!h) {
      inserts.push({
        tenant_id: tenantId, target_id: targetId, finding_id: r.findingId, state, ...cols, first_seen_at: at, last_seen_at: at, resolved_at: null, reopened_at: null, reopen_count: 0,
        unverified_since: null, unverified_scan_id: null,
      });
      continue;
    }
    const reopened = h.state === 'resolved';
    const same = (Object.keys(cols) as (keyof typeof cols)[]).every((k) => String(h[k]) === String(cols[k]));
    if (!reopened && h.state === state && same && h.unverified_since === null) {
      unchanged.push(r.findingId); // only last seen moves: one statement for all of them below
      continue;
    }
    await trx.updateTable('finding_history').set({
      state, ...cols, last_seen_at: at, unverified_since: null, unverified_scan_id: null,
      ...(reopened ? { reopened_at: at, reopen_count: Number(h.reopen_count) + 1, resolved_at: null } : {}),
    }).where('target_id', '=', targetId).where('finding_id', '=', r.findingId).execute();
  }
  for (let i = 0; i < inserts.length; i += 400) await trx.insertInto('finding_history').values(inserts.slice(i, i + 400)).execute();
  for (let i = 0; i < unchanged.length; i += 400) {
    await trx.updateTable('finding_history').set({ last_seen_at: at }).where('target_id', '=', targetId).where('finding_id', 'in', unchanged.slice(i, i + 400)).execute();
  }
  const absent = [...current.values()].filter((h) => h.state !== 'resolved' && !present.has(h.finding_id));
  const gone = absent.filter((h) => coverage.covers(h)).map((h) => h.finding_id);
  for (let i = 0; i < gone.length; i += 400) {
    await trx.updateTable('finding_history').set({ state: 'resolved', resolved_at: at, unverified_since: null, unverified_scan_id: null })
      .where('target_id', '=', targetId).where('finding_id', 'in', gone.slice(i, i + 400)).execute();
  }
  // Not checked by this scan: unknown, not fixed. The first unchecking scan is kept (not verified *since*).
  const unchecked = absent.filter((h) => !coverage.covers(h) && h.unverified_since === null).map((h) => h.finding_id);
  for (let i = 0; i < unchecked.length; i += 400) {
    await trx.updateTable('finding_history').set({ unverified_since: at, unverified_scan_id: scanId })
      .where('target_id', '=', targetId).where('finding_id', 'in', unchecked.slice(i, i + 400)).execute();
  }
}
