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
