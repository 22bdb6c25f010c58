/**
 * Host inventory: local inventory of this machine (limit 3 s); the same inventory over SSH from an sshd in a
 * network namespace of our own (it sees this machine's root, so the local scan is the peer) at 0, 20 and 80 ms
 * round trip (limits: 2× the local time at 0 ms, 4 s at 80 ms); and the document-root walk with fingerprints
 * (files/s) beside GNU find listing the same tree.
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
import { createNamespace, delayProxy, type DelayProxy } from './link.js';
import { join as joinPath } from 'node:path';

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
  rows.push(...(await sshRows(local, pkgs)));

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

/** Host scans over SSH at 0, 20 and 80 ms round trip: wall time (connect + scan, best of 3), round trips, bytes. */
async function sshRows(local: LocalTransport, pkgs: number): Promise<BenchRow[]> {
  const missing = sshdMissing();
  if (missing) return [{ name: 'host inventory over SSH', value: NaN, unit: 'ms', lowerIsBetter: true, note: `skipped: ${missing}` }];
  const rows: BenchRow[] = [];
  const ns = createNamespace();
  const inNs = 'unavailable' in ns ? undefined : ns;
  let proxy: DelayProxy | undefined;
  const sshd = await startSshd(inNs ? { listen: inNs.address, netns: inNs.name } : {});
  try {
    const target = inNs?.address ?? '127.0.0.1';
    if (!inNs?.netem) proxy = await delayProxy(target, sshd.port);
    const knownHosts = joinPath(sshd.dir, 'bench_known_hosts');
    const where = inNs ? `sshd in network namespace ${inNs.name} over a veth pair (${inNs.address}/30)` : `sshd on 127.0.0.1 (no namespace: ${(ns as { unavailable: string }).unavailable})`;
    const delayBy = inNs?.netem ? 'tc netem on both veth ends' : `a delay proxy on 127.0.0.1 (no tc netem here${inNs?.netemReason ? `: ${inNs.netemReason}` : ''})`;
    // Three rounds, each a local scan and SSH scans at 0, 20 and 80 ms, so load from other work on the machine
    // hits all alike; the best run of each counts.
    const delays = [0, 20, 80];
    const runs = new Map<number, { ms: number; stats: SshTransport['stats']; wire: number }[]>(delays.map((d) => [d, []]));
    const localRuns: number[] = [];
    for (let round = 0; round < 3; round++) {
      localRuns.push((await timed(() => collectHost(local, { docroots: [] })))[0]);
      for (const rtt of delays) {
        if (inNs?.netem) inNs.setNetemRtt(rtt);
        if (proxy) proxy.rttMs = rtt;
        const wire0 = inNs?.wireBytes() ?? 0;
        const t0 = performance.now();
        const ssh = await SshTransport.connect(proxy ? { user: sshd.user, host: '127.0.0.1', port: proxy.port } : { user: sshd.user, host: target, port: sshd.port }, { identity: sshd.userKey, knownHosts, acceptNewHostKey: true, sudo: false, timeoutMs: 120_000 });
        try {
          await collectHost(ssh, { docroots: [] });
        } finally {
          await ssh.close();
        }
        runs.get(rtt)!.push({ ms: performance.now() - t0, stats: ssh.stats, wire: (inNs?.wireBytes() ?? 0) - wire0 });
      }
    }
    const localMs = Math.min(...localRuns);
    for (const rtt of delays) {
      const best = runs.get(rtt)!.reduce((a, b) => (b.ms < a.ms ? b : a));
      const s = best.stats;
      const note = `${where}, delay by ${delayBy}; ${pkgs} packages; local scan of the same root in the same rounds ${Math.round(localMs)} ms; ${s.steps} invocations one after the other on the longest chain (2 round trips each) after the handshake; ${s.invocations} invocations (channels) for ${s.commands} commands, at most ${s.peakChannels} at once; ${(s.bytesIn / 1024).toFixed(0)} KiB in + ${(s.bytesOut / 1024).toFixed(0)} KiB out on the SSH connection${inNs ? `, ${(best.wire / 1024).toFixed(0)} KiB on the veth` : ''}`;
      const name = `host inventory over SSH, ${rtt} ms round trip (connect + scan)`;
      if (rtt === 0) rows.push({ name, value: best.ms, unit: 'ms', against: { kind: 'limit', name: '2× local', value: 2 * localMs }, lowerIsBetter: true, note });
      else if (rtt === 80) rows.push({ name, value: best.ms, unit: 'ms', against: { kind: 'limit', name: '4 s', value: 4000 }, lowerIsBetter: true, note });
      else rows.push({ name, value: best.ms, unit: 'ms', lowerIsBetter: true, note });
    }
  } finally {
    await proxy?.close();
    await sshd.stop();
    inNs?.remove();
  }
  return rows;
}
