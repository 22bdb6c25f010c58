/**
 * Versioned migrations, in code (no migration folder read at run time, so the esbuild bundle and `npm pack` carry
 * them). Kysely's Migrator records applied names in `kysely_migration` and serialises concurrent starts with its
 * lock table, so a server and workers starting together migrate once. Append new migrations; never edit one that
 * shipped.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { encryptSecret, SecretKeyError, type SecretKey } from '../secrets.js';

export type Dialect = 'sqlite' | 'postgres';

// Migrations see the database untyped: they build the schema the typed layer (schema.ts) then describes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

function initial(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'serial' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema.createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createTable('targets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('ssh_user', 'text')
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('schedule', 'text')
        .addColumn('maintenance_window', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('last_scan_id', 'text')
        .addColumn('last_done_scan_id', 'text')
        .addColumn('last_done_scanned_at', 'text')
        .addUniqueConstraint('targets_tenant_name', ['tenant_id', 'name'])
        .execute();
      await db.schema.createIndex('targets_name').on('targets').columns(['name']).execute();

      await db.schema.createTable('target_tags')
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('target_tags_pk', ['target_id', 'tag'])
        .execute();
      await db.schema.createIndex('target_tags_tag').on('target_tags').columns(['tag', 'target_id']).execute();

      await db.schema.createTable('secrets')
        .addColumn('owner_type', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('secrets_pk', ['owner_type', 'owner_id', 'name'])
        .execute();

      await db.schema.createTable('scans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text')
        .addColumn('queued_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('scanned_at', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failure_reason', 'text')
        .addColumn('summary', 'text')
        .addColumn('knowledge_version', 'text')
        .execute();
      await db.schema.createIndex('scans_target').on('scans').columns(['target_id', 'queued_at']).execute();
      await db.schema.createIndex('scans_tenant_status').on('scans').columns(['tenant_id', 'status', 'queued_at']).execute();
      await db.schema.createIndex('scans_status').on('scans').columns(['status', 'queued_at']).execute();

      await db.schema.createTable('scan_documents')
        .addColumn('scan_id', 'text', (c) => c.primaryKey())
        .addColumn('document', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createTable('findings')
        .addColumn('scan_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('finding_id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('severity_rank', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('component', 'text')
        .addColumn('version', 'text')
        .addColumn('package', 'text')
        .addColumn('cves', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('kev', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('fix_published_at', 'text')
        .addColumn('accepted', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('findings_pk', ['scan_id', 'finding_id'])
        .execute();
      // The dashboard reads the latest scan of each target: by scan, then ordered by severity or filtered by category.
      await db.schema.createIndex('findings_scan_rank').on('findings').columns(['scan_id', 'severity_rank']).execute();
      await db.schema.createIndex('findings_scan_category').on('findings').columns(['scan_id', 'category', 'fix_published_at']).execute();
      await db.schema.createIndex('findings_package').on('findings').columns(['package']).execute();
      await db.schema.createIndex('findings_target').on('findings').columns(['target_id', 'finding_id']).execute();

      await db.schema.createTable('finding_cves')
        .addColumn('scan_id', 'text', (c) => c.notNull())
        .addColumn('finding_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('cve', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('finding_cves_pk', ['scan_id', 'finding_id', 'cve'])
        .execute();
      await db.schema.createIndex('finding_cves_cve').on('finding_cves').columns(['cve', 'scan_id']).execute();

      await db.schema.createTable('finding_history')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('finding_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'text')
        .addColumn('reopened_at', 'text')
        .addColumn('reopen_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('severity_rank', 'integer', (c) => c.notNull())
        .addColumn('component', 'text')
        .addColumn('version', 'text')
        .addColumn('package', 'text')
        .addColumn('cves', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('kev', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('fix_published_at', 'text')
        .addPrimaryKeyConstraint('finding_history_pk', ['target_id', 'finding_id'])
        .execute();
      // The overview's lists read the open problems of the latest scans from here in index order, LIMIT N rows read:
      // missing updates oldest fix first; end of life, personal data and KEV most severe first (fleet-wide and per tenant).
      const hist = (name: string, cols: string[]) => db.schema.createIndex(name).on('finding_history').columns(cols).execute();
      await hist('finding_history_fix', ['category', 'state', 'fix_published_at', 'severity_rank desc', 'target_id', 'finding_id']);
      await hist('finding_history_rank', ['category', 'state', 'severity_rank desc', 'target_id', 'finding_id']);
      await hist('finding_history_kev', ['kev', 'state', 'severity_rank desc', 'target_id', 'finding_id']);
      await hist('finding_history_t_fix', ['tenant_id', 'category', 'state', 'fix_published_at', 'severity_rank desc', 'target_id', 'finding_id']);
      await hist('finding_history_t_rank', ['tenant_id', 'category', 'state', 'severity_rank desc', 'target_id', 'finding_id']);
      await hist('finding_history_t_kev', ['tenant_id', 'kev', 'state', 'severity_rank desc', 'target_id', 'finding_id']);

      await db.schema.createTable('exceptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text')
        .addColumn('finding_id', 'text')
        .addColumn('cve', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('exceptions_tenant').on('exceptions').columns(['tenant_id', 'expires_at']).execute();

      await db.schema.createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('tenant_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('disabled_at', 'text')
        .execute();

      await db.schema.createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('mfa_passed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute();

      await db.schema.createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('tokens_user').on('tokens').columns(['user_id']).execute();

      await db.schema.createTable('login_attempts')
        .addColumn('id', serial, (c) => c.primaryKey())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_attempts_key').on('login_attempts').columns(['key', 'at']).execute();

      await db.schema.createTable('audit')
        .addColumn('seq', serial, (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('actor_token_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('object_type', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text')
        .addColumn('tenant_id', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_tenant').on('audit').columns(['tenant_id', 'seq']).execute();

      await db.schema.createTable('settings')
        .addColumn('tenant_key', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('settings_pk', ['tenant_key', 'key'])
        .execute();

      // The audit log is append-only in the database itself, not only by the store's API.
      if (dialect === 'postgres') {
        await sql`CREATE FUNCTION mamori_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP; END $$`.execute(db);
        await sql`CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION mamori_audit_append_only()`.execute(db);
        await sql`CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION mamori_audit_append_only()`.execute(db);
      } else {
        await sql`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (UPDATE refused)'); END`.execute(db);
        await sql`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (DELETE refused)'); END`.execute(db);
      }
    },
  };
}

/** The findings list of the latest scans reads finding_history in this order (most severe first), fleet-wide and per tenant. */
const latestFindingsOrder: Migration = {
  async up(db: AnyDb) {
    await db.schema.createIndex('finding_history_latest').on('finding_history').columns(['severity_rank desc', 'target_id', 'finding_id']).execute();
    await db.schema.createIndex('finding_history_t_latest').on('finding_history').columns(['tenant_id', 'severity_rank desc', 'target_id', 'finding_id']).execute();
  },
};

