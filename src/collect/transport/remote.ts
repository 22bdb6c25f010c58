/**
 * What mamori sends over SSH, and how it reads the answer back.
 *
 * sshd hands the command string to the target user's login shell (`$SHELL -c STRING`), and login shells
 * disagree about quoting: fish turns `\\` into `\` inside single quotes and treats `\'` as a quote, tcsh
 * expands `!` (history) even inside single quotes and refuses newlines. So the string sent is always
 *
 *     exec /bin/sh -c 'SCRIPT'
 *
 * where SCRIPT contains no `'`, no `!`, no newline, no byte outside printable ASCII, and no backslash except
 * before an octal digit. Inside single quotes sh, bash, dash, zsh, ksh, fish, tcsh and csh all take such a
 * string literally: that is the one level of quoting every login shell agrees on, and SCRIPT is then read by
 * /bin/sh alone. In SCRIPT every argument is one double-quoted word; characters that are special inside
 * double quotes (`"`, `$`, `` ` ``, `\`) or that the outer level forbids are bytes held in variables defined at
 * the top of the script with printf octal escapes (`_q047=$(printf "\047")`), so any string (any bytes but
 * NUL) reaches the command unchanged. test/host/login-shell.test.ts proves it against the real /bin/sh, fish
 * and tcsh, locally and over sshd.
 *
 * One invocation may run several allowlisted commands, one after the other, each with stdin from /dev/null.
 * After each, the script prints a marker made of a fresh random delimiter (128 bits) and the exit status on
 * stdout, and the delimiter on stderr (the delimiter is written in two halves, `D` and `E`, and never appears
 * whole in the command line, which `ps` or `php -i` under a ForceCommand may print), so each command's output, errors and status are separated exactly
 * (output may be binary and need not end with a newline). A marker before the first command discards
 * anything the login shell's startup files print.
 */
import { randomBytes } from 'node:crypto';
import { COMMAND_ENV, isAllowlistedWords } from './allowlist.js';

/** One allowlisted command of an invocation: its argument array, run with `sudo -n` or not. */
export interface RemoteCommand {
  args: readonly string[];
  sudo: boolean;
}

const ENV_WORDS = ['env', ...Object.entries(COMMAND_ENV).map(([k, v]) => `${k}=${v}`)];

/** The words the remote /bin/sh runs for a command: `[sudo -n] env LC_ALL=C LANG=C PATH=… args…`. */
export function commandWords(c: RemoteCommand): string[] {
  return [...(c.sudo ? ['sudo', '-n'] : []), ...ENV_WORDS, ...c.args];
}

/** Characters written as themselves inside a double-quoted word (no `"` `$` `` ` `` `\` `!` `'`). */
const LITERAL = /^[\x20#%&()*+,\-./0-9:;<=>?@A-Z[\]^_a-z{|}~]$/;
/** Words that need no quotes at all. */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

const octal = (b: number) => b.toString(8).padStart(3, '0');
const varName = (b: number) => `_q${octal(b)}`;

/** The shell word for `arg`, and the bytes it refers to by variable. */
function renderWord(arg: string, used: Set<number>): string {
  if (BARE.test(arg)) return arg;
  let out = '"';
  for (const ch of arg) {
    if (LITERAL.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, 'utf8')) {
      if (b === 0) throw new Error('a NUL byte cannot be passed as an argument');
      used.add(b);
      out += `\${${varName(b)}}`;
    }
  }
  return `${out}"`;
}

/** `_q047=$(printf "\047");` (a newline needs a guard character: command substitution strips trailing newlines). */
function definition(b: number): string {
  const v = varName(b);
  return b === 10 ? `${v}=$(printf "\\${octal(b)}.");${v}=\${${v}%.};` : `${v}=$(printf "\\${octal(b)}");`;
}

const marker = (status: string) => `printf "%s%s:%s\\012" "$D" "$E" ${status};printf "%s%s\\012" "$D" "$E" >&2;`;
const START = marker('-');
const AFTER = ` </dev/null;${marker('"$?"')}`;
const PREFIX = "exec /bin/sh -c '";

export const newDelimiter = () => randomBytes(16).toString('hex');

/** The exact string sent over SSH for one invocation of `commands` (at least one). */
export function renderInvocation(commands: readonly RemoteCommand[], delimiter: string): string {
  return renderScript(commands.map(commandWords), delimiter);
}

