/** `mamori scan files DIR` (contract): personal data and sensitive files under a directory (a document root). */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { emptyInventory } from '../../core/model.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import { finishScan, scanOptions, type Collected } from '../scan-common.js';

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
    const [dir] = expectPositionals(ctx, ['DIR']);
    const root = resolve(dir);
    const st = statSync(root, { throwIfNoEntry: false });
    if (!st) throw new FatalError(ctx.t('pii.notFound', { path: root }), { code: 'pii.notFound', params: { path: root } });
    if (!st.isDirectory()) throw new FatalError(ctx.t('pii.notDirectory', { path: root }), { code: 'pii.notDirectory', params: { path: root } });
    const started = new Date();
    const { scanTree } = await import('../../pii/index.js');
    const res = await scanTree(root, {
      lang: ctx.lang,
      maxFileBytes: positiveInt(ctx, 'max-file-bytes'),
      maxFiles: positiveInt(ctx, 'max-files'),
      workers: positiveInt(ctx, 'workers'),
      locate: (p) => ({ location: join(root, p), served: 'unknown' }),
    });
    const collected: Collected = { target: { kind: 'files', name: root }, inventory: emptyInventory(), findings: res.findings, gaps: res.gaps, scannedAt: started };
    return finishScan(collected, ctx);
  },
};
