/**
 * `mamori patch plan`: from scan reports to the exact maintenance steps per host, pure (no I/O, the clock is
 * a parameter). Built only from the typed remediation (`finding.remediation.update`), never by re-parsing a
 * command string. The order is the order of server maintenance: (1) the security updates, the services to
 * restart and the reboot; (2) for what is held back or has no update yet, the reviewed temporary defences;
 * (3) migrations. Patch lag: how many days each missing fix has been available, against a policy.
 */
import { CVE_DEFENCES, DEFENCE_SNIPPETS, type DefenceSnippets } from '../core/assess/data/defences.js';
import { dayOf, epochDay } from '../core/assess/dates.js';
import { updateCommand } from '../core/assess/update-command.js';
import { byLag, DEFAULT_LAG_DAYS, lagEntry as lagOf, parseLagDays } from '../core/assess/lag.js';
import type { Finding, PatchLagEntry, ReportDocument, Severity, UpdateTool } from '../core/model.js';
import { SEVERITIES } from '../core/model.js';

export const PLAN_STEP_KINDS = ['update', 'restart', 'reboot', 'defence', 'migration'] as const;
export type PlanStepKind = (typeof PLAN_STEP_KINDS)[number];

export interface PlanPackage {
  name: string;
  from?: string;
  to?: string;
  arch?: string;
}

export interface PlanStep {
  /** 1 = first. */
  order: number;
  kind: PlanStepKind;
  /** What an operator would type; `patch apply` runs the structured fields below, never this string. */
  command?: string;
  tool?: UpdateTool;
  packages: PlanPackage[];
  advisories: string[];
  /** Finding ids this step resolves (update, restart, reboot) or defends (defence, migration). */
  fixes: string[];
  cves: string[];
  /** restart: the services. */
  services?: string[];
  /** defence: the reviewed snippets (never applied by mamori). */
  defence?: DefenceSnippets & { reviewOverdue: boolean };
  /** migration / defence without snippets: the finding's own advice. */
  action?: string;
}

/** A check `patch apply` runs before and after the update; a failure after it rolls the update back. */
export type HealthCheck = { kind: 'http'; url: string } | { kind: 'port'; port: number };

export interface LagPolicy {
  /** Days a fix of this severity may stay unapplied after it was published. */
  days: Record<Severity, number>;
}

export const DEFAULT_LAG_POLICY: LagPolicy = { days: DEFAULT_LAG_DAYS };

/** One missing fix's lag (the same entry as the scan report's `patchLag`). */
export type LagEntry = PatchLagEntry;

export interface HostPlan {
  target: string;
  scannedAt: string;
  os?: { family: string; name: string; version: string };
  steps: PlanStep[];
  /** Packages the operator held back (their findings moved to defences). */
  held: string[];
  healthChecks: HealthCheck[];
  lag: LagEntry[];
  /** Security findings the plan cannot address with an update, a defence or a migration, with why. */
  notPlanned: { id: string; title: string; reason: string }[];
}

export interface PatchPlan {
  schemaVersion: 1;
  createdAt: string;
  policy: LagPolicy;
  hosts: HostPlan[];
}

