/**
 * Report assembly, the same for every scan and every front end:
 * collected + knowledge + exceptions + baseline + now → ReportDocument.
 * The knowledge is opened only for an inventory it can match, and the matchers (the version schemes) load only
 * then: a files scan neither opens the store nor loads semver.
 */
import { applyBaseline, applyExceptions } from '../core/assess/exceptions.js';
import { assessScanFindings, inventoryNeedsKnowledge, needsMatchers } from '../core/assess/explain.js';
import { patchLagOf } from '../core/assess/lag.js';
import { localize } from '../core/assess/localize.js';
import { localizeGaps } from '../core/gaps.js';
import type { AssessInput } from '../core/assess/types.js';
import type { KnowledgeProvider, KnowledgeSlice } from '../core/knowledge.js';
import { messages } from '../core/messages/index.js';
import { summarize, type Finding, type Gap, type Inventory, type Lang, type ReportDocument, type TargetKind } from '../core/model.js';
import type { ReportChoices } from './ports.js';
import { toolVersion } from './version.js';

/** What a scan collected, before the assessment. */
export interface Collected {
  target: { kind: TargetKind; name: string };
  inventory: Inventory;
  /** Findings the collectors determined directly (personal data, TLS, headers…). */
  findings: Finding[];
  gaps: Gap[];
  /** When the scan started. */
  scannedAt: Date;
}

/** The document of what was collected, before the assessment adds to it. */
export function buildDocument(c: Collected, lang: Lang): ReportDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'mamori', version: toolVersion },
    scannedAt: c.scannedAt.toISOString(),
    target: c.target,
    lang,
    knowledge: { feeds: [] },
    inventory: c.inventory,
    findings: c.findings,
    gaps: c.gaps,
    summary: summarize(c.findings),
  };
}

/**
 * The knowledge slice for this inventory; null when there is no knowledge (the assessment says so in a gap)
 * and when there is nothing it could match (a files scan): the source is then not even opened.
 */
export async function loadKnowledge(inventory: Inventory, provider: KnowledgeProvider, lang: Lang): Promise<{ slice: KnowledgeSlice | null; gaps: Gap[] }> {
  if (!inventoryNeedsKnowledge(inventory)) return { slice: null, gaps: [] };
  const opened = await provider.open();
  if (!opened.ok) {
    if (opened.reason === 'missing') return { slice: null, gaps: [] };
    return { slice: null, gaps: [{ what: messages.t(lang, 'assess.gap.what.db'), why: opened.why, code: 'assess.gap.dbDamaged', subject: { code: 'assess.gap.what.db' } }] };
  }
  const { knowledgeQueries, mergeSlices } = await import('../core/assess/index.js');
  try {
    const slices = [];
    for (const q of knowledgeQueries(inventory)) slices.push(await opened.source.slice(q));
    return { slice: mergeSlices(slices), gaps: [] };
  } finally {
    await opened.source.close();
  }
}

/** Assess what was collected against the knowledge, apply accepted findings and the baseline: the report. */
export async function assembleReport(collected: Collected, knowledge: KnowledgeProvider, choices: ReportChoices): Promise<ReportDocument> {
  const { lang } = choices;
  const now = collected.scannedAt;
  const exceptions = choices.exceptions ?? [];
  const k = await loadKnowledge(collected.inventory, knowledge, lang);
  const input: AssessInput = {
    target: collected.target,
    inventory: collected.inventory,
    findings: collected.findings,
    knowledge: k.slice,
    now,
    lang,
    knowledgeLocation: knowledge.location,
  };
  // Nothing to match (a files scan): the same assessment without loading the matchers.
  const out = needsMatchers(input) ? (await import('../core/assess/index.js')).assess(input) : assessScanFindings(input);
  const exc = applyExceptions(out.findings, exceptions, now, lang);
  let findings: Finding[] = localize(exc.findings, lang);
  findings.forEach((f, i) => (f.rank = i + 1));
  let resolved: ReportDocument['resolved'];
  if (choices.baseline) {
    const b = applyBaseline(findings, choices.baseline.findings, new Set(exc.suppressed.map((x) => x.id.split(' ')[0]!)));
    findings = b.findings;
    resolved = b.resolved;
  }
  // A damaged DB is reported as such, not also as "not found".
  const assessGaps = k.gaps.length ? out.gaps.filter((g) => g.code !== 'assess.gap.noDb') : out.gaps;
  // Gaps carry message codes: rendered here in the report's language (collectors have none of their own).
  const doc = buildDocument({ ...collected, findings, gaps: localizeGaps([...collected.gaps, ...k.gaps, ...assessGaps, ...exc.gaps], lang) }, lang);
  // Pending updates mamori's matching found to be security fixes (yum on CentOS has no updateinfo).
  if (doc.inventory.pendingUpdates.length) doc.inventory = (await import('../core/assess/pending.js')).markSecurityUpdates(doc.inventory, out.findings);
  doc.knowledge = { feeds: out.feeds };
  doc.lifecycle = out.lifecycle;
  if (exceptions.length) doc.suppressed = exc.suppressed;
  if (resolved) doc.resolved = resolved;
  const lag = patchLagOf(findings, now, choices.lagDays);
  if (lag) doc.patchLag = lag;
  return doc;
}
