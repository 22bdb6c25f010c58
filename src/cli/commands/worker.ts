/**
 * `mamori worker --database postgres://… [--concurrency N] [--server URL --token T] [--metrics-listen HOST:PORT]`
 * (contract): takes jobs from the fleet's pg-boss queues until SIGTERM/SIGINT, then stops taking jobs and
 * finishes or hands back the running ones within --grace seconds. Logs are JSON lines on stderr.
 */
import { join } from 'node:path';
import { expectPositionals } from '../args.js';
import { mamoriHome, type Command } from '../context.js';
import { FatalError, UsageError } from '../errors.js';

export const workerCommand: Command = {
  path: ['worker'],
  summary: 'worker.summary',
  usage: '--database postgres://… [--concurrency N] [--server URL --token T] [--metrics-listen HOST:PORT] [--grace S]',
  options: [
    { name: 'database', type: 'string', help: 'worker.opt.database', valueName: 'URL' },
    { name: 'concurrency', type: 'number', help: 'worker.opt.concurrency', valueName: 'N' },
    { name: 'tenant-concurrency', type: 'number', help: 'worker.opt.tenantConcurrency', valueName: 'N' },
    { name: 'global-concurrency', type: 'number', help: 'worker.opt.globalConcurrency', valueName: 'N' },
    { name: 'server', type: 'string', help: 'worker.opt.server', valueName: 'URL' },
    { name: 'token', type: 'string', help: 'worker.opt.token', valueName: 'TOKEN' },
    { name: 'metrics-listen', type: 'string', help: 'worker.opt.metricsListen', valueName: 'HOST:PORT' },
    { name: 'grace', type: 'number', help: 'worker.opt.grace', valueName: 'SECONDS' },
    { name: 'job-timeout', type: 'number', help: 'worker.opt.jobTimeout', valueName: 'SECONDS' },
  ],
  run: async (ctx) => {
    expectPositionals(ctx, []);
    const o = ctx.options;
    const url = (o.database as string | undefined) ?? ctx.env.DATABASE_URL;
    if (!url || !/^postgres(ql)?:\/\//i.test(url)) throw new UsageError({ code: 'worker.needPostgres' }, ctx.commandName);
    const positive = (name: string, v: unknown, max: number): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError({ code: 'cli.badValue', params: { option: `--${name}`, expected: `a whole number from 1 to ${max}`, value: String(v) } }, ctx.commandName);
      return n;
    };
    const concurrency = positive('concurrency', o.concurrency, 256) ?? 2;
    const tenantConcurrency = positive('tenant-concurrency', o['tenant-concurrency'], 10_000);
    const globalConcurrency = positive('global-concurrency', o['global-concurrency'], 100_000);
    const grace = o.grace === undefined ? 30 : Number(o.grace);
    if (!Number.isFinite(grace) || grace < 0 || grace > 3600) throw new UsageError({ code: 'cli.badValue', params: { option: '--grace', expected: 'seconds from 0 to 3600', value: String(o.grace) } }, ctx.commandName);
    const jobTimeout = positive('job-timeout', o['job-timeout'], 6 * 3600);
    const server = (o.server as string | undefined) ?? ctx.env.MAMORI_SERVER;
    if (server && !/^https?:\/\/[^/]+/i.test(server)) throw new UsageError({ code: 'cli.badValue', params: { option: '--server', expected: 'an http(s) URL', value: server } }, ctx.commandName);
    const token = (o.token as string | undefined) ?? ctx.env.MAMORI_TOKEN;
    let metricsListen: { host: string; port: number } | undefined;
    if (o['metrics-listen'] !== undefined) {
      const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(String(o['metrics-listen']));
      const port = m ? Number(m[2]) : NaN;
      if (!m || port > 65535) throw new UsageError({ code: 'worker.badListen', params: { value: String(o['metrics-listen']) } }, ctx.commandName);
      metricsListen = { host: m[1]!.replace(/^\[|\]$/g, ''), port };
    }
    const env = ctx.env;
    const tune = (name: string) => (env[name] && Number.isFinite(Number(env[name])) ? Number(env[name]) : undefined);

    const [{ openFleetStore }, { loadSecretKey }, { startWorkerProcess }, { jsonLogger }, { smtpFromEnv }] = await Promise.all([
      import('../../fleet/store/index.js'),
      import('../../fleet/secrets.js'),
      import('../../worker/cluster.js'),
      import('../../worker/log.js'),
      import('../../fleet/notify/deliver.js'),
    ]);
    const home = mamoriHome(env);
    const log = jsonLogger((line) => ctx.io.stderr.write(line), { pid: process.pid, component: 'worker' });
    let secretKey;
    try {
      secretKey = loadSecretKey({ env, home, create: false });
    } catch (err) {
      throw new FatalError(ctx.t('worker.noKey', { reason: (err as Error).message }), { code: 'worker.noKey', params: { reason: (err as Error).message } });
    }
    let store;
    try {
      store = await openFleetStore({ url, home, env, secretKey, poolSize: concurrency + 2 });
      await store.migrate();
    } catch (err) {
      const reason = (err as Error).message.replace(/\/\/[^@/\s]*@/g, '//…@');
      throw new FatalError(ctx.t('worker.store', { reason }), { code: 'worker.store', params: { reason } });
    }
    const retryDelay = tune('MAMORI_JOB_RETRY_DELAY_SECONDS');
    const scanPolicy = { ...(jobTimeout ? { expireInSeconds: jobTimeout } : {}), ...(retryDelay !== undefined ? { retryDelay } : {}) };
    const w = await startWorkerProcess({
      databaseUrl: url,
      store,
      home,
      knowledgeDb: ctx.dbPath || join(home, 'db.sqlite'),
      log,
      concurrency,
      tenantConcurrency,
      globalConcurrency,
      server,
      token,
      metricsListen,
      policies: { 'scan-host': scanPolicy, 'scan-site': scanPolicy },
      maintenanceIntervalSeconds: tune('MAMORI_PGBOSS_MAINTENANCE_SECONDS'),
      cronMonitorIntervalSeconds: tune('MAMORI_PGBOSS_CRON_MONITOR_SECONDS'),
      scheduleJitterMs: tune('MAMORI_SCHEDULE_JITTER_MS'),
      pollingIntervalMs: tune('MAMORI_WORKER_POLL_MS'),
      knowledgeIntervalMs: tune('MAMORI_KNOWLEDGE_CHECK_MS'),
      site: tune('MAMORI_SITE_RATE') ? { ratePerSec: tune('MAMORI_SITE_RATE') } : undefined,
      smtp: smtpFromEnv(env),
    });
    if (w.metricsAddress) ctx.warn(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'operations listener', listen: `${w.metricsAddress.host}:${w.metricsAddress.port}` }));
    await new Promise<void>((resolve) => {
      let stopping = false;
      const onSignal = (sig: string) => {
        if (stopping) return;
        stopping = true;
        log.log('info', 'signal received: stopping', { signal: sig, graceSeconds: grace });
        void w
          .stop(grace * 1000)
          .catch((err: unknown) => log.log('error', 'stop failed', { error: (err as Error).message }))
          .finally(() => resolve());
      };
      process.once('SIGTERM', () => onSignal('SIGTERM'));
      process.once('SIGINT', () => onSignal('SIGINT'));
    });
    await store.close().catch(() => undefined);
    return 0;
  },
};
