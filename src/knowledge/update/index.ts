/**
 * `mamori db update [--feed NAME]… [--mirror URL]`: download each feed (conditional requests, retries,
 * timeouts), normalise it through the same path as `db import`, and switch the result in atomically. A feed
 * that fails keeps its previous data and is marked with the error; the others go on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expand, type ExpandProblem, type InputFile } from '../import/archive.js';
import { batchingSink, codenamesFromStore, emptySummary, type IngestSummary } from '../import/ingest.js';
import { KnowledgeDbError } from '../store/sqlite.js';
import type { FeedWriter } from '../store/ports.js';
import { acquireLock, sqliteFeedStore } from '../store/swap.js';
import { fetchAmazon, fetchRedhatApi } from './distro.js';
import { fetchFeed, NetState, type FetchOptions } from './http.js';
import { FEED_SOURCES, mirrorUrl, type FeedSource } from './sources.js';

export { FEED_SOURCES, mirrorUrl } from './sources.js';

export interface UpdateConfig {
  /** Default mirror when --mirror is not given. */
  mirror?: string;
  /** Per feed: its own URLs (used as they are, never rewritten to the mirror). */
  feeds?: Record<string, { url?: string; urls?: string[] }>;
  timeoutMs?: number;
  retries?: number;
  /** Overall deadline of one `db update` run. */
  deadlineMs?: number;
  nvdApiKey?: string;
}

export interface UpdateOptions {
  feeds?: string[];
  mirror?: string;
  config?: UpdateConfig;
  now?: Date;
  timeoutMs?: number;
  retries?: number;
  retryBaseMs?: number;
  maxBytes?: number;
  /** Overall deadline of the run (default 30 minutes): feeds not finished by then fail, the rest are not tried. */
  deadlineMs?: number;
  /** The fetch implementation (tests). */
  fetchImpl?: typeof fetch;
  /** Pause between MyJVN requests (default 1 s). */
  jvnDelayMs?: number;
  /** Pause between NVD requests (default 6 s without an API key, 0.6 s with one: NVD's published limits). */
  nvdDelayMs?: number;
  nvdApiKey?: string;
  /** Feeds downloaded at the same time (default 4). */
  concurrency?: number;
  onProgress?: (e: ProgressEvent) => void;
}

export type ProgressEvent =
  | { kind: 'start'; feed: string; urls: number; index: number; total: number }
  | { kind: 'bytes'; feed: string; url: number; received: number; total: number | null }
  | { kind: 'done'; feed: string; status: FeedOutcome['status']; records: number; rejected: number; error?: string; staleDays?: number | null }
  /** Feeds not tried: the network is unreachable, or the deadline passed. */
  | { kind: 'skipped'; feeds: string[]; why: 'offline' | 'deadline'; reason: string };

export interface FeedOutcome {
  name: string;
  status: 'updated' | 'not-modified' | 'failed';
  urls: string[];
  records: number;
  rejected: number;
  error?: string;
  /** Age in days of the data kept when the feed failed. */
  staleDays?: number | null;
  /** Not tried at all: the network was unreachable, or the deadline had passed. */
  skipped?: 'offline' | 'deadline';
}

export interface UpdateSummary {
  feeds: FeedOutcome[];
  ingest: IngestSummary;
  problems: ExpandProblem[];
  durationMs: number;
  /** Why the network looked unreachable (names did not resolve, connections failed), when it did. */
  offline?: string;
  /** The overall deadline (ms) when it passed before every feed was done. */
  deadlinePassedMs?: number;
}

export const DEFAULT_DEADLINE_MS = 30 * 60_000;

/** `$MAMORI_HOME/config.json`, when present. */
export function loadConfig(home: string): UpdateConfig {
  const p = `${home}/config.json`;
  if (!existsSync(p)) return {};
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as UpdateConfig;
  } catch (err) {
    throw new KnowledgeDbError(`${p} is not valid JSON (${(err as Error).message})`);
  }
}

export function sourcesFor(names: readonly string[] | undefined): FeedSource[] {
  if (!names?.length) return FEED_SOURCES.filter((s) => s.byDefault);
  const out: FeedSource[] = [];
  for (const n of names) {
    const s = FEED_SOURCES.find((x) => x.feed === n);
    if (!s) throw new KnowledgeDbError(`unknown feed ${n}; known feeds: ${FEED_SOURCES.map((x) => x.feed).join(', ')}`);
    out.push(s);
  }
  return out;
}

