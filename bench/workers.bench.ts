/**
 * Scaling out (issue 16): scans per minute of a fleet with 1, 2 and 4 `mamori worker` processes on PostgreSQL
 * (pg-boss), side by side with the embedded in-process runner on SQLite, and the queue latency (queued → started)
 * p50/p95 of each run. The fleet is real: SSH targets are real sshd processes on loopback ports, each chrooted
 * into a CentOS 6 look-alike root (test/host/centos-root.ts), and site targets are loopback shop sites answering
 * with a small delay (test/worker/slow-site.ts). Each worker runs 2 jobs at once, like the in-process runner.
 * The targets are spread over 4 tenants and the workers allow 16 scans per tenant, so the per-tenant limit
 * (default 4) is not the ceiling: with one tenant, 4 workers are no faster than 2.
 *
 * MAMORI_BENCH_WORKERS_HOSTS / _SITES set the fleet size (default 8 + 24).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './run.js';
import { openFleetStore } from '../src/fleet/store/index.js';
import { generateSecretKey } from '../src/fleet/secrets.js';
import { SYSTEM_SCOPE, type ScanRecord, type Target } from '../src/fleet/types.js';
import type { FleetStore } from '../src/fleet/ports.js';
import { createHandlers } from '../src/worker/handlers/index.js';
import { InProcessRunner } from '../src/worker/inprocess.js';
import { requestScan } from '../src/worker/request.js';
import type { JobRunner } from '../src/worker/jobs.js';
import { loadEmbedded } from '../src/knowledge/snapshot/index.js';
import { buildCentosRoot, centosRootMissing } from '../test/host/centos-root.js';
import { sshdMissing, startSshd, type Sshd } from '../test/host/sshd.js';
import { startFleet, waitFor } from '../test/worker/cluster-helpers.js';
import { postgresUnavailable as pgMissing } from '../test/helpers/postgres.js';
import { startSlowSite, type SlowSite } from '../test/worker/slow-site.js';

const HOSTS = Number(process.env.MAMORI_BENCH_WORKERS_HOSTS ?? 8);
const SITES = Number(process.env.MAMORI_BENCH_WORKERS_SITES ?? 24);
/** Targets are spread over this many tenants, so the per-tenant limit is not what binds (see --tenant-concurrency). */
const TENANTS = 4;
const SITE_RATE = '50';

interface Run {
  label: string;
  scans: number;
  seconds: number;
  perMinute: number;
  p50: number;
  p95: number;
  failed: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : NaN;
};

async function addTargets(store: FleetStore, first: string, sshds: Sshd[], sites: SlowSite[]): Promise<Target[]> {
  const tenants = [first];
  for (let i = 1; i < TENANTS; i++) tenants.push((await store.createTenant(SYSTEM_SCOPE, `bench-${i}`)).id);
  const out: Target[] = [];
  for (const [i, s] of sshds.entries()) {
    const r = await store.upsertTarget(SYSTEM_SCOPE, { tenantId: tenants[i % TENANTS]!, name: `centos6-${i}`, kind: 'host', address: `127.0.0.1:${s.port}`, sshUser: s.user }, { sshKey: readFileSync(s.userKey, 'utf8'), knownHosts: readFileSync(s.knownHosts, 'utf8') });
    out.push(r!.target);
  }
  for (const [i, s] of sites.entries()) out.push((await store.upsertTarget(SYSTEM_SCOPE, { tenantId: tenants[i % TENANTS]!, name: `shop-${i}`, kind: 'site', address: s.url }))!.target);
  return out;
}

/** Request a scan of every target at once and wait for all of them; scans per minute and queue latency. */
async function measure(label: string, store: FleetStore, runner: Pick<JobRunner, 'enqueue'>, targets: Target[]): Promise<Run> {
  const t0 = performance.now();
  const ids: string[] = [];
  for (const t of targets) ids.push((await requestScan(store, runner, SYSTEM_SCOPE, t.id, 'api'))!.scan.id);
  const done = await waitFor(async () => {
    const all = await Promise.all(ids.map((id) => store.getScan(SYSTEM_SCOPE, id)));
    return all.every((s) => s && (s.status === 'done' || s.status === 'failed')) ? (all as ScanRecord[]) : undefined;
  }, `${label}: all scans`, 1_800_000, 200);
  const seconds = (performance.now() - t0) / 1000;
  const lat = done.filter((s) => s.startedAt).map((s) => (Date.parse(s.startedAt!) - Date.parse(s.queuedAt)) / 1000);
  const failed = done.filter((s) => s.status === 'failed');
  if (failed.length) process.stderr.write(`bench workers: ${label}: ${failed.length} failed: ${failed[0]!.failureReason}\n`);
  return { label, scans: done.length, seconds, perMinute: (done.length / seconds) * 60, p50: pct(lat, 50), p95: pct(lat, 95), failed: failed.length };
}

