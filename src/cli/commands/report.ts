/**
 * `mamori report SCAN.json --format html|pdf|sarif|csv|cyclonedx|json|table [--lang ja|en] --output FILE`:
 * render a saved scan. The file is validated once, here, against the report document of the contract; what is
 * wrong is named with its place (`findings[3].severity: …`) and the command exits 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { CATEGORIES, LANGS, SEVERITIES, SUPPORT_PHASES, TARGET_KINDS, summarize, type ReportDocument } from '../../core/model.js';
import { binaryFormats, renderers } from '../../report/index.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';

const str = z.string();
const opt = <T extends z.ZodTypeAny>(t: T) => t.optional();
const priority = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const message = z.object({ code: str, params: opt(z.record(z.union([z.string(), z.number()]))) }).passthrough();

const finding = z
  .object({
    id: str.min(1),
    category: z.enum(CATEGORIES),
    severity: z.enum(SEVERITIES),
    title: str,
    message: opt(message),
    component: opt(z.object({ name: str, version: opt(str) }).passthrough()),
    cves: opt(z.array(str)),
    location: opt(str),
    evidence: opt(z.record(z.unknown())),
    remediation: z
      .object({
        priority,
        action: str,
        actionMessage: opt(message),
        command: opt(str),
        reviewBy: opt(str),
        steps: opt(z.array(z.object({ priority, action: str, command: opt(str), reviewBy: opt(str) }).passthrough())),
      })
      .passthrough(),
    damage: opt(z.object({ customers: str, organisation: str, code: opt(str) }).passthrough()),
    confidence: opt(z.number()),
    source: opt(str),
    rank: opt(z.number()),
  })
  .passthrough();

/** The report document of docs/contract.md, as read back from a file: known fields checked, extra fields kept. */
export const reportDocumentSchema = z
  .object({
    schemaVersion: z.literal(1),
    tool: z.object({ name: z.literal('mamori'), version: str }).passthrough(),
    scannedAt: str.refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO-8601 date and time'),
    target: z.object({ kind: z.enum(TARGET_KINDS), name: str }).passthrough(),
    lang: opt(z.enum(LANGS)),
    knowledge: z
      .object({ feeds: z.array(z.object({ name: str, updatedAt: str.nullable(), records: z.number() }).passthrough()) })
      .passthrough()
      .default({ feeds: [] }),
    inventory: z
      .object({
        os: opt(z.object({ family: str, name: str, version: str }).passthrough()),
        packages: z.array(z.object({ name: str, version: str, ecosystem: str }).passthrough()).default([]),
        components: z.array(z.object({ name: str, version: opt(str), detectedBy: str }).passthrough()).default([]),
        pendingUpdates: z.array(z.object({ package: str, installed: str, candidate: str, security: z.boolean() }).passthrough()).default([]),
      })
      .passthrough(),
    findings: z.array(finding),
    gaps: z.array(z.object({ what: str, why: str }).passthrough()).default([]),
    summary: opt(z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number()]))).passthrough()),
    lifecycle: opt(
      z.array(
        z
          .object({
            component: str,
            phase: z.enum(SUPPORT_PHASES),
            version: opt(str),
            cycle: opt(str),
            releaseDate: opt(str),
            activeSupportEnd: opt(str),
            securitySupportEnd: opt(str),
          })
          .passthrough(),
      ),
    ),
  })
  .passthrough();

/** `findings[3].severity` from a zod path. */
export function pathOf(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(top level)';
}

export type ParseResult = { ok: true; doc: ReportDocument } | { ok: false; issues: string[] };

export function parseReportDocument(raw: unknown): ParseResult {
  const r = reportDocumentSchema.safeParse(raw);
  if (!r.success) return { ok: false, issues: r.error.issues.slice(0, 5).map((i) => `${pathOf(i.path)}: ${i.message}`) };
  const doc = r.data as unknown as ReportDocument;
  if (!r.data.summary) doc.summary = summarize(doc.findings);
  return { ok: true, doc };
}

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

    const text = readInput(file, ctx);
    let raw: unknown;
    try {
      raw = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      const reason = (err as Error).message;
      throw new FatalError(ctx.t('report.err.json', { file, reason }), { code: 'report.err.json', params: { file, reason } });
    }
    const parsed = parseReportDocument(raw);
    if (!parsed.ok) {
      const issues = parsed.issues.join('; ');
      throw new FatalError(ctx.t('report.err.schema', { file, issues }), { code: 'report.err.schema', params: { file, issues } });
    }
    const body = await render(parsed.doc, { lang: ctx.lang, columns: ctx.io.stdout.columns, color: Boolean(ctx.io.stdout.isTTY) && !ctx.env.NO_COLOR });
    if (output) writeFileSync(output, body);
    else ctx.io.stdout.write(body);
    return 0;
  },
};
