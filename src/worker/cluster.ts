/**
 * One `mamori worker` process: the fleet store on PostgreSQL (the server's database, migrated by whoever starts
 * first), the pg-boss runner taking scan jobs with the same handlers as the embedded server, its own knowledge
 * DB kept in step with the server's, the schedule tick (once per minute for the whole cluster), and an optional
 * operations listener with /healthz, /readyz and /metrics. stop() is the SIGTERM path: no new job, running jobs
 * finish within the grace period or are handed back.
 */
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import type { FleetStore } from '../fleet/ports.js';
import { createHandlers } from './handlers/index.js';
import { notifyHandler, notifyScanHooks } from './handlers/notify.js';
import { patchApplyHandler } from './handlers/patch-apply.js';
import type { JobHandlers, JobRunner } from './jobs.js';
import { knowledgeSync, type KnowledgeSync } from './knowledge-sync.js';
import type { Logger } from './log.js';
import { Gauge, PROMETHEUS_CONTENT_TYPE, Registry, runnerMetrics } from './metrics.js';
import type { QueueKind, QueuePolicy } from './pgboss.js';
import { PgBossJobRunner } from './pgboss-runner.js';
import { startScheduler } from './schedule.js';

export interface WorkerProcessOptions {
  databaseUrl: string;
  store: FleetStore;
  /** This worker's own $MAMORI_HOME and knowledge DB. */
  home: string;
  knowledgeDb: string;
  log: Logger;
  concurrency: number;
  tenantConcurrency?: number;
  globalConcurrency?: number;
  /** The server to take the knowledge bundle from (and its API token). */
  server?: string;
  token?: string;
  /** `HOST:PORT` for /healthz, /readyz, /metrics. */
  metricsListen?: { host: string; port: number };
  /** Per-queue overrides (job timeout, retry delay); the same on every process of a cluster. */
  policies?: Partial<Record<QueueKind, Partial<QueuePolicy>>>;
  maintenanceIntervalSeconds?: number;
  cronMonitorIntervalSeconds?: number;
  pollingIntervalMs?: number;
  /** Bound of the per-target jitter of scheduled scans (default 5 min). */
  scheduleJitterMs?: number;
  /** Knowledge check interval (default 60 s). */
  knowledgeIntervalMs?: number;
  /** Extra handlers (notify, render-report, …) of other modules. */
  handlers?: JobHandlers;
  /** Site scan bounds passed to the scan handler. */
  site?: Parameters<typeof createHandlers>[0]['site'];
  /** SMTP for reports rendered with `deliver` (MAMORI_SMTP_URL). */
  smtp?: Parameters<typeof createHandlers>[0]['smtp'];
}

export interface WorkerProcess {
  runner: PgBossJobRunner;
  knowledge: KnowledgeSync;
  registry: Registry;
  /** Bound address of the operations listener. */
  metricsAddress?: { host: string; port: number };
  stop(graceMs: number): Promise<void>;
}

export async function startWorkerProcess(o: WorkerProcessOptions): Promise<WorkerProcess> {
  const registry = new Registry();
  const metrics = runnerMetrics(registry);
  const knowledge = knowledgeSync({ dbPath: o.knowledgeDb, server: o.server, token: o.token, intervalMs: o.knowledgeIntervalMs, log: o.log.child({ component: 'knowledge' }) });
  if (o.server) await knowledge.refresh();

  // the runner is made below with these handlers; the hooks and the patch job enqueue through it
  const later: Pick<JobRunner, 'enqueue'> = { enqueue: (job, opts) => runner.enqueue(job, opts) };
  // a finished or failed scan enqueues its notify job (new critical/high findings, KEV, end of life, failure)
  const base = createHandlers({ store: o.store, knowledgeDb: o.knowledgeDb, home: o.home, site: o.site, smtp: o.smtp, ...notifyScanHooks(later) });
  const scan = base.scan!;
  // Before every scan: the server's knowledge, if it changed (a conditional GET at most once per interval).
  // Reports, notifications and patch applies run here, not in the server (Chromium for PDFs, SMTP, SSH).
  const handlers: JobHandlers = {
    'render-report': base['render-report'],
    notify: notifyHandler({ store: o.store, smtp: o.smtp }),
    'patch-apply': patchApplyHandler({ store: o.store, runner: later }),
    ...o.handlers,
    scan: async (payload, ctx) => {
      await knowledge.version();
      return scan(payload, ctx);
    },
  };

  const tick = scheduleTick({ databaseUrl: o.databaseUrl, store: o.store, log: o.log, runner: () => runner, jitterMs: o.scheduleJitterMs });
  const onScheduleTick = tick.run;
  const runner: PgBossJobRunner = new PgBossJobRunner({
    connectionString: o.databaseUrl,
    store: o.store,
    log: o.log,
    metrics,
    handlers,
    concurrency: o.concurrency,
    tenantConcurrency: o.tenantConcurrency,
    globalConcurrency: o.globalConcurrency,
    policies: o.policies,
    maintenanceIntervalSeconds: o.maintenanceIntervalSeconds,
    cronMonitorIntervalSeconds: o.cronMonitorIntervalSeconds,
    pollingIntervalMs: o.pollingIntervalMs,
    onScheduleTick,
  });
  registerQueueMetrics(registry, runner);
  await runner.start();

  let http: Server | undefined;
  let metricsAddress: WorkerProcess['metricsAddress'];
  if (o.metricsListen) {
    http = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (code: number, type: string, body: string) => {
        res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
      if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}\n');
      if (path === '/readyz') {
        void runner.engine.ready().then((ok) => send(ok ? 200 : 503, 'application/json', `${JSON.stringify({ status: ok ? 'ready' : 'not ready', knowledgeError: knowledge.lastError() })}\n`));
        return;
      }
      if (path === '/metrics') {
        void registry.render().then((text) => send(200, PROMETHEUS_CONTENT_TYPE, text));
        return;
      }
      send(404, 'text/plain', 'not found\n');
    });
    await new Promise<void>((resolve, reject) => {
      http!.once('error', reject);
      http!.listen(o.metricsListen!.port, o.metricsListen!.host, () => resolve());
    });
    const a = http.address();
    if (a && typeof a === 'object') metricsAddress = { host: a.address, port: a.port };
  }
  o.log.log('info', 'worker started', { concurrency: o.concurrency, server: o.server ?? null, metrics: metricsAddress ? `${metricsAddress.host}:${metricsAddress.port}` : null });

  return {
    runner,
    knowledge,
    registry,
    metricsAddress,
    async stop(graceMs) {
      await runner.stop({ graceful: true, graceMs });
      await tick.close();
      await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
      o.log.log('info', 'worker stopped', {});
    },
  };
}

