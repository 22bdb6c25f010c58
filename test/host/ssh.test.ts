/**
 * Agentless SSH against a real sshd on 127.0.0.1: the SSH scan equals the local scan, every command the
 * server received is on the read-only allowlist, and a wrong host key / unknown host / refused key exit 2.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { collectHost, type HostScanResult } from '../../src/collect/host/index.js';
import { isAllowlistedRemote, parseInvocation } from '../../src/collect/transport/remote.js';
import { LocalTransport } from '../../src/collect/transport/local.js';
import { SshTransport } from '../../src/collect/transport/ssh.js';
import { runCli } from '../helpers/cli.js';
import { sshdMissing, startSshd, type Sshd } from './sshd.js';
import { customersCsv } from './docroot-tree.js';
import { loadPii } from '../../src/collect/host/pii-bridge.js';

const missing = sshdMissing();
let sshd: Sshd | undefined;
let docroot: string;

before(async () => {
  if (missing) return;
  sshd = await startSshd();
  docroot = mkdtempSync(join(tmpdir(), 'mamori-'));
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(join(docroot, 'wp-includes'), { recursive: true });
  writeFileSync(join(docroot, 'wp-includes/version.php'), "<?php\n$wp_version = '4.9.8';\n");
  mkdirSync(join(docroot, 'data'), { recursive: true });
  writeFileSync(join(docroot, 'data/.htaccess'), 'Require all denied\n');
  writeFileSync(join(docroot, 'data/members.csv'), customersCsv(30));
  writeFileSync(join(docroot, 'order_export.csv'), customersCsv(25));
});
after(async () => {
  await sshd?.stop();
  if (docroot) rmSync(docroot, { recursive: true, force: true });
});

/**
 * What must be equal: everything but processes and sockets (the SSH session and other jobs come and go) —
 * including web servers other tests start from temporary directories (`nginx -c /tmp/…`), which the process
 * list shows to one scan and not to the other.
 */
function comparable(r: HostScanResult) {
  const transient = (p: string | undefined) => Boolean(p?.startsWith(`${tmpdir()}/`) && !p.startsWith(docroot));
  const inv = {
    ...r.inventory,
    listening: undefined,
    kernel: r.inventory.kernel ? { ...r.inventory.kernel, staleProcesses: undefined } : undefined,
    webServers: r.inventory.webServers?.filter((w) => !transient(w.files[0])),
    docroots: r.inventory.docroots?.filter((d) => !transient(d.path)),
    components: r.inventory.components.filter((c) => !transient(c.location)),
    packages: r.inventory.packages.filter((p) => !transient(p.location)),
  };
  return {
    inventory: inv,
    findings: r.findings.filter((f) => f.source !== 'host:proc-maps' && !transient(f.location)).map((f) => f.id).sort(),
    gaps: r.gaps.filter((g) => !transient(`${g.what} ${g.why}`.match(/\/\S+/)?.[0])).map((g) => `${g.what}: ${g.why}`).sort(),
    web: { ...r.web, configs: r.web.configs.filter((c) => !transient(c.files[0])) },
  };
}

test('SSH scan equals the local scan and runs only allowlisted commands', { skip: missing ?? false, timeout: 180_000 }, async () => {
  const s = sshd!;
  const ssh = await SshTransport.connect({ user: s.user, host: '127.0.0.1', port: s.port }, { identity: s.userKey, knownHosts: s.knownHosts, acceptNewHostKey: false, sudo: false, timeoutMs: 120_000 });
  const pii = await loadPii();
  const piiMod = pii.ok ? pii.mod : undefined;
  let remote: HostScanResult;
  try {
    remote = await collectHost(ssh, { docroots: [docroot], pii: piiMod });
  } finally {
    await ssh.close();
  }
  const local = await collectHost(new LocalTransport({ timeoutMs: 120_000, sudo: false }), { docroots: [docroot], pii: piiMod });
  if (piiMod) {
    const p = remote.findings.filter((f) => f.category === 'personal-data-exposure').map((f) => [f.location!.slice(docroot.length + 1), f.evidence?.served]);
    assert.deepEqual(p.sort(), [['data/members.csv', 'unknown'], ['order_export.csv', 'unknown']], 'personal data found over SSH with the served verdict');
  }
  assert.ok(remote.inventory.packages.length > 0 || remote.gaps.length > 0);
  assert.deepEqual(comparable(remote), comparable(local));
  assert.ok(remote.inventory.components.some((c) => c.name === 'wordpress' && c.version === '4.9.8'), 'docroot walked over SSH');
  const received = s.commands();
  assert.ok(received.length >= 3, `the server received the scan's commands (${received.length} invocations)`);
  const refused = received.filter((c) => !isAllowlistedRemote(c));
  assert.deepEqual(refused, [], 'every command is on the allowlist');
  // Each invocation is exactly mamori's rendering (parseInvocation re-renders it): its only redirections are
  // stdin from /dev/null and the markers on stderr; the commands it runs are these.
  const commands = received.flatMap((c) => parseInvocation(c)?.commands ?? [['unparsable', c]]).map((w) => w.join(' '));
  assert.ok(commands.length >= 10);
  assert.ok(!commands.some((c) => /apt-get (update|upgrade|install)|yum makecache|\brm\b|>/.test(c)), 'nothing that writes');
});

