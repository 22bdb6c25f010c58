/**
 * Knowledge on workers: each worker keeps its own knowledge DB (under its own $MAMORI_HOME) and refreshes it
 * from the server's `GET /api/knowledge/bundle` when the server's knowledge changes: a conditional GET with
 * the last ETag (304 costs nothing), else the bundle is downloaded beside the DB and switched in by the
 * existing `db import` path (checksummed, integrity-checked, atomic; the previous DB stays whole on any
 * failure). The version in use is the server's ETag, recorded with every scan.
 *
 * Without a server (`mamori worker` with no --server) the worker uses its local DB as it is and records its
 * locally computed version (the same digest the server computes).
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { importPath } from '../knowledge/import/index.js';
import { knowledgeVersion } from '../knowledge/export/version.js';
import type { Logger } from './log.js';

export interface KnowledgeSyncOptions {
  dbPath: string;
  /** The server's base URL (`http://127.0.0.1:8080`); none → local DB only. */
  server?: string;
  /** API token (Bearer). Never logged. */
  token?: string;
  /** Least time between two checks with the server (default 60 s). */
  intervalMs?: number;
  log: Logger;
  /** Largest bundle accepted (default 4 GiB). */
  maxBytes?: number;
}

export interface KnowledgeSync {
  /** The version the next scan uses; checks the server first when the last check is older than the interval. */
  version(): Promise<string | null>;
  /** Check now (start-up, readiness). Returns whether the DB changed. */
  refresh(): Promise<boolean>;
  /** Last error talking to the server, if the last check failed (the worker keeps using its DB). */
  lastError(): string | null;
}

const sidecar = (dbPath: string) => `${dbPath}.server-version`;

export function knowledgeSync(opts: KnowledgeSyncOptions): KnowledgeSync {
  const interval = opts.intervalMs ?? 60_000;
  let checkedAt = 0;
  let serverVersion: string | null = existsSync(sidecar(opts.dbPath)) ? readFileSync(sidecar(opts.dbPath), 'utf8').trim() || null : null;
  let error: string | null = null;
  let inflight: Promise<boolean> | undefined;

  const refreshOnce = async (): Promise<boolean> => {
    if (!opts.server) return false;
    const url = new URL('/api/knowledge/bundle', opts.server);
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (serverVersion && existsSync(opts.dbPath)) headers['if-none-match'] = `"${serverVersion}"`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(300_000) });
    } catch (err) {
      error = `cannot reach ${url.origin}: ${(err as Error).message}`;
      opts.log.log('warn', 'knowledge check failed; scans use the local knowledge DB', { server: url.origin, error });
      return false;
    }
    checkedAt = Date.now();
    if (res.status === 304) {
      error = null;
      return false;
    }
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      error = `GET ${url.pathname} answered ${res.status}`;
      opts.log.log('warn', 'knowledge check failed; scans use the local knowledge DB', { server: url.origin, status: res.status });
      return false;
    }
    const etag = /^"?([^"]+)"?$/.exec(res.headers.get('etag') ?? '')?.[1] ?? null;
    const max = opts.maxBytes ?? 4 * 1024 ** 3;
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > max) {
      await res.body.cancel();
      error = `the bundle is larger (${declared} bytes) than this worker accepts (${max})`;
      opts.log.log('error', 'knowledge bundle refused', { error });
      return false;
    }
    mkdirSync(dirname(opts.dbPath), { recursive: true });
    const tmp = join(dirname(opts.dbPath), `.bundle-${process.pid}-${Date.now()}.gz`);
    try {
      let got = 0;
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      body.on('data', (c: Buffer) => {
        got += c.length;
        if (got > max) body.destroy(new Error(`the bundle exceeds ${max} bytes`));
      });
      await pipeline(body, createWriteStream(tmp, { mode: 0o600 }));
      const started = performance.now();
      const s = importPath(opts.dbPath, tmp);
      serverVersion = etag;
      if (etag) writeFileSync(sidecar(opts.dbPath), `${etag}\n`);
      else rmSync(sidecar(opts.dbPath), { force: true });
      error = null;
      opts.log.log('info', 'knowledge updated from the server', { knowledgeVersion: etag, feeds: s.feeds.length, bytes: got, importMs: Math.round(performance.now() - started) });
      return true;
    } catch (err) {
      error = `the server's knowledge bundle could not be installed: ${(err as Error).message}`;
      opts.log.log('error', 'knowledge bundle not installed; the previous knowledge DB is kept', { error });
      return false;
    } finally {
      rmSync(tmp, { force: true });
    }
  };

  const refresh = () => {
    inflight ??= refreshOnce().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  return {
    refresh,
    async version() {
      if (opts.server && Date.now() - checkedAt >= interval) await refresh();
      if (opts.server && serverVersion && existsSync(opts.dbPath)) return serverVersion;
      return knowledgeVersion(opts.dbPath);
    },
    lastError: () => error,
  };
}
