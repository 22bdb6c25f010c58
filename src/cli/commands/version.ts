/** `mamori version compare` and `mamori version satisfies` (contract), single and --batch. */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { VERSION_ECOSYSTEMS, type VersionEcosystem } from '../../core/versioning/types.js';
import type { Issue, Result } from '../../core/result.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

/** The version schemes (and the semver package) load only when a version command runs. */
const versioning = () => import('../../core/versioning/index.js');

const options: OptionSpec[] = [
  { name: 'ecosystem', short: 'e', type: 'string', values: VERSION_ECOSYSTEMS, help: 'version.opt.ecosystem', valueName: 'E' },
  { name: 'batch', type: 'boolean', help: 'version.opt.batch' },
];

function ecosystemOf(ctx: CommandContext): VersionEcosystem {
  const e = ctx.options.ecosystem as VersionEcosystem | undefined;
  if (!e) throw new UsageError({ code: 'cli.missingValue', params: { option: '--ecosystem' } }, ctx.commandName);
  return e;
}

/** An issue in the user's language: the catalogued sentence around the parser's (English) reason. */
function describe(ctx: CommandContext, eco: VersionEcosystem, issue: Issue): string {
  const params = { ecosystem: eco, input: issue.input ?? '', reason: issue.message };
  if (issue.code === 'version.invalid' && issue.input !== undefined) return ctx.t('versioning.invalidVersion', params);
  if (issue.code === 'range.invalid' && issue.input !== undefined) return ctx.t('versioning.invalidRange', params);
  if (issue.code === 'version.incomparable') return ctx.t('versioning.incomparable', params);
  return ctx.t('versioning.other', params);
}

/** The tool's own warning for each malformed version it still ordered (dpkg, apk), in the user's language. */
function malformedWarnings(ctx: CommandContext, eco: VersionEcosystem, inputs: readonly string[], malformed: (v: string) => string | undefined): string[] {
  return inputs.flatMap((input) => {
    const reason = malformed(input);
    return reason === undefined ? [] : [ctx.t('versioning.malformed', { ecosystem: eco, input, reason })];
  });
}

async function runPairs(ctx: CommandContext, names: [string, string], answer: (a: string, b: string) => Result<string>): Promise<number> {
  const eco = ecosystemOf(ctx);
  const { malformedReason } = await versioning();
  const malformed = (v: string) => malformedReason(eco, v);
  if (!ctx.options.batch) {
    const [a, b] = expectPositionals(ctx, names);
    const r = answer(a, b);
    if (!r.ok) {
      ctx.warn(ctx.t('cli.error', { message: describe(ctx, eco, r.issue) }));
      return 2;
    }
    for (const w of malformedWarnings(ctx, eco, names[1] === 'B' ? [a, b] : [a], malformed)) ctx.warn(ctx.t('versioning.warning', { message: w }));
    ctx.io.stdout.write(`${r.value}\n`);
    return 0;
  }
  expectPositionals(ctx, []);
  const rl = createInterface({ input: ctx.io.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  let failed = false;
  const out: string[] = [];
  // answers go out in chunks, waiting for the pipe to drain so a large batch does not pile up in memory
  const flush = async () => {
    if (!out.length) return;
    const drained = ctx.io.stdout.write(out.join(''));
    out.length = 0;
    if (!drained) await once(ctx.io.stdout, 'drain');
  };
  for await (const line of rl) {
    lineNo++;
    const tab = line.indexOf('\t');
    let r: Result<string>;
    if (tab < 0) r = { ok: false, issue: { code: 'batch.noTab', message: `expected ${names[0]}<TAB>${names[1]}` } };
    else if (line.length > 4096) r = { ok: false, issue: { code: 'batch.lineTooLong', message: 'line longer than 4096 characters' } };
    else r = answer(line.slice(0, tab), line.slice(tab + 1));
    if (r.ok) {
      out.push(`${r.value}\n`);
      const warnings = malformedWarnings(ctx, eco, names[1] === 'B' ? [line.slice(0, tab), line.slice(tab + 1)] : [line.slice(0, tab)], malformed);
      if (warnings.length) {
        await flush();
        for (const w of warnings) ctx.warn(ctx.t('version.batchLineWarning', { line: lineNo, message: w }));
      }
    } else {
      failed = true;
      out.push('error\n');
      await flush();
      ctx.warn(ctx.t('version.batchLineError', { line: lineNo, message: describe(ctx, eco, r.issue) }));
    }
    if (out.length >= 512) await flush();
  }
  await flush();
  return failed ? 2 : 0;
}

export const versionCompare: Command = {
  path: ['version', 'compare'],
  summary: 'versioning.compare.summary',
  usage: '--ecosystem E (A B | --batch)',
  options,
  run: async (ctx) => {
    const eco = ecosystemOf(ctx);
    const { compareVersions } = await versioning();
    return runPairs(ctx, ['A', 'B'], (a, b) => {
      const r = compareVersions(eco, a, b);
      return r.ok ? { ok: true, value: String(r.value) } : r;
    });
  },
};

export const versionSatisfies: Command = {
  path: ['version', 'satisfies'],
  summary: 'versioning.satisfies.summary',
  usage: '--ecosystem E (VERSION RANGE | --batch)',
  options,
  run: async (ctx) => {
    const eco = ecosystemOf(ctx);
    const { satisfies } = await versioning();
    return runPairs(ctx, ['VERSION', 'RANGE'], (v, range) => {
      const r = satisfies(eco, v, range);
      return r.ok ? { ok: true, value: String(r.value) } : r;
    });
  },
};
