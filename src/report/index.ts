/**
 * The explicit registry of report renderers. One format = one file in this folder + one line here.
 * Renderers only present the document; they never decide anything.
 * Every renderer but JSON loads on first use, so a command pays only for the format it writes.
 */
import type { Lang, ReportDocument } from '../core/model.js';
import { renderJson } from './json.js';

export interface RenderOptions {
  lang: Lang;
  /** Terminal width and colour, for the table. */
  columns?: number;
  color?: boolean;
}

export type Renderer = (doc: ReportDocument, opts: RenderOptions) => Promise<string | Uint8Array>;

export const renderers: Record<string, Renderer> = {
  json: renderJson,
  html: async (doc, opts) => (await import('./html.js')).renderHtml(doc, opts),
  pdf: async (doc, opts) => (await import('./pdf.js')).renderPdf(doc, opts), // loads playwright-core
  sarif: async (doc, opts) => (await import('./sarif.js')).renderSarif(doc, opts),
  csv: async (doc, opts) => (await import('./csv.js')).renderCsv(doc, opts),
  cyclonedx: async (doc, opts) => (await import('./cyclonedx.js')).renderCycloneDx(doc, opts),
  table: async (doc, opts) => (await import('./table.js')).renderTable(doc, opts),
};

/** Formats that write binary and must go to --output. */
export const binaryFormats = new Set<string>(['pdf']);