/**
 * Coverage: a finding a scan did not check (its data was missing: a gap) is not resolved by it but marked "not
 * verified since" that scan; findings and history keep each finding's source and location, which the coverage
 * rule (src/fleet/coverage.ts) reads. Rows written before have none: the rule then goes by category.
 */
const findingCoverage: Migration = {
  async up(db: AnyDb) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    for (const col of ['source', 'location']) await db.schema.alterTable('findings').addColumn(col, 'text').execute();
    for (const col of ['source', 'location', 'unverified_since', 'unverified_scan_id']) await db.schema.alterTable('finding_history').addColumn(col, 'text').execute();
  },
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Webhook URLs are credentials: the plaintext URLs of the tenants' notification settings (key `notifications`,
 * `webhooks: [{ url, name }]`) move into the secrets table, encrypted with the secrets key, and the setting keeps
 * `{ ref, name }`. The conventions are this version's, written out here since a migration never changes: row
 * (`tenant`, <tenant id>, `notifications/webhook.<n>`), associated data `tenant:<tenant id>:notifications/webhook.<n>`
 * (src/fleet/store/sql-store.ts settingSecretSlot, src/fleet/notify/settings.ts saveNotificationSettings).
 * The key is loaded only when there is a URL to seal, and must be the key of the secrets already stored: a
 * server started without its key (a fresh key file made on a worker) stops here instead of sealing with it.
 * Rerunnable: a row already converted is left alone.
 */
