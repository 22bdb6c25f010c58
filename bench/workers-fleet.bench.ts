/**
 * Issue 16's "done when": one `mamori serve --database postgres://…` and three `mamori worker` processes scan a
 * fleet of 200 targets on schedule, and survive a worker killed with SIGKILL mid-run without losing or
 * duplicating a scan.
 *
 * The fleet: 200 site targets (loopback shop sites answering in 3 ms) in 4 tenants, all on one schedule that
 * fires once during the run (`M * * * *`, M the next minute but one) with the jitter spreading their starts over
 * 2 minutes (faster than the cluster scans, so a queue builds and the figure is the cluster's pace). Three workers (`--concurrency 4`, per-tenant limit 8).
 * When a third of the targets are done, one worker is killed with SIGKILL while it runs scans, and a
 * replacement is started (what systemd's Restart=always does); the killed worker's jobs are taken up again
 * after their lease (`--job-timeout`) runs out.
 *
 * Checked: every target has exactly one scheduled scan, done (none lost, none twice), the killed scans have a
 * second attempt and one result each. Printed: time from the scheduled minute to the last scan, scans per
 * minute, scan duration p50/p95, and when the killed scans finished. MAMORI_BENCH_WORKERS_FLEET_TARGETS and
 * MAMORI_BENCH_WORKERS_FLEET_JITTER_MS change the size and the jitter.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow } from './run.js';
import { SYSTEM_SCOPE, type ScanRecord, type Tenant } from '../src/fleet/types.js';
import { freePort } from '../test/host/sshd.js';
import { binPath, repoRoot } from '../test/helpers/cli.js';
import { startFleet, waitFor } from '../test/worker/cluster-helpers.js';
import { postgresUnavailable as pgMissing } from '../test/helpers/postgres.js';
import { startSlowSite, type SlowSite } from '../test/worker/slow-site.js';

const TARGETS = Number(process.env.MAMORI_BENCH_WORKERS_FLEET_TARGETS ?? 200);
const TENANTS = 4;
const WORKERS = 3;
const CONCURRENCY = 4;
const JITTER_MS = Number(process.env.MAMORI_BENCH_WORKERS_FLEET_JITTER_MS ?? 120_000);
const JOB_TIMEOUT_S = 120;

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** The scans a worker has started and not yet finished, from its JSON log lines. */
function inFlight(logs: Record<string, unknown>[]): string[] {
  const open = new Set<string>();
  for (const l of logs) {
    const id = typeof l.scanId === 'string' ? l.scanId : undefined;
    if (!id) continue;
    if (l.msg === 'job started') open.add(id);
    else if (l.msg === 'job completed' || String(l.msg).startsWith('job failed') || l.msg === 'job handed back') open.delete(id);
  }
  return [...open];
}

