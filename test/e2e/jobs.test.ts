/**
 * The dashboard's Jobs page end to end: `mamori serve` through the CLI on a fresh MAMORI_HOME (SQLite, the
 * in-process runner, retries shortened with MAMORI_JOB_RETRY_DELAY_SECONDS=1), real Chromium through
 * playwright-core. A site on a loopback port nothing listens on is scanned; its three attempts fail with backoff
 * and the scan fails for good. The Jobs page shows it — when, the kind, the target by name (an XSS payload,
 * shown as text) with its tenant, the reason — and "Scan again" queues a new scan. In Japanese too; a viewer has
 * no Jobs page. No console error, no CSP violation; a screenshot goes to docs/screenshots/jobs.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../host/sshd.js';
import { browserMissing, firstSignIn, launchBrowser, SHOTS, startServe, watchedContext, watchConsole as watch, type Served } from './serve.js';

const missing = browserMissing();

const ADMIN = 'admin@example.jp';
const PASSWORD = 'kanri-pass-2026-jobs';
const VIEWER = 'viewer@example.jp';
const VIEWER_PASSWORD = 'etsuran-pass-2026-jobs';
const TENANT = '<img src=x onerror="window.__xss=1">株式会社ジョブ商店';
const SITE = 'closed-shop<script>window.__xss=2</script>';

let home = '';
let served: Served | undefined;
let base = '';
let browser: Browser | undefined;

before(async () => {
  if (missing) return;
  home = mkdtempSync(join(tmpdir(), 'mamori-e2e-jobs-'));
  served = await startServe({ home, admin: ADMIN, password: PASSWORD, env: { MAMORI_JOB_RETRY_DELAY_SECONDS: '1' } });
  base = served.base;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await served?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The API as the signed-in page calls it: the session cookie, and the CSRF token on changes. */
async function apiOf(page: Page) {
  const s = (await (await page.request.get(`${base}/api/session`)).json()) as { csrfToken: string };
  return async <T>(method: 'GET' | 'POST', path: string, data?: unknown): Promise<{ status: number; body: T }> => {
    const res = await page.request.fetch(`${base}${path}`, { method, headers: method === 'GET' ? {} : { 'x-csrf-token': s.csrfToken }, ...(data === undefined ? {} : { data }) });
    return { status: res.status(), body: (await res.json().catch(() => undefined)) as T };
  };
}

