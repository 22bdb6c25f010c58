/** `mamori scan site URL`: flags and the trust store → src/scan/site.ts (the pipeline) → the report and exit code. */
import { existsSync, readFileSync } from 'node:fs';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { cliPorts, emitReport, reportChoices, scanOptions } from '../scan-common.js';
import { addKnowledgeSnapshot, knowledgeOptions, maxAgeOption, prepareScanKnowledge } from '../knowledge-prep.js';

const options: OptionSpec[] = [
  { name: 'ca', type: 'string', help: 'site.opt.ca', valueName: 'FILE' },
  { name: 'max-pages', type: 'number', help: 'site.opt.maxPages', valueName: 'N' },
  { name: 'rate', type: 'number', help: 'site.opt.rate', valueName: 'N' },
  { name: 'concurrency', type: 'number', help: 'site.opt.concurrency', valueName: 'N' },
  { name: 'budget', type: 'number', help: 'site.opt.budget', valueName: 'N' },
  { name: 'timeout', type: 'number', help: 'site.opt.timeout', valueName: 'SECONDS' },
  { name: 'max-time', type: 'number', help: 'site.opt.maxTime', valueName: 'SECONDS' },
  { name: 'user-agent', type: 'string', help: 'site.opt.userAgent', valueName: 'UA' },
  { name: 'http-port', type: 'number', help: 'site.opt.httpPort', valueName: 'PORT' },
  { name: 'https-port', type: 'number', help: 'site.opt.httpsPort', valueName: 'PORT' },
  { name: 'no-tls', type: 'boolean', help: 'site.opt.noTls' },
  ...scanOptions,
  ...knowledgeOptions,
];

function positive(ctx: CommandContext, name: string, fallback: number, max = Infinity): number {
  const v = ctx.options[name] as number | undefined;
  if (v === undefined) return fallback;
  if (!(v > 0) || v > max) throw new UsageError({ code: 'cli.badValue', params: { option: `--${name}`, expected: `a number between 1 and ${max}`, value: String(v) } }, ctx.commandName);
  return v;
}

/** System trust store (Debian/RHEL paths) plus --ca: certificate checks use both. */
function trustAnchors(ctx: CommandContext): string[] {
  const out: string[] = [];
  for (const p of ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt']) {
    if (existsSync(p)) {
      out.push(readFileSync(p, 'utf8'));
      break;
    }
  }
  const ca = ctx.options.ca as string | undefined;
  if (ca) {
    try {
      out.push(readFileSync(ca, 'utf8'));
    } catch (err) {
      throw new UsageError({ code: 'site.err.caFile', params: { file: ca, why: (err as Error).message } }, ctx.commandName);
    }
  }
  return out;
}

export const scanSiteCommand: Command = {
  path: ['scan', 'site'],
  summary: 'site.summary',
  usage: 'URL [--ca FILE] [--max-pages N] [--rate N] [--budget N] [--max-time SECONDS]',
  options,
  async run(ctx) {
    const started = new Date();
    const [raw] = expectPositionals(ctx, ['URL']);
    const { siteUrl } = await import('../../scan/site.js');
    const url = siteUrl(raw);
    const budget = Math.floor(positive(ctx, 'budget', 500, 100_000));
    const ratePerSec = positive(ctx, 'rate', 10, 1000);
    const concurrency = Math.floor(positive(ctx, 'concurrency', 5, 64));
    const timeoutMs = Math.round(positive(ctx, 'timeout', 10, 600) * 1000);
    const ca = trustAnchors(ctx);
    const maxPages = Math.floor(positive(ctx, 'max-pages', 50, 10_000));
    const maxTimeMs = Math.round(positive(ctx, 'max-time', 300, 86_400) * 1000);
    const choices = await reportChoices(ctx);
    maxAgeOption(ctx);
    // The knowledge DB first (Trivy's order): the embedded snapshot on first use, then the refresh of old feeds.
    const kn = await prepareScanKnowledge(ctx);
    const { scanSite } = await import('../../scan/site.js');
    const doc = await scanSite(
      {
        ...choices,
        url,
        userAgent: ctx.options['user-agent'] as string | undefined,
        budget,
        ratePerSec,
        concurrency,
        timeoutMs,
        ca,
        maxPages,
        httpPort: ctx.options['http-port'] as number | undefined,
        httpsPort: ctx.options['https-port'] as number | undefined,
        skipTls: Boolean(ctx.options['no-tls']),
        maxTimeMs,
      },
      cliPorts(ctx),
    );
    return emitReport(await addKnowledgeSnapshot(doc, kn, ctx.dbPath), ctx, started);
  },
};
