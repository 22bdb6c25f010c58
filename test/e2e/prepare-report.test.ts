/**
 * "Prepare report" in the dashboard, as an operator uses it: `mamori serve` through the built CLI (embedded
 * SQLite, the in-process job runner renders the report) on a MAMORI_HOME holding a tenant with a scanned host (the
 * golden Ubuntu document). Real Chromium: the tenant page queues the owner report (PDF, the default format, in
 * Japanese), lists it, then ready with a download link; the download is a real PDF; a second
 * report in HTML and English lists beside it and its download names the tenant. No console error, no CSP violation.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { golden, variant } from '../fleet/partial-docs.js';
import { browserMissing, firstSignIn, seededHome, startDashboard, watchedContext, watchConsole, type Dashboard } from './serve.js';

const missing = browserMissing();
const ADMIN = 'admin@example.jp';
const PASSWORD = 'kanri-pass-2026-reports';
const TENANT = '株式会社ほうこく商店';
const HOST = golden('host-ubuntu2204');

let dash: Dashboard | undefined;
let tenantId = '';

before(async () => {
  if (missing) return;
  const seeded = await seededHome('mamori-e2e-report-', { tenant: TENANT, hosts: [{ name: 'shop-web', address: '127.0.0.1:2232', docs: [variant(HOST, '2026-12-01T00:00:00.000Z', HOST.findings)] }] });
  tenantId = seeded.tenantId;
  const { home } = seeded;
  dash = await startDashboard(home, ADMIN, PASSWORD);
});

after(async () => {
  await dash?.stop();
});

/** The report list's rows: status (data-status), the row's text, and whether it has a download link. */
async function reportRows(page: Page): Promise<{ status: string; text: string; href: string | null }[]> {
  return page.locator('[data-testid=report-list] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ status: tr.querySelector('[data-status]')?.getAttribute('data-status') ?? '', text: tr.textContent ?? '', href: tr.querySelector('a[download]')?.getAttribute('href') ?? null })),
  );
}

async function untilReady(page: Page, count: number): Promise<{ status: string; text: string; href: string | null }[]> {
  const end = Date.now() + 240_000;
  for (;;) {
    const rows = await reportRows(page);
    if (rows.length === count && rows.every((r) => r.status === 'done' || r.status === 'failed')) return rows;
    if (Date.now() > end) throw new Error(`reports not ready: ${JSON.stringify(rows)}\n${dash!.served.log().slice(-3000)}`);
    await page.waitForTimeout(500);
  }
}

test('an operator prepares the owner report on the tenant page and downloads it when it is ready', { skip: missing ?? false, timeout: 420_000 }, async () => {
  const context = await watchedContext(dash!.browser, { locale: 'en-GB', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const base = dash!.served.base;

  await firstSignIn(page, base, ADMIN, PASSWORD);

  await page.goto(`${base}/#/tenants/${encodeURIComponent(tenantId)}`);
  const form = page.getByTestId('prepare-report');
  await form.waitFor();
  // Nothing prepared yet: the list says so rather than staying empty.
  await page.getByTestId('report-list').waitFor();
  assert.equal((await reportRows(page)).length, 0);

  // The default: PDF. The language chosen: Japanese (the owner's).
  assert.equal(await form.locator('select[name=format]').inputValue(), 'pdf');
  await form.locator('select[name=lang]').selectOption('ja');
  await form.getByRole('button', { name: 'Prepare report' }).click();
  await page.locator('[data-testid=report-list] tbody tr').first().waitFor();
  const first = await untilReady(page, 1);
  assert.equal(first[0]!.status, 'done', `${first[0]!.text}\n${dash!.served.log().slice(-3000)}`);
  assert.match(first[0]!.text, /PDF · 日本語/);
  assert.ok(first[0]!.href?.startsWith('/api/reports/'), 'a download link once ready');

  // The download, through the link the operator clicks.
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=report-list] a[download]').first().click()]);
  const pdfBytes = readFileSync((await pdf.path())!);
  assert.equal(pdfBytes.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdfBytes.length > 10_000, `a rendered report, not an error page (${pdfBytes.length} bytes)`);
  assert.match(pdf.suggestedFilename(), /\.pdf$/);

  // A second one in HTML and English: both listed, newest first.
  await form.locator('select[name=format]').selectOption('html');
  await form.locator('select[name=lang]').selectOption('en');
  await form.getByRole('button', { name: 'Prepare report' }).click();
  const both = await untilReady(page, 2);
  assert.deepEqual(both.map((r) => r.status), ['done', 'done']);
  assert.match(both[0]!.text, /HTML · English/);
  const [html] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=report-list] a[download]').first().click()]);
  const text = readFileSync((await html.path())!, 'utf8');
  assert.match(text, /^<!doctype html>/i);
  assert.ok(text.includes(TENANT), 'the owner report names the tenant');
  assert.match(html.suggestedFilename(), /\.html$/);

  assert.deepEqual(await page.evaluate('window.__csp'), []);
  assert.deepEqual(problems, []);
  await context.close();
});
