/**
 * Agentless SSH transport (ssh2): one connection reused for every command, known_hosts verified strictly
 * (a new key is accepted only with --accept-new-host-key), key file or agent, optional `sudo -n`.
 */
import { appendFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client, type ConnectConfig } from 'ssh2';
import { remoteCommand, type CommandId, type Params } from './allowlist.js';
import { allowedArgv, SudoFallback } from './common.js';
import { blobType, fingerprint, hostPattern, knownKeys } from './known-hosts.js';
import { readResultFromHead } from './local.js';
import { parseWalk, type ExecResult, type ReadResult, type Transport, type WalkEntry } from './types.js';

export type SshErrorKind = 'auth' | 'host-key-mismatch' | 'host-key-unknown' | 'connect' | 'identity';

export class SshError extends Error {
  override name = 'SshError';
  constructor(
    readonly kind: SshErrorKind,
    message: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export interface SshTarget {
  user: string;
  host: string;
  port: number;
}

/** `USER@HOST[:PORT]`, `USER@[::1]:PORT`. */
export function parseSshTarget(s: string): SshTarget | undefined {
  const m = /^([^@\s]+)@(\[[^\]]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(s);
  if (!m) return undefined;
  const port = m[3] ? Number(m[3]) : 22;
  if (port < 1 || port > 65535) return undefined;
  return { user: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

export interface SshOptions {
  identity?: string;
  knownHosts: string;
  acceptNewHostKey: boolean;
  sudo: boolean;
  timeoutMs: number;
  agent?: string;
  maxOutput?: number;
  /** Concurrent channels on the one connection (sshd's MaxSessions defaults to 10). */
  channels?: number;
}

const HOSTKEY_ALGOS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly name: string;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  readonly problems: string[] = [];
  private readonly sudo: SudoFallback;

  private constructor(
    private readonly conn: Client,
    private readonly target: SshTarget,
    private readonly opts: SshOptions,
  ) {
    this.name = `${target.user}@${target.host}:${target.port}`;
    this.sudo = new SudoFallback(opts.sudo, this.problems, `as ${target.user}`);
  }

  static async connect(target: SshTarget, opts: SshOptions): Promise<SshTransport> {
    let privateKey: Buffer | undefined;
    if (opts.identity) {
      try {
        privateKey = readFileSync(opts.identity);
      } catch (err) {
        throw new SshError('identity', `cannot read identity file ${opts.identity}: ${(err as Error).message}`, { file: opts.identity });
      }
    }
    const knownText = existsSync(opts.knownHosts) ? readFileSync(opts.knownHosts, 'utf8') : '';
    const known = knownKeys(knownText, target.host, target.port).filter((k) => !k.revoked);
    const revoked = knownKeys(knownText, target.host, target.port).filter((k) => k.revoked);
    const preferred = [...new Set(known.flatMap((k) => HOSTKEY_ALGOS[k.type] ?? []))];
    const all = Object.values(HOSTKEY_ALGOS).flat();
    let hostKeyProblem: SshError | undefined;
    const conn = new Client();
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: opts.timeoutMs,
      keepaliveInterval: 0,
      algorithms: { serverHostKey: [...preferred, ...all.filter((a) => !preferred.includes(a))] as never },
      hostVerifier: (key: Buffer) => {
        const b64 = key.toString('base64');
        const type = blobType(key);
        if (revoked.some((k) => k.key === b64)) {
          hostKeyProblem = new SshError('host-key-mismatch', `host key of ${target.host} is revoked in ${opts.knownHosts}`, { host: target.host, port: target.port, file: opts.knownHosts, type });
          return false;
        }
        if (known.some((k) => k.key === b64)) return true;
        if (known.length) {
          hostKeyProblem = new SshError('host-key-mismatch', `host key mismatch for ${hostPattern(target.host, target.port)} (${type})`, { host: target.host, port: target.port, file: opts.knownHosts, type, fingerprint: fingerprint(key) });
          return false;
        }
        if (!opts.acceptNewHostKey) {
          hostKeyProblem = new SshError('host-key-unknown', `host key of ${hostPattern(target.host, target.port)} is not in ${opts.knownHosts}`, { host: target.host, port: target.port, file: opts.knownHosts, type, fingerprint: fingerprint(key) });
          return false;
        }
        mkdirSync(dirname(opts.knownHosts), { recursive: true });
        appendFileSync(opts.knownHosts, `${hostPattern(target.host, target.port)} ${type} ${b64}\n`);
        return true;
      },
    };
    if (privateKey) config.privateKey = privateKey;
    if (opts.agent) config.agent = opts.agent;
    await new Promise<void>((resolve, reject) => {
      conn.once('ready', () => resolve());
      conn.once('error', (err: Error & { level?: string }) => {
        if (hostKeyProblem) return reject(hostKeyProblem);
        if (err.level === 'client-authentication') return reject(new SshError('auth', `authentication failed for ${target.user}@${target.host}`, { user: target.user, host: target.host }));
        if (/privateKey|parse|passphrase|Encrypted/i.test(err.message)) return reject(new SshError('identity', `cannot use identity file: ${err.message}`, { file: opts.identity ?? '' }));
        reject(new SshError('connect', `cannot connect to ${target.host}:${target.port}: ${err.message}`, { host: target.host, port: target.port, reason: err.message }));
      });
      try {
        conn.connect(config);
      } catch (err) {
        reject(new SshError('identity', `cannot use identity file: ${(err as Error).message}`, { file: opts.identity ?? '' }));
      }
    });
    return new SshTransport(conn, target, opts);
  }

  private async slot(): Promise<() => void> {
    const max = this.opts.channels ?? 6;
    if (this.active >= max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }

  run(id: CommandId, params: Params = {}): Promise<ExecResult> {
    return this.sudo.run(id, (sudo) => this.run1(id, params, sudo));
  }

  private async run1(id: CommandId, params: Params, sudo: boolean): Promise<ExecResult> {
    const allowed = allowedArgv(id, params);
    if ('refused' in allowed) return allowed.refused;
    const args = allowed.args;
    const cmd = remoteCommand(args, sudo);
    const t0 = performance.now();
    const r = await this.exec(cmd);
    if (process.env.MAMORI_DEBUG_COMMANDS) process.stderr.write(`ssh ${Math.round(performance.now() - t0)}ms ${cmd.slice(0, 120)}\n`);
    return r;
  }

  /**
   * For `mamori patch apply` only: run a command line rendered from the apply allowlist
   * (src/remediate/allowlist.ts) with its own time limit. Scans never reach this (they see a Transport).
   */
  execApply(cmd: string, timeoutMs: number): Promise<ExecResult> {
    return this.exec(cmd, timeoutMs);
  }

  private async exec(cmd: string, timeoutMs = this.opts.timeoutMs): Promise<ExecResult> {
    const release = await this.slot();
    const maxOutput = this.opts.maxOutput ?? 64 * 1024 * 1024;
    try {
      return await new Promise<ExecResult>((resolve) => {
        this.conn.exec(cmd, (err, stream) => {
          if (err) return resolve({ code: null, stdout: Buffer.alloc(0), stderr: err.message, failure: 'error' });
          stream.end(); // no input: a command that reads stdin sees EOF at once
          const out: Buffer[] = [];
          const errs: Buffer[] = [];
          let size = 0;
          let code: number | null = null;
          let failure: ExecResult['failure'];
          const timer = setTimeout(() => {
            failure = 'timeout';
            stream.close();
          }, timeoutMs);
          stream.on('data', (d: Buffer) => {
            size += d.length;
            if (size > maxOutput) {
              failure = 'too-large';
              stream.close();
              return;
            }
            out.push(d);
          });
          stream.stderr.on('data', (d: Buffer) => {
            if (errs.length < 64) errs.push(d);
          });
          stream.on('exit', (c: number | null) => {
            code = c;
          });
          stream.on('close', () => {
            clearTimeout(timer);
            const res: ExecResult = { code: failure ? null : code, stdout: Buffer.concat(out), stderr: Buffer.concat(errs).toString('utf8') };
            if (failure) res.failure = failure;
            else if (code === 127) res.failure = 'missing';
            resolve(res);
          });
        });
      });
    } finally {
      release();
    }
  }

  async readFile(path: string, maxBytes: number): Promise<ReadResult> {
    return readResultFromHead(await this.run('readFile', { path, bytes: String(maxBytes + 1) }), maxBytes);
  }

  async walk(root: string, opts: { maxDepth: number; maxEntries: number }): Promise<{ entries: WalkEntry[]; truncated: boolean; error?: string }> {
    const r = await this.run('walk', { path: root, depth: String(opts.maxDepth) });
    if (r.failure && r.failure !== 'too-large') return { entries: [], truncated: false, error: r.stderr.trim() || r.failure };
    const parsed = parseWalk(r.stdout, opts.maxEntries);
    if (!parsed.entries.length && r.code !== 0) return { ...parsed, error: r.stderr.trim() || `exit ${r.code}` };
    return { entries: parsed.entries, truncated: parsed.truncated || r.failure === 'too-large' };
  }

  async listDir(path: string): Promise<{ name: string; type: WalkEntry['type'] }[] | undefined> {
    const r = await this.run('listDir', { path });
    if (r.failure || (r.code !== 0 && r.stdout.length === 0)) return undefined;
    return r.stdout
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map((rec) => {
        const t = rec.slice(0, 1);
        return { name: rec.slice(2), type: (t === 'f' || t === 'd' || t === 'l' ? t : 'o') as WalkEntry['type'] };
      });
  }

  async close(): Promise<void> {
    this.conn.end();
  }

  get target_(): SshTarget {
    return this.target;
  }
}
