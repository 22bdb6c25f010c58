/** `mamori scan site URL`: black-box assessment of a website (src/probe/site.ts). */
import { existsSync, readFileSync } from 'node:fs';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import { finishScan, scanOptions, type Collected } from '../scan-common.js';
import { knowledgeOptions, maxAgeOption, prepareScanKnowledge } from '../knowledge-prep.js';
import { toolVersion } from '../version.js';

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

export const defaultUserAgent = `mamori/${toolVersion} (security assessment; +https://github.com/mamori-scanner/mamori)`;

function positive(ctx: CommandContext, name: string, fallback: number, max = Infinity): number {
  const v = ctx.options[name] as number | undefined;
  if (v === undefined) return fallback;
  if (!(v > 0) || v > max) throw new UsageError({ code: 'cli.badValue', params: { option: `--${name}`, expected: `a number between 1 and ${max}`, value: String(v) } }, ctx.commandName);
  return v;
}

function parseTarget(ctx: CommandContext, raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch (_err) {
    throw new UsageError({ code: 'site.err.badUrl', params: { value: raw } }, ctx.commandName);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname || u.username || u.password) throw new UsageError({ code: 'site.err.badUrl', params: { value: raw } }, ctx.commandName);
  return u.href;
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
    const [raw] = expectPositionals(ctx, ['URL']);
    const url = parseTarget(ctx, raw);
    maxAgeOption(ctx);
    // The prober loads on demand: `--help` and usage errors stay fast.
    const [{ defaultHttpOptions }, { loadClassifier }, { scanSite }] = await Promise.all([
      import('../../probe/http.js'),
      import('../../probe/pii.js'),
      import('../../probe/site.js'),
    ]);
    const http = defaultHttpOptions((ctx.options['user-agent'] as string | undefined) ?? defaultUserAgent);
    http.budget = Math.floor(positive(ctx, 'budget', 500, 100_000));
    http.ratePerSec = positive(ctx, 'rate', 10, 1000);
    http.concurrency = Math.floor(positive(ctx, 'concurrency', 5, 64));
    http.timeoutMs = Math.round(positive(ctx, 'timeout', 10, 600) * 1000);
    const ca = trustAnchors(ctx);
    http.ca = ca;
    const classifier = await loadClassifier();
    const started = new Date();
    const res = await scanSite({
      url,
      http,
      maxPages: Math.floor(positive(ctx, 'max-pages', 50, 10_000)),
      httpPort: ctx.options['http-port'] as number | undefined,
      httpsPort: ctx.options['https-port'] as number | undefined,
      ca,
      now: started,
      t: ctx.t,
      classifier: classifier.ok ? classifier.value : undefined,
      classifierGap: classifier.ok ? undefined : classifier.issue.message,
      skipTls: Boolean(ctx.options['no-tls']),
      maxTimeMs: Math.round(positive(ctx, 'max-time', 300, 86_400) * 1000),
    });
    if (res.fatal) throw new FatalError(ctx.t('site.err.unreachable', { url, why: res.fatal }), { code: 'site.err.unreachable', params: { url, why: res.fatal } });
    ctx.warn(ctx.t('site.done', { requests: res.stats.requests, pages: res.stats.pages, handshakes: res.stats.handshakes, findings: res.findings.length }));
    const kn = await prepareScanKnowledge(ctx, res.inventory);
    const collected: Collected = { target: { kind: 'site', name: url }, inventory: res.inventory, findings: res.findings, gaps: [...res.gaps, ...kn.gaps], scannedAt: started, refresh: kn.refresh };
    // The assessment (end-of-life, CVEs) joins through finishScan.
    return finishScan(collected, ctx);
  },
};