/** Cluster-wide gauges read from pg-boss's tables at scrape time (queue depth, scans in the last minute). */
export function registerQueueMetrics(registry: Registry, runner: PgBossJobRunner): void {
  registry.register(
    new Gauge('mamori_queue_depth', 'Jobs waiting or running in the cluster, by queue and state (created, retry, active).', async () =>
      (await runner.engine.depth()).map((d) => ({ labels: { queue: d.queue, state: d.state }, value: d.count })),
    ),
  );
  registry.register(new Gauge('mamori_cluster_scans_last_minute', 'Scans completed by all workers in the last 60 seconds.', async () => [{ labels: {}, value: await runner.engine.clusterScansLastMinute() }]));
}

/**
 * The schedule tick: pg-boss's cron makes one `schedule-tick` job per minute for the whole cluster, taken by one
 * process (a worker or the server); it evaluates the schedules (src/worker/schedule.ts) under an advisory lock,
 * so two late ticks never evaluate at once either.
 */
export function scheduleTick(o: { databaseUrl: string; store: FleetStore; log: Logger; runner: () => PgBossJobRunner; jitterMs?: number }) {
  let scheduler: ReturnType<typeof startScheduler> | undefined;
  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 1, application_name: 'mamori-scheduler' });
  pool.on('error', (err) => o.log.log('warn', 'scheduler connection error', { error: err.message }));
  return {
    async run(): Promise<void> {
      const c = await pool.connect();
      try {
        const got = (await c.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext('mamori:scheduler'), 0) AS ok")).rows[0]?.ok;
        if (!got) return;
        try {
          scheduler ??= startScheduler({
            store: o.store,
            runner: o.runner(),
            intervalMs: 2 ** 31 - 1,
            knowledgeCron: null,
            evaluate: o.jitterMs === undefined ? undefined : { jitterMaxMs: o.jitterMs },
            onProblem: (p) => o.log.log('warn', 'schedule problem', { ...p }),
            onError: (err) => o.log.log('error', 'schedule evaluation failed', { error: (err as Error).message }),
          });
          await scheduler.tick();
        } finally {
          await c.query("SELECT pg_advisory_unlock(hashtext('mamori:scheduler'), 0)");
        }
      } finally {
        c.release();
      }
    },
    async close(): Promise<void> {
      scheduler?.stop();
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * The server's side of a PostgreSQL cluster (`mamori serve --database postgres://…`): enqueues into pg-boss
 * instead of running scans; relays the workers' job events to the dashboard; refreshes its own knowledge DB (the
 * source of the workers' bundle) on pg-boss's cron, once per cluster; takes schedule ticks like a worker.
 */
export async function serverRunner(o: { databaseUrl: string; store: FleetStore; knowledgeDb: string; home: string; log: Logger; offline: boolean; knowledgeCron?: string }): Promise<{ runner: PgBossJobRunner; close(): Promise<void> }> {
  const [{ knowledgeUpdateHandler }, { loadEmbedded }] = await Promise.all([import('./handlers/knowledge.js'), import('../knowledge/snapshot/index.js')]);
  // the workers' bundle needs a knowledge DB from the start: the embedded snapshot on first use (no network)
  await loadEmbedded(o.knowledgeDb);
  const tick = scheduleTick({ databaseUrl: o.databaseUrl, store: o.store, log: o.log, runner: () => runner });
  const runner: PgBossJobRunner = new PgBossJobRunner({
    connectionString: o.databaseUrl,
    store: o.store,
    log: o.log,
    concurrency: 1,
    observe: true,
    handlers: { 'knowledge-update': knowledgeUpdateHandler({ knowledgeDb: o.knowledgeDb, home: o.home }) },
    onScheduleTick: tick.run,
  });
  await runner.engine.start();
  if (o.offline) await runner.engine.boss.unschedule('knowledge-update');
  else await runner.engine.boss.schedule('knowledge-update', o.knowledgeCron ?? '17 */6 * * *', { kind: 'knowledge-update', payload: {} }, { tz: 'UTC' });
  return { runner, close: () => tick.close() };
}
