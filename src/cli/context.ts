import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Lang } from '../core/model.js';
import { messages } from '../core/messages/index.js';
import type { OptionSpec, ParsedOptions } from './args.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
}

export interface CommandContext {
  /** `mamori version compare`, for hints. */
  commandName: string;
  positionals: string[];
  options: ParsedOptions;
  lang: Lang;
  io: Io;
  env: NodeJS.ProcessEnv;
  /** The knowledge DB path: --db, else $MAMORI_HOME/db.sqlite. */
  dbPath: string;
  /** Translate a message code in the run's language. */
  t(code: string, params?: Record<string, string | number>): string;
  /** Write a line to stderr (warnings). */
  warn(line: string): void;
  /** A progress or summary line on stderr; nothing with -q/--quiet. */
  progress(line: string): void;
  /** -q/--quiet was given. */
  quiet: boolean;
  /** Colours on standard output: a terminal, and neither --no-color nor NO_COLOR. */
  color: boolean;
}

export interface Command {
  /** Words after `mamori`: ['version', 'compare']. */
  path: readonly string[];
  /** Message code of the one-line summary. */
  summary: string;
  /** Shown in help after the command words: `--ecosystem E A B`. */
  usage: string;
  options: readonly OptionSpec[];
  run(ctx: CommandContext): Promise<number>;
}

/** `ja` when LANG/LC_ALL/LC_MESSAGES starts with `ja`, else `en`. */
export function langFromEnv(env: NodeJS.ProcessEnv): Lang {
  const v = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return v.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** $MAMORI_HOME, else $XDG_CACHE_HOME/mamori, else ~/.cache/mamori (contract). */
export function mamoriHome(env: NodeJS.ProcessEnv): string {
  if (env.MAMORI_HOME) return env.MAMORI_HOME;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'mamori');
  return join(env.HOME || homedir(), '.cache', 'mamori');
}

export function makeT(lang: Lang) {
  return (code: string, params?: Record<string, string | number>) => messages.t(lang, code, params);
}
