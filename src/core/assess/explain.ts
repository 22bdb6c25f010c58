/**
 * The part of the assessment that needs no knowledge and no version matching: the context, and turning
 * findings into the ranked, explained list (merge, priority, damage). `assess()` ends here; a scan whose
 * inventory nothing can be matched against (a files scan) calls `assessScanFindings` directly, which spares
 * it loading the version schemes (semver and the rest) at all.
 */
import type { Finding, Gap, Inventory, RemediationUpdate } from '../model.js';
import { type Ctx, isoDayPlus } from './context.js';
import { damageFor } from './damage.js';
import { FactIndex } from './evidence.js';
import { exposureOf, prioritise, rankFindings } from './risk.js';
import type { AssessInput, AssessOutput } from './types.js';

/**
 * Whether the knowledge can match anything in this inventory (an OS, packages, components or pending
 * updates). When not (a files scan of plain documents), a missing DB is no gap and the CLI does not open it.
 */
export function inventoryNeedsKnowledge(inv: Inventory): boolean {
  return Boolean(inv.os) || inv.packages.length > 0 || inv.components.length > 0 || inv.pendingUpdates.length > 0;
}

export function assessContext(input: AssessInput): Ctx {
  const { inventory, now, lang } = input;
  const slice = input.knowledge;
  return {
    lang,
    now,
    inventory,
    exposure: exposureOf(input.target, inventory, input.findings),
    facts: new FactIndex(slice ?? { advisories: [], lifecycle: [], kev: [], epss: [], cves: [], feeds: [] }),
    reviewBy: isoDayPlus(now, 30),
    targetKind: input.target.kind,
  };
}

/** The scan's findings and the assessment's (`mine`), merged, scored, explained and ranked. */
export function explain(input: AssessInput, ctx: Ctx, mine: readonly Finding[], gaps: readonly Gap[], lifecycle: AssessOutput['lifecycle'], feeds: AssessOutput['feeds']): AssessOutput {
  const merged = mergeFindings(input.findings, mine);
  const scores = new Map<string, number>();
  for (const f of merged) {
    scores.set(f.id, prioritise(f, ctx.exposure));
    if (!f.damage) f.damage = damageFor(f, input.lang);
  }
  return { findings: rankFindings(merged, scores), gaps: dedupeGaps(gaps), lifecycle, feeds };
}

/** Whether `assess()` (the matchers) is needed, or `assessScanFindings` gives the same output: a host scan always needs it. */
export function needsMatchers(input: Pick<AssessInput, 'inventory' | 'target'>): boolean {
  return inventoryNeedsKnowledge(input.inventory) || input.target.kind === 'host';
}

/**
 * `assess()` for an inventory nothing can be matched against (no OS, packages, components or pending
 * updates) outside a host scan: the same output, without the matchers. Any other input goes to `assess()`.
 */
export function assessScanFindings(input: AssessInput): AssessOutput {
  if (needsMatchers(input)) throw new Error('assessScanFindings: this inventory needs assess()');
  return explain(input, assessContext(input), [], [], [], []);
}

/**
 * The scan's findings first, then the assessment's. Same id → one finding (the scan's, with the
 * assessment's CVEs added). A `missing-security-update` the scan already reported for the same package is
 * enriched with the CVEs instead of reported twice.
 */
function mergeFindings(scan: readonly Finding[], mine: readonly Finding[]): Finding[] {
  const out: Finding[] = scan.map((f) => ({ ...f }));
  const byId = new Map(out.map((f) => [f.id, f]));
  const updByPkg = new Map<string, Finding>();
  for (const f of out) {
    if (f.category !== 'missing-security-update') continue;
    for (const n of [f.component?.name, ...(f.location ?? '').split(/[,\s]+/)]) if (n) updByPkg.set(n, f);
  }
  for (const f of mine) {
    let into = byId.get(f.id);
    if (!into && f.category === 'missing-security-update') {
      const names = [f.component?.name, ...((f.evidence as { binaries?: string[] } | undefined)?.binaries ?? []), ...(f.location ?? '').split(/[,\s]+/)];
      into = names.map((n) => (n ? updByPkg.get(n) : undefined)).find(Boolean);
    }
    if (into) {
      if (f.cves?.length) into.cves = [...new Set([...(into.cves ?? []), ...f.cves])];
      into.evidence = { ...(into.evidence ?? {}), assessment: f.evidence };
      if (!into.remediation.command && f.remediation.command) into.remediation = { ...into.remediation, command: f.remediation.command };
      if (f.remediation.update) into.remediation = { ...into.remediation, update: mergeUpdate(into.remediation.update, f.remediation.update) };
      continue;
    }
    byId.set(f.id, f);
    out.push(f);
  }
  return out;
}

/** The scan's update (what the package manager would install) keeps its packages; the assessment adds advisories and the earliest publication date. */
function mergeUpdate(mine: RemediationUpdate | undefined, theirs: RemediationUpdate): RemediationUpdate {
  if (!mine) return theirs;
  const publishedAt = [mine.publishedAt, theirs.publishedAt].filter((d): d is string => Boolean(d)).sort()[0];
  return { ...mine, advisories: [...new Set([...mine.advisories, ...theirs.advisories])].sort(), ...(publishedAt ? { publishedAt } : {}) };
}

function dedupeGaps(gaps: readonly Gap[]): Gap[] {
  const seen = new Set<string>();
  return gaps.filter((g) => {
    const k = `${g.code ?? ''}\u0000${g.what}\u0000${g.why}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
