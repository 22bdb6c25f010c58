/**
 * `mamori patch plan [--ssh USER@HOST[:PORT] …] [SCAN.json …]` and `mamori patch apply --plan FILE [--ssh …]
 * [--yes]` (contract: patching). The plan is pure (src/remediate/plan.ts); apply is the one mode that changes a
 * server, through its own allowlist (src/remediate/allowlist.ts), and ends with a read-only rescan.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Transport } from '../../collect/transport/types.js';
import type { ReportDocument } from '../../core/model.js';
import type { HealthCheck, PatchPlan } from '../../remediate/plan.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import { mamoriHome, type Command, type CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import { cliPorts } from '../scan-common.js';
import { transportSpec } from './scan-host.js';
import { defaultUserAgent } from '../../scan/version.js';

const sshOptions: OptionSpec[] = [
  { name: 'ssh', type: 'string', repeatable: true, help: 'patch.opt.ssh', valueName: 'USER@HOST[:PORT]' },
  { name: 'identity', short: 'i', type: 'string', help: 'host.opt.identity', valueName: 'FILE' },
  { name: 'known-hosts', type: 'string', help: 'host.opt.knownHosts', valueName: 'FILE' },
  { name: 'accept-new-host-key', type: 'boolean', help: 'host.opt.acceptNew' },
  { name: 'sudo', type: 'boolean', help: 'host.opt.sudo' },
  { name: 'timeout', type: 'number', help: 'host.opt.timeout', valueName: 'SECONDS' },
];

function readJson(file: string, ctx: CommandContext): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new FatalError(ctx.t('patch.err.read', { file, reason }), { code: 'patch.err.read', params: { file, reason } });
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const reason = (err as Error).message;
    throw new FatalError(ctx.t('patch.err.json', { file, reason }), { code: 'patch.err.json', params: { file, reason } });
  }
}

/** One target's transport, for each --ssh value (or this machine when there is none). */
async function withTransport<T>(ctx: CommandContext, ssh: string | undefined, fn: (t: Transport) => Promise<T>): Promise<T> {
  const spec = transportSpec({ ...ctx, options: { ...ctx.options, ssh } });
  const { openHostTransport } = await import('../../scan/transport.js');
  const t = await openHostTransport(spec);
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

/** A host scan's report document, as `mamori scan host --format json` makes it (knowledge and assessment included). */
async function scanHostDocument(t: Transport, ctx: CommandContext): Promise<ReportDocument> {
  const scannedAt = new Date();
  const [{ collectHost }, { assembleReport }] = await Promise.all([import('../../collect/host/index.js'), import('../../scan/assemble.js')]);
  const res = await collectHost(t, { docroots: [] });
  return assembleReport({ target: { kind: 'host', name: t.name }, inventory: res.inventory, findings: res.findings, gaps: res.gaps, scannedAt }, cliPorts(ctx).knowledge, { lang: ctx.lang });
}

const planOptions: OptionSpec[] = [
  ...sshOptions,
  { name: 'hold', type: 'string', repeatable: true, help: 'patch.opt.hold', valueName: 'PACKAGE' },
  { name: 'check-url', type: 'string', repeatable: true, help: 'patch.opt.checkUrl', valueName: 'URL' },
  { name: 'check-port', type: 'number', repeatable: true, help: 'patch.opt.checkPort', valueName: 'PORT' },
  { name: 'lag-policy', type: 'string', help: 'patch.opt.lagPolicy', valueName: 'critical=7,high=30' },
  { name: 'format', short: 'f', type: 'string', values: ['json', 'table'], help: 'patch.opt.format', valueName: 'json|table' },
  { name: 'output', short: 'o', type: 'string', help: 'patch.opt.output', valueName: 'FILE' },
];

export const patchPlanCommand: Command = {
  path: ['patch', 'plan'],
  summary: 'patch.plan.summary',
  usage: '[--ssh USER@HOST[:PORT] …] [SCAN.json …] [--hold PACKAGE]… [--check-url URL]… [--check-port PORT]… --format json|table [--output FILE]',
  options: planOptions,
  async run(ctx) {
    const files = ctx.positionals;
    const ssh = (ctx.options.ssh as string[] | undefined) ?? [];
    if (!files.length && !ssh.length) throw new UsageError({ code: 'patch.err.noInput' }, ctx.commandName);
    const { buildPlan, parseLagPolicy } = await import('../../remediate/plan.js');
    const lagArg = ctx.options['lag-policy'] as string | undefined;
    const policy = lagArg === undefined ? undefined : parseLagPolicy(lagArg);
    if (lagArg !== undefined && !policy) throw new UsageError({ code: 'patch.err.policy', params: { value: lagArg } }, ctx.commandName);
    const healthChecks: HealthCheck[] = [];
    for (const url of (ctx.options['check-url'] as string[] | undefined) ?? []) {
      if (!/^https?:\/\/[^\s/]+/i.test(url) || !URL.canParse(url)) throw new UsageError({ code: 'patch.err.checkUrl', params: { value: url } }, ctx.commandName);
      healthChecks.push({ kind: 'http', url });
    }
    for (const port of (ctx.options['check-port'] as number[] | undefined) ?? []) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError({ code: 'cli.badValue', params: { option: '--check-port', expected: 'a TCP port 1-65535', value: String(port) } }, ctx.commandName);
      healthChecks.push({ kind: 'port', port });
    }
    const docs: ReportDocument[] = [];
    if (files.length) {
      const { parseReportDocument } = await import('../../core/document/schema.js');
      for (const file of files) {
        const parsed = parseReportDocument(readJson(file, ctx));
        if (!parsed.ok) {
          const issues = parsed.issues.join('; ');
          throw new FatalError(ctx.t('patch.err.scan', { file, issues }), { code: 'patch.err.scan', params: { file, issues } });
        }
        docs.push(parsed.doc);
      }
    }
    for (const target of ssh) docs.push(await withTransport(ctx, target, (t) => scanHostDocument(t, ctx)));
    const plan = buildPlan(docs, { now: new Date(), ...(policy ? { policy } : {}), hold: (ctx.options.hold as string[] | undefined) ?? [], healthChecks });
    const format = (ctx.options.format as string | undefined) ?? (ctx.io.stdout.isTTY ? 'table' : 'json');
    let body: string;
    if (format === 'json') body = `${JSON.stringify(plan, null, 2)}\n`;
    else body = (await import('../../remediate/table.js')).renderPlanTable(plan, { lang: ctx.lang, columns: ctx.io.stdout.columns });
    const output = ctx.options.output as string | undefined;
    if (output) writeFileSync(output, body);
    else ctx.io.stdout.write(body);
    return 0;
  },
};