function resolveUrls(src: FeedSource, mirror: string | undefined, config: UpdateConfig): string[] {
  const own = config.feeds?.[src.feed];
  if (own?.urls?.length) return own.urls;
  if (own?.url) return [own.url];
  return mirror ? src.urls.map((u) => mirrorUrl(mirror, u)) : src.urls;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function updateFeeds(dbPath: string, opts: UpdateOptions = {}): Promise<UpdateSummary> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const config = opts.config ?? {};
  const mirror = opts.mirror ?? config.mirror;
  const sources = sourcesFor(opts.feeds);
  const deadlineMs = opts.deadlineMs ?? config.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort(new Error('the overall deadline passed')), deadlineMs);
  deadlineTimer.unref(); // never what keeps the process alive (acquireLock below may throw before the try that clears it)
  // one mirror is one host: when it cannot be reached, nothing can
  const net = new NetState(mirror ? 1 : 2);
  const fo: Omit<FetchOptions, 'validators' | 'onProgress'> = {
    timeoutMs: opts.timeoutMs ?? config.timeoutMs ?? 60_000,
    retries: opts.retries ?? config.retries ?? 3,
    retryBaseMs: opts.retryBaseMs ?? 1000,
    maxBytes: opts.maxBytes ?? 1024 * 1024 * 1024,
    deadline: deadline.signal,
    net,
    fetchImpl: opts.fetchImpl,
  };
  const release = acquireLock(dbPath);
  try {
    const build = sqliteFeedStore(dbPath, () => now).begin();
    try {
      const store = build.writer;
      const summary = emptySummary();
      const outcomes: FeedOutcome[] = [];
      const problems: ExpandProblem[] = [];
      let offline: string | undefined;
      // Feeds download in parallel (a few at a time); each is ingested as soon as it has arrived (ingest is
      // synchronous, so the store sees one feed at a time). Outcomes keep the order of the sources.
      const skipped: number[] = [];
      let skipWhy: 'offline' | 'deadline' | undefined;
      const runFeed = async (index: number): Promise<void> => {
        const src = sources[index]!;
        offline ??= net.offline;
        const why = deadline.signal.aborted ? 'deadline' : offline !== undefined ? 'offline' : undefined;
        if (why) {
          skipWhy ??= why;
          skipped.push(index);
          return;
        }
        const urls = resolveUrls(src, mirror, config);
        opts.onProgress?.({ kind: 'start', feed: src.feed, urls: urls.length, index, total: sources.length });
        const outcome: FeedOutcome = { name: src.feed, status: 'not-modified', urls, records: 0, rejected: 0 };
        if (!urls.length) {
          outcome.status = 'failed';
          outcome.error = src.note ?? 'no URL configured for this feed';
        } else {
          const fetched =
            src.feed === 'nvd'
              ? await fetchNvd(store, urls[0]!, now, fo, opts, config)
              : src.feed === 'jvn'
                ? await fetchJvn(urls, fo, opts)
                : src.feed === 'redhat-api' && urls[0]!.includes('{page}')
                  ? await fetchRedhatApi(store, urls, now, fo, { onProgress: (u, r, t) => opts.onProgress?.({ kind: 'bytes', feed: src.feed, url: u, received: r, total: t }) })
                  : src.feed === 'amazon-alas' && urls.some((u) => u.endsWith('mirror.list'))
                    ? await fetchAmazon(urls, fo, (u, r, t) => opts.onProgress?.({ kind: 'bytes', feed: src.feed, url: u, received: r, total: t }))
                    : await fetchAll(store, src.feed, urls, fo, opts);
          if ('error' in fetched) {
            outcome.status = 'failed';
            outcome.error = fetched.error;
          } else if (fetched.files.length) {
            const before = summary.feeds.map((f) => ({ ...f }));
            const sink = batchingSink(store, { debianCodenames: codenamesFromStore(store) }, { fetchedAt: now.toISOString(), summary });
            for (const blob of fetched.files) expand(blob, sink, fetched.problems);
            sink.finish();
            for (const f of summary.feeds) {
              const b = before.find((x) => x.name === f.name);
              outcome.records += f.records - (b?.records ?? 0);
              outcome.rejected += f.rejected - (b?.rejected ?? 0);
            }
            problems.push(...fetched.problems);
            for (const v of fetched.validators) store.setHttpValidators(v.url, v.etag, v.lastModified, now.toISOString());
            for (const [k, v] of fetched.meta) store.setMeta(k, v);
            outcome.status = 'updated';
            const truncated = fetched.problems.find((p) => /truncat|unreadable/.test(p.reason));
            if (truncated && outcome.records === 0) {
              outcome.status = 'failed';
              outcome.error = `${truncated.file}: ${truncated.reason}`;
            }
          }
        }
        if (outcome.status === 'failed') {
          store.markFeedError(src.feed, outcome.error ?? 'failed', now.toISOString());
          const st = store.feeds().find((f) => f.name === src.feed);
          outcome.staleDays = st?.ageDays ?? null;
        } else store.markFeed(src.feed, now.toISOString(), mirror && !config.feeds?.[src.feed] ? `mirror:${mirror}` : urls[0]!);
        opts.onProgress?.({ kind: 'done', feed: src.feed, status: outcome.status, records: outcome.records, rejected: outcome.rejected, error: outcome.error, staleDays: outcome.staleDays });
        outcomes[index] = outcome;
        offline ??= net.offline;
      };
      // One feed at a time until one got through, so an unreachable network (or a mirror that never answers) is
      // found as without parallelism; then in parallel. The Debian lists wait for distro-info (its codenames).
      const order = [...sources.keys()];
      const running = new Map<string, Promise<void>>();
      const start = (i: number) => {
        const p = (sources[i]!.feed === 'debian-tracker' ? (running.get('distro-info') ?? Promise.resolve()) : Promise.resolve()).then(() => runFeed(i));
        running.set(sources[i]!.feed, p);
        return p;
      };
      while (order.length && !outcomes.some((o) => o && o.status !== 'failed')) await start(order.shift()!);
      const worker = async () => {
        for (let i = order.shift(); i !== undefined; i = order.shift()) await start(i);
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, order.length)) }, worker));
      if (skipped.length) {
        skipped.sort((a, b) => a - b);
        const why = skipWhy!;
        const reason = why === 'deadline' ? `not tried: the overall deadline of ${Math.round(deadlineMs / 1000)} s passed` : `not tried: the network looks unreachable (${offline})`;
        opts.onProgress?.({ kind: 'skipped', feeds: skipped.map((i) => sources[i]!.feed), why, reason });
        for (const i of skipped) {
          const r = sources[i]!;
          store.markFeedError(r.feed, reason, now.toISOString());
          const st = store.feeds().find((f) => f.name === r.feed);
          outcomes[i] = { name: r.feed, status: 'failed', urls: resolveUrls(r, mirror, config), records: 0, rejected: 0, error: reason, staleDays: st?.ageDays ?? null, skipped: why };
        }
      }
      if (outcomes.some((o) => o.status !== 'failed')) {
        store.setMeta('snapshot.kind', 'updated');
        store.setMeta('snapshot.at', now.toISOString());
      }
      build.commit();
      const result: UpdateSummary = { feeds: outcomes, ingest: summary, problems, durationMs: performance.now() - started };
      if (offline ?? net.offline) result.offline = offline ?? net.offline;
      if (deadline.signal.aborted && outcomes.some((o) => o.status === 'failed')) result.deadlinePassedMs = deadlineMs;
      return result;
    } catch (err) {
      build.abort();
      throw err;
    }
  } finally {
    clearTimeout(deadlineTimer);
    release();
  }
}

