/**
 * What every `scan` command shares: the common options of the contract (--format, --output, --fail-on,
 * --ignore-file, --baseline), the ports the CLI hands to the application layer (src/scan), and writing the
 * report with the exit code. The pipelines themselves live in src/scan.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { filterDocument } from '../core/document/filter.js';
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
  ...filterOptions(),
  { name: 'lag-policy', type: 'string', help: 'scan.opt.lagPolicy', valueName: 'critical=7,high=30' },
];

/** --severity, --ignore-unfixed and --exit-code: the same on every scan command and on `mamori report`. */
export function filterOptions(): OptionSpec[] {
  return [
    { name: 'severity', short: 's', type: 'string', help: 'scan.opt.severity', valueName: 'critical,high,…' },
    { name: 'ignore-unfixed', type: 'boolean', help: 'scan.opt.ignoreUnfixed' },
    { name: 'exit-code', type: 'number', help: 'scan.opt.exitCode', valueName: 'N' },
  ];
}

/** `critical,high` → the severities; a usage error naming the value otherwise. */
export function parseSeverities(ctx: CommandContext): Severity[] | undefined {
  const raw = ctx.options.severity as string | undefined;
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  if (!parts.length || parts.some((p) => !(SEVERITIES as readonly string[]).includes(p))) throw new UsageError({ code: 'filter.badSeverity', params: { value: raw } }, ctx.commandName);
  return SEVERITIES.filter((s) => parts.includes(s));
}

export function exitCodeOption(ctx: CommandContext): number {
  const v = ctx.options['exit-code'] as number | undefined;
  if (v === undefined) return 1;
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new UsageError({ code: 'cli.badValue', params: { option: '--exit-code', expected: 'a whole number from 0 to 255', value: String(v) } }, ctx.commandName);
  return v;
}

/**
 * Check --output before any work: its folder must exist and it must not be a folder itself (exit 2 with how
 * to fix it), so a long scan never ends in "cannot write".
 */
