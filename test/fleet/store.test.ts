/**
 * The fleet store conformance suite against SQLite (a file in a temporary $MAMORI_HOME) and against the real
 * PostgreSQL on 127.0.0.1:5432 (a database with a random name, dropped after; skipped with the reason when the
 * server does not answer).
 */
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFleetStore } from '../../src/fleet/store/index.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres.js';
import { conformance } from './store.conformance.js';

conformance('SQLite', async () => {
  const home = mkdtempSync(join(tmpdir(), 'mamori-fleet-store-'));
  return {
    open: (secretKey) => openFleetStore({ home, secretKey }),
    cleanup: async () => rmSync(home, { recursive: true, force: true }),
  };
});

const pgDown = await postgresUnavailable();
if (pgDown) {
  describe('fleet store conformance: PostgreSQL', () => {
    it('PostgreSQL', { skip: pgDown }, () => {});
  });
} else {
  conformance('PostgreSQL', async () => {
    const db = await createTestDatabase('mamori_fleet_store');
    return {
      open: (secretKey) => openFleetStore({ url: db.url, home: '/nonexistent-home-not-used', secretKey, poolSize: 4 }),
      cleanup: () => db.drop(),
    };
  });
}
