/**
 * Agentless SSH transport (ssh2): one connection reused for every command, known_hosts verified strictly
 * (a new key is accepted only with --accept-new-host-key), key file or agent, optional `sudo -n`.
 */
import { appendFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { CommandId, Params } from './allowlist.js';
import { newDelimiter, OutputSplitter, renderInvocation, type CommandOutput, type RemoteCommand } from './remote.js';
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
  /** Channels open at once on the one connection (default 10, sshd's default MaxSessions; lowered by itself when the server refuses one). */
  channels?: number;
}

const HOSTKEY_ALGOS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Commands that may run long or print much: each gets a channel of its own, so quick answers never wait behind them. */
export const HEAVY: ReadonlySet<CommandId> = new Set<CommandId>(['aptPolicy', 'dpkgQuery', 'rpmQuery', 'yumCheckUpdate', 'yumSecurity', 'yumListSecurity', 'dnfCheckUpdate', 'dnfSecurity', 'needsRestarting', 'apkUpgradable', 'walk', 'deletedMaps', 'phpI']);
/** Reads and listings cost 1; starting a binary to ask its version about 4 (measured: 2–5 ms against 15–60 ms). */
const QUICK: ReadonlySet<CommandId> = new Set<CommandId>(['readFile', 'listDir', 'id', 'uname']);
/** Work per invocation before the queued quick commands are spread over another channel. */
const BATCH_COST = 12;
/** OpenSSH's default MaxSessions: channels open at once on one connection. */
const DEFAULT_CHANNELS = 10;

interface Queued {
  id: CommandId;
  cmd: RemoteCommand;
  queuedAt: number;
  resolve: (r: ExecResult) => void;
}