export function checkOutput(ctx: CommandContext): void {
  const output = ctx.options.output as string | undefined;
  if (!output || output === '-') return;
  const abs = resolve(output);
  if (statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError({ code: 'output.err.isDir', params: { file: output, example: join(output, 'report.html') } }, ctx.commandName);
  const dir = dirname(abs);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError({ code: 'output.err.noDir', params: { file: output, dir: dirname(output) } }, ctx.commandName);
}

/** Write a report to --output: a failure names the file and the reason (exit 2), never an internal error. */
export function writeOutput(ctx: CommandContext, output: string, body: string | Uint8Array): void {
  try {
    writeFileSync(output, body);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new UsageError({ code: 'output.err.noDir', params: { file: output, dir: dirname(output) } }, ctx.commandName);
    if (e.code === 'EISDIR') throw new UsageError({ code: 'output.err.isDir', params: { file: output, example: join(output, 'report.html') } }, ctx.commandName);
    throw new UsageError({ code: 'output.err.write', params: { file: output, reason: e.message } }, ctx.commandName);
  }
}

/** --lag-policy → days per severity (the default policy when absent). */
export async function lagDaysOption(ctx: CommandContext): Promise<Record<Severity, number> | undefined> {
  const raw = ctx.options['lag-policy'] as string | undefined;
  if (raw === undefined) return undefined;
  const { parseLagDays } = await import('../core/assess/lag.js');
  const days = parseLagDays(raw);
  if (!days) throw new UsageError({ code: 'filter.badLagPolicy', params: { value: raw } }, ctx.commandName);
  return days;
}

/** "3 findings" / "1 finding" in the run's language. */
export function countText(ctx: CommandContext, what: 'finding' | 'gap', count: number): string {
  return ctx.t(`ux.${what}.${count === 1 ? 'one' : 'other'}`, { count });
}

/** The CLI's ports: the knowledge DB at --db, the system clock, progress lines on stderr. */
export function cliPorts(ctx: CommandContext): ScanPorts {
  return {
    knowledge: sqliteKnowledge(ctx.dbPath),
    clock: () => new Date(),
    progress: (e) => ctx.progress(e.code.startsWith('progress.') ? `${ctx.commandName}: ${ctx.t(e.code, e.params)}` : ctx.t(e.code, e.params)),
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
  const lagDays = await lagDaysOption(ctx);
  parseSeverities(ctx);
  exitCodeOption(ctx);
  checkOutput(ctx);
  if (!ignorePath && !baselinePath) return { lang: ctx.lang, ...(lagDays ? { lagDays } : {}) };
  const inputs = await import('../scan/inputs.js');
  return {
    lang: ctx.lang,
    ...(lagDays ? { lagDays } : {}),
    exceptions: ignorePath ? inputs.parseIgnoreFile(readUserFile(ignorePath, 'assess.err.ignoreFile'), ignorePath) : [],
    baseline: baselinePath ? inputs.parseBaseline(readUserFile(baselinePath, 'assess.err.baseline'), baselinePath) : undefined,
  };
}

/**
 * Render `doc` in the chosen format to --output or stdout, after --severity / --ignore-unfixed, with a summary
 * line on stderr (not with -q); returns the exit code of the contract (--fail-on, --exit-code).
 */
export async function emitReport(doc: ReportDocument, ctx: CommandContext, started?: Date): Promise<number> {
  const defaultFormat = ctx.io.stdout.isTTY && renderers.table ? 'table' : 'json';
  const format = (ctx.options.format as string | undefined) ?? defaultFormat;
  const output = ctx.options.output as string | undefined;
  const render = renderers[format];
  if (!render) throw new UsageError({ code: 'cli.badValue', params: { option: '--format', expected: Object.keys(renderers).join(' | '), value: format } }, ctx.commandName);
  if (binaryFormats.has(format) && !output) throw new UsageError({ code: 'scan.needsOutput', params: { format } }, ctx.commandName);
  const shown = filterDocument(doc, { severities: parseSeverities(ctx), ignoreUnfixed: Boolean(ctx.options['ignore-unfixed']) });
  if (binaryFormats.has(format)) ctx.progress(`${ctx.commandName}: ${ctx.t('progress.render', { format })}`);
  const body = await render(shown, { lang: ctx.lang, columns: ctx.io.stdout.columns, color: ctx.color });
  if (output) writeOutput(ctx, output, body);
  else ctx.io.stdout.write(body);
  if (started) summaryLine(ctx, shown, started);
  return exitCodeFor(shown.findings, ctx.options['fail-on'] as Severity | undefined, exitCodeOption(ctx), ctx.options['exit-code'] !== undefined);
}

/** `mamori scan site: https://…: 12 findings (1 critical, …), 2 items not checked, in 8.1 s` on stderr. */
export function summaryLine(ctx: CommandContext, doc: ReportDocument, started: Date): void {
  const s = doc.summary;
  const seconds = ((Date.now() - started.getTime()) / 1000).toFixed(1);
  let line = ctx.t('ux.summaryLine', {
    command: ctx.commandName,
    target: doc.target.name,
    findings: countText(ctx, 'finding', doc.findings.length),
    critical: s.critical,
    high: s.high,
    medium: s.medium,
    low: s.low,
    info: s.info,
    gaps: countText(ctx, 'gap', doc.gaps.length),
    seconds,
  });
  if (doc.filtered?.hidden) {
    const filters = [doc.filtered.severities ? `--severity ${doc.filtered.severities.join(',')}` : '', doc.filtered.ignoreUnfixed ? '--ignore-unfixed' : ''].filter(Boolean).join(' ');
    line += `; ${ctx.t('ux.filtered', { hidden: doc.filtered.hidden, filters })}`;
  }
  ctx.progress(line);
}

/**
 * 0, or `code` (default 1) when a finding at or above `failOn` exists — or, with --exit-code and no --fail-on,
 * when any finding is shown (Trivy's --exit-code).
 */
export function exitCodeFor(findings: readonly Finding[], failOn: Severity | undefined, code = 1, anyFinding = false): number {
  if (!failOn) return anyFinding && findings.length > 0 ? code : 0;
  const bar = severityRank(failOn);
  return findings.some((f) => severityRank(f.severity) >= bar) ? code : 0;
}

export { SEVERITIES };
