/**
 * `mamori report SCAN.json --format html|pdf|sarif|csv|cyclonedx|json|table [--lang ja|en] --output FILE`:
 * render a saved scan. The file is validated once (src/core/document/schema.ts) against the report document of the contract; what is
 * wrong is named with its place (`findings[3].severity: …`) and the command exits 2.
 *
 * `mamori report a.json b.json … --format html|pdf --output F [--client N] [--vendor N] [--logo FILE]
 * [--addressee TEXT] [--appendix]`: a client's host, site and files scans combined into one proposal
 * (src/core/document/proposal.ts combineDocuments), with a cover. One scan with a cover option is rendered the
 * same way.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { CoverOptions } from '../../core/document/proposal.js';
import type { ReportDocument } from '../../core/model.js';
import { binaryFormats, renderers } from '../../report/index.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';

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
  { name: 'client', type: 'string', help: 'proposal.opt.client', valueName: 'NAME' },
  { name: 'vendor', type: 'string', help: 'proposal.opt.vendor', valueName: 'NAME' },
  { name: 'logo', type: 'string', help: 'proposal.opt.logo', valueName: 'FILE' },
  { name: 'addressee', type: 'string', help: 'proposal.opt.addressee', valueName: 'TEXT' },
  { name: 'appendix', type: 'boolean', help: 'proposal.opt.appendix' },
];

/** The largest logo embedded in a report (the PDF carries it on the cover). */
export const LOGO_MAX_BYTES = 512 * 1024;

/** The logo as a data: URI payload: PNG, JPEG or a plain SVG (no script, event handler or external reference), size-capped. */
export function readLogo(file: string, ctx: CommandContext): NonNullable<CoverOptions['logo']> {
  const fail = (code: string, params: Record<string, string | number>) => new FatalError(ctx.t(code, params), { code, params });
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > LOGO_MAX_BYTES) throw fail('proposal.err.logoSize', { file, size, max: LOGO_MAX_BYTES });
    bytes = readFileSync(file);
  } catch (err) {
    if (err instanceof FatalError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw fail('proposal.err.logoRead', { file, reason });
  }
  if (bytes.length > LOGO_MAX_BYTES) throw fail('proposal.err.logoSize', { file, size: bytes.length, max: LOGO_MAX_BYTES });
  const png = bytes.length > 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (png) return { mediaType: 'image/png', base64: bytes.toString('base64') };
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { mediaType: 'image/jpeg', base64: bytes.toString('base64') };
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const head = text.replace(/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?/i, '');
  if (!/^<svg[\s>]/i.test(head)) throw fail('proposal.err.logoType', { file });
  // The report loads nothing and runs no script: an SVG that would is refused rather than cleaned.
  if (/<script|<foreignObject|\son[a-z]+\s*=|javascript:|(?:xlink:)?href\s*=\s*["'](?!#|data:image\/)|url\(\s*["']?(?!#|data:image\/)|@import|<!ENTITY/i.test(text)) throw fail('proposal.err.logoScript', { file });
  return { mediaType: 'image/svg+xml', base64: bytes.toString('base64') };
}

function parseDocument(file: string, ctx: CommandContext, parse: (raw: unknown) => { ok: true; doc: ReportDocument } | { ok: false; issues: string[] }): ReportDocument {
  const text = readInput(file, ctx);
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const reason = (err as Error).message;
    throw new FatalError(ctx.t('report.err.json', { file, reason }), { code: 'report.err.json', params: { file, reason } });
  }
  const parsed = parse(raw);
  if (!parsed.ok) {
    const issues = parsed.issues.slice(0, 8).join('; ') + (parsed.issues.length > 8 ? '; …' : '');
    throw new FatalError(ctx.t('proposal.err.notReport', { file, issues }), { code: 'proposal.err.notReport', params: { file, issues } });
  }
  return parsed.doc;
}

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
  usage: 'SCAN.json [SCAN2.json …] --format html|pdf|sarif|csv|cyclonedx|json|table [--lang ja|en] --output FILE [--client NAME] [--vendor NAME] [--logo FILE] [--addressee TEXT] [--appendix]',
  options,
  async run(ctx) {
    const files = ctx.positionals.length > 1 ? [...ctx.positionals] : expectPositionals(ctx, ['SCAN.json'], () => ({ code: 'report.err.noInput' }));
    const output = ctx.options.output as string | undefined;
    const format =
      (ctx.options.format as string | undefined) ??
      (output ? FORMAT_BY_EXTENSION.find(([re]) => re.test(output))?.[1] : undefined) ??
      (ctx.io.stdout.isTTY && renderers.table ? 'table' : undefined);
    if (!format) throw new UsageError({ code: 'cli.missingValue', params: { option: '--format' } }, ctx.commandName);
    const render = renderers[format];
    if (!render) throw new UsageError({ code: 'cli.badValue', params: { option: '--format', expected: Object.keys(renderers).join(' | '), value: format } }, ctx.commandName);
    if (binaryFormats.has(format) && !output) throw new UsageError({ code: 'scan.needsOutput', params: { format } }, ctx.commandName);

    const cover: CoverOptions = {
      ...(typeof ctx.options.client === 'string' ? { client: ctx.options.client } : {}),
      ...(typeof ctx.options.vendor === 'string' ? { vendor: ctx.options.vendor } : {}),
      ...(typeof ctx.options.addressee === 'string' ? { addressee: ctx.options.addressee } : {}),
      ...(ctx.options.appendix === true ? { appendix: true } : {}),
    };
    const combined = files.length > 1 || Object.keys(cover).length > 0 || typeof ctx.options.logo === 'string';
    if (combined && format !== 'html' && format !== 'pdf') throw new UsageError({ code: 'proposal.err.combineFormat', params: { format } }, ctx.commandName);
    if (typeof ctx.options.logo === 'string') cover.logo = readLogo(ctx.options.logo, ctx);

    const { parseReportDocument } = await import('../../core/document/schema.js');
    const docs = files.map((file) => parseDocument(file, ctx, parseReportDocument));
    const opts = { lang: ctx.lang, columns: ctx.io.stdout.columns, color: Boolean(ctx.io.stdout.isTTY) && !ctx.env.NO_COLOR };
    let body: string | Uint8Array;
    if (combined) {
      const { renderProposal } = await import('../../report/proposal.js');
      body = await renderProposal(docs, format as 'html' | 'pdf', { ...opts, cover: { ...cover, date: new Date().toISOString() } });
    } else {
      body = await render(docs[0]!, opts);
    }
    if (output) writeFileSync(output, body);
    else ctx.io.stdout.write(body);
    return 0;
  },
};
