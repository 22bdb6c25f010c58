/**
 * Two writers of one fleet store, as a server and a worker are: on PostgreSQL two stores (two pools) on one test
 * database, on SQLite the one store of the process (the embedded server). Migrated, with one tenant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FleetStore } from '../../src/fleet/ports.js';
import { generateSecretKey } from '../../src/fleet/secrets.js';
import { openFleetStore } from '../../src/fleet/store/index.js';
import { SYSTEM_SCOPE, type Tenant } from '../../src/fleet/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

export interface TwoWriters {
  a: FleetStore;
  b: FleetStore;
  tenant: Tenant;
  close(): Promise<void>;
}

export async function openTwoWriters(dialect: 'sqlite' | 'postgres', name: string): Promise<TwoWriters> {
  const home = mkdtempSync(join(tmpdir(), `mamori-${name}-`));
  const secretKey = generateSecretKey();
  let db: TestDatabase | undefined;
  let a: FleetStore;
  let b: FleetStore;
  if (dialect === 'postgres') {
    db = await createTestDatabase(`mamori_${name.replace(/\W/g, '_')}`);
    a = await openFleetStore({ url: db.url, home, secretKey, poolSize: 4 });
    b = await openFleetStore({ url: db.url, home, secretKey, poolSize: 4 });
  } else {
    a = b = await openFleetStore({ home, secretKey });
  }
  await a.migrate();
  const tenant = await a.createTenant(SYSTEM_SCOPE, '株式会社テスト');
  return {
    a, b, tenant,
    close: async () => {
      await a.close();
      if (b !== a) await b.close();
      await db?.drop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
