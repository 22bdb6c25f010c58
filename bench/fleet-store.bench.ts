/**
 * The fleet store at dashboard scale (issue 15): 1,000 targets in 20 tenants, ~200 findings in each target's latest
 * scan (200,000 findings in the latest scans), every 20th target with two further scans (timeline, resolved and new
 * findings). Measured on SQLite (the embedded default) and PostgreSQL (127.0.0.1:5432)
 * side by side, against the issue's limit of 300 ms at p95:
 *   - the fleet overview (admin scope: every tenant);
 *   - a target's page: its latest findings page 1 (50) + the scan timeline page 1 + its finding history + the target;
 *   - the fleet-wide findings page 1: critical, unfiltered, missing security updates (counted up to 10,000);
 *   - for reference: the targets list page 1;
 *   - the findings CSV export (fleet, one tenant) through a real server on loopback: time to the last byte, rows, RSS.
 * Findings are built from the real golden reports (categories, severities, CVEs, KEV flags, advisory dates) with
 * varied ids, packages and dates; documents keep the findings' fields but not their bulky evidence (the document
 * is stored, never read by these pages). Scale with MAMORI_BENCH_FLEET_TARGETS (default 1000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import type { BenchRow } from './run.js';
import type { Finding, ReportDocument } from '../src/core/model.js';
import { summarize } from '../src/core/model.js';
import { openFleetStore, type SqlFleetStore } from '../src/fleet/store/index.js';
import { generateSecretKey } from '../src/fleet/secrets.js';
import { findingRowsOf } from '../src/fleet/normalise.js';
import { insertFindings, summaryOf, updateHistory } from '../src/fleet/store/sql-store.js';
import { SYSTEM_SCOPE, type Target } from '../src/fleet/types.js';
import { createTestDatabase, postgresUnavailable } from '../test/helpers/postgres.js';
import { buildServer } from '../src/server/app.js';
import { newApiToken, sha256 } from '../src/server/auth/tokens.js';

const TARGETS = Number(process.env.MAMORI_BENCH_FLEET_TARGETS ?? 1000);
const PER_TARGET = 200;
const TENANTS = 20;
const ITER = 40;
const LIMIT = 300;
/**
 * The CSV export of the whole fleet (~200,000 findings at 1,000 targets; the export stops at 200,000 rows): a download
 * someone waits for, to finish within the 60 s a reverse proxy or a browser commonly allows a request (nginx's
 * proxy_read_timeout) even if it were buffered, at any fleet size. Before keyset reads it took 88-106 s at 1,000 targets.
 */
const EXPORT_LIMIT = { kind: 'limit' as const, name: 'export of 200,000 rows', value: 60_000 };

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const golden = (name: string) => JSON.parse(readFileSync(new URL(`../test/fixtures/fleet/${name}.en.json`, import.meta.url), 'utf8')) as ReportDocument;

/** A pool of distinct findings: the golden findings varied into 600 problems (ids, packages, CVEs, advisory dates). */
function findingPool(): Finding[] {
  const templates = [...golden('host-ubuntu2204').findings, ...golden('host-centos6').findings, ...golden('site-old').findings];
  const r = rng(42);
  const pool: Finding[] = [];
  for (let i = 0; i < 600; i++) {
    const f = templates[i % templates.length]!;
    const round = Math.floor(i / templates.length);
    const ev = (f.evidence ?? {}) as { kev?: boolean; cves?: { kev?: unknown }[]; cve?: { kev?: unknown } };
    const kev = ev.kev === true || Boolean(ev.cve?.kev) || (ev.cves ?? []).some((c) => c.kev);
    const day = new Date(Date.UTC(2023, 0, 1) + Math.floor(r() * 900) * 86_400_000).toISOString().slice(0, 10);
    const pkg = f.component?.name ? `${f.component.name}${round ? `-${round}` : ''}` : undefined;
    pool.push({
      id: `${f.id}-${round}`,
      category: f.category,
      severity: f.severity,
      title: round ? `${f.title} (#${round})` : f.title,
      ...(f.component ? { component: { name: pkg!, version: f.component.version } } : {}),
      ...(f.cves ? { cves: f.cves.map((c) => (round && c.startsWith('CVE-') ? `${c}${round}` : c)) } : {}),
      ...(kev ? { evidence: { kev: true } } : {}),
      remediation: {
        priority: f.remediation.priority,
        action: f.remediation.action,
        ...(f.category === 'missing-security-update' ? { update: { tool: 'apt' as const, packages: [{ name: pkg ?? 'pkg' }], advisories: [], restart: [], reboot: false, ...(r() < 0.85 ? { publishedAt: day } : {}) } } : {}),
      },
    });
  }
  return pool;
}

