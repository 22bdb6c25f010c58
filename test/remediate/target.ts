/**
 * What the apt and dnf apply tests share: a target reached over a test sshd, the CLI arguments that reach it,
 * planning through the CLI, and the check that every command the server received is on the scan allowlist or
 * the apply allowlist (and which mutating ones ran).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { isAllowlistedCommandWords, parseInvocation } from '../../src/collect/transport/remote.js';
import { applyCommandId, MUTATING } from '../../src/remediate/allowlist.js';
import type { PatchPlan } from '../../src/remediate/plan.js';
import { runCli } from '../helpers/cli.js';
import type { Sshd } from '../host/sshd.js';

/** Prefix of the commands the test itself sends (set-up, assertions), so command checks can tell them apart. */
export const TEST_MARK = ': mamori-test;';

export interface PatchTarget {
  sshd: Sshd;
  /** The service's port on 127.0.0.1. */
  port: number;
  /** `root@127.0.0.1:PORT`: the transport's name, and the plan's target. */
  target: string;
  /** Run a shell command on the target through the sshd (marked as the test's own). */
  sh(command: string): string;
  stop(): Promise<void>;
}

/** A shell on the target through the sshd, as root, for the test's own set-up and assertions. */
export const testShell =
  (sshd: Sshd, prelude = '') =>
  (command: string): string =>
    execFileSync('ssh', ['-q', '-i', sshd.userKey, '-o', `UserKnownHostsFile=${sshd.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', String(sshd.port), 'root@127.0.0.1', `${TEST_MARK} ${prelude}${command}`], { timeout: 120_000 }).toString('utf8');

export const sshArgs = (t: PatchTarget) => ['--ssh', t.target, '--identity', t.sshd.userKey, '--known-hosts', t.sshd.knownHosts];
export const cliEnv = (home: string) => ({ MAMORI_HOME: home, HOME: home });

/** `mamori patch plan --ssh … --check-url <the service> --format json --output home/file`. */
export async function planFor(t: PatchTarget, home: string, file: string): Promise<PatchPlan> {
  const out = join(home, file);
  const r = await runCli(['patch', 'plan', ...sshArgs(t), '--check-url', `http://127.0.0.1:${t.port}/`, '--format', 'json', '--output', out], { env: cliEnv(home), timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as PatchPlan;
}

/** The mutating apply commands the server received from index `from` on; fails on anything on neither allowlist. */
export function mutatingSince(t: PatchTarget, from: number): string[] {
  const out = new Set<string>();
  for (const c of t.sshd.commands().slice(from).filter((x) => !x.startsWith(TEST_MARK))) {
    const inv = parseInvocation(c);
    assert.ok(inv, `not an invocation mamori renders: ${c}`);
    for (const words of inv.commands) {
      const scan = isAllowlistedCommandWords(words);
      const apply = applyCommandId(words);
      assert.ok(scan || apply, `on neither allowlist: ${words.join(' ')}`);
      // The scan allowlist never changes anything: whatever it accepts is not a mutating apply command.
      assert.ok(!(scan && apply && MUTATING.has(apply)), words.join(' '));
      if (apply && MUTATING.has(apply)) out.add(apply);
    }
  }
  return [...out].sort();
}

/** Start the target (and a private $MAMORI_HOME) before the file's tests, stop both after. */
export function useTarget<T extends PatchTarget>(missing: string | undefined, start: () => Promise<T>): { target: () => T; home: () => string } {
  let t: T | undefined;
  let home = '';
  before(async () => {
    if (missing) return;
    t = await start();
    home = mkdtempSync(join(tmpdir(), 'mamori-patch-home-'));
  });
  after(async () => {
    await t?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  return { target: () => t!, home: () => home };
}
