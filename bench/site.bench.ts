/**
 * The whole `mamori scan site` on loopback, side by side with testssl.sh on the same HTTPS endpoint (the old
 * fixture: TLS 1.0–1.2, every cipher). Goals (issue 6): mamori in at most a tenth of testssl.sh's time while
 * naming the same obsolete protocols; at most 500 requests per site (counted from nginx's access log).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';
import { startNginx, which } from '../test/site/servers.js';

const bin = fileURLToPath(new URL('../bin/mamori.js', import.meta.url));
const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).length;

/** testssl.sh ids → protocol names. */
const TESTSSL_IDS: Record<string, string> = { SSLv2: 'SSLv2', SSLv3: 'SSLv3', TLS1: 'TLSv1', TLS1_1: 'TLSv1.1', TLS1_2: 'TLSv1.2', TLS1_3: 'TLSv1.3' };
const OBSOLETE = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']);

export default async function bench(): Promise<BenchRow[]> {
  if (!which('nginx')) throw new Error('nginx not installed (apt-get install nginx-light)');
  const fx = await startNginx();
  const work = mkdtempSync(join(tmpdir(), 'mamori-'));
  try {
    const rows: BenchRow[] = [];
    const logBefore = lines(fx.accessLog);
    const t0 = performance.now();
    const m = spawnSync(process.execPath, [bin, 'scan', 'site', `http://127.0.0.1:${fx.oldHttp}/`, '--https-port', String(fx.oldHttps), '--format', 'json', '--rate', '100'], {
      env: { ...process.env, MAMORI_HOME: work, LANG: 'C.UTF-8' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const mamoriSeconds = (performance.now() - t0) / 1000;
    if (m.status !== 0) throw new Error(`mamori exited ${m.status}: ${m.stderr}`);
    const requests = lines(fx.accessLog) - logBefore;
    const doc = JSON.parse(m.stdout) as { findings: { source?: string; evidence?: { protocol?: string; protocols?: { protocol: string; offered: boolean }[] } }[] };
    const grade = doc.findings.find((f) => f.source === 'tls.grade');
    const mamoriOffered = new Set((grade?.evidence?.protocols ?? []).filter((p) => p.offered).map((p) => p.protocol));
    const mamoriObsolete = [...mamoriOffered].filter((p) => OBSOLETE.has(p)).sort();

    let testsslSeconds = NaN;
    let testsslObsolete: string[] = [];
    const testssl = which('testssl') ?? which('testssl.sh');
    if (testssl) {
      const jsonFile = join(work, 'testssl.json');
      const t1 = performance.now();
      const r = spawnSync(testssl, ['--quiet', '--color', '0', '--warnings', 'batch', '--jsonfile', jsonFile, `127.0.0.1:${fx.oldHttps}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 1_800_000 });
      testsslSeconds = (performance.now() - t1) / 1000;
      if (r.error) throw r.error;
      const entries = JSON.parse(readFileSync(jsonFile, 'utf8')) as { id: string; finding: string }[];
      testsslObsolete = entries
        .filter((e) => TESTSSL_IDS[e.id] && /^offered/i.test(e.finding))
        .map((e) => TESTSSL_IDS[e.id]!)
        .filter((p) => OBSOLETE.has(p))
        .sort();
    }
    rows.push({
      name: 'site: whole scan (old site) vs testssl.sh/10',
      value: mamoriSeconds,
      unit: 's',
      against: Number.isFinite(testsslSeconds) ? { kind: 'peer', name: 'testssl.sh ÷ 10', value: testsslSeconds / 10 } : { kind: 'limit', name: 'testssl.sh not installed', value: Infinity },
      lowerIsBetter: true,
      note: `mamori ${mamoriSeconds.toFixed(2)} s (crawl, ~300 exposure probes, TLS protocols + 6 weak-suite families + certificate) vs testssl.sh ${testsslSeconds.toFixed(1)} s (TLS only)`,
    });
    const diff = [...new Set([...mamoriObsolete, ...testsslObsolete])].filter((p) => mamoriObsolete.includes(p) !== testsslObsolete.includes(p));
    rows.push({
      name: 'site: obsolete protocols named differently from testssl.sh',
      value: diff.length,
      unit: 'protocols',
      against: { kind: 'limit', name: 'same set', value: 0 },
      lowerIsBetter: true,
      note: `mamori {${mamoriObsolete.join(', ')}} testssl.sh {${testsslObsolete.join(', ')}}`,
    });
    rows.push({ name: 'site: HTTP requests to the site (nginx access log)', value: requests, unit: 'requests', against: { kind: 'limit', name: 'issue 6', value: 500 }, lowerIsBetter: true });

    // The modern site (redirect, TLS 1.2/1.3 only): time and requests.
    const before2 = lines(fx.accessLog);
    const t2 = performance.now();
    const m2 = spawnSync(process.execPath, [bin, 'scan', 'site', `http://127.0.0.1:${fx.modernHttp}/`, '--ca', fx.pki.caCert, '--format', 'json', '--rate', '100'], { env: { ...process.env, MAMORI_HOME: work }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (m2.status !== 0) throw new Error(`mamori exited ${m2.status}: ${m2.stderr}`);
    rows.push({ name: 'site: whole scan (modern site)', value: (performance.now() - t2) / 1000, unit: 's', against: Number.isFinite(testsslSeconds) ? { kind: 'peer', name: 'testssl.sh ÷ 10 (old site)', value: testsslSeconds / 10 } : undefined, lowerIsBetter: true });
    rows.push({ name: 'site: HTTP requests to the modern site', value: lines(fx.accessLog) - before2, unit: 'requests', against: { kind: 'limit', name: 'issue 6', value: 500 }, lowerIsBetter: true });
    return rows;
  } finally {
    await fx.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
