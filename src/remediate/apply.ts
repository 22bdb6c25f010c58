/**
 * `mamori patch apply`: one approved host plan, applied safely. In order: lock (mkdir on the target, so two
 * applies never overlap) → pre-check (root, disk space, package manager lock, a simulation that must change
 * only the plan's packages and remove nothing) → health baseline → record the installed versions → install →
 * restart → health checks → on failure roll back (apt: reinstall the recorded versions; yum/dnf: history
 * undo) and check again → release the lock. Defences and migrations are shown, never applied; a reboot is
 * never done by mamori (the report says it is pending). Every command goes through the apply allowlist and
 * into the log.
 */
import { parseDeletedMaps } from '../collect/host/kernel.js';
import { serviceOfProcess } from '../collect/host/index.js';
import type { UpdateTool } from '../core/model.js';
import { LOCK_DIR } from './allowlist.js';
import type { HealthCheck, HostPlan, PlanPackage, PlanStep } from './plan.js';
import type { ApplyRunner } from './runner.js';

export type HostApplyStatus = 'applied' | 'rolled-back' | 'refused' | 'failed' | 'nothing-to-do';

export interface HealthResult {
  check: HealthCheck;
  ok: boolean;
  detail: string;
}

export interface SimulatedChange {
  name: string;
  from?: string;
  to: string;
}

export interface Simulation {
  upgrades: SimulatedChange[];
  installs: SimulatedChange[];
  removals: string[];
}

export interface HostApplyResult {
  target: string;
  status: HostApplyStatus;
  /** Why it was refused or failed, or what was rolled back (English, for the log and the report). */
  reason?: string;
  changed: boolean;
  steps: { order: number; kind: PlanStep['kind']; status: 'done' | 'nothing-to-do' | 'failed' | 'rolled-back' | 'shown' | 'pending'; detail?: string }[];
  simulation?: Simulation;
  /** Versions before the update (what a rollback reinstalls). */
  recorded: { name: string; version: string }[];
  health: { before: HealthResult[]; after: HealthResult[]; afterRollback?: HealthResult[] };
  restarted: string[];
  rebootPending: boolean;
}

/** How health checks reach HTTP: GET only, bounded (a fresh answer each time). */
export type HttpGet = (url: string) => Promise<{ status: number; body: string } | { error: string }>;

export interface ApplyDeps {
  httpGet: HttpGet;
  /** Wait between health-check attempts (services take a moment to come up). */
  sleep: (ms: number) => Promise<void>;
  /** Health-check attempts after an install or a rollback before judging (default 10, 1 s apart). */
  attempts?: number;
  /** Free space required on / and /var, KiB (default 200 MiB). */
  minFreeKb?: number;
}

const PM_LOCKS = /\/var\/lib\/dpkg\/lock|\/var\/lib\/apt\/lists\/lock|\/var\/cache\/apt\/archives\/lock|\/var\/run\/yum\.pid|\/var\/lib\/rpm\/\.rpm\.lock|\/var\/cache\/dnf\/\S*\.pid/;

export async function applyHost(r: ApplyRunner, plan: HostPlan, deps: ApplyDeps): Promise<HostApplyResult> {
  const res: HostApplyResult = { target: r.name, status: 'nothing-to-do', changed: false, steps: [], recorded: [], health: { before: [], after: [] }, restarted: [], rebootPending: false };
  const refuse = (reason: string): HostApplyResult => ({ ...res, status: 'refused', reason });
  const updates = plan.steps.filter((s) => s.kind === 'update');
  for (const s of plan.steps.filter((x) => x.kind === 'defence' || x.kind === 'migration')) res.steps.push({ order: s.order, kind: s.kind, status: 'shown', detail: 'never applied by mamori: see the plan' });

  const who = await r.run('whoami');
  if (who.failure || who.code !== 0) return refuse(`cannot run commands on the target: ${who.failure ?? `exit ${who.code}`} ${who.stderr.trim()}`);
  if (who.stdout.toString('utf8').trim() !== '0') return refuse('patch apply needs root on the target (log in as root, or give --sudo with passwordless sudo)');
  const unsupported = updates.find((s) => s.tool !== 'apt' && s.tool !== 'dnf' && s.tool !== 'yum');
  if (unsupported) return refuse(`patch apply does not drive ${unsupported.tool} yet: run the plan's command (${unsupported.command}) by hand`);

  const lock = await r.run('lockAcquire');
  if (lock.code !== 0) return refuse(`another patch apply holds the lock ${LOCK_DIR} on the target (${lock.stderr.trim()}); when no apply is running, remove it with rmdir ${LOCK_DIR}`);
  try {
    return await applyLocked(r, plan, updates, deps, res);
  } finally {
    await r.run('lockRelease');
  }
}

