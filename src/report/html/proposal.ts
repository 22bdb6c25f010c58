/**
 * The proposal's parts in HTML: the cover of a combined report, the overview of its scans, the migration
 * project of each server, the law where customer data is exposed, and how often fixes come (an inline SVG
 * bar chart). A one-scan report shows the last three for its own server; `mamori report a.json b.json` puts
 * them in front of every scan's details. Everything from documents and options is escaped; the logo is a
 * data: URI checked by the CLI (no script in an SVG, nothing loaded from elsewhere).
 */
import { severityRank, type Finding, type Lang, type ReportDocument } from '../../core/model.js';
import { messages } from '../../core/messages/index.js';
import { APPI_AS_OF, APPI_POINTS, APPI_REVIEW_BY } from '../../core/document/data/appi.js';
import {
  combineDocuments,
  cveSummary,
  lawFindings,
  migrationProjects,
  overview,
  type CombinedReport,
  type CoverOptions,
  type MigrationProject,
} from '../../core/document/proposal.js';
import { isMigrationFinding, overallLevel, type Level } from '../../core/document/view.js';
import { esc } from './escape.js';
import { SEVERITY_COLOURS } from './charts.js';

export const PROPOSAL_CSS = `
.proposal-cover { border-left: 8px solid var(--navy); padding: 6mm 0 6mm 7mm; margin: 10mm 0 8mm; min-height: 150mm; display: flex; flex-direction: column; }
.proposal-cover .brand { display: flex; align-items: center; gap: 4mm; margin-bottom: 14mm; color: var(--muted); }
.proposal-cover .brand img { max-height: 16mm; max-width: 60mm; }
.proposal-cover h1 { font-size: 24pt; margin-bottom: 10mm; }
.proposal-cover .client { font-size: 16pt; font-weight: bold; margin: 0 0 2mm; }
.proposal-cover .addressee { font-size: 12pt; margin: 0 0 8mm; }
.proposal-cover .meta { margin-top: auto; }
.lvl { display: inline-block; color: #fff; border-radius: 3px; padding: 0 2mm; font-size: 8.5pt; }
.mig { border: 1px solid var(--line); border-top: 4px solid #8b1a1a; border-radius: 3px; padding: 2mm 4mm 3mm; margin: 4mm 0; }
.mig h3 { margin-top: 2mm; }
.mig ol.steps li, .mig ul.decide li { margin: .8mm 0; }
.mig .defences { background: #fffbea; border-left: 4px solid #e0a800; padding: 1.5mm 3mm; margin: 2mm 0; break-inside: avoid; }
.mig .parts li b { display: inline-block; min-width: 44mm; }
.law { border: 1px solid var(--line); border-left: 4px solid var(--navy); padding: 2mm 4mm; margin: 3mm 0; }
.law dt { font-weight: bold; margin-top: 2mm; }
.law dd { margin: .5mm 0 0 0; }
.law .src { font-size: 8.5pt; color: var(--muted); word-break: break-all; }
.fixes svg { display: block; margin: 2mm 0; }
.orig { font-style: italic; }
.doc-title { font-size: 16pt; border-bottom: 3px double var(--navy); }
`;

const LEVEL_COLOURS: Record<Level, string> = { ...SEVERITY_COLOURS, none: '#5c6b7a' };
const t = (lang: Lang, code: string, params?: Record<string, string | number>) => messages.t(lang, code, params);
const levelBadge = (level: Level, lang: Lang) => `<span class="lvl" style="background:${LEVEL_COLOURS[level]}">${esc(t(lang, `report.level.${level}`))}</span>`;

// ---------------------------------------------------------------- migration

