import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CronError, cronMatches, cronNext, inWindow, jitterMs, nextWindowStart, parseCron, parseWindow, WindowError } from './schedule.js';

const at = (s: string) => new Date(`${s}Z`);

test('cron: fields, lists, ranges, steps, names and macros', () => {
  const c = parseCron('*/15 9-17 * jan,jul mon-fri');
  assert.deepEqual([...c.minute], [0, 15, 30, 45]);
  assert.deepEqual([...c.hour], [9, 10, 11, 12, 13, 14, 15, 16, 17]);
  assert.deepEqual([...c.month].sort((a, b) => a - b), [1, 7]);
  assert.deepEqual([...c.dow].sort((a, b) => a - b), [1, 2, 3, 4, 5]);
  assert.deepEqual([...parseCron('5/20 * * * *').minute], [5, 25, 45]); // Vixie: from 5 to the end
  assert.deepEqual([...parseCron('0 0 * * 7').dow], [0]); // 7 is Sunday too
  assert.deepEqual([...parseCron('1-30/10 * * * *').minute], [1, 11, 21]);
  assert.equal(cronNext(parseCron('@daily'), at('2026-12-06T04:10:00'))!.toISOString(), '2026-12-07T00:00:00.000Z');
  assert.equal(cronNext(parseCron('@hourly'), at('2026-12-06T04:00:00'))!.toISOString(), '2026-12-06T05:00:00.000Z');
  assert.equal(cronNext(parseCron('0 3 * * sun'), at('2026-12-06T04:10:00'))!.toISOString(), '2026-12-13T03:00:00.000Z'); // 2026-12-06 is a Sunday
});

test('cron: day-of-month and day-of-week are ORed when both are restricted (Vixie), ANDed when one is *', () => {
  const or = parseCron('0 0 13 * fri');
  assert.ok(cronMatches(or, at('2026-12-13T00:00:00'))); // the 13th, a Sunday
  assert.ok(cronMatches(or, at('2026-12-11T00:00:00'))); // a Friday, the 11th
  assert.ok(!cronMatches(or, at('2026-12-12T00:00:00')));
  const onlyDow = parseCron('0 0 * * fri');
  assert.ok(!cronMatches(onlyDow, at('2026-12-13T00:00:00')));
  const stepDom = parseCron('0 0 */2 * mon'); // dom starts with *: AND (Vixie)
  assert.ok(cronMatches(stepDom, at('2026-12-07T00:00:00'))); // Monday the 7th: in */2 (1,3,5,7…) and a Monday
  assert.ok(!cronMatches(stepDom, at('2026-12-14T00:00:00'))); // Monday the 14th: not in */2
  assert.ok(!cronMatches(stepDom, at('2026-12-01T00:00:00'))); // Tuesday the 1st: in */2 but not a Monday
});

test('cron: Feb 29 is found years ahead, Feb 30 never', () => {
  assert.equal(cronNext(parseCron('0 0 29 2 *'), at('2026-12-06T00:00:00'))!.toISOString(), '2028-02-29T00:00:00.000Z');
  assert.equal(cronNext(parseCron('0 0 30 2 *'), at('2026-12-06T00:00:00')), null);
});

test('cron: a bad expression names the field and the value', () => {
  const bad: [string, RegExp][] = [
    ['60 * * * *', /minute field value 60 is out of range 0-59/],
    ['* 24 * * *', /hour field value 24 is out of range 0-23/],
    ['* * 0 * *', /day-of-month field value 0 is out of range 1-31/],
    ['* * * foo *', /month field has an unknown name "foo"/],
    ['* * * * 8', /day-of-week field value 8 is out of range 0-7/],
    ['*/0 * * * *', /minute field has step "0"/],
    ['5-1 * * * *', /minute field has range "5-1" whose start is after its end/],
    ['* * * *', /has 4 fields; give five/],
    ['1,,2 * * * *', /minute field has an empty list item/],
    ['@sometimes', /unknown macro/],
    ['', /is empty/],
  ];
  for (const [expr, re] of bad) {
    assert.throws(() => parseCron(expr), (e: unknown) => e instanceof CronError && re.test(e.message), expr);
  }
});

