/** Charts as SVG (built element by element, coloured by classes from app.css; text alternatives beside them). */
import { s } from './dom.js';
import { fmtDate, t } from './i18n/index.js';
import type { ScanRecord, Severity, SeverityCounts } from './types.js';
import { SEVERITIES, sevLabel } from './ui.js';

export function severityBars(summary: SeverityCounts): SVGSVGElement {
  const rowH = 28;
  const labelW = 90;
  const width = 420;
  const barMax = width - labelW - 60;
  const max = Math.max(1, ...SEVERITIES.map((x) => summary[x] ?? 0));
  const height = SEVERITIES.length * rowH + 8;
  const desc = SEVERITIES.map((x) => `${sevLabel(x)} ${summary[x] ?? 0}`).join(', ');
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, class: 'chart bars', role: 'img', 'aria-label': `${t('overview.bySeverity')}: ${desc}`, 'data-testid': 'severity-chart' },
    SEVERITIES.map((sev, i) => {
      const n = summary[sev] ?? 0;
      const w = n === 0 ? 0 : Math.max(2, Math.round((n / max) * barMax));
      const y = 4 + i * rowH;
      return s(
        'g',
        null,
        s('text', { x: 0, y: y + 18, class: 'chart-label' }, sevLabel(sev)),
        s('rect', { x: labelW, y: y + 4, width: w, height: rowH - 10, rx: 3, class: `bar sev-${sev}` }),
        s('text', { x: labelW + w + 6, y: y + 18, class: 'chart-value' }, String(n)),
      );
    }),
  );
}

const worst = (c: SeverityCounts | null): Severity | null => (c ? (SEVERITIES.find((x) => (c[x] ?? 0) > 0) ?? null) : null);

/** The scans of a target along time: one mark per scan, coloured by its worst finding; failed scans as crosses. */
export function timeline(scans: readonly ScanRecord[]): SVGSVGElement {
  const width = 640;
  const height = 90;
  const pad = 24;
  const items = [...scans].sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  const times = items.map((x) => Date.parse(x.finishedAt ?? x.startedAt ?? x.queuedAt));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const span = Math.max(1, t1 - t0);
  const xAt = (ms: number): number => (items.length === 1 ? width / 2 : pad + ((ms - t0) / span) * (width - 2 * pad));
  const desc = items.map((x) => `${fmtDate(x.finishedAt ?? x.queuedAt)} ${t(`scan.status.${x.status}`)}`).join(', ');
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, class: 'chart timeline', role: 'img', 'aria-label': `${t('target.timeline')}: ${desc}`, 'data-testid': 'timeline' },
    s('line', { x1: pad, x2: width - pad, y1: 40, y2: 40, class: 'axis' }),
    items.map((sc, i) => {
      const x = xAt(times[i]!);
      const w = worst(sc.summary);
      const total = sc.summary ? SEVERITIES.reduce((a, k) => a + (sc.summary![k] ?? 0), 0) : 0;
      const title = s('title', null, `${fmtDate(sc.finishedAt ?? sc.queuedAt)} — ${t(`scan.status.${sc.status}`)}${sc.summary ? ` (${total})` : ''}${sc.failureReason ? `: ${sc.failureReason}` : ''}`);
      if (sc.status === 'failed') {
        return s('g', { class: 'mark failed' }, title, s('path', { d: `M${x - 6} 34 L${x + 6} 46 M${x + 6} 34 L${x - 6} 46`, class: 'cross' }));
      }
      const r = 5 + Math.min(9, Math.sqrt(total));
      return s('g', { class: `mark status-${sc.status}` }, title, s('circle', { cx: x, cy: 40, r, class: w ? `dot sev-${w}` : 'dot clean' }));
    }),
    items.length > 0 ? s('text', { x: pad, y: 78, class: 'chart-label' }, fmtDate(items[0]!.finishedAt ?? items[0]!.queuedAt)) : null,
    items.length > 1 ? s('text', { x: width - pad, y: 78, class: 'chart-label end' }, fmtDate(items[items.length - 1]!.finishedAt ?? items[items.length - 1]!.queuedAt)) : null,
  );
}
