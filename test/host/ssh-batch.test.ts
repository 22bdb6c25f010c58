/**
 * Several commands per SSH invocation, against a real sshd: the server's MaxSessions is found by itself
 * (nothing lost when it refuses a channel), a command that prints too much or hangs fails alone and the
 * commands batched after it still run, every answer is the one of its own command.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { collectHost, type HostScanResult } from '../../src/collect/host/index.js';
import { LocalTransport } from '../../src/collect/transport/local.js';
import { isAllowlistedRemote, parseInvocation } from '../../src/collect/transport/remote.js';
import { SshTransport, type SshOptions } from '../../src/collect/transport/ssh.js';
import { sshdMissing, startSshd, type Sshd } from './sshd.js';

const missing = sshdMissing();
let dir: string;
const servers: Sshd[] = [];
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-'));
  chmodSync(dir, 0o755);
});
after(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(s: Sshd, extra: Partial<SshOptions> = {}) {
  return SshTransport.connect({ user: s.user, host: '127.0.0.1', port: s.port }, { identity: s.userKey, knownHosts: s.knownHosts, acceptNewHostKey: false, sudo: false, timeoutMs: 60_000, ...extra });
}

const comparable = (r: HostScanResult) => ({ packages: r.inventory.packages, pending: r.inventory.pendingUpdates, os: r.inventory.os, components: r.inventory.components, web: r.web, gaps: r.gaps.map((g) => g.what).sort() });

test('a server that allows 2 sessions per connection: the scan lowers its channels and loses nothing', { skip: missing ?? false, timeout: 180_000 }, async () => {
  const s = await startSshd({ maxSessions: 2 });
  servers.push(s);
  const ssh = await connect(s);
  let remote: HostScanResult;
  try {
    remote = await collectHost(ssh, { docroots: [] });
  } finally {
    await ssh.close();
  }
  const st = ssh.stats;
  assert.ok(st.channelLimit <= 2, `channel limit ${st.channelLimit}`);
  assert.ok(st.requeued > 0, 'refused channels were queued again');
  const local = await collectHost(new LocalTransport({ timeoutMs: 60_000, sudo: false }), { docroots: [] });
  assert.deepEqual(comparable(remote), comparable(local));
  assert.ok(!remote.gaps.some((g) => /open failed|channel/i.test(g.why)), 'no command failed for want of a channel');
});

test('too much output or a hang fails that command alone; the ones batched after it run', { skip: missing ?? false, timeout: 120_000 }, async () => {
  const s = await startSshd();
  servers.push(s);
  const small = (i: number) => join(dir, `small ${i}'s.txt`);
  for (let i = 0; i < 4; i++) writeFileSync(small(i), `file ${i}\n`);
  writeFileSync(join(dir, 'big.txt'), 'x'.repeat(50_000));
  const fifo = join(dir, 'never-written');
  execFileSync('mkfifo', [fifo]);
  // Small reads asked in one turn share an invocation: the big one (second) and the FIFO (fourth) sit among them.
  const ssh = await connect(s, { maxOutput: 10_000, timeoutMs: 1500 });
  try {
    const [a, big, b, hang, c, d] = await Promise.all([ssh.run('readFile', { path: small(0), bytes: '100000' }), ssh.run('readFile', { path: join(dir, 'big.txt'), bytes: '100000' }), ssh.run('readFile', { path: small(1), bytes: '100000' }), ssh.run('readFile', { path: fifo, bytes: '100' }), ssh.run('readFile', { path: small(2), bytes: '100000' }), ssh.run('readFile', { path: small(3), bytes: '100000' })]);
    assert.equal(big.failure, 'too-large');
    assert.ok(big.stdout.length <= 10_000 && big.stdout.every((x) => x === 0x78), 'what came before the cap, and only the big file');
    assert.equal(hang.failure, 'timeout');
    assert.deepEqual(
      [a, b, c, d].map((r) => [r.code, r.failure, r.stdout.toString()]),
      [0, 1, 2, 3].map((i) => [0, undefined, `file ${i}\n`]),
    );
    assert.ok(ssh.stats.requeued >= 1);
    assert.ok(ssh.stats.invocations < 6, `batched: ${ssh.stats.invocations} invocations for 6 reads`);
  } finally {
    await ssh.close();
    // Release the reads still blocked on the FIFO over there (they would wait forever).
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader left
    }
  }
  const received = s.commands();
  assert.ok(received.some((c) => (parseInvocation(c)?.commands.length ?? 0) > 1), 'several commands in one invocation');
  assert.deepEqual(
    received.filter((c) => !isAllowlistedRemote(c)),
    [],
  );
});
