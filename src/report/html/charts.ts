/** Inline SVG charts: the severity bars and the support timeline (php.net's supported-versions style). */
import { SEVERITIES, type LifecycleEntry, type Severity } from '../../core/model.js';
import { esc } from './escape.js';
import { displayName, type Texts } from './view.js';

export const SEVERITY_COLOURS: Record<Severity, string> = {
  critical: '#8b1a1a',
  high: '#d9480f',
  medium: '#e0a800',
  low: '#3b7dd8',
  info: '#868e96',
};

const PHASE_COLOURS = { active: '#2f9e44', security: '#f2c94c', eol: '#d64545', unknown: '#adb5bd' } as const;

export function severityChart(summary: Record<Severity, number>, texts: Texts): string {
  const W = 300;
  const rowH = 26;
  const labelW = texts.lang === 'ja' ? 44 : 62;
  const max = Math.max(1, ...SEVERITIES.map((s) => summary[s] ?? 0));
  const barMax = W - labelW - 40;
  const rows = SEVERITIES.map((s, i) => {
    const n = summary[s] ?? 0;
    const w = n === 0 ? 0 : Math.max(3, Math.round((n / max) * barMax));
    const y = i * rowH + 4;
    return (
      `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" class="lbl">${esc(texts.t(`report.sev.${s}`))}</text>` +
      `<rect x="${labelW}" y="${y + 2}" width="${barMax}" height="${rowH - 8}" fill="#f1f3f5" rx="3"/>` +
      `<rect x="${labelW}" y="${y + 2}" width="${w}" height="${rowH - 8}" fill="${SEVERITY_COLOURS[s]}" rx="3"/>` +
      `<text x="${labelW + w + 6}" y="${y + 15}" class="num">${n}</text>`
    );
  }).join('');
  const H = SEVERITIES.length * rowH + 8;
  return `<svg class="chart severity-chart" role="img" aria-label="${esc(texts.t('report.chart.severity'))}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">${rows}</svg>`;
}

const parseDate = (s: string | undefined): number | undefined => {
  if (!s) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
};

/**
 * One row per component: green from release to the end of active support, yellow until the end of security
 * fixes, red after it up to the chart's end; grey when the phase is unknown. A vertical line marks `now`.
 */