test('the Jobs page: a scan failed for good with its reason and target, Scan again, in English and Japanese; not for viewers', { skip: missing ?? false, timeout: 120_000 }, async () => {
  const context = await watchedContext(browser!, { locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watch(page);

  // The admin's first sign-in with the TOTP set-up.
  await firstSignIn(page, base, ADMIN, PASSWORD);

  // A tenant, a site on a closed loopback port, a viewer of the tenant; the scan fails three times, then for good.
  const api = await apiOf(page);
  const tenant = await api<{ id: string }>('POST', '/api/tenants', { name: TENANT });
  assert.equal(tenant.status, 201);
  const site = await api<{ id: string }>('POST', '/api/targets', { tenantId: tenant.body.id, name: SITE, kind: 'site', address: `http://127.0.0.1:${await freePort()}/` });
  assert.equal(site.status, 201, JSON.stringify(site.body));
  assert.equal((await api('POST', '/api/users', { email: VIEWER, password: VIEWER_PASSWORD, role: 'viewer', tenantIds: [tenant.body.id] })).status, 201);
  const first = await api<{ scan: { id: string } }>('POST', `/api/targets/${site.body.id}/scans`, {});
  assert.equal(first.status, 202);
  const end = Date.now() + 60_000;
  let scan: { status: string; attempts: number; failureReason: string | null } | undefined;
  for (;;) {
    scan = (await api<{ status: string; attempts: number; failureReason: string | null }>('GET', `/api/scans/${first.body.scan.id}`)).body;
    if (scan.status === 'failed') break;
    if (Date.now() > end) assert.fail(`the scan did not fail for good in time (${JSON.stringify(scan)})\n${served!.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(scan.attempts, 3, 'three attempts, with backoff');

  // The Jobs page, from the navigation.
  await page.getByRole('link', { name: 'Jobs', exact: true }).click();
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
  const counts = page.getByTestId('jobs-counts');
  assert.equal(await counts.getAttribute('data-failed'), '1');
  assert.match((await counts.textContent())!, /0 scans queued · 0 scans running · 1 scan failed for good/);
  assert.match((await page.getByTestId('jobs-tenants').textContent())!, /株式会社ジョブ商店/);
  await page.getByTestId('jobs-queues').waitFor(); // the admin sees the runner's queue
  const row = page.locator('[data-testid=dead-letters] tbody tr').first();
  const link = row.getByRole('link', { name: SITE });
  assert.equal(await link.textContent(), SITE, 'the target by name, as text');
  assert.equal(await link.getAttribute('href'), `#/targets/${site.body.id}`);
  assert.match((await row.textContent())!, new RegExp(`${TENANT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'the tenant by name, as text');
  assert.equal(await row.locator('td').nth(1).textContent(), 'Scan', 'the kind of job');
  const reason = (await row.getByTestId('dead-reason').textContent())!;
  assert.equal(reason, scan.failureReason);
  assert.match(reason, /ECONNREFUSED|refused/i);
  assert.equal(await page.locator('[data-testid=dead-letters] img').count(), 0, 'no element made from a name');
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'jobs.png'), fullPage: false });

  // Scan again: a new scan of the target is queued (POST /api/targets/:id/scans with the CSRF header).
  await row.getByTestId('rescan').click();
  await page.getByText(`A new scan of ${SITE} is queued.`).waitFor();
  const scans = (await api<{ items: { id: string }[] }>('GET', `/api/targets/${site.body.id}/scans`)).body.items;
  assert.equal(scans.length, 2, 'a second scan');
  assert.notEqual(scans[0]!.id, first.body.scan.id);

  // The target link leads to the target page.
  await link.click();
  await page.getByTestId('target-name').waitFor();
  assert.equal(await page.getByTestId('target-name').textContent(), SITE);

  // In Japanese.
  await page.getByTestId('lang-switch').click();
  await page.getByRole('link', { name: 'ジョブ', exact: true }).click();
  await page.getByRole('heading', { name: 'ジョブ', level: 1 }).waitFor();
  await page.getByRole('heading', { name: /最終的に失敗したジョブ \(\d+ 件\)/ }).waitFor();
  assert.ok((await page.getByRole('button', { name: /再スキャン/ }).count()) >= 1);
  assert.match((await page.getByTestId('jobs-counts').textContent())!, /失敗 \d+ 件/);

  assert.equal(await page.evaluate('window.__xss'), undefined);
  assert.deepEqual(await page.evaluate('window.__csp'), []);
  assert.deepEqual(problems, []);
  await context.close();

  // A viewer: no Jobs entry, no Jobs page, and the API refuses.
  const vctx = await browser!.newContext({ locale: 'en-GB' });
  const vpage = await vctx.newPage();
  const vproblems = watch(vpage);
  await vpage.goto(base + '/');
  await vpage.getByLabel('Email').fill(VIEWER);
  await vpage.getByLabel('Password').fill(VIEWER_PASSWORD);
  await vpage.getByRole('button', { name: 'Sign in' }).click();
  await vpage.getByRole('heading', { name: 'Fleet overview' }).waitFor();
  assert.equal(await vpage.getByRole('link', { name: 'Jobs', exact: true }).count(), 0);
  await vpage.goto(base + '/#/jobs');
  await vpage.getByRole('heading', { name: 'Page not found' }).waitFor();
  for (const p of ['/api/jobs/dead-letters', '/api/jobs/summary']) assert.equal((await vpage.request.get(base + p)).status(), 403, p);
  assert.deepEqual(vproblems, []);
  await vctx.close();
});
