/**
 * Patching in the fleet server (issue 17): a host target's plan from its latest finished host scan
 * (src/remediate/plan.ts, with the patch lag of every fix against the tenant's lag policy), approval of that
 * plan by an operator for a maintenance window (the approval is the confirmation `patch apply --yes` stands
 * for), and the record of what the apply did: status, result, verification scan, and the apply log (every
 * command and its output) kept beside it. Records live in the store's per-tenant settings (`patch-plans`, newest
 * first, bounded; each apply log under `patch-log:<planId>`).
 */
import { randomUUID } from 'node:crypto';
import type { Severity } from '../core/model.js';
import { buildPlan, DEFAULT_LAG_POLICY, type HostPlan, type LagPolicy, type PatchPlan } from '../remediate/plan.js';
import type { FleetStore } from './ports.js';
import { latestDoneScan } from './owner-report.js';
import { loadNotificationPolicy } from './notify/settings.js';
import { SYSTEM_SCOPE, type ScanRecord, type Scope, type Target } from './types.js';
import { verifyResolved } from '../remediate/apply.js';

export const PATCH_PLANS_KEY = 'patch-plans';
export const PATCH_PLANS_MAX = 500;
export const patchLogKey = (planId: string) => `patch-log:${planId}`;
/** A window longer than this is refused: an approval is for one maintenance window, not a standing licence. */
export const MAX_WINDOW_HOURS = 72;

export const PATCH_PLAN_STATUSES = ['approved', 'running', 'applied', 'rolled-back', 'refused', 'failed', 'nothing-to-do', 'expired'] as const;
export type PatchPlanStatus = (typeof PATCH_PLAN_STATUSES)[number];

export interface PatchPlanRecord {
  id: string;
  tenantId: string;
  targetId: string;
  targetName: string;
  /** The host scan the plan was made from. */
  scanId: string;
  window: { start: string; end: string };
  approvedBy: string | null;
  approvedAt: string;
  status: PatchPlanStatus;
  policy: LagPolicy;
  plan: HostPlan;
  /** The apply job's outcome. */
  result?: { status: string; reason?: string; changed: boolean; rebootPending?: boolean; startedAt: string; finishedAt: string };
  /** The verification rescan (trigger `patch-verify`). */
  verifyScanId?: string;
  /** Filled in when the verification scan is done: what the plan fixed, and what is still there (and why). */
  verify?: { resolved: string[]; unresolved: { id: string; why: string }[] };
}

/** The tenant's patch-lag policy: its settings (critical, high) over the defaults. */
export async function loadLagPolicy(store: FleetStore, tenantId: string): Promise<LagPolicy> {
  const s = await loadNotificationPolicy(store, tenantId);
  const days: Record<Severity, number> = { ...DEFAULT_LAG_POLICY.days, critical: s.lagPolicy.critical, high: s.lagPolicy.high };
  return { days };
}

export type TargetPlanResult =
  | { ok: true; target: Target; scan: ScanRecord; plan: PatchPlan; host: HostPlan }
  | { ok: false; code: 'not_found' | 'not_a_host' | 'no_scan'; message: string };

/** The plan of a host target from its latest finished scan (in the caller's scope). */
export async function targetPatchPlan(store: FleetStore, scope: Scope, targetId: string, now: Date): Promise<TargetPlanResult> {
  const target = await store.getTarget(scope, targetId);
  if (!target) return { ok: false, code: 'not_found', message: 'target not found' };
  if (target.kind !== 'host') return { ok: false, code: 'not_a_host', message: `target "${target.name}" is a site: patch plans are made from host scans (SSH)` };
  const scan = await latestDoneScan(store, scope, targetId);
  const doc = scan ? await store.getScanDocument(scope, scan.id) : undefined;
  if (!scan || !doc) return { ok: false, code: 'no_scan', message: `target "${target.name}" has no finished scan yet: scan it first` };
  const plan = buildPlan([doc], { now, policy: await loadLagPolicy(store, target.tenantId) });
  return { ok: true, target, scan, plan, host: plan.hosts[0]! };
}