export function timelineChart(entries: readonly LifecycleEntry[], now: number, texts: Texts): string {
  if (!entries.length) return `<p class="muted">${esc(texts.t('report.chart.noLifecycle'))}</p>`;
  const dated = entries.flatMap((e) => [parseDate(e.releaseDate), parseDate(e.activeSupportEnd), parseDate(e.securitySupportEnd)]).filter((x): x is number => x !== undefined);
  const minYear = new Date(Math.min(now, ...dated)).getUTCFullYear();
  const maxYear = new Date(Math.max(now, ...dated)).getUTCFullYear() + 1;
  const start = Date.UTC(Math.max(minYear, maxYear - 26), 0, 1);
  const end = Date.UTC(maxYear + 1, 0, 1);
  const W = 700;
  const labelW = 170;
  const rowH = 30;
  const top = 24;
  const plotW = W - labelW - 10;
  const x = (t: number) => labelW + Math.round(((Math.min(Math.max(t, start), end) - start) / (end - start)) * plotW);
  const H = top + entries.length * rowH + 34;
  const parts: string[] = [];
  // Year grid.
  const years = maxYear + 1 - new Date(start).getUTCFullYear();
  const step = years > 16 ? 2 : 1;
  for (let y = new Date(start).getUTCFullYear(); y <= maxYear + 1; y += step) {
    const gx = x(Date.UTC(y, 0, 1));
    parts.push(`<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${H - 30}" class="grid"/>`);
    if (y <= maxYear) parts.push(`<text x="${gx + 2}" y="${top - 8}" class="year">${y}</text>`);
  }
  entries.forEach((e, i) => {
    const y = top + i * rowH;
    const label = `${displayName(e.component)} ${e.cycle ?? e.version ?? ''}`.trim();
    parts.push(`<text x="${labelW - 8}" y="${y + 19}" text-anchor="end" class="lbl">${esc(label)}</text>`);
    const rel = parseDate(e.releaseDate);
    const active = parseDate(e.activeSupportEnd);
    const sec = parseDate(e.securitySupportEnd);
    const bar = (from: number, to: number, colour: string, cls = '') =>
      to > from ? parts.push(`<rect x="${x(from)}" y="${y + 5}" width="${Math.max(1, x(to) - x(from))}" height="${rowH - 10}" fill="${colour}" class="${cls}"/>`) : 0;
    if (e.phase === 'unknown' || (rel === undefined && sec === undefined && active === undefined)) {
      bar(start, end, e.phase === 'unknown' ? PHASE_COLOURS.unknown : PHASE_COLOURS[e.phase], e.phase);
      const why = e.reason ? `: ${e.reason}` : '';
      parts.push(`<text x="${labelW + 6}" y="${y + 19}" class="bartext${e.phase === 'eol' ? ' on-red' : ''}">${esc(texts.t(`report.phase.${e.phase}`) + why)}</text>`);
      return;
    }
    const from = rel ?? start;
    const secEnd = sec ?? (e.phase === 'eol' ? active : undefined);
    if (active !== undefined && secEnd !== undefined && active < secEnd) {
      bar(from, active, PHASE_COLOURS.active);
      bar(active, secEnd, PHASE_COLOURS.security);
    } else if (secEnd !== undefined) {
      bar(from, secEnd, PHASE_COLOURS.active);
    } else if (active !== undefined) {
      bar(from, active, PHASE_COLOURS.active);
      bar(active, end, PHASE_COLOURS.security);
    } else {
      bar(from, end, e.phase === 'eol' ? PHASE_COLOURS.eol : PHASE_COLOURS.active);
    }
    if (secEnd !== undefined) bar(secEnd, end, PHASE_COLOURS.eol);
    const note = secEnd !== undefined ? texts.t(secEnd < now ? 'report.phase.ended' : 'report.phase.until', { date: new Date(secEnd).toISOString().slice(0, 10) }) : texts.t(`report.phase.${e.phase}`);
    const tx = secEnd !== undefined && secEnd < now ? x(secEnd) + 4 : Math.max(labelW + 4, x(secEnd ?? from) - 4);
    const anchor = secEnd !== undefined && secEnd < now ? 'start' : 'end';
    parts.push(`<text x="${tx}" y="${y + 19}" text-anchor="${anchor}" class="bartext${anchor === 'start' ? ' on-red' : ''}">${esc(note)}</text>`);
  });
  const nx = x(now);
  parts.push(`<line x1="${nx}" y1="${top - 4}" x2="${nx}" y2="${H - 26}" class="today"/>`);
  const todayAnchor = nx > W - 70 ? 'end' : nx < labelW + 70 ? 'start' : 'middle';
  parts.push(`<text x="${nx}" y="${H - 12}" text-anchor="${todayAnchor}" class="todaylbl">${esc(texts.t('report.chart.today'))} ${esc(new Date(now).toISOString().slice(0, 10))}</text>`);
  const phases = entries.some((e) => e.phase === 'unknown') ? (['active', 'security', 'eol', 'unknown'] as const) : (['active', 'security', 'eol'] as const);
  const legend = phases
    .map((p, i) => `<rect x="${labelW + i * 125}" y="${H - 8}" width="10" height="10" fill="${PHASE_COLOURS[p]}"/><text x="${labelW + i * 125 + 14}" y="${H + 1}" class="legend">${esc(texts.t(`report.phase.${p}`))}</text>`)
    .join('');
  return `<svg class="chart timeline-chart" role="img" aria-label="${esc(texts.t('report.chart.timeline'))}" viewBox="0 0 ${W} ${H + 8}" width="${W}" height="${H + 8}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}${legend}</svg>`;
}

