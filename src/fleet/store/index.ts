/**
 * `openFleetStore`: the store for a database URL. No URL, `sqlite:PATH` or a file path → SQLite (the embedded
 * default, `$MAMORI_HOME/fleet.sqlite`); `postgres://` or `postgresql://` → PostgreSQL. The store is returned
 * unmigrated: call `migrate()` at start.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, type DatabaseConnection, type Driver } from 'kysely';
import { loadSecretKey, type SecretKey } from '../secrets.js';
import { FleetStoreError, SqlFleetStore } from './sql-store.js';
import type { FleetDb } from './schema.js';

export { FleetStoreError, SqlFleetStore } from './sql-store.js';

export interface OpenFleetStoreOptions {
  /** Database URL; default: SQLite at `$MAMORI_HOME/fleet.sqlite`. */
  url?: string;
  /** `$MAMORI_HOME`: the default database and the key file live there. */
  home: string;
  /** The secret key; default: `MAMORI_SECRET_KEY`, else `$MAMORI_HOME/secret.key` (created on first use). */
  secretKey?: SecretKey;
  env?: NodeJS.ProcessEnv;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

export type StoreLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** Where a URL points (throws a FleetStoreError naming the URL's scheme when it is neither). */
export function storeLocation(url: string | undefined, home: string): StoreLocation {
  if (url === undefined || url === '') return { dialect: 'sqlite', path: join(home, 'fleet.sqlite') };
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  if (/^sqlite:/i.test(url)) {
    const p = url.replace(/^sqlite:(\/\/)?/i, '');
    if (!p) throw new FleetStoreError(`database URL ${url}: no file path after sqlite:`);
    return { dialect: 'sqlite', path: resolve(p) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new FleetStoreError(`database URL ${url.replace(/\/\/[^@/]*@/, '//…@')}: unknown scheme (use postgres://… or sqlite:PATH or a file path)`);
  return { dialect: 'sqlite', path: resolve(url) };
}

/**
 * SQLite with transactions that take the write lock when they begin (BEGIN IMMEDIATE), not at their first write.
 * Another process may write the same file (`mamori secret rotate`, a second server by mistake, a backup tool):
 * a deferred transaction that reads and then writes — updateSetting, upsertTarget, finishScan,
 * reencryptSecrets — fails at once with SQLITE_BUSY when the other holds the lock or wrote since its read
 * (busy_timeout is not consulted for that upgrade). BEGIN IMMEDIATE waits for the lock (busy_timeout) before it reads, so it sees the other's
 * commit and then writes. Every transaction of the store writes, so none is held back by this.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

export async function openFleetStore(opts: OpenFleetStoreOptions): Promise<SqlFleetStore> {
  const loc = storeLocation(opts.url, opts.home);
  const secretKey = () => opts.secretKey ?? loadSecretKey({ env: opts.env, home: opts.home });
  if (loc.dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    try {
      mkdirSync(dirname(loc.path), { recursive: true });
    } catch (err) {
      throw new FleetStoreError(`cannot create the directory of the fleet database ${loc.path}: ${(err as Error).message}`);
    }
    let database: InstanceType<typeof Database>;
    try {
      database = new Database(loc.path);
    } catch (err) {
      throw new FleetStoreError(`cannot open the fleet database ${loc.path}: ${(err as Error).message}`);
    }
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    // Deleted and overwritten values (a replaced secret, a plaintext value sealed by a migration) are zeroed in the file.
    database.pragma('secure_delete = ON');
    const db = new Kysely<FleetDb>({ dialect: new ImmediateSqliteDialect({ database }) });
    return new SqlFleetStore({ dialect: 'sqlite', db, secretKey });
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: loc.url, max: opts.poolSize ?? 10 });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<FleetDb>({ dialect: new PostgresDialect({ pool }) });
  return new SqlFleetStore({ dialect: 'postgres', db, secretKey });
}
