/**
 * Scheduled scans: a cron expression per target (Target.schedule) or per tag (a tenant's tag schedules), a
 * maintenance window (`Sun 02:00-05:00`, `daily 01:00-04:00`, `Mon-Fri 22:00-02:00`: a scheduled scan outside
 * its window waits for it) and a deterministic jitter per target (a hash of its id, under 5 minutes by default)
 * so a fleet on `0 3 * * *` does not start at one second.
 *
 * evaluateSchedules() looks at the minutes in (lastEvaluatedAt, now] and enqueues each due scan exactly once:
 * the last minute fired is kept per target (setting `schedule.fired.<targetId>`), so evaluating the same
 * minutes again — a second tick, a restart, a second node — does not fire again, and a scan already waiting
 * for the target is reused (requestScan). In a cluster, run it under a leader lock (the pg-boss runner does)
 * so two nodes do not evaluate at the same instant. All times UTC.
 */
import { createHash } from 'node:crypto';
import type { FleetStore } from '../fleet/ports.js';
import { SYSTEM_SCOPE, type Target } from '../fleet/types.js';
import { cronNext, parseCron, type Cron } from './cron.js';
import type { JobRunner } from './jobs.js';
import { requestScan } from './request.js';

export { CronError, CRON_FIELDS, cronMatches, cronNext, parseCron, type Cron, type CronField } from './cron.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE = 60_000;
const DAY = 86_400_000;

export class WindowError extends Error {
  override name = 'WindowError';
}

/** A weekly maintenance window: the days it opens on, its start and its length (it may run past midnight). */
export interface MaintenanceWindow {
  source: string;
  days: ReadonlySet<number>;
  /** Minutes after midnight. */
  start: number;
  /** Length in minutes (1 … 1440). */
  length: number;
}

const FULL_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function dayIndex(source: string, name: string): number {
  const n = name.toLowerCase();
  const i = n.length === 3 ? DAYS.indexOf(n) : FULL_DAYS.indexOf(n);
  if (i < 0) throw new WindowError(`maintenance window "${source}": unknown day "${name}" (Sun Mon Tue Wed Thu Fri Sat, or daily)`);
  return i;
}

