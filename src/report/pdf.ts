/**
 * The PDF: the HTML report printed by headless Chromium (Debian's /usr/bin/chromium driven by playwright-core).
 * A4, a header with the target and the date, page numbers in the footer, Japanese fonts from fonts-noto-cjk.
 * The page may load nothing: JavaScript is off and every request that is not data:/about: is aborted.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { ReportDocument } from '../core/model.js';
import { messages } from '../core/messages/index.js';
import { FatalError } from '../core/errors.js';
import { buildHtml, formatDateTime } from './html.js';
import { esc } from './html/escape.js';
import type { RenderOptions } from './index.js';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Reports with more findings than this are printed without PDF accessibility tags (see htmlToPdf). */
export const TAGGED_UP_TO = 1000;

export const chromiumPath = (env: NodeJS.ProcessEnv = process.env): string => env.MAMORI_CHROMIUM || '/usr/bin/chromium';

/**
 * Launch Chromium (playwright's launch() gives every browser a new, empty, temporary user-data-dir and removes
 * it on close), run `fn`, always close. A missing binary is an environment problem: exit 2 naming the package.
 */
export async function withChromium<T>(fn: (browser: Browser) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const executablePath = chromiumPath(env);
  const missing = () => new FatalError(messages.t('en', 'report.err.chromium', { path: executablePath }), { code: 'report.err.chromium', params: { path: executablePath } });
  if (!existsSync(executablePath)) throw missing();
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0] ?? String(err);
    if (/ENOENT|EACCES|not found|No such file/i.test(reason)) throw missing();
    throw new FatalError(`PDF rendering failed: ${reason}`, { code: 'report.err.pdf', params: { reason } });
  }
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** A page that runs no script and can fetch nothing from anywhere. */
export async function isolatedPage(browser: Browser) {
  const context = await browser.newContext({ javaScriptEnabled: false, serviceWorkers: 'block', offline: true });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith('data:') || url.startsWith('about:') ? route.continue() : route.abort('blockedbyclient');
  });
  return context.newPage();
}

export function pdfTemplates(doc: ReportDocument, opts: RenderOptions): { headerTemplate: string; footerTemplate: string } {
  const font = `font-family:'Noto Sans CJK JP','Noto Sans JP',sans-serif;font-size:7.5pt;color:#6b7280;`;
  const title = messages.t(opts.lang, 'report.title');
  const headerTemplate = `<div style="${font}width:100%;margin:0 14mm;display:flex;justify-content:space-between;border-bottom:0.5pt solid #d9dee5;padding-bottom:1mm"><span>${esc(title)}: ${esc(doc.target.name)}</span><span>${esc(formatDateTime(doc.scannedAt, opts.lang))}</span></div>`;
  const footerTemplate = `<div style="${font}width:100%;margin:0 14mm;display:flex;justify-content:space-between"><span>mamori ${esc(doc.tool.version)}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`;
  return { headerTemplate, footerTemplate };
}

export async function htmlToPdf(
  browser: Browser,
  html: string,
  doc: ReportDocument,
  opts: RenderOptions,
  templates: { headerTemplate: string; footerTemplate: string } = pdfTemplates(doc, opts),
): Promise<Uint8Array> {
  const page = await isolatedPage(browser);
  try {
    await page.setContent(html, { waitUntil: 'load', timeout: 120_000 });
    const buf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      ...templates,
      margin: { top: '20mm', bottom: '18mm', left: '14mm', right: '14mm' },
      preferCSSPageSize: true,
      outline: true,
      // Accessibility tags roughly double the time Chromium needs for very long reports; keep them for the usual size.
      tagged: doc.findings.length <= TAGGED_UP_TO,
    });
    return new Uint8Array(buf);
  } finally {
    await page.context().close();
  }
}

export async function renderPdf(doc: ReportDocument, opts: RenderOptions): Promise<Uint8Array> {
  const html = buildHtml(doc, opts.lang);
  return withChromium((browser) => htmlToPdf(browser, html, doc, opts));
}
