/**
 * End of life: the support phase of the OS and each component (green active, yellow security fixes only,
 * red end of life, unknown), with dates and days left. End of life → an `end-of-life` finding; within
 * 90 days of it → a lower-severity warning. Unknown version or missing data → phase unknown + a gap, never
 * "supported". A component provided by a distro package follows the OS's lifecycle (the distro supports it).
 */
import type { EndOfLifeEvidence } from '../evidence.js';
import { findingId } from '../ids.js';
import type { LifecycleCycle } from '../knowledge.js';
import type { Finding, Gap, LifecycleEntry, MessageRef, Severity, SupportPhase } from '../model.js';
import { type Ctx, gap, msg, newFinding, type Step, step, tr } from './context.js';
import { dayOf, epochDay } from './dates.js';
import { COMPONENT_LIFECYCLE, osLifecycleProduct } from './platform.js';
import { upstreamVersion } from './upstream.js';

export const EOL_WARNING_DAYS = 90;

/** The cycle a version belongs to: the longest cycle name that prefixes it at a non-digit boundary. */
export function selectCycle(cycles: readonly LifecycleCycle[], version: string): LifecycleCycle | undefined {
  let best: LifecycleCycle | undefined;
  for (const c of cycles) {
    const name = c.cycle;
    const ok = version === name || (version.startsWith(name) && !/\d/.test(version.charAt(name.length)));
    if (!ok) continue;
    if (!best || name.length > best.cycle.length || (name.length === best.cycle.length && c.source.startsWith('endoflife'))) best = c;
  }
  return best;
}

const asDate = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : undefined);

/**
 * Debian LTS is free and ships through the regular security archive: for Debian the end of LTS is the end
 * of security fixes (endoflife.date calls it `eoes`; distro-info-data already puts it in `eol`).
 */
export function effectiveCycle(c: LifecycleCycle): LifecycleCycle {
  if (c.product === 'debian' && c.source.startsWith('endoflife') && asDate(c.extendedSupportEnd)) {
    const { extendedSupportEnd, ...rest } = c;
    return { ...rest, activeSupportEnd: c.eol ?? c.activeSupportEnd, eol: extendedSupportEnd };
  }
  return c;
}

export interface Phase {
  phase: SupportPhase;
  daysLeft?: number;
  /** Why the phase has no date or is unknown; rendered in the assessment's language. */
  reason?: MessageRef;
}

export function phaseOf(c: LifecycleCycle, now: Date): Phase {
  const t = dayOf(now);
  const eolDate = asDate(c.eol);
  const eolDay = eolDate ? epochDay(eolDate) : undefined;
  if (eolDay !== undefined) {
    const days = eolDay - t;
    if (days < 0) return { phase: 'eol', daysLeft: days };
    return { phase: activePhase(c, t), daysLeft: days };
  }
  if (c.eol === true) return { phase: 'eol', reason: msg('assess.lifecycle.eolNoDate') };
  if (c.eol === undefined && c.activeSupportEnd === undefined) return { phase: 'unknown', reason: msg('assess.lifecycle.noDates') };
  return { phase: activePhase(c, t) };
}

function activePhase(c: LifecycleCycle, t: number): SupportPhase {
  const a = asDate(c.activeSupportEnd);
  const ad = a ? epochDay(a) : undefined;
  if (ad !== undefined) return ad <= t ? 'security' : 'active';
  return c.activeSupportEnd === true ? 'security' : 'active';
}

/** A lifecycle gap's subject ("nginx support phase") in the assessment's language. */
const phaseWhat = (subject: string): MessageRef => msg('assess.gap.what.lifecycle', { subject });

interface Subject {
  kind: 'os' | 'php' | 'webserver' | 'database' | 'openssl' | 'application';
  component: string;
  product: string;
  version?: string;
  location?: string;
  /** Provided by the distro: follows the OS. */
  packaged?: boolean;
}

const KIND: Record<string, Subject['kind']> = {
  php: 'php',
  'apache-httpd': 'webserver',
  nginx: 'webserver',
  iis: 'webserver',
  tomcat: 'webserver',
  mysql: 'database',
  mariadb: 'database',
  postgresql: 'database',
  openssl: 'openssl',
};

export function lifecycleProducts(ctx: Pick<Ctx, 'inventory'>): string[] {
  const out = new Set<string>();
  const os = ctx.inventory.os;
  if (os) {
    const p = osLifecycleProduct(os);
    if (p) out.add(p);
  }
  for (const c of ctx.inventory.components) {
    const p = COMPONENT_LIFECYCLE[c.name];
    if (p) out.add(p);
  }
  return [...out].sort();
}

