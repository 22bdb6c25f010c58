/** The CLI: parse global options, find the command, run it, map errors to exit codes (contract). */
import { LANGS, type Lang } from '../core/model.js';
import { parseArgs, type OptionSpec } from './args.js';
import { commands } from './commands/index.js';
import { configOptions, configPath, readConfig } from './config.js';
import { langFromEnv, makeT, mamoriHome, type Command, type CommandContext, type Io } from './context.js';
import { FatalError, UsageError } from './errors.js';
import { toolVersion } from './version.js';
import { join } from 'node:path';

const globalOptions: OptionSpec[] = [
  { name: 'help', short: 'h', type: 'boolean', help: 'cli.help.help' },
  { name: 'lang', type: 'string', values: LANGS, help: 'cli.help.lang', valueName: 'ja|en' },
  { name: 'db', type: 'string', help: 'cli.help.db', valueName: 'PATH' },
  { name: 'quiet', short: 'q', type: 'boolean', help: 'cli.help.quiet' },
  { name: 'no-color', type: 'boolean', help: 'cli.help.noColor' },
  { name: 'config', type: 'string', help: 'cli.help.config', valueName: 'FILE' },
];

function optionLine(o: OptionSpec, t: (c: string) => string): string {
  const flag = `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.type === 'boolean' ? '' : ` <${o.valueName ?? (o.values ? o.values.join('|') : 'value')}>`}`;
  return `  ${flag.padEnd(34)} ${t(o.help)}${o.repeatable ? ' (…)' : ''}`;
}

function mainHelp(t: (c: string) => string): string {
  const lines = [t('cli.usage'), '', t('cli.commands')];
  for (const c of commands) lines.push(`  mamori ${c.path.join(' ')} ${c.usage}`.trimEnd(), `      ${t(c.summary)}`);
  lines.push('', t('cli.globalOptions'));
  lines.push(`  -V, --version${' '.repeat(21)} ${t('cli.help.version')}`);
  for (const o of globalOptions) lines.push(optionLine(o, t));
  lines.push('', t('cli.moreHelp'), '');
  return lines.join('\n');
}

function commandHelp(c: Command, t: (c: string) => string): string {
  const lines = [`mamori ${c.path.join(' ')} ${c.usage}`.trimEnd(), '', `  ${t(c.summary)}`, ''];
  if (c.options.length) {
    lines.push(t('cli.options'));
    for (const o of c.options) lines.push(optionLine(o, t));
    lines.push('');
  }
  lines.push(t('cli.globalOptions'));
  for (const o of globalOptions) lines.push(optionLine(o, t));
  lines.push('');
  return lines.join('\n');
}

/** Longest command path that prefixes argv's leading words. */
function findCommand(words: readonly string[]): { command?: Command; consumed: number } {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => words[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return { command: best, consumed: best?.path.length ?? 0 };
}

export async function run(
  argv: readonly string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // --lang is read before anything else so even usage errors come in the chosen language.
  let lang: Lang = langFromEnv(env);
  const li = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  if (li >= 0) {
    const v = argv[li]!.includes('=') ? argv[li]!.split('=')[1] : argv[li + 1];
    if (v === 'ja' || v === 'en') lang = v;
  }
  let t = makeT(lang);
  let commandName = 'mamori';
  try {
    if (argv.includes('--version') || argv.includes('-V')) {
      if (argv.length === 1) {
        io.stdout.write(`${toolVersion}\n`);
        return 0;
      }
    }
    // Command words come first, possibly after global options (`mamori --lang ja version compare …`).
    const leading: string[] = [];
    const wordAt: number[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--lang' || a === '--db' || a === '--config') {
        i++;
        continue;
      }
      if (a.startsWith('-')) {
        if (globalOptions.some((o) => a === `--${o.name}` || a.startsWith(`--${o.name}=`) || (o.short && a === `-${o.short}`))) continue;
        // An option of the command group written before its sub-command (`mamori fleet --server URL import F`).
        const groupOption = leading.length > 0 && commands.filter((c) => leading.every((w, k) => c.path[k] === w)).flatMap((c) => c.options).find((o) => a === `--${o.name}` || a.startsWith(`--${o.name}=`));
        if (groupOption) {
          if (groupOption.type !== 'boolean' && !a.includes('=')) i++;
          continue;
        }
        break;
      }
      leading.push(a);
      wordAt.push(i);
    }
    const { command, consumed } = findCommand(leading);
    if (!command) {
      if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
        io.stdout.write(mainHelp(t));
        return argv.length === 0 ? 2 : 0;
      }
      const group = commands.some((c) => c.path[0] === leading[0]);
      if (group && leading.length > 0) {
        io.stdout.write(mainHelp(t));
        return 2;
      }
      throw leading[0] === undefined
        ? new UsageError({ code: 'cli.missingCommand' })
        : new UsageError({ code: 'cli.unknownCommand', params: { name: leading[0] } });
    }
    commandName = `mamori ${command.path.join(' ')}`;
    const drop = new Set(wordAt.slice(0, consumed));
    const rest = argv.filter((_, i) => !drop.has(i));
    const parsed = parseArgs(rest, [...globalOptions, ...command.options], commandName);
    if (parsed.options.help) {
      io.stdout.write(commandHelp(command, t));
      return 0;
    }
    // mamori.yaml (or --config): defaults under the command line's own options.
    const cfgFile = configPath(parsed.options.config as string | undefined, process.cwd());
    if (cfgFile) {
      const fromFile = configOptions(await readConfig(cfgFile), cfgFile, command, commands, globalOptions);
      for (const [k, v] of Object.entries(fromFile)) if (parsed.options[k] === undefined) parsed.options[k] = v;
      if (li < 0 && (fromFile.lang === 'ja' || fromFile.lang === 'en')) {
        lang = fromFile.lang;
        t = makeT(lang);
      }
    }
    const quiet = Boolean(parsed.options.quiet);
    const dbOpt = parsed.options.db as string | undefined;
    const ctx: CommandContext = {
      commandName,
      positionals: parsed.positionals,
      options: parsed.options,
      lang,
      io,
      env,
      dbPath: dbOpt ?? join(mamoriHome(env), 'db.sqlite'),
      t,
      warn: (line) => io.stderr.write(`${line}\n`),
      progress: (line) => {
        if (!quiet) io.stderr.write(`${line}\n`);
      },
      quiet,
      color: Boolean(io.stdout.isTTY) && !env.NO_COLOR && !parsed.options['no-color'],
    };
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${t('cli.error', { message: t(err.ref.code, err.ref.params) })}\n`);
      io.stderr.write(`${t('cli.usageHint', { command: err.command === 'mamori' ? commandName : err.command })}\n`);
      return 2;
    }
    if (err instanceof FatalError) {
      io.stderr.write(`${t('cli.error', { message: err.ref ? t(err.ref.code, err.ref.params) : err.message })}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    io.stderr.write(`${t('cli.error', { message: t('cli.internal', { message: e?.message ?? String(err) }) })}\n`);
    if (env.MAMORI_DEBUG) io.stderr.write(`${e?.stack ?? ''}\n`);
    return 70;
  }
}
