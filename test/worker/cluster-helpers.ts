/**
 * A fleet on the real PostgreSQL for worker tests and the bench: a database of its own, the store migrated, a
 * tenant, an enqueuing runner (the server's role) and `mamori worker` child processes started through the
 * built CLI (bin/mamori.js), each with its own MAMORI_HOME, their JSON logs kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFleetStore, type SqlFleetStore } from '../../src/fleet/store/index.js';
import { formatSecretKey, generateSecretKey } from '../../src/fleet/secrets.js';
import { SYSTEM_SCOPE, type Tenant } from '../../src/fleet/types.js';
import { silentLogger } from '../../src/worker/log.js';
import { PgBossJobRunner } from '../../src/worker/pgboss-runner.js';
import { binPath, repoRoot } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

export interface WorkerChild {
  child: ChildProcess;
  home: string;
  logs: Record<string, unknown>[];
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

export interface Fleet {
  db: TestDatabase;
  dir: string;
  store: SqlFleetStore;
  tenant: Tenant;
  /** The enqueuing side (what `mamori serve --database postgres://…` holds). */
  runner: PgBossJobRunner;
  secretKey: string;
  env: NodeJS.ProcessEnv;
  workers: WorkerChild[];
  startWorker(args?: string[], env?: NodeJS.ProcessEnv): Promise<WorkerChild>;
  close(): Promise<void>;
}

export async function startFleet(opts: { env?: NodeJS.ProcessEnv; prefix?: string; knowledgeDb?: string } = {}): Promise<Fleet> {
  const db = await createTestDatabase(opts.prefix);
  const dir = mkdtempSync(join(tmpdir(), 'mamori-fleet-'));
  const key = generateSecretKey();
  const secretKey = formatSecretKey(key);
  const store = await openFleetStore({ url: db.url, home: dir, secretKey: key, poolSize: 4 });
  await store.migrate();
  const tenant = await store.createTenant(SYSTEM_SCOPE, '株式会社テスト');
  const env: NodeJS.ProcessEnv = {
    MAMORI_SECRET_KEY: secretKey,
    MAMORI_PGBOSS_MAINTENANCE_SECONDS: '1',
    MAMORI_JOB_RETRY_DELAY_SECONDS: '1',
    MAMORI_WORKER_POLL_MS: '200',
    ...opts.env,
  };
  const runner = new PgBossJobRunner({ connectionString: db.url, store, log: silentLogger, scheduleCron: null, maintenanceIntervalSeconds: 1 });
  await runner.start();
  const workers: WorkerChild[] = [];
  let n = 0;
  const startWorker = async (args: string[] = [], extra: NodeJS.ProcessEnv = {}): Promise<WorkerChild> => {
    const home = join(dir, `worker-${++n}`);
    mkdirSync(home, { recursive: true });
    // a knowledge DB made once and copied: each worker would otherwise load the embedded snapshot itself
    if (opts.knowledgeDb) copyFileSync(opts.knowledgeDb, join(home, 'db.sqlite'));
    const child = spawn(process.execPath, [binPath, 'worker', '--database', db.url, ...args], {
      cwd: repoRoot,
      env: { ...process.env, LANG: 'C.UTF-8', MAMORI_HOME: home, ...env, ...extra },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const w: WorkerChild = { child, home, logs: [], exited: new Promise((r) => child.once('exit', (code) => r(code))) };
    let buf = '';
    let started: () => void = () => undefined;
    const ready = new Promise<void>((r) => (started = r));
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          w.logs.push(rec);
          if (rec.msg === 'worker started') started();
        } catch {
          // handled: a line that is not JSON is kept as text
          w.logs.push({ text: line });
        }
      }
    });
    workers.push(w);
    await Promise.race([
      ready,
      w.exited.then((code) => {
        throw new Error(`worker exited (${code}) before it started: ${JSON.stringify(w.logs.slice(-5))}`);
      }),
      new Promise((_, rej) => setTimeout(() => rej(new Error('worker did not start within 60 s')), 60_000).unref()),
    ]);
    return w;
  };
  return {
    db,
    dir,
    store,
    tenant,
    runner,
    secretKey,
    env,
    workers,
    startWorker,
    close: async () => {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await runner.stop({ graceful: false }).catch(() => undefined);
      await store.close().catch(() => undefined);
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServeChild {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  base: string;
  home: string;
  /** Everything it wrote on stderr so far. */
  log(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/**
 * `mamori serve --database <the fleet's database>` of the built CLI on a free loopback port, with the fleet's
 * secret key and its own MAMORI_HOME, offline (no feed update); resolves once /readyz answers.
 */
export async function startServe(f: Fleet, env: NodeJS.ProcessEnv = {}): Promise<ServeChild> {
  const { freePort } = await import('../host/sshd.js');
  const port = await freePort();
  const home = join(f.dir, `server-${port}`);
  mkdirSync(home, { recursive: true });
  const child = spawn(process.execPath, [binPath, 'serve', '--database', f.db.url, '--listen', `127.0.0.1:${port}`], {
    cwd: repoRoot,
    env: { ...process.env, LANG: 'C.UTF-8', MAMORI_HOME: home, MAMORI_SECRET_KEY: f.secretKey, MAMORI_OFFLINE: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  const s: ServeChild = {
    child,
    base,
    home,
    log: () => text,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${text.slice(-2000)}`);
    return (await fetch(`${base}/readyz`).catch(() => undefined))?.ok;
  }, 'the server to be ready', 90_000).catch(async (err: Error) => {
    await s.stop();
    throw new Error(`${err.message}; the server said: ${text.slice(-2000)}`);
  });
  return s;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `f` until it returns a value (not undefined/false) or the time runs out. */
export async function waitFor<T>(f: () => Promise<T | undefined | false>, what: string, timeoutMs = 120_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