interface Fetched {
  files: InputFile[];
  problems: ExpandProblem[];
  validators: { url: string; etag: string | null; lastModified: string | null }[];
  meta: Map<string, string>;
}

async function fetchAll(store: FeedWriter, feed: string, urls: string[], fo: Omit<FetchOptions, 'validators' | 'onProgress'>, opts: UpdateOptions): Promise<Fetched | { error: string }> {
  const out: Fetched = { files: [], problems: [], validators: [], meta: new Map() };
  for (const [i, url] of urls.entries()) {
    const r = await fetchFeed(url, {
      ...fo,
      validators: store.httpValidators(url),
      onProgress: (received, total) => opts.onProgress?.({ kind: 'bytes', feed, url: i, received, total }),
    });
    if (r.kind === 'failed') return { error: `${url}: ${r.reason}` };
    if (r.kind === 'not-modified') continue;
    const name = new URL(url).pathname.split('/').filter(Boolean).pop() ?? feed;
    // Kept compressed until ingest, which expands archives member by member.
    out.files.push({ rel: `${feed}/${decodeURIComponent(name)}${urls.length > 1 ? `#${i}` : ''}`, source: url, bytes: r.bytes });
    out.validators.push({ url, etag: r.etag, lastModified: r.lastModified });
  }
  return out;
}

/** NVD CVE API 2.0: pages of 2,000 by last-modified window (at most 120 days each), rate-limited. */
async function fetchNvd(store: FeedWriter, pattern: string, now: Date, fo: Omit<FetchOptions, 'validators' | 'onProgress'>, opts: UpdateOptions, config: UpdateConfig): Promise<Fetched | { error: string }> {
  const out: Fetched = { files: [], problems: [], validators: [], meta: new Map() };
  const key = opts.nvdApiKey ?? config.nvdApiKey ?? process.env.MAMORI_NVD_API_KEY;
  const delay = opts.nvdDelayMs ?? (key ? 600 : 6000);
  const last = store.getMeta('nvd.lastModEnd');
  const windows: { start?: string; end?: string }[] = [];
  if (!last) windows.push({});
  else {
    let s = new Date(last);
    while (s < now) {
      const e = new Date(Math.min(now.getTime(), s.getTime() + 120 * 86_400_000));
      windows.push({ start: s.toISOString(), end: e.toISOString() });
      s = e;
    }
  }
  let requests = 0;
  for (const w of windows) {
    let index = 0;
    for (;;) {
      let url = pattern.replace('{index}', String(index));
      url = w.start ? url.replace('{start}', encodeURIComponent(w.start)).replace('{end}', encodeURIComponent(w.end!)) : url.replace(/[?&]lastModStartDate=\{start\}&lastModEndDate=\{end\}/, '').replace('2.0&', '2.0?');
      if (requests++ > 0 && delay > 0) await sleep(delay);
      const r = await fetchFeed(url, { ...fo, headers: key ? { apiKey: key } : undefined, onProgress: (received, total) => opts.onProgress?.({ kind: 'bytes', feed: 'nvd', url: requests, received, total }) });
      if (r.kind !== 'ok') return { error: `${url}: ${r.kind === 'failed' ? r.reason : 'unexpected 304'}` };
      let page: { totalResults?: number; resultsPerPage?: number };
      try {
        page = JSON.parse(Buffer.from(r.bytes).toString('utf8')) as typeof page;
      } catch (err) {
        return { error: `${url}: invalid JSON (${(err as Error).message})` };
      }
      out.files.push({ rel: `nvd/cves-${w.start ?? 'all'}-${index}.json`, source: url, bytes: r.bytes });
      const per = page.resultsPerPage ?? 0;
      index += per;
      if (!per || index >= (page.totalResults ?? 0)) break;
    }
  }
  out.meta.set('nvd.lastModEnd', now.toISOString());
  return out;
}

/** MyJVN getVulnOverviewList: 50 items per page; follow `totalRes` with `startItem` (at most 20 pages per query). */
async function fetchJvn(urls: string[], fo: Omit<FetchOptions, 'validators' | 'onProgress'>, opts: UpdateOptions): Promise<Fetched | { error: string }> {
  const out: Fetched = { files: [], problems: [], validators: [], meta: new Map() };
  const delay = opts.jvnDelayMs ?? 1000;
  let requests = 0;
  for (const [q, base] of urls.entries()) {
    for (let start = 1, page = 0; page < 20; page++) {
      const url = start === 1 ? base : `${base}&startItem=${start}`;
      if (requests++ > 0 && delay > 0) await sleep(delay);
      const r = await fetchFeed(url, { ...fo, onProgress: (received, total) => opts.onProgress?.({ kind: 'bytes', feed: 'jvn', url: requests, received, total }) });
      if (r.kind !== 'ok') return { error: `${url}: ${r.kind === 'failed' ? r.reason : 'unexpected 304'}` };
      out.files.push({ rel: `jvn/overview-${q}-${start}.xml`, source: url, bytes: r.bytes });
      const head = Buffer.from(r.bytes.subarray(Math.max(0, r.bytes.length - 2000))).toString('utf8');
      const total = Number(/totalRes="(\d+)"/.exec(head)?.[1] ?? 0);
      const got = Number(/totalResRet="(\d+)"/.exec(head)?.[1] ?? 0);
      if (!got || start - 1 + got >= total) break;
      start += got;
    }
  }
  return out;
}
