/**
 * The owner report of a tenant: the latest finished scan of each of its targets in one HTML file (a cover with
 * the overview table, then each target's report as `src/report/html.ts` renders it, ids prefixed so the
 * sections' links stay apart) or one PDF (the same HTML printed by Chromium through `src/report/pdf.ts`).
 * Japanese or English. Targets not yet scanned are listed on the cover as such, never left out silently.
 */
import type { Lang, ReportDocument, Severity } from '../core/model.js';
import { emptyInventory } from '../core/model.js';
import { messages } from '../core/messages/index.js';
import { CSS } from '../report/html/css.js';
import { esc } from '../report/html/escape.js';
import { buildHtml, formatDateTime } from '../report/html.js';
import type { FleetStore } from './ports.js';
import type { ScanRecord, Scope, Target, Tenant } from './types.js';

export interface OwnerReportEntry {
  target: Target;
  scan: ScanRecord | null;
  doc: ReportDocument | undefined;
}

export interface OwnerReportData {
  tenant: Tenant;
  entries: OwnerReportEntry[];
}

/** The latest finished scan of a target (by finish time), or undefined. */
export async function latestDoneScan(store: FleetStore, scope: Scope, targetId: string): Promise<ScanRecord | undefined> {
  let best: ScanRecord | undefined;
  for (let page = 1; page <= 50; page++) {
    const p = await store.listScans(scope, { targetId, status: 'done' }, { page, pageSize: 100 });
    for (const s of p.items) if (!best || (s.finishedAt ?? '') > (best.finishedAt ?? '')) best = s;
    if (p.items.length < 100) break;
  }
  return best;
}

/** Every target of the tenant with its latest finished scan and document; undefined when the tenant is out of scope. */
export async function ownerReportData(store: FleetStore, scope: Scope, tenantId: string): Promise<OwnerReportData | undefined> {
  const tenant = await store.getTenant(scope, tenantId);
  if (!tenant) return undefined;
  const entries: OwnerReportEntry[] = [];
  for (let page = 1; page <= 100; page++) {
    const p = await store.listTargets(scope, { tenantId }, { page, pageSize: 100 });
    for (const target of p.items) {
      const scan = (await latestDoneScan(store, scope, target.id)) ?? null;
      const doc = scan ? await store.getScanDocument(scope, scan.id) : undefined;
      entries.push({ target, scan, doc });
    }
    if (p.items.length < 100) break;
  }
  entries.sort((a, b) => (a.target.name < b.target.name ? -1 : a.target.name > b.target.name ? 1 : 0));
  return { tenant, entries };
}

/** The `<main>` content of one target's report, its ids and in-page links prefixed with `prefix`. */
function targetSection(doc: ReportDocument, lang: Lang, prefix: string): string {
  const html = buildHtml(doc, lang);
  const start = html.indexOf('<main>');
  const end = html.lastIndexOf('</main>');
  const inner = start >= 0 && end > start ? html.slice(start + '<main>'.length, end) : html;
  return inner.replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`).replace(/\bhref="#([^"]+)"/g, `href="#${prefix}$1"`);
}

const SEVS: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export function buildOwnerHtml(data: OwnerReportData, lang: Lang, now: Date): string {
  const t = (code: string, params?: Record<string, string | number>) => messages.t(lang, code, params);
  const title = t('owner.title', { tenant: data.tenant.name });
  const scanned = data.entries.filter((e) => e.doc);
  const rows = data.entries
    .map((e, i) => {
      const s = e.doc?.summary;
      const name = e.doc ? `<a href="#t${i}-">${esc(e.target.name)}</a>` : esc(e.target.name);
      const when = e.scan?.finishedAt ? esc(formatDateTime(e.scan.finishedAt, lang)) : `<span class="muted">${esc(t('owner.notScanned'))}</span>`;
      const counts = SEVS.map((k) => `<td class="n">${s ? (s[k] ? `<span class="badge sev-${k}">${s[k]}</span>` : '0') : '—'}</td>`).join('');
      return `<tr><td>${name}</td><td>${esc(t(`report.kind.${e.target.kind}`))}</td><td>${when}</td>${counts}</tr>`;
    })
    .join('');
  const out: string[] = [];
  out.push(`<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="cover">
<h1>${esc(title)}</h1>
<p>${esc(t('owner.generated', { date: formatDateTime(now.toISOString(), lang) }))}</p>
<div class="confidential">${esc(t('report.confidential'))}</div>
</header>
<section id="owner-overview"><h2>${esc(t('owner.overview'))}</h2>`);
  if (!data.entries.length) out.push(`<p>${esc(t('owner.none'))}</p>`);
  else {
    out.push(`<table class="data"><thead><tr><th>${esc(t('owner.col.target'))}</th><th>${esc(t('owner.col.kind'))}</th><th>${esc(t('owner.col.scanned'))}</th>${SEVS.map((k) => `<th>${esc(t(`owner.col.${k}`))}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`);
  }
  out.push('</section>');
  data.entries.forEach((e, i) => {
    if (!e.doc) return;
    out.push(`<section class="page owner-target" id="t${i}-">${targetSection(e.doc, lang, `t${i}-`)}</section>`);
  });
  if (!scanned.length && data.entries.length) out.push(`<p>${esc(t('owner.none'))}</p>`);
  out.push(`<footer class="doc-foot">mamori · ${esc(data.tenant.name)} · ${esc(formatDateTime(now.toISOString(), lang))}</footer>
</main>
</body>
</html>
`);
  return out.join('\n');
}

/** A document standing for the whole report in the PDF's header and footer (tenant name, date, version). */
function coverDocument(data: OwnerReportData, now: Date): ReportDocument {
  const docs = data.entries.map((e) => e.doc).filter((d): d is ReportDocument => d !== undefined);
  const summary: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const d of docs) for (const k of Object.keys(summary) as Severity[]) summary[k] += d.summary[k] ?? 0;
  return {
    schemaVersion: 1,
    tool: { name: 'mamori', version: docs[0]?.tool.version ?? '' },
    scannedAt: now.toISOString(),
    target: { kind: 'host', name: data.tenant.name },
    knowledge: { feeds: [] },
    inventory: emptyInventory(),
    findings: docs.flatMap((d) => d.findings),
    gaps: [],
    summary,
  };
}

export interface RenderedOwnerReport {
  filename: string;
  contentType: string;
  body: Uint8Array;
}

export async function renderOwnerReport(data: OwnerReportData, opts: { format: 'html' | 'pdf'; lang: Lang; now: Date }): Promise<RenderedOwnerReport> {
  const html = buildOwnerHtml(data, opts.lang, opts.now);
  const base = `mamori-${data.tenant.name.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'tenant'}-${opts.now.toISOString().slice(0, 10)}`;
  if (opts.format === 'html') return { filename: `${base}.html`, contentType: 'text/html; charset=utf-8', body: new TextEncoder().encode(html) };
  const { withChromium, htmlToPdf } = await import('../report/pdf.js');
  const body = await withChromium((browser) => htmlToPdf(browser, html, coverDocument(data, opts.now), { lang: opts.lang }));
  return { filename: `${base}.pdf`, contentType: 'application/pdf', body };
}