function kevTable(p: MigrationProject, lang: Lang): string {
  if (!p.kev.length) return '';
  const rows = p.kev
    .slice(0, 12)
    .map((r) => {
      const s = cveSummary(r, lang);
      const cvss = r.cvss === undefined ? esc(t(lang, 'proposal.mig.cvssUnknown')) : `${r.cvss.toFixed(1)}${r.cvssVersion ? ` <span class="muted small">v${esc(r.cvssVersion)}</span>` : ''}`;
      const summary = s ? `${esc(s.text.length > 160 ? `${s.text.slice(0, 159)}…` : s.text)}${s.original ? ` <span class="muted small">${esc(t(lang, 'proposal.cve.original'))}</span>` : ''}` : '';
      return `<tr><td class="id">${esc(r.id)} <span class="kev">KEV</span></td><td>${esc(r.component)}${r.version ? ` ${esc(r.version)}` : ''}</td><td class="n">${cvss}</td><td>${summary}</td></tr>`;
    })
    .join('');
  const more = p.kev.length > 12 ? `<p class="muted small">${esc(t(lang, 'report.f.moreShort', { count: p.kev.length - 12 }))}</p>` : '';
  return `<h4>${esc(t(lang, 'proposal.mig.kev'))}</h4><table class="data cves"><thead><tr><th>${esc(t(lang, 'report.cve.id'))}</th><th>${esc(t(lang, 'report.cve.component'))}</th><th>${esc(t(lang, 'report.cve.cvss'))}</th><th>${esc(t(lang, 'report.cve.summary'))}</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

export function migrationHtml(p: MigrationProject, lang: Lang): string {
  const parts = p.parts
    .map((x) => {
      const params = { name: x.name, version: x.version ?? '', date: x.ended ?? '', days: x.daysPast ?? 0 };
      const code = x.ended ? (x.daysPast ? 'proposal.mig.part.ended' : 'proposal.mig.part.endedNoDays') : 'proposal.mig.part.unsupported';
      return `<li><b>${esc(t(lang, `proposal.mig.kind.${x.kind}`))}</b>${esc(t(lang, code, params).replace(/\s+:/, ':'))}</li>`;
    })
    .join('');
  const defences = p.defences.length
    ? `<ul>${p.defences.map((d) => `<li>${esc(d.action)}${d.reviewBy ? ` <span class="review">${esc(t(lang, 'report.f.reviewBy', { date: d.reviewBy }))}</span>` : ''}${d.commands.map((c) => `<pre class="cmd">${esc(c)}</pre>`).join('')}</li>`).join('')}</ul>`
    : `<p>${esc(t(lang, 'proposal.mig.defences.none'))}</p>`;
  return `<div class="mig">
<h3><span class="badge sev-${p.worst}">${esc(t(lang, `report.sev.${p.worst}`))}</span>${esc(t(lang, 'proposal.mig.title', { server: p.server }))}</h3>
<p>${esc(t(lang, 'proposal.mig.intro'))}</p>
<p class="muted small">${esc(t(lang, 'proposal.mig.scans', { targets: p.targets.join(', ') }))}</p>
<h4>${esc(t(lang, 'proposal.mig.parts'))}</h4><ul class="parts">${parts}</ul>
<h4>${esc(t(lang, 'proposal.mig.steps'))}</h4><ol class="steps">${p.steps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol>
<h4>${esc(t(lang, 'proposal.mig.decide'))}</h4><ul class="decide">${p.decisions.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<div class="defences"><h4>${esc(t(lang, 'proposal.mig.defences'))}</h4>${defences}</div>
${kevTable(p, lang)}
<p class="muted small">${esc(t(lang, 'proposal.mig.resolves', { count: new Set([...p.resolves, ...p.parts.map((x) => x.finding)]).size }))}</p>
</div>`;
}

// ---------------------------------------------------------------- the law

export function lawHtml(findings: readonly Finding[], lang: Lang, id = 'sec-law'): string {
  const points = APPI_POINTS.map(
    (p) =>
      `<dt>${esc(t(lang, p.cite))}</dt><dd>${esc(t(lang, p.text))}<div class="src">${esc(t(lang, 'proposal.law.sources'))}: ${p.sources.map((s) => `${esc(t(lang, s.name))} ${esc(s.url)}`).join(' / ')}</div></dd>`,
  ).join('');
  return `<section id="${id}"><h2>${esc(t(lang, 'proposal.law.title'))}</h2><div class="law">
<p>${esc(t(lang, 'proposal.law.intro', { count: findings.length, asOf: APPI_AS_OF }))}</p>
<p><b>${esc(t(lang, 'proposal.law.logs'))}</b></p>
<dl>${points}</dl>
<p class="muted small">${esc(t(lang, 'proposal.law.notAdvice', { asOf: APPI_AS_OF, reviewBy: APPI_REVIEW_BY }))}</p>
</div></section>`;
}

// ---------------------------------------------------------------- how often fixes come

/** Twelve bars, one per month, the count above each; no script, no external resource. */
export function advisoryChart(months: readonly { month: string; count: number }[], lang: Lang): string {
  const W = 480;
  const H = 150;
  const top = 18;
  const base = H - 26;
  const slot = (W - 20) / Math.max(1, months.length);
  const max = Math.max(1, ...months.map((m) => m.count));
  const bars = months
    .map((m, i) => {
      const h = m.count === 0 ? 0 : Math.max(2, Math.round((m.count / max) * (base - top)));
      const x = 10 + i * slot + slot * 0.18;
      const w = slot * 0.64;
      const label = t(lang, 'proposal.fix.chartLabel', { month: m.month, count: m.count });
      return (
        `<g><title>${esc(label)}</title><rect x="${x.toFixed(1)}" y="${base - h}" width="${w.toFixed(1)}" height="${h}" fill="#1c3d6e" rx="2"/>` +
        `<text x="${(x + w / 2).toFixed(1)}" y="${base - h - 4}" text-anchor="middle" class="num">${m.count}</text>` +
        `<text x="${(x + w / 2).toFixed(1)}" y="${base + 14}" text-anchor="middle" class="lbl">${esc(m.month.slice(2).replace('-', '/'))}</text></g>`
      );
    })
    .join('');
  const aria = `${t(lang, 'proposal.fix.chart')}: ${months.map((m) => t(lang, 'proposal.fix.chartLabel', { month: m.month, count: m.count })).join(', ')}`;
  return `<svg class="chart advisory-chart" role="img" aria-label="${esc(aria)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><style>.num{font:9px sans-serif;fill:#1f2937}.lbl{font:9px sans-serif;fill:#6b7280}</style><line x1="10" y1="${base}" x2="${W - 10}" y2="${base}" stroke="#d9dee5"/>${bars}</svg>`;
}

export function fixesHtml(doc: ReportDocument, lang: Lang, id = 'sec-fixes'): string {
  const h = doc.advisoryHistory;
  const head = `<section id="${id}" class="fixes"><h2>${esc(t(lang, 'proposal.fix.title', { target: doc.target.name }))}</h2>`;
  if (!h) return `${head}<p>${esc(t(lang, 'proposal.fix.unknown', { reason: t(lang, 'proposal.fix.notRecorded') }))}</p></section>`;
  if (h.status !== 'known' || !h.months) {
    const reason = h.reason && messages.has(h.reason.code) ? messages.render(lang, h.reason) : '?';
    return `${head}<p>${esc(t(lang, 'proposal.fix.unknown', { reason }))}</p></section>`;
  }
  const osEol = doc.findings.some((f) => isMigrationFinding(f) && f.category === 'end-of-life' && (f.evidence?.product === doc.inventory.os?.family || f.component?.name.toLowerCase().startsWith(doc.inventory.os?.family ?? '\u0000')));
  return `${head}<p>${esc(t(lang, 'proposal.fix.known', { from: h.from ?? '', to: h.to ?? '', platform: h.platform ?? '', total: h.total ?? 0, missing: h.missing ?? 0 }))}</p>
${advisoryChart(h.months, lang)}
${h.total === 0 && h.latest ? `<p class="muted small">${esc(t(lang, 'proposal.fix.latest', { date: h.latest }))}</p>` : ''}
${h.missingPackages ? `<p>${esc(t(lang, 'proposal.fix.missingPackages', { count: h.missingPackages }))}</p>` : ''}
${osEol ? `<p class="muted small">${esc(t(lang, 'proposal.fix.eolNote'))}</p>` : ''}</section>`;
}

// ---------------------------------------------------------------- one scan

/** The proposal's sections for a one-scan report: its migration project, the law where it applies, how often fixes come (hosts). */
export function singleProposalSections(doc: ReportDocument, lang: Lang): { id: string; title: string; html: string }[] {
  const out: { id: string; title: string; html: string }[] = [];
  const projects = migrationProjects(combineDocuments([doc]), lang);
  if (projects.length) out.push({ id: 'sec-migration', title: t(lang, 'proposal.mig.section'), html: `<section id="sec-migration"><h2>${esc(t(lang, 'proposal.mig.section'))}</h2>${projects.map((p) => migrationHtml(p, lang)).join('\n')}</section>` });
  const law = lawFindings([doc]);
  if (law.length) out.push({ id: 'sec-law', title: t(lang, 'proposal.law.title'), html: lawHtml(law, lang) });
  if (doc.target.kind === 'host') out.push({ id: 'sec-fixes', title: t(lang, 'proposal.fix.title', { target: doc.target.name }), html: fixesHtml(doc, lang) });
  return out;
}

// ---------------------------------------------------------------- the combined report

function worstLevel(docs: readonly ReportDocument[]): Level {
  let best: Level = 'none';
  for (const d of docs) {
    const l = overallLevel(d);
    if (l !== 'none' && (best === 'none' || severityRank(l) > severityRank(best))) best = l;
  }
  return best;
}

const day = (iso: string) => iso.slice(0, 10);

export interface ProposalParts {
  cover: string;
  front: string;
  details: string;
  footer: string;
  title: string;
}

/**
 * The combined report's HTML parts; `body(doc, i)` renders one scan's details (src/report/html.ts
 * documentBody, passed in to keep this module free of the full renderer).
 */
export function proposalParts(combined: CombinedReport, lang: Lang, cover: CoverOptions & { date?: string; version: string }, body: (doc: ReportDocument, i: number) => string): ProposalParts {
  const title = t(lang, 'proposal.title');
  const logo = cover.logo ? `<img src="data:${cover.logo.mediaType};base64,${cover.logo.base64}" alt="${esc(cover.vendor ?? '')}">` : '';
  const brand = logo || cover.vendor ? `<div class="brand">${logo}${cover.vendor ? `<span>${esc(cover.vendor)}</span>` : ''}</div>` : '';
  const date = cover.date ? day(cover.date) : day(combined.to);
  const targets = combined.servers.map((g) => `${esc(g.server)} <span class="muted small">(${g.documents.map((d) => esc(t(lang, `report.kind.${d.target.kind}`))).join(', ')})</span>`).join('<br>');
  const coverHtml = `<header class="proposal-cover">
${brand}
<h1>${esc(title)}</h1>
${cover.client ? `<p class="client">${esc(t(lang, 'proposal.cover.for', { client: cover.client }))}</p>` : ''}
${cover.addressee ? `<p class="addressee">${esc(cover.addressee)}</p>` : ''}
<table class="meta">
<tr><th>${esc(t(lang, 'proposal.cover.targets'))}</th><td>${targets}</td></tr>
<tr><th>${esc(t(lang, 'report.meta.date'))}</th><td>${esc(day(combined.from) === day(combined.to) ? day(combined.to) : t(lang, 'proposal.cover.period', { from: day(combined.from), to: day(combined.to) }))}</td></tr>
<tr><th>${esc(t(lang, 'proposal.cover.date'))}</th><td>${esc(date)}</td></tr>
${cover.vendor ? `<tr><th>${esc(t(lang, 'proposal.cover.vendor'))}</th><td>${esc(cover.vendor)}</td></tr>` : ''}
<tr><th>${esc(t(lang, 'report.meta.tool'))}</th><td>mamori ${esc(cover.version)}</td></tr>
</table>
<div class="confidential">${esc(t(lang, 'report.confidential'))}</div>
</header>`;

  const rows = overview(combined);
  const level = worstLevel(combined.documents);
  const front: string[] = [];
  front.push(`<section id="sec-overview" class="page"><h2>${esc(t(lang, 'proposal.overview.title'))}</h2>
<div class="risk"><div class="level lv-${level}"><span class="sub">${esc(t(lang, 'report.exec.risk'))}</span><span class="word">${esc(t(lang, `report.level.${level}`))}</span><span class="sub">${esc(t(lang, 'report.exec.findings', { count: rows.reduce((n, r) => n + r.findings, 0) }))}</span></div>
<div class="text"><p><b>${esc(t(lang, `report.levelText.${level}`))}</b></p></div></div>
<table class="data"><thead><tr><th>${esc(t(lang, 'proposal.overview.server'))}</th><th>${esc(t(lang, 'proposal.overview.target'))}</th><th>${esc(t(lang, 'proposal.overview.kind'))}</th><th>${esc(t(lang, 'proposal.overview.level'))}</th><th>${esc(t(lang, 'proposal.overview.findings'))}</th><th>${esc(t(lang, 'proposal.overview.gaps'))}</th></tr></thead><tbody>${rows
    .map((r) => `<tr><td>${esc(r.server)}</td><td><a href="#d${combined.documents.indexOf(r.doc) + 1}-sec-summary">${esc(r.doc.target.name)}</a></td><td>${esc(t(lang, `report.kind.${r.doc.target.kind}`))}</td><td>${levelBadge(r.level, lang)}</td><td class="n">${r.findings}</td><td class="n">${r.gaps}</td></tr>`)
    .join('')}</tbody></table>`);
  const projects = migrationProjects(combined, lang);
  const first = projects.length ? `<p>${esc(t(lang, 'proposal.plan.migration', { parts: projects[0]!.parts.map((p) => `${p.name}${p.version ? ` ${p.version}` : ''}`).join(', ') }))}</p>` : '';
  front.push(`${first}</section>`);
  if (projects.length) front.push(`<section id="sec-migration"><h2>${esc(t(lang, 'proposal.mig.section'))}</h2>${projects.map((p) => migrationHtml(p, lang)).join('\n')}</section>`);
  const law = lawFindings(combined.documents);
  if (law.length) front.push(lawHtml(law, lang));
  combined.documents.forEach((d, i) => {
    if (d.target.kind === 'host') front.push(fixesHtml(d, lang, `sec-fixes-${i + 1}`));
  });

  const details = combined.documents
    .map((d, i) => `<section class="page doc-part"><h2 class="doc-title">${esc(t(lang, 'proposal.details', { target: d.target.name }))}</h2></section>\n${body(d, i)}`)
    .join('\n');
  const appendixNote = cover.appendix ? '' : `<p class="muted small">${esc(t(lang, 'proposal.appendixLeftOut'))}</p>`;
  const footer = `${appendixNote}<footer class="doc-foot">mamori ${esc(cover.version)}${cover.client ? ` · ${esc(cover.client)}` : ''} · ${esc(date)}</footer>`;
  return { cover: coverHtml, front: front.join('\n'), details, footer, title: cover.client ? `${title}: ${cover.client}` : title };
}