export default async function fleetBench(): Promise<BenchRow[]> {
  const why = await pgMissing();
  if (why) {
    process.stderr.write(`bench workers-fleet: skipped: ${why}\n`);
    return [];
  }
  const sites: SlowSite[] = [];
  for (let i = 0; i < 20; i++) sites.push(await startSlowSite(3));
  const env = { MAMORI_SITE_RATE: '100', MAMORI_PGBOSS_CRON_MONITOR_SECONDS: '5', MAMORI_SCHEDULE_JITTER_MS: String(JITTER_MS), MAMORI_PGBOSS_MAINTENANCE_SECONDS: '10', MAMORI_JOB_RETRY_DELAY_SECONDS: '5' };
  const f = await startFleet({ env, prefix: 'mamori_bench_fleet' });
  const serverHome = join(f.dir, 'server');
  mkdirSync(serverHome, { recursive: true });
  const port = await freePort();
  const server = spawn(process.execPath, [binPath, 'serve', '--database', f.db.url, '--listen', `127.0.0.1:${port}`], {
    cwd: repoRoot,
    env: { ...process.env, ...env, MAMORI_HOME: serverHome, MAMORI_SECRET_KEY: f.secretKey, MAMORI_OFFLINE: '1', MAMORI_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const exited = new Promise((r) => server.once('exit', r));
  const log = (s: string) => process.stderr.write(`workers-fleet: ${s}\n`);
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, 'the server', 120_000);
    // the scheduled minute: the next one but one, so that every target is in before it fires
    const fire = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 120_000);
    const cron = `${fire.getUTCMinutes()} * * * *`;
    const tenants: Tenant[] = [f.tenant];
    for (let i = 1; i < TENANTS; i++) tenants.push(await f.store.createTenant(SYSTEM_SCOPE, `株式会社ベンチ${i}`));
    for (let i = 0; i < TARGETS; i++) {
      await f.store.upsertTarget(SYSTEM_SCOPE, { tenantId: tenants[i % TENANTS]!.id, name: `shop-${String(i).padStart(3, '0')}`, kind: 'site', address: `${sites[i % sites.length]!.url}shop${i}/`, schedule: cron });
    }
    const workerArgs = ['--concurrency', String(CONCURRENCY), '--tenant-concurrency', '8', '--job-timeout', String(JOB_TIMEOUT_S)];
    for (let i = 0; i < WORKERS; i++) await f.startWorker(workerArgs);
    log(`${TARGETS} targets in ${TENANTS} tenants on '${cron}' (TZ UTC), fires at ${fire.toISOString()}; ${WORKERS} workers × ${CONCURRENCY} jobs`);
    const all = async (): Promise<ScanRecord[]> => {
      const out: ScanRecord[] = [];
      for (const t of tenants) out.push(...(await f.store.listScans(SYSTEM_SCOPE, { tenantId: t.id }, { page: 1, pageSize: 5000 })).items);
      return out;
    };
    // kill one worker with SIGKILL while it runs scans, a third of the way through; start a replacement
    let killedAt: string | undefined;
    let runningAtKill: string[] = [];
    let lastReport = 0;
    const scans = await waitFor(async () => {
      const items = await all();
      const done = items.filter((s) => s.trigger === 'schedule' && s.status === 'done');
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now();
        log(`${new Date().toISOString()}: ${done.length} done, ${items.filter((s) => s.status === 'running').length} running, ${items.filter((s) => s.status === 'queued').length} queued`);
      }
      const victim = f.workers[0]!;
      const onVictim = inFlight(victim.logs);
      if (!killedAt && done.length >= TARGETS / 3 && onVictim.length) {
        runningAtKill = onVictim;
        victim.child.kill('SIGKILL');
        await victim.exited;
        killedAt = new Date().toISOString();
        log(`${killedAt}: worker 1 killed with SIGKILL in the middle of ${runningAtKill.length} scans; a replacement starts`);
        await f.startWorker(workerArgs);
      }
      return new Set(done.map((s) => s.targetId)).size >= TARGETS && !items.some((s) => s.status === 'running' || s.status === 'queued') ? items : undefined;
    }, 'every target scanned on schedule', 2_400_000, 3000);
    const end = Math.max(...scans.map((s) => Date.parse(s.finishedAt!)));
    const seconds = (end - fire.getTime()) / 1000;
    const scheduled = scans.filter((s) => s.trigger === 'schedule');
    const perTarget = new Map<string, ScanRecord[]>();
    for (const s of scheduled) perTarget.set(s.targetId, [...(perTarget.get(s.targetId) ?? []), s]);
    const twice = [...perTarget.values()].filter((v) => v.length > 1).length;
    const lost = TARGETS - [...perTarget.values()].filter((v) => v.some((s) => s.status === 'done')).length;
    const failed = scans.filter((s) => s.status === 'failed').length;
    const retried = scheduled.filter((s) => s.attempts > 1).length;
    const killedScans = scheduled.filter((s) => runningAtKill.includes(s.id));
    const killedRecovered = killedScans.filter((s) => s.status === 'done').length;
    const durations = scheduled.map((s) => (Date.parse(s.finishedAt!) - Date.parse(s.startedAt!)) / 1000);
    // the pace: scans not interrupted by the kill, from the first start to the last of them done (the killed
    // ones wait for their lease to run out, which says nothing about the pace)
    const steady = scheduled.filter((s) => !runningAtKill.includes(s.id));
    const perMinute = steady.length / ((Math.max(...steady.map((s) => Date.parse(s.finishedAt!))) - Math.min(...scheduled.map((s) => Date.parse(s.startedAt!)))) / 60_000);
    const recovery = killedAt ? Math.max(...killedScans.map((s) => Date.parse(s.finishedAt!))) / 1000 - Date.parse(killedAt) / 1000 : NaN;
    // every site is the same shop, so every finished scan has the same findings: a half-written or twice-written
    // result (a killed attempt's rows beside the retry's) would show as a different count
    const rowCounts = new Map<number, number>();
    for (const s of scheduled) {
      const n = (await f.store.listFindings(SYSTEM_SCOPE, { scanId: s.id }, { page: 1, pageSize: 1 })).total;
      rowCounts.set(n, (rowCounts.get(n) ?? 0) + 1);
    }
    const counts = [...rowCounts.entries()].map(([n, c]) => `${c} scans with ${n} findings`).join(', ');
    const note =
      `${TARGETS} site targets in ${TENANTS} tenants, one scheduled minute (${JITTER_MS / 1000} s jitter), 1 server + ${WORKERS} workers × ${CONCURRENCY} jobs on PostgreSQL, 2 cores; ` +
      `worker 1 SIGKILLed in the middle of ${runningAtKill.length} scans, replaced: all ${TARGETS} targets scanned ${seconds.toFixed(0)} s after the scheduled minute; ` +
      `${scheduled.length} scheduled scans, ${twice} targets scanned twice, ${lost} lost, ${failed} failed, ${retried} retried (${killedRecovered}/${killedScans.length} of the killed scans finished on another attempt, the last ${recovery.toFixed(0)} s after the kill, lease ${JOB_TIMEOUT_S} s); ` +
      `${perMinute.toFixed(1)} scans/min (the scans the kill did not touch); scan duration p50 ${pct(durations, 50).toFixed(1)} s, p95 ${pct(durations, 95).toFixed(1)} s; finding rows: ${counts}`;
    log(note);
    if (twice || lost || rowCounts.size !== 1) throw new Error(`${twice} targets scanned twice, ${lost} targets lost; ${counts}`);
    return [
      { name: `workers-fleet: ${TARGETS} targets on schedule, scheduled minute → last scan done`, value: seconds, unit: 's', against: { kind: 'limit', name: 'the schedule period (1 h)', value: 3600 }, lowerIsBetter: true, note },
      { name: 'workers-fleet: scans per minute (3 workers, one killed and replaced)', value: perMinute, unit: 'scans/min', lowerIsBetter: false },
      { name: 'workers-fleet: targets scanned twice or lost after a SIGKILL', value: twice + lost, unit: '', against: { kind: 'limit', name: 'none', value: 0 }, lowerIsBetter: true },
    ];
  } finally {
    server.kill('SIGTERM');
    await exited;
    await f.close();
    for (const s of sites) await s.close();
  }
}