/** What the transport did, for the debug log and the benchmark. */
export interface SshStats {
  /** Remote invocations (one channel each). */
  invocations: number;
  commands: number;
  /** Commands put back in the queue because the server refused a channel (MaxSessions) or an earlier command of their invocation failed. */
  requeued: number;
  /** Channels allowed at once now (lowered when the server refuses one). */
  channelLimit: number;
  /** Most channels open at once. */
  peakChannels: number;
  /**
   * Invocations one after the other on the longest chain: an invocation started after an answer arrived is one
   * step after that answer's invocation. Each step costs two round trips of the link (channel open, exec).
   */
  steps: number;
  /** Bytes on the TCP connection, both directions, handshake included. */
  bytesIn: number;
  bytesOut: number;
}

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly name: string;
  readonly problems: string[] = [];
  private readonly sudo: SudoFallback;
  private readonly queue: Queued[] = [];
  private active = 0;
  private pumpScheduled = false;
  private readonly counters = { invocations: 0, commands: 0, requeued: 0, peakChannels: 0, steps: 0 };
  /** Step of the latest invocation that delivered an answer (see SshStats.steps). */
  private answeredStep = 0;
  private limit: number;
  private readonly debug = Boolean(process.env.MAMORI_DEBUG_COMMANDS);
  private readonly born = performance.now();

  private constructor(
    private readonly conn: Client,
    private readonly sock: Socket,
    private readonly target: SshTarget,
    private readonly opts: SshOptions,
  ) {
    this.name = `${target.user}@${target.host}:${target.port}`;
    this.sudo = new SudoFallback(opts.sudo, this.problems, `as ${target.user}`);
    this.limit = Math.max(1, opts.channels ?? DEFAULT_CHANNELS);
  }

  get stats(): SshStats {
    return { ...this.counters, channelLimit: this.limit, bytesIn: this.sock.bytesRead, bytesOut: this.sock.bytesWritten };
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
      // No compression: ssh2 1.17 throws from its socket 'close' handler ("Invalid Zlib instance") when the
      // connection ends with a channel open, which a dropped link mid-scan would turn into a crash.
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
    // Straight to the key (ssh2 would first try "none": one round trip for nothing).
    config.authHandler = [...(privateKey ? ['publickey'] : []), ...(opts.agent ? ['agent'] : []), 'none'] as never;
    // Our own socket: its byte counters are what the scan cost on the wire.
    const sock = netConnect({ host: target.host, port: target.port });
    sock.setNoDelay(true);
    config.sock = sock;
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
        // ssh2 refused the key before it took the socket: close it here, or its connection stays open and a
        // refused or reset one raises an 'error' nobody listens to (an uncaught exception: the process ends)
        sock.destroy();
        reject(new SshError('identity', `cannot use identity file: ${(err as Error).message}`, { file: opts.identity ?? '' }));
      }
    });
    return new SshTransport(conn, sock, target, opts);
  }

  run(id: CommandId, params: Params = {}): Promise<ExecResult> {
    return this.sudo.run(id, (sudo) => {
      const allowed = allowedArgv(id, params);
      if ('refused' in allowed) return Promise.resolve(allowed.refused);
      return new Promise<ExecResult>((resolve) => this.enqueue({ id, cmd: { args: allowed.args, sudo }, queuedAt: performance.now(), resolve }));
    });
  }

  /**
   * Commands asked for in the same turn of the event loop share invocations: once the collectors have issued
   * everything their data allows, the queue is spread over the free channels (long commands alone, quick
   * ones together), so a wave of independent commands costs one channel round trip, not one each.
   */
  private enqueue(q: Queued): void {
    this.queue.push(q);
    this.schedule();
  }

  /** Plan the queue on the next turn of the event loop, once every command asked in this one is queued. */
  private schedule(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length && this.active < this.limit) {
      for (const group of plan(this.queue, this.limit - this.active)) this.invoke(group);
    }
  }

  /**
   * For `mamori patch apply` only (src/remediate/runner.ts): run one argument array that the apply allowlist
   * (src/remediate/allowlist.ts) rendered, on a channel of its own, rendered and read back like every command.
   * Scans never reach this: they hold a Transport, whose `run` takes scan allowlist ids only.
   */
  execApply(args: readonly string[], sudo: boolean): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve) => this.invoke([{ id: 'id', cmd: { args, sudo }, queuedAt: performance.now(), resolve }]));
  }

  private invoke(group: Queued[]): void {
    const delimiter = newDelimiter();
    const text = renderInvocation(
      group.map((q) => q.cmd),
      delimiter,
    );
    const n = ++this.counters.invocations;
    const step = this.answeredStep + 1;
    this.counters.steps = Math.max(this.counters.steps, step);
    this.counters.commands += group.length;
    this.active++;
    this.counters.peakChannels = Math.max(this.counters.peakChannels, this.active);
    const t0 = performance.now();
    const maxOutput = this.opts.maxOutput ?? 64 * 1024 * 1024;
    const lines: string[] = [];
    const finish = () => {
      this.active--;
      if (this.debug) process.stderr.write(`${lines.join('\n')}\n`);
      if (this.queue.length) this.schedule();
    };
    const tryExec = () => {
      try {
        this.conn.exec(text, onExec);
      } catch (err) {
        onExec(err as Error);
      }
    };
    const onExec = (err: Error | undefined, stream?: ClientChannel) => {
      const tOpen = performance.now();
      if (err || !stream) {
        // The server allows fewer sessions per connection than we had open (sshd MaxSessions): use as many as it
        // allowed and run these again when a channel is free.
        if (err && /open failed|administratively prohibited/i.test(err.message) && this.active > 1) {
          this.limit = this.active - 1;
          this.counters.requeued += group.length;
          lines.push(`ssh #${n}: channel refused with ${this.active} open (${err.message}): at most ${this.limit} from now on`);
          for (const q of [...group].reverse()) this.queue.unshift(q);
          return finish();
        }
        for (const q of group) q.resolve({ code: null, stdout: Buffer.alloc(0), stderr: err?.message ?? 'no channel', failure: 'error' });
        return finish();
      }
      stream.end(); // no input: every command reads /dev/null anyway
      const split = new OutputSplitter(delimiter);
      let next = 0;
      let failure: ExecResult['failure'];
      let settled = false;
      let last = tOpen;
      let bytes = 0;
      let timer: NodeJS.Timeout | undefined;
      // Each command has the whole timeout from the end of the one before it.
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => abandon('timeout'), this.opts.timeoutMs);
      };
      arm();
      const deliver = (outs: CommandOutput[]) => {
        if (settled) return;
        for (const o of outs) {
          const q = group[next++]!;
          const now = performance.now();
          const res: ExecResult = { code: o.code, stdout: o.stdout, stderr: o.stderr.subarray(0, 64 * 1024).toString('utf8') };
          if (o.code === 127) res.failure = 'missing';
          if (this.debug) lines.push(`  #${n}.${next} +${Math.round(now - last)} ms, exit ${o.code}, ${o.stdout.length} B: ${q.cmd.args.join(' ').slice(0, 100)}`);
          last = now;
          q.resolve(res);
        }
        if (outs.length) {
          this.answeredStep = Math.max(this.answeredStep, step);
          arm();
        }
      };
      stream.on('data', (d: Buffer) => {
        if (settled) return;
        bytes += d.length;
        deliver(split.stdout(d));
        if (split.pendingBytes > maxOutput) abandon('too-large');
      });
      stream.stderr.on('data', (d: Buffer) => {
        if (settled) return;
        deliver(split.stderr(d));
        if (split.pendingErrBytes > maxOutput) abandon('too-large');
      });
      // Settled when the channel closes, or at once when a command timed out or printed too much: the server
      // may keep such a channel (and its process) as long as the command runs, so nothing waits for it.
      const settle = () => {
        if (settled) return;
        deliver(split.drain());
        settled = true;
        clearTimeout(timer);
        if (this.debug)
          lines.unshift(`ssh #${n} at ${Math.round(t0 - this.born)} ms: ${group.length} command(s), queued ${Math.round(t0 - Math.min(...group.map((q) => q.queuedAt)))} ms, open+exec ${Math.round(tOpen - t0)} ms, run+transfer ${Math.round(performance.now() - tOpen)} ms, ${bytes} B${failure ? `, ${failure}` : ''}`);
        if (next < group.length) {
          // The command running now failed as a whole; those after it never started here.
          const q = group[next++]!;
          const part = split.partial();
          q.resolve({ code: null, stdout: part.stdout.subarray(0, maxOutput), stderr: part.stderr.toString('utf8').slice(0, 64 * 1024) || (failure === 'too-large' ? `output over ${maxOutput} bytes` : failure === 'timeout' ? `no answer within ${this.opts.timeoutMs} ms` : `the remote shell ended before ${q.cmd.args[0]} finished`), failure: failure ?? 'error' });
          const rest = group.slice(next);
          next = group.length;
          if (failure) {
            this.counters.requeued += rest.length;
            for (const r of rest.reverse()) this.queue.unshift(r);
          } else for (const r of rest) r.resolve({ code: null, stdout: Buffer.alloc(0), stderr: 'the remote shell ended early', failure: 'error' });
        }
        finish();
      };
      const abandon = (why: NonNullable<ExecResult['failure']>) => {
        if (failure) return;
        failure = why;
        stream.close();
        settle();
      };
      stream.on('close', settle);
    };
    tryExec();
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

  /** Ends the connection once the channels still closing have closed (at most 2 s). */
  async close(): Promise<void> {
    const deadline = performance.now() + 2000;
    while (this.active > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.conn.end();
  }

  get target_(): SshTarget {
    return this.target;
  }
}