function clock(source: string, s: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59 || (Number(m[1]) === 24 && Number(m[2]) !== 0)) throw new WindowError(`maintenance window "${source}": "${s}" is not a time HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** `DAYS HH:MM-HH:MM` with DAYS `daily`, a day (`Sun`), a list (`Sat,Sun`) or a range (`Mon-Fri`); the end may be past midnight. */
export function parseWindow(text: string): MaintenanceWindow {
  const source = text.trim();
  const m = /^(\S+)\s+(\S+)-(\S+)$/.exec(source);
  if (!m) throw new WindowError(`maintenance window "${text}": write DAYS HH:MM-HH:MM, e.g. "Sun 02:00-05:00" or "daily 01:00-04:00"`);
  const [, dayText, a, b] = m as unknown as [string, string, string, string];
  const days = new Set<number>();
  if (/^(daily|everyday|\*)$/i.test(dayText)) for (let i = 0; i < 7; i++) days.add(i);
  else
    for (const part of dayText.split(',')) {
      const r = part.split('-');
      if (r.length === 1) days.add(dayIndex(source, r[0]!));
      else if (r.length === 2) {
        const from = dayIndex(source, r[0]!);
        const to = dayIndex(source, r[1]!);
        for (let i = from; ; i = (i + 1) % 7) {
          days.add(i);
          if (i === to) break;
        }
      } else throw new WindowError(`maintenance window "${text}": "${part}" is not a day or a range of days`);
    }
  const start = clock(source, a);
  const end = clock(source, b);
  if (start === end) throw new WindowError(`maintenance window "${text}": it starts and ends at the same time`);
  const length = end > start ? end - start : end + 1440 - start;
  return { source, days, start: start % 1440, length };
}

/** Whether `t` is inside the window. */
export function inWindow(w: MaintenanceWindow, t: Date): boolean {
  const dayStart = Math.floor(t.getTime() / DAY) * DAY;
  // The window opened today, or yesterday and runs past midnight.
  for (const back of [0, 1]) {
    const open = dayStart - back * DAY + w.start * MINUTE;
    if (w.days.has(new Date(open).getUTCDay()) && t.getTime() >= open && t.getTime() < open + w.length * MINUTE) return true;
  }
  return false;
}

/** `t` when it is inside the window, else the window's next opening. */
export function nextWindowStart(w: MaintenanceWindow, t: Date): Date {
  if (inWindow(w, t)) return t;
  const dayStart = Math.floor(t.getTime() / DAY) * DAY;
  for (let i = 0; i <= 7; i++) {
    const open = dayStart + i * DAY + w.start * MINUTE;
    if (open > t.getTime() && w.days.has(new Date(open).getUTCDay())) return new Date(open);
  }
  return t; // unreachable: a window opens at least once a week
}

/** Deterministic jitter of a target in [0, maxMs): the same target always starts at the same offset. */
export function jitterMs(targetId: string, maxMs = 5 * MINUTE): number {
  if (maxMs <= 0) return 0;
  return createHash('sha256').update(targetId).digest().readUInt32BE(0) % maxMs;
}

/** A schedule for every target of a tenant carrying a tag. */
export interface TagSchedule {
  tag: string;
  cron: string;
  maintenanceWindow?: string | null;
}

const TAG_SETTING = 'schedule.tags';
const firedKey = (targetId: string) => `schedule.fired.${targetId}`;

/** Validate and store a tenant's tag schedules; a bad expression throws (CronError / WindowError) naming it. */
export async function setTagSchedules(store: FleetStore, tenantId: string, list: TagSchedule[]): Promise<void> {
  for (const s of list) {
    if (!s.tag.trim()) throw new WindowError('a tag schedule needs a tag');
    parseCron(s.cron);
    if (s.maintenanceWindow) parseWindow(s.maintenanceWindow);
  }
  await store.setSetting(tenantId, TAG_SETTING, list);
}

export async function getTagSchedules(store: FleetStore, tenantId: string): Promise<TagSchedule[]> {
  return (await store.getSetting<TagSchedule[]>(tenantId, TAG_SETTING)) ?? [];
}

/** What a target runs on: its own schedule, else the schedules of its tags; its window, else its tag's. */
function plansOf(t: Target, tagSchedules: TagSchedule[]): { cron: string; window: string | null }[] {
  if (t.schedule) return [{ cron: t.schedule, window: t.maintenanceWindow }];
  return tagSchedules.filter((s) => t.tags.includes(s.tag)).map((s) => ({ cron: s.cron, window: t.maintenanceWindow ?? s.maintenanceWindow ?? null }));
}

/** The latest matching minute in (after, until], or null. */
function latestIn(c: Cron, after: Date, until: Date): Date | null {
  let last: Date | null = null;
  for (let n = cronNext(c, after); n && n.getTime() <= until.getTime(); n = cronNext(c, n)) last = n;
  return last;
}

export interface ScheduleFired {
  targetId: string;
  tenantId: string;
  /** The scheduled minute (the idempotency key with the target id). */
  minute: string;
  scanId: string;
  /** When the scan may start: the minute plus the target's jitter, moved to its maintenance window. */
  startAfter: string;
  created: boolean;
}

export interface ScheduleProblem {
  targetId: string;
  tenantId: string;
  error: string;
}

export interface EvaluateOptions {
  /** Jitter bound (default 5 min; 0: none). */
  jitterMaxMs?: number;
  /** Missed minutes older than this are not caught up (default 24 h): after a long stop a target fires once. */
  catchUpMs?: number;
}

/**
 * Enqueue the scans due in (lastEvaluatedAt, now]: one per target and due minute, whatever calls it again.
 * Bad expressions are returned as problems (the target is skipped), never thrown.
 */
export async function evaluateSchedules(
  deps: { store: FleetStore; runner: Pick<JobRunner, 'enqueue'> },
  now: Date,
  lastEvaluatedAt: Date | null,
  opts: EvaluateOptions = {},
): Promise<{ fired: ScheduleFired[]; problems: ScheduleProblem[] }> {
  const { store } = deps;
  const catchUp = opts.catchUpMs ?? DAY;
  const from = new Date(Math.max(lastEvaluatedAt?.getTime() ?? now.getTime() - MINUTE, now.getTime() - catchUp));
  const fired: ScheduleFired[] = [];
  const problems: ScheduleProblem[] = [];
  const tagCache = new Map<string, TagSchedule[]>();
  const cronCache = new Map<string, Cron>();
  for (let page = 1; ; page++) {
    const p = await store.listTargets(SYSTEM_SCOPE, {}, { page, pageSize: 500 });
    for (const t of p.items) {
      let tags: TagSchedule[] = [];
      if (!t.schedule && t.tags.length) {
        if (!tagCache.has(t.tenantId)) tagCache.set(t.tenantId, await getTagSchedules(store, t.tenantId));
        tags = tagCache.get(t.tenantId)!;
      }
      const plans = plansOf(t, tags);
      if (!plans.length) continue;
      try {
        let due: { minute: Date; window: string | null } | null = null;
        for (const plan of plans) {
          let c = cronCache.get(plan.cron);
          if (!c) cronCache.set(plan.cron, (c = parseCron(plan.cron)));
          const m = latestIn(c, from, now);
          if (m && (!due || m > due.minute)) due = { minute: m, window: plan.window };
        }
        if (!due) continue;
        const minute = due.minute.toISOString();
        const last = await store.getSetting<string>(t.tenantId, firedKey(t.id));
        if (last && last >= minute) continue;
        let startAfter = new Date(due.minute.getTime() + jitterMs(t.id, opts.jitterMaxMs));
        if (due.window) startAfter = nextWindowStart(parseWindow(due.window), startAfter);
        await store.setSetting(t.tenantId, firedKey(t.id), minute);
        const r = await requestScan(store, deps.runner, SYSTEM_SCOPE, t.id, 'schedule', { startAfter });
        if (r) fired.push({ targetId: t.id, tenantId: t.tenantId, minute, scanId: r.scan.id, startAfter: startAfter.toISOString(), created: r.created });
      } catch (err) {
        problems.push({ targetId: t.id, tenantId: t.tenantId, error: (err as Error).message });
      }
    }
    if (!p.items.length || page * p.pageSize >= p.total) break;
  }
  return { fired, problems };
}

/** Whether a scheduled scan of this target may start at `now` (its maintenance window, if any, is open). */
export function windowOpen(target: Pick<Target, 'maintenanceWindow'>, now: Date): boolean {
  if (!target.maintenanceWindow) return true;
  try {
    return inWindow(parseWindow(target.maintenanceWindow), now);
  } catch (_err) {
    return true; // a bad window is reported by evaluateSchedules; it does not block scans forever
  }
}

export interface SchedulerOptions {
  store: FleetStore;
  runner: Pick<JobRunner, 'enqueue'>;
  /** How often schedules are evaluated (default 60 s). */
  intervalMs?: number;
  clock?: () => Date;
  /** When the server's knowledge DB is refreshed (default every 6 h at minute 17; null: never). */
  knowledgeCron?: string | null;
  evaluate?: EvaluateOptions;
  onProblem?: (p: ScheduleProblem) => void;
  onError?: (err: unknown) => void;
}

const LAST_KEY = 'schedule.lastEvaluatedAt';

/**
 * The embedded server's scheduler: evaluate every interval from the last evaluation (kept in the store, so a
 * restart catches up the minutes it missed, once), and enqueue the knowledge update on its own schedule.
 */
export function startScheduler(o: SchedulerOptions): { stop(): void; tick(): Promise<void> } {
  const now = o.clock ?? (() => new Date());
  const knowledge = o.knowledgeCron === null ? null : parseCron(o.knowledgeCron ?? '17 */6 * * *');
  let busy: Promise<void> | undefined;
  const tick = async () => {
    if (busy) return busy;
    busy = (async () => {
      const at = now();
      const lastText = await o.store.getSetting<string>(null, LAST_KEY);
      const last = lastText ? new Date(lastText) : null;
      const r = await evaluateSchedules({ store: o.store, runner: o.runner }, at, last, o.evaluate);
      for (const p of r.problems) o.onProblem?.(p);
      if (knowledge && latestIn(knowledge, last ?? new Date(at.getTime() - MINUTE), at)) await o.runner.enqueue({ kind: 'knowledge-update', payload: {} }, { singletonKey: 'knowledge-update' });
      await o.store.setSetting(null, LAST_KEY, at.toISOString());
    })().finally(() => (busy = undefined));
    return busy;
  };
  const run = () => void tick().catch((err: unknown) => o.onError?.(err));
  const timer = setInterval(run, o.intervalMs ?? 60_000);
  timer.unref();
  run();
  return { stop: () => clearInterval(timer), tick };
}
