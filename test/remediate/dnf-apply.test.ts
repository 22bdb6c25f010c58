/**
 * The dnf path of `mamori patch apply`, end to end through the built CLI: a real dnf and rpm database on an
 * installroot (see rpm-root.ts for what is real and what is redirected), a security advisory in the
 * repository's updateinfo. The broken update (1.0-2: the page is gone) is undone with `dnf history undo`;
 * the fixed one (1.0-3) is applied and the rescan shows it resolved.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { rpmRootMissing, startRpmTarget } from './rpm-root.js';
import { cliEnv, mutatingSince, planFor, sshArgs as targetSsh, useTarget } from './target.js';

const missing = rpmRootMissing();
const use = useTarget(missing, startRpmTarget);

const env = () => cliEnv(use.home());
const sshArgs = () => targetSsh(use.target());
const installed = () => use.target().sh("rpm -q --qf '%{VERSION}-%{RELEASE}' minihttpd");
const status = async () => (await fetch(`http://127.0.0.1:${use.target().port}/`)).status;
const mutating = (from: number) => mutatingSince(use.target(), from);
const plan = (file: string) => planFor(use.target(), use.home(), file.slice(use.home().length + 1));

test('dnf: a broken update is undone with dnf history undo; the fixed one is applied and resolved', { skip: missing ?? false, timeout: 900_000 }, async () => {
  use.target().publishSecurity('1.0-2');
  use.target().sh('dnf -q makecache');
  const p1 = await plan(join(use.home(), 'plan-1.json'));
  const h = p1.hosts[0]!;
  assert.equal(h.os?.family, 'rocky');
  const u = h.steps.find((s) => s.kind === 'update')!;
  assert.ok(u, JSON.stringify(h));
  assert.equal(u.tool, 'dnf');
  assert.deepEqual(u.packages, [{ name: 'minihttpd', from: '1.0-1', to: '1.0-2', arch: 'noarch' }]);
  assert.deepEqual(u.advisories, ['RLSA-2026:0002']);
  assert.equal(u.command, 'dnf upgrade --advisory=RLSA-2026:0002');

  let from = use.target().sshd.commands().length;
  const bad = await runCli(['patch', 'apply', '--plan', join(use.home(), 'plan-1.json'), ...sshArgs(), '--yes', '--log', join(use.home(), 'log-1.json')], { env: env(), timeoutMs: 600_000 });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /ROLLED BACK: health check failed after the update: http:\/\/127\.0\.0\.1:\d+\/: 200 → 404/);
  assert.match(bad.stderr, /health checks pass again/);
  assert.equal(installed(), '1.0-1');
  assert.equal(await status(), 200);
  assert.deepEqual(mutating(from), ['dnfUndo', 'dnfUpgrade', 'lockAcquire', 'lockRelease']);
  const [rec] = JSON.parse(readFileSync(join(use.home(), 'log-1.json'), 'utf8')) as { result: { simulation: unknown }; log: { argv: string[] }[] }[];
  assert.deepEqual(rec!.result.simulation, { upgrades: [{ name: 'minihttpd', to: '1.0-2' }], installs: [], removals: [] });
  assert.ok(rec!.log.some((e) => e.argv.join(' ') === 'dnf -y -q history undo 2'), 'the transaction of the update is undone');

  use.target().publishSecurity('1.0-3');
  use.target().sh('dnf -q makecache');
  await plan(join(use.home(), 'plan-2.json'));
  from = use.target().sshd.commands().length;
  const good = await runCli(['patch', 'apply', '--plan', join(use.home(), 'plan-2.json'), ...sshArgs(), '--yes'], { env: env(), timeoutMs: 600_000 });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /rescan: 1 of 1 findings? of the plan resolved/);
  assert.equal(installed(), '1.0-3');
  assert.equal(await status(), 200);
  assert.deepEqual(mutating(from), ['dnfUpgrade', 'lockAcquire', 'lockRelease']);
});
