/**
 * The fleet findings page past the count cap: `mamori serve` through the built CLI on a MAMORI_HOME whose SQLite
 * store holds 21 hosts with 500 findings each in their latest scan (10,500, over the 10,000 the list counts to).
 * Real Chromium: the page says "10,000+" and "Page 1 of 200+" and keeps Next on, instead of a total that looks
 * exact; the last page (210) counts to its end and shows the exact 10,500 with Next off; the same in Japanese; the
 * API answers totalIsLowerBound with every field of the findings kept. No console error, no CSP violation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { golden, variant } from '../fleet/partial-docs.js';
import { browserMissing, firstSignIn, seededHome, startDashboard, watchedContext, watchConsole, type Dashboard } from './serve.js';

const missing = browserMissing();
const ADMIN = 'admin@example.jp';
const PASSWORD = 'kanri-pass-2026-countcap';
const HOST = golden('host-ubuntu2204');
const PER_TARGET = 500;
const TARGETS = 21;

let dash: Dashboard | undefined;

before(async () => {
  if (missing) return;
  const findings = Array.from({ length: PER_TARGET }, (_, i) => ({ ...HOST.findings[i % HOST.findings.length]!, id: `${HOST.findings[i % HOST.findings.length]!.id}-${i}` }));
  const { home } = await seededHome('mamori-e2e-countcap-', {
    tenant: '株式会社たくさん',
    hosts: Array.from({ length: TARGETS }, (_, i) => ({ name: `web-${String(i).padStart(2, '0')}`, address: `10.0.0.${i + 1}:22`, docs: [variant(HOST, '2026-11-20T00:00:00.000Z', findings)] })),
  });
  dash = await startDashboard(home, ADMIN, PASSWORD);
});

after(async () => {
  await dash?.stop();
});

test('past 10,000 findings the findings page says "10,000+" and pages on; the last page counts exactly', { skip: missing ?? false, timeout: 240_000 }, async () => {
  const context = await watchedContext(dash!.browser, { locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const base = dash!.served.base;

  await firstSignIn(page, base, ADMIN, PASSWORD);

  // The API: a lower bound, flagged; the findings keep every field.
  const api = (await page.evaluate(async () => (await fetch('/api/findings?pageSize=2')).json())) as { total: number; totalIsLowerBound: boolean; items: Record<string, unknown>[] };
  assert.equal(api.total, 10_000);
  assert.equal(api.totalIsLowerBound, true);
  for (const k of ['scanId', 'tenantId', 'targetId', 'findingId', 'category', 'severity', 'title', 'cves', 'kev', 'accepted', 'targetName', 'unverifiedSince']) assert.ok(k in api.items[0]!, `${k} in ${Object.keys(api.items[0]!).join(', ')}`);

  const pager = page.getByRole('navigation', { name: 'Pages' });
  await page.goto(`${base}/#/findings`);
  await page.getByRole('heading', { name: '10,000+ findings (latest scan of each target; counted up to 10,000)' }).waitFor();
  assert.equal((await pager.locator('span').textContent())?.trim(), 'Page 1 of 200+ (more than 10,000: counting stops there)');
  assert.equal(await pager.getByRole('button', { name: 'Next' }).isEnabled(), true);

  // The last page: counted to its end, exact.
  const last = (TARGETS * PER_TARGET) / 50;
  await page.goto(`${base}/#/findings?page=${last}`);
  await page.getByRole('heading', { name: '10500 findings (latest scan of each target)' }).or(page.getByRole('heading', { name: '10,500 findings (latest scan of each target)' })).waitFor();
  assert.match((await pager.locator('span').textContent()) ?? '', new RegExp(`^Page ${last} of ${last} \\(10,?500 in all\\)$`));
  assert.equal(await pager.getByRole('button', { name: 'Next' }).isEnabled(), false);
  assert.equal(await page.locator('[data-testid=fleet-findings] tbody tr').count(), 50);

  // In Japanese.
  await page.getByTestId('lang-switch').click();
  await page.goto(`${base}/#/findings?page=2`);
  await page.getByRole('heading', { name: '検出事項 10,000+ 件 (各対象の最新スキャン。10,000 件まで数えています)' }).waitFor();
  assert.equal((await page.getByRole('navigation', { name: 'ページ' }).locator('span').textContent())?.trim(), '2 / 200+ ページ (10,000 件超: 件数はここまでしか数えません)');

  assert.deepEqual(await page.evaluate('window.__csp'), []);
  assert.deepEqual(problems, []);
  await context.close();
});