export default async function workersBench(): Promise<BenchRow[]> {
  const why = (await pgMissing()) ?? sshdMissing() ?? centosRootMissing();
  if (why) {
    process.stderr.write(`bench workers: skipped: ${why}\n`);
    return [];
  }
  const box = buildCentosRoot();
  const sshds: Sshd[] = [];
  const sites: SlowSite[] = [];
  const kdir = mkdtempSync(join(tmpdir(), 'mamori-bench-kdb-'));
  const kdb = join(kdir, 'db.sqlite');
  const runs: Run[] = [];
  try {
    for (let i = 0; i < HOSTS; i++) sshds.push(await startSshd({ exec: box.sshExec }));
    for (let i = 0; i < SITES; i++) sites.push(await startSlowSite(3));
    await loadEmbedded(kdb);

    // the embedded default: in-process runner on SQLite, 2 jobs at once
    {
      const home = mkdtempSync(join(tmpdir(), 'mamori-bench-inproc-'));
      const key = generateSecretKey();
      const store = await openFleetStore({ home, secretKey: key });
      await store.migrate();
      const tenant = await store.createTenant(SYSTEM_SCOPE, 'bench');
      const targets = await addTargets(store, tenant.id, sshds, sites);
      copyFileSync(kdb, join(home, 'db.sqlite'));
      const runner = new InProcessRunner({ store, concurrency: 2, log: () => undefined, handlers: createHandlers({ store, knowledgeDb: join(home, 'db.sqlite'), home, site: { ratePerSec: Number(SITE_RATE) } }) });
      await runner.start();
      try {
        runs.push(await measure('in-process runner, SQLite', store, runner, targets));
      } finally {
        await runner.stop({ graceful: false });
        await store.close();
        rmSync(home, { recursive: true, force: true });
      }
    }

    for (const n of [1, 2, 4]) {
      const f = await startFleet({ env: { MAMORI_SITE_RATE: SITE_RATE, MAMORI_PGBOSS_MAINTENANCE_SECONDS: '10' }, knowledgeDb: kdb, prefix: 'mamori_bench' });
      try {
        const targets = await addTargets(f.store, f.tenant.id, sshds, sites);
        await Promise.all(Array.from({ length: n }, () => f.startWorker(['--concurrency', '2', '--tenant-concurrency', '16'])));
        runs.push(await measure(`${n} worker${n > 1 ? 's' : ''}, PostgreSQL`, f.store, f.runner, targets));
      } finally {
        await f.close();
      }
    }
  } finally {
    for (const s of sshds) await s.stop();
    for (const s of sites) await s.close();
    rmSync(kdir, { recursive: true, force: true });
    rmSync(box.dir, { recursive: true, force: true });
  }

  const inproc = runs[0]!;
  const one = runs[1]!;
  const table = [
    `fleet: ${HOSTS} hosts (sshd, CentOS 6 look-alike root) + ${SITES} sites (loopback, 3 ms per response, ${SITE_RATE} req/s), in ${TENANTS} tenants; each run scans all of them once; 2 jobs at once per process; machine load ${loadavg()[0]!.toFixed(1)} at the end`,
    'runner                       scans  seconds  scans/min  queue p50 s  queue p95 s  failed',
    ...runs.map((r) => `${r.label.padEnd(28)} ${String(r.scans).padStart(5)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.perMinute.toFixed(1).padStart(9)}  ${r.p50.toFixed(1).padStart(11)}  ${r.p95.toFixed(1).padStart(11)}  ${String(r.failed).padStart(6)}`),
    `ratios: 2 workers/1 = ${(runs[2]!.perMinute / one.perMinute).toFixed(2)}×, 4 workers/1 = ${(runs[3]!.perMinute / one.perMinute).toFixed(2)}×, 1 worker/in-process = ${(one.perMinute / inproc.perMinute).toFixed(2)}×`,
  ].join('\n');
  process.stderr.write(`${table}\n`);
  return [
    { name: 'workers: 1 worker on PostgreSQL, scans/min', value: one.perMinute, unit: 'scans/min', against: { kind: 'peer', name: 'in-process runner on SQLite', value: inproc.perMinute }, lowerIsBetter: false, note: table },
    { name: 'workers: 2 workers, scans/min', value: runs[2]!.perMinute, unit: 'scans/min', against: { kind: 'peer', name: '1 worker', value: one.perMinute }, lowerIsBetter: false },
    { name: 'workers: 4 workers, scans/min', value: runs[3]!.perMinute, unit: 'scans/min', against: { kind: 'peer', name: '1 worker', value: one.perMinute }, lowerIsBetter: false },
    ...runs.slice(1).map((r) => ({ name: `workers: queue latency p95, ${r.label}`, value: r.p95, unit: 's', against: { kind: 'peer' as const, name: 'in-process runner', value: inproc.p95 }, lowerIsBetter: true })),
    ...runs.slice(1).map((r) => ({ name: `workers: queue latency p50, ${r.label}`, value: r.p50, unit: 's', against: { kind: 'peer' as const, name: 'in-process runner', value: inproc.p50 }, lowerIsBetter: true })),
  ];
}
