/**
 * A careful HTTP client for other people's servers (undici underneath): GET and HEAD only, a time and a byte
 * cap per request (reading stops at the cap), bounded decompression (gzip, deflate, br), at most N redirects
 * with loop detection, a header size cap, a request budget for the whole site, per-host concurrency and rate,
 * an identifiable User-Agent, private CAs. Identical requests are sent once (a promise cache), so checks that
 * share a URL share the answer. Expected failures are Result values with a code, never thrown.
 * An optional scan deadline (an AbortSignal) aborts requests in flight and refuses new ones (`http.deadline`).
 * An optional scope (`SiteScope`) is checked before every request and every redirect hop: a request outside
 * it is not sent (`http.outOfScope`), a redirect out of it is not followed (the 3xx answer is returned with
 * `outOfScope` set), and both are remembered by the scope for the scan's gaps.
 */
import { Agent, buildConnector, request } from 'undici';
import type { Socket } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate, constants as zc } from 'node:zlib';
import type { Transform } from 'node:stream';
import { fail, ok, type Result } from '../core/result.js';
import type { SiteScope } from './scope.js';

export interface HttpOptions {
  /** Whole request (connect + headers + body) in milliseconds. */
  timeoutMs: number;
  /** Bytes of (decoded) body kept; reading stops there. */
  maxBodyBytes: number;
  /** undici maxHeaderSize. */
  maxHeaderBytes: number;
  /** Requests for the whole site (every attempt counts, redirects included). */
  budget: number;
  /** In flight per host. */
  concurrency: number;
  /** Requests started per second per host. */
  ratePerSec: number;
  userAgent: string;
  maxRedirects: number;
  /** Extra trust anchors (PEM) for --ca; verification itself is the TLS probe's job. */
  ca?: string[];
}

export const defaultHttpOptions = (userAgent: string): HttpOptions => ({
  timeoutMs: 10_000,
  maxBodyBytes: 512 * 1024,
  maxHeaderBytes: 32 * 1024,
  budget: 500,
  concurrency: 5,
  ratePerSec: 10,
  userAgent,
  maxRedirects: 10,
});

export interface Hop {
  url: string;
  status: number;
  location?: string;
}

export interface HttpResponse {
  /** The URL asked for. */
  url: string;
  /** The URL that answered (after redirects). */
  finalUrl: string;
  status: number;
  /** Lower-case names; repeated headers joined except set-cookie, kept as a list. */
  headers: Record<string, string>;
  setCookies: string[];
  body: Uint8Array;
  /** Reading stopped at the byte cap (or the decoder's cap). */
  truncated: boolean;
  /** Redirect hops before the final answer (empty when not followed or none). */
  hops: Hop[];
  /** The redirect target that was not followed because it is outside the scan's scope (this is the 3xx). */
  outOfScope?: string;
}

export interface FetchOptions {
  method?: 'GET' | 'HEAD';
  /** Follow redirects (default true). */
  follow?: boolean;
  /** `Range: bytes=0-(rangeBytes-1)`; also caps reading. */
  rangeBytes?: number;
  /** `Range: bytes=rangeFrom-` (a file's tail, e.g. a zip central directory); reading is still capped. */
  rangeFrom?: number;
  /** Lower byte cap for this request. */
  maxBytes?: number;
  /** Ask for the raw bytes (magic numbers matter): Accept-Encoding identity (default true). */
  identity?: boolean;
}

export type HttpIssueCode =
  | 'http.budget'
  | 'http.deadline'
  | 'http.timeout'
  | 'http.redirectLoop'
  | 'http.tooManyRedirects'
  | 'http.headersTooLarge'
  | 'http.connect'
  | 'http.dns'
  | 'http.refused'
  | 'http.reset'
  | 'http.tls'
  | 'http.protocol'
  | 'http.badUrl'
  | 'http.outOfScope';

export interface HttpStats {
  sent: number;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  bytesRead: number;
}

