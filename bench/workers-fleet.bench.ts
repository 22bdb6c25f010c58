/**
 * Issue 16's "done when": one `mamori serve --database postgres://…` and three `mamori worker` processes scan a
 * fleet of 200 targets on schedule (every target `* * * * *`, 60 s jitter): how long until every target has a
 * finished scheduled scan, and that no target was scanned twice for one scheduled minute. Site targets on
 * loopback shop sites (3 ms per response); MAMORI_BENCH_FLEET_TARGETS changes the size.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow } from './run.js';
import { SYSTEM_SCOPE, type ScanRecord } from '../src/fleet/types.js';
import { freePort } from '../test/host/sshd.js';
import { binPath, repoRoot } from '../test/helpers/cli.js';
import { startFleet, waitFor } from '../test/worker/cluster-helpers.js';
import { postgresUnavailable as pgMissing } from '../test/helpers/postgres.js';
import { startSlowSite, type SlowSite } from '../test/worker/slow-site.js';

const TARGETS = Number(process.env.MAMORI_BENCH_FLEET_TARGETS ?? 200);

export default async function fleetBench(): Promise<BenchRow[]> {
  const why = await pgMissing();
  if (why) {
    process.stderr.write(`bench workers-fleet: skipped: ${why}\n`);
    return [];
  }
  const sites: SlowSite[] = [];
  for (let i = 0; i < 20; i++) sites.push(await startSlowSite(3));
  const env = { MAMORI_SITE_RATE: '100', MAMORI_PGBOSS_CRON_MONITOR_SECONDS: '5', MAMORI_SCHEDULE_JITTER_MS: '60000', MAMORI_PGBOSS_MAINTENANCE_SECONDS: '10' };
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
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, 'the server', 120_000);
    for (let i = 0; i < TARGETS; i++) await f.store.upsertTarget(SYSTEM_SCOPE, { tenantId: f.tenant.id, name: `shop-${String(i).padStart(3, '0')}`, kind: 'site', address: `${sites[i % sites.length]!.url}shop${i}/`, schedule: '* * * * *' });
    const t0 = performance.now();
    await Promise.all([1, 2, 3].map(() => f.startWorker(['--concurrency', '2'])));
    const all = async () => (await f.store.listScans(SYSTEM_SCOPE, { tenantId: f.tenant.id }, { page: 1, pageSize: 5000 })).items;
    const scans = await waitFor(async () => {
      const items = await all();
      const done = new Set(items.filter((s) => s.trigger === 'schedule' && s.status === 'done').map((s) => s.targetId));
      return done.size >= TARGETS ? items : undefined;
    }, 'every target scanned on schedule', 1_800_000, 2000);
    const seconds = (performance.now() - t0) / 1000;
    const perMinute = new Map<string, ScanRecord[]>();
    for (const s of scans) {
      const k = `${s.targetId} ${s.queuedAt.slice(0, 16)}`;
      perMinute.set(k, [...(perMinute.get(k) ?? []), s]);
    }
    const duplicates = [...perMinute.values()].filter((v) => v.length > 1).length;
    const failed = scans.filter((s) => s.status === 'failed').length;
    const note = `${TARGETS} site targets on schedule (* * * * *, 60 s jitter), 1 server + 3 workers × 2 jobs on PostgreSQL: every target had a finished scheduled scan after ${seconds.toFixed(0)} s; ${scans.length} scans in all, ${failed} failed, ${duplicates} target-minutes scanned twice`;
    process.stderr.write(`${note}\n`);
    if (duplicates) throw new Error(`${duplicates} target-minutes were scanned twice`);
    return [
      { name: `workers-fleet: ${TARGETS} targets on schedule, time to all scanned`, value: seconds, unit: 's', against: { kind: 'limit', name: 'schedule period + jitter + scans (10 min)', value: 600 }, lowerIsBetter: true, note },
      { name: 'workers-fleet: target-minutes scanned twice', value: duplicates, unit: '', against: { kind: 'limit', name: 'none', value: 0 }, lowerIsBetter: true },
    ];
  } finally {
    server.kill('SIGTERM');
    await exited;
    await f.close();
    for (const s of sites) await s.close();
  }
}
