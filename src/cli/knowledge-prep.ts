/**
 * The knowledge DB before a scan (Trivy's model): the embedded snapshot on first use (no network), then an
 * online refresh of the feeds older than --db-max-age unless --offline / --skip-db-update. A refresh that
 * fails is a warning and a gap with the data's age, never a failed scan. The store loads on demand.
 */
import type { Gap, RefreshOutcome } from '../core/model.js';
import type { OptionSpec } from './args.js';
import { mamoriHome, type CommandContext } from './context.js';
import { UsageError } from './errors.js';

type ProgressEvent = import('../knowledge/update/index.js').ProgressEvent;

export const knowledgeOptions: OptionSpec[] = [
  { name: 'offline', type: 'boolean', help: 'knowledge.opt.offline' },
  { name: 'skip-db-update', type: 'boolean', help: 'knowledge.opt.skipDbUpdate' },
  { name: 'db-max-age', type: 'string', help: 'knowledge.opt.dbMaxAge', valueName: 'AGE' },
];

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/** `30m`, `24h`, `7d`, or a number of hours; null when it is none of these. */
export function parseMaxAge(v: string | number): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d)?\s*$/i.exec(String(v));
  if (!m) return null;
  const unit = (m[2] ?? 'h').toLowerCase();
  return Number(m[1]) * (unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : 60_000);
}

export function formatMaxAge(ms: number): string {
  return ms >= 2 * 86_400_000 && ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;
}

export { snapshotInfo, addKnowledgeSnapshot } from '../scan/knowledge.js';

/**
 * Per-feed progress on stderr. On a terminal one live line shows the feeds downloading; with `lines`, each
 * finished feed also gets a line of its own (on a terminal and off it: cron logs keep it).
 */
export function feedProgress(ctx: CommandContext, lines: boolean): (e: ProgressEvent) => void {
  const tty = Boolean(ctx.io.stderr.isTTY);
  const active = new Map<string, string>();
  let lastDraw = 0;
  const draw = (force = false) => {
    if (!tty) return;
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const text = [...active].map(([f, p]) => `${f} ${p}`.trim()).join(' · ');
    ctx.io.stderr.write(`\r\x1b[K${text ? `↓ ${text}`.slice(0, 200) : ''}`);
  };
  return (e) => {
    if (e.kind === 'start') {
      active.set(e.feed, '');
      draw(true);
    } else if (e.kind === 'bytes') {
      active.set(e.feed, e.total ? `${Math.min(100, Math.round((e.received / e.total) * 100))}%` : `${(e.received / 1048576).toFixed(1)} MB`);
      draw();
    } else if (e.kind === 'done') {
      active.delete(e.feed);
      if (tty) ctx.io.stderr.write('\r\x1b[K');
      if (lines) ctx.warn(ctx.t(`knowledge.refresh.feed.${e.status}`, { feed: e.feed, records: e.records, error: e.error ?? '?' }));
      draw(true);
    } else if (lines) {
      // Feeds not tried (the network looks unreachable, or the deadline passed): one line for them all.
      if (tty) ctx.io.stderr.write('\r\x1b[K');
      ctx.warn(ctx.t(e.why === 'offline' ? 'db.update.skippedOffline' : 'db.update.skippedDeadline', { count: e.feeds.length, feeds: e.feeds.join(', ') }));
      draw(true);
    }
  };
}

/** Whether this run uses the default DB ($MAMORI_HOME/db.sqlite), which starts from the embedded snapshot. */
export const usesDefaultDb = (ctx: CommandContext) => ctx.options.db === undefined;

/** Load the embedded snapshot when the default DB does not exist yet (db status / update / import). */
export async function ensureEmbedded(ctx: CommandContext): Promise<void> {
  if (!usesDefaultDb(ctx)) return;
  const { findEmbeddedData, loadEmbedded } = await import('../knowledge/snapshot/index.js');
  const r = await loadEmbedded(ctx.dbPath, { dataDir: findEmbeddedData(ctx.env) });
  if (r.loaded && r.data) ctx.warn(ctx.t('knowledge.embedded.loaded', { date: r.data.date, path: ctx.dbPath, seconds: (r.durationMs / 1000).toFixed(2) }));
}

/** --db-max-age (else MAMORI_DB_MAX_AGE) in ms, null when not given; a bad value is a usage error (exit 2). */
export function maxAgeOption(ctx: CommandContext): number | null {
  const opt = ctx.options['db-max-age'] as string | undefined;
  const v = opt ?? ctx.env.MAMORI_DB_MAX_AGE;
  if (v === undefined || v === '') return null;
  const ms = parseMaxAge(v);
  if (ms === null) throw new UsageError({ code: 'cli.badValue', params: { option: opt !== undefined ? '--db-max-age' : 'MAMORI_DB_MAX_AGE', expected: 'an age such as 30m, 24h or 7d', value: v } }, ctx.commandName);
  return ms;
}

/**
 * Before a host or site scan: prepare the DB and return the gaps to report and what the refresh did. Usage
 * errors (a bad --db-max-age) throw; everything else becomes a gap.
 */