/** Parse and check a maintenance window: ISO start and end, end after start and after now, at most MAX_WINDOW_HOURS. */
export function parseWindow(w: unknown, now: Date): { ok: true; window: { start: string; end: string } } | { ok: false; message: string } {
  if (typeof w !== 'object' || w === null) return { ok: false, message: 'window: give {"start": ISO time, "end": ISO time}' };
  const { start, end } = w as { start?: unknown; end?: unknown };
  const s = typeof start === 'string' ? Date.parse(start) : NaN;
  const e = typeof end === 'string' ? Date.parse(end) : NaN;
  if (Number.isNaN(s)) return { ok: false, message: `window.start: not an ISO-8601 time: ${JSON.stringify(start)}` };
  if (Number.isNaN(e)) return { ok: false, message: `window.end: not an ISO-8601 time: ${JSON.stringify(end)}` };
  if (e <= s) return { ok: false, message: 'window.end must be after window.start' };
  if (e <= now.getTime()) return { ok: false, message: 'window.end is in the past' };
  if (e - s > MAX_WINDOW_HOURS * 3_600_000) return { ok: false, message: `the window is longer than ${MAX_WINDOW_HOURS} hours` };
  return { ok: true, window: { start: new Date(s).toISOString(), end: new Date(e).toISOString() } };
}

async function readRecords(store: FleetStore, tenantId: string): Promise<PatchPlanRecord[]> {
  return (await store.getSetting<PatchPlanRecord[]>(tenantId, PATCH_PLANS_KEY)) ?? [];
}

/** Record an approved plan (the caller checked the role and the window). */
export async function approvePatchPlan(store: FleetStore, inp: { target: Target; scan: ScanRecord; plan: PatchPlan; window: { start: string; end: string }; approvedBy: string | null; now: Date }): Promise<PatchPlanRecord> {
  const rec: PatchPlanRecord = {
    id: randomUUID(),
    tenantId: inp.target.tenantId,
    targetId: inp.target.id,
    targetName: inp.target.name,
    scanId: inp.scan.id,
    window: inp.window,
    approvedBy: inp.approvedBy,
    approvedAt: inp.now.toISOString(),
    status: 'approved',
    policy: inp.plan.policy,
    plan: inp.plan.hosts[0]!,
  };
  await store.updateSetting<PatchPlanRecord[]>(rec.tenantId, PATCH_PLANS_KEY, (list) => [rec, ...(list ?? [])].slice(0, PATCH_PLANS_MAX));
  return rec;
}

/** The approved plans of every tenant in scope (or one), newest first. */
export async function listPatchPlans(store: FleetStore, scope: Scope, filter: { tenantId?: string; targetId?: string } = {}): Promise<PatchPlanRecord[]> {
  const tenants = filter.tenantId ? [await store.getTenant(scope, filter.tenantId)].filter((t) => t !== undefined) : await store.listTenants(scope);
  const out: PatchPlanRecord[] = [];
  for (const t of tenants) out.push(...(await readRecords(store, t.id)));
  return out.filter((r) => !filter.targetId || r.targetId === filter.targetId).sort((a, b) => (a.approvedAt < b.approvedAt ? 1 : -1));
}

export async function getPatchPlan(store: FleetStore, scope: Scope, id: string): Promise<PatchPlanRecord | undefined> {
  return (await listPatchPlans(store, scope)).find((r) => r.id === id);
}

/**
 * Update one record (by the apply job, SYSTEM_SCOPE), atomically with the other writers of the tenant's records
 * (the server approving and verifying, workers applying). `from`: only if its status is one of these (the apply
 * job claims an approved plan: a second job of the same plan gets undefined). Undefined when not found.
 */
export async function updatePatchPlan(store: FleetStore, tenantId: string, id: string, patch: Partial<PatchPlanRecord>, opts: { from?: readonly PatchPlanStatus[] } = {}): Promise<PatchPlanRecord | undefined> {
  let next: PatchPlanRecord | undefined;
  await store.updateSetting<PatchPlanRecord[]>(tenantId, PATCH_PLANS_KEY, (stored) => {
    const list = stored ?? [];
    const i = list.findIndex((r) => r.id === id);
    if (i < 0 || (opts.from && !opts.from.includes(list[i]!.status))) return list;
    next = { ...list[i]!, ...patch, id: list[i]!.id, tenantId: list[i]!.tenantId };
    return list.map((r, j) => (j === i ? next! : r));
  });
  return next;
}

