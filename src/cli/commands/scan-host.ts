/** `mamori scan host [--ssh USER@HOST[:PORT]] …`: flags → src/scan/host.ts (the pipeline) → the report and exit code. */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { HostTransportSpec } from '../../scan/transport.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { cliPorts, emitReport, reportChoices, scanOptions } from '../scan-common.js';
import { addKnowledgeSnapshot, knowledgeOptions, maxAgeOption, prepareScanKnowledge } from '../knowledge-prep.js';

const options: OptionSpec[] = [
  { name: 'ssh', type: 'string', help: 'host.opt.ssh', valueName: 'USER@HOST[:PORT]' },
  { name: 'identity', short: 'i', type: 'string', help: 'host.opt.identity', valueName: 'FILE' },
  { name: 'known-hosts', type: 'string', help: 'host.opt.knownHosts', valueName: 'FILE' },
  { name: 'accept-new-host-key', type: 'boolean', help: 'host.opt.acceptNew' },
  { name: 'sudo', type: 'boolean', help: 'host.opt.sudo' },
  { name: 'docroot', type: 'string', repeatable: true, help: 'host.opt.docroot', valueName: 'DIR' },
  { name: 'timeout', type: 'number', help: 'host.opt.timeout', valueName: 'SECONDS' },
  ...scanOptions,
  ...knowledgeOptions,
];

/** The transport --ssh and friends name (src/scan/transport.ts opens it). */
export function transportSpec(ctx: CommandContext): HostTransportSpec {
  const timeout = (ctx.options.timeout as number | undefined) ?? 60;
  if (!(timeout > 0) || timeout > 3600) throw new UsageError({ code: 'cli.badValue', params: { option: '--timeout', expected: 'seconds between 1 and 3600', value: String(timeout) } }, ctx.commandName);
  const home = ctx.env.HOME || homedir();
  return {
    ssh: ctx.options.ssh as string | undefined,
    identity: ctx.options.identity as string | undefined,
    knownHosts: (ctx.options['known-hosts'] as string | undefined) ?? join(home, '.ssh', 'known_hosts'),
    acceptNewHostKey: Boolean(ctx.options['accept-new-host-key']),
    sudo: Boolean(ctx.options.sudo),
    timeoutMs: timeout * 1000,
    agent: ctx.env.SSH_AUTH_SOCK,
  };
}

export const scanHostCommand: Command = {
  path: ['scan', 'host'],
  summary: 'host.summary',
  usage: '[--ssh USER@HOST[:PORT] [--identity FILE] [--known-hosts FILE]] [--docroot DIR]…',
  options,
  async run(ctx) {
    const started = new Date();
    expectPositionals(ctx, []);
    // Document roots: absolute on the target; a relative one is resolved here only for a local scan.
    const docroots = ((ctx.options.docroot as string[] | undefined) ?? []).map((d) => {
      if (isAbsolute(d)) return d;
      if (ctx.options.ssh) throw new UsageError({ code: 'host.err.docrootRelative', params: { value: d } }, ctx.commandName);
      return resolve(d);
    });
    const spec = transportSpec(ctx);
    const choices = await reportChoices(ctx);
    maxAgeOption(ctx);
    // The knowledge DB first (Trivy's order): the embedded snapshot on first use, then the refresh of old feeds.
    const kn = await prepareScanKnowledge(ctx);
    // The pipeline loads on demand: `--help` and usage errors stay fast.
    const [{ scanHost }, { hostTransport }] = await Promise.all([import('../../scan/host.js'), import('../../scan/transport.js')]);
    ctx.progress(`${ctx.commandName}: ${ctx.t('progress.host.connect', { target: spec.ssh ?? 'localhost' })}`);
    const doc = await scanHost({ ...choices, docroots }, { ...cliPorts(ctx), transport: hostTransport(spec) });
    return emitReport(await addKnowledgeSnapshot(doc, kn, ctx.dbPath), ctx, started);
  },
};
