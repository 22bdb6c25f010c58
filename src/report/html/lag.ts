/**
 * The patch lag in the HTML/PDF report: how long each missing security fix has been available, against the
 * policy, so the owner sees that updates are overdue routine work. A fix without an advisory date says
 * "unknown", never "in time". Only the findings the document shows (after --severity) are listed.
 */
import type { Texts } from '../../core/document/view.js';
import type { ReportDocument } from '../../core/model.js';
import { esc } from './escape.js';

export function lagSectionHtml(doc: ReportDocument, x: Texts): string {
  const lag = doc.patchLag;
  const shown = new Set(doc.findings.map((f) => f.id));
  const entries = (lag?.entries ?? []).filter((e) => shown.has(e.finding));
  if (!lag || !entries.length) return '';
  const t = x.t;
  const overdue = entries.filter((e) => e.status === 'overdue').length;
  const unknown = entries.filter((e) => e.status === 'unknown').length;
  const p = lag.policy;
  const rows = entries
    .map((e) => {
      const status = t(`report.lag.status.${e.status}`);
      return `<tr class="lag-${e.status}"><td>${esc(e.packages.join(' '))}</td><td><span class="badge sev-${e.severity}">${esc(t(`report.sev.${e.severity}`))}</span></td><td>${esc(e.publishedAt ?? '—')}</td><td class="n">${esc(e.days ?? '—')}</td><td class="n">${esc(e.limit)}</td><td>${esc(status)}</td></tr>`;
    })
    .join('');
  return `<section id="sec-lag"><h2>${esc(t('report.lag.title'))}</h2>
<p>${esc(t('report.lag.intro', { critical: p.critical, high: p.high, medium: p.medium, low: p.low }))}</p>
<p><b>${esc(t('report.lag.summary', { overdue, unknown, total: entries.length }))}</b></p>
<table class="data"><thead><tr><th>${esc(t('report.lag.packages'))}</th><th>${esc(t('report.lag.severity'))}</th><th>${esc(t('report.lag.published'))}</th><th>${esc(t('report.lag.days'))}</th><th>${esc(t('report.lag.limit'))}</th><th>${esc(t('report.lag.status'))}</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}
