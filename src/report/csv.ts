/**
 * CSV: one row per finding, RFC 4180 (CRLF, quotes doubled), UTF-8 with a BOM so that Excel in Japan opens it
 * as UTF-8, headers in the report's language (severity and category stay the contract's codes, for filters and
 * scripts), and cells that a spreadsheet would run as a formula
 * (= + - @, tab, carriage return) prefixed with a single quote.
 */
import type { Finding, ReportDocument } from '../core/model.js';
import { messages } from '../core/messages/index.js';
import type { RenderOptions } from './index.js';
import { makeTexts } from '../core/document/view.js';

export const CSV_COLUMNS = ['id', 'severity', 'category', 'title', 'component', 'version', 'cves', 'location', 'priority', 'action', 'command'] as const;

/** Neutralise spreadsheet formulas (OWASP CSV injection): a leading = + - @ TAB CR gets a ' in front. */
export function defuse(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvCell(value: string): string {
  const v = defuse(value);
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function buildCsv(doc: ReportDocument, lang: RenderOptions['lang']): string {
  const x = makeTexts(doc, lang);
  const head = CSV_COLUMNS.map((c) => csvCell(messages.t(lang, `report.csv.${c}`)));
  const row = (f: Finding): string[] => [
    f.id,
    f.severity,
    f.category,
    x.title(f),
    f.component?.name ?? '',
    f.component?.version ?? '',
    (f.cves ?? []).join(' '),
    f.location ?? '',
    String(f.remediation.priority),
    x.action(f),
    f.remediation.command ?? '',
  ];
  const lines = [head.join(','), ...doc.findings.map((f) => row(f).map(csvCell).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function renderCsv(doc: ReportDocument, opts: RenderOptions): Promise<string> {
  return buildCsv(doc, opts.lang);
}
