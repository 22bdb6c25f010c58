/**
 * The explicit registry of report renderers. One format = one file in this folder + one line here.
 * Renderers only present the document; they never decide anything.
 */
import type { Lang, ReportDocument } from '../core/model.js';
import { renderJson } from './json.js';
import { renderHtml } from './html.js';
import { renderSarif } from './sarif.js';
import { renderCsv } from './csv.js';
import { renderCycloneDx } from './cyclonedx.js';
import { renderTable } from './table.js';

export interface RenderOptions {
  lang: Lang;
  /** Terminal width and colour, for the table. */
  columns?: number;
  color?: boolean;
}

export type Renderer = (doc: ReportDocument, opts: RenderOptions) => Promise<string | Uint8Array>;

export const renderers: Record<string, Renderer> = {
  json: renderJson,
  html: renderHtml,
  pdf: async (doc, opts) => (await import('./pdf.js')).renderPdf(doc, opts), // lazy: loads playwright-core only for PDF
  sarif: renderSarif,
  csv: renderCsv,
  cyclonedx: renderCycloneDx,
  table: renderTable,
};

/** Formats that write binary and must go to --output. */
export const binaryFormats = new Set<string>(['pdf']);
