/**
 * Notification events computed from data, pure (the clock is a parameter): what changed between a target's
 * previous and new finished scan (new critical/high findings, KEV additions), what the new document's
 * lifecycle says (end of life within N days, or passed), a scan's final failure, the weekly digest and the
 * monthly report. Every event carries item keys: a key once delivered on a channel is never delivered again
 * there (dedupe, see outbox.ts), so recomputing the same events is harmless.
 */
import type { Finding, ReportDocument, Severity } from '../../core/model.js';
import { severityRank } from '../../core/model.js';
import type { FleetOverview } from '../ports.js';
import type { ScanRecord } from '../types.js';
import { coverageFinding, coverageOf } from '../coverage.js';

export interface EventTarget {
  tenantId: string;
  tenantName: string;
  targetId: string;
  targetName: string;
}

export interface EventFinding {
  key: string;
  id: string;
  severity: Severity;
  title: string;
  cves: string[];
}

export interface KevItem extends EventFinding {
  cve: string;
  dateAdded: string | null;
  /** true: the finding is new with this scan; false: the finding was there, its CVE newly KEV-listed. */
  newFinding: boolean;
}

export interface EolItem {
  key: string;
  component: string;
  version: string | null;
  /** YYYY-MM-DD, or null when the lifecycle says end of life without a date. */
  date: string | null;
  /** Days from now to the date (negative: passed). */
  days: number | null;
  past: boolean;
}

export interface LagItem {
  targetName: string;
  package: string;
  severity: Severity;
  lagDays: number | null;
  daysSeen: number;
  limit: number;
  overdue: boolean;
}

export type NotifyEvent =
  | (EventTarget & { kind: 'new-findings'; scanId: string; at: string; firstScan: boolean; items: EventFinding[] })
  | (EventTarget & { kind: 'kev'; scanId: string; at: string; items: KevItem[] })
  | (EventTarget & { kind: 'end-of-life'; scanId: string; at: string; items: EolItem[] })
  | (EventTarget & { kind: 'scan-failed'; scanId: string; at: string; attempts: number; reason: string; items: { key: string }[] })
  | {
      kind: 'digest';
      tenantId: string;
      tenantName: string;
      from: string;
      to: string;
      targets: number;
      scanned: number;
      failed: number;
      summary: Record<Severity, number>;
      newThisWeek: number;
      resolvedThisWeek: number;
      oldest: LagItem[];
      items: { key: string }[];
    }
  | { kind: 'monthly-report'; tenantId: string; tenantName: string; month: string; targets: number; items: { key: string }[] }
  /** A report an operator asked for (dashboard or API) with delivery: dated the day it was prepared, not a month. */
  | { kind: 'report'; tenantId: string; tenantName: string; date: string; targets: number; items: { key: string }[] };

export type NotifyEventKind = NotifyEvent['kind'];

