/**
 * The fleet store's migrations against a database a newer mamori already upgraded (a server upgraded before its
 * workers): migrate() refuses with a message that says what happened and what to do, on SQLite and PostgreSQL,
 * and the database is left as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openFleetStore, type SqlFleetStore } from '../../src/fleet/store/index.js';
import { FleetStoreError } from '../../src/fleet/store/sql-store.js';
import { generateSecretKey } from '../../src/fleet/secrets.js';
import { SYSTEM_SCOPE } from '../../src/fleet/types.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres.js';

async function refusesNewerSchema(store: SqlFleetStore): Promise<void> {
  await store.migrate();
  const tenant = await store.createTenant(SYSTEM_SCOPE, '株式会社みらい');
  // what a newer version would have left: one more migration row than this version knows
  await sql`insert into kysely_migration (name, timestamp) values ('0099_from_the_future', '2027-01-01T00:00:00.000Z')`.execute(store.db);
  await assert.rejects(store.migrate(), (err: Error) => {
    assert.ok(err instanceof FleetStoreError, `a FleetStoreError, not ${err.constructor.name}`);
    assert.match(err.message, /upgraded by a newer mamori \(its schema has migration 0099_from_the_future, unknown to this version\); run the same mamori version as the server/);
    return true;
  });
  assert.equal((await store.getTenant(SYSTEM_SCOPE, tenant.id))?.name, '株式会社みらい', 'the data is left as it was');
}

test('SQLite: a store migrated by a newer mamori is refused with the reason', async () => {
  const home = mkdtempSync(join(tmpdir(), 'mamori-migrations-'));
  const store = await openFleetStore({ home, secretKey: generateSecretKey('t') });
  try {
    await refusesNewerSchema(store);
  } finally {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
});

const pgMissing = await postgresUnavailable();
test('PostgreSQL: a store migrated by a newer mamori is refused with the reason', { skip: pgMissing ?? false }, async () => {
  const db = await createTestDatabase('mamori_migrations');
  const home = mkdtempSync(join(tmpdir(), 'mamori-migrations-'));
  const store = await openFleetStore({ url: db.url, home, secretKey: generateSecretKey('t') });
  try {
    await refusesNewerSchema(store);
  } finally {
    await store.close();
    await db.drop();
    rmSync(home, { recursive: true, force: true });
  }
});

/**
 * A store at 0005 (before the findings-order indexes) upgrades: 0006 adds them over the rows already there, and the
 * lists read the same rows.
 */
async function upgradesFrom0005(store: SqlFleetStore): Promise<void> {
  const { Migrator } = await import('kysely');
  const { InCodeMigrations } = await import('../../src/fleet/store/migrations.js');
  const old = await new Migrator({ db: store.db, provider: new InCodeMigrations(store.dialect) }).migrateTo('0005_finding_coverage');
  assert.equal(old.error, undefined);
  const tenant = await store.createTenant(SYSTEM_SCOPE, '株式会社あさひ');
  const t = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId: tenant.id, name: 'web-01', kind: 'host', address: '10.0.0.1:22' }))!.target;
  const s = (await store.createScan(SYSTEM_SCOPE, t.id, 'manual'))!;
  await store.startScan(s.id);
  const findings = [
    { id: 'eol-php', category: 'end-of-life', severity: 'high', title: 'php 7.4 reached end of life', remediation: { priority: 'p1', action: 'upgrade' } },
    { id: 'upd-openssl', category: 'missing-security-update', severity: 'critical', title: 'openssl update', component: { name: 'openssl', version: '3.0.2' }, cves: ['CVE-2024-0001'], remediation: { priority: 'p1', action: 'update', update: { tool: 'apt', packages: [{ name: 'openssl' }], advisories: [], restart: [], reboot: false } } },
  ];
  await store.finishScan(s.id, { schemaVersion: 1, scannedAt: '2026-06-01T00:00:00.000Z', target: { kind: 'host', name: 'web-01' }, findings, summary: { critical: 1, high: 1, medium: 0, low: 0, info: 0 } } as never, 'kv');
  await store.migrate();
  const names = store.dialect === 'postgres'
    ? (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'finding_history'`.execute(store.db)).rows.map((r) => r.name)
    : (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'finding_history'`.execute(store.db)).rows.map((r) => r.name);
  for (const n of ['finding_history_category_order', 'finding_history_kev_order', 'finding_history_package']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  const ids = async (filter: Parameters<SqlFleetStore['listFindings']>[1]) => (await store.listFindings(SYSTEM_SCOPE, filter, { page: 1, pageSize: 10 })).items.map((r) => r.findingId);
  assert.deepEqual(await ids({}), ['upd-openssl', 'eol-php']);
  assert.deepEqual(await ids({ category: ['end-of-life'] }), ['eol-php']);
  assert.deepEqual(await ids({ package: 'openssl' }), ['upd-openssl']);
  assert.deepEqual(await ids({ cve: 'cve-2024-0001' }), ['upd-openssl']);
}

test('SQLite: a store at 0005 upgrades to the findings-order indexes with its rows', async () => {
  const home = mkdtempSync(join(tmpdir(), 'mamori-migrations-'));
  const store = await openFleetStore({ home, secretKey: generateSecretKey('t') });
  try {
    await upgradesFrom0005(store);
  } finally {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
});

test('PostgreSQL: a store at 0005 upgrades to the findings-order indexes with its rows', { skip: pgMissing ?? false }, async () => {
  const db = await createTestDatabase('mamori_migrations_perf');
  const store = await openFleetStore({ url: db.url, home: '/nonexistent', secretKey: generateSecretKey('t') });
  try {
    await upgradesFrom0005(store);
  } finally {
    await store.close();
    await db.drop();
  }
});
