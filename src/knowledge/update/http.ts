/**
 * The feed fetcher: conditional requests (ETag / Last-Modified), retries with backoff on 429 / 5xx /
 * network errors (Retry-After honoured, capped), a timeout per attempt and a cap on the body size.
 */
export interface FetchOptions {
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
  validators?: { etag: string | null; lastModified: string | null };
  onProgress?: (received: number, total: number | null) => void;
}

export type FetchResult =
  | { kind: 'ok'; bytes: Uint8Array; etag: string | null; lastModified: string | null; status: number }
  | { kind: 'not-modified' }
  | { kind: 'failed'; reason: string; status?: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function retryAfterMs(h: string | null): number | null {
  if (!h) return null;
  const n = Number(h);
  if (Number.isFinite(n)) return n * 1000;
  const d = Date.parse(h);
  return Number.isNaN(d) ? null : Math.max(0, d - Date.now());
}

export async function fetchFeed(url: string, o: FetchOptions): Promise<FetchResult> {
  let last: FetchResult = { kind: 'failed', reason: 'not attempted' };
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) await sleep(backoff(o.retryBaseMs, attempt, last));
    const headers: Record<string, string> = { 'user-agent': 'mamori-knowledge-updater', 'accept-encoding': 'identity', ...o.headers };
    if (o.validators?.etag) headers['if-none-match'] = o.validators.etag;
    if (o.validators?.lastModified) headers['if-modified-since'] = o.validators.lastModified;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs);
    try {
      const res = await fetch(url, { headers, signal: ctl.signal, redirect: 'follow' });
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
      const e = err as Error & { cause?: Error };
      last = { kind: 'failed', reason: ctl.signal.aborted ? `timed out after ${o.timeoutMs} ms` : `${e.message}${e.cause ? ` (${e.cause.message})` : ''}` };
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
