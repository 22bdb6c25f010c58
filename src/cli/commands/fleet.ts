/**
 * `mamori fleet --server URL --token TOKEN import FILE.csv | scan [--tenant] [--target] [--wait] | status
 * [--tenant] --format json|table` (contract; MAMORI_SERVER / MAMORI_TOKEN). The CSV is checked here first
 * (src/cli/fleet-csv.ts: header, columns, lines), ssh_key / ssh_known_hosts paths are read here and sent as text;
 * the server checks every row again and writes all or nothing. Problems name the file line.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { SEVERITIES } from '../../core/model.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { FatalError, UsageError } from '../errors.js';
import { FleetClient } from '../fleet-client.js';
import { parseImportCsv, type ImportColumn } from '../fleet-csv.js';
import { apiToken, serverOption, serverUrl, tokenOption } from '../fleet-options.js';

const common: OptionSpec[] = [serverOption, tokenOption];

function client(ctx: CommandContext): FleetClient {
  return new FleetClient(serverUrl(ctx), ctx, apiToken(ctx));
}

function readText(ctx: CommandContext, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new FatalError(ctx.t('fleetcmd.err.read', { file, reason }), { code: 'fleetcmd.err.read', params: { file, reason } });
  }
}

const rowProblem = (ctx: CommandContext, file: string, line: number, message: string) =>
  new FatalError(ctx.t('fleetcmd.err.row', { file, line, message }), { code: 'fleetcmd.err.row', params: { file, line, message } });

export const fleetImportCommand: Command = {
  path: ['fleet', 'import'],
  summary: 'fleetcmd.import.summary',
  usage: '[--server URL] [--token TOKEN] FILE.csv',
  options: common,
  async run(ctx) {
    const [file] = expectPositionals(ctx, ['FILE.csv'], () => ({ code: 'fleetcmd.err.noFile' }));
    const api = client(ctx);
    const parsed = parseImportCsv(readText(ctx, file));
    if (!parsed.ok) throw rowProblem(ctx, file, parsed.line, parsed.message);
    // Key and known_hosts paths are relative to the CSV's folder (the spreadsheet travels with its keys).
    const base = dirname(resolve(file));
    const rows = parsed.rows.map((r) => {
      const row: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.values) as [ImportColumn, string][]) {
        if (k === 'ssh_key' || k === 'ssh_known_hosts') {
          const path = isAbsolute(v) ? v : resolve(base, v);
          let text: string;
          try {
            text = readFileSync(path, 'utf8');
          } catch (err) {
            const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
            throw rowProblem(ctx, file, r.line, ctx.t('fleetcmd.err.column', { column: k, message: `${v}: ${reason}` }));
          }
          row[k] = text;
        } else row[k] = v;
      }
      return row;
    });
    const res = await api.call<{ created: number; updated: number; error?: { message: string } }>('POST', 'api/fleet/import', { rows }, [400]);
    if (res.status === 400) {
      const message = res.body.error?.message ?? '';
      const m = /^(?:body\.)?rows\[(\d+)\]\.?(.*)$/s.exec(message);
      if (m) throw rowProblem(ctx, file, parsed.rows[Number(m[1])]?.line ?? 0, m[2]!);
      throw new FatalError(ctx.t('fleetcmd.err.http', { status: 400, what: 'POST /api/fleet/import', message }), { code: 'fleetcmd.err.http', params: { status: 400, what: 'POST /api/fleet/import', message } });
    }
    ctx.warn(ctx.t('fleetcmd.imported', { total: rows.length, file, created: res.body.created, updated: res.body.updated }));
    return 0;
  },
};

interface StatusTarget {
  tenant: string;
  name: string;
  kind: string;
  target: string;
  lastScan: { status: string; finishedAt: string | null; summary: Record<string, number>; failureReason?: string | null } | null;
}

export const fleetStatusCommand: Command = {
  path: ['fleet', 'status'],
  summary: 'fleetcmd.status.summary',
  usage: '[--server URL] [--token TOKEN] [--tenant NAME] --format json|table',
  options: [...common, { name: 'tenant', type: 'string', help: 'fleetcmd.opt.tenant', valueName: 'NAME' }, { name: 'format', short: 'f', type: 'string', values: ['json', 'table'], help: 'fleetcmd.opt.format', valueName: 'json|table' }],
  async run(ctx) {
    expectPositionals(ctx, []);
    const format = (ctx.options.format as string | undefined) ?? (ctx.io.stdout.isTTY ? 'table' : 'json');
    const api = client(ctx);
    const tenant = ctx.options.tenant as string | undefined;
    const res = await api.call<{ targets: StatusTarget[] }>('GET', `api/fleet/status${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`);
    const targets = res.body.targets.map((t) => ({
      tenant: t.tenant,
      name: t.name,
      kind: t.kind,
      target: t.target,
      lastScan: t.lastScan && { status: t.lastScan.status, finishedAt: t.lastScan.finishedAt, summary: t.lastScan.summary, ...(t.lastScan.failureReason ? { failureReason: t.lastScan.failureReason } : {}) },
    }));
    if (format === 'json') {
      ctx.io.stdout.write(`${JSON.stringify({ targets }, null, 2)}\n`);
      return 0;
    }
    const header = ['tenant', 'name', 'kind', 'target', 'status', 'finished', ...SEVERITIES];
    const rows = targets.map((t) => [t.tenant, t.name, t.kind, t.target, t.lastScan?.status ?? ctx.t('fleetcmd.status.never'), t.lastScan?.finishedAt?.slice(0, 16).replace('T', ' ') ?? '', ...SEVERITIES.map((s) => String(t.lastScan?.summary?.[s] ?? ''))]);
    const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
    const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
    const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join('  ').trimEnd();
    ctx.io.stdout.write(`${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`);
    return 0;
  },
};

interface QueuedScan {
  tenant: string;
  name: string;
  scan: { id: string; status: string };
}

export const fleetScanCommand: Command = {
  path: ['fleet', 'scan'],
  summary: 'fleetcmd.scan.summary',
  usage: '[--server URL] [--token TOKEN] [--tenant NAME] [--target NAME] [--wait [--timeout SECONDS]]',
  options: [
    ...common,
    { name: 'tenant', type: 'string', help: 'fleetcmd.opt.tenant', valueName: 'NAME' },
    { name: 'target', type: 'string', help: 'fleetcmd.opt.target', valueName: 'NAME' },
    { name: 'wait', type: 'boolean', help: 'fleetcmd.opt.wait' },
    { name: 'timeout', type: 'number', help: 'fleetcmd.opt.timeout', valueName: 'SECONDS' },
  ],
  async run(ctx) {
    expectPositionals(ctx, []);
    const timeout = (ctx.options.timeout as number | undefined) ?? 3600;
    if (!(timeout > 0)) throw new UsageError({ code: 'cli.badValue', params: { option: '--timeout', expected: 'a positive number of seconds', value: String(timeout) } }, ctx.commandName);
    const api = client(ctx);
    const body: Record<string, string> = {};
    if (ctx.options.tenant) body.tenant = ctx.options.tenant as string;
    if (ctx.options.target) body.target = ctx.options.target as string;
    const res = await api.call<{ scans: QueuedScan[] }>('POST', 'api/fleet/scan', body);
    ctx.warn(ctx.t('fleetcmd.queued', { count: res.body.scans.length }));
    if (!ctx.options.wait) {
      for (const s of res.body.scans) ctx.io.stdout.write(`${s.scan.id}\t${s.tenant}\t${s.name}\t${s.scan.status}\n`);
      return 0;
    }
    const pending = new Map(res.body.scans.map((s) => [s.scan.id, s]));
    const deadline = Date.now() + timeout * 1000;
    let failed = 0;
    let delay = 500;
    while (pending.size > 0) {
      for (const [id, s] of [...pending]) {
        const r = await api.call<{ status: string; failureReason: string | null; summary: Record<string, number> | null }>('GET', `api/scans/${encodeURIComponent(id)}`);
        if (r.body.status === 'done') {
          pending.delete(id);
          const sum = r.body.summary ?? {};
          ctx.io.stdout.write(`${ctx.t('fleetcmd.scanDone', { tenant: s.tenant, name: s.name, critical: sum.critical ?? 0, high: sum.high ?? 0, medium: sum.medium ?? 0, low: sum.low ?? 0, info: sum.info ?? 0 })}\n`);
        } else if (r.body.status === 'failed') {
          pending.delete(id);
          failed++;
          ctx.io.stdout.write(`${ctx.t('fleetcmd.scanFailed', { tenant: s.tenant, name: s.name, reason: r.body.failureReason ?? ctx.t('fleetcmd.noReason') })}\n`);
        }
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        ctx.warn(ctx.t('fleetcmd.waitTimeout', { seconds: timeout, count: pending.size }));
        return 1;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(5000, Math.round(delay * 1.5));
    }
    return failed > 0 ? 1 : 0;
  },
};

export const fleetCommands: readonly Command[] = [fleetImportCommand, fleetScanCommand, fleetStatusCommand];
