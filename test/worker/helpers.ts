/**
 * The worker tests' parts: a fleet store (SQLite in a temporary $MAMORI_HOME, or a throw-away PostgreSQL
 * database), a knowledge DB built once from the embedded snapshot, a loopback site with findings to make, and
 * the runner wired as the embedded server wires it, recording every log line and event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFleetStore } from '../../src/fleet/store/index.js';
import type { FleetStore } from '../../src/fleet/ports.js';
import { SYSTEM_SCOPE, type Tenant } from '../../src/fleet/types.js';
import { createHandlers, type WorkerDeps } from '../../src/worker/handlers/index.js';
import { InProcessRunner, type InProcessOptions, type LogEntry } from '../../src/worker/inprocess.js';
import type { JobEvent, JobHandlers } from '../../src/worker/jobs.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Fleet {
  store: FleetStore;
  home: string;
  tenant: Tenant;
  close(): Promise<void>;
}

export const pgMissing = postgresUnavailable();

export async function openFleet(dialect: Dialect): Promise<Fleet> {
  const home = mkdtempSync(join(tmpdir(), 'mamori-worker-'));
  let db: TestDatabase | undefined;
  if (dialect === 'postgres') db = await createTestDatabase('mamori_worker');
  const store = await openFleetStore({ url: db?.url, home, env: {} });
  await store.migrate();
  const tenant = await store.createTenant(SYSTEM_SCOPE, '株式会社テスト');
  return {
    store,
    home,
    tenant,
    async close() {
      await store.close();
      await db?.drop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The knowledge DB from the embedded snapshot, built once per test file. */
let knowledge: Promise<string> | undefined;
export function knowledgeDb(): Promise<string> {
  knowledge ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-worker-kn-'));
    const path = join(dir, 'db.sqlite');
    const { loadEmbedded } = await import('../../src/knowledge/snapshot/index.js');
    await loadEmbedded(path);
    return path;
  })();
  return knowledge;
}

export interface Site {
  url: string;
  port: number;
  /** Requests to `/` wait this long (ms). */
  delayMs: number;
  requests: number;
  close(): Promise<void>;
}

/** A small shop on loopback: an old PHP and Apache announced in headers, a login form posted in plaintext. */
export async function startSite(): Promise<Site> {
  const site = { delayMs: 0, requests: 0 } as Site;
  const server: Server = createServer((req, res) => {
    site.requests++;
    const send = () => {
      res.setHeader('Server', 'Apache/2.2.15 (CentOS)');
      res.setHeader('X-Powered-By', 'PHP/5.3.3');
      if (req.url === '/' || req.url === '/index.php') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.setHeader('Set-Cookie', 'PHPSESSID=abc123; path=/');
        res.end('<!doctype html><html><head><title>テスト商店</title></head><body><h1>テスト商店</h1><form method="post" action="http://127.0.0.1/login.php"><input name="email"><input type="password" name="password"><button>ログイン</button></form><a href="/contact.php">お問い合わせ</a></body></html>');
      } else if (req.url === '/contact.php') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end('<html><body><form method="post" action="/contact.php"><input name="name"><input name="tel"><textarea name="body"></textarea></form></body></html>');
      } else {
        res.statusCode = 404;
        res.setHeader('Content-Type', 'text/html');
        res.end('<html><body>Not Found</body></html>');
      }
    };
    if (site.delayMs && (req.url === '/' || req.url === '/index.php')) setTimeout(send, site.delayMs);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  site.port = typeof a === 'object' && a ? a.port : 0;
  site.url = `http://127.0.0.1:${site.port}/`;
  site.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return site;
}

export interface Harness {
  runner: InProcessRunner;
  logs: LogEntry[];
  events: JobEvent[];
  deps: WorkerDeps;
}

/** The runner as `mamori serve` wires it, fast retries, a private temp dir for the credential files. */
export async function harness(fleet: Fleet, o: Partial<InProcessOptions> & { tmpDir?: string; wrap?: (h: JobHandlers) => JobHandlers; deps?: Partial<WorkerDeps> } = {}): Promise<Harness> {
  const logs: LogEntry[] = [];
  const events: JobEvent[] = [];
  const deps: WorkerDeps = {
    store: fleet.store,
    knowledgeDb: await knowledgeDb(),
    home: fleet.home,
    lang: 'ja',
    tmpDir: o.tmpDir,
    site: { ratePerSec: 200, concurrency: 5, budget: 400, maxPages: 10, maxTimeMs: 60_000, timeoutMs: 10_000, ca: [] },
    ssh: { timeoutMs: 60_000 },
    ...o.deps,
  };
  const handlers = o.wrap ? o.wrap(createHandlers(deps)) : createHandlers(deps);
  const runner = new InProcessRunner({ store: fleet.store, handlers, retryBaseMs: 20, pollMs: 100, ...o, log: (e) => logs.push(e) });
  runner.subscribe((e) => events.push(e));
  return { runner, logs, events, deps };
}

/** Wait until `check` holds (polling the store), at most `ms`. */
export async function until(check: () => Promise<boolean> | boolean, ms = 120_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
