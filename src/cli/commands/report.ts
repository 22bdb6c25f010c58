/**
 * `mamori report SCAN.json --format html|pdf|sarif|csv|cyclonedx|json|table [--lang ja|en] --output FILE`:
 * render a saved scan. The file is validated once (src/core/document/schema.ts) against the report document of the contract; what is
 * wrong is named with its place (`findings[3].severity: …`) and the command exits 2.
 */
import { readFileSync } from 'node:fs';
import { filterDocument } from '../../core/document/filter.js';
import type { Severity } from '../../core/model.js';
import { binaryFormats, renderers } from '../../report/index.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import { checkOutput, exitCodeFor, exitCodeOption, filterOptions, parseSeverities, writeOutput } from '../scan-common.js';

const FORMAT_BY_EXTENSION: [RegExp, string][] = [
  [/\.html?$/i, 'html'],
  [/\.pdf$/i, 'pdf'],
  [/\.sarif(\.json)?$/i, 'sarif'],
  [/\.csv$/i, 'csv'],
  [/\.(cdx|bom)\.json$/i, 'cyclonedx'],
  [/\.json$/i, 'json'],
];

const options: OptionSpec[] = [
  { name: 'format', short: 'f', type: 'string', values: Object.keys(renderers), help: 'report.opt.format', valueName: Object.keys(renderers).join('|') },
  { name: 'output', short: 'o', type: 'string', help: 'report.opt.output', valueName: 'FILE' },
  { name: 'fail-on', type: 'string', values: ['critical', 'high', 'medium', 'low'], help: 'scan.opt.failOn', valueName: 'critical|high|medium|low' },
  ...filterOptions(),
];

function readInput(file: string, ctx: CommandContext): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new FatalError(ctx.t('report.err.read', { file, reason }), { code: 'report.err.read', params: { file, reason } });
  }
}

export const reportCommand: Command = {
  path: ['report'],
  summary: 'report.summary',
  usage: 'SCAN.json --format html|pdf|sarif|csv|cyclonedx|json|table [--lang ja|en] --output FILE',
  options,
  async run(ctx) {
    const [file] = expectPositionals(ctx, ['SCAN.json'], () => ({ code: 'report.err.noInput' }));
    const output = ctx.options.output as string | undefined;
    const format =
      (ctx.options.format as string | undefined) ??
      (output ? FORMAT_BY_EXTENSION.find(([re]) => re.test(output))?.[1] : undefined) ??
      (ctx.io.stdout.isTTY && renderers.table ? 'table' : undefined);
    if (!format) throw new UsageError({ code: 'cli.missingValue', params: { option: '--format' } }, ctx.commandName);
    const render = renderers[format];
    if (!render) throw new UsageError({ code: 'cli.badValue', params: { option: '--format', expected: Object.keys(renderers).join(' | '), value: format } }, ctx.commandName);
    if (binaryFormats.has(format) && !output) throw new UsageError({ code: 'scan.needsOutput', params: { format } }, ctx.commandName);
    const severities = parseSeverities(ctx);
    const exitCode = exitCodeOption(ctx);
    checkOutput(ctx);

    const text = readInput(file, ctx);
    let raw: unknown;
    try {
      raw = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      const reason = (err as Error).message;
      throw new FatalError(ctx.t('report.err.json', { file, reason }), { code: 'report.err.json', params: { file, reason } });
    }
    const { parseReportDocument } = await import('../../core/document/schema.js');
    const parsed = parseReportDocument(raw);
    if (!parsed.ok) {
      const issues = parsed.issues.join('; ');
      throw new FatalError(ctx.t('report.err.schema', { file, issues }), { code: 'report.err.schema', params: { file, issues } });
    }
    const doc = filterDocument(parsed.doc, { severities, ignoreUnfixed: Boolean(ctx.options['ignore-unfixed']) });
    if (binaryFormats.has(format)) ctx.progress(`${ctx.commandName}: ${ctx.t('progress.render', { format })}`);
    const body = await render(doc, { lang: ctx.lang, columns: ctx.io.stdout.columns, color: ctx.color });
    if (output) writeOutput(ctx, output, body);
    else ctx.io.stdout.write(body);
    return exitCodeFor(doc.findings, ctx.options['fail-on'] as Severity | undefined, exitCode, ctx.options['exit-code'] !== undefined);
  },
};