const NOTIFY_AT: readonly Severity[] = ['critical', 'high'];
const isSerious = (s: Severity) => NOTIFY_AT.includes(s) || severityRank(s) >= severityRank('high');

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The KEV-listed CVEs of a finding (from its evidence: `cve.kev`, `cves[].kev`, or `kev: true` on a one-CVE finding). */
export function kevCves(f: Finding): { id: string; dateAdded: string | null }[] {
  const out = new Map<string, string | null>();
  const ev: Rec = isRec(f.evidence) ? f.evidence : {};
  const take = (c: unknown) => {
    if (!isRec(c) || typeof c.id !== 'string') return;
    const k = c.kev;
    if (k === true) out.set(c.id, out.get(c.id) ?? null);
    else if (isRec(k)) out.set(c.id, typeof k.dateAdded === 'string' ? k.dateAdded : null);
  };
  take(ev.cve);
  if (Array.isArray(ev.cves)) for (const c of ev.cves) take(c);
  if (isRec(ev.assessment) && Array.isArray(ev.assessment.cves)) for (const c of ev.assessment.cves) take(c);
  if (ev.kev === true && (f.cves?.length ?? 0) === 1 && !out.size) out.set(f.cves![0]!, null);
  if (Array.isArray(ev.kev)) for (const id of ev.kev) if (typeof id === 'string' && (f.cves ?? []).includes(id)) out.set(id, out.get(id) ?? null);
  return [...out.entries()].map(([id, dateAdded]) => ({ id, dateAdded })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const eventFinding = (targetId: string, scanId: string, f: Finding): EventFinding => ({
  key: `new:${targetId}:${f.id}:${scanId}`,
  id: f.id,
  severity: f.severity,
  title: f.title,
  cves: f.cves ?? [],
});

const bySeverity = (a: { severity: Severity; id: string }, b: { severity: Severity; id: string }) => severityRank(b.severity) - severityRank(a.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const DAY = 86_400_000;
const dayStart = (iso: string): number | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(t) ? undefined : t;
};

export interface ScanEventInput {
  target: EventTarget;
  scan: Pick<ScanRecord, 'id' | 'finishedAt'>;
  /** The target's previous finished scan's document; undefined for a first scan. */
  previous: ReportDocument | undefined;
  next: ReportDocument;
  now: Date;
  eolWithinDays: number;
  /** Finding ids an active exception covers (accepted risk): not announced. */
  accepted?: ReadonlySet<string>;
  /**
   * Finding ids the target had seen before this scan (history's first seen earlier). A finding absent from the
   * previous scan because that scan did not check it (a gap, src/fleet/coverage.ts) and seen before is not new.
   */
  seenBefore?: ReadonlySet<string>;
}

/** The events a finished scan raises: new critical/high findings, KEV additions, end of life within N days. */
export function scanEvents(inp: ScanEventInput): NotifyEvent[] {
  const { target, scan, previous, next, now } = inp;
  const accepted = inp.accepted ?? new Set<string>();
  const at = scan.finishedAt ?? next.scannedAt;
  const prevById = new Map((previous?.findings ?? []).map((f) => [f.id, f]));
  const live = next.findings.filter((f) => !accepted.has(f.id));
  const events: NotifyEvent[] = [];
  // Known, only not checked by the previous scan: neither new nor a new KEV finding.
  const prevCoverage = previous ? coverageOf(previous, { previousTarget: next.target }) : undefined;
  const unverifiedBefore = (f: Finding) => !prevById.has(f.id) && prevCoverage !== undefined && (inp.seenBefore?.has(f.id) ?? false) && !prevCoverage.covers(coverageFinding(f));

  const fresh = live.filter((f) => !prevById.has(f.id) && !unverifiedBefore(f) && isSerious(f.severity)).map((f) => eventFinding(target.targetId, scan.id, f)).sort(bySeverity);
  if (fresh.length) events.push({ ...target, kind: 'new-findings', scanId: scan.id, at, firstScan: previous === undefined, items: fresh });

  const kev: KevItem[] = [];
  for (const f of live) {
    const before = prevById.get(f.id);
    const had = new Set(before ? kevCves(before).map((c) => c.id) : []);
    for (const c of kevCves(f)) {
      if (had.has(c.id)) continue;
      kev.push({ ...eventFinding(target.targetId, scan.id, f), key: `kev:${target.targetId}:${f.id}:${c.id}`, cve: c.id, dateAdded: c.dateAdded, newFinding: !before && !unverifiedBefore(f) });
    }
  }
  if (kev.length) events.push({ ...target, kind: 'kev', scanId: scan.id, at, items: kev.sort((a, b) => bySeverity(a, b) || (a.cve < b.cve ? -1 : 1)) });

  const eol = endOfLifeItems(target.targetId, next, now, inp.eolWithinDays);
  if (eol.length) events.push({ ...target, kind: 'end-of-life', scanId: scan.id, at, items: eol });
  return events;
}

/**
 * End of life from the document's lifecycle (each component's security-support end): passed, or within
 * `withinDays` of now. Keys: one for "soon", one for "passed", per component and release line, so an owner is
 * told once ahead and once when the day has come. A lifecycle entry in phase `eol` without a date counts as
 * passed. When the document has no lifecycle, the end-of-life findings' evidence is read instead.
 */
export function endOfLifeItems(targetId: string, doc: ReportDocument, now: Date, withinDays: number): EolItem[] {
  const today = Math.floor(now.getTime() / DAY) * DAY;
  const items = new Map<string, EolItem>();
  const add = (component: string, version: string | null, cycle: string | null, date: string | null, phase: string | undefined) => {
    const t = date ? dayStart(date) : undefined;
    const days = t === undefined ? null : Math.round((t - today) / DAY);
    const past = days === null ? phase === 'eol' : days <= 0;
    if (!past && (days === null || days > withinDays)) return;
    const line = cycle ?? version ?? '';
    const key = `eol:${targetId}:${component}:${line}:${past ? 'passed' : 'soon'}`;
    if (!items.has(key)) items.set(key, { key, component, version, date: t === undefined ? null : date!.slice(0, 10), days, past });
  };
  if (doc.lifecycle?.length) {
    for (const l of doc.lifecycle) add(l.component, l.version ?? null, l.cycle ?? null, l.securitySupportEnd ?? null, l.phase);
  } else {
    for (const f of doc.findings) {
      if (f.category !== 'end-of-life') continue;
      const ev: Rec = isRec(f.evidence) ? f.evidence : {};
      const date = typeof ev.securitySupportEnd === 'string' ? ev.securitySupportEnd : null;
      add(f.component?.name ?? (typeof ev.product === 'string' ? ev.product : f.title), f.component?.version ?? null, typeof ev.cycle === 'string' ? ev.cycle : null, date, typeof ev.phase === 'string' ? ev.phase : 'eol');
    }
  }
  return [...items.values()].sort((a, b) => (a.days ?? -1e9) - (b.days ?? -1e9) || (a.component < b.component ? -1 : 1));
}

/** A scan's final failure (no retry left). */
export function scanFailedEvent(target: EventTarget, scan: Pick<ScanRecord, 'id' | 'attempts' | 'failureReason' | 'finishedAt' | 'queuedAt'>): NotifyEvent {
  return {
    ...target,
    kind: 'scan-failed',
    scanId: scan.id,
    at: scan.finishedAt ?? scan.queuedAt,
    attempts: scan.attempts,
    reason: scan.failureReason ?? 'unknown',
    items: [{ key: `failed:${scan.id}` }],
  };
}

/** Monday (UTC) of the ISO week holding `now`, as YYYY-MM-DD, and the week label for the dedupe key. */
export function weekOf(now: Date): { from: string; to: string; key: string } {
  const day = Math.floor(now.getTime() / DAY);
  const dow = (new Date(day * DAY).getUTCDay() + 6) % 7; // Monday = 0
  const monday = (day - dow) * DAY;
  return { from: new Date(monday - 7 * DAY).toISOString().slice(0, 10), to: new Date(monday - DAY).toISOString().slice(0, 10), key: new Date(monday).toISOString().slice(0, 10) };
}

export interface DigestInput {
  tenantId: string;
  tenantName: string;
  now: Date;
  overview: FleetOverview;
  /** Findings first seen / resolved in the digest's week. */
  newThisWeek: number;
  resolvedThisWeek: number;
  lagPolicy: Partial<Record<Severity, number>>;
  /** How many of the oldest missing fixes to list. */
  oldest?: number;
}

/** The weekly digest of the week before `now` (Monday to Sunday, UTC). */
export function digestEvent(inp: DigestInput): NotifyEvent {
  const w = weekOf(inp.now);
  const limitOf = (s: Severity) => inp.lagPolicy[s] ?? ({ critical: 7, high: 30, medium: 90, low: 180, info: 365 } as const)[s];
  const oldest = [...inp.overview.missingUpdates]
    .sort((a, b) => (b.lagDays ?? -1) - (a.lagDays ?? -1) || b.daysSeen - a.daysSeen)
    .slice(0, inp.oldest ?? 5)
    .map((m) => ({
      targetName: m.targetName,
      package: m.package ?? m.findingId,
      severity: m.severity,
      lagDays: m.lagDays,
      daysSeen: m.daysSeen,
      limit: limitOf(m.severity),
      overdue: m.lagDays !== null && m.lagDays > limitOf(m.severity),
    }));
  return {
    kind: 'digest',
    tenantId: inp.tenantId,
    tenantName: inp.tenantName,
    from: w.from,
    to: w.to,
    targets: inp.overview.targets,
    scanned: inp.overview.scannedTargets,
    failed: inp.overview.failedTargets,
    summary: inp.overview.summary,
    newThisWeek: inp.newThisWeek,
    resolvedThisWeek: inp.resolvedThisWeek,
    oldest,
    items: [{ key: `digest:${inp.tenantId}:${w.key}` }],
  };
}

/** The monthly owner report of the month before `now` (YYYY-MM). */
export function monthlyReportEvent(tenantId: string, tenantName: string, now: Date, targets: number): NotifyEvent {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const month = d.toISOString().slice(0, 7);
  return { kind: 'monthly-report', tenantId, tenantName, month, targets, items: [{ key: `report:${tenantId}:${month}` }] };
}

/** The event without the items already delivered (`sent(key)`), or undefined when none is left. */
export function withoutSent(e: NotifyEvent, sent: (key: string) => boolean): NotifyEvent | undefined {
  switch (e.kind) {
    case 'new-findings': {
      const items = e.items.filter((i) => !sent(i.key));
      return items.length ? { ...e, items } : undefined;
    }
    case 'kev': {
      const items = e.items.filter((i) => !sent(i.key));
      return items.length ? { ...e, items } : undefined;
    }
    case 'end-of-life': {
      const items = e.items.filter((i) => !sent(i.key));
      return items.length ? { ...e, items } : undefined;
    }
    case 'scan-failed':
    case 'digest':
    case 'monthly-report':
    case 'report':
      return e.items.every((i) => sent(i.key)) ? undefined : e;
  }
}

export const eventKeys = (e: NotifyEvent): string[] => e.items.map((i) => i.key);
