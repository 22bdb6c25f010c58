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

export async function freePort(): Promise<number> {
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

export interface SshdOptions {
  /** Address to listen on (default 127.0.0.1). */
  listen?: string;
  /** Run sshd inside this network namespace (`ip netns exec NS sshd …`). */
  netns?: string;
  /** sshd's MaxSessions (sessions open at once per connection; default here 32, OpenSSH's own default 10). */
  maxSessions?: number;
  /** The forced command's last line, which runs "$SSH_ORIGINAL_COMMAND" (default: the user's login shell, as sshd does). */
  exec?: string;
  /** Wrap sshd's argument vector (e.g. in `unshare` for a private pid and mount namespace). */
  wrap?: (argv: string[]) => string[];
  /** How stop() ends the process (a wrapper such as `unshare --kill-child` ignores SIGTERM). */
  stopSignal?: NodeJS.Signals;
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const listen = opts.listen ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'mamori-'));
  // Other users (test/host/login-shell.test.ts logs in as users whose shell is fish or tcsh) run the forced
  // command, append to its log and get a writable HOME: the directory is readable, home/ is like /tmp.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'home'), { mode: 0o1777 });
  chmodSync(join(dir, 'home'), 0o1777);
  const user = userInfo().username;
  for (const k of ['host', 'user', 'other-host', 'stranger']) keygen(join(dir, k));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user.pub')));
  const log = join(dir, 'commands.log');
  writeFileSync(log, '');
  chmodSync(log, 0o666);
  const force = join(dir, 'force.sh');
  // By default, what sshd itself does without a forced command: the user's login shell runs the string ($SHELL -c).
  writeFileSync(force, `#!/bin/sh\nprintf '%s\\n' "$SSH_ORIGINAL_COMMAND" >> '${log}'\n${opts.exec ?? 'exec "$SHELL" -c "$SSH_ORIGINAL_COMMAND"'}\n`);
  chmodSync(force, 0o755);
  const port = await freePort();
  const conf = join(dir, 'sshd_config');
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      `ListenAddress ${listen}`,
      `HostKey ${join(dir, 'host')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      `MaxSessions ${opts.maxSessions ?? 32}`,
      'MaxStartups 32',
      `ForceCommand ${force}`,
      'LogLevel ERROR',
      // bash sources ~/.bashrc for commands run by sshd; the test machine's root .bashrc loads pyenv (seconds per
      // command). A private HOME keeps the measurement about mamori, not about that file.
      `SetEnv HOME=${join(dir, 'home')}`,
      '',
    ].join('\n'),
  );
  const hostPub = readFileSync(join(dir, 'host.pub'), 'utf8').trim().split(' ');
  const otherPub = readFileSync(join(dir, 'other-host.pub'), 'utf8').trim().split(' ');
  writeFileSync(join(dir, 'known_hosts'), `[${listen}]:${port} ${hostPub[0]} ${hostPub[1]}\n`);
  writeFileSync(join(dir, 'wrong_known_hosts'), `[${listen}]:${port} ${otherPub[0]} ${otherPub[1]}\n`);
  // sshd's privilege-separation directory is compiled in (/run/sshd); systemd creates it for the service
  // (RuntimeDirectory=sshd). Without the service running, create it the same way (empty, root-owned, 0755).
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const argv = ['-D', '-e', '-f', conf];
  const wrapped = opts.wrap?.([SSHD, ...argv]);
  const child: ChildProcess = wrapped
    ? spawn(wrapped[0]!, wrapped.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] })
    : opts.netns ? spawn('ip', ['netns', 'exec', opts.netns, SSHD, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(SSHD, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // Wait until it accepts connections.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const c = connect(port, listen, () => {
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
        child.kill(opts.stopSignal ?? 'SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
