/**
 * The fleet database read and written around the store, as a person with a dump or a backup would see it: every
 * row of every table as text (better-sqlite3 on the file, or pg on the database), the SQLite file's bytes (with its
 * WAL), and one raw SQL statement (to copy a ciphertext into another row, or write a value as an older version did).
 */
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';

export type RawDb = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** Every row of every table, as text. */
export async function dumpAll(raw: RawDb): Promise<string> {
  if (raw.dialect === 'sqlite') {
    const db = new Database(raw.path, { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      return tables.map((t) => `${t.name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())}`).join('\n');
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: raw.url });
  await c.connect();
  try {
    const tables = (await c.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).rows;
    const out: string[] = [];
    for (const t of tables) out.push(`${t.table_name}: ${(await c.query<{ r: string }>(`SELECT t::text AS r FROM "${t.table_name}" t`)).rows.map((x) => x.r).join('\n')}`);
    return out.join('\n');
  } finally {
    await c.end();
  }
}

/** The SQLite database file and its WAL, as bytes (empty for PostgreSQL). */
export function fileBytes(raw: RawDb): Buffer {
  if (raw.dialect !== 'sqlite') return Buffer.alloc(0);
  return Buffer.concat([raw.path, `${raw.path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}

/** One statement with `?` placeholders (turned into $1… for PostgreSQL). */
export async function execRaw(raw: RawDb, text: string, params: unknown[] = []): Promise<number> {
  if (raw.dialect === 'sqlite') {
    const db = new Database(raw.path, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return db.prepare(text).run(...params).changes;
    } finally {
      db.close();
    }
  }
  let i = 0;
  const c = new pg.Client({ connectionString: raw.url });
  await c.connect();
  try {
    return (await c.query(text.replace(/\?/g, () => `$${++i}`), params)).rowCount ?? 0;
  } finally {
    await c.end();
  }
}