export function assessLifecycle(ctx: Ctx, cycles: readonly LifecycleCycle[]): { entries: LifecycleEntry[]; findings: Finding[]; gaps: Gap[] } {
  const entries: LifecycleEntry[] = [];
  const findings: Finding[] = [];
  const gaps: Gap[] = [];
  const byProduct = new Map<string, LifecycleCycle[]>();
  for (const c of cycles) {
    const l = byProduct.get(c.product);
    if (l) l.push(c);
    else byProduct.set(c.product, [c]);
  }
  const inv = ctx.inventory;
  const subjects: Subject[] = [];
  const os = inv.os;
  let osPhase: { entry: LifecycleEntry } | undefined;
  if (os && os.family !== 'unknown') {
    const p = osLifecycleProduct(os);
    if (p) subjects.push({ kind: 'os', component: os.name || os.family, product: p, version: os.version });
  }
  const seen = new Set<string>();
  const pkgNames = new Map(inv.packages.map((p) => [p.name, p]));
  for (const c of inv.components) {
    const product = COMPONENT_LIFECYCLE[c.name];
    if (!product) continue;
    const pkg = c.package ? pkgNames.get(c.package) : undefined;
    const packaged = Boolean(c.package && !pkg?.thirdParty && (c.distroBuild || pkg) && os && os.family !== 'unknown');
    const version = c.version ? upstreamVersion(c.version) ?? c.version : undefined;
    const key = `${product}\u0000${version ?? ''}\u0000${packaged}`;
    if (seen.has(key)) continue;
    seen.add(key);
    subjects.push({ kind: KIND[c.name] ?? 'application', component: c.name, product, version, location: c.location ?? c.detectedBy, packaged });
  }
  for (const s of subjects) {
    if (s.packaged && osPhase) {
      const { cycle: _osCycle, ...osEntry } = osPhase.entry;
      void _osCycle;
      entries.push({ ...osEntry, component: s.component, version: s.version, reason: tr(ctx.lang, msg('assess.lifecycle.followsOs', { os: osPhase.entry.component })), reasonMessages: [msg('assess.lifecycle.followsOs', { os: osPhase.entry.component })] });
      continue;
    }
    const list = byProduct.get(s.product);
    if (!s.version) {
      entries.push({ component: s.component, phase: 'unknown', reason: tr(ctx.lang, msg('assess.lifecycle.versionUnknown')), reasonMessages: [msg('assess.lifecycle.versionUnknown')] });
      gaps.push(gap(ctx, phaseWhat(s.component), 'assess.gap.lifecycleVersion', { component: s.component }));
      continue;
    }
    if (!list?.length) {
      entries.push({ component: s.component, version: s.version, phase: 'unknown', reason: tr(ctx.lang, msg('assess.lifecycle.noData', { product: s.product })), reasonMessages: [msg('assess.lifecycle.noData', { product: s.product })] });
      gaps.push(gap(ctx, phaseWhat(`${s.component} ${s.version}`), 'assess.gap.lifecycleMissing', { product: s.product }));
      continue;
    }
    const sel = selectCycle(list, s.version);
    const cycle = sel ? effectiveCycle(sel) : undefined;
    if (!cycle) {
      entries.push({ component: s.component, version: s.version, phase: 'unknown', reason: tr(ctx.lang, msg('assess.lifecycle.noCycle', { product: s.product, version: s.version })), reasonMessages: [msg('assess.lifecycle.noCycle', { product: s.product, version: s.version })] });
      gaps.push(gap(ctx, phaseWhat(`${s.component} ${s.version}`), 'assess.gap.lifecycleCycle', { product: s.product, version: s.version }));
      continue;
    }
    const ph = phaseOf(cycle, ctx.now);
    const entry: LifecycleEntry = { component: s.component, version: s.version, cycle: cycle.cycle, phase: ph.phase, source: cycle.source };
    if (cycle.releaseDate) entry.releaseDate = cycle.releaseDate;
    const act = asDate(cycle.activeSupportEnd);
    if (act) entry.activeSupportEnd = act;
    const eol = asDate(cycle.eol);
    if (eol) entry.securitySupportEnd = eol;
    if (ph.daysLeft !== undefined) entry.daysLeft = ph.daysLeft;
    const other = list.map(effectiveCycle).find((c) => c.source !== cycle.source && c.cycle === cycle.cycle && asDate(c.eol) && asDate(c.eol) !== eol);
    if (ph.reason || other) {
      const reasons = [ph.reason, other ? msg('assess.lifecycle.sourcesDisagree', { source: other.source, date: asDate(other.eol)! }) : undefined];
      const refs = reasons.filter((r): r is MessageRef => r !== undefined);
      entry.reason = refs.map((r) => tr(ctx.lang, r)).join(tr(ctx.lang, msg('assess.lifecycle.separator')));
      entry.reasonMessages = refs;
    }
    entries.push(entry);
    if (s.kind === 'os') osPhase = { entry };
    const f = lifecycleFinding(ctx, s, cycle, entry, list);
    if (f) findings.push(f);
  }
  return { entries, findings, gaps };
}

