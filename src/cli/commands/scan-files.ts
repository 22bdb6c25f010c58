/** `mamori scan files DIR` (contract): the directory checked → src/scan/files.ts (the pipeline) → the report and exit code. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import { cliPorts, emitReport, reportChoices, scanOptions } from '../scan-common.js';

const options: OptionSpec[] = [
  ...scanOptions,
  { name: 'max-file-bytes', type: 'number', help: 'pii.opt.maxFileBytes', valueName: 'N' },
  { name: 'max-files', type: 'number', help: 'pii.opt.maxFiles', valueName: 'N' },
  { name: 'workers', type: 'number', help: 'pii.opt.workers', valueName: 'N' },
];

function positiveInt(ctx: CommandContext, name: string): number | undefined {
  const v = ctx.options[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new UsageError({ code: 'cli.badValue', params: { option: `--${name}`, expected: 'a positive integer', value: String(v) } }, ctx.commandName);
  }
  return v;
}

export const scanFilesCommand: Command = {
  path: ['scan', 'files'],
  summary: 'pii.scanFiles.summary',
  usage: 'DIR',
  options,
  async run(ctx) {
    const started = new Date();
    const [dir] = expectPositionals(ctx, ['DIR']);
    const root = resolve(dir);
    const st = statSync(root, { throwIfNoEntry: false });
    if (!st) throw new FatalError(ctx.t('pii.notFound', { path: root }), { code: 'pii.notFound', params: { path: root } });
    if (!st.isDirectory()) throw new FatalError(ctx.t('pii.notDirectory', { path: root }), { code: 'pii.notDirectory', params: { path: root } });
    const choices = await reportChoices(ctx);
    const { scanFiles } = await import('../../scan/files.js');
    const doc = await scanFiles(
      { ...choices, root, maxFileBytes: positiveInt(ctx, 'max-file-bytes'), maxFiles: positiveInt(ctx, 'max-files'), workers: positiveInt(ctx, 'workers') },
      cliPorts(ctx),
    );
    return emitReport(doc, ctx, started);
  },
};
