/**
 * What the dashboard's end-to-end tests share: `mamori serve` started through the built CLI with a first admin
 * (waiting for /healthz, its output kept for failure messages, stopped with SIGTERM then SIGKILL), Debian's
 * Chromium through playwright-core, and a watch on the page's console errors.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ReportDocument } from '../../src/core/model.js';
import { openFleetStore } from '../../src/fleet/store/index.js';
import { SYSTEM_SCOPE } from '../../src/fleet/types.js';
import { totp } from '../../src/server/auth/totp.js';
import { freePort } from '../host/sshd.js';

export const repo = fileURLToPath(new URL('../../', import.meta.url));
export const SHOTS = join(repo, 'docs/screenshots');
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why the dashboard cannot be tested here (no Chromium, the UI not built), or undefined. */
export function browserMissing(): string | undefined {
  return (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not installed (Debian package chromium)`) ?? (existsSync(join(repo, 'dist/ui/app.js')) ? undefined : 'dist/ui is not built: run npm run build');
}

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true, timeout: 60_000 });

export interface Served {
  base: string;
  /** What the server wrote on stdout and stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * `mamori serve` on a free loopback port, run in `home` with MAMORI_HOME `home/home` and the first admin from a
 * password file; resolves once /healthz answers (60 s), with the server's output in the error otherwise.
 */
export async function startServe(o: { home: string; admin: string; password: string; env?: NodeJS.ProcessEnv }): Promise<Served> {
  const pw = join(o.home, 'admin-password');
  writeFileSync(pw, `${o.password}\n`, { mode: 0o600 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [join(repo, 'bin/mamori.js'), 'serve', '--listen', `127.0.0.1:${port}`, '--init-admin', o.admin, '--init-password-file', pw], {
    cwd: o.home,
    env: { ...process.env, MAMORI_HOME: join(o.home, 'home'), MAMORI_OFFLINE: '1', NO_COLOR: '1', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  server.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        server.kill('SIGKILL');
        r(undefined);
      }, 10_000);
      server.once('exit', () => {
        clearTimeout(t);
        r(undefined);
      });
    });
  };
  const end = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`mamori serve exited ${server.exitCode}:\n${log}`);
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > end) {
      await stop();
      throw new Error(`mamori serve did not answer /healthz within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, log: () => log, stop };
}

/** Console errors and uncaught errors of the page (the unauthenticated GET /api/session before login is expected). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const loc = m.location().url ?? '';
    if (/status of 401/.test(m.text()) && loc.endsWith('/api/session')) return;
    problems.push(`console: ${m.text()} (${loc})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** A browser context whose pages record CSP violations in `window.__csp` (read it with page.evaluate('window.__csp')). */
export async function watchedContext(browser: Browser, options: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.addInitScript({ content: "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));" });
  return context;
}

/** The first admin's first sign-in in English: password, the TOTP set-up with the secret shown, a code; ends on the overview. */
export async function firstSignIn(page: Page, base: string, admin: string, password: string): Promise<void> {
  await page.goto(base + '/');
  await page.getByLabel('Email').fill(admin);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  await page.getByLabel('Code').fill(totp(secret, new Date()));
  await page.getByRole('button', { name: 'Turn on and continue' }).click();
  await page.getByRole('heading', { name: 'Fleet overview' }).waitFor();
}

/**
 * A fresh directory whose MAMORI_HOME (`home/home`, as startServe uses it) holds a SQLite fleet store with one
 * tenant and its host targets, each scanned once per document in order (each a finished scan), before the server
 * starts.
 */
export async function seededHome(prefix: string, o: { tenant: string; hosts: readonly { name: string; address: string; docs: readonly ReportDocument[] }[] }): Promise<{ home: string; tenantId: string; targetIds: string[] }> {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const store = await openFleetStore({ home: join(home, 'home') });
  try {
    await store.migrate();
    const tenantId = (await store.createTenant(SYSTEM_SCOPE, o.tenant)).id;
    const targetIds: string[] = [];
    for (const host of o.hosts) {
      const targetId = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId, name: host.name, kind: 'host', address: host.address, sshUser: 'mamori' }))!.target.id;
      targetIds.push(targetId);
      for (const doc of host.docs) {
        const s = (await store.createScan(SYSTEM_SCOPE, targetId, 'manual'))!;
        await store.startScan(s.id);
        await store.finishScan(s.id, doc, 'test-knowledge');
      }
    }
    return { home, tenantId, targetIds };
  } finally {
    await store.close();
  }
}

export interface Dashboard {
  served: Served;
  browser: Browser;
  /** Browser and server stopped, `home` removed. */
  stop(): Promise<void>;
}

/** mamori serve on `home` (startServe) and Chromium, for a dashboard test's before(); stop() in its after(). */
export async function startDashboard(home: string, admin: string, password: string): Promise<Dashboard> {
  const served = await startServe({ home, admin, password });
  const browser = await launchBrowser().catch(async (err: unknown) => {
    await served.stop();
    throw err;
  });
  return {
    served,
    browser,
    stop: async () => {
      await browser.close();
      await served.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
