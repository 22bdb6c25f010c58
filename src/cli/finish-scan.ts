/** The heavy half of scan-common: knowledge DB, assessment, --ignore-file and --baseline (loaded on demand). */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { applyBaseline, applyExceptions, assess, EXCEPTION_STATUSES, knowledgeQueries, localize, mergeSlices, type ExceptionEntry } from '../core/assess/index.js';
import type { KnowledgeSlice } from '../core/knowledge.js';
import { CATEGORIES, type Finding, type Gap, type Inventory, type ReportDocument } from '../core/model.js';
import { KnowledgeDbError, openKnowledge } from '../knowledge/index.js';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { buildDocument, emitReport, type Collected } from './scan-common.js';

// ---- the assessment: knowledge DB, exceptions, baseline ----

const ignoreEntry = z
  .object({
    id: z.string().regex(/^[A-Z]+-[\w.-]+$/, 'a finding id such as VULN-3f0c12ab34cd').optional(),
    cve: z.string().regex(/^(CVE-\d{4}-\d{4,}|GHSA-[\w-]+)$/i, 'a CVE id such as CVE-2012-1823').optional(),
    reason: z.string().min(1, 'say why (reason)'),
    expires: z
      .union([z.string(), z.date()])
      .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
      .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'))
      .optional(),
    status: z.enum(EXCEPTION_STATUSES).default('accepted'),
  })
  .strict()
  .refine((e) => Boolean(e.id) !== Boolean(e.cve), 'give exactly one of id or cve');
const ignoreFile = z.union([z.array(ignoreEntry), z.object({ ignore: z.array(ignoreEntry) }).transform((o) => o.ignore)]);

/** Read and validate --ignore-file (YAML list); a bad file is a usage error (exit 2) naming the entry. */
export function loadIgnoreFile(path: string | undefined, command: string): ExceptionEntry[] {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError({ code: 'assess.err.ignoreFile', params: { file: path, reason: (err as Error).message } }, command);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? [];
  } catch (err) {
    throw new UsageError({ code: 'assess.err.ignoreFile', params: { file: path, reason: (err as Error).message } }, command);
  }
  const r = ignoreFile.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UsageError({ code: 'assess.err.ignoreFile', params: { file: path, reason: `${i.path.join('.') || 'file'}: ${i.message}` } }, command);
  }
  return r.data.map((e) => ({ ...e, ...(e.cve ? { cve: e.cve.toUpperCase() } : {}) }));
}

const baselineDoc = z.object({
  findings: z.array(z.object({ id: z.string(), title: z.string().default(''), category: z.enum(CATEGORIES) }).passthrough()),
  suppressed: z.array(z.object({ id: z.string() }).passthrough()).optional(),
});

export function loadBaseline(path: string | undefined, command: string): z.infer<typeof baselineDoc> | undefined {
  if (!path) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError({ code: 'assess.err.baseline', params: { file: path, reason: (err as Error).message } }, command);
  }
  const r = baselineDoc.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UsageError({ code: 'assess.err.baseline', params: { file: path, reason: `${i.path.join('.')}: ${i.message}` } }, command);
  }
  return r.data;
}

/** Load the knowledge slice for this inventory; null when there is no DB (a gap says so). */
export function loadKnowledge(inventory: Inventory, dbPath: string): { slice: KnowledgeSlice | null; gaps: Gap[] } {
  let store: ReturnType<typeof openKnowledge>;
  try {
    store = openKnowledge(dbPath);
  } catch (err) {
    if (err instanceof KnowledgeDbError) return { slice: null, gaps: [{ what: 'knowledge DB', why: err.message, code: 'assess.gap.dbDamaged' }] };
    throw err;
  }
  if (!store) return { slice: null, gaps: [] };
  try {
    return { slice: mergeSlices(knowledgeQueries(inventory).map((q) => store.slice(q))), gaps: [] };
  } finally {
    store.close();
  }
}

/**
 * Everything after collecting: open the knowledge DB, assess, apply --ignore-file and --baseline, render
 * titles in ctx.lang, emit the report; returns the exit code of the contract.
 */
export async function finishScanNow(collected: Collected, ctx: CommandContext): Promise<number> {
  const now = collected.scannedAt ?? new Date();
  const exceptions = loadIgnoreFile(ctx.options['ignore-file'] as string | undefined, ctx.commandName);
  const baseline = loadBaseline(ctx.options.baseline as string | undefined, ctx.commandName);
  const k = loadKnowledge(collected.inventory, ctx.dbPath);
  const out = assess({
    target: collected.target,
    inventory: collected.inventory,
    findings: collected.findings,
    knowledge: k.slice,
    now,
    lang: ctx.lang,
    dbPath: ctx.dbPath,
  });
  const exc = applyExceptions(out.findings, exceptions, now, ctx.lang);
  let findings: Finding[] = localize(exc.findings, ctx.lang);
  findings.forEach((f, i) => (f.rank = i + 1));
  let resolved: ReportDocument['resolved'];
  if (baseline) {
    const b = applyBaseline(findings, baseline.findings, new Set(exc.suppressed.map((x) => x.id.split(' ')[0]!)));
    findings = b.findings;
    resolved = b.resolved;
  }
  // A damaged DB is reported as such, not also as "not found".
  const assessGaps = k.gaps.length ? out.gaps.filter((g) => g.code !== 'assess.gap.noDb') : out.gaps;
  const doc = buildDocument({ ...collected, scannedAt: now, findings, gaps: [...collected.gaps, ...k.gaps, ...assessGaps, ...exc.gaps] }, ctx);
  doc.knowledge = { feeds: out.feeds };
  doc.lifecycle = out.lifecycle;
  if (exceptions.length) doc.suppressed = exc.suppressed;
  if (resolved) doc.resolved = resolved;
  return emitReport(doc, ctx);
}
