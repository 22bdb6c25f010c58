/**
 * The HTML and the PDF in real Chromium (Debian's /usr/bin/chromium through playwright-core): the PDF's text
 * has the Japanese headings, the first page is not blank, Japanese fonts are embedded, and the page can load
 * nothing from the network.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { ReportDocument } from '../../src/core/model.js';
import { buildHtml } from '../../src/report/html.js';
import { chromiumPath, htmlToPdf, isolatedPage, withChromium } from '../../src/report/pdf.js';
import { runCli } from '../helpers/cli.js';

const fixture = (name: string): ReportDocument => JSON.parse(readFileSync(new URL(`../fixtures/report/${name}.json`, import.meta.url), 'utf8')) as ReportDocument;
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const missing = !existsSync(chromiumPath())
  ? `chromium not installed at ${chromiumPath()}: apt-get install chromium fonts-noto-cjk`
  : !has('pdftotext') || !has('pdftoppm')
    ? 'poppler-utils (pdftotext, pdftoppm) not installed'
    : undefined;

/** Share of non-white pixels in a binary PPM (P6) image. */
function inkRatio(ppm: Buffer): { ink: number; red: number } {
  // Header: P6 <w> <h> <max>\n then RGB bytes.
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 50).toString('latin1'));
  assert.ok(header, 'a P6 PPM');
  const [, w, h] = header.map(Number) as [number, number, number, number];
  const data = ppm.subarray(header[0].length);
  let ink = 0;
  let red = 0;
  for (let i = 0; i + 2 < data.length; i += 3) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    if (r < 235 || g < 235 || b < 235) ink++;
    if (r > 110 && g < 60 && b < 60) red++;
  }
  return { ink: ink / (w * h), red: red / (w * h) };
}

