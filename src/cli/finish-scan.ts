/**
 * The heavy half of scan-common: knowledge DB, assessment, --ignore-file and --baseline. Each loads on
 * demand: the store (better-sqlite3 and the feed code) and the matchers (the version schemes) only for an
 * inventory the assessment can match, yaml and zod only when --ignore-file or --baseline is given.
 */
import { applyBaseline, applyExceptions } from '../core/assess/exceptions.js';
import { assessScanFindings, inventoryNeedsKnowledge, needsMatchers } from '../core/assess/explain.js';
import { localize } from '../core/assess/localize.js';
import type { AssessInput, ExceptionEntry } from '../core/assess/types.js';
import type { KnowledgeSlice } from '../core/knowledge.js';
import { messages } from '../core/messages/index.js';
import type { Finding, Gap, Inventory, Lang, ReportDocument } from '../core/model.js';
import type { CommandContext } from './context.js';
import { buildDocument, emitReport, type Collected } from './scan-common.js';

/**
 * Load the knowledge slice for this inventory; null when there is no DB (a gap says so) and when there is
 * nothing the knowledge could match (a files scan): the DB is then not even opened, and the report lists no feeds.
 */
export async function loadKnowledge(inventory: Inventory, dbPath: string, lang: Lang): Promise<{ slice: KnowledgeSlice | null; gaps: Gap[] }> {
  if (!inventoryNeedsKnowledge(inventory)) return { slice: null, gaps: [] };
  const { KnowledgeDbError, openKnowledge } = await import('../knowledge/index.js');
  const { knowledgeQueries, mergeSlices } = await import('../core/assess/index.js');
  let store: ReturnType<typeof openKnowledge>;
  try {
    store = openKnowledge(dbPath);
  } catch (err) {
    if (err instanceof KnowledgeDbError) return { slice: null, gaps: [{ what: messages.t(lang, 'assess.gap.what.db'), why: err.message, code: 'assess.gap.dbDamaged' }] };
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
  const ignorePath = ctx.options['ignore-file'] as string | undefined;
  const baselinePath = ctx.options.baseline as string | undefined;
  const inputs = ignorePath || baselinePath ? await import('./assess-inputs.js') : undefined;
  const exceptions: ExceptionEntry[] = inputs?.loadIgnoreFile(ignorePath, ctx.commandName) ?? [];
  const baseline = inputs?.loadBaseline(baselinePath, ctx.commandName);
  const k = await loadKnowledge(collected.inventory, ctx.dbPath, ctx.lang);
  const input: AssessInput = {
    target: collected.target,
    inventory: collected.inventory,
    findings: collected.findings,
    knowledge: k.slice,
    now,
    lang: ctx.lang,
    dbPath: ctx.dbPath,
  };
  // Nothing to match (a files scan): the same assessment without loading the matchers.
  const out = needsMatchers(input) ? (await import('../core/assess/index.js')).assess(input) : assessScanFindings(input);
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
  // Pending updates mamori's matching found to be security fixes (yum on CentOS has no updateinfo).
  if (doc.inventory.pendingUpdates.length) doc.inventory = (await import('../core/assess/pending.js')).markSecurityUpdates(doc.inventory, out.findings);
  doc.knowledge = { feeds: out.feeds };
  doc.lifecycle = out.lifecycle;
  if (exceptions.length) doc.suppressed = exc.suppressed;
  if (resolved) doc.resolved = resolved;
  return emitReport(doc, ctx);
}
