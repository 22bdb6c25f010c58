/**
 * `outdated-application`: carts, mail forms and CMS past support or without a release for years, judged
 * from the data in ./data/applications.ts, with the risk in the field's words.
 */
import type { OutdatedApplicationEvidence } from '../evidence.js';
import { findingId } from '../ids.js';
import type { Component, Finding, Gap, LifecycleEntry, Severity } from '../model.js';
import { versionCache } from './affected.js';
import { type Ctx, gap, msg, newFinding, step, tr } from './context.js';
import { dayOf, daysFromCivil } from './dates.js';
import { APPLICATIONS, type AppKnowledge, type AppRule } from './data/applications.js';

const YEAR_DAYS = 365.25;

function ruleMatches(rule: AppRule, version: string | undefined): boolean | 'unknown' {
  if (rule.match.all) return true;
  if (version === undefined) return 'unknown';
  if (rule.match.prefix !== undefined) return version.startsWith(rule.match.prefix);
  if (rule.match.below !== undefined) {
    const vc = versionCache('generic');
    if (!vc.ok) return 'unknown';
    const a = vc.value.parse(version);
    const b = vc.value.parse(rule.match.below);
    if (!a.ok || !b.ok) return 'unknown';
    return vc.value.compare(a.value, b.value) < 0;
  }
  return false;
}

/** `2025/08/11`, `2019.3.1`, `2014-07-01` → days since 1970-01-01; undefined when the version is not a date. */
export function dateOfVersion(v: string): number | undefined {
  const m = /((?:19|20)\d{2})[/.-](\d{1,2})[/.-](\d{1,2})/.exec(v);
  if (!m) return undefined;
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

const SEVERITY: Record<AppKnowledge['kind'], Severity> = { cart: 'high', mailform: 'high', cms: 'high', 'admin-tool': 'high' };

export function assessApplications(ctx: Ctx): { findings: Finding[]; gaps: Gap[]; lifecycle: LifecycleEntry[] } {
  const findings: Finding[] = [];
  const gaps: Gap[] = [];
  const lifecycle: LifecycleEntry[] = [];
  const byName = new Map(APPLICATIONS.map((a) => [a.name, a]));
  const seen = new Set<string>();
  for (const c of ctx.inventory.components) {
    const app = byName.get(c.name);
    if (!app) continue;
    const key = `${c.name}\u0000${c.version ?? ''}\u0000${c.location ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const r = judge(ctx, app, c);
    if (r.gap) gaps.push(r.gap);
    if (r.finding) findings.push(r.finding);
    lifecycle.push(r.entry);
  }
  return { findings, gaps, lifecycle };
}

function judge(ctx: Ctx, app: AppKnowledge, c: Component): { finding?: Finding; gap?: Gap; entry: LifecycleEntry } {
  const version = c.version?.trim() || undefined;
  let rule: AppRule | undefined;
  let unknown = false;
  for (const r of app.rules) {
    const m = ruleMatches(r, version);
    if (m === 'unknown') unknown = true;
    else if (m) {
      rule = r;
      break;
    }
  }
  let staleYears: number | undefined;
  if (!rule && app.dateVersions && version) {
    const d = dateOfVersion(version);
    if (d !== undefined) {
      const years = (dayOf(ctx.now) - d) / YEAR_DAYS;
      if (app.staleAfterYears !== undefined && years >= app.staleAfterYears) staleYears = Math.floor(years);
    } else unknown = true;
  }
  const entryBase: LifecycleEntry = { component: c.name, phase: 'unknown', source: 'mamori applications data' };
  if (version) entryBase.version = version;
  if (!rule && staleYears === undefined) {
    if (unknown || !version) {
      const g = gap(ctx, msg('assess.gap.what.appAt', { app: app.displayName, location: c.location ?? c.detectedBy }), 'assess.gap.appVersion', { app: app.displayName });
      return { gap: g, entry: { ...entryBase, reason: tr(ctx.lang, msg('assess.lifecycle.versionUnknown')), reasonMessages: [msg('assess.lifecycle.versionUnknown')] } };
    }
    // No rule says it is outdated: still "unknown", not "supported" (the data does not list supported lines).
    return { entry: { ...entryBase, reason: tr(ctx.lang, msg('assess.lifecycle.appNoRule', { app: app.displayName })), reasonMessages: [msg('assess.lifecycle.appNoRule', { app: app.displayName })] } };
  }
  const status = rule?.status ?? 'unmaintained';
  const detail = rule ? msg(rule.detail) : msg('assess.app.stale', { app: app.displayName, years: staleYears ?? 0 });
  const severity: Severity = rule ? SEVERITY[app.kind] : 'medium';
  const migrate = rule?.upgradeTo ? msg(app.migration, { app: app.displayName, target: rule.upgradeTo }) : msg(`${app.migration}Any`, { app: app.displayName });
  const defence = msg(`assess.step.appDefence.${app.kind}`);
  const location = c.location ?? c.detectedBy;
  const title = msg(`assess.title.app.${status}`, { app: app.displayName, version: version ? ` ${version}` : '', years: staleYears ?? 0 });
  const finding = newFinding(
    {
      id: findingId('outdated-application', c.name, location),
      category: 'outdated-application',
      severity,
      message: title,
      component: { name: c.name, ...(version ? { version } : {}) },
      location,
      ...(rule?.cves?.length ? { cves: [...rule.cves] } : {}),
      evidence: {
        status,
        detail: tr(ctx.lang, detail),
        detailMessage: detail,
        detectedBy: c.detectedBy,
        ...(rule ? { rule: rule.match, since: rule.since, sources: rule.sources, verified: rule.verified } : { staleYears, staleAfterYears: app.staleAfterYears }),
        knowledgeAsOf: app.asOf,
      } satisfies OutdatedApplicationEvidence,
      remediation: {
        priority: 3,
        action: tr(ctx.lang, migrate),
        actionMessage: migrate,
        steps: [step(ctx, 2, defence, { reviewBy: ctx.reviewBy }), step(ctx, 3, migrate)],
      },
      confidence: Math.min(c.confidence ?? 80, rule && !rule.verified ? 60 : 90),
      source: 'applications-data',
    },
    ctx.lang,
  );
  return { finding, entry: { ...entryBase, phase: 'eol', reason: tr(ctx.lang, detail), reasonMessages: [detail], ...(rule?.since ? { securitySupportEnd: rule.since } : {}) } };
}
