/**
 * scanTree: a bounded walk of a directory (a document root) that classifies every file. Symbolic links are
 * not followed (loop-safe by construction; directories are also tracked by device and inode), names that
 * are not UTF-8 are kept as bytes for reading and shown decoded (Shift_JIS) or escaped. Files are
 * classified on worker threads; a small tree is classified on the calling thread.
 */
import { availableParallelism } from 'node:os';
import { isUtf8 } from 'node:buffer';
import { lstatSync, readdirSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { Worker } from 'node:worker_threads';
import { catalogGap } from '../core/gaps.js';
import { messages } from '../core/messages/index.js';
import type { Finding, Gap, Lang } from '../core/model.js';
import type { Classified } from './classify.js';
import { verdictToFindings, type Located } from './findings.js';
import { maskGap } from './mask.js';
import { classifyFile, type FileResult, type FileTask } from './read.js';
import { classifyNext, SHARED_QUEUE_BYTES, sharedQueue, type WorkerInit } from './queue.js';
import { DEFAULT_MAX_FILE_BYTES, type FileVerdict } from './types.js';

export interface ScanTreeOptions {
  maxFiles?: number;
  maxDepth?: number;
  maxFileBytes?: number;
  maxTotalBytes?: number;
  workers?: number;
  /**
   * Unasked (workers undefined), other threads join after this many milliseconds on the calling thread when
   * at least `leftMs` of work seems left (defaults 250 and 1000; tests set both to 0).
   */
  join?: { afterMs: number; leftMs: number };
  followSymlinks?: false;
  lang?: Lang;
  /** How a relative path is shown and whether it is served (default: the path under root, unknown). */
  locate?: (path: string) => Located;
}

export interface ScanTreeResult {
  files: FileVerdict[];
  findings: Finding[];
  gaps: Gap[];
  stats: { files: number; bytes: number; skipped: number; ms: number };
}

/** Below this many files the pool costs more than it saves. */
const SEQUENTIAL_BELOW = 48;
const VCS_DIRS = new Set(['.git', '.svn', '.hg', '.bzr', 'CVS']);
const LIBRARY_DIRS = new Set(['node_modules', 'bower_components', 'vendor']);
/** Archive formats recognised by their magic but not opened: what they hold is a gap of the scan. */
const UNOPENED_ARCHIVES = new Set(['7z', 'rar', 'bzip2', 'xz', 'lzh']);
/** Inside library folders only data files are classified (gitleaks-style path allowlist). */
const DATA_FILE = /\.(?:sql|csv|tsv|xlsx?|zip|gz|tgz|tar|log|bak|old|dump|sqlite3?|db|dat)$/i;

const sjis = new TextDecoder('shift_jis', { fatal: true });

/** A path segment for people: UTF-8 as is, else Shift_JIS when it decodes, else `\xNN` escapes. */
export function displayName(name: Buffer): { text: string; note?: string } {
  if (isUtf8(name)) return { text: name.toString('utf8') };
  try {
    return { text: sjis.decode(name), note: 'file name in Shift_JIS' };
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    let s = '';
    for (const b of name) s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return { text: s, note: 'file name not valid UTF-8 (shown escaped)' };
  }
}

interface Walked {
  tasks: (FileTask & { note?: string })[];
  vcs: string[];
  gaps: Gap[];
  skipped: number;
}

/**
 * The walk uses the synchronous calls: nothing else runs on this thread meanwhile (workers boot on their own),
 * and each asynchronous call would cost a round trip through libuv's thread pool (40 ms on the benchmark tree).
 */
function walk(
  root: string,
  opts: Required<Pick<ScanTreeOptions, 'maxFiles' | 'maxDepth'>>,
  t: (c: string, p?: Record<string, string | number>) => string,
  /** Called once when the walk has found `enough.count` files. */
  enough?: { count: number; then: () => void },
): Walked {
  const out: Walked = { tasks: [], vcs: [], gaps: [], skipped: 0 };
  const seen = new Set<string>();
  let symlinks = 0;
  let depthHit = false;
  let filesHit = false;
  const rootBuf = Buffer.from(root.replace(/\/+$/, '') || '/');
  const stack: { abs: Buffer; rel: string; depth: number; library: boolean }[] = [{ abs: rootBuf, rel: '', depth: 0, library: false }];
  while (stack.length) {
    const dir = stack.pop()!;
    let st;
    try {
      st = lstatSync(dir.abs, { bigint: true });
    } catch (err) {
      out.gaps.push(catalogGap(t, dir.rel || root, 'pii.gap.dirUnreadable', { reason: (err as NodeJS.ErrnoException).code ?? String(err) }));
      continue;
    }
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let entries;
    try {
      entries = readdirSync(dir.abs, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      out.gaps.push(catalogGap(t, dir.rel || root, 'pii.gap.dirUnreadable', { reason: (err as NodeJS.ErrnoException).code ?? String(err) }));
      continue;
    }
    entries.sort((a, b) => Buffer.compare(b.name as unknown as Buffer, a.name as unknown as Buffer));
    for (const e of entries) {
      const nameBuf = e.name as unknown as Buffer;
      const shown = displayName(nameBuf);
      const rel = dir.rel ? `${dir.rel}/${shown.text}` : shown.text;
      const abs = Buffer.concat([dir.abs, Buffer.from('/'), nameBuf]);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        symlinks++;
        out.skipped++;
        continue;
      }
      if (!isDir && !isFile && !e.isFIFO() && !e.isSocket() && !e.isBlockDevice() && !e.isCharacterDevice()) {
        const s = lstatSync(abs);
        isDir = s.isDirectory();
        isFile = s.isFile();
      }
      if (isDir) {
        const name = shown.text;
        if (VCS_DIRS.has(name)) {
          out.vcs.push(rel);
          continue;
        }
        if (dir.depth + 1 > opts.maxDepth) {
          depthHit = true;
          out.skipped++;
          continue;
        }
        stack.push({ abs, rel, depth: dir.depth + 1, library: dir.library || LIBRARY_DIRS.has(name) });
        continue;
      }
      if (!isFile) {
        out.skipped++;
        continue;
      }
      if (dir.library && !DATA_FILE.test(shown.text)) {
        out.skipped++;
        continue;
      }
      if (out.tasks.length >= opts.maxFiles) {
        filesHit = true;
        out.skipped++;
        continue;
      }
      out.tasks.push({ abs, rel, ...(shown.note ? { note: shown.note } : {}) });
      if (out.tasks.length === enough?.count) enough.then();
    }
  }
  if (symlinks) out.gaps.push(catalogGap(t, root, 'pii.gap.symlinks', { count: symlinks }));
  if (depthHit) out.gaps.push(catalogGap(t, root, 'pii.gap.maxDepth', { depth: opts.maxDepth }));
  if (filesHit) out.gaps.push(catalogGap(t, root, 'pii.gap.maxFiles', { count: opts.maxFiles }));
  return out;
}

/**
 * The worker's entry: the compiled worker.js, or under tsx (tests, benchmarks run from source) worker.ts
 * loaded after registering tsx in the worker, since loader flags are not reliably inherited by workers.
 */
function startWorker(workerData: WorkerInit): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_MB };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { resourceLimits, workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true, execArgv: [], resourceLimits, workerData });
}

