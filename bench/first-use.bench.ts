/**
 * Knowledge out of the box: what the first use costs. The built CLI's `db status` on a fresh $MAMORI_HOME
 * (it loads the embedded snapshot of data/ first; the same command on the DB that run left is printed beside
 * it), the fastest of three runs, and the in-process load, each against a 2 s limit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';
import { findEmbeddedData, loadEmbedded } from '../src/knowledge/snapshot/index.js';

const bin = fileURLToPath(new URL('../bin/mamori.js', import.meta.url));

function cli(home: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, 'db', 'status', '--format', 'json'], { env: { ...process.env, MAMORI_HOME: home }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`db status failed: ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-first-use-'));
  try {
    const load = loadavg()[0]!.toFixed(1);
    const first: number[] = [];
    const later: number[] = [];
    for (let i = 0; i < 3; i++) {
      const home = join(dir, `home-${i}`);
      first.push(cli(home));
      later.push(cli(home));
    }
    const c0 = process.cpuUsage();
    const r = await loadEmbedded(join(dir, 'inproc', 'db.sqlite'), { dataDir: findEmbeddedData() });
    const c1 = process.cpuUsage(c0);
    const size = statSync(join(dir, 'inproc', 'db.sqlite')).size / 1048576;
    const records = r.summary?.feeds.reduce((n, f) => n + f.records, 0) ?? 0;
    const min = (xs: number[]) => Math.min(...xs);
    return [
      { name: 'first use: `db status` on a fresh home (loads the snapshot)', value: min(first), unit: 's', against: { kind: 'limit', name: 'goal', value: 2 }, lowerIsBetter: true, note: `fastest of 3; the same command on the loaded DB: ${min(later).toFixed(2)} s; load average ${load}` },
      { name: 'first use: embedded snapshot load (in process)', value: r.durationMs / 1000, unit: 's', against: { kind: 'limit', name: 'goal', value: 2 }, lowerIsBetter: true, note: `${records} records from ${r.summary?.files ?? 0} files; DB ${size.toFixed(1)} MB; CPU ${((c1.user + c1.system) / 1e6).toFixed(2)} s` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
