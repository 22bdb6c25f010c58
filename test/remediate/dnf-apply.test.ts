/**
 * The dnf path of `mamori patch apply`, end to end through the built CLI: a real dnf and rpm database on an
 * installroot (see rpm-root.ts for what is real and what is redirected), a security advisory in the
 * repository's updateinfo. The broken update (1.0-2: the page is gone) is undone with `dnf history undo`;
 * the fixed one (1.0-3) is applied and the rescan shows it resolved.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isAllowlistedRemote } from '../../src/collect/transport/allowlist.js';
import { isApplyAllowlistedRemote, MUTATING } from '../../src/remediate/allowlist.js';
import type { PatchPlan } from '../../src/remediate/plan.js';
import { runCli } from '../helpers/cli.js';
import { TEST_MARK } from './debian-root.js';
import { rpmRootMissing, startRpmTarget, type RpmTarget } from './rpm-root.js';

const missing = rpmRootMissing();
let d: RpmTarget | undefined;
let home: string;

before(async () => {
  if (missing) return;
  d = await startRpmTarget();
  home = mkdtempSync(join(tmpdir(), 'mamori-patch-home-'));
});
after(async () => {
  await d?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

const env = () => ({ MAMORI_HOME: home, HOME: home });
const sshArgs = () => ['--ssh', d!.target, '--identity', d!.sshd.userKey, '--known-hosts', d!.sshd.knownHosts];
const installed = () => d!.sh("rpm -q --qf '%{VERSION}-%{RELEASE}' minihttpd");
const status = async () => (await fetch(`http://127.0.0.1:${d!.port}/`)).status;

function mutating(from: number): string[] {
  const out: string[] = [];
  for (const c of d!.sshd.commands().slice(from).filter((x) => !x.startsWith(TEST_MARK))) {
    const a = isApplyAllowlistedRemote(c);
    assert.ok(a || isAllowlistedRemote(c), `not on either allowlist: ${c}`);
    if (a && MUTATING.has(a.id)) out.push(a.id);
  }
  return [...new Set(out)].sort();
}

async function plan(file: string): Promise<PatchPlan> {
  const r = await runCli(['patch', 'plan', ...sshArgs(), '--check-url', `http://127.0.0.1:${d!.port}/`, '--format', 'json', '--output', file], { env: env(), timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(file, 'utf8')) as PatchPlan;
}

test('dnf: a broken update is undone with dnf history undo; the fixed one is applied and resolved', { skip: missing ?? false, timeout: 900_000 }, async () => {
  d!.publishSecurity('1.0-2');
  d!.sh('dnf -q makecache');
  const p1 = await plan(join(home, 'plan-1.json'));
  const h = p1.hosts[0]!;
  assert.equal(h.os?.family, 'rocky');
  const u = h.steps.find((s) => s.kind === 'update')!;
  assert.ok(u, JSON.stringify(h));
  assert.equal(u.tool, 'dnf');
  assert.deepEqual(u.packages, [{ name: 'minihttpd', from: '1.0-1', to: '1.0-2', arch: 'noarch' }]);
  assert.deepEqual(u.advisories, ['RLSA-2026:0002']);
  assert.equal(u.command, 'dnf upgrade --advisory=RLSA-2026:0002');

  let from = d!.sshd.commands().length;
  const bad = await runCli(['patch', 'apply', '--plan', join(home, 'plan-1.json'), ...sshArgs(), '--yes', '--log', join(home, 'log-1.json')], { env: env(), timeoutMs: 600_000 });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /ROLLED BACK: health check failed after the update: http:\/\/127\.0\.0\.1:\d+\/: 200 → 404/);
  assert.match(bad.stderr, /health checks pass again/);
  assert.equal(installed(), '1.0-1');
  assert.equal(await status(), 200);
  assert.deepEqual(mutating(from), ['dnfUndo', 'dnfUpgrade', 'lockAcquire', 'lockRelease']);
  const [rec] = JSON.parse(readFileSync(join(home, 'log-1.json'), 'utf8')) as { result: { simulation: unknown }; log: { argv: string[] }[] }[];
  assert.deepEqual(rec!.result.simulation, { upgrades: [{ name: 'minihttpd', to: '1.0-2' }], installs: [], removals: [] });
  assert.ok(rec!.log.some((e) => e.argv.join(' ') === 'dnf -y -q history undo 2'), 'the transaction of the update is undone');

  d!.publishSecurity('1.0-3');
  d!.sh('dnf -q makecache');
  await plan(join(home, 'plan-2.json'));
  from = d!.sshd.commands().length;
  const good = await runCli(['patch', 'apply', '--plan', join(home, 'plan-2.json'), ...sshArgs(), '--yes'], { env: env(), timeoutMs: 600_000 });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /rescan: 1 of 1 finding\(s\) of the plan resolved/);
  assert.equal(installed(), '1.0-3');
  assert.equal(await status(), 200);
  assert.deepEqual(mutating(from), ['dnfUpgrade', 'lockAcquire', 'lockRelease']);
});