function sealWebhookUrls(secretKey: (() => SecretKey) | undefined): Migration {
  return {
    async up(db: AnyDb) {
      const rows = (await db.selectFrom('settings').select(['tenant_key', 'value']).where('key', '=', 'notifications').execute()) as { tenant_key: string; value: string }[];
      let key: SecretKey | undefined;
      for (const r of rows) {
        let v: unknown;
        try {
          v = JSON.parse(r.value);
        } catch {
          continue;
        }
        if (!isRecord(v) || !Array.isArray(v.webhooks) || !v.webhooks.some((w) => isRecord(w) && typeof w.url === 'string')) continue;
        if (!key) {
          if (!secretKey) throw new SecretKeyError('webhook URLs are stored in plaintext and must be encrypted, but no secret key was given to the migration');
          key = secretKey();
          const ids = ((await db.selectFrom('secrets').select('key_id').distinct().execute()) as { key_id: string }[]).map((x) => x.key_id).filter((id) => id !== key!.id);
          if (ids.length) {
            throw new SecretKeyError(
              `cannot encrypt the stored webhook URLs: the stored secrets are encrypted with key ${ids.join(', ')}, but the key from ${key.source} is ${key.id}`,
              'start the server with the key the store was created with (MAMORI_SECRET_KEY or $MAMORI_HOME/secret.key)',
            );
          }
        }
        const ownerType = r.tenant_key === '' ? 'server' : 'tenant';
        const used = new Set(v.webhooks.flatMap((w) => (isRecord(w) && typeof w.ref === 'string' ? [w.ref] : [])));
        let n = 0;
        const webhooks: unknown[] = [];
        for (const w of v.webhooks as unknown[]) {
          if (!isRecord(w) || typeof w.url !== 'string') {
            webhooks.push(w);
            continue;
          }
          let ref: string;
          do ref = `webhook.${n++}`;
          while (used.has(ref));
          used.add(ref);
          const name = `notifications/${ref}`;
          await db.deleteFrom('secrets').where('owner_type', '=', ownerType).where('owner_id', '=', r.tenant_key).where('name', '=', name).execute();
          await db.insertInto('secrets').values({
            owner_type: ownerType, owner_id: r.tenant_key, name, key_id: key.id,
            sealed: encryptSecret(key, w.url, `${ownerType}:${r.tenant_key}:${name}`), updated_at: new Date().toISOString(),
          }).execute();
          const { url: _url, ...rest } = w;
          webhooks.push({ ref, ...rest });
        }
        await db.updateTable('settings').set({ value: JSON.stringify({ ...v, webhooks }), updated_at: new Date().toISOString() })
          .where('tenant_key', '=', r.tenant_key).where('key', '=', 'notifications').execute();
      }
    },
  };
}

/** Rendered reports (the render-report job's results), with their bytes. */
function reports(dialect: Dialect): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.createTable('reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('scan_id', 'text')
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('failure_reason', 'text')
        .addColumn('filename', 'text')
        .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob')
        .addColumn('size', 'integer')
        .addColumn('sha256', 'text')
        .addColumn('deliver', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('delivered_at', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('requested_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('reports_tenant').on('reports').columns(['tenant_id', 'created_at']).execute();
      await db.schema.createIndex('reports_status').on('reports').columns(['status', 'created_at']).execute();
    },
  };
}

/**
 * The fleet-wide findings list filtered by category, KEV or package, in its order (most severe first, then target
 * and finding id): read in index order, LIMIT rows, instead of sorting every match (the category and KEV indexes of
 * 0001 put `state` before the rank, for the overview's `state = 'open'`; the list asks for every state but resolved).
 */
const findingsFilterOrder: Migration = {
  async up(db: AnyDb) {
    const hist = (name: string, cols: string[]) => db.schema.createIndex(name).on('finding_history').columns(cols).execute();
    await hist('finding_history_category_order', ['category', 'severity_rank desc', 'target_id', 'finding_id']);
    await hist('finding_history_kev_order', ['kev', 'severity_rank desc', 'target_id', 'finding_id']);
    await hist('finding_history_package', ['package', 'severity_rank desc', 'target_id', 'finding_id']);
  },
};

/** Every migration, by name (applied in name order). `secretKey`: for the migrations that encrypt stored values. */
export function migrations(dialect: Dialect, secretKey?: () => SecretKey): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_latest_findings_order': latestFindingsOrder,
    '0003_seal_webhook_urls': sealWebhookUrls(secretKey),
    '0004_reports': reports(dialect),
    '0005_finding_coverage': findingCoverage,
    '0006_findings_filter_order': findingsFilterOrder,
  };
}

export class InCodeMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect, private readonly secretKey?: () => SecretKey) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations(this.dialect, this.secretKey));
  }
}
