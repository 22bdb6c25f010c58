/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week) with Vixie cron's semantics, in UTC:
 * lists (`1,15`), ranges (`1-5`), steps (`*\/10`, `1-30/5`, `5/15` = from 5 to the end), month and day names
 * (`jan`, `mon-fri`), 0 and 7 both Sunday, the macros `@hourly @daily @midnight @weekly @monthly @yearly
 * @annually`; when both day-of-month and day-of-week are restricted a day matching EITHER fires (Vixie's OR),
 * otherwise the restricted one decides. A bad expression is a CronError naming the field and the value.
 */
export const CRON_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
export type CronField = (typeof CRON_FIELDS)[number];

const BOUNDS: Record<CronField, [number, number]> = { minute: [0, 59], hour: [0, 23], 'day-of-month': [1, 31], month: [1, 12], 'day-of-week': [0, 7] };
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MACROS: Record<string, string> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };

export class CronError extends Error {
  override name = 'CronError';
  constructor(
    readonly expression: string,
    readonly field: CronField | null,
    readonly reason: string,
  ) {
    super(field ? `schedule "${expression}": the ${field} field ${reason}` : `schedule "${expression}": ${reason}`);
  }
}

export interface Cron {
  source: string;
  minute: ReadonlySet<number>;
  hour: ReadonlySet<number>;
  dom: ReadonlySet<number>;
  month: ReadonlySet<number>;
  /** 0–6, Sunday 0. */
  dow: ReadonlySet<number>;
  domStar: boolean;
  dowStar: boolean;
}

function value(expr: string, field: CronField, raw: string): number {
  const s = raw.toLowerCase();
  const names = field === 'month' ? MONTHS : field === 'day-of-week' ? DAYS : null;
  if (names && /^[a-z]{3}$/.test(s)) {
    const i = names.indexOf(s);
    if (i < 0) throw new CronError(expr, field, `has an unknown name "${raw}" (${names.join(', ')})`);
    return field === 'month' ? i + 1 : i;
  }
  if (!/^\d+$/.test(s)) throw new CronError(expr, field, `has "${raw}", which is not a number${names ? ' or a name' : ''}`);
  const n = Number(s);
  const [lo, hi] = BOUNDS[field];
  if (n < lo || n > hi) throw new CronError(expr, field, `value ${n} is out of range ${lo}-${hi}`);
  return n;
}

function parseField(expr: string, field: CronField, text: string): Set<number> {
  const [lo, hi] = BOUNDS[field];
  const out = new Set<number>();
  if (!text) throw new CronError(expr, field, 'is empty');
  for (const item of text.split(',')) {
    if (!item) throw new CronError(expr, field, `has an empty list item in "${text}"`);
    const m = /^([^/]+)(?:\/(.*))?$/.exec(item);
    if (!m) throw new CronError(expr, field, `has "${item}", which is not a value, range or step`);
    const [, range, stepText] = m;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) throw new CronError(expr, field, `has step "${stepText}" in "${item}", which is not a positive number`);
      step = Number(stepText);
      if (step > hi - lo + 1) throw new CronError(expr, field, `has step ${step} in "${item}", larger than the field's range ${lo}-${hi}`);
    }
    let a: number;
    let b: number;
    if (range === '*') [a, b] = [lo, hi];
    else if (range!.includes('-')) {
      const parts = range!.split('-');
      if (parts.length !== 2) throw new CronError(expr, field, `has "${range}", which is not a range A-B`);
      a = value(expr, field, parts[0]!);
      b = value(expr, field, parts[1]!);
      if (a > b) throw new CronError(expr, field, `has range "${range}" whose start is after its end`);
    } else {
      a = value(expr, field, range!);
      b = stepText !== undefined ? hi : a; // Vixie: `5/15` runs from 5 to the end
    }
    for (let v = a; v <= b; v += step) out.add(field === 'day-of-week' && v === 7 ? 0 : v);
  }
  return out;
}

/** Parse a five-field expression (or a macro); a CronError names the field that is wrong. */
export function parseCron(expression: string): Cron {
  const src = expression.trim();
  if (!src) throw new CronError(expression, null, 'is empty: give five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *"');
  const text = src.startsWith('@') ? MACROS[src.toLowerCase()] : src;
  if (!text) throw new CronError(expression, null, `unknown macro ${src} (${Object.keys(MACROS).join(', ')})`);
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new CronError(expression, null, `has ${parts.length} field${parts.length === 1 ? '' : 's'}; give five (minute hour day-of-month month day-of-week), e.g. "0 3 * * *"`);
  const [mi, h, dom, mo, dow] = parts as [string, string, string, string, string];
  return {
    source: src,
    minute: parseField(expression, 'minute', mi),
    hour: parseField(expression, 'hour', h),
    dom: parseField(expression, 'day-of-month', dom),
    month: parseField(expression, 'month', mo),
    dow: parseField(expression, 'day-of-week', dow),
    domStar: dom.startsWith('*'),
    dowStar: dow.startsWith('*'),
  };
}

function dayMatches(c: Cron, d: Date): boolean {
  const dom = c.dom.has(d.getUTCDate());
  const dow = c.dow.has(d.getUTCDay());
  if (c.domStar || c.dowStar) return dom && dow;
  return dom || dow;
}

/** Whether the minute of `t` (UTC) matches. */
export function cronMatches(c: Cron, t: Date): boolean {
  return c.minute.has(t.getUTCMinutes()) && c.hour.has(t.getUTCHours()) && c.month.has(t.getUTCMonth() + 1) && dayMatches(c, t);
}

const MINUTE = 60_000;

/**
 * The first minute strictly after `t` that matches, or null when none does within `horizonYears` (default 8,
 * enough for `0 0 29 2 *`): e.g. `0 0 30 2 *` never fires.
 */
export function cronNext(c: Cron, t: Date, horizonYears = 8): Date | null {
  const d = new Date(Math.floor(t.getTime() / MINUTE) * MINUTE + MINUTE);
  const end = Date.UTC(d.getUTCFullYear() + horizonYears, d.getUTCMonth(), d.getUTCDate());
  while (d.getTime() <= end) {
    if (!c.month.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(c, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!c.hour.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!c.minute.has(d.getUTCMinutes())) {
      d.setTime(d.getTime() + MINUTE);
      continue;
    }
    return d;
  }
  return null;
}