const applyOptions: OptionSpec[] = [
  { name: 'plan', type: 'string', help: 'patch.opt.plan', valueName: 'FILE' },
  ...sshOptions,
  { name: 'yes', short: 'y', type: 'boolean', help: 'patch.opt.yes' },
  { name: 'log', type: 'string', help: 'patch.opt.log', valueName: 'FILE' },
  { name: 'format', short: 'f', type: 'string', values: ['json', 'table'], help: 'patch.opt.format', valueName: 'json|table' },
];

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return /^(y|yes|はい)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export const patchApplyCommand: Command = {
  path: ['patch', 'apply'],
  summary: 'patch.apply.summary',
  usage: '--plan FILE [--ssh USER@HOST[:PORT] …] [--yes] [--log FILE]',
  options: applyOptions,
  async run(ctx) {
    expectPositionals(ctx, []);
    const file = ctx.options.plan as string | undefined;
    if (!file) throw new UsageError({ code: 'cli.missingValue', params: { option: '--plan' } }, ctx.commandName);
    const { parsePlan } = await import('../../remediate/plan-schema.js');
    const parsed = parsePlan(readJson(file, ctx));
    if (!parsed.ok) {
      const issues = parsed.issues.join('; ');
      throw new FatalError(ctx.t('patch.err.plan', { file, issues }), { code: 'patch.err.plan', params: { file, issues } });
    }
    const plan: PatchPlan = parsed.plan;
    const ssh = (ctx.options.ssh as string[] | undefined) ?? [];
    const targets: (string | undefined)[] = ssh.length ? ssh : [undefined];
    // Every target must be in the plan before anything runs anywhere.
    const { parseSshTarget } = await import('../../collect/transport/ssh.js');
    for (const s of targets) {
      const p = s === undefined ? undefined : parseSshTarget(s);
      if (s !== undefined && !p) throw new UsageError({ code: 'host.err.badTarget', params: { value: s } }, ctx.commandName);
      const name = p ? `${p.user}@${p.host}:${p.port}` : 'localhost';
      if (!plan.hosts.some((h) => h.target === name)) {
        const params = { target: name, targets: plan.hosts.map((h) => h.target).join(', ') || '-' };
        throw new FatalError(ctx.t('patch.err.noHost', params), { code: 'patch.err.noHost', params });
      }
    }
    if (!ctx.options.yes && !(ctx.io.stdin as NodeJS.ReadStream).isTTY) throw new UsageError({ code: 'patch.err.needsYes' }, ctx.commandName);
    // Apply runs package managers: a generous per-command limit unless --timeout says otherwise.
    const timeoutS = (ctx.options.timeout as number | undefined) ?? 1800;
    const applyCtx: CommandContext = { ...ctx, options: { ...ctx.options, timeout: timeoutS } };
    const [{ applyHost, verifyResolved }, { localRunner, sshRunner }, { healthGet }, { collectHost }] = await Promise.all([
      import('../../remediate/apply.js'),
      import('../../remediate/runner.js'),
      import('../../remediate/http-check.js'),
      import('../../collect/host/index.js'),
    ]);
    const httpGet = healthGet(defaultUserAgent);
    const reports: unknown[] = [];
    let anyChanged = false;
    let allGood = true;
    for (const target of targets) {
      const outcome = await withTransport(applyCtx, target, async (t) => {
        // Checked before connecting; the transport's own name is the same `user@host:port`.
        const host = plan.hosts.find((h) => h.target === t.name)!;
        if (!ctx.options.yes) {
          const steps = host.steps.filter((s) => s.kind === 'update' || s.kind === 'restart').length;
          if (!(await confirm(ctx, ctx.t('patch.apply.confirm', { steps, target: t.name })))) throw new FatalError(ctx.t('patch.err.declined'), { code: 'patch.err.declined' });
        }
        const runner = t.kind === 'ssh' ? sshRunner(t as import('../../collect/transport/ssh.js').SshTransport, { sudo: Boolean(ctx.options.sudo) }) : localRunner(t, { sudo: Boolean(ctx.options.sudo), timeoutMs: timeoutS * 1000 });
        const result = await applyHost(runner, host, { httpGet, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
        let verify: ReturnType<typeof verifyResolved> | undefined;
        let rescanFindings: string[] | undefined;
        if (result.changed || result.status === 'nothing-to-do') {
          // Verify by rescan: the read-only scan, over the same connection.
          const rescan = await collectHost(t, { docroots: [] });
          rescanFindings = rescan.findings.map((f) => f.id);
          verify = verifyResolved(host, { findingIds: new Set(rescanFindings), pendingSecurity: new Set(rescan.inventory.pendingUpdates.filter((u) => u.security).map((u) => u.package)) });
        }
        return { result, verify, rescanFindings, log: runner.log };
      });
      const { result, verify } = outcome;
      anyChanged ||= result.changed;
      if (result.status !== 'applied' || (verify?.unresolved.length ?? 1) > 0) allGood = false;
      const record = { target: result.target, plan: file, at: new Date().toISOString(), ...outcome };
      reports.push(record);
      const dir = join(mamoriHome(ctx.env), 'patch-log');
      const logFile = join(dir, `${result.target.replace(/[^\w.@-]+/g, '_')}-${record.at.replace(/[:.]/g, '-')}.json`);
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(logFile, `${JSON.stringify(record, null, 2)}\n`);
        ctx.warn(ctx.t('patch.apply.log', { file: logFile }));
      } catch (err) {
        ctx.warn(ctx.t('patch.err.read', { file: logFile, reason: (err as Error).message }));
      }
      ctx.warn(ctx.t('patch.apply.result', { target: result.target, status: ctx.t(`patch.apply.status.${result.status}`), reason: result.reason ? `: ${result.reason}` : '' }));
      if (verify) {
        ctx.warn(ctx.t('patch.apply.resolved', { target: result.target, resolved: verify.resolved.length, total: verify.resolved.length + verify.unresolved.length }));
        for (const u of verify.unresolved) ctx.warn(ctx.t('patch.apply.unresolved', { target: result.target, id: u.id, why: u.why }));
      }
      if (result.rebootPending) ctx.warn(ctx.t('patch.apply.reboot', { target: result.target }));
    }
    const log = ctx.options.log as string | undefined;
    if (log) writeFileSync(log, `${JSON.stringify(reports, null, 2)}\n`);
    if ((ctx.options.format as string | undefined) === 'json') ctx.io.stdout.write(`${JSON.stringify(reports.map((r) => ({ ...(r as object), log: undefined })), null, 2)}\n`);
    if (!anyChanged) return 2;
    return allGood ? 0 : 1;
  },
};

export const patchCheckCommand: Command = {
  path: ['patch', 'check'],
  summary: 'patch.check.summary',
  usage: 'URL [--defence KEY]… [--php PATH] [--format json|table]',
  options: [
    { name: 'defence', type: 'string', repeatable: true, help: 'patch.opt.defence', valueName: 'KEY' },
    { name: 'php', type: 'string', help: 'patch.opt.php', valueName: 'PATH' },
    { name: 'format', short: 'f', type: 'string', values: ['json', 'table'], help: 'patch.opt.format', valueName: 'json|table' },
  ],
  async run(ctx) {
    const [url] = expectPositionals(ctx, ['URL']);
    if (!/^https?:\/\/[^\s/]+/i.test(url) || !URL.canParse(url)) throw new UsageError({ code: 'patch.err.checkUrl', params: { value: url } }, ctx.commandName);
    const [{ DEFENCE_SNIPPETS }, { checkDefence }] = await Promise.all([import('../../core/assess/data/defences.js'), import('../../remediate/defence-check.js')]);
    const keys = (ctx.options.defence as string[] | undefined) ?? Object.keys(DEFENCE_SNIPPETS);
    for (const k of keys) if (!DEFENCE_SNIPPETS[k]) throw new UsageError({ code: 'cli.badValue', params: { option: '--defence', expected: Object.keys(DEFENCE_SNIPPETS).join(' | '), value: k } }, ctx.commandName);
    const php = ctx.options.php as string | undefined;
    if (php !== undefined && !php.startsWith('/')) throw new UsageError({ code: 'cli.badValue', params: { option: '--php', expected: 'a path on the site starting with /', value: php } }, ctx.commandName);
    const results = [];
    // One harmless GET per defence, one after the other.
    for (const k of keys) results.push(await checkDefence(url, DEFENCE_SNIPPETS[k]!, { userAgent: defaultUserAgent, ...(php ? { phpPage: php } : {}) }));
    if ((ctx.options.format as string | undefined) === 'json') ctx.io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else for (const r of results) ctx.io.stdout.write(`${ctx.t(r.works ? 'patch.check.works' : 'patch.check.fails', { key: r.key, url: r.url, detail: r.detail })}\n`);
    return results.every((r) => r.works) ? 0 : 1;
  },
};

export const patchCommands: readonly Command[] = [patchPlanCommand, patchApplyCommand, patchCheckCommand];
