/**
 * Exceptions (--ignore-file) and baselines (--baseline), pure. Exceptions never mutate the findings they
 * are given, so dropping an entry and assessing again restores exactly what it hid.
 *
 * An entry names a finding id or a CVE, a reason, an optional expiry (YYYY-MM-DD: it suppresses up to and
 * including that day) and a VEX-style status. `under_investigation` annotates without hiding. A CVE entry
 * removes that CVE from every finding; a finding left with no CVE is suppressed whole.
 */
import type { Finding, Gap, Lang, ReportDocument } from '../model.js';
import { isoDay, msg, tr } from './context.js';
import type { ExceptionEntry } from './types.js';

export interface ExceptionResult {
  findings: Finding[];
  suppressed: NonNullable<ReportDocument['suppressed']>;
  gaps: Gap[];
}

export function isExpired(e: ExceptionEntry, now: Date): boolean {
  return e.expires !== undefined && e.expires < isoDay(now);
}

export function applyExceptions(findings: readonly Finding[], entries: readonly ExceptionEntry[], now: Date, lang: Lang): ExceptionResult {
  const suppressed: ExceptionResult['suppressed'] = [];
  const gaps: Gap[] = [];
  const active: ExceptionEntry[] = [];
  for (const e of entries) {
    if (isExpired(e, now)) {
      const subject = e.id ?? e.cve ?? '?';
      const message = msg('assess.gap.ignoreExpired', { subject, expires: e.expires!, reason: e.reason });
      gaps.push({ what: subject, why: tr(lang, message), code: 'assess.gap.ignoreExpired', message });
      suppressed.push({ id: subject, reason: e.reason, expires: e.expires!, status: 'expired' });
    } else active.push(e);
  }
  const byId = new Map<string, ExceptionEntry>();
  const byCve = new Map<string, ExceptionEntry>();
  for (const e of active) {
    if (e.id) byId.set(e.id, e);
    if (e.cve) byCve.set(e.cve.toUpperCase(), e);
  }
  const out: Finding[] = [];
  const used = new Set<ExceptionEntry>();
  for (const f of findings) {
    const e = byId.get(f.id);
    if (e) used.add(e);
    for (const c of f.cves ?? []) {
      const x = byCve.get(c.toUpperCase());
      if (x) used.add(x);
    }
    if (e && e.status !== 'under_investigation') {
      suppressed.push(entryOf(f.id, e));
      continue;
    }
    let g: Finding = f;
    if (e) g = annotate(g, e);
    if (f.cves?.length && byCve.size) {
      const hidden = f.cves.filter((c) => {
        const x = byCve.get(c.toUpperCase());
        return x !== undefined && x.status !== 'under_investigation';
      });
      if (hidden.length === f.cves.length) {
        for (const c of hidden) suppressed.push(entryOf(`${f.id} ${c}`, byCve.get(c.toUpperCase())!));
        continue;
      }
      if (hidden.length) {
        const keep = f.cves.filter((c) => !hidden.includes(c));
        const ev = { ...(g.evidence ?? {}) } as Record<string, unknown>;
        if (Array.isArray(ev.cves)) ev.cves = (ev.cves as { id?: string }[]).filter((c) => !c.id || !hidden.includes(c.id));
        ev.suppressedCves = hidden;
        g = { ...g, cves: keep, evidence: ev };
        for (const c of hidden) suppressed.push(entryOf(`${f.id} ${c}`, byCve.get(c.toUpperCase())!));
      }
      for (const c of f.cves) {
        const x = byCve.get(c.toUpperCase());
        if (x?.status === 'under_investigation') g = annotate(g, x);
      }
    }
    out.push(g);
  }
  for (const e of active) {
    if (used.has(e)) continue;
    const subject = e.id ?? e.cve ?? '?';
    const message = msg('assess.gap.ignoreUnused', { subject });
    gaps.push({ what: subject, why: tr(lang, message), code: 'assess.gap.ignoreUnused', message });
  }
  return { findings: out, suppressed, gaps };
}

function entryOf(id: string, e: ExceptionEntry): ExceptionResult['suppressed'][number] {
  return { id, reason: e.reason, status: e.status, ...(e.expires ? { expires: e.expires } : {}) };
}

function annotate(f: Finding, e: ExceptionEntry): Finding {
  return { ...f, evidence: { ...(f.evidence ?? {}), vex: { status: e.status, reason: e.reason, ...(e.expires ? { expires: e.expires } : {}) } } };
}

/** Marks findings new/unchanged against a previous report; lists what is gone as resolved. */
export function applyBaseline(
  findings: readonly Finding[],
  previous: readonly Pick<Finding, 'id' | 'title' | 'category'>[],
  stillSuppressed: ReadonlySet<string> = new Set(),
): { findings: Finding[]; resolved: NonNullable<ReportDocument['resolved']> } {
  const prev = new Map(previous.map((f) => [f.id, f]));
  const now = new Set(findings.map((f) => f.id));
  const marked = findings.map((f) => ({ ...f, baseline: prev.has(f.id) ? ('unchanged' as const) : ('new' as const) }));
  const resolved = previous
    .filter((p) => !now.has(p.id) && !stillSuppressed.has(p.id))
    .map((p) => ({ id: p.id, title: p.title, category: p.category }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { findings: marked, resolved };
}