const exprs = fc.constantFrom('*/7 * * * *', '0 3 * * *', '15,45 */2 * * mon-fri', '0 0 1,15 * *', '30 4 13 * fri', '0 12 * jan,jun sun', '*/5 9-17 * * 1-5', '59 23 31 * *', '0 0 29 2 *', '17 */6 * * *');
const times = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true });

test('cron laws: next(t) > t, next(t) matches, and no minute between t and next(t) matches', () => {
  fc.assert(
    fc.property(exprs, times, (expr, t) => {
      const c = parseCron(expr);
      const n = cronNext(c, t);
      assert.ok(n, `${expr} after ${t.toISOString()}`);
      assert.ok(n.getTime() > t.getTime());
      assert.ok(cronMatches(c, n));
      assert.equal(n.getUTCSeconds(), 0);
      // Sample the minutes in between (all of them when the gap is short).
      const first = Math.floor(t.getTime() / 60_000) + 1;
      const last = n.getTime() / 60_000;
      const span = last - first;
      const step = Math.max(1, Math.floor(span / 2000));
      for (let m = first; m < last; m += step) assert.ok(!cronMatches(c, new Date(m * 60_000)), `${expr}: ${new Date(m * 60_000).toISOString()} matches before ${n.toISOString()}`);
    }),
    { numRuns: 300 },
  );
});

test('maintenance windows: a day, daily, ranges, past midnight; the next opening', () => {
  const sun = parseWindow('Sun 02:00-05:00');
  assert.ok(inWindow(sun, at('2026-12-06T02:00:00')));
  assert.ok(inWindow(sun, at('2026-12-06T04:59:00')));
  assert.ok(!inWindow(sun, at('2026-12-06T05:00:00')));
  assert.ok(!inWindow(sun, at('2026-12-07T03:00:00')));
  assert.equal(nextWindowStart(sun, at('2026-12-06T06:00:00')).toISOString(), '2026-12-13T02:00:00.000Z');
  assert.equal(nextWindowStart(sun, at('2026-12-06T03:00:00')).toISOString(), '2026-12-06T03:00:00.000Z');
  const daily = parseWindow('daily 01:00-04:00');
  assert.equal(nextWindowStart(daily, at('2026-12-06T04:30:00')).toISOString(), '2026-12-07T01:00:00.000Z');
  const night = parseWindow('Mon-Fri 22:00-02:00');
  assert.ok(inWindow(night, at('2026-12-12T01:30:00'))); // Saturday 01:30: Friday's window
  assert.ok(!inWindow(night, at('2026-12-13T01:30:00'))); // Sunday 01:30: no Saturday window
  assert.equal(nextWindowStart(night, at('2026-12-12T03:00:00')).toISOString(), '2026-12-14T22:00:00.000Z');
  assert.ok(inWindow(parseWindow('Sat,Sun 00:00-24:00'), at('2026-12-05T13:00:00')));
  for (const bad of ['Sun', 'Sun 2-5', 'Someday 02:00-05:00', 'Sun 02:00-02:00', 'Sun 25:00-26:00']) assert.throws(() => parseWindow(bad), WindowError, bad);
});

test('maintenance window law: nextWindowStart(t) ≥ t and is inside the window', () => {
  const ws = fc.constantFrom('Sun 02:00-05:00', 'daily 01:00-04:00', 'Mon-Fri 22:00-02:00', 'Sat,Sun 10:30-11:00', 'Wed 23:59-00:01');
  fc.assert(
    fc.property(ws, times, (w, t) => {
      const win = parseWindow(w);
      const n = nextWindowStart(win, t);
      assert.ok(n.getTime() >= t.getTime());
      assert.ok(inWindow(win, n), `${w}: ${n.toISOString()}`);
      assert.ok(n.getTime() - t.getTime() <= 7 * 86_400_000);
    }),
    { numRuns: 300 },
  );
});

test('jitter: deterministic per target, bounded, spread', () => {
  assert.equal(jitterMs('target-a'), jitterMs('target-a'));
  const values = Array.from({ length: 200 }, (_, i) => jitterMs(`t-${i}`, 300_000));
  assert.ok(values.every((v) => v >= 0 && v < 300_000));
  assert.ok(new Set(values.map((v) => Math.floor(v / 30_000))).size >= 8, 'spread over the bound');
  assert.equal(jitterMs('x', 0), 0);
});