test('host key mismatch: exit 2 with what to do', { skip: missing ?? false, timeout: 60_000 }, async () => {
  const s = sshd!;
  const r = await runCli(['scan', 'host', '--ssh', `${s.user}@127.0.0.1:${s.port}`, '--identity', s.userKey, '--known-hosts', s.wrongKnownHosts, '--format', 'json']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /does not match/);
  assert.match(r.stderr, /ssh-keygen -R/);
  assert.match(r.stderr, /SHA256:[A-Za-z0-9+/]{43}/, 'the offered key fingerprint');
  assert.equal(r.stdout, '');
});

test('unknown host: exit 2 unless --accept-new-host-key, which records the key', { skip: missing ?? false, timeout: 120_000 }, async () => {
  const s = sshd!;
  const kh = join(s.dir, 'fresh_known_hosts');
  const r = await runCli(['scan', 'host', '--ssh', `${s.user}@127.0.0.1:${s.port}`, '--identity', s.userKey, '--known-hosts', kh, '--format', 'json']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /ssh-keyscan|--accept-new-host-key/);
  assert.equal(existsSync(kh), false);
  const ok = await runCli(['scan', 'host', '--ssh', `${s.user}@127.0.0.1:${s.port}`, '--identity', s.userKey, '--known-hosts', kh, '--accept-new-host-key', '--format', 'json']);
  assert.equal(ok.code, 0, ok.stderr);
  const doc = JSON.parse(ok.stdout) as { target: { kind: string }; inventory: { packages: unknown[] } };
  assert.equal(doc.target.kind, 'host');
  assert.ok(readFileSync(kh, 'utf8').startsWith(`[127.0.0.1]:${s.port} ssh-ed25519 `));
});

test('a key the server refuses: exit 2 with what to do', { skip: missing ?? false, timeout: 60_000 }, async () => {
  const s = sshd!;
  const r = await runCli(['scan', 'host', '--ssh', `${s.user}@127.0.0.1:${s.port}`, '--identity', s.strangerKey, '--known-hosts', s.knownHosts], { env: { SSH_AUTH_SOCK: '' } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /authentication failed/);
  assert.match(r.stderr, /--identity/);
});

test('--docroot must be absolute with --ssh: usage error before connecting', async () => {
  const r = await runCli(['scan', 'host', '--ssh', 'root@127.0.0.1:1', '--docroot', 'public_html']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /absolute path/);
});

test('an identity file that is no key: SshError identity before any SSH, and the TCP connection it opened is closed (no leak, no uncaught error)', { timeout: 60_000 }, async () => {
  const { createServer } = await import('node:net');
  const { writeFileSync } = await import('node:fs');
  const { SshError } = await import('../../src/collect/transport/ssh.js');
  const dir = mkdtempSync(join(tmpdir(), 'mamori-ssh-badkey-'));
  // a loopback listener that says nothing: a connection stays open until one side closes it
  const accepted = new Set<import('node:net').Socket>();
  const server = createServer((c) => {
    accepted.add(c);
    c.once('close', () => accepted.delete(c));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  try {
    writeFileSync(join(dir, 'id'), 'not a key\n');
    writeFileSync(join(dir, 'known_hosts'), '');
    const before = sockets();
    await assert.rejects(
      SshTransport.connect({ user: 'root', host: '127.0.0.1', port }, { identity: join(dir, 'id'), knownHosts: join(dir, 'known_hosts'), acceptNewHostKey: false, sudo: false, timeoutMs: 10_000 }),
      (err: Error) => err instanceof SshError && err.kind === 'identity',
    );
    // the transport opened its socket before the key was refused: it must close it (both ends gone), not leave it
    const end = Date.now() + 10_000;
    while ((sockets() > before || accepted.size) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.ok(sockets() <= before, `TCP sockets left open by the refused connect: ${sockets() - before}`);
    assert.equal(accepted.size, 0, 'the listener has no connection left');
  } finally {
    for (const c of accepted) c.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
