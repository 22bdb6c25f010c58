/** Shared by the assessment's integration tests: real data (../shared/data) in a temp knowledge DB, fixtures. */
import { cliPorts, emitReport, reportChoices } from '../../src/cli/scan-common.js';
import { assembleReport, type Collected } from '../../src/scan/index.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { knowledgeQueries, mergeSlices } from '../../src/core/assess/index.js';
import type { KnowledgeSlice } from '../../src/core/knowledge.js';
import type { Finding, Gap, Inventory, TargetKind } from '../../src/core/model.js';
import { importPath, openKnowledge } from '../../src/knowledge/index.js';
import { Writable } from 'node:stream';
import { makeT, type CommandContext } from '../../src/cli/context.js';

export const sharedData = fileURLToPath(new URL('../../../shared/data', import.meta.url));
export const hasSharedData = existsSync(join(sharedData, 'README.md'));
export const SKIP_NO_DATA = `../shared/data not found at ${sharedData}: the real-data tests need it`;

export interface Fixture {
  target: { kind: TargetKind; name: string };
  inventory: Inventory;
  findings: Finding[];
  gaps: Gap[];
}

export function fixture(name: string): Fixture {
  const raw = JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/assess/${name}`, import.meta.url)), 'utf8')) as Fixture & { _comment?: string };
  return { target: raw.target, inventory: raw.inventory, findings: raw.findings ?? [], gaps: raw.gaps ?? [] };
}

/** Import all of ../shared/data into a fresh DB under a temp dir. */
export function buildDb(): { dir: string; dbPath: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-'));
  const dbPath = join(dir, 'db.sqlite');
  importPath(dbPath, sharedData, {});
  return { dir, dbPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sliceFor(dbPath: string, inv: Inventory): KnowledgeSlice {
  const store = openKnowledge(dbPath);
  if (!store) throw new Error(`no DB at ${dbPath}`);
  try {
    return mergeSlices(knowledgeQueries(inv).map((q) => store.slice(q)));
  } finally {
    store.close();
  }
}

/** What a scan command does after collecting: assemble the report through the CLI's ports (src/scan), write it, exit code. */
export async function finishScan(collected: Collected, ctx: CommandContext): Promise<number> {
  return emitReport(await assembleReport(collected, cliPorts(ctx).knowledge, await reportChoices(ctx)), ctx);
}

/** A command context for `finishScan` that captures stdout (a TTY of `columns` when given). */
export function fakeCtx(dbPath: string, options: CommandContext['options'], lang: 'en' | 'ja' = 'en', columns?: number): { ctx: CommandContext; out: () => string } {
  const chunks: string[] = [];
  const stdout = Object.assign(
    new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c.toString());
        cb();
      },
    }),
    { isTTY: columns !== undefined, columns },
  );
  const ctx: CommandContext = {
    commandName: 'mamori scan host',
    positionals: [],
    options,
    lang,
    io: { stdout, stderr: new Writable({ write: (_c, _e, cb) => cb() }), stdin: process.stdin },
    env: { NO_COLOR: '1' },
    dbPath,
    t: makeT(lang),
    warn: () => undefined,
    progress: () => undefined,
    quiet: true,
    color: false,
  };
  return { ctx, out: () => chunks.join('') };
}
