/**
 * Prometheus text exposition (format 0.0.4) for the server and the workers: counters, gauges and histograms
 * with labels, plus collectors that read a value at scrape time (queue depth from pg-boss's tables). Small on
 * purpose: no global registry, one Registry per process, names and help written once.
 */

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (l: Labels) => {
  const keys = Object.keys(l).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(l[k]!)}"`).join(',')}}` : '';
};
const keyOf = (l: Labels) => labelText(l);
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[] | Promise<string[]>;
}

export class Counter implements Metric {
  readonly type = 'counter';
  private values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = keyOf(labels);
    const cur = this.values.get(k) ?? { labels, value: 0 };
    cur.value += by;
    this.values.set(k, cur);
  }
  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }
  render(): string[] {
    return [...this.values.values()].map((v) => `${this.name}${labelText(v.labels)} ${num(v.value)}`);
  }
}

export class Gauge implements Metric {
  readonly type = 'gauge';
  private values = new Map<string, { labels: Labels; value: number }>();
  /** Read at scrape time, replacing the set values. */
  private collect?: () => Promise<{ labels: Labels; value: number }[]> | { labels: Labels; value: number }[];
  constructor(readonly name: string, readonly help: string, collect?: Gauge['collect']) {
    this.collect = collect;
  }
  set(labels: Labels, value: number): void {
    this.values.set(keyOf(labels), { labels, value });
  }
  async render(): Promise<string[]> {
    const rows = this.collect ? await this.collect() : [...this.values.values()];
    return rows.map((v) => `${this.name}${labelText(v.labels)} ${num(v.value)}`);
  }
}

/** Job durations: buckets in seconds from a fraction of a second (notify) to an hour (a slow site). */
export const DURATION_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export class Histogram implements Metric {
  readonly type = 'histogram';
  private series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[] = DURATION_BUCKETS) {}
  observe(labels: Labels, value: number): void {
    const k = keyOf(labels);
    const s = this.series.get(k) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
    this.series.set(k, s);
  }
  render(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelText({ ...s.labels, le: num(b) })} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

export class Registry {
  private metrics: Metric[] = [];
  register<M extends Metric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }
  /** The exposition text; a collector that fails is reported as a comment, the other metrics still render. */
  async render(): Promise<string> {
    const out: string[] = [];
    for (const m of this.metrics) {
      out.push(`# HELP ${m.name} ${m.help.replace(/\n/g, ' ')}`);
      out.push(`# TYPE ${m.name} ${m.type}`);
      try {
        out.push(...(await m.render()));
      } catch (err) {
        out.push(`# ${m.name} not collected: ${(err as Error).message.replace(/\n/g, ' ')}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Finished scans in a sliding window, for the "scans per minute" gauge of one process. */
export class RateWindow {
  private times: number[] = [];
  constructor(private readonly windowMs = 60_000) {}
  mark(at = Date.now()): void {
    this.times.push(at);
    this.trim(at);
  }
  count(at = Date.now()): number {
    this.trim(at);
    return this.times.length;
  }
  private trim(at: number) {
    while (this.times.length && this.times[0]! <= at - this.windowMs) this.times.shift();
  }
}

/** The metrics every job runner keeps (in process or pg-boss), in one registry. */
export function runnerMetrics(registry: Registry) {
  const scansWindow = new RateWindow();
  return {
    registry,
    scansWindow,
    jobDuration: registry.register(new Histogram('mamori_job_duration_seconds', 'Duration of jobs run by this process, by queue and outcome.')),
    jobsTotal: registry.register(new Counter('mamori_jobs_total', 'Jobs run by this process, by queue and outcome (completed, failed, retried, handed-back, deferred).')),
    jobFailures: registry.register(new Counter('mamori_job_failures_total', 'Job attempts that failed in this process, by queue.')),
    queueLatency: registry.register(new Histogram('mamori_queue_latency_seconds', 'Time from enqueue to start of a job, by queue.', [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600])),
    running: registry.register(new Gauge('mamori_jobs_running', 'Jobs running in this process now, by queue.')),
    scansPerMinute: registry.register(new Gauge('mamori_scans_per_minute', 'Scans finished by this process in the last 60 seconds.', () => [{ labels: {}, value: scansWindow.count() }])),
  };
}
export type RunnerMetrics = ReturnType<typeof runnerMetrics>;