/** The invocation running each word list (command name first) in turn. */
export function renderScript(commands: readonly (readonly string[])[], delimiter: string): string {
  if (!/^[0-9a-f]{32}$/.test(delimiter)) throw new Error('delimiter must be 32 hex digits');
  if (!commands.length) throw new Error('an invocation runs at least one command');
  const used = new Set<number>();
  const body = commands.map((words) => words.map((w) => renderWord(w, used)).join(' ') + AFTER).join('');
  const defs = [...used]
    .sort((a, b) => a - b)
    .map(definition)
    .join('');
  return `${PREFIX}D=${delimiter.slice(0, 16)};E=${delimiter.slice(16)};${defs}${START}${body}'`;
}

/**
 * The commands of an invocation rendered by renderInvocation, as the words /bin/sh passes to each; undefined
 * when the string is anything else (it must re-render to exactly itself).
 */
export function parseInvocation(s: string): { delimiter: string; commands: string[][] } | undefined {
  const head = /^exec \/bin\/sh -c 'D=([0-9a-f]{16});E=([0-9a-f]{16});/.exec(s);
  if (!head || !s.endsWith("'")) return undefined;
  const delimiter = head[1]! + head[2]!;
  let rest = s.slice(head[0].length, -1);
  const vars = new Map<string, number>();
  for (;;) {
    const m = /^_q([0-7]{3})=/.exec(rest);
    if (!m) break;
    const b = parseInt(m[1]!, 8);
    const def = definition(b);
    if (b === 0 || b > 255 || !rest.startsWith(def)) return undefined;
    vars.set(varName(b), b);
    rest = rest.slice(def.length);
  }
  if (!rest.startsWith(START)) return undefined;
  rest = rest.slice(START.length);
  const commands: string[][] = [];
  while (rest.length) {
    const end = rest.indexOf(AFTER);
    if (end < 0) return undefined;
    const words = splitWords(rest.slice(0, end)).map((w) => decodeWord(w, vars));
    if (words.some((w) => w === undefined)) return undefined;
    commands.push(words as string[]);
    rest = rest.slice(end + AFTER.length);
  }
  if (!commands.length) return undefined;
  // Strict: only what renderInvocation itself writes (same words, same variables, same order).
  return renderScript(commands, delimiter) === s ? { delimiter, commands } : undefined;
}

/** Words separated by spaces; a double-quoted word never holds `"` (it is always a variable). */
function splitWords(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= s.length) {
    let j = i;
    if (s[j] === '"') {
      const close = s.indexOf('"', j + 1);
      j = close < 0 ? s.length : close + 1;
    }
    const sp = s.indexOf(' ', j);
    const end = sp < 0 ? s.length : sp;
    out.push(s.slice(i, end));
    i = end + 1;
  }
  return out;
}

