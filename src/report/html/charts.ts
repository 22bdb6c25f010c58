/** Inline SVG charts: the severity bars and the support timeline (php.net's supported-versions style). */
import { SEVERITIES, type LifecycleEntry, type Severity, type SupportPhase } from '../../core/model.js';
import { esc } from './escape.js';
import { messages } from '../../core/messages/index.js';
import { displayName, type Texts } from '../../core/document/view.js';

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

/** Fills that survive black-and-white print: solid (active), dotted (security fixes only), hatched (end of life). */
const PHASE_PATTERN = { security: 'mamori-phase-security', eol: 'mamori-phase-eol' } as const;
const PHASE_DEFS =
  '<defs>' +
  `<pattern id="${PHASE_PATTERN.security}" patternUnits="userSpaceOnUse" width="5" height="5"><rect width="5" height="5" fill="${PHASE_COLOURS.security}"/><circle cx="2.5" cy="2.5" r="1" fill="#6b5200"/></pattern>` +
  `<pattern id="${PHASE_PATTERN.eol}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="${PHASE_COLOURS.eol}"/><rect width="2.4" height="6" fill="#6b1010"/></pattern>` +
  '</defs>';
const phaseFill = (p: SupportPhase): string => (p === 'security' || p === 'eol' ? `url(#${PHASE_PATTERN[p]})` : PHASE_COLOURS[p]);
const isoDate = (t: number): string => new Date(t).toISOString().slice(0, 10);
/** Rough width of a 9.5px label: full-width characters a full em, others about half. */
const textWidth = (s: string): number => [...s].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e7f ? 9.5 : 5.4), 0);

