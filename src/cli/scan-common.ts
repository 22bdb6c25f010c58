/**
 * What every `scan` command shares: the common options of the contract (--format, --output, --fail-on,
 * --ignore-file, --baseline), the ports the CLI hands to the application layer (src/scan), and writing the
 * report with the exit code. The pipelines themselves live in src/scan.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { SEVERITIES, severityRank, type Finding, type ReportDocument, type Severity } from '../core/model.js';
import { binaryFormats, renderers } from '../report/index.js';
import { sqliteKnowledge } from '../knowledge/provider.js';
import type { ReportChoices, ScanPorts } from '../scan/ports.js';
import type { OptionSpec } from './args.js';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';

export const scanOptions: OptionSpec[] = [
  { name: 'format', short: 'f', type: 'string', values: Object.keys(renderers), help: 'scan.opt.format', valueName: Object.keys(renderers).join('|') },
  { name: 'output', short: 'o', type: 'string', help: 'scan.opt.output', valueName: 'FILE' },
  { name: 'fail-on', type: 'string', values: ['critical', 'high', 'medium', 'low'], help: 'scan.opt.failOn', valueName: 'critical|high|medium|low' },
  { name: 'ignore-file', type: 'string', help: 'assess.opt.ignoreFile', valueName: 'FILE' },
  { name: 'baseline', type: 'string', help: 'assess.opt.baseline', valueName: 'FILE' },
];

/** The CLI's ports: the knowledge DB at --db, the system clock, progress lines on stderr. */
export function cliPorts(ctx: CommandContext): ScanPorts {
  return {
    knowledge: sqliteKnowledge(ctx.dbPath),
    clock: () => new Date(),
    progress: (e) => ctx.warn(ctx.t(e.code, e.params)),
  };
}

function readUserFile(path: string, code: 'assess.err.ignoreFile' | 'assess.err.baseline'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError({ code, params: { file: path, reason: (err as Error).message } });
  }
}

/** --lang, --ignore-file and --baseline: the files are read here and parsed by src/scan/inputs.ts (yaml and zod load only then). */
export async function reportChoices(ctx: CommandContext): Promise<ReportChoices> {
  const ignorePath = ctx.options['ignore-file'] as string | undefined;
  const baselinePath = ctx.options.baseline as string | undefined;
  if (!ignorePath && !baselinePath) return { lang: ctx.lang };
  const inputs = await import('../scan/inputs.js');
  return {
    lang: ctx.lang,
    exceptions: ignorePath ? inputs.parseIgnoreFile(readUserFile(ignorePath, 'assess.err.ignoreFile'), ignorePath) : [],
    baseline: baselinePath ? inputs.parseBaseline(readUserFile(baselinePath, 'assess.err.baseline'), baselinePath) : undefined,
  };
}

/** Render `doc` in the chosen format to --output or stdout; returns the exit code of the contract. */
export async function emitReport(doc: ReportDocument, ctx: CommandContext): Promise<number> {
  const defaultFormat = ctx.io.stdout.isTTY && renderers.table ? 'table' : 'json';
  const format = (ctx.options.format as string | undefined) ?? defaultFormat;
  const output = ctx.options.output as string | undefined;
  const render = renderers[format];
  if (!render) throw new UsageError({ code: 'cli.badValue', params: { option: '--format', expected: Object.keys(renderers).join(' | '), value: format } }, ctx.commandName);
  if (binaryFormats.has(format) && !output) throw new UsageError({ code: 'scan.needsOutput', params: { format } }, ctx.commandName);
  const body = await render(doc, {
    lang: ctx.lang,
    columns: ctx.io.stdout.columns,
    color: Boolean(ctx.io.stdout.isTTY) && !ctx.env.NO_COLOR,
  });
  if (output) writeFileSync(output, body);
  else ctx.io.stdout.write(body);
  return exitCodeFor(doc.findings, ctx.options['fail-on'] as Severity | undefined);
}

export function exitCodeFor(findings: readonly Finding[], failOn: Severity | undefined): number {
  if (!failOn) return 0;
  const bar = severityRank(failOn);
  return findings.some((f) => severityRank(f.severity) >= bar) ? 1 : 0;
}

export { SEVERITIES };
