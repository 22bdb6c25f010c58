/** `mamori scan host [--ssh USER@HOST[:PORT]] …`: the host inventory (src/collect) and its report. */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Transport } from '../../collect/transport/types.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import { finishScan, scanOptions, type Collected } from '../scan-common.js';
import { knowledgeOptions, maxAgeOption, prepareScanKnowledge } from '../knowledge-prep.js';

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

const SSH_ERROR_CODES = { auth: 'host.err.auth', 'host-key-mismatch': 'host.err.hostKeyMismatch', 'host-key-unknown': 'host.err.hostKeyUnknown', connect: 'host.err.connect', identity: 'host.err.identity' } as const;

export async function openTransport(ctx: CommandContext): Promise<Transport> {
  const timeout = (ctx.options.timeout as number | undefined) ?? 60;
  if (!(timeout > 0) || timeout > 3600) throw new UsageError({ code: 'cli.badValue', params: { option: '--timeout', expected: 'seconds between 1 and 3600', value: String(timeout) } }, ctx.commandName);
  const sudo = Boolean(ctx.options.sudo);
  const ssh = ctx.options.ssh as string | undefined;
  // Collectors and transports load on demand: `--help` and usage errors stay fast.
  if (!ssh) {
    const { LocalTransport } = await import('../../collect/transport/local.js');
    return new LocalTransport({ timeoutMs: timeout * 1000, sudo });
  }
  const { parseSshTarget, SshError, SshTransport } = await import('../../collect/transport/ssh.js');
  const target = parseSshTarget(ssh);
  if (!target) throw new UsageError({ code: 'host.err.badTarget', params: { value: ssh } }, ctx.commandName);
  const home = ctx.env.HOME || homedir();
  try {
    return await SshTransport.connect(target, {
      identity: ctx.options.identity as string | undefined,
      knownHosts: (ctx.options['known-hosts'] as string | undefined) ?? join(home, '.ssh', 'known_hosts'),
      acceptNewHostKey: Boolean(ctx.options['accept-new-host-key']),
      sudo,
      timeoutMs: timeout * 1000,
      agent: ctx.options.identity ? undefined : ctx.env.SSH_AUTH_SOCK,
    });
  } catch (err) {
    if (err instanceof SshError) {
      const code = SSH_ERROR_CODES[err.kind];
      throw new FatalError(ctx.t(code, err.params), { code, params: err.params });
    }
    throw err;
  }
}

export const scanHostCommand: Command = {
  path: ['scan', 'host'],
  summary: 'host.summary',
  usage: '[--ssh USER@HOST[:PORT] [--identity FILE] [--known-hosts FILE]] [--docroot DIR]…',
  options,
  async run(ctx) {
    expectPositionals(ctx, []);
    const started = new Date();
    // Document roots: absolute on the target; a relative one is resolved here only for a local scan.
    const docroots = ((ctx.options.docroot as string[] | undefined) ?? []).map((d) => {
      if (isAbsolute(d)) return d;
      if (ctx.options.ssh) throw new UsageError({ code: 'host.err.docrootRelative', params: { value: d } }, ctx.commandName);
      return resolve(d);
    });
    maxAgeOption(ctx);
    const transport = await openTransport(ctx);
    const [{ collectHost }, { loadPii }] = await Promise.all([import('../../collect/host/index.js'), import('../../collect/host/pii-bridge.js')]);
    let res;
    try {
      const pii = await loadPii();
      res = await collectHost(transport, { docroots, pii: pii.ok ? pii.mod : undefined });
    } finally {
      await transport.close();
    }
    ctx.warn(
      ctx.t('host.done', {
        packages: res.inventory.packages.length,
        updates: res.inventory.pendingUpdates.length,
        security: res.inventory.pendingUpdates.filter((u) => u.security).length,
        components: res.inventory.components.length,
        files: res.stats.files,
        docroots: res.inventory.docroots?.length ?? 0,
        gaps: res.gaps.length,
      }),
    );
    const kn = await prepareScanKnowledge(ctx, res.inventory);
    const collected: Collected = { target: { kind: 'host', name: transport.name }, inventory: res.inventory, findings: res.findings, gaps: [...res.gaps, ...kn.gaps], scannedAt: started, refresh: kn.refresh };
    return finishScan(collected, ctx);
  },
};
