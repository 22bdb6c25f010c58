/**
 * Knowledge DB: import of all of ../shared/data (goal < 10 s) and `slice()` for an inventory of 2,000
 * packages (goal < 50 ms).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';
import { importPath, openKnowledge } from '../src/knowledge/index.js';

const shared = fileURLToPath(new URL('../../shared/data/', import.meta.url));

export default async function bench(): Promise<BenchRow[]> {
  if (!existsSync(join(shared, 'kev'))) throw new Error(`../shared/data is absent (${shared})`);
  const dir = mkdtempSync(join(tmpdir(), 'mamori-'));
  try {
    const db = join(dir, 'db.sqlite');
    const load = loadavg()[0]!.toFixed(1);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const s = importPath(db, shared);
    const secs = (performance.now() - t0) / 1000;
    const c1 = process.cpuUsage(c0);
    const importCpu = (c1.user + c1.system) / 1e6;
    const records = s.feeds.reduce((n, f) => n + f.records, 0);
    const size = statSync(db).size / 1048576;

    // 2,000 source packages: every package named in the Debian DSA/DLA lists, padded with names that miss.
    const names = new Set<string>();
    for (const f of ['debian/security-tracker/DSA-list', 'debian/security-tracker/DLA-list']) {
      for (const m of readFileSync(join(shared, f), 'utf8').matchAll(/^\t\[bullseye\] - (\S+)/gm)) names.add(m[1]!);
    }
    for (let i = 0; names.size < 2000; i++) names.add(`lib-none-${i}`);
    const packages = [...names].slice(0, 2000);
    const k = openKnowledge(db)!;
    const query = {
      distro: { platform: 'debian:11', packages },
      products: ['php', 'apache-httpd', 'nginx', 'openssl'],
      libraries: [{ platform: 'packagist', packages: ['twig/twig', 'symfony/http-kernel', 'laravel/framework', 'phpmailer/phpmailer', 'smarty/smarty'] }],
      lifecycleProducts: ['php', 'apache-http-server', 'nginx', 'openssl', 'debian', 'ubuntu', 'centos', 'rhel', 'mysql', 'wordpress'],
    };
    k.slice(query); // warm the statement cache
    const times: number[] = [];
    const cpus: number[] = [];
    let advisories = 0;
    for (let i = 0; i < 15; i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      advisories = k.slice(query).advisories.length;
      times.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpus.push((d.user + d.system) / 1000);
    }
    cpus.sort((a, b) => a - b);
    k.close();
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    return [
      { name: 'knowledge: import all of ../shared/data', value: secs, unit: 's', against: { kind: 'limit', name: 'issue goal', value: 10 }, lowerIsBetter: true, note: `${records} records from ${s.files} files; DB ${size.toFixed(1)} MB; load average ${load} on ${'2'} shared cores` },
      { name: 'knowledge: import CPU time', value: importCpu, unit: 's', against: { kind: 'limit', name: 'issue goal', value: 10 }, lowerIsBetter: true },
      { name: 'knowledge: import throughput', value: records / secs, unit: 'records/s', lowerIsBetter: false },
      { name: 'knowledge: DB size after import', value: size, unit: 'MB', lowerIsBetter: true },
      { name: 'knowledge: slice() for 2,000 packages', value: median, unit: 'ms', against: { kind: 'limit', name: 'issue goal', value: 50 }, lowerIsBetter: true, note: `median of 15; ${advisories} advisories returned; load average ${load}` },
      { name: 'knowledge: slice() CPU time', value: cpus[Math.floor(cpus.length / 2)]!, unit: 'ms', against: { kind: 'limit', name: 'issue goal', value: 50 }, lowerIsBetter: true, note: 'median CPU time of the same 15 calls (less sensitive to other processes on the machine)' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