describe('report in real Chromium', { skip: missing }, () => {
  let browser: Browser | undefined;
  let release: (() => void) | undefined;
  let done: Promise<unknown> | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mamori-report-'));

  before(async () => {
    // Keep one browser for the file: withChromium closes it when `release` is called in after().
    await new Promise<void>((ready, fail) => {
      done = withChromium(
        (b) =>
          new Promise<void>((resolve) => {
            browser = b;
            release = resolve;
            ready();
          }),
      ).catch(fail);
    });
  });
  after(async () => {
    release?.();
    await done;
    // MAMORI_KEEP_ARTIFACTS=1 keeps the PDF and the screenshots for a person to look at.
    if (!process.env.MAMORI_KEEP_ARTIFACTS) rmSync(dir, { recursive: true, force: true });
  });

  /** The Japanese PDF of the CentOS 6 shop, rendered once for the tests below. */
  let jaPdf: Promise<string> | undefined;
  const japanesePdf = () =>
    (jaPdf ??= (async () => {
      const doc = fixture('centos6-shop');
      const file = join(dir, 'centos6-shop-ja.pdf');
      writeFileSync(file, await htmlToPdf(browser!, buildHtml(doc, 'ja'), doc, { lang: 'ja' }));
      return file;
    })());

  test('the Japanese PDF: A4, header and page numbers, Japanese headings in its text, CJK fonts embedded', async (t) => {
    const file = await japanesePdf();
    const pdf = readFileSync(file);
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString('latin1'), '%PDF-');
    const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout;
    assert.match(info, /Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    assert.ok(pages >= 5, `${pages} pages`);
    const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout.replace(/ (?=[\u3000-\u9fff])|(?<=[\u3000-\u9fff]) /g, '');
    for (const h of ['セキュリティ診断報告書', '診断結果の概要', '個人情報の公開領域への格納', '平文通信', 'サポート終了プログラム', 'サポートが終了したPHP・OS', '未適用のセキュリティ更新', '対応計画', 'CVE-2012-1823']) {
      assert.ok(text.includes(h), `PDF text lacks ${h}`);
    }
    // Header (target and date) and footer (page x / n) on every page.
    assert.ok(text.includes('shop.example.jp'));
    assert.ok(text.includes(`1 / ${pages}`) && text.includes(`${pages} / ${pages}`), 'page numbers');
    // Skia embeds the CFF-based Noto CJK glyphs as Type 3 fonts with a Unicode map (hence the text above);
    // what fontconfig resolves the stylesheet's first family to is the Noto CJK face.
    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' }).stdout;
    assert.match(fonts, /Type 3\s+Custom\s+yes\s+no\s+yes/, 'embedded fonts with a Unicode map');
    const face = spawnSync('fc-match', ['Noto Sans CJK JP'], { encoding: 'utf8' }).stdout;
    assert.match(face, /Noto Sans CJK/i, `fontconfig resolves Noto Sans CJK JP to ${face}`);
    t.diagnostic(`PDF: ${file} (${pages} pages)`);
  });

  test('a screenshot of the first page is made and is not blank', async (t) => {
    const doc = fixture('centos6-shop');
    const file = await japanesePdf();
    const png = spawnSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', file, join(dir, 'page')]);
    assert.equal(png.status, 0, png.stderr?.toString());
    const pngFile = readdirSync(dir).find((f) => f.startsWith('page') && f.endsWith('.png'));
    assert.ok(pngFile, 'pdftoppm wrote the PNG');
    const ppm = spawnSync('pdftoppm', ['-r', '30', '-f', '1', '-l', '1', file], { maxBuffer: 64 << 20 });
    assert.equal(ppm.status, 0);
    const { ink, red } = inkRatio(ppm.stdout);
    assert.ok(ink > 0.05, `first page has ink on ${(ink * 100).toFixed(1)}% of its pixels`);
    assert.ok(red > 0.002, 'the red “critical” level box is visible');
    // And the HTML itself, screenshotted by Chromium, against a blank page.
    const page = await isolatedPage(browser!);
    try {
      await page.setViewportSize({ width: 900, height: 1200 });
      await page.setContent(buildHtml(doc, 'ja'));
      const shot = await page.screenshot({ type: 'png' });
      await page.setContent('<html><body style="background:#fff"></body></html>');
      const blank = await page.screenshot({ type: 'png' });
      writeFileSync(join(dir, 'html-first-screen.png'), shot);
      assert.ok(shot.length > blank.length * 5, `screenshot ${shot.length} bytes vs blank ${blank.length}`);
    } finally {
      await page.context().close();
    }
    t.diagnostic(`first page: ${join(dir, pngFile)}; HTML screenshot: ${join(dir, 'html-first-screen.png')}`);
  });

  test('the page loads nothing: requests to the network are aborted and scripts do not run', async () => {
    let hits = 0;
    const server: Server = createServer((_req, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}`;
      const hostile = `<!DOCTYPE html><html><head><link rel="stylesheet" href="${base}/a.css"><style>@import url(${base}/b.css); body{background:url(${base}/c.png)}</style></head>
<body><img src="${base}/d.png"><iframe src="${base}/e"></iframe><script>fetch('${base}/f'); document.title='ran';</script><p>x</p></body></html>`;
      const page = await isolatedPage(browser!);
      try {
        await page.setContent(hostile, { waitUntil: 'load' });
        await page.pdf({ format: 'A4' });
        assert.notEqual(await page.title(), 'ran');
      } finally {
        await page.context().close();
      }
      assert.equal(hits, 0, 'no request reached the server');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('`mamori report --format pdf --lang en` writes the English PDF (needs npm run build)', async () => {
    const out = join(dir, 'cli.pdf');
    const r = await runCli(['report', 'test/fixtures/report/site-small.json', '--format', 'pdf', '--lang', 'en', '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(out).subarray(0, 5).toString('latin1'), '%PDF-');
    const text = spawnSync('pdftotext', [out, '-'], { encoding: 'utf8' }).stdout;
    for (const h of ['Security Assessment Report', 'Executive summary', 'Plaintext communication', 'Maintenance plan', 'What could not be checked']) assert.ok(text.includes(h), h);
    assert.ok(text.replace(/\s+/g, '').includes('<script>alert("x")</script>'), 'the title is printed as text, not run');
  });
});
