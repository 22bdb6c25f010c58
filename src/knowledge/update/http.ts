/**
 * The feed fetcher: conditional requests (ETag / Last-Modified), retries with backoff on 429 / 5xx / timeouts
 * (Retry-After honoured, capped), a timeout per attempt, an overall deadline, and a cap on the body size.
 * A failure to resolve a name or to connect is not retried: it is what "no network" looks like, and it marks
 * the host as unreachable for the rest of the run (`NetState`), so later URLs on it fail at once.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

export interface FetchOptions {
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
  validators?: { etag: string | null; lastModified: string | null };
  onProgress?: (received: number, total: number | null) => void;
  /** The run's overall deadline: aborts a request in flight and any wait for a retry. */
  deadline?: AbortSignal;
  /** What this run learned about hosts (unreachable ones fail at once). */
  net?: NetState;
  /** The fetch implementation (tests inject one that fails like undici does without a network). */
  fetchImpl?: typeof fetch;
}

export type FetchResult =
  | { kind: 'ok'; bytes: Uint8Array; etag: string | null; lastModified: string | null; status: number }
  | { kind: 'not-modified' }
  | { kind: 'failed'; reason: string; status?: number; network?: NetworkFailure; deadline?: boolean };

/** A name that did not resolve, or a host that could not be connected to. */
export interface NetworkFailure {
  kind: 'dns' | 'connect';
  host: string;
  code: string;
  reason: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'EAI_ADDRFAMILY']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** Classify a fetch error (undici: `TypeError: fetch failed` with the system error as `cause`). */
export function networkFailure(err: unknown, url: string): NetworkFailure | undefined {
  for (let e = err as (Error & { code?: string; hostname?: string; cause?: unknown }) | undefined, i = 0; e && i < 4; e = e.cause as typeof e, i++) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (!code) continue;
    const host = e.hostname ?? hostOf(url);
    if (DNS_CODES.has(code)) return { kind: 'dns', host, code, reason: `cannot resolve the name ${host} (${code})` };
    if (CONNECT_CODES.has(code)) return { kind: 'connect', host, code, reason: `cannot connect to ${host} (${code})` };
  }
  return undefined;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch (_err) {
    return url; // not a URL: named as it is
  }
};

/**
 * Hosts that failed at the network level in this run, and whether anything got through. The network counts
 * as unreachable once two hosts (or the one mirror) failed that way and nothing has succeeded.
 */
export class NetState {
  readonly down = new Map<string, NetworkFailure>();
  reached = false;
  constructor(private readonly hostsToCallOffline = 2) {}
  fail(f: NetworkFailure): void {
    if (!this.down.has(f.host)) this.down.set(f.host, f);
  }
  /** Why the network looks unreachable, or undefined. */
  get offline(): string | undefined {
    if (this.reached || this.down.size < this.hostsToCallOffline) return undefined;
    return [...this.down.values()].map((f) => f.reason).join('; ');
  }
}

function retryAfterMs(h: string | null): number | null {
  if (!h) return null;
  const n = Number(h);
  if (Number.isFinite(n)) return n * 1000;
  const d = Date.parse(h);
  return Number.isNaN(d) ? null : Math.max(0, d - Date.now());
}

const DEADLINE: FetchResult = { kind: 'failed', reason: 'not finished: the overall deadline passed', deadline: true };

export async function fetchFeed(url: string, o: FetchOptions): Promise<FetchResult> {
  const down = o.net?.down.get(hostOf(url));
  if (down) return { kind: 'failed', reason: `not tried: ${down.reason} earlier in this run`, network: down };
  let last: FetchResult = { kind: 'failed', reason: 'not attempted' };
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (o.deadline?.aborted) return DEADLINE;
    if (attempt > 0) {
      try {
        await sleepFor(backoff(o.retryBaseMs, attempt, last), undefined, o.deadline ? { signal: o.deadline } : undefined);
      } catch (err) {
        void err; // handled: the deadline passed during the wait
        return DEADLINE;
      }
    }
    const headers: Record<string, string> = { 'user-agent': 'mamori-knowledge-updater', 'accept-encoding': 'identity', ...o.headers };
    if (o.validators?.etag) headers['if-none-match'] = o.validators.etag;
    if (o.validators?.lastModified) headers['if-modified-since'] = o.validators.lastModified;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs);
    const signal = o.deadline ? AbortSignal.any([ctl.signal, o.deadline]) : ctl.signal;
    try {
      const res = await (o.fetchImpl ?? fetch)(url, { headers, signal, redirect: 'follow' });
      if (o.net) o.net.reached = true;
      if (res.status === 304) {
        await res.body?.cancel();
        return { kind: 'not-modified' };
      }
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel();
        last = { kind: 'failed', reason: `HTTP ${res.status}`, status: res.status };
        (last as { retryAfter?: number | null }).retryAfter = retryAfterMs(res.headers.get('retry-after'));
        continue;
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        return { kind: 'failed', reason: `HTTP ${res.status}`, status: res.status };
      }
      const total = Number(res.headers.get('content-length')) || null;
      if (total !== null && total > o.maxBytes) {
        await res.body?.cancel();
        return { kind: 'failed', reason: `body of ${total} bytes exceeds the cap of ${o.maxBytes}` };
      }
      const parts: Uint8Array[] = [];
      let received = 0;
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          received += chunk.length;
          if (received > o.maxBytes) {
            ctl.abort();
            return { kind: 'failed', reason: `body exceeds the cap of ${o.maxBytes} bytes` };
          }
          parts.push(chunk);
          o.onProgress?.(received, total);
        }
      }
      if (total !== null && received < total) {
        last = { kind: 'failed', reason: `connection closed after ${received} of ${total} bytes` };
        continue;
      }
      return { kind: 'ok', bytes: Buffer.concat(parts), etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified'), status: res.status };
    } catch (err) {
      if (o.deadline?.aborted) return DEADLINE;
      const net = networkFailure(err, url);
      if (net) {
        // no network (or no such host): retrying in a few seconds would not change it
        o.net?.fail(net);
        return { kind: 'failed', reason: net.reason, network: net };
      }
      const e = err as Error & { cause?: Error & { code?: unknown } };
      last = { kind: 'failed', reason: ctl.signal.aborted ? `timed out after ${o.timeoutMs} ms` : `${e.message}${e.cause ? ` (${e.cause.message})` : ''}` };
      // a failure without a system or undici error code (a blocked port, a bad URL) is the same every time
      if (!ctl.signal.aborted && !(e.cause && typeof e.cause.code === 'string')) return last;
    } finally {
      clearTimeout(timer);
    }
  }
  return last;
}

function backoff(base: number, attempt: number, last: FetchResult): number {
  const ra = (last as { retryAfter?: number | null }).retryAfter;
  const exp = base * 2 ** (attempt - 1);
  return Math.min(60_000, ra != null ? Math.max(ra, exp) : exp);
}
