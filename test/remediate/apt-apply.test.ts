/**
 * `mamori patch plan` → `patch apply` end to end, through the built CLI, against a real Debian 12 root
 * (debootstrap) over a real sshd, with a local apt repository: minihttpd 1.0-1 installed, a security update
 * in bookworm-security. A broken update (1.0-2: its page is gone) is rolled back to 1.0-1 and the command
 * exits 1; the fixed one (1.0-3) is applied, health-checked, and the rescan shows the finding resolved (exit 0).
 * Every command the server received is on the scan allowlist or the apply allowlist, and every mutating one
 * on the apply allowlist.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { debianRootMissing, startDebianTarget } from './debian-root.js';
import { cliEnv, mutatingSince, planFor, sshArgs as targetSsh, useTarget } from './target.js';

const missing = debianRootMissing();
const use = useTarget(missing, startDebianTarget);

const env = () => cliEnv(use.home());
const sshArgs = () => targetSsh(use.target());
const page = async () => {
  const r = await fetch(`http://127.0.0.1:${use.target().port}/`);
  return { status: r.status, body: await r.text() };
};
const installed = () => use.target().sh("dpkg-query -W -f '${Version}' minihttpd");
const checkCommands = (from: number) => ({ mutating: mutatingSince(use.target(), from) });
const plan = (file: string) => planFor(use.target(), use.home(), file.slice(use.home().length + 1));

test('a broken security update is rolled back to the recorded version; the fixed one is applied and the rescan shows it resolved', { skip: missing ?? false, timeout: 900_000 }, async () => {
  // The server's lists know the update (an administrator's `apt-get update` or cron did that).
  use.target().publishSecurity('1.0-2');
  use.target().sh('apt-get -q update');
  assert.equal((await page()).status, 200);

  const planFile = join(use.home(), 'plan-1.json');
  let from = use.target().sshd.commands().length;
  const p1 = await plan(planFile);
  assert.equal(checkCommands(from).mutating.length, 0, 'planning changes nothing');
  assert.equal(p1.schemaVersion, 1);
  assert.equal(p1.hosts.length, 1);
  const h1 = p1.hosts[0]!;
  assert.equal(h1.target, use.target().target);
  const upd = h1.steps.find((s) => s.kind === 'update')!;
  assert.ok(upd, JSON.stringify(h1.steps));
  assert.equal(upd.order, 1);
  assert.equal(upd.tool, 'apt');
  assert.deepEqual(upd.packages, [{ name: 'minihttpd', from: '1.0-1', to: '1.0-2', arch: 'all' }]);
  assert.equal(upd.command, 'apt-get update && apt-get install --only-upgrade minihttpd');
  assert.ok(upd.fixes.length === 1 && /^UPD-/.test(upd.fixes[0]!), JSON.stringify(upd.fixes));
  assert.ok(h1.healthChecks.some((c) => c.kind === 'http'), 'the --check-url');
  assert.ok(h1.healthChecks.some((c) => c.kind === 'port' && c.port === use.target().port), 'the service port that listened at scan time');
  assert.deepEqual(h1.lag.map((l) => [l.packages, l.status]), [[['minihttpd'], 'unknown']], 'no advisory date without the knowledge DB: lag unknown, not "fine"');

  // Without --yes and without a terminal: refused, nothing changed.
  from = use.target().sshd.commands().length;
  const noYes = await runCli(['patch', 'apply', '--plan', planFile, ...sshArgs()], { env: env() });
  assert.equal(noYes.code, 2, noYes.stderr);
  assert.match(noYes.stderr, /--yes/);
  assert.equal(use.target().sshd.commands().length, from, 'not even connected');

  // Another apply holds the lock: exit 2, nothing changed.
  use.target().sh('mkdir /var/lock/mamori-patch.lock');
  const locked = await runCli(['patch', 'apply', '--plan', planFile, ...sshArgs(), '--yes'], { env: env(), timeoutMs: 300_000 });
  assert.equal(locked.code, 2, locked.stderr);
  assert.match(locked.stderr, /holds the lock/);
  assert.equal(installed(), '1.0-1');
  use.target().sh('rmdir /var/lock/mamori-patch.lock');

  // The broken update: applied, its service does not come up (page and port gone), rolled back to 1.0-1.
  from = use.target().sshd.commands().length;
  const logFile = join(use.home(), 'apply-1.json');
  const bad = await runCli(['patch', 'apply', '--plan', planFile, ...sshArgs(), '--yes', '--log', logFile], { env: env(), timeoutMs: 600_000 });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, new RegExp(`ROLLED BACK: health check failed after the update: http://127\\.0\\.0\\.1:${use.target().port}/: http\\.refused.*; port ${use.target().port} does not listen`));
  assert.match(bad.stderr, /rolled back to minihttpd 1\.0-1; health checks pass again/);
  assert.match(bad.stderr, /rescan: 0 of 1 findings? of the plan resolved/, 'the update is still missing, and the report says so');
  assert.equal(installed(), '1.0-1', 'the recorded version is installed again');
  assert.equal((await page()).status, 200, 'the service answers again');
  const m1 = checkCommands(from).mutating;
  assert.deepEqual([...new Set(m1)].sort(), ['aptReinstall', 'aptUpdate', 'aptUpgrade', 'lockAcquire', 'lockRelease']);
  const [rec1] = JSON.parse(readFileSync(logFile, 'utf8')) as { result: { status: string; simulation: unknown; recorded: unknown; health: { after: { ok: boolean }[] } }; log: { argv: string[]; stdout: string }[] }[];
  assert.equal(rec1!.result.status, 'rolled-back');
  assert.deepEqual(rec1!.result.simulation, { upgrades: [{ name: 'minihttpd', from: '1.0-1', to: '1.0-2' }], installs: [], removals: [] });
  assert.deepEqual(rec1!.result.recorded, [{ name: 'minihttpd', version: '1.0-1' }]);
  assert.ok(rec1!.log.some((e) => e.argv.join(' ').startsWith('apt-get -s') && /Inst minihttpd \[1\.0-1\] \(1\.0-2/.test(e.stdout)), 'the simulation and its output are in the log');
  assert.ok(rec1!.log.some((e) => e.argv.includes('minihttpd=1.0-1')), 'the rollback command is in the log');
  assert.match(readFileSync(join(use.home(), 'patch-log', readdirOne(join(use.home(), 'patch-log'))), 'utf8'), /"aptReinstall"/, 'the latest log under $MAMORI_HOME/patch-log is this apply');

  // The fixed update: applied, healthy, rescan resolved.
  use.target().publishSecurity('1.0-3');
  use.target().sh('apt-get -q update');
  const p2 = await plan(join(use.home(), 'plan-2.json'));
  assert.deepEqual(p2.hosts[0]!.steps.find((s) => s.kind === 'update')!.packages, [{ name: 'minihttpd', from: '1.0-1', to: '1.0-3', arch: 'all' }]);
  from = use.target().sshd.commands().length;
  const good = await runCli(['patch', 'apply', '--plan', join(use.home(), 'plan-2.json'), ...sshArgs(), '--yes', '--format', 'json'], { env: env(), timeoutMs: 600_000 });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /: applied/);
  assert.match(good.stderr, /rescan: 1 of 1 findings? of the plan resolved/);
  assert.equal(installed(), '1.0-3');
  const pg = await page();
  assert.equal(pg.status, 200);
  assert.match(pg.body, /shop is open/);
  const out = JSON.parse(good.stdout) as { verify: { resolved: string[]; unresolved: unknown[] } }[];
  assert.deepEqual(out[0]!.verify.unresolved, []);
  assert.deepEqual(out[0]!.verify.resolved, p2.hosts[0]!.steps[0]!.fixes);
  assert.deepEqual([...new Set(checkCommands(from).mutating)].sort(), ['aptUpdate', 'aptUpgrade', 'lockAcquire', 'lockRelease']);

  // An update that would pull an upgrade outside the plan, or remove a package: refused, nothing changed.
  for (const [v, why] of [
    ['1.0-4', /refused \(nothing changed\): the simulation would also upgrade packages outside the plan: minitools/],
    ['1.0-5', /refused \(nothing changed\): the simulation would remove packages: minitools/],
  ] as const) {
    use.target().publishSecurity(v);
    use.target().sh('apt-get -q update');
    const pv = await plan(join(use.home(), `plan-${v}.json`));
    assert.deepEqual(pv.hosts[0]!.steps.find((s) => s.kind === 'update')!.packages.map((x) => x.name), ['minihttpd'], 'minitools 2.0 is not a security update: not in the plan');
    from = use.target().sshd.commands().length;
    const r = await runCli(['patch', 'apply', '--plan', join(use.home(), `plan-${v}.json`), ...sshArgs(), '--yes'], { env: env(), timeoutMs: 600_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, why);
    assert.equal(installed(), '1.0-3');
    assert.equal(use.target().sh("dpkg-query -W -f '${Version}' minitools"), '1.0-1');
    assert.deepEqual([...new Set(checkCommands(from).mutating)].sort(), ['aptUpdate', 'lockAcquire', 'lockRelease'], 'only the lists were refreshed');
  }
  use.target().publishSecurity('1.0-3');
  use.target().sh('apt-get -q update');

  // Applying the same plan again: nothing to do, nothing changed (exit 2).
  const again = await runCli(['patch', 'apply', '--plan', join(use.home(), 'plan-2.json'), ...sshArgs(), '--yes'], { env: env(), timeoutMs: 600_000 });
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /nothing to do/);
});

const readdirOne = (dir: string): string => readdirSync(dir).sort().at(-1)!;