export async function prepareScanKnowledge(ctx: CommandContext): Promise<{ gaps: Gap[]; refresh?: RefreshOutcome }> {
  const offline = Boolean(ctx.options.offline) || truthy(ctx.env.MAMORI_OFFLINE);
  const skipUpdate = Boolean(ctx.options['skip-db-update']) || truthy(ctx.env.MAMORI_SKIP_DB_UPDATE);
  let maxAgeMs = maxAgeOption(ctx);
  const gap = (code: string, params: Record<string, string | number>): Gap => ({ what: ctx.t('knowledge.gap.what'), why: ctx.t(code, params), code });
  const [{ prepareKnowledge, DEFAULT_MAX_AGE_MS }, { loadConfig }, { KnowledgeDbError }] = await Promise.all([
    import('../knowledge/snapshot/refresh.js'),
    import('../knowledge/update/index.js'),
    import('../knowledge/store/sqlite.js'),
  ]);
  let config: ReturnType<typeof loadConfig> & { dbMaxAge?: string | number } = {};
  const gaps: Gap[] = [];
  if (!offline) {
    try {
      config = loadConfig(mamoriHome(ctx.env));
    } catch (err) {
      if (!(err instanceof KnowledgeDbError)) throw err;
      gaps.push(gap('knowledge.gap.load', { error: err.message }));
    }
  }
  if (maxAgeMs === null && config.dbMaxAge !== undefined) {
    maxAgeMs = parseMaxAge(config.dbMaxAge);
    if (maxAgeMs === null) gaps.push(gap('knowledge.gap.load', { error: `dbMaxAge in ${mamoriHome(ctx.env)}/config.json is not an age such as 24h (${String(config.dbMaxAge)})` }));
  }
  const maxAge = maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  let started = performance.now();
  let r: Awaited<ReturnType<typeof prepareKnowledge>>;
  try {
    await ensureEmbedded(ctx);
    r = await prepareKnowledge(ctx.dbPath, {
      embedded: false,
      offline,
      onRefresh: (feeds) => {
        started = performance.now();
        ctx.warn(ctx.t('knowledge.refresh.start', { count: feeds.length, maxAge: formatMaxAge(maxAge) }));
      },
      skipUpdate: skipUpdate || gaps.length > 0,
      maxAgeMs: maxAge,
      update: {
        config,
        retryBaseMs: ctx.env.MAMORI_RETRY_BASE_MS ? Number(ctx.env.MAMORI_RETRY_BASE_MS) : undefined,
        jvnDelayMs: ctx.env.MAMORI_JVN_DELAY_MS ? Number(ctx.env.MAMORI_JVN_DELAY_MS) : undefined,
        // A scan waits for its refresh: one retry at most (failed names and connections are never retried, and
        // once the network looks unreachable the other feeds are not tried: see updateFeeds).
        retries: config.retries ?? 1,
        onProgress: feedProgress(ctx, true),
      },
    });
  } catch (err) {
    if (!(err instanceof KnowledgeDbError)) throw err;
    return { gaps: [...gaps, gap('knowledge.gap.load', { error: err.message })] };
  }
  const age = r.oldestDays === null ? ctx.t('knowledge.age.never') : ctx.t('knowledge.age.days', { days: r.oldestDays });
  switch (r.status) {
    case 'no-db':
      return { gaps };
    case 'offline':
    case 'skipped':
      if (r.stale.length) ctx.warn(ctx.t('knowledge.refresh.notRefreshed', { count: r.stale.length, maxAge: formatMaxAge(maxAge), why: ctx.t(`knowledge.why.${r.status}`) }));
      break;
    case 'updated':
      ctx.warn(ctx.t('knowledge.refresh.updated', { count: r.outcomes.length, seconds: ((performance.now() - started) / 1000).toFixed(1) }));
      break;
    case 'busy':
      ctx.warn(ctx.t('knowledge.refresh.busyWarn', { error: r.error ?? '?', age }));
      gaps.push(gap('knowledge.gap.busy', { age }));
      break;
    case 'partial':
    case 'failed': {
      if (!r.outcomes.length && !r.stale.length) return { gaps }; // a damaged DB: the assessment reports it
      const failed = r.outcomes.filter((o) => o.status === 'failed');
      const names = failed.length ? failed.map((o) => o.name) : r.stale;
      const feeds = names.length > 4 ? `${names.length} feeds (${names.slice(0, 3).join(', ')}, …)` : names.join(', ') || 'the knowledge DB';
      const error = r.offline ? `the network looks unreachable: ${r.offline}` : ((failed.find((o) => !o.skipped) ?? failed[0])?.error ?? r.error ?? '?');
      ctx.warn(ctx.t('knowledge.refresh.failedWarn', { feeds, error, age }));
      gaps.push(gap('knowledge.gap.failed', { feeds, error, age }));
      break;
    }
    case 'fresh':
      break;
  }
  return { gaps, refresh: r.status };
}
