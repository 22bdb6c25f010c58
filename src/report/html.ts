/**
 * The owner-facing report: one self-contained HTML file (inline CSS and SVG, nothing loaded from elsewhere),
 * printable on A4 and the source of the PDF. Everything taken from the document is escaped; evidence is shown
 * masked, never unmasked.
 */
import { SEVERITIES, severityRank, type Finding, type Lang, type ReportDocument } from '../core/model.js';
import { messages } from '../core/messages/index.js';
import type { RenderOptions } from './index.js';
import { severityChart, timelineChart } from './html/charts.js';
import { snapshotLine } from './snapshot-line.js';
import { CSS } from './html/css.js';
import { lagSectionHtml } from './html/lag.js';
import { esc, maskPersonal, slug } from './html/escape.js';
import {
  byWorst,
  cveRows,
  displayName,
  groupCves,
  reportView,
  type CveGroup,
  type CveRow,
  type PlanItem,
  type ReportView,
  type Section,
  type Texts,
} from '../core/document/view.js';

/** Full cards per section; the rest are listed in a compact table so that very large scans stay readable. */
const CARDS_PER_SECTION = 15;
const SIMILAR_LISTED = 12;
const CVES_PER_GROUP = 10;
/** Component versions shown in full in the vulnerability section; the others are summarised in one table. */
const GROUPS_IN_FULL = 8;
const APPENDIX_SUMMARY = 180;
const COMMANDS_PER_ITEM = 3;

export function formatDateTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (lang === 'ja') {
    const f = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    return `${f.format(d)} (JST)`;
  }
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return `${f.format(d)} UTC`;
}

const sevBadge = (s: Finding['severity'], x: Texts) => `<span class="badge sev-${s}">${esc(x.t(`report.sev.${s}`))}</span>`;
const prio = (p: 1 | 2 | 3, x: Texts) => `<span class="prio p${p}" title="${esc(x.t(`report.plan.p${p}`))}">${esc(x.t('report.prio', { n: p }))}</span>`;
const cmd = (c: string | undefined) => (c ? `<pre class="cmd">${esc(c)}</pre>` : '');
const componentLabel = (c: Finding['component']) => (c ? `${displayName(c.name)}${c.version ? ` ${c.version}` : ''}` : '');

// ---------------------------------------------------------------- evidence

const MAX_VALUE = 400;

/** Evidence that repeats what the card already shows, or that only machines read (the per-CVE list, the raw assessment). */
const EVIDENCE_HIDDEN = new Set(['cves', 'assessment', 'detailMessage', 'advisories', 'vex']);

