/**
 * What every `scan` command shares: the common options of the contract (--format, --output, --fail-on) and
 * `finishScan`, which turns what a scan collected into the report document, renders it and sets the exit code.
 */
import { writeFileSync } from 'node:fs';
import { SEVERITIES, severityRank, summarize, type Finding, type Gap, type Inventory, type RefreshOutcome, type ReportDocument, type Severity, type TargetKind } from '../core/model.js';
import { binaryFormats, renderers } from '../report/index.js';
import type { OptionSpec } from './args.js';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { toolVersion } from './version.js';

export const scanOptions: OptionSpec[] = [
  { name: 'format', short: 'f', type: 'string', values: Object.keys(renderers), help: 'scan.opt.format', valueName: Object.keys(renderers).join('|') },
  { name: 'output', short: 'o', type: 'string', help: 'scan.opt.output', valueName: 'FILE' },
  { name: 'fail-on', type: 'string', values: ['critical', 'high', 'medium', 'low'], help: 'scan.opt.failOn', valueName: 'critical|high|medium|low' },
  { name: 'ignore-file', type: 'string', help: 'assess.opt.ignoreFile', valueName: 'FILE' },
  { name: 'baseline', type: 'string', help: 'assess.opt.baseline', valueName: 'FILE' },
];

export interface Collected {
  target: { kind: TargetKind; name: string };
  inventory: Inventory;
  /** Findings the collectors determined directly (personal data, TLS, headers…). */
  findings: Finding[];
  gaps: Gap[];
  scannedAt?: Date;
  /** What the automatic knowledge refresh before the scan did (src/cli/knowledge-prep.ts). */
  refresh?: RefreshOutcome;
}

export function buildDocument(c: Collected, ctx: Pick<CommandContext, 'lang'>): ReportDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'mamori', version: toolVersion },
    scannedAt: (c.scannedAt ?? new Date()).toISOString(),
    target: c.target,
    lang: ctx.lang,
    knowledge: { feeds: [] },
    inventory: c.inventory,
    findings: c.findings,
    gaps: c.gaps,
    summary: summarize(c.findings),
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

/**
 * Everything after collecting: open the knowledge DB, assess, apply --ignore-file and --baseline, render
 * titles in ctx.lang, emit the report; returns the exit code of the contract. The assessment, the store and
 * their parsers load only here, so `--help`, `version` and usage errors start fast.
 */
export async function finishScan(collected: Collected, ctx: CommandContext): Promise<number> {
  const { finishScanNow } = await import('./finish-scan.js');
  return finishScanNow(collected, ctx);
}