class HostLimiter {
  private inFlight = 0;
  private nextStart = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    private readonly concurrency: number,
    private readonly intervalMs: number,
  ) {}

  /** The rate wait ends early when `signal` aborts (the caller re-checks it and releases). */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.inFlight >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    if (signal?.aborted) return;
    const now = performance.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + this.intervalMs;
    if (start > now)
      await new Promise<void>((r) => {
        const done = () => {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          r();
        };
        const t = setTimeout(done, start - now);
        signal?.addEventListener('abort', done, { once: true });
      });
  }

  release(): void {
    this.inFlight--;
    const next = this.waiting.shift();
    if (next) next();
  }
}

function classify(err: unknown): { code: HttpIssueCode; message: string } {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  const message = String(e?.message ?? err);
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ABORT_ERR')
    return { code: 'http.timeout', message };
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return { code: 'http.headersTooLarge', message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { code: 'http.dns', message };
  if (code === 'ECONNREFUSED') return { code: 'http.refused', message };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return { code: 'http.reset', message };
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /ssl|tls|certificate/i.test(message)) return { code: 'http.tls', message };
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_INVALID_ARG') return { code: 'http.protocol', message };
  return { code: 'http.connect', message: `${code} ${message}`.trim() };
}

function decoderFor(encoding: string): Transform | undefined {
  const flush = { finishFlush: zc.Z_SYNC_FLUSH };
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip(flush);
    case 'deflate':
      return createInflate(flush);
    case 'br':
      return createBrotliDecompress({ finishFlush: zc.BROTLI_OPERATION_FLUSH });
    default:
      return undefined;
  }
}

/** Push raw chunks through `decoder`, keeping at most `cap` decoded bytes; stops early at the cap. */
export async function decodeCapped(raw: AsyncIterable<Uint8Array>, decoder: Transform, cap: number): Promise<{ body: Uint8Array; truncated: boolean; rawBytes: number }> {
  const out: Buffer[] = [];
  let size = 0;
  let truncated = false;
  let rawBytes = 0;
  let decodeError: Error | undefined;
  decoder.on('data', (d: Buffer) => {
    if (truncated) return;
    const room = cap - size;
    if (d.length >= room) {
      out.push(d.subarray(0, room));
      size = cap;
      truncated = true;
      // Stop inflating now: a bomb's chunk already written would otherwise go on expanding (64 KB of gzip is
      // 64 MB) until the next raw chunk arrives, costing memory and CPU for bytes that are thrown away.
      decoder.destroy();
    } else {
      out.push(d);
      size += d.length;
    }
  });
  decoder.on('error', (e: Error) => {
    decodeError = e;
  });
  for await (const chunk of raw) {
    rawBytes += chunk.length;
    if (truncated || decodeError) break;
    const okToWrite = decoder.write(chunk);
    if (!okToWrite) await new Promise<void>((r) => decoder.once('drain', r).once('error', () => r()).once('close', () => r()));
    // Let the decoder emit what it produced before deciding to read on.
    await new Promise<void>((r) => setImmediate(r));
  }
  if (!truncated && !decodeError) await new Promise<void>((r) => decoder.end(() => r()));
  decoder.destroy();
  return { body: Buffer.concat(out, size), truncated, rawBytes };
}

export class HttpClient {
  readonly stats: HttpStats = { sent: 0, byStatus: {}, errors: {}, bytesRead: 0 };
  private readonly agent: Agent;
  private readonly limiters = new Map<string, HostLimiter>();
  private readonly cache = new Map<string, Promise<Result<HttpResponse>>>();
  /** Open sockets: at the deadline they are destroyed (undici does not abort a request still connecting). */
  private readonly sockets = new Set<Socket>();