export interface PlanOptions {
  now: Date;
  policy?: LagPolicy;
  /** Package names whose update must wait (a service may break): their findings get a defence instead. */
  hold?: readonly string[];
  /** Health checks to add to every host (besides the ports that listened at scan time). */
  healthChecks?: readonly HealthCheck[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const uniq = (xs: Iterable<string>) => [...new Set(xs)].sort(cmp);

/** The command an operator would run for these packages and advisories (display only). */
export const planCommand: (tool: UpdateTool, packages: readonly PlanPackage[], advisories: readonly string[]) => string = updateCommand;

/** The plan for every scanned host. */
export function buildPlan(docs: readonly ReportDocument[], opts: PlanOptions): PatchPlan {
  const policy = opts.policy ?? DEFAULT_LAG_POLICY;
  return { schemaVersion: 1, createdAt: opts.now.toISOString(), policy, hosts: docs.map((d) => hostPlan(d, opts, policy)) };
}

const SECURITY = new Set(['missing-security-update', 'vulnerability']);

function hostPlan(doc: ReportDocument, opts: PlanOptions, policy: LagPolicy): HostPlan {
  const hold = new Set(opts.hold ?? []);
  const today = dayOf(opts.now);
  const findings = [...doc.findings].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || cmp(a.id, b.id));
  const steps: Omit<PlanStep, 'order'>[] = [];
  const notPlanned: HostPlan['notPlanned'] = [];
  const lag: LagEntry[] = [];
  const defended = new Map<string, { snippets: DefenceSnippets; fixes: Set<string>; cves: Set<string> }>();
  // One update step per tool: every package once, at the highest target version asked for.
  const updates = new Map<UpdateTool, { packages: Map<string, PlanPackage>; advisories: Set<string>; fixes: Set<string>; cves: Set<string> }>();
  const restart = { services: new Set<string>(), fixes: new Set<string>(), cves: new Set<string>() };
  const reboot = { needed: false, fixes: new Set<string>() };
  const migrations: Omit<PlanStep, 'order'>[] = [];

  const defend = (f: Finding): boolean => {
    const keys = uniq((f.cves ?? []).map((c) => CVE_DEFENCES[c]).filter((k): k is string => Boolean(k && DEFENCE_SNIPPETS[k])));
    for (const k of keys) {
      const e = defended.get(k) ?? { snippets: DEFENCE_SNIPPETS[k]!, fixes: new Set<string>(), cves: new Set<string>() };
      e.fixes.add(f.id);
      for (const c of f.cves ?? []) if (CVE_DEFENCES[c] === k) e.cves.add(c);
      defended.set(k, e);
    }
    return keys.length > 0;
  };

  for (const f of findings) {
    const u = f.remediation.update;
    const heldBack = u?.packages.some((p) => hold.has(p.name)) ?? false;
    if (u && u.tool && u.packages.length && !heldBack) {
      const e = updates.get(u.tool) ?? { packages: new Map(), advisories: new Set<string>(), fixes: new Set<string>(), cves: new Set<string>() };
      for (const p of u.packages) {
        const prev = e.packages.get(p.name);
        // The first finding (most urgent) decides from/to; later ones only fill what it left unknown.
        e.packages.set(p.name, prev ? { ...p, ...prev } : { ...p });
      }
      u.advisories.forEach((a) => e.advisories.add(a));
      e.fixes.add(f.id);
      (f.cves ?? []).forEach((c) => e.cves.add(c));
      updates.set(u.tool, e);
      u.restart.forEach((s) => restart.services.add(s));
      if (u.reboot) {
        reboot.needed = true;
        reboot.fixes.add(f.id);
      }
      lag.push(lagOf(f, u.publishedAt, today, policy.days));
      continue;
    }
    if (u && !u.packages.length && (u.restart.length || u.reboot)) {
      u.restart.forEach((s) => restart.services.add(s));
      if (u.restart.length) restart.fixes.add(f.id);
      if (u.reboot) {
        reboot.needed = true;
        reboot.fixes.add(f.id);
      }
      continue;
    }
    if (heldBack || (SECURITY.has(f.category) && f.remediation.priority === 2)) {
      if (heldBack && u) lag.push(lagOf(f, u.publishedAt, today, policy.days));
      if (defend(f)) continue;
      if (SECURITY.has(f.category)) notPlanned.push({ id: f.id, title: f.title, reason: heldBack ? 'held back; no reviewed defence for its CVEs' : 'no fixed version published yet; no reviewed defence for its CVEs' });
      continue;
    }
    if (f.remediation.priority === 3 && (SECURITY.has(f.category) || f.category === 'end-of-life' || f.category === 'outdated-application')) {
      migrations.push({ kind: 'migration', packages: [], advisories: [], fixes: [f.id], cves: uniq(f.cves ?? []), action: f.remediation.action });
      continue;
    }
    if (SECURITY.has(f.category)) notPlanned.push({ id: f.id, title: f.title, reason: u ? 'the update names no package manager' : 'the remediation carries no structured update (see its action)' });
  }

  for (const tool of [...updates.keys()].sort(cmp)) {
    const e = updates.get(tool)!;
    const packages = [...e.packages.values()].sort((a, b) => cmp(a.name, b.name));
    const advisories = uniq(e.advisories);
    steps.push({ kind: 'update', tool, command: planCommand(tool, packages, advisories), packages, advisories, fixes: uniq(e.fixes), cves: uniq(e.cves) });
  }
  if (restart.services.size) {
    const services = uniq(restart.services);
    steps.push({ kind: 'restart', command: services.map((s) => `systemctl restart ${s}`).join(' && '), services, packages: [], advisories: [], fixes: uniq(restart.fixes), cves: [] });
  }
  if (reboot.needed) steps.push({ kind: 'reboot', command: 'reboot', packages: [], advisories: [], fixes: uniq(reboot.fixes), cves: [] });
  for (const [key, e] of [...defended].sort((a, b) => cmp(a[0], b[0]))) {
    steps.push({ kind: 'defence', packages: [], advisories: [], fixes: uniq(e.fixes), cves: uniq(e.cves), defence: { ...e.snippets, reviewOverdue: (epochDay(e.snippets.reviewBy) ?? 0) < today }, action: key });
  }
  steps.push(...migrations);

  const healthChecks: HealthCheck[] = [...(opts.healthChecks ?? [])];
  // Ports that listened at scan time with a known owner must listen again after the update.
  const listening = doc.inventory.listening ?? [];
  const owned = listening.filter((l) => l.process);
  for (const port of [...new Set((owned.length ? owned : listening).map((l) => l.port))].sort((a, b) => a - b)) if (!healthChecks.some((h) => h.kind === 'port' && h.port === port)) healthChecks.push({ kind: 'port', port });

  const plan: HostPlan = {
    target: doc.target.name,
    scannedAt: doc.scannedAt,
    steps: steps.map((s, i) => ({ order: i + 1, ...s })),
    held: uniq(hold),
    healthChecks,
    lag: lag.sort(byLag),
    notPlanned,
  };
  if (doc.inventory.os) plan.os = { family: doc.inventory.os.family, name: doc.inventory.os.name, version: doc.inventory.os.version };
  return plan;
}

/** Parse `critical=7,high=30`: the days allowed per severity (the rest keep the default). */
export function parseLagPolicy(s: string): LagPolicy | undefined {
  const days = parseLagDays(s);
  return days ? { days } : undefined;
}

export { SEVERITIES };
