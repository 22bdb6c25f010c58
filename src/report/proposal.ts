/**
 * The combined report of a client's scans (`mamori report a.json b.json … --format html|pdf`): the documents
 * combined by src/core/document/proposal.ts, rendered as one HTML page or one PDF (the same Chromium path as a
 * one-scan PDF, with the client on every page's header).
 */
import { combineDocuments, type CoverOptions } from '../core/document/proposal.js';
import { messages } from '../core/messages/index.js';
import type { ReportDocument } from '../core/model.js';
import { buildProposalHtml, formatDateTime } from './html.js';
import { esc } from './html/escape.js';
import type { RenderOptions } from './index.js';

export interface ProposalOptions extends RenderOptions {
  cover: CoverOptions & { date?: string };
}

export async function renderProposal(docs: readonly ReportDocument[], format: 'html' | 'pdf', opts: ProposalOptions): Promise<string | Uint8Array> {
  const combined = combineDocuments(docs);
  const html = buildProposalHtml(combined, opts.lang, opts.cover);
  if (format === 'html') return html;
  const { htmlToPdf, withChromium } = await import('./pdf.js');
  const font = `font-family:'Noto Sans CJK JP','Noto Sans JP',sans-serif;font-size:7.5pt;color:#6b7280;`;
  const title = messages.t(opts.lang, 'proposal.title');
  const who = opts.cover.client ?? combined.servers.map((g) => g.server).join(', ');
  const date = formatDateTime(opts.cover.date ?? combined.to, opts.lang);
  const templates = {
    headerTemplate: `<div style="${font}width:100%;margin:0 14mm;display:flex;justify-content:space-between;border-bottom:0.5pt solid #d9dee5;padding-bottom:1mm"><span>${esc(title)}: ${esc(who)}</span><span>${esc(date)}</span></div>`,
    footerTemplate: `<div style="${font}width:100%;margin:0 14mm;display:flex;justify-content:space-between"><span>${esc(opts.cover.vendor ?? `mamori ${combined.documents[0]!.tool.version}`)}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`,
  };
  // Tagging follows the size of the whole document, as for one scan.
  const all: ReportDocument = { ...combined.documents[0]!, findings: combined.documents.flatMap((d) => d.findings) };
  return withChromium((browser) => htmlToPdf(browser, html, all, opts, templates));
}
