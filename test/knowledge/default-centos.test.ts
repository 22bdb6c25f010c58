/**
 * The case: a fresh $MAMORI_HOME on a machine without network, `mamori scan host` of an old CentOS 6
 * shop server (test/host/centos-root.ts: a real rpm database, Apache 2.2 built from source under
 * /usr/local/apache2) over a real chrooted sshd. End of life and CVE findings come from the embedded snapshot,
 * the report names its date, and the refresh that could not reach any feed (a closed loopback port) is a gap.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ReportDocument } from '../../src/core/model.js';
import { readEmbeddedData } from '../../src/knowledge/snapshot/index.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { buildCentosRoot, centosRootMissing, type CentosRoot } from '../host/centos-root.js';
import { sshdMissing, startSshd, type Sshd } from '../host/sshd.js';
import { freePort } from '../site/servers.js';

const missing = sshdMissing() ?? centosRootMissing();
let box: CentosRoot | undefined;
let sshd: Sshd | undefined;
let home = '';

before(async () => {
  if (missing) return;
  box = buildCentosRoot();
  sshd = await startSshd({ exec: box.sshExec });
  home = mkdtempSync(join(tmpdir(), 'mamori-home-'));
});
after(async () => {
  await sshd?.stop();
  if (box) rmSync(box.dir, { recursive: true, force: true });
  if (home) rmSync(home, { recursive: true, force: true });
});

test('no network, fresh home: scan host of a CentOS 6 server reports end of life and CVEs from the embedded snapshot and names its date', { skip: missing ?? false, timeout: 240_000 }, async () => {
  const s = sshd!;
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ mirror: `http://127.0.0.1:${await freePort()}` }));
  const r = await runCli(['scan', 'host', '--ssh', `${s.user}@127.0.0.1:${s.port}`, '--identity', s.userKey, '--known-hosts', s.knownHosts, '--format', 'json', '--lang', 'en'], {
    env: { MAMORI_HOME: home, MAMORI_OFFLINE: '' },
    timeoutMs: 200_000,
  });
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as ReportDocument;
  const date = readEmbeddedData(join(repoRoot, 'data')).date;
  assert.equal(doc.knowledge.snapshot?.kind, 'embedded');
  assert.equal(doc.knowledge.snapshot?.builtAt.slice(0, 10), date);
  assert.equal(doc.knowledge.snapshot?.refresh, 'failed');
  assert.match(r.stderr, new RegExp(`loaded the embedded snapshot of ${date}`));
  const titles = doc.findings.map((f) => `${f.category}: ${f.title}`);
  assert.ok(titles.some((t) => /^end-of-life: CentOS .*6 reached end of life on 2020-11-30/.test(t)), titles.join('\n'));
  assert.ok(titles.some((t) => /^end-of-life: apache-httpd 2\.2 reached end of life on 2017-07-11/.test(t)), titles.join('\n'));
  const httpd = doc.findings.find((f) => f.category === 'vulnerability' && /apache-httpd 2\.2\.31/.test(f.title));
  assert.ok(httpd && (httpd.cves?.length ?? 0) >= 10, 'the source-built Apache 2.2.31 gets the CVEs of the httpd feed');
  assert.match(doc.gaps.find((g) => g.code === 'knowledge.gap.failed')?.why ?? '', /ECONNREFUSED/);
});
