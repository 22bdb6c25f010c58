/**
 * The dashboard says which findings the latest scan could not check: `mamori serve` through the built CLI on a
 * MAMORI_HOME whose SQLite store holds a host scanned in full (the golden Ubuntu document), then with its package
 * list timed out (the gap dpkg-query's failure writes). Real Chromium: the target page and the fleet findings page
 * label the package findings "Not verified since <date>" (in English and Japanese, the date shown, the reason in
 * the tooltip), and no other finding. No console error, no CSP violation; no screenshot is written.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { fromPackages, golden, variant, withoutPackageList } from '../fleet/partial-docs.js';
import { browserMissing, firstSignIn, seededHome, startDashboard, watchedContext, watchConsole, type Dashboard } from './serve.js';

const missing = browserMissing();
const ADMIN = 'admin@example.jp';
const PASSWORD = 'kanri-pass-2026-coverage';
const HOST = golden('host-ubuntu2204');
const PKG = HOST.findings.filter(fromPackages);
const PARTIAL_AT = '2026-11-27T00:00:00.000Z';

let dash: Dashboard | undefined;
let targetId = '';

before(async () => {
  if (missing) return;
  // The store the server will open, filled before it starts: a full scan, then one whose package list timed out.
  const seeded = await seededHome('mamori-e2e-coverage-', {
    tenant: '株式会社カバレッジ商店',
    hosts: [{ name: 'ubuntu-web', address: '127.0.0.1:2231', docs: [variant(HOST, '2026-11-20T00:00:00.000Z', HOST.findings), withoutPackageList(HOST, PARTIAL_AT)] }],
  });
  targetId = seeded.targetIds[0]!;
  const { home } = seeded;
  dash = await startDashboard(home, ADMIN, PASSWORD);
});

after(async () => {
  await dash?.stop();
});

/** The rows of a findings table: the title cell's text and its "not verified" badge (text, tooltip, date), if any. */
async function rows(page: Page, testid: string): Promise<{ text: string; badge: string | null; title: string | null; since: string | null }[]> {
  const table = page.locator(`[data-testid=${testid}] tbody tr`);
  await table.first().waitFor();
  return table.evaluateAll((trs) =>
    trs.map((tr) => {
      const b = tr.querySelector('[data-testid=finding-not-checked]');
      return { text: tr.textContent ?? '', badge: b?.textContent ?? null, title: b?.getAttribute('title') ?? null, since: b?.getAttribute('data-since') ?? null };
    }),
  );
}

test('the target page and the fleet findings page label the findings the latest scan could not check, in English and Japanese', { skip: missing ?? false, timeout: 180_000 }, async () => {
  const context = await watchedContext(dash!.browser, { locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const base = dash!.served.base;

  await firstSignIn(page, base, ADMIN, PASSWORD);

  // The target page: every finding of the full scan is still listed; the package ones carry the label.
  await page.goto(`${base}/#/targets/${encodeURIComponent(targetId)}`);
  await page.getByTestId('target-name').waitFor();
  const target = await rows(page, 'findings');
  assert.equal(target.length, HOST.findings.length, target.map((r) => r.text).join('\n'));
  const labelled = target.filter((r) => r.badge !== null);
  assert.equal(labelled.length, PKG.length, labelled.map((r) => r.text).join('\n'));
  for (const r of labelled) {
    assert.match(r.badge!, /^Not verified since \S+/);
    assert.match(r.badge!, /2026/, 'the date is shown, not only in the tooltip');
    assert.match(r.title!, /could not check it/);
    assert.equal(r.since, PARTIAL_AT);
  }
  // Which ones: the titles of the package findings (pending updates, the distribution's advisory, the reboot).
  for (const f of PKG) assert.ok(labelled.some((r) => r.text.includes(f.title.slice(0, 40))), `${f.id} is labelled`);

  // The fleet findings page: the same label on the same rows.
  await page.goto(`${base}/#/findings`);
  const fleet = await rows(page, 'fleet-findings');
  assert.equal(fleet.filter((r) => r.badge !== null).length, PKG.length);

  // In Japanese.
  await page.getByTestId('lang-switch').click();
  await page.goto(`${base}/#/targets/${encodeURIComponent(targetId)}`);
  await page.getByTestId('target-name').waitFor();
  const ja = (await rows(page, 'findings')).filter((r) => r.badge !== null);
  assert.equal(ja.length, PKG.length);
  for (const r of ja) {
    assert.match(r.badge!, /以降未確認$/);
    assert.match(r.title!, /確認できていません/);
  }

  assert.deepEqual(await page.evaluate('window.__csp'), []);
  assert.deepEqual(problems, []);
  await context.close();
});