/**
 * The apply job's claim of its plan, in one read-modify-write of the tenant's plans: `claimed` (approved → running);
 * `taken` when the plan is no longer approved (a second job of the same plan); `busy` when another plan of the same
 * target is running — one apply per server at a time, decided here rather than by the target's lock directory, so
 * the job waits for its turn instead of being refused.
 */
export async function claimPatchPlan(store: FleetStore, tenantId: string, id: string): Promise<{ claimed: PatchPlanRecord } | { taken: PatchPlanRecord | undefined } | { busy: PatchPlanRecord }> {
  let out: { claimed: PatchPlanRecord } | { taken: PatchPlanRecord | undefined } | { busy: PatchPlanRecord } = { taken: undefined };
  await store.updateSetting<PatchPlanRecord[]>(tenantId, PATCH_PLANS_KEY, (stored) => {
    const list = stored ?? [];
    const rec = list.find((r) => r.id === id);
    if (!rec || rec.status !== 'approved') {
      out = { taken: rec };
      return list;
    }
    const other = list.find((r) => r.id !== id && r.targetId === rec.targetId && r.status === 'running');
    if (other) {
      out = { busy: other };
      return list;
    }
    const next: PatchPlanRecord = { ...rec, status: 'running' };
    out = { claimed: next };
    return list.map((r) => (r.id === id ? next : r));
  });
  return out;
}

/** The job key of a plan's apply: one queued job per plan (plans of one target are kept apart by claimPatchPlan). */
export const patchJobKey = (rec: Pick<PatchPlanRecord, 'id'>): string => `patch-plan:${rec.id}`;

export async function getPatchLog(store: FleetStore, scope: Scope, id: string): Promise<unknown[] | undefined> {
  const rec = await getPatchPlan(store, scope, id);
  if (!rec) return undefined;
  return (await store.getSetting<unknown[]>(rec.tenantId, patchLogKey(id))) ?? [];
}

export async function savePatchLog(store: FleetStore, tenantId: string, id: string, log: readonly unknown[]): Promise<void> {
  await store.setSetting(tenantId, patchLogKey(id), log);
}

/** The record for the job: the tenant scope is given by the job payload. */
export async function patchPlanForJob(store: FleetStore, tenantId: string, id: string): Promise<PatchPlanRecord | undefined> {
  return (await readRecords(store, tenantId)).find((r) => r.id === id);
}

/**
 * Once the verification scan is done: which of the plan's findings it resolved and which are still there
 * (recorded on the plan). A verification scan that failed leaves the plan unverified, and says so.
 */
export async function refreshVerification(store: FleetStore, rec: PatchPlanRecord): Promise<PatchPlanRecord> {
  if (!rec.verifyScanId || rec.verify) return rec;
  const scan = await store.getScan(SYSTEM_SCOPE, rec.verifyScanId);
  if (!scan || (scan.status !== 'done' && scan.status !== 'failed')) return rec;
  if (scan.status === 'failed') {
    const all = rec.plan.steps.flatMap((s) => (s.kind === 'update' ? s.fixes : []));
    const verify = { resolved: [], unresolved: [...new Set(all)].map((id) => ({ id, why: `the verification scan failed: ${scan.failureReason ?? 'unknown'}` })) };
    return (await updatePatchPlan(store, rec.tenantId, rec.id, { verify })) ?? rec;
  }
  const doc = await store.getScanDocument(SYSTEM_SCOPE, scan.id);
  if (!doc) return rec;
  const verify = verifyResolved(rec.plan, {
    findingIds: new Set(doc.findings.map((f) => f.id)),
    pendingSecurity: new Set(doc.inventory.pendingUpdates.filter((u) => u.security).map((u) => u.package)),
  });
  return (await updatePatchPlan(store, rec.tenantId, rec.id, { verify })) ?? rec;
}