function lifecycleFinding(ctx: Ctx, s: Subject, cycle: LifecycleCycle, e: LifecycleEntry, all: readonly LifecycleCycle[]): Finding | undefined {
  const soon = e.phase !== 'eol' && e.daysLeft !== undefined && e.daysLeft <= EOL_WARNING_DAYS;
  if (e.phase !== 'eol' && !soon) return undefined;
  const date = e.securitySupportEnd ?? '?';
  const ext = asDate(cycle.extendedSupportEnd);
  const extDay = ext ? epochDay(ext) : undefined;
  const extOpen = extDay !== undefined && extDay > dayOf(ctx.now);
  const successor = suggestCycle(all, ctx.now);
  const severity: Severity = soon ? 'medium' : s.kind === 'os' || s.kind === 'php' || s.kind === 'webserver' || s.kind === 'application' || ctx.exposure.publicWeb ? 'high' : 'medium';
  const migrate = successor
    ? msg(`assess.step.eol.${s.kind}`, { component: s.component, cycle: cycle.cycle, successor })
    : msg(`assess.step.eol.${s.kind}Any`, { component: s.component, cycle: cycle.cycle });
  const steps: Step[] = [];
  if (extOpen) steps.push(step(ctx, 2, msg('assess.step.extendedSupport', { component: s.component, date: ext! }), { reviewBy: ctx.reviewBy }));
  if (!soon) steps.push(step(ctx, 2, msg('assess.step.eolDefence'), { reviewBy: ctx.reviewBy }));
  steps.push(step(ctx, 3, migrate));
  const message = soon
    ? msg('assess.title.eolSoon', { component: s.component, cycle: cycle.cycle, date, days: e.daysLeft ?? 0 })
    : msg(e.securitySupportEnd ? 'assess.title.eol' : 'assess.title.eolNoDate', { component: s.component, cycle: cycle.cycle, date, days: -(e.daysLeft ?? 0) });
  return newFinding(
    {
      id: findingId('end-of-life', s.kind === 'os' ? 'os' : s.component, s.product, cycle.cycle, s.kind === 'os' ? '' : s.location ?? ''),
      category: 'end-of-life',
      severity,
      message,
      component: { name: s.component, version: s.version },
      ...(s.location ? { location: s.location } : {}),
      evidence: {
        product: s.product,
        cycle: cycle.cycle,
        phase: e.phase,
        securitySupportEnd: e.securitySupportEnd,
        daysLeft: e.daysLeft,
        extendedSupportEnd: ext,
        latestOnLine: cycle.latest,
        supportedSuccessor: successor,
        lifecycleSource: cycle.source,
      } satisfies EndOfLifeEvidence,
      remediation: { priority: 3, action: tr(ctx.lang, migrate), actionMessage: migrate, steps },
      confidence: 90,
      source: `lifecycle:${cycle.source}`,
    },
    ctx.lang,
  );
}

/** The supported cycle with the longest security support left, as the migration target. */
function suggestCycle(all: readonly LifecycleCycle[], now: Date): string | undefined {
  let best: { c: string; t: number } | undefined;
  for (const c of all) {
    const d = asDate(c.eol);
    const t = d ? epochDay(d) : c.eol === false ? Number.MAX_SAFE_INTEGER : undefined;
    if (t === undefined || t <= dayOf(now)) continue;
    if (!best || t > best.t) best = { c: c.cycle, t };
  }
  return best?.c;
}

/** Whether a release line is dead (end of life) by the lifecycle data, with its last release and a supported successor. */
export interface LineStatus {
  cycle: string;
  latest?: string;
  successor?: string;
}

/** The dead line `version` of `product` (an upstream product name) belongs to; undefined when supported or unknown. */
export function deadLine(ctx: Pick<Ctx, 'now'>, cycles: readonly LifecycleCycle[], product: string, version: string): LineStatus | undefined {
  const lp = COMPONENT_LIFECYCLE[product];
  if (!lp) return undefined;
  const all = cycles.filter((c) => c.product === lp).map(effectiveCycle);
  const sel = selectCycle(all, version);
  if (!sel || phaseOf(sel, ctx.now).phase !== 'eol') return undefined;
  const successor = suggestCycle(all, ctx.now);
  return { cycle: sel.cycle, ...(sel.latest ? { latest: sel.latest } : {}), ...(successor ? { successor } : {}) };
}

/** The OS's name when its release is past the end of life by the lifecycle data; undefined otherwise or unknown. */
export function eolOs(ctx: Pick<Ctx, 'now' | 'inventory'>, cycles: readonly LifecycleCycle[]): string | undefined {
  const os = ctx.inventory.os;
  if (!os || os.family === 'unknown') return undefined;
  const p = osLifecycleProduct(os);
  if (!p) return undefined;
  const sel = selectCycle(cycles.filter((c) => c.product === p), os.version);
  return sel && phaseOf(effectiveCycle(sel), ctx.now).phase === 'eol' ? `${os.name || os.family}` : undefined;
}
