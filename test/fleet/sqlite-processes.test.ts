/**
 * One SQLite fleet file written by two processes at once — the embedded server and `mamori secret rotate`, or
 * any other process that opens the file: a store transaction that reads and then writes (updateSetting) waits for
 * the other process's write lock (busy_timeout) instead of failing with SQLITE_BUSY, and loses no update. Real
 * processes: a child holding a write transaction open, and two children each incrementing one setting through
 * its own store.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateSecretKey } from '../../src/fleet/secrets.js';
import { openFleetStore, type SqlFleetStore } from '../../src/fleet/store/index.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** Run a child node process; resolves with its output once it prints `line` (or rejects when it exits before). */
function child(args: string[], env: NodeJS.ProcessEnv = {}) {
  const p = spawn(process.execPath, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (c: Buffer) => (out += c.toString()));
  p.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; out: string; err: string }>((resolve) => p.on('close', (code) => resolve({ code, out, err })));
  const printed = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => out.split('\n').includes(line) && resolve();
      p.stdout.on('data', check);
      check();
      void exited.then((r) => reject(new Error(`the child exited (${r.code}) before it printed ${line}: ${r.err}`)));
    });
  return { p, printed, exited };
}

describe('a SQLite fleet file written by two processes at once', () => {
  let home: string;
  let file: string;
  let store: SqlFleetStore;
  const key = generateSecretKey();

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'mamori-sqlite-procs-'));
    file = join(home, 'fleet.sqlite');
    store = await openFleetStore({ home, secretKey: key });
    await store.migrate();
  });
  after(async () => {
    await store?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test("updateSetting waits for another process's open write transaction, then adds its update to the other's", async () => {
    await store.setSetting(null, 'race.held', 0);
    // Another process: takes the write lock, increments the setting, holds the transaction 1.5 s, commits.
    const holder = child(['--input-type=module', '-e', `
      import Database from 'better-sqlite3';
      const db = new Database(${JSON.stringify(file)});
      db.pragma('busy_timeout = 5000');
      db.exec('BEGIN IMMEDIATE');
      const n = JSON.parse(db.prepare("SELECT value FROM settings WHERE tenant_key = '' AND key = 'race.held'").get().value);
      db.prepare("UPDATE settings SET value = ? WHERE tenant_key = '' AND key = 'race.held'").run(JSON.stringify(n + 1));
      console.log('locked');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
      db.exec('COMMIT');
      console.log('committed');
    `]);
    await holder.printed('locked');
    // A deferred transaction read the old value here and failed at its write with SQLITE_BUSY (database is locked).
    const mine = await store.updateSetting<number>(null, 'race.held', (n) => (n ?? 0) + 10);
    const r = await holder.exited;
    assert.equal(r.code, 0, r.err);
    assert.equal(mine, 11, 'read after the other process committed');
    assert.equal(await store.getSetting<number>(null, 'race.held'), 11);
  });

  test('two processes incrementing one setting through their stores, 150 times each, at once: 300, no SQLITE_BUSY', async () => {
    await store.setSetting(null, 'race.count', 0);
    const script = join(home, 'increment.mjs');
    writeFileSync(script, `
      import { openFleetStore } from ${JSON.stringify(join(repo, 'src/fleet/store/index.ts'))};
      const store = await openFleetStore({ home: ${JSON.stringify(home)} });
      console.log('ready');
      await new Promise((r) => process.stdin.once('data', r));
      let failed = 0;
      for (let i = 0; i < 150; i++) {
        try { await store.updateSetting(null, 'race.count', (n) => (n ?? 0) + 1); } catch (err) { failed++; if (failed === 1) console.error(err.message); }
      }
      await store.close();
      console.log('failed ' + failed);
    `);
    // (no secret is read: the children's stores never load a key)
    const kids = [child(['--import', 'tsx', script]), child(['--import', 'tsx', script])];
    await Promise.all(kids.map((k) => k.printed('ready')));
    for (const k of kids) k.p.stdin.end('go\n');
    const results = await Promise.all(kids.map((k) => k.exited));
    for (const r of results) assert.equal(r.code, 0, r.err);
    assert.deepEqual(results.map((r) => r.out.trim().split('\n').at(-1)), ['failed 0', 'failed 0'], results.map((r) => r.err).join('\n'));
    assert.equal(await store.getSetting<number>(null, 'race.count'), 300);
  });
});
