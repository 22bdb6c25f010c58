/**
 * The dashboard end to end, as an operator uses it: `mamori serve` started through the CLI on a fresh
 * MAMORI_HOME (embedded SQLite store), real Chromium (Debian's /usr/bin/chromium through playwright-core), a real
 * sshd on 127.0.0.1 chrooting into an old CentOS 6 shop server look-alike, a shop site on 127.0.0.1 and a real
 * SMTP server on 127.0.0.1. First login with TOTP set-up (codes computed here by RFC 6238), a tenant whose name
 * is an XSS payload, a host over SSH and a site by URL, scans with live progress, findings, a change on the site
 * and the diff of the two scans, a risk accepted until a date, the owner PDF, the notification email. The page
 * runs under the server's CSP with no console error and no CSP violation; screenshots go to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildCentosRoot, centosRootMissing, type CentosRoot } from '../host/centos-root.js';
import { sshdMissing, startSshd, type Sshd } from '../host/sshd.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { customerExport, serve } from './targets.js';
import { browserMissing, launchBrowser, SHOTS, startServe, watchConsole, type Served } from './serve.js';

const missing =
  browserMissing() ??
  sshdMissing() ??
  centosRootMissing();

// ---- RFC 6238 (TOTP: HMAC-SHA1, 30 s steps, 6 digits) over an RFC 4648 base32 secret
function base32(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '').replace(/\s+/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const out: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}
export function totp(secret: string, at = Date.now(), step = 30): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / step)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const off = mac[mac.length - 1]! & 0x0f;
  const bin = ((mac[off]! & 0x7f) << 24) | (mac[off + 1]! << 16) | (mac[off + 2]! << 8) | mac[off + 3]!;
  return String(bin % 1_000_000).padStart(6, '0');
}

// ---- the shop site: phase 1 serves the customer export; phase 2 removed it but left a Git checkout exposed
let sitePhase = 1;
const csv = customerExport(30);
function shop(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/' || path === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', server: 'Apache/2.2.15 (CentOS)' });
    return void res.end('<!doctype html><html lang="ja"><head><title>テストショップ</title></head><body><form method="post" action="/login.php"><input name="login_email"><input type="password" name="login_pass"></form><a href="/item/1.html">商品</a></body></html>');
  }
  if (path === '/data/customer.csv' && sitePhase === 1) {
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': csv.length });
    return void res.end(req.method === 'HEAD' ? undefined : csv);
  }
  if (path === '/.git/HEAD' && sitePhase === 2) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end('ref: refs/heads/master\n');
  }
  if (path === '/.git/config' && sitePhase === 2) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end('[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n[remote "origin"]\n\turl = git@example.jp:shop/site.git\n');
  }
  res.writeHead(404, { 'content-type': 'text/html' });
  res.end('<html><body>Not Found</body></html>');
}

const ADMIN = 'admin@example.jp';
const PASSWORD = 'kanri-pass-2026-long';
const XSS_TENANT = '<img src=x onerror="window.__xss=1">株式会社テスト商店';
const XSS_HOST = 'web1<script>window.__xss=2</script>';

let home = '';
let box: CentosRoot | undefined;
let sshd: Sshd | undefined;
let site: { url: string; close: () => Promise<void> } | undefined;
let smtp: TestSmtpServer | undefined;
let served: Served | undefined;
let base = '';
let browser: Browser | undefined;

before(async () => {
  if (missing) return;
  home = mkdtempSync(join(tmpdir(), 'mamori-e2e-ui-'));
  box = buildCentosRoot();
  sshd = await startSshd({ exec: box.sshExec });
  site = await serve(shop);
  smtp = await startSmtpServer();
  served = await startServe({ home, admin: ADMIN, password: PASSWORD, env: { MAMORI_SMTP_URL: smtp.url, MAMORI_SMTP_FROM: 'mamori@example.jp' } });
  base = served.base;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await served?.stop();
  await site?.close();
  await smtp?.close();
  await sshd?.stop();
  if (box) rmSync(box.dir, { recursive: true, force: true });
  if (home) rmSync(home, { recursive: true, force: true });
});

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** Runs a scan from the target page and waits until the page shows it finished (live progress, then reload). */
async function runScan(page: Page, expectStatus: 'done' | 'failed' = 'done'): Promise<void> {
  const before = await page.locator('[data-testid=scans] tbody tr').count();
  await page.getByTestId('run-scan').click();
  await page.getByTestId('progress-text').waitFor({ timeout: 10_000 });
  // The page follows the scan live and shows it in the list when it ends (polled here through the page's own DOM).
  const end = Date.now() + 150_000;
  for (;;) {
    const rows = page.locator('[data-testid=scans] tbody tr');
    const n = await rows.count();
    const s = n > 0 ? await rows.first().locator('[data-status]').getAttribute('data-status', { timeout: 1000 }).catch(() => null) : null;
    if (n > before && (s === 'done' || s === 'failed')) break;
    if (Date.now() > end) assert.fail(`scan did not finish in time\n--- server log ---\n${served!.log().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const status = await page.locator('[data-testid=scans] tbody tr').first().locator('[data-status]').getAttribute('data-status');
  if (status !== expectStatus) {
    const reason = await page.locator('[data-testid=scans] tbody tr').first().textContent();
    assert.fail(`scan ended ${status}, expected ${expectStatus}: ${reason}\n--- server log ---\n${served!.log().slice(-4000)}`);
  }
}

/** How long each step took (printed as test diagnostics: figures, not assertions). */
const timings: [string, number][] = [];
let mark = Date.now();
const step = (name: string): void => {
  const now = Date.now();
  timings.push([name, now - mark]);
  mark = now;
};

test('the dashboard end to end: login with TOTP, tenant, host over SSH, site, scans, diff, accepted risk, PDF, email', { skip: missing ?? false, timeout: 400_000 }, async (t) => {
  const context: BrowserContext = await browser!.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.addInitScript({ content: "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));" });
  const page = await context.newPage();
  const problems = watchConsole(page);
  mark = Date.now();

  // The server answers the dashboard with a strict CSP; the page follows the browser's language (ja).
  const first = await page.goto(base + '/');
  const csp = first!.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /style-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  await page.getByRole('heading', { name: 'mamori にログイン' }).waitFor();
  // Keyboard: the first focusable element is the skip link, and Enter on it moves the focus to the content.
  assert.equal(await page.evaluate("document.querySelector('a[href], button, input, select, textarea')?.textContent"), '本文へ移動');
  await page.locator('a.skip').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate('document.activeElement?.id'), 'main');
  // Switch to English; the choice is remembered across a reload.
  await page.getByTestId('lang-switch').click();
  await page.getByRole('heading', { name: 'Sign in to mamori' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in to mamori' }).waitFor();

  // First login of the admin: password, then the TOTP set-up (secret shown as text), then a code.
  await page.getByLabel('Email').fill(ADMIN);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  assert.match(secret, /^[A-Z2-7]{16,}=*$/);
  assert.match((await page.getByTestId('totp-uri').textContent())!, /^otpauth:\/\/totp\/.+secret=/);
  await page.getByLabel('Code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on and continue' }).click();
  await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
  const openapi = (await (await page.request.get(base + '/api/openapi.json')).json()) as { paths?: Record<string, unknown> };
  const openapiPaths = Object.keys(openapi.paths ?? {});

  step('login');
  // A tenant whose name is an XSS payload: stored and shown as text.
  await page.getByRole('link', { name: 'Tenants', exact: true }).click();
  await page.getByLabel('Tenant name').fill(XSS_TENANT);
  await page.getByRole('button', { name: 'Add tenant' }).click();
  await page.getByTestId('tenant-name').waitFor();
  assert.equal(await page.getByTestId('tenant-name').textContent(), XSS_TENANT);
  const tenantUrl = page.url();

  // A host over SSH (the CentOS 6 look-alike behind a real sshd), with its key and known_hosts.
  const host = page.getByTestId('add-host');
  await host.getByLabel('Name').fill(XSS_HOST);
  await host.getByLabel('Host[:port]').fill(`127.0.0.1:${sshd!.port}`);
  await host.getByLabel('SSH user').fill(sshd!.user);
  await host.getByLabel('SSH private key').fill(readFileSync(sshd!.userKey, 'utf8'));
  await host.getByLabel('known_hosts').fill(readFileSync(sshd!.knownHosts, 'utf8'));
  await host.getByLabel('Tags').fill('centos6, shop');
  await host.getByRole('button', { name: 'Add host (SSH)' }).click();
  await page.getByTestId('target-name').waitFor();
  assert.equal(await page.getByTestId('target-name').textContent(), XSS_HOST);
  step('host added');
  await runScan(page);
  step('host scan');
  const hostFindings = await page.locator('[data-testid=findings] tbody tr').allTextContents();
  assert.ok(hostFindings.length > 0, 'the host scan shows findings');
  assert.ok(hostFindings.some((r) => /End of support/.test(r)), `an end-of-support finding (CentOS 6 / PHP 5.3): ${hostFindings.join('\n')}`);
  const phases = await page.locator('[data-testid=lifecycle] [data-phase]').evaluateAll((els) => els.map((e) => e.getAttribute('data-phase')));
  assert.ok(phases.includes('eol'), `support phases show end of life in red: ${phases.join(',')}`);
  // The host's patch plan is offered from its latest scan (where the server makes patch plans).
  if (openapiPaths.includes('/api/targets/{id}/patch-plan')) await page.getByRole('heading', { name: 'Patch plan' }).waitFor();
  await shot(page, 'target');

  step('host page checked');
  // The notification settings of the tenant: the owner's address (the scans below notify it).
  const notifyRoute = openapiPaths.includes('/api/tenants/{id}/notifications');
  if (notifyRoute) {
    await page.goto(tenantUrl);
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByLabel('Email recipients').fill('owner@shop.example.jp');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
  }

  // A site by URL, scanned: the customer export in the public area is found.
  await page.goto(tenantUrl);
  const siteForm = page.getByTestId('add-site');
  await siteForm.getByLabel('Name').fill('shop-site');
  await siteForm.getByLabel('URL').fill(site!.url + '/');
  await siteForm.getByLabel('Tags').fill('shop');
  await siteForm.getByRole('button', { name: 'Add site (URL)' }).click();
  await page.getByTestId('target-name').waitFor();
  const siteUrl = page.url();
  await runScan(page);
  step('site added + scanned');
  const siteRows1 = await page.locator('[data-testid=findings] tbody tr').allTextContents();
  assert.ok(siteRows1.some((r) => /Personal data/.test(r)), `the customer export is found: ${siteRows1.join('\n')}`);

  // The site changes (export removed, a Git checkout exposed); rescan and compare the two scans.
  sitePhase = 2;
  await runScan(page);
  step('site changed + rescanned');
  await page.getByTestId('diff-pick').getByRole('button', { name: 'Compare' }).click();
  await page.getByRole('heading', { name: 'Compare scans' }).waitFor();
  await page.getByTestId('diff-new-count').waitFor();
  const newRows = await page.locator('[data-testid=diff-new] tbody tr').allTextContents();
  const resolvedRows = await page.locator('[data-testid=diff-resolved] tbody tr').allTextContents();
  assert.ok(newRows.some((r) => /git/i.test(r)), `new: the exposed Git checkout: ${newRows.join('\n')}`);
  assert.ok(resolvedRows.some((r) => /Personal data/.test(r)), `resolved: the customer export: ${resolvedRows.join('\n')}`);
  await shot(page, 'diff');

  step('diff');
  // Accept the new risk until a date, from the finding's own link; it is listed as active with its expiry.
  await page.goto(siteUrl);
  const row = page.locator('[data-testid=findings] tbody tr', { hasText: /git/i }).first();
  await row.getByRole('link', { name: 'Accept risk…' }).click();
  const exForm = page.getByTestId('exception-form');
  await exForm.waitFor();
  assert.ok((await exForm.getByLabel('Finding ID').inputValue()).length > 0, 'the finding id is filled in');
  const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await exForm.getByLabel('Reason').fill('Deploy moves to rsync next sprint; access limited by IP meanwhile');
  await exForm.getByLabel('Owner').fill('Tanaka (web team)');
  await exForm.getByLabel('Expires').fill(expiry);
  await exForm.getByRole('button', { name: 'Accept risk' }).click();
  const exRow = page.locator('[data-testid=exceptions] tbody tr', { hasText: 'Tanaka (web team)' });
  await exRow.waitFor();
  assert.match((await exRow.textContent())!, /Active/);

  step('exception');
  // The tenant's owner report as a PDF (a real download through the browser).
  await page.goto(tenantUrl);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('link', { name: 'Owner report (PDF)' }).click()]);
  const pdfPath = join(home, 'owner.pdf');
  await download.saveAs(pdfPath);
  assert.equal(readFileSync(pdfPath).subarray(0, 5).toString('latin1'), '%PDF-');

  step('owner PDF');
  // The fleet overview answers at a glance: end of life and personal data on the host, a severity chart.
  await page.goto(base + '/#/');
  await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
  await page.getByTestId('severity-chart').waitFor();
  assert.ok((await page.locator('[data-testid=end-of-life] tbody tr').count()) > 0, 'end of life listed');
  assert.match((await page.getByTestId('stat-targets').textContent())!, /^2/);
  await shot(page, 'overview');

  step('overview');
  // On a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  assert.ok(overflow <= 1, `the overview fits a phone screen (overflow ${overflow}px)`);

  step('phone');
  // Nothing ran that the page did not build itself, and the page raised no error.
  assert.equal(await page.evaluate('window.__xss'), undefined);
  assert.deepEqual(await page.evaluate('window.__csp'), []);
  assert.deepEqual(problems, []);
  t.diagnostic(timings.map(([n, ms]) => `${n}: ${(ms / 1000).toFixed(1)} s`).join('; '));
  // The email: a notification of the scans reached the owner's address over real SMTP.
  assert.ok(notifyRoute, `the server has no notification settings route (GET|PUT /api/tenants/{id}/notifications): ${openapiPaths.join(' ')}`);
  const mails = await smtp!.waitFor(1, 60_000);
  assert.ok(mails.some((m) => m.to.includes('owner@shop.example.jp')), `mail to the owner: ${mails.map((m) => `${m.to.join(',')}: ${m.subject}`).join('\n')}`);

  step('email');
  t.diagnostic(`email: ${(timings.at(-1)![1] / 1000).toFixed(1)} s`);
  await context.close();
});