/**
 * The workers' young generation (V8 semi-spaces of about a third of it). Classifying allocates a string per
 * file or chunk; in a large, growing young generation the survivors are copied and promoted, and on a
 * virtual machine the page faults of fresh heap pages cost more than the scanning.
 */
const WORKER_YOUNG_MB = 8;
/**
 * Unasked, workers join only after 250 ms on the calling thread, and only when a second of work seems left:
 * a worker costs ~75 ms to start and as much again to warm up, and on small virtual machines (the 2-vCPU
 * benchmark machine) a second thread gains little, so only large trees are worth it.
 */
const JOIN = { afterMs: 250, leftMs: 1000 };

/**
 * Classification on the calling thread plus worker threads that take files from one shared atomic counter
 * (no hand-offs). Workers join at once when the caller asked for a number of them; otherwise only when
 * the work left is worth their start-up: on the 200 MB benchmark tree (2 vCPUs) one thread finished first,
 * two threads win on larger trees and on machines whose memory system scales with their cores.
 */
class Pool {
  readonly shared = new SharedArrayBuffer(SHARED_QUEUE_BYTES);
  readonly queue = sharedQueue(this.shared);
  private readonly workers: Worker[] = [];
  private readonly finished: Promise<unknown>[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly size: number,
    private readonly maxFileBytes: number,
    private readonly maxTotalBytes: number,
    private readonly join: { afterMs: number; leftMs: number },
  ) {}

