/**
 * A real OpenSSH sshd on 127.0.0.1 for tests and benchmarks: generated host and user keys, a forced
 * command that records every command it receives ($SSH_ORIGINAL_COMMAND) before running it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  dir: string;
  port: number;
  user: string;
  userKey: string;
  /** A known_hosts file with the server's real key. */
  knownHosts: string;
  /** A known_hosts file with a different key for the same host and port. */
  wrongKnownHosts: string;
  /** A key the server does not accept. */
  strangerKey: string;
  /** Commands received so far, one per line. */
  commands(): string[];
  stop(): Promise<void>;
}

export const sshdMissing = (): string | undefined => (existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen') ? undefined : 'openssh-server (sshd, ssh-keygen) not installed');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' });

/** `exec`: the forced command's last line, which runs "$SSH_ORIGINAL_COMMAND" (default: `/bin/sh -c` on this machine). */
export async function startSshd(opts: { exec?: string } = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-'));
  const user = userInfo().username;
  for (const k of ['host', 'user', 'other-host', 'stranger']) keygen(join(dir, k));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user.pub')));
  const log = join(dir, 'commands.log');
  writeFileSync(log, '');
  const force = join(dir, 'force.sh');
  writeFileSync(force, `#!/bin/sh\nprintf '%s\\n' "$SSH_ORIGINAL_COMMAND" >> '${log}'\n${opts.exec ?? 'exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"'}\n`);
  chmodSync(force, 0o755);
  const port = await freePort();
  const conf = join(dir, 'sshd_config');
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'MaxSessions 32',
      'MaxStartups 32',
      `ForceCommand ${force}`,
      'LogLevel ERROR',
      // bash sources ~/.bashrc for commands run by sshd; the test machine's root .bashrc loads pyenv (seconds per
      // command). A private HOME keeps the measurement about mamori, not about that file.
      `SetEnv HOME=${dir}`,
      '',
    ].join('\n'),
  );
  const hostPub = readFileSync(join(dir, 'host.pub'), 'utf8').trim().split(' ');
  const otherPub = readFileSync(join(dir, 'other-host.pub'), 'utf8').trim().split(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}\n`);
  writeFileSync(join(dir, 'wrong_known_hosts'), `[127.0.0.1]:${port} ${otherPub[0]} ${otherPub[1]}\n`);
  // sshd's privilege-separation directory is compiled in (/run/sshd); systemd creates it for the service
  // (RuntimeDirectory=sshd). Without the service running, create it the same way (empty, root-owned, 0755).
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // Wait until it accepts connections.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dir,
    port,
    user,
    userKey: join(dir, 'user'),
    knownHosts: join(dir, 'known_hosts'),
    wrongKnownHosts: join(dir, 'wrong_known_hosts'),
    strangerKey: join(dir, 'stranger'),
    commands: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