  /**
   * `deadline`: the whole scan's time limit. When it aborts, requests in flight are cut off and later ones are
   * not sent; both answer `http.deadline` (counted in `stats.errors`, never in `stats.sent` when not sent).
   */
  constructor(
    readonly opts: HttpOptions,
    private readonly deadline?: AbortSignal,
    private readonly scope?: SiteScope,
  ) {
    const base = buildConnector({ rejectUnauthorized: false, ca: opts.ca, timeout: opts.timeoutMs }) as unknown as (o: buildConnector.Options, cb: buildConnector.Callback) => Socket | undefined;
    const connect = (o: buildConnector.Options, cb: buildConnector.Callback): void => {
      if (deadline?.aborted) return void cb(new Error('scan time limit reached'), null);
      const sock = base(o, cb);
      if (sock && typeof sock.destroy === 'function') {
        this.sockets.add(sock);
        sock.once('close', () => this.sockets.delete(sock));
      }
    };
    deadline?.addEventListener(
      'abort',
      () => {
        for (const sock of this.sockets) sock.destroy(new Error('scan time limit reached'));
      },
      { once: true },
    );
    this.agent = new Agent({
      connect,
      maxHeaderSize: opts.maxHeaderBytes,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connections: opts.concurrency,
      pipelining: 1,
    });
  }

  /** The scan's time limit has passed: nothing more will be sent. */
  get expired(): boolean {
    return this.deadline?.aborted === true;
  }

  private cut(url: string): Result<HttpResponse> {
    this.stats.errors['http.deadline'] = (this.stats.errors['http.deadline'] ?? 0) + 1;
    return fail('http.deadline', 'scan time limit reached', url);
  }

  get remaining(): number {
    return Math.max(0, this.opts.budget - this.stats.sent);
  }

  async close(): Promise<void> {
    await this.agent.destroy();
    // A socket still connecting survives agent.destroy() until its connect timeout: close it now.
    for (const sock of this.sockets) sock.destroy();
  }

  private limiter(host: string): HostLimiter {
    let l = this.limiters.get(host);
    if (!l) {
      l = new HostLimiter(this.opts.concurrency, 1000 / Math.max(0.1, this.opts.ratePerSec));
      this.limiters.set(host, l);
    }
    return l;
  }

  /** Same options and URL → the same promise: identical requests across checks are sent once. */
  fetch(url: string, o: FetchOptions = {}): Promise<Result<HttpResponse>> {
    const key = [o.method ?? 'GET', url, o.follow === false ? 'nofollow' : 'follow', o.rangeBytes ?? '', o.rangeFrom ?? '', o.maxBytes ?? '', o.identity === false ? 'enc' : 'id'].join(' ');
    let p = this.cache.get(key);
    if (!p) {
      p = this.fetchFollowing(url, o);
      this.cache.set(key, p);
    }
    return p;
  }

  private async fetchFollowing(url: string, o: FetchOptions): Promise<Result<HttpResponse>> {
    const hops: Hop[] = [];
    const seen = new Set<string>();
    let current = url;
    if (this.scope && !this.scope.allows(url)) {
      this.scope.refuse(url, url, 'request');
      return fail('http.outOfScope', 'not in the scan\'s scope (not sent)', url.slice(0, 200));
    }
    for (;;) {
      if (seen.has(current)) return fail('http.redirectLoop', `redirect loop at ${current}`, current);
      seen.add(current);
      const r = await this.once(current, o);
      if (!r.ok) return r;
      const res = r.value;
      const location = res.headers.location;
      if (o.follow === false || !location || res.status < 300 || res.status >= 400 || res.status === 304) {
        return ok({ ...res, url, hops });
      }
      let next: string;
      try {
        next = new URL(location, current).href;
      } catch (err) {
        return fail('http.protocol', `bad Location header: ${(err as Error).message}`, location.slice(0, 200));
      }
      hops.push({ url: current, status: res.status, location: next });
      if (hops.length > this.opts.maxRedirects) return fail('http.tooManyRedirects', `more than ${this.opts.maxRedirects} redirects`, url);
      if (!/^https?:$/.test(new URL(next).protocol)) return ok({ ...res, url, hops });
      if (this.scope && !this.scope.allows(next)) {
        // the hop leaves the scan's scope: not followed; the 3xx is the answer
        this.scope.refuse(next, current, 'redirect');
        return ok({ ...res, url, hops, outOfScope: next });
      }
      current = next;
    }
  }