/**
 * One row per component: green from release to the end of active support, yellow until the end of security
 * fixes, red after it up to the chart's end; grey when the phase is unknown. A vertical line marks `now`.
 * Colour is never the only cue: the current phase is written under each name, the yellow and red parts are
 * dotted and hatched (black-and-white print), each part has a `<title>`, and the chart's label reads every row.
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
  const rowH = 32;
  const top = 24;
  const plotW = W - labelW - 10;
  const x = (t: number) => labelW + Math.round(((Math.min(Math.max(t, start), end) - start) / (end - start)) * plotW);
  const H = top + entries.length * rowH + 34;
  const parts: string[] = [];
  const summary: string[] = [];
  // Year grid.
  const years = maxYear + 1 - new Date(start).getUTCFullYear();
  const step = years > 16 ? 2 : 1;
  for (let y = new Date(start).getUTCFullYear(); y <= maxYear + 1; y += step) {
    const gx = x(Date.UTC(y, 0, 1));
    parts.push(`<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${H - 30}" class="grid"/>`);
    if (y <= maxYear) parts.push(`<text x="${gx + 2}" y="${top - 8}" class="year">${y}</text>`);
  }
  const phaseName = (p: SupportPhase) => texts.t(`report.phase.${p}`);
  const span = (p: SupportPhase, from: number, to: number) =>
    from <= start && to >= end
      ? phaseName(p)
      : from <= start
        ? texts.t('report.phase.spanTo', { phase: phaseName(p), to: isoDate(to) })
        : to >= end
          ? texts.t('report.phase.spanFrom', { phase: phaseName(p), from: isoDate(from) })
          : texts.t('report.phase.span', { phase: phaseName(p), from: isoDate(from), to: isoDate(to) });
  /** A row for the chart's aria-label: the component, its phase, and the note beside the bar when it says more. */
  const rowSummary = (component: string, phase: string, note: string | undefined) =>
    note ? texts.t('report.phase.row', { component, phase, note }) : texts.t('report.phase.rowShort', { component, phase });
  entries.forEach((e, i) => {
    const y = top + i * rowH;
    const label = `${displayName(e.component)} ${e.cycle ?? e.version ?? ''}`.trim();
    const current = phaseName(e.phase);
    parts.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end" class="lbl">${esc(label)}</text>`);
    parts.push(`<text x="${labelW - 8}" y="${y + 27}" text-anchor="end" class="phase ph-${e.phase}">${esc(current)}</text>`);
    const rel = parseDate(e.releaseDate);
    const active = parseDate(e.activeSupportEnd);
    const sec = parseDate(e.securitySupportEnd);
    const bar = (from: number, to: number, phase: SupportPhase) =>
      to > from
        ? parts.push(
            `<rect x="${x(from)}" y="${y + 6}" width="${Math.max(1, x(to) - x(from))}" height="${rowH - 12}" fill="${phaseFill(phase)}" class="seg ${phase}"><title>${esc(`${label}: ${span(phase, from, to)}`)}</title></rect>`,
          )
        : 0;
    if (e.phase === 'unknown' || (rel === undefined && sec === undefined && active === undefined)) {
      bar(start, end, e.phase);
      const note = reasonOf(e, texts) ?? current;
      parts.push(`<text x="${labelW + 6}" y="${y + 20}" class="bartext${e.phase === 'eol' ? ' on-red' : ''}">${esc(note)}</text>`);
      summary.push(rowSummary(label, current, reasonOf(e, texts)));
      return;
    }
    const from = rel ?? start;
    const secEnd = sec ?? (e.phase === 'eol' ? active : undefined);
    if (active !== undefined && secEnd !== undefined && active < secEnd) {
      bar(from, active, 'active');
      bar(active, secEnd, 'security');
    } else if (secEnd !== undefined) {
      bar(from, secEnd, 'active');
    } else if (active !== undefined) {
      bar(from, active, 'active');
      bar(active, end, 'security');
    } else {
      bar(from, end, e.phase === 'eol' ? 'eol' : 'active');
    }
    if (secEnd !== undefined) bar(secEnd, end, 'eol');
    const note = secEnd !== undefined ? texts.t(secEnd < now ? 'report.phase.ended' : 'report.phase.until', { date: isoDate(secEnd) }) : reasonOf(e, texts) ?? current;
    let tx: number;
    let anchor: 'start' | 'end';
    let onRed: boolean;
    if (secEnd !== undefined && secEnd < now) [tx, anchor, onRed] = [x(secEnd) + 4, 'start', true];
    else if (secEnd !== undefined) [tx, anchor, onRed] = [Math.max(labelW + 4, x(secEnd) - 4), 'end', false];
    // No end date: before the bar when the note fits there, else inside it.
    else if (x(from) - labelW > textWidth(note) + 8) [tx, anchor, onRed] = [x(from) - 4, 'end', false];
    else [tx, anchor, onRed] = [x(from) + 4, 'start', e.phase === 'eol'];
    parts.push(`<text x="${tx}" y="${y + 20}" text-anchor="${anchor}" class="bartext${onRed ? ' on-red' : ''}">${esc(note)}</text>`);
    summary.push(rowSummary(label, current, note === current ? undefined : note));
  });
  const nx = x(now);
  parts.push(`<line x1="${nx}" y1="${top - 4}" x2="${nx}" y2="${H - 26}" class="today"/>`);
  const todayAnchor = nx > W - 70 ? 'end' : nx < labelW + 70 ? 'start' : 'middle';
  parts.push(`<text x="${nx}" y="${H - 12}" text-anchor="${todayAnchor}" class="todaylbl">${esc(texts.t('report.chart.today'))} ${esc(isoDate(now))}</text>`);
  const phases = entries.some((e) => e.phase === 'unknown') ? (['active', 'security', 'eol', 'unknown'] as const) : (['active', 'security', 'eol'] as const);
  const legend = phases
    .map((p, i) => `<rect x="${labelW + i * 125}" y="${H - 9}" width="12" height="12" fill="${phaseFill(p)}" class="swatch"/><text x="${labelW + i * 125 + 16}" y="${H + 1}" class="legend">${esc(phaseName(p))}</text>`)
    .join('');
  const aria = `${texts.t('report.chart.timeline')}: ${summary.join(texts.t('report.phase.rowSeparator'))}`;
  return `<svg class="chart timeline-chart" role="img" aria-label="${esc(aria)}" viewBox="0 0 ${W} ${H + 8}" width="${W}" height="${H + 8}" xmlns="http://www.w3.org/2000/svg">${PHASE_DEFS}${parts.join('')}${legend}</svg>`;
}

/** A lifecycle entry's reason in the report's language (from its messages), else as the scan wrote it. */
function reasonOf(e: LifecycleEntry, texts: Texts): string | undefined {
  const refs = e.reasonMessages;
  if (refs?.length && refs.every((r) => messages.has(r.code))) return refs.map((r) => texts.t(r.code, r.params)).join(texts.t('assess.lifecycle.separator'));
  return e.reason;
}