/**
 * Split the queue over at most `free` invocations: each long command alone (while a channel remains for the
 * quick ones), the others spread by estimated cost, each group in the order asked. Takes what it plans out of
 * `queue`; what does not fit stays.
 */
export function plan<T extends { id: CommandId }>(queue: T[], free: number): T[][] {
  if (free <= 0 || !queue.length) return [];
  const heavy = queue.filter((q) => HEAVY.has(q.id));
  const light = queue.filter((q) => !HEAVY.has(q.id));
  const groups: T[][] = [];
  const taken = new Set<T>();
  for (const q of heavy) {
    if (groups.length >= free - (light.length ? 1 : 0)) break;
    groups.push([q]);
    taken.add(q);
  }
  const slots = free - groups.length;
  if (light.length && slots > 0) {
    const cost = (q: T) => (QUICK.has(q.id) ? 1 : 4);
    const total = light.reduce((a, q) => a + cost(q), 0);
    const k = Math.min(slots, Math.max(1, Math.ceil(total / BATCH_COST)));
    const bins: { load: number; items: T[] }[] = Array.from({ length: k }, () => ({ load: 0, items: [] }));
    for (const q of [...light].sort((a, b) => cost(b) - cost(a))) {
      const bin = bins.reduce((a, b) => (b.load < a.load ? b : a));
      bin.load += cost(q);
      bin.items.push(q);
      taken.add(q);
    }
    const order = new Map(queue.map((q, i) => [q, i]));
    for (const b of bins) groups.push(b.items.sort((x, y) => order.get(x)! - order.get(y)!));
  }
  const left = queue.filter((q) => !taken.has(q));
  queue.splice(0, queue.length, ...left);
  return groups;
}