  /** One request, no redirect handling. */
  private async once(url: string, o: FetchOptions): Promise<Result<HttpResponse>> {
    let u: URL;
    try {
      u = new URL(url);
    } catch (err) {
      return fail('http.badUrl', (err as Error).message, url.slice(0, 200));
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return fail('http.badUrl', `unsupported scheme ${u.protocol}`, url);
    if (this.expired) return this.cut(url);
    if (this.stats.sent >= this.opts.budget) return fail('http.budget', `request budget of ${this.opts.budget} spent`, url);
    const limiter = this.limiter(u.host);
    await limiter.acquire(this.deadline);
    // Deadline and budget re-check after waiting: time passed and others may have spent the budget meanwhile.
    if (this.expired) {
      limiter.release();
      return this.cut(url);
    }
    if (this.stats.sent >= this.opts.budget) {
      limiter.release();
      return fail('http.budget', `request budget of ${this.opts.budget} spent`, url);
    }
    this.stats.sent++;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new DOMException('request time cap', 'TimeoutError')), this.opts.timeoutMs);
    const onDeadline = () => ac.abort(new DOMException('scan time limit', 'AbortError'));
    this.deadline?.addEventListener('abort', onDeadline, { once: true });
    const cap = Math.min(o.maxBytes ?? this.opts.maxBodyBytes, o.rangeBytes ?? Infinity, this.opts.maxBodyBytes);
    const headers: Record<string, string> = {
      'user-agent': this.opts.userAgent,
      accept: '*/*',
      'accept-encoding': o.identity === false ? 'gzip, deflate, br' : 'identity',
    };
    if (o.rangeFrom !== undefined) headers.range = `bytes=${o.rangeFrom}-`;
    else if (o.rangeBytes) headers.range = `bytes=0-${o.rangeBytes - 1}`;
    try {
      const res = await request(u, { method: o.method ?? 'GET', headers, dispatcher: this.agent, signal: ac.signal });
      const flat: Record<string, string> = {};
      const setCookies: string[] = [];
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        const name = k.toLowerCase();
        if (name === 'set-cookie') setCookies.push(...(Array.isArray(v) ? v : [v]));
        else flat[name] = Array.isArray(v) ? v.join(', ') : v;
      }
      this.stats.byStatus[res.statusCode] = (this.stats.byStatus[res.statusCode] ?? 0) + 1;
      let body: Uint8Array = new Uint8Array(0);
      let truncated = false;
      if ((o.method ?? 'GET') === 'GET') {
        const decoder = decoderFor(flat['content-encoding'] ?? '');
        if (decoder) {
          const d = await decodeCapped(res.body, decoder, cap);
          body = d.body;
          truncated = d.truncated;
          this.stats.bytesRead += d.rawBytes;
        } else {
          const parts: Buffer[] = [];
          let size = 0;
          for await (const chunk of res.body as AsyncIterable<Buffer>) {
            this.stats.bytesRead += chunk.length;
            const room = cap - size;
            if (chunk.length >= room) {
              parts.push(chunk.subarray(0, room));
              size = cap;
              truncated = true;
              break;
            }
            parts.push(chunk);
            size += chunk.length;
          }
          body = Buffer.concat(parts, size);
          // A body that ended exactly at the cap is not truncated when the server said so.
          const len = Number(flat['content-length']);
          if (truncated && Number.isFinite(len) && len <= cap) truncated = false;
        }
      }
      if (!res.body.destroyed) res.body.destroy();
      return ok({ url, finalUrl: url, status: res.statusCode, headers: flat, setCookies, body, truncated, hops: [] });
    } catch (err) {
      if (this.expired) return this.cut(url);
      const c = ac.signal.aborted ? { code: 'http.timeout' as const, message: 'request time cap reached' } : classify(err);
      this.stats.errors[c.code] = (this.stats.errors[c.code] ?? 0) + 1;
      return fail(c.code, c.message, url);
    } finally {
      clearTimeout(timer);
      this.deadline?.removeEventListener('abort', onDeadline);
      limiter.release();
    }
  }
}

export const textOf = (body: Uint8Array): string => Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
