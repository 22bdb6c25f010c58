/**
 * Host inventory: local inventory of this machine (limit 3 s), SSH inventory of a loopback sshd (limit 2×
 * the local time, measured in the same run), and the document-root walk with fingerprints (files/s) beside
 * GNU find listing the same tree.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectDocroots, DEFAULT_DOCROOT_LIMITS } from '../src/collect/host/docroots.js';
import { collectHost } from '../src/collect/host/index.js';
import { loadPii } from '../src/collect/host/pii-bridge.js';
import { LocalTransport } from '../src/collect/transport/local.js';
import { SshTransport } from '../src/collect/transport/ssh.js';
import { sshdMissing, startSshd } from '../test/host/sshd.js';
import type { BenchRow } from './run.js';

/** CPU seconds used by this process and its waited-for children (/proc/self/stat utime stime cutime cstime). */
function cpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const tick = 100; // USER_HZ on Linux
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick) * 1000;
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Warm-up (page cache, apt's cache build) then the best of 3.
  const local = new LocalTransport({ timeoutMs: 120_000, sudo: false });
  await collectHost(local, { docroots: [] });
  const localRuns: number[] = [];
  const cpuRuns: number[] = [];
  let pkgs = 0;
  for (let i = 0; i < 3; i++) {
    const c0 = cpuMs();
    const [ms, r] = await timed(() => collectHost(local, { docroots: [] }));
    cpuRuns.push(cpuMs() - c0);
    localRuns.push(ms);
    pkgs = r.inventory.packages.length;
  }
  const localMs = Math.min(...localRuns);
  rows.push({ name: 'host inventory, local (this machine)', value: localMs, unit: 'ms', against: { kind: 'limit', name: '3 s', value: 3000 }, lowerIsBetter: true, note: `${pkgs} packages; one apt-cache policy over all packages dominates (this machine disables apt's pkgcache, so apt rebuilds it on every call); load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs` });

  rows.push({ name: 'host inventory, local: CPU time (mamori + commands)', value: Math.min(...cpuRuns), unit: 'ms', against: { kind: 'limit', name: '3 s', value: 3000 }, lowerIsBetter: true, note: 'load-independent: what the scan costs the machine; wall time approaches it on an idle machine (commands run in parallel)' });
  const missing = sshdMissing();
  if (missing) rows.push({ name: 'host inventory, SSH loopback', value: NaN, unit: 'ms', lowerIsBetter: true, note: `skipped: ${missing}` });
  else {
    const sshd = await startSshd();
    try {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const [ms] = await timed(async () => {
          const ssh = await SshTransport.connect({ user: sshd.user, host: '127.0.0.1', port: sshd.port }, { identity: sshd.userKey, knownHosts: sshd.knownHosts, acceptNewHostKey: false, sudo: false, timeoutMs: 120_000 });
          try {
            return await collectHost(ssh, { docroots: [] });
          } finally {
            await ssh.close();
          }
        });
        runs.push(ms);
      }
      rows.push({ name: 'host inventory, SSH loopback (connect + scan)', value: Math.min(...runs), unit: 'ms', against: { kind: 'limit', name: '2× local', value: 2 * localMs }, lowerIsBetter: true, note: `${sshd.commands().length / 3} commands per scan over one connection` });
    } finally {
      await sshd.stop();
    }
  }

  // Document root: a WordPress-like tree of 6,000 files.
  const root = mkdtempSync(join(tmpdir(), 'mamori-'));
  try {
    for (let d = 0; d < 60; d++) {
      const dir = join(root, 'wp-content', 'plugins', `plugin-${d}`, 'includes');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(root, 'wp-content', 'plugins', `plugin-${d}`, `plugin-${d}.php`), `<?php\n/*\nPlugin Name: P${d}\nVersion: 1.${d}\n*/\n`);
      for (let f = 0; f < 99; f++) writeFileSync(join(dir, `f${f}.${f % 3 === 0 ? 'csv' : 'php'}`), `id,name\n${d},${f}\n`);
    }
    mkdirSync(join(root, 'wp-includes'));
    writeFileSync(join(root, 'wp-includes', 'version.php'), "<?php\n$wp_version = '6.4.2';\n");
    const [findMs, findOut] = await timed(async () => execFileSync('find', [root, '-xdev', '-mindepth', '1', '-printf', '%y\\t%s\\t%P\\0']));
    const files = findOut.toString('latin1').split('\0').filter((r) => r.startsWith('f')).length;
    const [walkMs] = await timed(() => collectDocroots(local, [{ path: root, from: 'bench' }], [], undefined, DEFAULT_DOCROOT_LIMITS, []));
    rows.push({ name: 'docroot walk + app fingerprints', value: (files / walkMs) * 1000, unit: 'files/s', against: { kind: 'peer', name: 'GNU find -printf (listing only)', value: (files / findMs) * 1000 }, lowerIsBetter: false, note: `${files} files` });
    const pii = await loadPii();
    if (pii.ok) {
      const [piiMs, r] = await timed(() => collectDocroots(local, [{ path: root, from: 'bench' }], [], pii.mod, DEFAULT_DOCROOT_LIMITS, []));
      rows.push({ name: 'docroot walk + personal-data check', value: (files / piiMs) * 1000, unit: 'files/s', lowerIsBetter: false, note: `${r.stats.filesClassified} candidate files classified` });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}