function pick<T>(r: () => number, xs: readonly T[], n: number): T[] {
  const a = xs.slice();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(r() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

// The golden host's inventory (4 KB) is kept: a document with an empty inventory checked nothing (src/fleet/coverage.ts),
// so its rescans would resolve no finding and finishScan would not be measured on its resolve path.
const docOf = (base: ReportDocument, findings: Finding[], at: string): ReportDocument => ({ ...base, lifecycle: [], gaps: [], scannedAt: at, findings, summary: summarize(findings) });

/**
 * 1,000 targets with one scan each (~200 findings) bulk-loaded in transactions of 25 targets, writing exactly the
 * rows finishScan writes (same normalisation, same history code); then every 20th target scanned twice more
 * through finishScan (~5 % of its findings resolved, ~5 % new each time), timed: the write path's figure.
 */
export async function seed(store: SqlFleetStore, concurrency: number): Promise<{ targets: Target[]; rows: number; ms: number; finish: { p50: number; p95: number } }> {
  const t0 = performance.now();
  const base = golden('host-ubuntu2204');
  const pool = findingPool();
  const tenants = [];
  for (let i = 0; i < TENANTS; i++) tenants.push(await store.createTenant(SYSTEM_SCOPE, `顧客 ${String(i).padStart(2, '0')} 株式会社`));
  const targets: Target[] = [];
  for (let i = 0; i < TARGETS; i++) {
    const r = await store.upsertTarget(SYSTEM_SCOPE, {
      tenantId: tenants[i % TENANTS]!.id, name: `srv-${String(i).padStart(4, '0')}`, kind: i % 4 === 3 ? 'site' : 'host',
      address: i % 4 === 3 ? `https://shop${i}.example.jp/` : `10.0.${i >> 8}.${i & 255}:22`, tags: [i % 2 ? 'prod' : 'stg', `dc${i % 3}`],
    });
    targets.push(r!.target);
  }
  let rows = 0;
  const firsts = new Map<string, Finding[]>();
  for (let b = 0; b < targets.length; b += 25) {
    await store.db.transaction().execute(async (trx) => {
      for (let i = b; i < Math.min(b + 25, targets.length); i++) {
        const t = targets[i]!;
        const r = rng(1000 + i);
        const findings = pick(r, pool, PER_TARGET - 20 + Math.floor(r() * 41));
        firsts.set(t.id, findings);
        const at = new Date(Date.UTC(2026, 5, 1, i % 24)).toISOString();
        const doc = docOf(base, findings, at);
        const scanId = randomUUID();
        await trx.insertInto('scans').values({
          id: scanId, tenant_id: t.tenantId, target_id: t.id, status: 'done', trigger: 'schedule', requested_by: null, queued_at: at, started_at: at,
          finished_at: at, scanned_at: at, attempts: 1, failure_reason: null, summary: JSON.stringify(summaryOf(doc)), knowledge_version: 'bench',
        }).execute();
        await trx.insertInto('scan_documents').values({ scan_id: scanId, document: JSON.stringify(doc) }).execute();
        const fr = findingRowsOf(doc, { scanId, tenantId: t.tenantId, targetId: t.id }, [], at);
        await insertFindings(trx, fr);
        await updateHistory(trx, t.tenantId, t.id, fr, at);
        await trx.updateTable('targets').set({ last_scan_id: scanId, last_done_scan_id: scanId, last_done_scanned_at: at }).where('id', '=', t.id).execute();
        rows += fr.length;
      }
    });
  }
  const times: number[] = [];
  const sample = targets.filter((_, i) => i % 20 === 0);
  let next = 0;
  const worker = async () => {
    while (next < sample.length) {
      const t = sample[next++]!;
      const r = rng(5000 + next);
      let prev = firsts.get(t.id)!;
      for (let k = 1; k <= 2; k++) {
        const keep = prev.filter(() => r() > 0.05);
        const fresh = pick(r, pool.filter((f) => !prev.includes(f)), prev.length - keep.length);
        const findings = [...keep, ...fresh];
        const s = await store.createScan(SYSTEM_SCOPE, t.id, 'schedule');
        await store.startScan(s!.id);
        const st = performance.now();
        await store.finishScan(s!.id, docOf(base, findings, new Date(Date.UTC(2026, 5, 1 + k * 7)).toISOString()), 'bench');
        times.push(performance.now() - st);
        rows += findings.length;
        prev = findings;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // The rescans drop ~5 % of their findings: those must be resolved, or the figure is of another path.
  const resolved = await store.db.selectFrom('finding_history').select((eb) => eb.fn.countAll<number>().as('n')).where('resolved_at', 'is not', null).executeTakeFirst();
  if (!Number(resolved?.n)) throw new Error('fleet-store bench: the rescans resolved no finding (coverage counted them as not checked): finishScan was not measured on its resolve path');
  times.sort((a, b) => a - b);
  const finish = { p50: times[Math.floor(times.length / 2)] ?? NaN, p95: times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)] ?? NaN };
  return { targets, rows, ms: performance.now() - t0, finish };
}

/**
 * The findings CSV export (GET /api/findings?format=csv) through a real server on loopback, as an admin's API token:
 * time to the last byte, the rows received (lines after the header), the peak RSS of this process (server and client
 * share it; the client keeps only a running count) sampled every 20 ms, above the RSS before the request.
 */
export async function measureExport(store: SqlFleetStore, query: string): Promise<{ ms: number; rows: number; bytes: number; peakRssMb: number; rssGrowthMb: number }> {
  const user = await store.createUser({ email: `bench-${randomUUID()}@example.jp`, passwordHash: 'x', role: 'admin', tenantIds: [] });
  const token = newApiToken();
  await store.createToken({ userId: user.id, name: 'bench export', hash: sha256(token) });
  const app = await buildServer({ store, uiDir: '/nonexistent-ui-dir' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const port = (app.server.address() as AddressInfo).port;
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const t0 = performance.now();
    let bytes = 0;
    let newlines = 0;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/findings?format=csv${query ? `&${query}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200 || !res.body) throw new Error(`fleet-store bench: the CSV export answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) newlines++;
      }
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - t0;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { ms, rows: newlines - 1, bytes, peakRssMb: peak / 2 ** 20, rssGrowthMb: (peak - rss0) / 2 ** 20 };
  } finally {
    await app.close();
  }
}

async function measure(fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn(i); // warm-up
  const t: number[] = [];
  for (let i = 0; i < ITER; i++) {
    const s = performance.now();
    await fn(i);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(t.length * 0.5)]!, p95: t[Math.min(t.length - 1, Math.ceil(t.length * 0.95) - 1)]! };
}

async function runOn(label: string, store: SqlFleetStore, concurrency: number): Promise<BenchRow[]> {
  await store.migrate();
  const { targets, rows, ms, finish } = await seed(store, concurrency);
  // PostgreSQL's autovacuum would analyse these tables minutes after such a load; do it now, as a running server would have.
  if (store.dialect === 'postgres') await sql`analyze`.execute(store.db);
  const now = new Date('2026-07-01T00:00:00Z');
  const r = rng(7);
  const pickTarget = () => targets[Math.floor(r() * targets.length)]!;
  const loadBefore = loadavg()[0]!;
  const overview = await measure(() => store.overview(SYSTEM_SCOPE, { now, limit: 100 }));
  const page = await measure(async () => {
    const t = pickTarget();
    const viewer = { userId: null, role: 'viewer' as const, tenantIds: [t.tenantId] };
    await Promise.all([
      store.getTarget(viewer, t.id),
      store.listFindings(viewer, { targetId: t.id }, { page: 1, pageSize: 50 }),
      store.listScans(viewer, { targetId: t.id }, { page: 1, pageSize: 20 }),
      store.findingHistory(viewer, t.id),
    ]);
  });
  const critical = await measure(() => store.listFindings(SYSTEM_SCOPE, { severity: ['critical'] }, { page: 1, pageSize: 50 }));
  const unfiltered = await measure(() => store.listFindings(SYSTEM_SCOPE, {}, { page: 1, pageSize: 50 }));
  const category = await measure(() => store.listFindings(SYSTEM_SCOPE, { category: ['missing-security-update'] }, { page: 1, pageSize: 50 }));
  const targetList = await measure(() => store.listTargets(SYSTEM_SCOPE, {}, { page: 1, pageSize: 50 }));
  const loadExport = loadavg()[0]!;
  const exportFleet = await measureExport(store, '');
  const exportTenant = await measureExport(store, `tenant=${targets[0]!.tenantId}`);
  const exportNote = (m: typeof exportFleet) => `${m.rows.toLocaleString('en-US')} rows, ${(m.bytes / 2 ** 20).toFixed(1)} MB; peak RSS ${m.peakRssMb.toFixed(0)} MB, +${m.rssGrowthMb.toFixed(0)} MB during the export (server and client in this process); load ${loadExport.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`;
  const note = `${TARGETS} targets in ${TENANTS} tenants, ${rows.toLocaleString('en-US')} finding rows (latest scans: ~${(TARGETS * PER_TARGET).toLocaleString('en-US')}), 1 scan per target + 2 more through finishScan for every 20th; seeded in ${(ms / 1000).toFixed(0)} s; ${ITER} runs after 3 warm-ups; load ${loadBefore.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} while the pages were measured`;
  const lim = { kind: 'limit' as const, name: 'issue 15 p95', value: LIMIT };
  return [
    { name: `fleet overview p50 (${label})`, value: overview.p50, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `fleet overview p95 (${label})`, value: overview.p95, unit: 'ms', against: lim, lowerIsBetter: true, note },
    { name: `target page p50 (${label})`, value: page.p50, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `target page p95 (${label})`, value: page.p95, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `findings page, critical, fleet-wide p50 (${label})`, value: critical.p50, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `findings page, critical, fleet-wide p95 (${label})`, value: critical.p95, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `findings page, unfiltered, fleet-wide p50 (${label})`, value: unfiltered.p50, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `findings page, unfiltered, fleet-wide p95 (${label})`, value: unfiltered.p95, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `findings page, missing updates, fleet-wide p50 (${label})`, value: category.p50, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `findings page, missing updates, fleet-wide p95 (${label})`, value: category.p95, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `targets list page 1 p50 (${label})`, value: targetList.p50, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `targets list page 1 p95 (${label})`, value: targetList.p95, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `findings CSV export, fleet, to last byte (${label})`, value: exportFleet.ms, unit: 'ms', against: EXPORT_LIMIT, lowerIsBetter: true, note: exportNote(exportFleet) },
    { name: `findings CSV export, one tenant, to last byte (${label})`, value: exportTenant.ms, unit: 'ms', against: EXPORT_LIMIT, lowerIsBetter: true, note: exportNote(exportTenant) },
    { name: `finishScan, ~200 findings, p50 (${label})`, value: finish.p50, unit: 'ms', lowerIsBetter: true, note: `finishScan p95 ${finish.p95.toFixed(0)} ms (${concurrency} scans finishing at a time)` },
  ];
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const key = generateSecretKey('bench');
  const home = mkdtempSync(join(tmpdir(), 'mamori-bench-fleet-'));
  try {
    const sqlite = await openFleetStore({ home, secretKey: key });
    try {
      rows.push(...(await runOn('SQLite', sqlite, 1)));
    } finally {
      await sqlite.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const down = await postgresUnavailable();
  if (down) {
    rows.push({ name: 'fleet overview p95 (PostgreSQL)', value: NaN, unit: 'ms', lowerIsBetter: true, note: `skipped: ${down}` });
  } else {
    const db = await createTestDatabase('mamori_bench_fleet');
    try {
      const pg = await openFleetStore({ url: db.url, home: '/nonexistent', secretKey: key, poolSize: 8 });
      try {
        rows.push(...(await runOn('PostgreSQL', pg, 4)));
      } finally {
        await pg.close();
      }
    } finally {
      await db.drop();
    }
  }
  const cond = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0]!.toFixed(2)} at the end (machine shared with other work)`;
  rows[0] = { ...rows[0]!, note: cond };
  return rows;
}
