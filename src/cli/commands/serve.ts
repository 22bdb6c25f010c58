/**
 * `mamori serve [--listen HOST:PORT] [--database URL] [--init-admin EMAIL --init-password-file FILE]
 * [--admin-password-file FILE]` (contract): open the fleet store (SQLite under $MAMORI_HOME by default,
 * PostgreSQL with postgres://… or DATABASE_URL), run its migrations, create the first admin on an empty store,
 * run scans in process (the in-process runner and the schedules) and serve the dashboard and the API until
 * SIGTERM/SIGINT, then close gracefully (open requests finish, running scans are handed back queued).
 */
import { join } from 'node:path';
import { expectPositionals, type OptionSpec } from '../args.js';
import { mamoriHome, type Command, type CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import { toolVersion } from '../version.js';
import { readSecretFile } from './token.js';

const options: OptionSpec[] = [
  { name: 'listen', type: 'string', help: 'serve.opt.listen', valueName: 'HOST:PORT' },
  { name: 'database', type: 'string', help: 'serve.opt.database', valueName: 'URL' },
  { name: 'init-admin', type: 'string', help: 'serve.opt.initAdmin', valueName: 'EMAIL' },
  { name: 'init-password-file', type: 'string', help: 'serve.opt.initPasswordFile', valueName: 'FILE' },
  { name: 'admin-password-file', type: 'string', help: 'serve.opt.adminPasswordFile', valueName: 'FILE' },
  { name: 'secure-cookies', type: 'boolean', help: 'serve.opt.secureCookies' },
];

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (loopback). */
export function parseListen(value: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

function passwordFrom(ctx: CommandContext, file: string, min: number): string {
  const password = readSecretFile(ctx, file);
  if (password.length < min) {
    throw new FatalError(ctx.t('serve.err.passwordShort', { file, length: password.length, min }), { code: 'serve.err.passwordShort', params: { file, length: password.length, min } });
  }
  return password;
}

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'serve.summary',
  usage: '[--listen HOST:PORT] [--database URL] [--init-admin EMAIL --init-password-file FILE] [--admin-password-file FILE]',
  options,
  async run(ctx) {
    expectPositionals(ctx, []);
    const listenRaw = (ctx.options.listen as string | undefined) ?? '127.0.0.1:8080';
    const listen = parseListen(listenRaw);
    if (!listen) throw new UsageError({ code: 'serve.err.listen', params: { value: listenRaw } }, ctx.commandName);
    const initAdmin = ctx.options['init-admin'] as string | undefined;
    const initFile = ctx.options['init-password-file'] as string | undefined;
    if ((initAdmin === undefined) !== (initFile === undefined)) throw new UsageError({ code: 'serve.err.pair' }, ctx.commandName);
    if (initAdmin !== undefined && !/^[^\s@]+@[^\s@]+$/.test(initAdmin)) throw new UsageError({ code: 'serve.err.email', params: { value: initAdmin } }, ctx.commandName);
    const adminFile = ctx.options['admin-password-file'] as string | undefined;

    const [{ MIN_PASSWORD_LENGTH, hashPassword, randomPassword }, { openFleetStore }, { buildServer }] = await Promise.all([
      import('../../server/auth/password.js'),
      import('../../fleet/store/index.js'),
      import('../../server/app.js'),
    ]);
    // Read the password files before touching the store: a wrong file changes nothing.
    const initPassword = initFile ? passwordFrom(ctx, initFile, MIN_PASSWORD_LENGTH) : undefined;
    const adminPassword = adminFile ? passwordFrom(ctx, adminFile, MIN_PASSWORD_LENGTH) : undefined;

    const home = mamoriHome(ctx.env);
    const url = (ctx.options.database as string | undefined) ?? (ctx.env.DATABASE_URL || undefined);
    const shownUrl = url ? url.replace(/\/\/[^@/]*@/, '//…@') : join(home, 'fleet.sqlite');
    let store: Awaited<ReturnType<typeof openFleetStore>>;
    try {
      store = await openFleetStore({ url, home, env: ctx.env });
      await store.migrate();
    } catch (err) {
      const reason = (err as Error).message;
      throw new FatalError(ctx.t('serve.err.database', { url: shownUrl, reason }), { code: 'serve.err.database', params: { url: shownUrl, reason } });
    }

    if ((await store.countUsers()) === 0) {
      if (initAdmin && initPassword) {
        await store.createUser({ email: initAdmin.trim().toLowerCase(), passwordHash: await hashPassword(initPassword), role: 'admin', tenantIds: [] });
        ctx.warn(ctx.t('serve.firstAdminFile', { email: initAdmin, file: initFile! }));
      } else {
        const email = 'admin@localhost';
        const password = adminPassword ?? randomPassword();
        await store.createUser({ email, passwordHash: await hashPassword(password), role: 'admin', tenantIds: [] });
        if (adminPassword) ctx.warn(ctx.t('serve.firstAdminFile', { email, file: adminFile! }));
        else ctx.warn(`${ctx.t('serve.firstAdmin', { email })}\n\n    ${password}\n`);
      }
    } else if (initAdmin) ctx.warn(ctx.t('serve.initSkipped'));

    // SQLite (embedded): scans run in this process, the queued scans in the store are the queue
    // (src/worker/inprocess.ts), with the notify and patch-apply handlers (SMTP from MAMORI_SMTP_URL; patch
    // apply asks for its verification scan through the same runner). PostgreSQL: scans, notifications, reports
    // and patch applies are enqueued into pg-boss for `mamori worker` processes (src/worker/pgboss-runner.ts,
    // src/worker/cluster.ts), which need MAMORI_SMTP_URL for email; schedules are evaluated once per cluster
    // minute by pg-boss's cron.
    const [{ InProcessRunner }, { createHandlers, resumeQueuedReports }, { startScheduler }, { serverRunner }, { serverOps }, { jsonLogger }, { notifyHandler, notifyScanHooks, startNotifySchedules }, { patchApplyHandler, resumeApprovedPatchPlans }, { smtpFromEnv }] = await Promise.all([
      import('../../worker/inprocess.js'),
      import('../../worker/handlers/index.js'),
      import('../../worker/schedule.js'),
      import('../../worker/cluster.js'),
      import('../../worker/ops.js'),
      import('../../worker/log.js'),
      import('../../worker/handlers/notify.js'),
      import('../../worker/handlers/patch-apply.js'),
      import('../../fleet/notify/deliver.js'),
    ]);
    const offline = /^(1|true|yes)$/i.test(ctx.env.MAMORI_OFFLINE ?? '');
    let runner: import('../../worker/jobs.js').JobRunner;
    let pgboss: import('../../worker/pgboss-runner.js').PgBossJobRunner | undefined;
    let scheduler: { stop(): void } | undefined;
    let notifySchedules: { stop(): void } | undefined;
    let closeCluster: (() => Promise<void>) | undefined;
    if (store.dialect === 'postgres' && url) {
      const log = jsonLogger((line) => ctx.io.stderr.write(line), { component: 'jobs' });
      const s = await serverRunner({ databaseUrl: url, store, knowledgeDb: ctx.dbPath, home, log, offline });
      runner = pgboss = s.runner;
      closeCluster = s.close;
      // the weekly digest and the monthly report: enqueued here for the workers (the last evaluation is kept in
      // the store and moved in one serialised update, so a second server does not enqueue them again; the pg-boss
      // runner ignores the singleton key, and an item's claim keeps two jobs from sending it twice)
      notifySchedules = startNotifySchedules({ store, runner: s.runner, onError: (err) => ctx.warn(`notify schedule: ${(err as Error).message}`) });
    } else {
      const ref: { runner?: Pick<InstanceType<typeof InProcessRunner>, 'enqueue'> } = {};
      const later: Pick<InstanceType<typeof InProcessRunner>, 'enqueue'> = { enqueue: (job, o) => ref.runner!.enqueue(job, o) };
      // MAMORI_JOB_RETRY_DELAY_SECONDS: the first retry delay of a failed scan (default 30 s, doubled per attempt),
      // as for `mamori worker`
      const retryDelay = Number(ctx.env.MAMORI_JOB_RETRY_DELAY_SECONDS);
      const inProcess = new InProcessRunner({
        store,
        ...(ctx.env.MAMORI_JOB_RETRY_DELAY_SECONDS && Number.isFinite(retryDelay) && retryDelay >= 0 ? { retryBaseMs: retryDelay * 1000 } : {}),
        // A package manager run with its health checks and rollback takes longer than the default 5 min of other jobs.
        timeoutMs: { 'patch-apply': 2 * 3_600_000 },
        handlers: {
          ...createHandlers({ store, knowledgeDb: ctx.dbPath, home, lang: ctx.lang, smtp: smtpFromEnv(ctx.env), ...notifyScanHooks(later) }),
          notify: notifyHandler({ store, smtp: smtpFromEnv(ctx.env) }),
          'patch-apply': patchApplyHandler({ store, runner: later }),
        },
      });
      ref.runner = inProcess;
      runner = inProcess;
      scheduler = startScheduler({ store, runner, knowledgeCron: offline ? null : undefined, onError: (err) => ctx.warn(`schedule: ${(err as Error).message}`) });
      notifySchedules = startNotifySchedules({ store, runner: inProcess, onError: (err) => ctx.warn(`notify schedule: ${(err as Error).message}`) });
    }
    const ops = serverOps({ store, runner, pgboss, knowledgeDb: ctx.dbPath, home });

    const app = await buildServer({
      store,
      runner,
      ops,
      secureCookies: Boolean(ctx.options['secure-cookies']),
      version: toolVersion,
      logger: { level: ctx.env.MAMORI_LOG_LEVEL ?? 'info', stream: { write: (line: string) => void ctx.io.stderr.write(line) } },
    });
    try {
      await app.listen({ host: listen.host, port: listen.port });
    } catch (err) {
      scheduler?.stop();
      notifySchedules?.stop();
      await closeCluster?.();
      await pgboss?.stop({ graceful: false });
      await store.close();
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new FatalError(ctx.t('serve.err.address', { address: listenRaw, reason }), { code: 'serve.err.address', params: { address: listenRaw, reason } });
    }
    await runner.start();
    // In process, queued jobs live in memory: queue again the approved patch plans and the queued reports a
    // previous process left. pg-boss keeps its own (queued again, an approved plan would get one more apply
    // job per server start: the job claims its plan once, the others do nothing).
    if (!pgboss) {
      await resumeApprovedPatchPlans(store, runner, new Date());
      await resumeQueuedReports(store, runner);
    }
    const addr = app.server.address();
    const shown = typeof addr === 'object' && addr ? `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/` : listenRaw;
    ctx.warn(ctx.t('serve.listening', { url: shown, store: store.dialect === 'sqlite' ? `SQLite ${shownUrl}` : `PostgreSQL ${shownUrl}` }));

    const signal = await new Promise<string>((resolve) => {
      const on = (s: string) => resolve(s);
      process.once('SIGTERM', on);
      process.once('SIGINT', on);
    });
    ctx.warn(ctx.t('serve.stopping', { signal }));
    scheduler?.stop();
    notifySchedules?.stop();
    await app.close();
    await runner.stop({ graceful: true, graceMs: 10_000 });
    await closeCluster?.();
    await store.close();
    return 0;
  },
};
