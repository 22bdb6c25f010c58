/**
 * The knowledge-update job: refresh the server's knowledge DB ($MAMORI_HOME/db.sqlite) as `mamori db update`
 * and the CLI's pre-scan refresh do (src/knowledge/snapshot/refresh.ts): the embedded snapshot on first use,
 * then the default feeds older than the maximum age (all of them with `force`, or the ones named), with
 * $MAMORI_HOME/config.json's mirror and per-feed URLs. A feed that fails keeps its previous data (the DB stays
 * whole); the job fails only when nothing could be refreshed, so the runner retries it.
 */
import type { JobHandler } from '../jobs.js';
import { reasonOf } from '../redact.js';

export interface KnowledgeJobDeps {
  knowledgeDb: string;
  /** $MAMORI_HOME: where config.json (mirror, feed URLs) is read. */
  home: string;
  /** Feeds older than this are refreshed (default 24 h). */
  maxAgeMs?: number;
  /** Passed to the feed download (tests: a loopback fetch, short retries). */
  update?: { fetchImpl?: typeof fetch; retryBaseMs?: number; retries?: number; timeoutMs?: number; deadlineMs?: number; jvnDelayMs?: number; nvdDelayMs?: number };
  /** Called with the new version after a refresh that changed the DB (the server updates its bundle ETag). */
  onUpdated?: (version: string | null) => Promise<void> | void;
}

export function knowledgeUpdateHandler(deps: KnowledgeJobDeps): JobHandler<'knowledge-update'> {
  return async (payload, ctx) => {
    const [{ prepareKnowledge }, { loadConfig, updateFeeds }, { readSnapshot, knowledgeVersion }, { loadEmbedded }] = await Promise.all([
      import('../../knowledge/snapshot/refresh.js'),
      import('../../knowledge/update/index.js'),
      import('../../scan/knowledge.js'),
      import('../../knowledge/snapshot/index.js'),
    ]);
    const config = loadConfig(deps.home);
    const onProgress = (e: import('../../knowledge/update/index.js').ProgressEvent) => {
      if (e.kind === 'done') ctx.progress({ code: 'job.knowledge.feed', params: { feed: e.feed, status: e.status, records: e.records } });
    };
    const update = { ...deps.update, config, onProgress, deadlineMs: deps.update?.deadlineMs ?? config.deadlineMs };
    let status: string;
    let failed: { name: string; error?: string }[] = [];
    if (payload.force || payload.feeds?.length) {
      // Named feeds or all of them, whatever their age (`mamori db update` semantics).
      await loadEmbedded(deps.knowledgeDb);
      ctx.progress({ code: 'job.knowledge.start', params: { count: payload.feeds?.length ?? 0 } });
      const u = await updateFeeds(deps.knowledgeDb, { ...update, feeds: payload.feeds });
      failed = u.feeds.filter((f) => f.status === 'failed');
      status = !u.feeds.length ? 'fresh' : failed.length === 0 ? 'updated' : failed.length === u.feeds.length ? 'failed' : 'partial';
    } else {
      const r = await prepareKnowledge(deps.knowledgeDb, {
        embedded: true,
        maxAgeMs: deps.maxAgeMs,
        onRefresh: (feeds) => ctx.progress({ code: 'job.knowledge.start', params: { count: feeds.length } }),
        update,
      });
      status = r.status;
      failed = r.outcomes.filter((o) => o.status === 'failed');
      if (r.error) failed.push({ name: 'knowledge DB', error: r.error });
    }
    const version = knowledgeVersion(await readSnapshot(deps.knowledgeDb));
    ctx.progress({ code: 'job.knowledge.done', params: { status, version: version ?? '-' } });
    ctx.log(status === 'failed' || status === 'busy' ? 'warn' : 'info', 'knowledge update', { status, version, failedFeeds: failed.map((f) => f.name).join(',') || undefined });
    if (status === 'updated' || status === 'partial') await deps.onUpdated?.(version);
    if (status === 'failed' || status === 'busy') throw new Error(`knowledge update ${status}: ${failed.map((f) => `${f.name}: ${reasonOf(f.error ?? '?')}`).join('; ') || 'no feed refreshed'}`);
  };
}