function decodeWord(w: string, vars: ReadonlyMap<string, number>): string | undefined {
  if (BARE.test(w)) return w;
  if (w.length < 2 || !w.startsWith('"') || !w.endsWith('"')) return undefined;
  const bytes: number[] = [];
  const inner = w.slice(1, -1);
  for (let i = 0; i < inner.length; ) {
    const ch = inner[i]!;
    if (ch === '$') {
      const m = /^\$\{(_q[0-7]{3})\}/.exec(inner.slice(i));
      const b = m ? vars.get(m[1]!) : undefined;
      if (b === undefined) return undefined;
      bytes.push(b);
      i += m![0].length;
    } else if (LITERAL.test(ch)) {
      bytes.push(ch.charCodeAt(0));
      i++;
    } else return undefined;
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Is `command` (as sshd received it) an invocation of allowlisted commands only, each with acceptable values?
 * Used by the SSH tests' recording sshd to fail on anything else.
 */
export function isAllowlistedRemote(command: string): boolean {
  const inv = parseInvocation(command);
  return inv !== undefined && inv.commands.every(isAllowlistedCommandWords);
}

/** `[sudo -n] env LC_ALL=C LANG=C PATH=… <allowlisted argv>`. */
export function isAllowlistedCommandWords(words: readonly string[]): boolean {
  let rest = words;
  if (rest[0] === 'sudo' && rest[1] === '-n') rest = rest.slice(2);
  if (ENV_WORDS.some((w, i) => rest[i] !== w)) return false;
  return isAllowlistedWords(rest.slice(ENV_WORDS.length));
}

/** One command's answer out of an invocation. */
export interface CommandOutput {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit status as the remote shell reported it. */
  code: number;
}

/**
 * Splits an invocation's stdout and stderr into per-command answers as they arrive. Output before the start
 * marker (login-shell startup files) is dropped.
 */
export class OutputSplitter {
  private readonly out: Held;
  private readonly err: Held;
  private outStarted = false;
  private errStarted = false;
  private readonly outMarks: { data: Buffer; code: number }[] = [];
  private readonly errMarks: Buffer[] = [];
  /** Bytes of stdout of the command running now (for the output cap). */
  pendingBytes = 0;

  /** Bytes of stderr held for the command running now (for the output cap). */
  get pendingErrBytes(): number {
    return this.err.length;
  }
  private readonly delim: Buffer;

  constructor(delimiter: string) {
    this.delim = Buffer.from(delimiter, 'latin1');
    this.out = new Held(this.delim);
    this.err = new Held(this.delim);
  }

  /** Feed stdout; returns the answers completed by it. */
  stdout(d: Buffer): CommandOutput[] {
    if (this.out.push(d)) {
      let buf = this.out.all();
      for (;;) {
        const at = buf.indexOf(this.delim);
        const nl = at < 0 ? -1 : buf.indexOf(10, at + this.delim.length);
        if (nl < 0) break;
        const status = buf.subarray(at + this.delim.length, nl).toString('latin1');
        const data = buf.subarray(0, at);
        buf = buf.subarray(nl + 1);
        if (!this.outStarted) {
          this.outStarted = status === ':-';
          continue;
        }
        this.outMarks.push({ data: Buffer.from(data), code: /^:\d+$/.test(status) ? Number(status.slice(1)) : -1 });
      }
      this.out.reset(buf);
    }
    this.pendingBytes = this.out.length;
    return this.take();
  }

  /** Feed stderr; returns the answers completed by it. */
  stderr(d: Buffer): CommandOutput[] {
    if (this.err.push(d)) {
      let buf = this.err.all();
      for (;;) {
        const at = buf.indexOf(this.delim);
        if (at < 0 || buf.length < at + this.delim.length + 1) break;
        const data = buf.subarray(0, at);
        buf = buf.subarray(at + this.delim.length + 1);
        if (!this.errStarted) {
          this.errStarted = true;
          continue;
        }
        this.errMarks.push(Buffer.from(data));
      }
      this.err.reset(buf);
    }
    return this.take();
  }

  private take(): CommandOutput[] {
    const done: CommandOutput[] = [];
    while (this.outMarks.length && this.errMarks.length) {
      const o = this.outMarks.shift()!;
      done.push({ stdout: o.data, stderr: this.errMarks.shift()!, code: o.code });
    }
    return done;
  }

  /**
   * When the invocation ends early: the answers complete on stdout whose stderr marker has not arrived yet
   * (the first gets the stderr received so far).
   */
  drain(): CommandOutput[] {
    const done = this.take();
    for (const o of this.outMarks.splice(0)) {
      done.push({ stdout: o.data, stderr: this.errStarted ? this.err.all() : Buffer.alloc(0), code: o.code });
      this.err.reset(Buffer.alloc(0));
    }
    return done;
  }

  /** What the command running now printed so far (when the invocation ends early). */
  partial(): { stdout: Buffer; stderr: Buffer } {
    return { stdout: this.outStarted ? this.out.all() : Buffer.alloc(0), stderr: this.errStarted ? this.err.all() : Buffer.alloc(0) };
  }
}

/**
 * The bytes of one stream since its last marker, held as chunks (a walk may print megabytes): only the newly
 * arrived bytes, with the end of what came before, are searched for the delimiter.
 */
class Held {
  private chunks: Buffer[] = [];
  length = 0;
  private tail: Buffer = Buffer.alloc(0);
  private readonly keep: number;

  constructor(private readonly delim: Buffer) {
    // A marker is the delimiter, `:` and a status of at most 3 digits, and a newline.
    this.keep = delim.length + 8;
  }

  /** Adds `d`; true when a marker may be complete now. */
  push(d: Buffer): boolean {
    const window = this.tail.length ? Buffer.concat([this.tail, d]) : d;
    this.chunks.push(d);
    this.length += d.length;
    this.tail = Buffer.from(window.subarray(Math.max(0, window.length - this.keep)));
    return window.includes(this.delim);
  }

  all(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** What is left after the markers found. */
  reset(rest: Buffer): void {
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    this.tail = Buffer.from(rest.subarray(Math.max(0, rest.length - this.keep)));
  }
}
