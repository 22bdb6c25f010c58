/**
 * The capability to change a server: runs only apply-allowlisted commands (src/remediate/allowlist.ts), over
 * the SSH connection of the scan transport or locally with execFile (no shell), and logs every command with
 * its output. The scan transport it carries is for the read-only rescan.
 */
import { execFile } from 'node:child_process';
import type { SshTransport } from '../collect/transport/ssh.js';
import type { ExecResult, Transport } from '../collect/transport/types.js';
import { COMMAND_ENV } from '../collect/transport/allowlist.js';
import { APPLY_ENV, ApplyAllowlistError, applyArgv, applyCommandArgs, MUTATING, type ApplyCommandId, type ApplyParams } from './allowlist.js';

export interface LogEntry {
  at: string;
  id: ApplyCommandId;
  argv: string[];
  mutating: boolean;
  code: number | null;
  failure?: string;
  stdout: string;
  stderr: string;
}

/** Output kept per command in the log (the rest is cut with a marker). */
const LOG_CAP = 256 * 1024;
const cap = (s: string) => (s.length > LOG_CAP ? `${s.slice(0, LOG_CAP)}\n[… ${s.length - LOG_CAP} more characters cut]` : s);

export class ApplyRunner {
  readonly log: LogEntry[] = [];

  constructor(
    /** The scan transport of the same target (rescan, name). */
    readonly scan: Transport,
    private readonly exec: (args: string[]) => Promise<ExecResult>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get name(): string {
    return this.scan.name;
  }

  async run(id: ApplyCommandId, params: ApplyParams = {}): Promise<ExecResult> {
    let args: string[];
    try {
      args = applyArgv(id, params);
    } catch (err) {
      if (!(err instanceof ApplyAllowlistError)) throw err;
      const r: ExecResult = { code: null, stdout: Buffer.alloc(0), stderr: err.message, failure: 'error' };
      this.log.push({ at: this.now().toISOString(), id, argv: [...APPLY_ALLOWLIST_NAME(id)], mutating: MUTATING.has(id), code: null, failure: 'refused', stdout: '', stderr: err.message });
      return r;
    }
    const at = this.now().toISOString();
    const r = await this.exec(args);
    const e: LogEntry = { at, id, argv: args, mutating: MUTATING.has(id), code: r.code, stdout: cap(r.stdout.toString('utf8')), stderr: cap(r.stderr) };
    if (r.failure) e.failure = r.failure;
    this.log.push(e);
    return r;
  }
}

const APPLY_ALLOWLIST_NAME = (id: ApplyCommandId): string[] => [`<${id}>`];

/** Over the scan's SSH connection (its known_hosts check and key), with `sudo -n` when asked. */
export function sshRunner(t: SshTransport, opts: { sudo: boolean }): ApplyRunner {
  // Each command's time limit is the transport's: `patch apply` opens it with the apply's own (--timeout).
  return new ApplyRunner(t, (args) => t.execApply(applyCommandArgs(args), opts.sudo));
}

/** On this machine: execFile, no shell, the fixed environment. */
export function localRunner(t: Transport, opts: { sudo: boolean; timeoutMs: number }): ApplyRunner {
  return new ApplyRunner(t, (args0) => {
    const args = opts.sudo ? ['sudo', '-n', ...args0] : args0;
    return new Promise<ExecResult>((resolve) => {
      execFile(args[0]!, args.slice(1), { env: { ...COMMAND_ENV, ...APPLY_ENV }, encoding: 'buffer', timeout: opts.timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
        const res: ExecResult = { code: 0, stdout: stdout ?? Buffer.alloc(0), stderr: (stderr ?? Buffer.alloc(0)).toString('utf8') };
        if (!err) return resolve(res);
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string };
        if (e.code === 'ENOENT') return resolve({ ...res, code: null, failure: 'missing' });
        if (e.killed || e.signal) return resolve({ ...res, code: null, failure: 'timeout' });
        resolve({ ...res, code: typeof e.code === 'number' ? e.code : 1, ...((e.code as unknown) === 127 ? { failure: 'missing' as const } : {}) });
      });
    });
  });
}