async function applyLocked(r: ApplyRunner, plan: HostPlan, updates: PlanStep[], deps: ApplyDeps, res: HostApplyResult): Promise<HostApplyResult> {
  const refuse = (reason: string): HostApplyResult => ({ ...res, status: 'refused', reason });
  // --- pre-check ---
  const df = await r.run('diskFree');
  if (df.code === 0) {
    const min = deps.minFreeKb ?? 200 * 1024;
    for (const line of df.stdout.toString('utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const avail = Number(f[3]);
      if (f.length >= 6 && Number.isFinite(avail) && avail < min) return refuse(`only ${Math.round(avail / 1024)} MiB free on ${f[5]} (needs ${Math.round(min / 1024)} MiB)`);
    }
  } else return refuse(`cannot check free disk space: ${df.failure ?? `exit ${df.code}`} ${df.stderr.trim()}`);
  const locks = await r.run('locks');
  if (locks.code === 0) {
    const held = locks.stdout.toString('utf8').split('\n').find((l) => PM_LOCKS.test(l));
    if (held) return refuse(`the package manager is busy (lock held: ${held.trim()}); try again when it has finished`);
  }
  res.health.before = await healthChecks(r, plan.healthChecks, deps, undefined);

  // --- per update step: simulate, record, install ---
  const toolOf = new Map<number, UpdateTool>();
  const changedPackages: string[] = [];
  const txids: { tool: 'dnf' | 'yum'; before: number | undefined }[] = [];
  for (const s of updates) {
    const tool = s.tool!;
    toolOf.set(s.order, tool);
    const names = s.packages.map((p) => p.name).join(' ');
    if (tool === 'apt') {
      const upd = await r.run('aptUpdate');
      if (upd.code !== 0) return refuse(`apt-get update failed: ${upd.failure ?? `exit ${upd.code}`} ${upd.stderr.trim().slice(0, 300)}`);
    }
    const sim = await r.run(tool === 'apt' ? 'aptSimulate' : tool === 'dnf' ? 'dnfSimulate' : 'yumSimulate', { names });
    // yum/dnf --assumeno exits 1 after printing the transaction.
    if (sim.failure || (tool === 'apt' ? sim.code !== 0 : sim.code !== 0 && sim.code !== 1)) return refuse(`the simulation failed: ${sim.failure ?? `exit ${sim.code}`} ${sim.stderr.trim().slice(0, 300)}`);
    const simulation = tool === 'apt' ? parseAptSimulation(sim.stdout.toString('utf8')) : parseRpmTransaction(sim.stdout.toString('utf8'));
    res.simulation = simulation;
    const planned = new Set(s.packages.map((p) => p.name.replace(/:.*$/, '')));
    if (simulation.removals.length) return refuse(`the simulation would remove packages: ${simulation.removals.join(', ')}`);
    const unrelated = simulation.upgrades.filter((u) => !planned.has(u.name));
    if (unrelated.length) return refuse(`the simulation would also upgrade packages outside the plan: ${unrelated.map((u) => u.name).join(', ')}`);
    if (!simulation.upgrades.length) {
      res.steps.push({ order: s.order, kind: 'update', status: 'nothing-to-do', detail: 'the simulation changes nothing (already up to date?)' });
      continue;
    }
    const touched = simulation.upgrades.map((u) => u.name);
    const rec = await r.run(tool === 'apt' ? 'dpkgVersions' : 'rpmVersions', { names: touched.join(' ') });
    if (rec.code !== 0) return refuse(`cannot record the installed versions: ${rec.failure ?? `exit ${rec.code}`} ${rec.stderr.trim().slice(0, 300)}`);
    res.recorded.push(...parseVersions(rec.stdout.toString('utf8')));
    if (tool === 'dnf' || tool === 'yum') txids.push({ tool, before: await lastTransaction(r, tool) });
    const inst = await r.run(tool === 'apt' ? 'aptUpgrade' : tool === 'dnf' ? 'dnfUpgrade' : 'yumUpgrade', { names: touched.join(' ') });
    res.changed = true;
    changedPackages.push(...touched);
    if (inst.code !== 0) {
      res.steps.push({ order: s.order, kind: 'update', status: 'failed', detail: `exit ${inst.code ?? inst.failure}: ${lastLines(inst.stderr || inst.stdout.toString('utf8'))}` });
      return rollback(r, plan, deps, res, txids, `the update failed (exit ${inst.code ?? inst.failure})`);
    }
    res.steps.push({ order: s.order, kind: 'update', status: 'done', detail: simulation.upgrades.map((u) => `${u.name} ${u.from ?? '?'} → ${u.to}`).join(', ') });
  }
  if (!res.changed) {
    for (const s of plan.steps.filter((x) => x.kind === 'restart' || x.kind === 'reboot')) res.steps.push({ order: s.order, kind: s.kind, status: 'pending', detail: 'not run: nothing was updated' });
    res.steps.sort((a, b) => a.order - b.order);
    return { ...res, status: 'nothing-to-do' };
  }

  // --- restarts: the plan's services, then what still maps replaced libraries ---
  const restartStep = plan.steps.find((s) => s.kind === 'restart');
  for (const svc of restartStep?.services ?? []) {
    const x = await r.run('restart', { service: svc });
    if (x.code !== 0) {
      res.steps.push({ order: restartStep!.order, kind: 'restart', status: 'failed', detail: `service ${svc} restart: exit ${x.code ?? x.failure} ${lastLines(x.stderr)}` });
      return rollback(r, plan, deps, res, txids, `restarting ${svc} failed`);
    }
    res.restarted.push(svc);
  }
  const maps = await r.run('deletedMaps');
  if (maps.code === 0 || maps.stdout.length) {
    const pids = parseDeletedMaps(maps.stdout.toString('utf8'));
    const services = new Set<string>();
    for (const pid of pids.keys()) {
      const comm = await r.scan.readFile(`/proc/${pid}/comm`, 256);
      if (comm.ok) services.add(serviceOfProcess(comm.data.toString('utf8').trim()));
    }
    for (const svc of [...services].filter((x) => !res.restarted.includes(x)).sort()) {
      const x = await r.run('restart', { service: svc });
      if (x.code === 0) res.restarted.push(svc);
    }
  }
  if (restartStep) res.steps.push({ order: restartStep.order, kind: 'restart', status: 'done', detail: res.restarted.join(', ') });

  // --- health ---
  res.health.after = await healthChecks(r, plan.healthChecks, deps, res.health.before);
  const failed = res.health.after.filter((h) => !h.ok);
  if (failed.length) return rollback(r, plan, deps, res, txids, `health check failed after the update: ${failed.map((h) => h.detail).join('; ')}`);

  const reboot = plan.steps.find((s) => s.kind === 'reboot');
  if (reboot) {
    res.rebootPending = true;
    res.steps.push({ order: reboot.order, kind: 'reboot', status: 'pending', detail: 'schedule a reboot: mamori never reboots a server' });
  }
  res.steps.sort((a, b) => a.order - b.order);
  return { ...res, status: 'applied' };
}

async function rollback(r: ApplyRunner, plan: HostPlan, deps: ApplyDeps, res: HostApplyResult, txids: { tool: 'dnf' | 'yum'; before: number | undefined }[], why: string): Promise<HostApplyResult> {
  for (const s of res.steps) if (s.kind === 'update' && s.status === 'done') s.status = 'rolled-back';
  let ok = true;
  const aptPins = res.recorded.filter((p) => p.version).map((p) => `${p.name}=${p.version}`);
  if (aptPins.length && !txids.length) {
    const x = await r.run('aptReinstall', { pins: aptPins.join(' ') });
    ok = x.code === 0;
  }
  for (const t of txids.reverse()) {
    const after = await lastTransaction(r, t.tool);
    if (after === undefined || after === t.before) continue;
    const x = await r.run(t.tool === 'dnf' ? 'dnfUndo' : 'yumUndo', { txid: String(after) });
    ok &&= x.code === 0;
  }
  // Services the update had restarted run the old code again only after a restart.
  for (const svc of res.restarted) await r.run('restart', { service: svc });
  res.health.afterRollback = await healthChecks(r, plan.healthChecks, deps, res.health.before);
  const healthy = res.health.afterRollback.every((h) => h.ok);
  res.steps.sort((a, b) => a.order - b.order);
  const reason = `${why}; rolled back to ${res.recorded.map((p) => `${p.name} ${p.version}`).join(', ') || 'the recorded state'}${ok ? '' : ' (the rollback command failed: see the log)'}${healthy ? '; health checks pass again' : '; health checks still fail: intervene now'}`;
  return { ...res, status: ok ? 'rolled-back' : 'failed', reason };
}

async function lastTransaction(r: ApplyRunner, tool: 'dnf' | 'yum'): Promise<number | undefined> {
  const h = await r.run(tool === 'dnf' ? 'dnfHistoryLast' : 'yumHistoryLast');
  for (const line of h.stdout.toString('utf8').split('\n')) {
    const m = /^\s*(\d+)\s+\|/.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** Run the checks; with `before`, an HTTP check must answer the same status and a similar body, and a port that listened must listen again. */
async function healthChecks(r: ApplyRunner, checks: readonly HealthCheck[], deps: ApplyDeps, before: readonly HealthResult[] | undefined): Promise<HealthResult[]> {
  const attempts = before ? (deps.attempts ?? 10) : 1;
  let out: HealthResult[] = [];
  for (let i = 0; i < attempts; i++) {
    if (i) await deps.sleep(1000);
    out = await checkOnce(r, checks, deps, before);
    if (out.every((h) => h.ok)) break;
  }
  return out;
}

const baselines = new WeakMap<HealthResult, { status: number; body: string }>();

async function checkOnce(r: ApplyRunner, checks: readonly HealthCheck[], deps: ApplyDeps, before: readonly HealthResult[] | undefined): Promise<HealthResult[]> {
  const out: HealthResult[] = [];
  let ports: Set<number> | undefined;
  if (checks.some((c) => c.kind === 'port')) {
    const ss = await r.run('listening');
    if (ss.code === 0) ports = parseListeningPorts(ss.stdout.toString('utf8'));
  }
  for (const c of checks) {
    const prev = before?.find((b) => sameCheck(b.check, c));
    if (c.kind === 'port') {
      if (!ports) out.push({ check: c, ok: !before || !prev?.ok, detail: `port ${c.port}: cannot list listening sockets (ss -tln failed)` });
      else {
        const up = ports.has(c.port);
        // A port that did not listen before the update is not the update's fault.
        out.push({ check: c, ok: up || (before !== undefined && !prev?.ok), detail: `port ${c.port} ${up ? 'listens' : 'does not listen'}` });
      }
      continue;
    }
    const g = await deps.httpGet(c.url);
    if ('error' in g) {
      out.push({ check: c, ok: before !== undefined && !prev?.ok, detail: `${c.url}: ${g.error}` });
      continue;
    }
    const base = prev ? baselines.get(prev) : undefined;
    let ok = true;
    let detail = `${c.url}: ${g.status}`;
    if (base) {
      const sim = similarity(base.body, g.body);
      ok = g.status === base.status && sim >= 0.8;
      detail = `${c.url}: ${base.status} → ${g.status}, body similarity ${sim.toFixed(2)}`;
    } else if (before !== undefined && prev && !prev.ok) ok = true;
    const h: HealthResult = { check: c, ok, detail };
    baselines.set(h, base ?? { status: g.status, body: g.body });
    out.push(h);
  }
  return out;
}

const sameCheck = (a: HealthCheck, b: HealthCheck) => (a.kind === 'port' && b.kind === 'port' ? a.port === b.port : a.kind === 'http' && b.kind === 'http' ? a.url === b.url : false);

/** Similarity of two page bodies: Jaccard index of their distinct lines (1 = same lines). */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const la = new Set(a.split('\n').map((l) => l.trim()).filter(Boolean));
  const lb = new Set(b.split('\n').map((l) => l.trim()).filter(Boolean));
  if (!la.size && !lb.size) return 1;
  let inter = 0;
  for (const l of la) if (lb.has(l)) inter++;
  return inter / (la.size + lb.size - inter);
}

/** `ss -tln`: local ports in LISTEN state. */
export function parseListeningPorts(text: string): Set<number> {
  const out = new Set<number>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'LISTEN') continue;
    const m = /:(\d+)$/.exec(f[3] ?? '');
    if (m) out.add(Number(m[1]));
  }
  return out;
}

