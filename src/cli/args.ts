/** A small strict argument parser: options are declared as data per command; anything unknown is a usage error. */
import type { MessageRef } from '../core/model.js';
import { UsageError } from './errors.js';

export interface OptionSpec {
  /** Long name without dashes (`ecosystem`). */
  name: string;
  short?: string;
  type: 'boolean' | 'string' | 'number';
  /** For string options: the closed list of accepted values. */
  values?: readonly string[];
  repeatable?: boolean;
  /** Message code of the one-line help. */
  help: string;
  /** Shown in help: `--ecosystem <E>`. */
  valueName?: string;
}

export type OptionValue = string | number | boolean | string[] | number[];
export type ParsedOptions = Record<string, OptionValue | undefined>;

export interface ParsedArgs {
  positionals: string[];
  options: ParsedOptions;
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) {
    byName.set(`--${s.name}`, s);
    if (s.short) byName.set(`-${s.short}`, s);
  }
  const positionals: string[] = [];
  const options: ParsedOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(flag);
    if (!spec) throw new UsageError({ code: 'cli.unknownOption', params: { option: flag } }, command);
    let raw: string | undefined;
    if (spec.type === 'boolean') {
      if (eq > 0) throw new UsageError({ code: 'cli.badValue', params: { option: flag, expected: 'no value', value: arg.slice(eq + 1) } }, command);
      options[spec.name] = true;
      continue;
    }
    if (eq > 0) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      if (raw === undefined || (raw.startsWith('-') && raw !== '-' && !/^-\d/.test(raw))) {
        throw new UsageError({ code: 'cli.missingValue', params: { option: flag } }, command);
      }
      i++;
    }
    let value: string | number = raw;
    if (spec.type === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) {
        throw new UsageError({ code: 'cli.badValue', params: { option: flag, expected: 'a number', value: raw } }, command);
      }
      value = n;
    } else if (spec.values && !spec.values.includes(raw)) {
      throw new UsageError({ code: 'cli.badValue', params: { option: flag, expected: spec.values.join(' | '), value: raw } }, command);
    }
    if (spec.repeatable) {
      const prev = (options[spec.name] as (string | number)[] | undefined) ?? [];
      options[spec.name] = [...prev, value] as string[] | number[];
    } else options[spec.name] = value;
  }
  return { positionals, options };
}

/**
 * Exactly the positional arguments `names` (in order): a missing one (`cli.missingArgument`, or the
 * command's own message) or an extra one (`cli.extraArgument`) is a usage error. Returns their values.
 */
export function expectPositionals<const N extends readonly string[]>(
  ctx: { positionals: readonly string[]; commandName: string },
  names: N,
  missing: (name: string) => MessageRef = (name) => ({ code: 'cli.missingArgument', params: { name } }),
): { -readonly [K in keyof N]: string } {
  const values = ctx.positionals.slice(0, names.length);
  if (values.length < names.length) throw new UsageError(missing(names[values.length]!), ctx.commandName);
  const extra = ctx.positionals[names.length];
  if (extra !== undefined) throw new UsageError({ code: 'cli.extraArgument', params: { value: extra } }, ctx.commandName);
  return values as { -readonly [K in keyof N]: string };
}