function evidenceValue(v: unknown, x: Texts): string {
  let s: string;
  if (v === null || v === undefined) s = '—';
  else if (typeof v === 'string') s = v;
  else if (typeof v === 'boolean') s = x.t(`report.ev.${v}`);
  else if (typeof v === 'number') s = v.toLocaleString('en-US');
  else if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) s = v.map((x) => String(x)).join(', ');
  else if (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x !== 'object' || x === null)) {
    s = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${String(x)}`).join(', ');
  } else if (Array.isArray(v)) {
    // A list of records (packages, forms…): one line each.
    return v.slice(0, 20).map((item) => evidenceValue(item, x)).join('<br>') + (v.length > 20 ? `<br>… (${v.length})` : '');
  } else s = JSON.stringify(v);
  if (s.length > MAX_VALUE) s = `${s.slice(0, MAX_VALUE)}…`;
  return esc(maskPersonal(s));
}

function evidenceBlock(f: Finding, x: Texts): string {
  const ev = f.evidence;
  if (!ev || typeof ev !== 'object') return '';
  const entries = Object.entries(ev).filter(([k]) => !EVIDENCE_HIDDEN.has(k)).slice(0, 20);
  if (!entries.length) return '';
  const label = (k: string) => (messages.has(`report.ev.${k}`) ? x.t(`report.ev.${k}`) : k);
  const rows = entries.map(([k, v]) => `<dt>${esc(label(k))}</dt><dd>${evidenceValue(v, x)}</dd>`).join('');
  const personal = f.category === 'personal-data-exposure' || 'samples' in ev || 'counts' in ev;
  return `<dl class="evidence">${rows}</dl>${personal ? `<div class="evidence-note">${esc(x.t('report.f.maskedNote'))}</div>` : ''}`;
}

// ---------------------------------------------------------------- findings

/** Findings with the same category, fix and damage are one card listing every place (a check across many URLs or hosts). */
export function groupSimilar(list: readonly Finding[], x: Texts): { lead: Finding; others: Finding[] }[] {
  const groups = new Map<string, { lead: Finding; others: Finding[] }>();
  for (const f of list) {
    const d = x.damage(f);
    // Pending updates differ only by package: one card lists them all.
    const action = f.category === 'missing-security-update' ? '' : x.action(f);
    const key = [f.category, action, f.remediation.priority, d.customers, d.organisation].join('\u0000');
    const g = groups.get(key);
    if (g) g.others.push(f);
    else groups.set(key, { lead: f, others: [] });
  }
  return [...groups.values()];
}

function similarBlock(others: readonly Finding[], x: Texts): string {
  if (!others.length) return '';
  const items = others
    .slice(0, SIMILAR_LISTED)
    .map((o) => `<li>${sevBadge(o.severity, x)}${esc(o.location ?? x.title(o))}</li>`)
    .join('');
  const more = others.length > SIMILAR_LISTED ? `<li class="muted">${esc(x.t('report.f.moreShort', { count: others.length - SIMILAR_LISTED }))}</li>` : '';
  return `<div class="similar"><b>${esc(x.t('report.f.similar', { count: others.length }))}</b><ul>${items}${more}</ul></div>`;
}

function findingCard(f: Finding, x: Texts, others: readonly Finding[] = []): string {
  const meta: string[] = [];
  if (f.component) meta.push(`<span>${esc(x.t('report.f.component'))}: ${esc(componentLabel(f.component))}</span>`);
  if (f.location) meta.push(`<span>${esc(x.t('report.f.location'))}: ${esc(f.location)}</span>`);
  if (f.cves?.length) meta.push(`<span>${esc(x.t('report.f.cves'))}: ${esc(f.cves.slice(0, 8).join(', '))}${f.cves.length > 8 ? ' …' : ''}</span>`);
  if (typeof f.confidence === 'number') meta.push(`<span>${esc(x.t('report.f.confidence', { value: f.confidence }))}</span>`);
  const d = x.damage(f);
  const r = f.remediation;
  const steps = (r.steps ?? [])
    .map((s) => `<div class="action">${prio(s.priority, x)}${esc(s.action)}${s.reviewBy ? ` <span class="review">${esc(x.t('report.f.reviewBy', { date: s.reviewBy }))}</span>` : ''}</div>${cmd(s.command)}`)
    .join('');
  return `<article class="finding" id="f-${esc(slug(f.id))}">
<h3>${sevBadge(f.severity, x)}${esc(x.title(f))}</h3>
<div class="fmeta">${meta.join('')}</div>
<div class="dmg"><div><b>${esc(x.t('report.f.damageCustomers'))}</b>${esc(d.customers)}</div><div class="org"><b>${esc(x.t('report.f.damageOrganisation'))}</b>${esc(d.organisation)}</div></div>
<div class="action"><b>${esc(x.t('report.f.action'))}:</b> ${prio(r.priority, x)}${esc(x.action(f))}${r.reviewBy ? ` <span class="review">${esc(x.t('report.f.reviewBy', { date: r.reviewBy }))}</span>` : ''}</div>${cmd(r.command)}${steps}
${evidenceBlock(f, x)}${similarBlock(others, x)}
</article>`;
}

function compactTable(list: readonly Finding[], x: Texts): string {
  if (!list.length) return '';
  const rows = list
    .map((f) => `<tr><td>${sevBadge(f.severity, x)}</td><td>${esc(x.title(f))}</td><td>${esc(f.location ?? componentLabel(f.component))}</td><td>${esc(x.action(f))}</td></tr>`)
    .join('');
  return `<table class="data"><thead><tr><th>${esc(x.t('report.f.severity'))}</th><th>${esc(x.t('report.csv.title'))}</th><th>${esc(x.t('report.f.location'))}</th><th>${esc(x.t('report.f.action'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const clip = (s: string | undefined, n: number) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : s ?? '');

function cveTable(rows: readonly CveRow[], x: Texts, withSeverity: boolean): string {
  const head = [x.t('report.cve.id'), x.t('report.cve.cvss'), x.t('report.cve.kev'), x.t('report.cve.fixedIn'), ...(withSeverity ? [x.t('report.cve.severity')] : []), x.t('report.cve.summary')];
  const body = rows
    .map((r) => {
      const cvss = r.cvss === undefined ? '—' : `${r.cvss.toFixed(1)}${r.cvssVersion ? ` <span class="muted small">v${esc(r.cvssVersion)}</span>` : ''}`;
      return `<tr><td class="id">${esc(r.id)}</td><td class="n">${cvss}</td><td>${r.kev ? `<span class="kev">KEV</span>` : ''}</td><td>${esc(r.fixedIn ?? '—')}</td>${withSeverity ? `<td>${sevBadge(r.severity, x)}</td>` : ''}<td>${esc(withSeverity ? r.summary ?? '' : clip(r.summary, APPENDIX_SUMMARY))}</td></tr>`;
    })
    .join('');
  return `<table class="data cves${withSeverity ? '' : ' appendix'}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

const worstOf = (g: CveGroup) => Math.max(...g.rows.map((r) => severityRank(r.severity)));

function groupTitle(g: CveGroup, x: Texts): string {
  return x.t('report.vuln.group', { component: displayName(g.component), version: g.version ?? '', count: g.rows.length }).replace(/\s+:/, ':');
}

function vulnerabilitySection(s: Section, x: Texts, doc: ReportDocument): string[] {
  const subset: ReportDocument = { ...doc, findings: s.findings };
  const groups = groupCves(cveRows(subset)).sort(
    (a, b) => worstOf(b) - worstOf(a) || b.kev - a.kev || (b.maxCvss ?? -1) - (a.maxCvss ?? -1) || b.rows.length - a.rows.length,
  );
  const out: string[] = [];
  for (const g of groups.slice(0, GROUPS_IN_FULL)) {
    const worst = s.findings.filter((f) => (f.component?.name ?? f.location ?? '') === g.component && f.component?.version === g.version).sort(byWorst)[0];
    const facts = [
      g.kev ? `<span class="kev">KEV</span> ${esc(x.t('report.vuln.kev', { count: g.kev }))}` : '',
      g.maxCvss !== undefined ? esc(x.t('report.vuln.maxCvss', { score: g.maxCvss.toFixed(1) })) : '',
    ].filter(Boolean);
    const top = [...g.rows]
      .sort((a, b) => Number(b.kev) - Number(a.kev) || (b.cvss ?? -1) - (a.cvss ?? -1) || SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))
      .slice(0, CVES_PER_GROUP);
    const d = worst ? x.damage(worst) : undefined;
    out.push(`<div class="vgroup"><h3>${worst ? sevBadge(worst.severity, x) : ''}${esc(groupTitle(g, x))}</h3>
${facts.length ? `<p>${facts.join(' / ')}</p>` : ''}
${g.distroBuild ? `<p class="muted small">${esc(x.t('report.vuln.distroNote'))}</p>` : ''}
${d ? `<div class="finding" style="border:none;padding:0;margin:0"><div class="dmg"><div><b>${esc(x.t('report.f.damageCustomers'))}</b>${esc(d.customers)}</div><div class="org"><b>${esc(x.t('report.f.damageOrganisation'))}</b>${esc(d.organisation)}</div></div></div>` : ''}
${cveTable(top, x, true)}
${g.rows.length > top.length ? `<p class="muted small">${esc(x.t('report.f.more', { count: g.rows.length - top.length }))}</p>` : ''}</div>`);
  }
  const rest = groups.slice(GROUPS_IN_FULL);
  if (rest.length) {
    out.push(`<table class="data"><thead><tr><th>${esc(x.t('report.cve.component'))}</th><th>${esc(x.t('report.inv.version'))}</th><th>${esc(x.t('report.cve.id'))}</th><th>${esc(x.t('report.cve.kev'))}</th><th>${esc(x.t('report.cve.cvss'))}</th></tr></thead><tbody>${rest
      .map((g) => `<tr><td>${esc(displayName(g.component))}</td><td>${esc(g.version ?? '—')}</td><td class="n">${g.rows.length}</td><td class="n">${g.kev || ''}</td><td class="n">${g.maxCvss === undefined ? '—' : g.maxCvss.toFixed(1)}</td></tr>`)
      .join('')}</tbody></table>`);
  }
  // Findings with this category but no CVE id (rare): shown as cards.
  const noCve = s.findings.filter((f) => !f.cves?.length);
  out.push(...noCve.slice(0, CARDS_PER_SECTION).map((f) => findingCard(f, x)), compactTable(noCve.slice(CARDS_PER_SECTION), x));
  return out;
}

function sectionHtml(s: Section, x: Texts, doc: ReportDocument, now: number, withTimeline: boolean): string {
  const id = `sec-${slug(s.key)}`;
  const head = `<h2>${esc(x.t(s.heading))}</h2><div class="section-intro">${esc(x.t(s.intro))}</div>`;
  const grouped = groupSimilar(s.findings, x);
  const blocks =
    s.key === 'vulnerability'
      ? vulnerabilitySection(s, x, doc)
      : [...grouped.slice(0, CARDS_PER_SECTION).map((g) => findingCard(g.lead, x, g.others)), compactTable(grouped.slice(CARDS_PER_SECTION).flatMap((g) => [g.lead, ...g.others]), x)];
  if (withTimeline && doc.lifecycle?.length) {
    blocks.unshift(`<div class="keep"><h3>${esc(x.t('report.chart.timeline'))}</h3>${timelineChart(doc.lifecycle, now, x)}<p class="muted small">${esc(x.t('report.chart.timelineNote'))}</p></div>`);
  }
  const [first, ...rest] = blocks.filter(Boolean);
  // The heading stays with its introduction and the first block (break-after: avoid); a big first card may move.
  return `<section id="${id}">${head}${first ?? ''}${rest.join('\n')}</section>`;
}

// ---------------------------------------------------------------- plan

function planItemHtml(it: PlanItem, x: Texts): string {
  const cmds = it.commands.slice(0, COMMANDS_PER_ITEM).map((c) => cmd(c)).join('');
  const more = it.commands.length > COMMANDS_PER_ITEM ? `<p class="muted small">${esc(x.t('report.f.moreShort', { count: it.commands.length - COMMANDS_PER_ITEM }))}</p>` : '';
  const rel = it.findings.slice(0, 3).map((f) => esc(x.title(f))).join(' / ');
  const relMore = it.findings.length > 3 ? ` ${esc(x.t('report.f.moreShort', { count: it.findings.length - 3 }))}` : '';
  return `<div class="plan-item p${it.priority}"><div>${sevBadge(it.worst, x)}${esc(it.action)}${it.reviewBy ? ` <span class="review">${esc(x.t('report.f.reviewBy', { date: it.reviewBy }))}</span>` : ''}</div>${cmds}${more}<div class="rel">${esc(x.t('report.plan.related'))}: ${rel}${relMore}</div></div>`;
}

function planSection(items: readonly PlanItem[], x: Texts): string {
  const out = [`<section id="sec-plan" class="page"><h2>${esc(x.t('report.sec.plan'))}</h2><p>${esc(x.t('report.plan.intro'))}</p>`];
  for (const p of [1, 2, 3] as const) {
    const list = items.filter((i) => i.priority === p);
    if (!list.length) continue;
    out.push(`<h3>${esc(x.t(`report.plan.p${p}`))} <span class="muted small">${esc(x.t('report.plan.findingCount', { count: new Set(list.flatMap((i) => i.findings)).size }))}</span></h3>`);
    out.push(list.slice(0, 60).map((i) => planItemHtml(i, x)).join('\n'));
    if (list.length > 60) out.push(`<p class="muted small">${esc(x.t('report.f.moreShort', { count: list.length - 60 }))}</p>`);
  }
  out.push('</section>');
  return out.join('\n');
}

// ---------------------------------------------------------------- the document

/** The worst damages: the texts of the worst findings, one per kind of risk, at most two, from the worst severity band. */
function worstDamages(findings: readonly Finding[], x: Texts): { customers: string[]; organisation: string[] } {
  const sorted = [...findings].sort(byWorst);
  const top = severityRank(sorted[0]!.severity);
  const customers: string[] = [];
  const organisation: string[] = [];
  const seen = new Set<string>();
  for (const f of sorted) {
    if (customers.length >= 2 || severityRank(f.severity) < Math.min(top, 3)) break;
    const kind = f.category === 'outdated-application' ? 'end-of-life' : f.category;
    if (seen.has(kind)) continue;
    seen.add(kind);
    const d = x.damage(f);
    if (!customers.includes(d.customers)) customers.push(d.customers);
    if (!organisation.includes(d.organisation)) organisation.push(d.organisation);
  }
  return { customers, organisation };
}

export async function renderHtml(doc: ReportDocument, opts: RenderOptions): Promise<string> {
  return buildHtml(doc, opts.lang);
}

export function buildHtml(doc: ReportDocument, lang: Lang, view: ReportView = reportView(doc, lang)): string {
  const { texts: x, level, plan: items, first, sections: secs, cveGroups: groups } = view;
  const t = x.t;
  const nowParsed = Date.parse(doc.scannedAt);
  const now = Number.isNaN(nowParsed) ? 0 : nowParsed;
  const worst = [...doc.findings].sort(byWorst)[0];
  const worstDamage = worst ? worstDamages(doc.findings, x) : undefined;
  const date = formatDateTime(doc.scannedAt, lang);
  const os = doc.inventory.os ? `${doc.inventory.os.name} ${doc.inventory.os.version}`.trim() : '';

  const toc = [
    ['sec-summary', t('report.exec.title')],
    ...secs.map((s) => [`sec-${slug(s.key)}`, t(s.heading)]),
    ['sec-plan', t('report.sec.plan')],
    ['sec-appendix', t('report.sec.appendix')],
    ['sec-inventory', t('report.sec.inventory')],
    ['sec-gaps', t('report.sec.gaps')],
  ];

  const out: string[] = [];
  out.push(`<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mamori ${esc(doc.tool.version)}">
<title>${esc(t('report.title'))}: ${esc(doc.target.name)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="cover">
<h1>${esc(t('report.title'))}</h1>
<table class="meta">
<tr><th>${esc(t('report.meta.target'))}</th><td><b>${esc(doc.target.name)}</b></td></tr>
<tr><th>${esc(t('report.meta.kind'))}</th><td>${esc(t(`report.kind.${doc.target.kind}`))}</td></tr>
${os ? `<tr><th>${esc(t('report.meta.os'))}</th><td>${esc(os)}</td></tr>` : ''}
<tr><th>${esc(t('report.meta.date'))}</th><td>${esc(date)}</td></tr>
<tr><th>${esc(t('report.meta.tool'))}</th><td>mamori ${esc(doc.tool.version)}</td></tr>
</table>
<div class="confidential">${esc(t('report.confidential'))}</div>
</header>`);

  // Executive summary.
  out.push(`<section id="sec-summary"><h2>${esc(t('report.exec.title'))}</h2>
<div class="risk"><div class="level lv-${level}"><span class="sub">${esc(t('report.exec.risk'))}</span><span class="word">${esc(t(`report.level.${level}`))}</span><span class="sub">${esc(t('report.exec.findings', { count: doc.findings.length }))}</span></div>
<div class="text"><p><b>${esc(t(`report.levelText.${level}`))}</b></p>${doc.gaps.length ? `<p class="muted small">${esc(t('report.exec.gapsNote', { count: doc.gaps.length }))}</p>` : ''}</div>
<div class="sevchart">${severityChart(doc.summary, x)}</div></div>`);
  if (worstDamage && worst) {
    const list = (items: string[]) => (items.length === 1 ? `<p>${esc(items[0])}</p>` : `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`);
    out.push(`<div class="damage"><div><h4>${esc(t('report.exec.worstCustomers'))}</h4>${list(worstDamage.customers)}</div><div class="org"><h4>${esc(t('report.exec.worstOrganisation'))}</h4>${list(worstDamage.organisation)}</div></div>`);
    out.push(`<h3>${esc(t('report.exec.firstThree'))}</h3><ol class="first">${first
      .map((it) => `<li>${prio(it.priority, x)}${esc(it.action)}${it.reviewBy ? ` <span class="review">${esc(t('report.f.reviewBy', { date: it.reviewBy }))}</span>` : ''}${it.commands[0] ? cmd(it.commands[0]) : ''}<div class="small muted">${esc(t('report.plan.related'))}: ${esc(x.title(it.findings[0]!))}${it.findings.length > 1 ? ` ${esc(t('report.f.moreShort', { count: it.findings.length - 1 }))}` : ''}</div></li>`)
      .join('')}</ol>`);
  } else {
    out.push(`<p>${esc(t('report.exec.noFindings'))}</p>`);
  }
  out.push(`<nav class="toc"><h3>${esc(t('report.toc'))}</h3><ol>${toc.map(([id, label]) => `<li><a href="#${id}">${esc(label)}</a></li>`).join('')}</ol></nav></section>`);

  // One section per risk.
  // The support timeline sits with the first end-of-life section, or on its own when there is none.
  const timelineIn = secs.find((s) => s.key === 'eol-php-os' || s.key === 'eol-other')?.key;
  if (secs.length) {
    for (const s of secs) out.push(sectionHtml(s, x, doc, now, s.key === timelineIn));
  }
  if (!timelineIn && doc.lifecycle?.length) {
    out.push(`<section id="sec-timeline"><h2>${esc(t('report.chart.timeline'))}</h2>${timelineChart(doc.lifecycle, now, x)}<p class="muted small">${esc(t('report.chart.timelineNote'))}</p></section>`);
  }

  out.push(planSection(items, x));
  const lagHtml = lagSectionHtml(doc, x);
  if (lagHtml) out.push(lagHtml);

  // Appendix: CVEs per component version.
  out.push(`<section id="sec-appendix" class="page"><h2>${esc(t('report.sec.appendix'))}</h2>`);
  if (!groups.length) out.push(`<p>${esc(t('report.cve.none'))}</p>`);
  for (const g of groups) {
    out.push(`<h3>${esc(displayName(g.component))}${g.version ? ` ${esc(g.version)}` : ''} <span class="muted small">${esc(t('report.cve.count', { count: g.rows.length }))}${g.kev ? ` / KEV ${g.kev}` : ''}</span></h3>`);
    if (g.distroBuild) out.push(`<p class="muted small">${esc(t('report.vuln.distroNote'))}</p>`);
    out.push(cveTable(g.rows, x, false));
  }
  out.push('</section>');

  // Appendix: inventory.
  const inv = doc.inventory;
  out.push(`<section id="sec-inventory"><h2>${esc(t('report.sec.inventory'))}</h2>`);
  if (inv.components.length) {
    out.push(`<table class="data"><thead><tr><th>${esc(t('report.inv.name'))}</th><th>${esc(t('report.inv.version'))}</th><th>${esc(t('report.inv.source'))}</th><th>${esc(t('report.inv.location'))}</th></tr></thead><tbody>${inv.components
      .map((c) => `<tr><td>${esc(displayName(c.name))}</td><td>${esc(c.version ?? '—')}</td><td>${esc(c.detectedBy)}</td><td>${esc(c.location ?? '')}</td></tr>`)
      .join('')}</tbody></table>`);
  }
  if (inv.packages.length) {
    const ecos = [...new Set(inv.packages.map((p) => p.ecosystem))].join(', ');
    out.push(`<p>${esc(t('report.inv.packages', { count: inv.packages.length, ecosystems: ecos }))}</p>`);
  }
  if (inv.pendingUpdates.length) {
    out.push(`<p>${esc(t('report.inv.pending', { count: inv.pendingUpdates.length, security: inv.pendingUpdates.filter((u) => u.security).length }))}</p>`);
  }
  if (doc.knowledge.feeds.length) {
    const snap = doc.knowledge.snapshot ? `<p class="knowledge-snapshot">${esc(snapshotLine(doc.knowledge.snapshot, t))}</p>` : '';
    out.push(`<h3>${esc(t('report.sec.feeds'))}</h3>${snap}<table class="data"><thead><tr><th>${esc(t('report.feed.name'))}</th><th>${esc(t('report.feed.updated'))}</th><th>${esc(t('report.feed.records'))}</th></tr></thead><tbody>${doc.knowledge.feeds
      .map((f) => `<tr><td>${esc(f.name)}${f.source ? ` <span class="muted small">(${esc(f.source)})</span>` : ''}</td><td>${esc(f.updatedAt ? f.updatedAt.slice(0, 10) : t('report.feed.never'))}</td><td class="n">${esc(f.records.toLocaleString('en-US'))}</td></tr>`)
      .join('')}</tbody></table>`);
  }
  out.push('</section>');

  // What could not be checked.
  out.push(`<section id="sec-gaps"><h2>${esc(t('report.sec.gaps'))}</h2>`);
  out.push(
    doc.gaps.length
      ? `<table class="data"><thead><tr><th>${esc(t('report.gap.what'))}</th><th>${esc(t('report.gap.why'))}</th></tr></thead><tbody>${doc.gaps.map((g) => x.gap(g)).map((g) => `<tr><td>${esc(g.what)}</td><td>${esc(g.why)}</td></tr>`).join('')}</tbody></table>`
      : `<p>${esc(t('report.gaps.none'))}</p>`,
  );
  out.push(`</section>
<footer class="doc-foot">mamori ${esc(doc.tool.version)} · ${esc(doc.target.name)} · ${esc(date)}</footer>
</main>
</body>
</html>
`);
  return out.join('\n');
}