  /** Start the workers; `tasks` may still be growing (the walk goes on) until run() hands them over. */
  start(): void {
    if (this.workers.length) return;
    for (let i = 0; i < this.size; i++) this.workers.push(startWorker({ shared: this.shared, maxFileBytes: this.maxFileBytes, maxTotalBytes: this.maxTotalBytes }));
  }

  private attach(tasks: readonly FileTask[], results: (FileResult | undefined)[]): void {
    for (const w of this.workers) {
      this.finished.push(
        new Promise<void>((resolve) => {
          w.on('message', (m: { results?: [number, FileResult][]; done?: boolean }) => {
            for (const [i, r] of m.results ?? []) results[i] = r;
            if (m.done) resolve();
          });
          w.once('error', (err) => {
            this.failure ??= err;
            resolve();
          });
          w.once('exit', () => resolve());
        }),
      );
      w.postMessage({ tasks });
    }
  }

  /** Classify `tasks` here and on the workers; results in task order (undefined: not read). */
  async run(tasks: readonly FileTask[], results: (FileResult | undefined)[]): Promise<void> {
    if (this.workers.length) this.attach(tasks, results);
    const started = performance.now();
    let since = started;
    let done = 0;
    for (let n = classifyNext(this.queue, tasks, this.maxFileBytes, this.maxTotalBytes); n; n = classifyNext(this.queue, tasks, this.maxFileBytes, this.maxTotalBytes)) {
      const i = n.index;
      results[i] = n.result;
      done++;
      const now = performance.now();
      if (!this.workers.length && now - started >= this.join.afterMs && ((now - started) / done) * (tasks.length - i - 1) >= this.join.leftMs && i + 1 < tasks.length) {
        this.start();
        this.attach(tasks, results);
      }
      // Yield now and then so the workers' results are taken in.
      if (this.workers.length && now - since > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        since = performance.now();
      }
    }
    await Promise.all(this.finished);
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Classify, on this thread, every task without a result while the bytes read (those already counted too) stay under the budget. */
function classifyRest(tasks: readonly FileTask[], results: (FileResult | undefined)[], maxFileBytes: number, maxTotalBytes: number): void {
  let read = results.reduce((n, r) => n + (r?.bytesRead ?? 0), 0);
  for (let i = 0; i < tasks.length && read < maxTotalBytes; i++) {
    if (results[i]) continue;
    const r = classifyFile(tasks[i]!, maxFileBytes);
    read += r.bytesRead;
    results[i] = r;
  }
}

export async function scanTree(root: string, opts: ScanTreeOptions = {}): Promise<ScanTreeResult> {
  const started = performance.now();
  const lang = opts.lang ?? 'en';
  const t = (code: string, params?: Record<string, string | number>) => messages.t(lang, code, params);
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxTotalBytes = opts.maxTotalBytes ?? 4 * 1024 ** 3;
  const threads = Math.max(1, opts.workers ?? Math.min(4, availableParallelism()));
  // Threads besides this one: when asked for, they start as soon as the walk has found enough files and
  // boot while the rest is walked; unasked, run() starts them when the work left is worth it.
  const pool = threads > 1 ? new Pool(threads - 1, maxFileBytes, maxTotalBytes, opts.join ?? JOIN) : undefined;
  const results: (FileResult | undefined)[] = [];
  let walked: Walked;
  try {
    const enough = pool && opts.workers ? { count: SEQUENTIAL_BELOW, then: () => pool.start() } : undefined;
    walked = walk(root, { maxFiles: opts.maxFiles ?? 200_000, maxDepth: opts.maxDepth ?? 32 }, t, enough);
    results.length = walked.tasks.length;
    if (!pool || walked.tasks.length < SEQUENTIAL_BELOW) classifyRest(walked.tasks, results, maxFileBytes, maxTotalBytes);
    else {
      try {
        await pool.run(walked.tasks, results);
      } catch (err) {
        // A worker died (out of memory on a hostile file, a crash): finish on this thread and say so.
        walked.gaps.push(catalogGap(t, root, 'pii.gap.worker', { reason: (err as Error).message }));
        classifyRest(walked.tasks, results, maxFileBytes, maxTotalBytes);
      }
    }
  } finally {
    await pool?.close();
  }

  const gaps: Gap[] = [...walked.gaps];
  const files: FileVerdict[] = [];
  let bytes = 0;
  let skipped = walked.skipped;
  let unread = 0;
  for (let i = 0; i < walked.tasks.length; i++) {
    const r = results[i];
    if (!r) {
      unread++;
      continue;
    }
    const task = walked.tasks[i]!;
    const v: Classified = r.verdict;
    bytes += r.bytesRead;
    if (task.note) v.reasons.push(task.note);
    if (v.skipped) skipped++;
    if (v.skipped === 'unreadable') gaps.push(catalogGap(t, v.path, 'pii.gap.unreadable', { reason: v.note ?? 'unknown' }));
    if (v.skipped === 'decompression-bomb') gaps.push(catalogGap(t, v.path, 'pii.gap.bomb', { note: v.note ?? '' }));
    if (v.skipped === 'binary' && v.note && UNOPENED_ARCHIVES.has(v.note)) gaps.push(catalogGap(t, v.path, 'pii.gap.archiveUnopened', { format: v.note }));
    if (v.truncated) gaps.push(catalogGap(t, v.path, 'pii.gap.tooLarge', { bytes: maxFileBytes }));
    if ((v.invalidBytes ?? 0) >= 8) gaps.push(catalogGap(t, v.path, 'pii.gap.invalidBytes', { count: v.invalidBytes!, encoding: v.encoding ?? '?' }));
    for (const e of v.events ?? []) {
      const what = `${v.path}${e.member ? ` → ${e.member}` : ''}`;
      if (e.kind === 'decompression-bomb') gaps.push(catalogGap(t, what, 'pii.gap.bomb', { note: e.note }));
      else if (e.kind === 'encrypted') gaps.push(catalogGap(t, what, 'pii.gap.encrypted'));
      else if (e.kind === 'corrupt' || e.kind === 'unsupported') gaps.push(catalogGap(t, what, 'pii.gap.corrupt', { note: e.note }));
    }
    delete v.events;
    if (v.skipped === 'binary' && !v.sensitive) continue;
    files.push(v);
  }
  if (unread) gaps.push(catalogGap(t, root, 'pii.gap.maxTotal', { bytes }));
  for (const rel of walked.vcs) {
    files.push({ path: rel, bytes: 0, personal: false, kinds: {}, records: 0, confidence: 90, samples: [], sensitive: 'vcs', reasons: ['version-control directory'] });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const locate = opts.locate ?? ((p: string) => ({ location: p, served: 'unknown' as const }));
  const findings = verdictToFindings(files, locate, { lang });
  return { files, findings, gaps: gaps.map(maskGap), stats: { files: walked.tasks.length - unread, bytes, skipped, ms: Math.round(performance.now() - started) } };
}
