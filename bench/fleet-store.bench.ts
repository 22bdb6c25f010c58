/**
 * The fleet store at dashboard scale (issue 15): 1,000 targets in 20 tenants, ~200 findings in each target's latest
 * scan (200,000 findings in the latest scans) and an earlier scan of each (≈400,000 finding rows in all), loaded
 * through finishScan like real scans. Measured on SQLite (the embedded default) and PostgreSQL (127.0.0.1:5432)
 * side by side, against the issue's limit of 300 ms at p95:
 *   - the fleet overview (admin scope: every tenant);
 *   - a target's page: its latest findings page 1 (50) + the scan timeline page 1 + its finding history + the target;
 *   - for reference: the fleet-wide findings page 1 filtered to critical, and the targets list page 1.
 * Findings are built from the real golden reports (categories, severities, CVEs, KEV flags, advisory dates) with
 * varied ids, packages and dates; documents keep the findings' fields but not their bulky evidence (the document
 * is stored, never read by these pages). Scale with MAMORI_BENCH_FLEET_TARGETS (default 1000).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './run.js';
import type { Finding, ReportDocument } from '../src/core/model.js';
import { summarize } from '../src/core/model.js';
import { openFleetStore, type SqlFleetStore } from '../src/fleet/store/index.js';
import { generateSecretKey } from '../src/fleet/secrets.js';
import { SYSTEM_SCOPE, type Target } from '../src/fleet/types.js';
import { createTestDatabase, postgresUnavailable } from '../test/helpers/postgres.js';

const TARGETS = Number(process.env.MAMORI_BENCH_FLEET_TARGETS ?? 1000);
const PER_TARGET = 200;
const TENANTS = 20;
const ITER = 40;
const LIMIT = 300;

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

const golden = (name: string) => JSON.parse(readFileSync(new URL(`../test/fixtures/golden/${name}.en.json`, import.meta.url), 'utf8')) as ReportDocument;

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

const docOf = (base: ReportDocument, findings: Finding[], at: string): ReportDocument => ({ ...base, inventory: { packages: [], components: [], pendingUpdates: [] }, lifecycle: [], gaps: [], scannedAt: at, findings, summary: summarize(findings) });

export async function seed(store: SqlFleetStore, concurrency: number): Promise<{ targets: Target[]; rows: number; ms: number }> {
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
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i]!;
      const r = rng(1000 + i);
      const n = PER_TARGET - 20 + Math.floor(r() * 41);
      const first = pick(r, pool, n);
      // the later scan: ~5 % resolved, ~5 % new
      const keep = first.filter(() => r() > 0.05);
      const fresh = pick(r, pool.filter((f) => !first.includes(f)), n - keep.length);
      const second = [...keep, ...fresh];
      for (const [k, findings] of [first, second].entries()) {
        const s = await store.createScan(SYSTEM_SCOPE, t.id, 'schedule');
        await store.startScan(s!.id);
        await store.finishScan(s!.id, docOf(base, findings, new Date(Date.UTC(2026, 5, 1 + k * 7, i % 24)).toISOString()), 'bench');
        rows += findings.length;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { targets, rows, ms: performance.now() - t0 };
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
  const { targets, rows, ms } = await seed(store, concurrency);
  const now = new Date('2026-07-01T00:00:00Z');
  const r = rng(7);
  const pickTarget = () => targets[Math.floor(r() * targets.length)]!;
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
  const targetList = await measure(() => store.listTargets(SYSTEM_SCOPE, {}, { page: 1, pageSize: 50 }));
  const note = `${TARGETS} targets, ${rows.toLocaleString('en-US')} finding rows in ${2 * TARGETS} scans (latest: ~${(TARGETS * PER_TARGET).toLocaleString('en-US')}); seeded through finishScan in ${(ms / 1000).toFixed(0)} s (${concurrency} at a time); ${ITER} runs after 3 warm-ups`;
  const lim = { kind: 'limit' as const, name: 'issue 15 p95', value: LIMIT };
  return [
    { name: `fleet overview p50 (${label})`, value: overview.p50, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `fleet overview p95 (${label})`, value: overview.p95, unit: 'ms', against: lim, lowerIsBetter: true, note },
    { name: `target page p50 (${label})`, value: page.p50, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `target page p95 (${label})`, value: page.p95, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `findings page, critical, fleet-wide p95 (${label})`, value: critical.p95, unit: 'ms', against: lim, lowerIsBetter: true },
    { name: `targets list page 1 p95 (${label})`, value: targetList.p95, unit: 'ms', against: lim, lowerIsBetter: true },
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
