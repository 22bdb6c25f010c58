/** What both transports (local, SSH) do the same way around a command: the allowlist check and sudo's fallback. */
import { AllowlistError, argv, WANTS_ROOT, type CommandId, type Params } from './allowlist.js';
import { sudoRefused, type ExecResult } from './types.js';

/** A command the allowlist refused: it never ran. */
export function refused(err: AllowlistError): ExecResult {
  return { code: null, stdout: Buffer.alloc(0), stderr: err.message, failure: 'error' };
}

/** The argument array of an allowlisted command, or the refusal as the command's result. */
export function allowedArgv(id: CommandId, params: Params): { args: string[] } | { refused: ExecResult } {
  try {
    return { args: argv(id, params) };
  } catch (err) {
    if (err instanceof AllowlistError) return { refused: refused(err) };
    throw err;
  }
}

/**
 * `sudo -n` for the commands that want root, while it works: once sudo is refused (a password is needed,
 * or the user may not sudo), say so once in `problems` and run this and every later command without it.
 */
export class SudoFallback {
  ok = true;
  constructor(
    private readonly wanted: boolean,
    private readonly problems: string[],
    /** How root-only reads ran instead, for the problem line: `unprivileged`, `as deploy`. */
    private readonly ranAs: string,
  ) {}

  /** Whether reads that need root may go through sudo now. */
  get active(): boolean {
    return this.wanted && this.ok;
  }

  async run(id: CommandId, exec: (sudo: boolean) => Promise<ExecResult>): Promise<ExecResult> {
    const useSudo = this.active && WANTS_ROOT.has(id);
    const r = await exec(useSudo);
    if (!useSudo || !sudoRefused(r)) return r;
    // Said once, although commands asked together (over SSH, in one invocation) are all refused.
    if (this.ok) this.problems.push(`sudo -n refused (${r.stderr.trim().split('\n')[0]}): root-only reads ran ${this.ranAs}`);
    this.ok = false;
    return exec(false);
  }
}
