import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedArgv, SudoFallback } from './common.js';
import type { ExecResult } from './types.js';

const ok: ExecResult = { code: 0, stdout: Buffer.from('x'), stderr: '' };
// What `sudo -n` prints when it needs a password (sudo 1.9).
const sudoNeedsPassword: ExecResult = { code: 1, stdout: Buffer.alloc(0), stderr: 'sudo: a password is required\n' };

/** A command run that records whether sudo was asked for; answers `withSudo` under sudo, else ok (after `ms`). */
function recorder(withSudo: ExecResult, ms = 0) {
  const calls: boolean[] = [];
  const exec = async (sudo: boolean) => {
    calls.push(sudo);
    if (ms) await new Promise((r) => setTimeout(r, ms));
    return sudo ? withSudo : ok;
  };
  return { calls, exec };
}

test('sudo fallback: refused once → one problem line, the command re-runs without sudo, later commands skip sudo', async () => {
  const problems: string[] = [];
  const s = new SudoFallback(true, problems, 'as deploy');
  const { calls, exec } = recorder(sudoNeedsPassword);
  assert.equal(await s.run('readFile', exec), ok);
  assert.deepEqual(calls, [true, false]);
  assert.deepEqual(problems, ['sudo -n refused (sudo: a password is required): root-only reads ran as deploy']);
  assert.equal(s.active, false);
  await s.run('readFile', exec);
  assert.deepEqual(calls, [true, false, false]);
  assert.equal(problems.length, 1);
});

test('sudo only for commands that want root, and never when not asked for', async () => {
  const calls: boolean[] = [];
  const exec = async (sudo: boolean) => (calls.push(sudo), ok);
  await new SudoFallback(true, [], 'unprivileged').run('dpkgQuery', exec);
  await new SudoFallback(false, [], 'unprivileged').run('readFile', exec);
  assert.deepEqual(calls, [false, false]);
});

test('a command the allowlist refuses never runs: its result says why', () => {
  const r = allowedArgv('readFile', { path: '/var/www/../../etc/shadow', bytes: '10' });
  assert.ok('refused' in r);
  assert.equal(r.refused.code, null);
  assert.equal(r.refused.failure, 'error');
  assert.match(r.refused.stderr, /refused value for \{path\}/);
  const fine = allowedArgv('readFile', { path: '/etc/os-release', bytes: '10' });
  assert.ok('args' in fine && fine.args.includes('/etc/os-release'));
});

test('sudo refused for several commands asked together: one problem line, each re-runs without sudo', async () => {
  const problems: string[] = [];
  const s = new SudoFallback(true, problems, 'as deploy');
  const { calls, exec } = recorder(sudoNeedsPassword, 5);
  const rs = await Promise.all([s.run('readFile', exec), s.run('walk', exec), s.run('listDir', exec)]);
  assert.deepEqual(rs, [ok, ok, ok]);
  assert.deepEqual(calls, [true, true, true, false, false, false]);
  assert.equal(problems.length, 1);
});

test('no sudo on the target (shell: not found; locally ENOENT): like a refusal, the command re-runs without sudo', async () => {
  for (const missing of [
    { code: 127, stdout: Buffer.alloc(0), stderr: '/bin/sh: 1: sudo: not found\n', failure: 'missing' as const },
    { code: 127, stdout: Buffer.alloc(0), stderr: 'bash: line 1: sudo: command not found\n', failure: 'missing' as const },
    { code: null, stdout: Buffer.alloc(0), stderr: '', failure: 'missing' as const },
  ]) {
    const problems: string[] = [];
    const { calls, exec } = recorder(missing);
    const r = await new SudoFallback(true, problems, 'as deploy').run('readFile', exec);
    assert.equal(r, ok);
    assert.deepEqual(calls, [true, false]);
    assert.equal(problems.length, 1);
  }
  // A command that is itself missing under sudo is not mistaken for a missing sudo.
  const calls: boolean[] = [];
  const envMissing: ExecResult = { code: 127, stdout: Buffer.alloc(0), stderr: "env: 'apache2': No such file or directory\n", failure: 'missing' };
  const r = await new SudoFallback(true, [], 'as deploy').run('apache2V', async (sudo) => (calls.push(sudo), envMissing));
  assert.equal(r, envMissing);
  assert.deepEqual(calls, [true]);
});
