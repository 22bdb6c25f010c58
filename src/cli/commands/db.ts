/** `mamori db update | import | export | status | reindex` (contract): the knowledge DB's commands. */
import { dirname } from 'node:path';
import { existsSync } from 'node:fs';
import { SCHEMA_VERSION } from '../../knowledge/store/schema.js';
import type { ProgressEvent } from '../../knowledge/update/index.js';
import { FEED_SOURCES } from '../../knowledge/update/sources.js';
import { expectPositionals } from '../args.js';
import { mamoriHome, type Command, type CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';

/** The store, its feeds and the updater load on demand: `--help` and usage errors stay fast. */
const knowledge = () => import('../../knowledge/index.js');

function fatal(err: unknown): never {
  // KnowledgeDbError (src/knowledge/store/sqlite.ts), matched by name so the store loads lazily.
  if (err instanceof Error && err.name === 'KnowledgeDbError') throw new FatalError(err.message);
  throw err;
}

const fmtSec = (ms: number) => (ms / 1000).toFixed(2);

export const dbStatus: Command = {
  path: ['db', 'status'],
  summary: 'db.status.summary',
  usage: '[--format table|json]',
  options: [{ name: 'format', type: 'string', values: ['table', 'json'], help: 'db.opt.format', valueName: 'table|json' }],
  run: async (ctx) => {
    const { openKnowledge, STALE_DAYS } = await knowledge();
    expectPositionals(ctx, []);
    let store;
    try {
      store = openKnowledge(ctx.dbPath);
    } catch (err) {
      fatal(err);
    }
    if (!store) {
      if (ctx.options.format === 'json') ctx.io.stdout.write(`${JSON.stringify({ feeds: [], error: 'no-db', path: ctx.dbPath }, null, 2)}\n`);
      throw new FatalError(ctx.t('db.noDb', { path: ctx.dbPath }), { code: 'db.noDb', params: { path: ctx.dbPath } });
    }
    const feeds = store.feeds();
    store.close();
    if (ctx.options.format === 'json') {
      ctx.io.stdout.write(`${JSON.stringify({ feeds, staleAfterDays: STALE_DAYS, path: ctx.dbPath }, null, 2)}\n`);
    } else {
      const rows = feeds.map((f) => [
        f.name,
        f.records ? f.records.toLocaleString('en-US') : '–',
        String(f.rejected),
        f.updatedAt ? f.updatedAt.replace('T', ' ').slice(0, 16) : ctx.t('db.status.missing'),
        f.ageDays === null ? '' : `${f.ageDays} d${f.stale ? ' !' : ''}`,
        f.source ?? '',
      ]);
      const header = ['feed', 'records', 'rejected', 'updated (UTC)', 'age', 'source'];
      const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]) => r.map((c, i) => (i === 1 || i === 2 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
      ctx.io.stdout.write(`${ctx.t('db.status.header', { path: ctx.dbPath, schema: SCHEMA_VERSION })}\n\n${line(header)}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${rows.map(line).join('\n')}\n`);
    }
    for (const f of feeds) {
      if (f.error) ctx.warn(ctx.t('db.status.error', { feed: f.name, error: f.error }));
      if (f.records === 0) ctx.warn(ctx.t('db.status.noData', { feed: f.name }));
      else if (f.stale) ctx.warn(ctx.t('db.status.stale', { feed: f.name, age: Math.floor(f.ageDays ?? 0), limit: STALE_DAYS }));
      if (f.rejected > 0 && f.rejections[0]) ctx.warn(ctx.t('db.status.rejected', { feed: f.name, count: f.rejected, ref: f.rejections[0].ref, reason: f.rejections[0].reason }));
    }
    return 0;
  },
};

export const dbImport: Command = {
  path: ['db', 'import'],
  summary: 'db.import.summary',
  usage: 'PATH [--force]',
  options: [{ name: 'force', type: 'boolean', help: 'db.opt.force' }],
  run: async (ctx) => {
    const { importPath } = await knowledge();
    const path = expectPositionals(ctx, ['PATH'])[0];
    if (!existsSync(path)) throw new FatalError(ctx.t('db.badPath', { path }), { code: 'db.badPath', params: { path } });
    const tty = Boolean(ctx.io.stderr.isTTY);
    let s;
    try {
      s = importPath(ctx.dbPath, path, {
        force: Boolean(ctx.options.force),
        onFile: (i, n, rel) => {
          if (tty && (i % 25 === 0 || i === n - 1)) ctx.io.stderr.write(`\r\x1b[K${ctx.t('db.import.progress', { i: i + 1, n, file: rel.slice(-60) })}`);
          else if (!tty && i === 0) ctx.warn(ctx.t('db.import.progress', { i: 1, n, file: rel }));
        },
      });
    } catch (err) {
      fatal(err);
    }
    if (tty) ctx.io.stderr.write('\r\x1b[K');
    for (const u of s.unrecognised) ctx.warn(ctx.t('db.import.unrecognised', { file: u.file, reason: u.reason }));
    for (const p of s.problems) ctx.warn(ctx.t('db.import.problem', { file: p.file, reason: p.reason }));
    if (s.kind === 'bundle') {
      ctx.io.stdout.write(`${ctx.t('db.import.bundle', { createdAt: s.bundle?.createdAt ?? '?', path: s.dbPath, feeds: s.feeds.length })}\n`);
      return 0;
    }
    if (s.failed) throw new FatalError(ctx.t('db.import.nothing', { path }), { code: 'db.import.nothing', params: { path } });
    const records = s.feeds.reduce((n, f) => n + f.records, 0);
    const lines = [ctx.t('db.import.done', { files: s.feeds.reduce((n, f) => n + f.files, 0), path: s.dbPath, seconds: fmtSec(s.durationMs), records, rejected: s.rejectedTotal })];
    for (const f of s.feeds) {
      lines.push(ctx.t('db.import.feed', { feed: f.name, files: f.files, records: f.records, rejected: f.rejected, unchanged: f.unchanged ? ctx.t('db.import.unchanged', { count: f.unchanged }) : '' }));
    }
    for (const r of s.rejected.slice(0, 20)) lines.push(ctx.t('db.import.rejected', { feed: r.feed, ref: r.ref, reason: r.reason }));
    if (s.rejectedTotal > 20) lines.push(ctx.t('db.import.moreRejected', { count: s.rejectedTotal - 20 }));
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

export const dbExport: Command = {
  path: ['db', 'export'],
  summary: 'db.export.summary',
  usage: 'FILE',
  options: [],
  run: async (ctx) => {
    const { exportDb } = await knowledge();
    const file = expectPositionals(ctx, ['FILE'])[0];
    if (!existsSync(ctx.dbPath)) throw new FatalError(ctx.t('db.noDb', { path: ctx.dbPath }), { code: 'db.noDb', params: { path: ctx.dbPath } });
    if (!existsSync(dirname(file) || '.')) throw new FatalError(ctx.t('db.badPath', { path: dirname(file) }));
    let s;
    try {
      s = await exportDb(ctx.dbPath, file);
    } catch (err) {
      fatal(err);
    }
    ctx.io.stdout.write(`${ctx.t('db.export.done', { file: s.file, bytes: s.bytes, dbBytes: s.dbBytes, sha256: s.sha256, feeds: s.feeds.length })}\n`);
    return 0;
  },
};

/**
 * Progress of `db update` on stderr as it goes: one line per feed when it starts and when it ends (TTY: a bar
 * while it downloads), one line for feeds not tried. The closing summary goes to stdout at the end.
 */
function progressRenderer(ctx: CommandContext): (e: ProgressEvent) => void {
  const tty = Boolean(ctx.io.stderr.isTTY);
  let lastDraw = 0;
  let started = '';
  return (e) => {
    if (e.kind === 'start') {
      started = `[${e.index + 1}/${e.total}]`;
      if (tty) ctx.io.stderr.write(`\r\x1b[K${started} ${e.feed} [${' '.repeat(20)}]`);
      else ctx.warn(ctx.t('db.update.feedStart', { n: started, feed: e.feed }));
    } else if (e.kind === 'bytes') {
      if (!tty) return;
      const now = performance.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      const frac = e.total ? Math.min(1, e.received / e.total) : null;
      const bar = frac === null ? '#'.repeat(Math.floor(now / 200) % 20).padEnd(20) : '#'.repeat(Math.round(frac * 20)).padEnd(20);
      ctx.io.stderr.write(`\r\x1b[K${started} ${e.feed} [${bar}] ${(e.received / 1048576).toFixed(1)} MB${frac === null ? '' : ` ${Math.round(frac * 100)}%`}`);
    } else if (e.kind === 'done') {
      if (tty) ctx.io.stderr.write('\r\x1b[K');
      if (e.status === 'updated') ctx.warn(`${started} ${ctx.t('db.update.feedUpdated', { feed: e.feed, records: e.records, rejected: e.rejected })}`);
      else if (e.status === 'not-modified') ctx.warn(`${started} ${ctx.t('db.update.feedNotModified', { feed: e.feed })}`);
      else {
        const age = e.staleDays == null ? ctx.t('db.update.ageNone') : ctx.t('db.update.age', { days: Math.floor(e.staleDays) });
        ctx.warn(`${started} ${ctx.t('db.update.feedFailed', { feed: e.feed, error: e.error ?? '?', age })}`);
      }
    } else ctx.warn(ctx.t(e.why === 'offline' ? 'db.update.skippedOffline' : 'db.update.skippedDeadline', { count: e.feeds.length, feeds: e.feeds.join(', ') }));
  };
}

export const dbUpdate: Command = {
  path: ['db', 'update'],
  summary: 'db.update.summary',
  usage: '[--feed NAME]… [--mirror URL] [--timeout S] [--retries N] [--deadline S]',
  options: [
    { name: 'feed', type: 'string', repeatable: true, values: FEED_SOURCES.map((s) => s.feed), help: 'db.opt.feed', valueName: 'NAME' },
    { name: 'mirror', type: 'string', help: 'db.opt.mirror', valueName: 'URL' },
    { name: 'timeout', type: 'number', help: 'db.opt.timeout', valueName: 'SECONDS' },
    { name: 'retries', type: 'number', help: 'db.opt.retries', valueName: 'N' },
    { name: 'deadline', type: 'number', help: 'db.opt.deadline', valueName: 'SECONDS' },
  ],
  run: async (ctx) => {
    const [{ updateFeeds }, { loadConfig }] = await Promise.all([knowledge(), import('../../knowledge/update/index.js')]);
    expectPositionals(ctx, []);
    const mirror = ctx.options.mirror as string | undefined;
    if (mirror && !/^https?:\/\//.test(mirror)) throw new UsageError({ code: 'cli.badValue', params: { option: '--mirror', expected: 'an http(s) URL', value: mirror } }, ctx.commandName);
    let s;
    try {
      const config = loadConfig(mamoriHome(ctx.env));
      s = await updateFeeds(ctx.dbPath, {
        feeds: ctx.options.feed as string[] | undefined,
        mirror,
        config,
        timeoutMs: ctx.options.timeout === undefined ? undefined : Number(ctx.options.timeout) * 1000,
        retries: ctx.options.retries === undefined ? undefined : Number(ctx.options.retries),
        deadlineMs: ctx.options.deadline === undefined ? undefined : Number(ctx.options.deadline) * 1000,
        retryBaseMs: ctx.env.MAMORI_RETRY_BASE_MS ? Number(ctx.env.MAMORI_RETRY_BASE_MS) : undefined,
        nvdDelayMs: ctx.env.MAMORI_NVD_DELAY_MS ? Number(ctx.env.MAMORI_NVD_DELAY_MS) : undefined,
        jvnDelayMs: ctx.env.MAMORI_JVN_DELAY_MS ? Number(ctx.env.MAMORI_JVN_DELAY_MS) : undefined,
        nvdApiKey: ctx.env.MAMORI_NVD_API_KEY,
        onProgress: progressRenderer(ctx),
      });
    } catch (err) {
      fatal(err);
    }
    const lines: string[] = [];
    for (const f of s.feeds) {
      if (f.status === 'updated') lines.push(ctx.t('db.update.feedUpdated', { feed: f.name, records: f.records, rejected: f.rejected }));
      else if (f.status === 'not-modified') lines.push(ctx.t('db.update.feedNotModified', { feed: f.name }));
    }
    for (const p of s.problems) ctx.warn(ctx.t('db.import.problem', { file: p.file, reason: p.reason }));
    const failed = s.feeds.filter((f) => f.status === 'failed').length;
    lines.push(ctx.t('db.update.done', { seconds: fmtSec(s.durationMs), ok: s.feeds.length - failed, failed }));
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
    // one closing message: why, and how to work without this network
    const offlineHint = ctx.t('db.update.offlineHint');
    if (s.offline && failed === s.feeds.length) ctx.warn(ctx.t('cli.error', { message: `${ctx.t('db.update.offline', { reason: s.offline })} ${offlineHint}` }));
    else if (s.deadlinePassedMs !== undefined) {
      const notTried = s.feeds.filter((f) => f.skipped === 'deadline').length;
      ctx.warn(ctx.t(failed === s.feeds.length ? 'cli.error' : 'db.update.warning', { message: `${ctx.t('db.update.deadline', { seconds: Math.round(s.deadlinePassedMs / 1000), count: notTried })} ${offlineHint}` }));
    } else if (failed && failed === s.feeds.length) ctx.warn(ctx.t('cli.error', { message: `${ctx.t('db.update.allFailed')} ${offlineHint}` }));
    if (failed && failed === s.feeds.length) return 2;
    return failed ? 1 : 0;
  },
};

export const dbReindex: Command = {
  path: ['db', 'reindex'],
  summary: 'db.reindex.summary',
  usage: '',
  options: [],
  run: async (ctx) => {
    const { reindexDb } = await knowledge();
    expectPositionals(ctx, []);
    let s;
    try {
      s = reindexDb(ctx.dbPath);
    } catch (err) {
      fatal(err);
    }
    ctx.io.stdout.write(`${ctx.t('db.reindex.done', { files: s.files, records: s.feeds.reduce((n, f) => n + f.records, 0), rejected: s.rejectedTotal })}\n`);
    return 0;
  },
};

export const dbCommands: readonly Command[] = [dbUpdate, dbImport, dbExport, dbStatus, dbReindex];
