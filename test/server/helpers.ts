/**
 * The fleet server in process for tests: a real store (SQLite in a temporary $MAMORI_HOME, or a throw-away
 * PostgreSQL database), the Fastify app with its log captured, a movable clock, and a small fleet in two tenants:
 * an admin with TOTP, an operator and a viewer of tenant A, a viewer of tenant B, targets with SSH keys, finished
 * scans (a real report document), an exception, and tokens.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { generateSecretKey } from '../../src/fleet/secrets.js';
import { openFleetStore } from '../../src/fleet/store/index.js';
import type { FleetStore } from '../../src/fleet/ports.js';
import { SYSTEM_SCOPE, type StoredDocument, type Target, type Tenant } from '../../src/fleet/types.js';
import { buildServer } from '../../src/server/app.js';
import type { ScanRunner } from '../../src/server/types.js';
import type { ServerOps } from '../../src/worker/ops.js';
import { hashPassword } from '../../src/server/auth/password.js';
import { newTotpSecret, totp } from '../../src/server/auth/totp.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres.js';

export const FIXTURE_DOC = JSON.parse(readFileSync(new URL('../fixtures/golden/host-centos6.en.json', import.meta.url), 'utf8')) as StoredDocument;

/** Secrets the tests look for in every answer and in the log. */
export const SSH_KEY_MARKER = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQSECRETMARKERQ';
export const SSH_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${SSH_KEY_MARKER}\nAAAAC3NzaC1lZDI1NTE5AAAAIGq3mamoritestkeyonlyfortestsnotarealkey00000\n-----END OPENSSH PRIVATE KEY-----\n`;
export const KNOWN_HOSTS = '[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnownHostsMarkerQ9\n';
export const PASSWORDS = {
  admin: 'admin-pass-Xq8w-2026',
  operatorA: 'operator-a-pass-Zk3',
  viewerA: 'viewer-a-pass-Mn7b',
  viewerB: 'viewer-b-pass-Pq5c',
  fresh: 'fresh-admin-pass-Ld2',
} as const;

export interface Dialect {
  name: 'SQLite' | 'PostgreSQL';
  skip?: string;
  open(): Promise<{ store: FleetStore; cleanup(): Promise<void> }>;
}

export async function dialects(): Promise<Dialect[]> {
  const pgDown = await postgresUnavailable();
  return [
    {
      name: 'SQLite',
      async open() {
        const home = mkdtempSync(join(tmpdir(), 'mamori-server-test-'));
        const store = await openFleetStore({ home, secretKey: generateSecretKey() });
        await store.migrate();
        return { store, cleanup: async () => { await store.close(); rmSync(home, { recursive: true, force: true }); } };
      },
    },
    {
      name: 'PostgreSQL',
      skip: pgDown,
      async open() {
        const db = await createTestDatabase('mamori_server');
        const store = await openFleetStore({ url: db.url, home: '/nonexistent-home-not-used', secretKey: generateSecretKey(), poolSize: 4 });
        await store.migrate();
        return { store, cleanup: async () => { await store.close(); await db.drop(); } };
      },
    },
  ];
}

export class TestClock {
  constructor(public t = new Date('2026-12-01T09:00:00Z')) {}
  now = (): Date => new Date(this.t);
  advance(seconds: number): void {
    this.t = new Date(this.t.getTime() + seconds * 1000);
  }
}

export interface Fixture {
  app: FastifyInstance;
  store: FleetStore;
  clock: TestClock;
  log: string[];
  /** Every answer body the tests received (checked for secrets at the end). */
  answers: string[];
  adminTotpSecret: string;
  tenantA: Tenant;
  tenantB: Tenant;
  targetA: Target;
  targetB: Target;
  scanA: string;
  scanB: string;
  scanB2: string;
  exceptionB: string;
  users: Record<'admin' | 'operatorA' | 'viewerA' | 'viewerB', string>;
  tokens: Record<'admin' | 'viewerA', string>;
  /** inject() that records the answer body. */
  req(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface Session {
  cookie: string;
  csrf: string;
  body: Record<string, unknown>;
}

export function sessionCookie(res: LightMyRequestResponse): string | undefined {
  const c = res.cookies.find((x) => x.name === 'mamori_session');
  return c?.value || undefined;
}

export async function buildFixture(store: FleetStore, cleanup: () => Promise<void>, runner?: ScanRunner, extra: { ops?: ServerOps } = {}): Promise<Fixture> {
  const clock = new TestClock();
  const log: string[] = [];
  const answers: string[] = [];
  const app = await buildServer({
    store,
    runner,
    ops: extra.ops,
    clock,
    uiDir: '/nonexistent-ui-dir',
    throttle: { perAccount: 5, perIp: 1000, windowSeconds: 900 },
    logger: { level: 'trace', stream: { write: (line: string) => void log.push(line) } },
  });
  await app.ready();
  const fast = { N: 1 << 12, r: 8, p: 1 };
  const adminTotpSecret = newTotpSecret();
  const admin = await store.createUser({ email: 'admin@example.jp', passwordHash: await hashPassword(PASSWORDS.admin, fast), role: 'admin', tenantIds: [] });
  await store.setTotp(admin.id, adminTotpSecret, true);
  const tenantA = await store.createTenant(SYSTEM_SCOPE, '株式会社さくら商店');
  const tenantB = await store.createTenant(SYSTEM_SCOPE, 'Other Hosting Co.');
  const operatorA = await store.createUser({ email: 'op-a@example.jp', passwordHash: await hashPassword(PASSWORDS.operatorA, fast), role: 'operator', tenantIds: [tenantA.id] });
  const viewerA = await store.createUser({ email: 'viewer-a@example.jp', passwordHash: await hashPassword(PASSWORDS.viewerA, fast), role: 'viewer', tenantIds: [tenantA.id] });
  const viewerB = await store.createUser({ email: 'viewer-b@example.jp', passwordHash: await hashPassword(PASSWORDS.viewerB, fast), role: 'viewer', tenantIds: [tenantB.id] });
  const secrets = { sshKey: SSH_KEY, knownHosts: KNOWN_HOSTS };
  const targetA = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId: tenantA.id, name: 'shop-web1', kind: 'host', address: '127.0.0.1:2222', sshUser: 'mamori', tags: ['ec-cube'] }, secrets))!.target;
  const targetB = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId: tenantB.id, name: 'b-web', kind: 'host', address: '127.0.0.1:2223', sshUser: 'mamori', tags: ['b'] }, secrets))!.target;
  const finished = async (t: Target, at: string) => {
    const s = (await store.createScan(SYSTEM_SCOPE, t.id, 'manual'))!;
    await store.startScan(s.id);
    await store.finishScan(s.id, { ...FIXTURE_DOC, scannedAt: at }, 'test-knowledge');
    return s.id;
  };
  const scanA = await finished(targetA, '2026-11-20T00:00:00Z');
  const scanB = await finished(targetB, '2026-11-20T00:00:00Z');
  const scanB2 = await finished(targetB, '2026-11-27T00:00:00Z');
  const exceptionB = (await store.createException(SYSTEM_SCOPE, { tenantId: tenantB.id, targetId: targetB.id, findingId: null, cve: 'CVE-2021-44790', reason: 'vendor patch scheduled', owner: 'b-owner', expiresAt: '2027-03-01T00:00:00.000Z', createdBy: admin.id }))!.id;

  const req: Fixture['req'] = async (opts) => {
    const res = await app.inject(opts);
    answers.push(`${JSON.stringify(res.headers)}\n${res.body}`);
    return res;
  };
  const fx: Fixture = {
    app, store, clock, log, answers, adminTotpSecret, tenantA, tenantB, targetA, targetB, scanA, scanB, scanB2, exceptionB,
    users: { admin: admin.id, operatorA: operatorA.id, viewerA: viewerA.id, viewerB: viewerB.id },
    tokens: { admin: '', viewerA: '' },
    req,
    async close() {
      await app.close();
      await cleanup();
    },
  };
  const adminSession = await login(fx, 'admin@example.jp', PASSWORDS.admin, adminTotpSecret);
  fx.tokens.admin = ((await req({ method: 'POST', url: '/api/tokens', headers: hdr(adminSession), payload: { name: 'admin script' } })).json() as { token: string }).token;
  const viewerSession = await login(fx, 'viewer-a@example.jp', PASSWORDS.viewerA);
  fx.tokens.viewerA = ((await req({ method: 'POST', url: '/api/tokens', headers: hdr(viewerSession), payload: { name: 'viewer script' } })).json() as { token: string }).token;
  return fx;
}

/** Headers of a cookie session (with its CSRF token). */
export const hdr = (s: Session): Record<string, string> => ({ cookie: `mamori_session=${s.cookie}`, 'x-csrf-token': s.csrf });
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** Sign in (and give the TOTP code when a secret is given; the clock moves a step so codes are never reused). */
export async function login(fx: Fixture, email: string, password: string, totpSecret?: string): Promise<Session> {
  const res = await fx.req({ method: 'POST', url: '/api/session', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
  let s: Session = { cookie: sessionCookie(res)!, csrf: (res.json() as { csrfToken: string }).csrfToken, body: res.json() };
  if (totpSecret) {
    fx.clock.advance(31);
    const r2 = await fx.req({ method: 'POST', url: '/api/session/totp', headers: hdr(s), payload: { code: totp(totpSecret, fx.clock.now()) } });
    if (r2.statusCode !== 200) throw new Error(`totp ${email}: ${r2.statusCode} ${r2.body}`);
    s = { cookie: sessionCookie(r2)!, csrf: (r2.json() as { csrfToken: string }).csrfToken, body: r2.json() };
  }
  return s;
}