/** `apt-get -s`: `Inst name [old] (new suite [arch])`, `Remv name [old]`. */
export function parseAptSimulation(text: string): Simulation {
  const sim: Simulation = { upgrades: [], installs: [], removals: [] };
  for (const line of text.split('\n')) {
    let m = /^Inst (\S+) (?:\[(\S+)\] )?\((\S+)/.exec(line);
    if (m) {
      const name = m[1]!.replace(/:.*$/, '');
      if (m[2]) sim.upgrades.push({ name, from: m[2], to: m[3]! });
      else sim.installs.push({ name, to: m[3]! });
      continue;
    }
    m = /^Remv (\S+)/.exec(line);
    if (m) sim.removals.push(m[1]!.replace(/:.*$/, ''));
  }
  return sim;
}

/** yum/dnf `--assumeno` transaction: sections Upgrading/Updating, Installing (dependencies), Removing, Downgrading. */
export function parseRpmTransaction(text: string): Simulation {
  const sim: Simulation = { upgrades: [], installs: [], removals: [] };
  let section: 'up' | 'in' | 'rm' | undefined;
  for (const line of text.split('\n')) {
    const h = /^(Upgrading|Updating|Installing|Installing dependencies|Installing for dependencies|Removing|Erasing|Downgrading|Obsoleting)\b/i.exec(line.trim());
    if (h && !/^\s/.test(line)) {
      const w = h[1]!.toLowerCase();
      section = w.startsWith('upgrad') || w.startsWith('updat') ? 'up' : w.startsWith('install') ? 'in' : 'rm';
      continue;
    }
    if (/^(Transaction Summary|=+$)/.test(line.trim())) {
      if (/^Transaction Summary/.test(line.trim())) section = undefined;
      continue;
    }
    const m = /^\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+/.exec(line);
    if (!m || !section) continue;
    if (section === 'up') sim.upgrades.push({ name: m[1]!, to: m[3]! });
    else if (section === 'in') sim.installs.push({ name: m[1]!, to: m[3]! });
    else sim.removals.push(m[1]!);
  }
  return sim;
}

/** `name\tversion[\tstatus]` lines (dpkgVersions, rpmVersions; rpm's epoch `(none):` dropped). */
export function parseVersions(text: string): { name: string; version: string }[] {
  const out: { name: string; version: string }[] = [];
  for (const line of text.split('\n')) {
    const [name, version, status] = line.split('\t');
    if (!name || !version || (status !== undefined && !/^.i/.test(status))) continue;
    out.push({ name, version: version.replace(/^\(none\):|^0:/, '') });
  }
  return out;
}

const lastLines = (s: string) => s.trim().split('\n').slice(-3).join(' | ').slice(0, 400);

/** Which of the plan's findings are still there after the rescan (by id, and by a package still pending). */
export function verifyResolved(plan: HostPlan, rescan: { findingIds: ReadonlySet<string>; pendingSecurity: ReadonlySet<string> }): { resolved: string[]; unresolved: { id: string; why: string }[] } {
  const resolved: string[] = [];
  const unresolved: { id: string; why: string }[] = [];
  const applied = plan.steps.filter((s) => s.kind === 'update' || s.kind === 'restart' || s.kind === 'reboot');
  for (const s of applied) {
    const stillPending = s.packages.filter((p: PlanPackage) => rescan.pendingSecurity.has(p.name)).map((p) => p.name);
    for (const id of s.fixes) {
      if (resolved.includes(id) || unresolved.some((u) => u.id === id)) continue;
      if (rescan.findingIds.has(id)) unresolved.push({ id, why: s.kind === 'reboot' ? 'a reboot is still pending' : 'the rescan still reports it' });
      else if (stillPending.length) unresolved.push({ id, why: `security updates still pending for ${stillPending.join(', ')}` });
      else resolved.push(id);
    }
  }
  return { resolved, unresolved };
}
