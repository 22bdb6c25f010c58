/**
 * The fleet server's security, endpoint by endpoint, on SQLite and on the real PostgreSQL (a throw-away database):
 * anonymous refused on every route of /api/openapi.json but the public ones; a viewer of tenant A gets 404 on
 * every tenant-B object by id (the same answer as a missing id: no enumeration) and cannot write; an operator of A
 * cannot touch B; CSRF; session fixation; throttling; TOTP for admins; tokens and revocation; secrets absent from
 * every answer and from the server log; SQL-injection and XSS payloads stored and returned as data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { totp } from '../../src/server/auth/totp.js';
import { CONTENT_SECURITY_POLICY } from '../../src/server/headers.js';
import { KNOWN_HOSTS, PASSWORDS, SSH_KEY, SSH_KEY_MARKER, bearer, buildFixture, dialects, hdr, login, sessionCookie, type Fixture, type Session } from './helpers.js';

const PUBLIC = new Set(['POST /api/session', 'GET /api/openapi.json', 'GET /healthz', 'GET /readyz', 'GET /metrics']);
const MISSING = '00000000-0000-4000-8000-000000000000';
/** Reads by id a viewer may make in its own tenant: for another tenant's object they must answer 404. */
const VIEWER_READS = new Set([
  '/api/tenants/{id}', '/api/targets/{id}', '/api/targets/{id}/scans', '/api/targets/{id}/history', '/api/targets/{id}/lifecycle',
  '/api/scans/{id}', '/api/scans/{id}/document', '/api/scans/{id}/report', '/api/diff',
]);

interface Route {
  method: string;
  path: string;
}

async function routesOf(fx: Fixture): Promise<Route[]> {
  const doc = (await fx.req({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
}

/** The path with its {id} filled by the tenant-B object of the route's kind (or a missing id). */
function fill(fx: Fixture, path: string, missing = false): string {
  const area = path.split('/')[2];
  const id = missing
    ? MISSING
    : area === 'tenants'
      ? fx.tenantB.id
      : area === 'targets'
        ? fx.targetB.id
        : area === 'scans'
          ? fx.scanB
          : area === 'exceptions'
            ? fx.exceptionB
            : area === 'users'
              ? fx.users.viewerB
              : area === 'tokens'
                ? MISSING
                : fx.tenantB.id;
  let url = path.replace(/\{[^}]+\}/g, id);
  if (path === '/api/diff') url += `?from=${missing ? MISSING : fx.scanB}&to=${missing ? MISSING : fx.scanB2}`;
  return url;
}

for (const d of await dialects()) {
  describe(`fleet server security (${d.name})`, { skip: d.skip }, () => {
    let fx: Fixture;
    let viewerA: Session;
    let operatorA: Session;
    let admin: Session;
    before(async () => {
      const { store, cleanup } = await d.open();
      fx = await buildFixture(store, cleanup);
      viewerA = await login(fx, 'viewer-a@example.jp', PASSWORDS.viewerA);
      operatorA = await login(fx, 'op-a@example.jp', PASSWORDS.operatorA);
      admin = await login(fx, 'admin@example.jp', PASSWORDS.admin, fx.adminTotpSecret);
    });
    after(async () => fx?.close());

    it('anonymous callers are refused (401) on every route but sign-in, health and the OpenAPI document', async () => {
      const routes = await routesOf(fx);
      assert.ok(routes.length >= 40, `the OpenAPI document lists every route (${routes.length})`);
      for (const r of routes) {
        const res = await fx.req({ method: r.method as 'GET', url: fill(fx, r.path), payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
        if (PUBLIC.has(`${r.method} ${r.path}`)) assert.notEqual(res.statusCode, 401, `${r.method} ${r.path} is public`);
        else {
          assert.equal(res.statusCode, 401, `${r.method} ${r.path}: ${res.body}`);
          assert.equal((res.json() as { error: { code: string } }).error.code, 'unauthorized');
        }
      }
    });

    it('a viewer of tenant A gets the same 404 for every tenant-B object as for a missing one, and never a 2xx on a write', async () => {
      const checked = new Set<string>();
      for (const r of await routesOf(fx)) {
        if (PUBLIC.has(`${r.method} ${r.path}`) || !(r.path.includes('{') || r.path === '/api/diff')) continue;
        const payload = r.method === 'GET' || r.method === 'DELETE' ? undefined : {};
        const res = await fx.req({ method: r.method as 'GET', url: fill(fx, r.path), headers: hdr(viewerA), payload });
        const miss = await fx.req({ method: r.method as 'GET', url: fill(fx, r.path, true), headers: hdr(viewerA), payload });
        // A route a viewer may read answers 404; a route of other roles answers 403 — for B's object exactly as for a missing one.
        assert.ok([403, 404].includes(res.statusCode), `${r.method} ${r.path}: ${res.statusCode} ${res.body}`);
        assert.equal(res.statusCode, miss.statusCode, `${r.method} ${r.path}: status differs from a missing id's`);
        if (r.method === 'GET') assert.equal(res.body.split(fx.tenantB.id).join(MISSING), miss.body, `${r.path}: answer differs from a missing id's`);
        if (r.method === 'GET' && VIEWER_READS.has(r.path)) assert.equal(res.statusCode, 404, `${r.path}: a viewer's read of another tenant's object`);
        checked.add(`${r.method} ${r.path}`);
      }
      for (const p of VIEWER_READS) assert.ok(checked.has(`GET ${p}`), `${p} is in the OpenAPI document`);
      // Lists filtered by a tenant-B id show nothing of B.
      for (const url of [`/api/targets?tenant=${fx.tenantB.id}`, `/api/scans?tenant=${fx.tenantB.id}`, `/api/findings?tenant=${fx.tenantB.id}`, `/api/exceptions?tenant=${fx.tenantB.id}`, `/api/scans?target=${fx.targetB.id}`, `/api/findings?target=${fx.targetB.id}`, `/api/findings?scan=${fx.scanB}`]) {
        const res = await fx.req({ method: 'GET', url, headers: hdr(viewerA) });
        assert.equal(res.statusCode, 200, url);
        assert.deepEqual((res.json() as { items: unknown[] }).items, [], url);
      }
      for (const url of [`/api/overview?tenant=${fx.tenantB.id}`, `/api/exceptions/vex?tenant=${fx.tenantB.id}`, '/api/fleet/status?tenant=Other%20Hosting%20Co.']) {
        assert.equal((await fx.req({ method: 'GET', url, headers: hdr(viewerA) })).statusCode, 404, url);
      }
      const tenants = (await fx.req({ method: 'GET', url: '/api/tenants', headers: hdr(viewerA) })).json() as { items: { id: string }[] };
      assert.deepEqual(tenants.items.map((t) => t.id), [fx.tenantA.id]);
      const status = (await fx.req({ method: 'GET', url: '/api/fleet/status', headers: hdr(viewerA) })).json() as { targets: { name: string }[] };
      assert.deepEqual(status.targets.map((t) => t.name), ['shop-web1']);
      const overview = (await fx.req({ method: 'GET', url: '/api/overview', headers: hdr(viewerA) })).json() as { targets: number; missingUpdates: { tenantId: string }[] };
      assert.equal(overview.targets, 1);
      assert.ok(overview.missingUpdates.every((m) => m.tenantId === fx.tenantA.id));
    });

    it('a viewer reads its own tenant but cannot write there (403), by session or by token', async () => {
      assert.equal((await fx.req({ method: 'GET', url: `/api/targets/${fx.targetA.id}`, headers: hdr(viewerA) })).statusCode, 200);
      assert.equal((await fx.req({ method: 'GET', url: `/api/scans/${fx.scanA}/document`, headers: bearer(fx.tokens.viewerA) })).statusCode, 200);
      const writes = [
        { method: 'POST', url: '/api/targets', payload: { tenantId: fx.tenantA.id, name: 'x', kind: 'site', address: 'https://a.example/' } },
        { method: 'PATCH', url: `/api/targets/${fx.targetA.id}`, payload: { tags: ['x'] } },
        { method: 'DELETE', url: `/api/targets/${fx.targetA.id}` },
        { method: 'POST', url: `/api/targets/${fx.targetA.id}/scans` },
        { method: 'POST', url: '/api/exceptions', payload: { tenantId: fx.tenantA.id, cve: 'CVE-2021-1234', reason: 'r', owner: 'o', expiresAt: '2027-01-01T00:00:00Z' } },
        { method: 'PATCH', url: `/api/tenants/${fx.tenantA.id}`, payload: { name: 'renamed' } },
        { method: 'POST', url: '/api/fleet/import', payload: { rows: [{ tenant: '株式会社さくら商店', name: 'n', kind: 'site', target: 'https://n.example/' }] } },
        { method: 'POST', url: '/api/fleet/scan', payload: {} },
        { method: 'POST', url: '/api/users', payload: { email: 'x@example.jp', password: 'long-enough-password', role: 'viewer', tenantIds: [fx.tenantA.id] } },
      ] as const;
      for (const w of writes) {
        for (const headers of [hdr(viewerA), bearer(fx.tokens.viewerA)]) {
          const res = await fx.req({ ...w, headers });
          assert.equal(res.statusCode, 403, `${w.method} ${w.url}: ${res.body}`);
        }
      }
      const t = (await fx.req({ method: 'GET', url: `/api/targets/${fx.targetA.id}`, headers: hdr(viewerA) })).json() as { tags: string[] };
      assert.deepEqual(t.tags, ['ec-cube'], 'nothing changed');
    });

    it('an operator of tenant A works in A and gets 404 on tenant-B objects', async () => {
      const h = hdr(operatorA);
      const scan = await fx.req({ method: 'POST', url: `/api/targets/${fx.targetA.id}/scans`, headers: h });
      assert.equal(scan.statusCode, 202, scan.body);
      assert.equal((scan.json() as { scan: { status: string } }).scan.status, 'queued');
      const b = [
        { method: 'PATCH', url: `/api/targets/${fx.targetB.id}`, payload: { tags: ['owned'] } },
        { method: 'DELETE', url: `/api/targets/${fx.targetB.id}` },
        { method: 'POST', url: `/api/targets/${fx.targetB.id}/scans` },
        { method: 'DELETE', url: `/api/exceptions/${fx.exceptionB}` },
        { method: 'PATCH', url: `/api/tenants/${fx.tenantB.id}`, payload: { name: 'taken' } },
        { method: 'POST', url: '/api/targets', payload: { tenantId: fx.tenantB.id, name: 'planted', kind: 'site', address: 'https://planted.example/' } },
        { method: 'POST', url: '/api/exceptions', payload: { tenantId: fx.tenantB.id, cve: 'CVE-2021-1234', reason: 'r', owner: 'o', expiresAt: '2027-01-01T00:00:00Z' } },
        { method: 'GET', url: `/api/scans/${fx.scanB}/report?format=html&lang=en` },
      ] as const;
      for (const w of b) {
        const res = await fx.req({ ...w, headers: h });
        assert.equal(res.statusCode, 404, `${w.method} ${w.url}: ${res.body}`);
      }
      const imp = await fx.req({ method: 'POST', url: '/api/fleet/import', headers: h, payload: { rows: [{ tenant: 'Other Hosting Co.', name: 'planted', kind: 'site', target: 'https://p.example/' }] } });
      assert.equal(imp.statusCode, 400);
      assert.match(imp.body, /rows\[0\]\.tenant: .* not one of your tenants/);
      const tb = (await fx.req({ method: 'GET', url: `/api/targets/${fx.targetB.id}`, headers: bearer(fx.tokens.admin) })).json() as { tags: string[] };
      assert.deepEqual(tb.tags, ['b'], 'tenant B unchanged');
      assert.equal((await fx.req({ method: 'GET', url: `/api/exceptions?tenant=${fx.tenantB.id}`, headers: bearer(fx.tokens.admin) })).json().items.length, 1);
      assert.equal((await fx.req({ method: 'POST', url: '/api/tenants', headers: h, payload: { name: 'new co' } })).statusCode, 403, 'only admins create tenants');
    });

    it('CSRF: a cookie session needs the right X-CSRF-Token on every state change; cross-origin Origin is refused; Bearer is exempt', async () => {
      const h = hdr(admin);
      const body = { name: 'csrf-test' };
      const none = await fx.req({ method: 'POST', url: '/api/tenants', headers: { cookie: h.cookie! }, payload: body });
      assert.equal(none.statusCode, 403);
      assert.equal(none.json().error.code, 'csrf');
      const wrong = await fx.req({ method: 'POST', url: '/api/tenants', headers: { ...h, 'x-csrf-token': viewerA.csrf }, payload: body });
      assert.equal(wrong.statusCode, 403);
      const cross = await fx.req({ method: 'POST', url: '/api/tenants', headers: { ...h, origin: 'https://evil.example' }, payload: body });
      assert.equal(cross.statusCode, 403);
      const site = await fx.req({ method: 'DELETE', url: `/api/targets/${fx.targetA.id}`, headers: { ...h, 'sec-fetch-site': 'cross-site' } });
      assert.equal(site.statusCode, 403);
      for (const [m, url] of [['DELETE', '/api/session'], ['DELETE', `/api/targets/${fx.targetA.id}`], ['POST', '/api/me/totp/setup']] as const) {
        assert.equal((await fx.req({ method: m, url, headers: { cookie: h.cookie! } })).statusCode, 403, `${m} ${url}`);
      }
      const crossLogin = await fx.req({ method: 'POST', url: '/api/session', headers: { origin: 'https://evil.example' }, payload: { email: 'viewer-a@example.jp', password: PASSWORDS.viewerA } });
      assert.equal(crossLogin.statusCode, 403, 'login CSRF');
      assert.equal((await fx.req({ method: 'GET', url: '/api/tenants', headers: { cookie: h.cookie! } })).statusCode, 200, 'reads need no token');
      const ok = await fx.req({ method: 'POST', url: '/api/tenants', headers: { ...h, origin: 'http://localhost:80' }, payload: body });
      assert.equal(ok.statusCode, 201, ok.body);
      const byToken = await fx.req({ method: 'POST', url: '/api/tenants', headers: bearer(fx.tokens.admin), payload: { name: 'csrf-test-2' } });
      assert.equal(byToken.statusCode, 201);
    });

    it('session fixation is impossible: the id changes at sign-in and at the second factor, and a planted id stays invalid', async () => {
      const planted = 'A'.repeat(43);
      const res = await fx.req({ method: 'POST', url: '/api/session', headers: { cookie: `mamori_session=${planted}` }, payload: { email: 'viewer-b@example.jp', password: PASSWORDS.viewerB } });
      assert.equal(res.statusCode, 200);
      const id = sessionCookie(res)!;
      assert.match(id, /^[\w-]{43}$/);
      assert.notEqual(id, planted);
      const setCookie = String(res.headers['set-cookie']);
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Strict/);
      assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP request: no Secure');
      assert.equal((await fx.req({ method: 'GET', url: '/api/session', headers: { cookie: `mamori_session=${planted}` } })).statusCode, 401);
      // A real earlier session presented at the next sign-in is ended.
      const again = await fx.req({ method: 'POST', url: '/api/session', headers: { cookie: `mamori_session=${id}` }, payload: { email: 'viewer-b@example.jp', password: PASSWORDS.viewerB } });
      const id2 = sessionCookie(again)!;
      assert.notEqual(id2, id);
      assert.equal((await fx.req({ method: 'GET', url: '/api/session', headers: { cookie: `mamori_session=${id}` } })).statusCode, 401);
      assert.equal((await fx.req({ method: 'GET', url: '/api/session', headers: { cookie: `mamori_session=${id2}` } })).statusCode, 200);
      // Admin: the pre-TOTP id is replaced when the code is given.
      const first = await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'admin@example.jp', password: PASSWORDS.admin } });
      const pre = sessionCookie(first)!;
      fx.clock.advance(31);
      const second = await fx.req({ method: 'POST', url: '/api/session/totp', headers: { cookie: `mamori_session=${pre}`, 'x-csrf-token': first.json().csrfToken }, payload: { code: totp(fx.adminTotpSecret, fx.clock.now()) } });
      assert.equal(second.statusCode, 200);
      assert.notEqual(sessionCookie(second), pre);
      assert.equal((await fx.req({ method: 'GET', url: '/api/session', headers: { cookie: `mamori_session=${pre}` } })).statusCode, 401);
      // Sign-out ends the session; idle expiry too.
      const s = { cookie: id2, csrf: again.json().csrfToken as string, body: {} };
      assert.equal((await fx.req({ method: 'DELETE', url: '/api/session', headers: hdr(s) })).statusCode, 204);
      assert.equal((await fx.req({ method: 'GET', url: '/api/session', headers: hdr(s) })).statusCode, 401);
      const idle = await login(fx, 'viewer-b@example.jp', PASSWORDS.viewerB);
      fx.clock.advance(2 * 3600 + 5);
      assert.equal((await fx.req({ method: 'GET', url: '/api/session', headers: hdr(idle) })).statusCode, 401, 'idle expiry');
    });

    it('an HTTPS request gets a Secure cookie; every answer carries the strict CSP and no X-Powered-By', async () => {
      const res = await fx.app.inject({ method: 'POST', url: '/api/session', headers: { 'x-forwarded-proto': 'https' }, payload: { email: 'viewer-b@example.jp', password: PASSWORDS.viewerB }, remoteAddress: '127.0.0.9' });
      assert.doesNotMatch(String(res.headers['set-cookie']), /Secure/, 'X-Forwarded-Proto is not trusted (trustProxy off)');
      for (const url of ['/healthz', '/api/targets', '/', '/no/such/page', '/api/no-such-route']) {
        const r = await fx.req({ method: 'GET', url });
        assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY, url);
        assert.equal(r.headers['x-content-type-options'], 'nosniff');
        assert.equal(r.headers['referrer-policy'], 'no-referrer');
        assert.equal(r.headers['x-powered-by'], undefined);
      }
      assert.equal((await fx.req({ method: 'GET', url: '/api/no-such-route' })).headers['content-type'], 'application/json; charset=utf-8');
    });

    it('login throttling: the sixth try of an account within 15 minutes gets 429 with Retry-After, even with the right password', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'op-a@example.jp', password: `wrong-${i}` } });
        assert.equal(r.statusCode, 401);
        assert.equal(r.json().error.message, 'wrong e-mail address or password');
      }
      const unknown = await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'nobody@example.jp', password: 'whatever' } });
      assert.equal(unknown.json().error.message, 'wrong e-mail address or password', 'unknown accounts answer the same');
      const blocked = await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'OP-A@example.jp', password: PASSWORDS.operatorA } });
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.headers['retry-after'], '900');
      assert.equal(sessionCookie(blocked), undefined);
      fx.clock.advance(901);
      assert.equal((await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'op-a@example.jp', password: PASSWORDS.operatorA } })).statusCode, 200, 'the window passes');
      const audit = (await fx.req({ method: 'GET', url: '/api/audit?pageSize=200', headers: bearer(fx.tokens.admin) })).json() as { items: { action: string; detail: Record<string, unknown> }[] };
      assert.ok(audit.items.some((a) => a.action === 'session.login-failed' && a.detail.email === 'op-a@example.jp'));
    });

    it('TOTP: admins must give it (mfa "required"), a wrong or replayed code is refused; a new admin must set it up first', async () => {
      const first = await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'admin@example.jp', password: PASSWORDS.admin } });
      assert.equal(first.json().mfa, 'required');
      const pending = { cookie: sessionCookie(first)!, csrf: first.json().csrfToken as string, body: {} };
      const blocked = await fx.req({ method: 'GET', url: '/api/targets', headers: hdr(pending) });
      assert.equal(blocked.statusCode, 401);
      assert.equal(blocked.json().error.code, 'mfa_required');
      assert.equal((await fx.req({ method: 'POST', url: '/api/tokens', headers: hdr(pending), payload: { name: 'sneaky' } })).statusCode, 401, 'no token without the second factor');
      assert.equal((await fx.req({ method: 'POST', url: '/api/session/totp', headers: hdr(pending), payload: { code: '000000' } })).statusCode, 401);
      fx.clock.advance(31);
      const code = totp(fx.adminTotpSecret, fx.clock.now());
      const ok = await fx.req({ method: 'POST', url: '/api/session/totp', headers: hdr(pending), payload: { code } });
      assert.equal(ok.statusCode, 200);
      const other = await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'admin@example.jp', password: PASSWORDS.admin } });
      const replay = await fx.req({ method: 'POST', url: '/api/session/totp', headers: { cookie: `mamori_session=${sessionCookie(other)}`, 'x-csrf-token': other.json().csrfToken }, payload: { code } });
      assert.equal(replay.statusCode, 401, 'the same code twice');
      // A new admin: mfa "setup"; only the set-up routes answer until it is done.
      const created = await fx.req({ method: 'POST', url: '/api/users', headers: bearer(fx.tokens.admin), payload: { email: 'new-admin@example.jp', password: PASSWORDS.fresh, role: 'admin' } });
      assert.equal(created.statusCode, 201, created.body);
      const l = await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'new-admin@example.jp', password: PASSWORDS.fresh } });
      assert.equal(l.json().mfa, 'setup');
      const s = { cookie: sessionCookie(l)!, csrf: l.json().csrfToken as string, body: {} };
      assert.equal((await fx.req({ method: 'GET', url: '/api/tenants', headers: hdr(s) })).statusCode, 401);
      const setup = await fx.req({ method: 'POST', url: '/api/me/totp/setup', headers: hdr(s) });
      assert.equal(setup.statusCode, 200);
      const { secret, otpauthUri } = setup.json() as { secret: string; otpauthUri: string };
      assert.match(secret, /^[A-Z2-7]{32}$/);
      assert.match(otpauthUri, /^otpauth:\/\/totp\/mamori:new-admin%40example\.jp\?secret=[A-Z2-7]{32}&issuer=mamori&algorithm=SHA1&digits=6&period=30$/);
      assert.equal((await fx.req({ method: 'POST', url: '/api/me/totp/enable', headers: hdr(s), payload: { code: '123456' } })).statusCode, 400);
      fx.clock.advance(31);
      const en = await fx.req({ method: 'POST', url: '/api/me/totp/enable', headers: hdr(s), payload: { code: totp(secret, fx.clock.now()) } });
      assert.equal(en.statusCode, 200, en.body);
      const s2 = { cookie: sessionCookie(en)!, csrf: en.json().csrfToken as string, body: {} };
      assert.notEqual(s2.cookie, s.cookie);
      assert.equal((await fx.req({ method: 'GET', url: '/api/tenants', headers: hdr(s2) })).statusCode, 200);
      const users = (await fx.req({ method: 'GET', url: '/api/users', headers: bearer(fx.tokens.admin) })).json() as { items: { email: string; totpEnabled: boolean }[] };
      assert.equal(users.items.find((u) => u.email === 'new-admin@example.jp')?.totpEnabled, true);
    });

    it('API tokens: shown once, work as Bearer without CSRF, listed without their value, refused once revoked; malformed ones refused', async () => {
      const created = await fx.req({ method: 'POST', url: '/api/tokens', headers: bearer(fx.tokens.admin), payload: { name: 'ci' } });
      assert.equal(created.statusCode, 201);
      const { token, record } = created.json() as { token: string; record: { id: string } };
      assert.match(token, /^mamori_[\w-]{43}$/);
      assert.equal((await fx.req({ method: 'GET', url: '/api/targets', headers: bearer(token) })).statusCode, 200);
      const list = await fx.req({ method: 'GET', url: '/api/tokens', headers: bearer(token) });
      assert.ok(!list.body.includes(token));
      assert.ok((list.json() as { items: { id: string }[] }).items.some((t) => t.id === record.id));
      assert.equal((await fx.req({ method: 'DELETE', url: `/api/tokens/${record.id}`, headers: bearer(fx.tokens.viewerA) })).statusCode, 404, "another user's token");
      assert.equal((await fx.req({ method: 'DELETE', url: `/api/tokens/${record.id}`, headers: bearer(token) })).statusCode, 204);
      assert.equal((await fx.req({ method: 'GET', url: '/api/targets', headers: bearer(token) })).statusCode, 401);
      for (const a of ['Bearer', 'Bearer mamori_nope', 'Basic YWRtaW46YWRtaW4=', `Bearer ${token}x`]) {
        assert.equal((await fx.req({ method: 'GET', url: '/api/targets', headers: { authorization: a } })).statusCode, 401, a);
      }
      // A disabled user's tokens stop working.
      const v = await fx.req({ method: 'PATCH', url: `/api/users/${fx.users.viewerA}`, headers: bearer(fx.tokens.admin), payload: { disabled: true } });
      assert.equal(v.statusCode, 200);
      assert.equal((await fx.req({ method: 'GET', url: '/api/targets', headers: bearer(fx.tokens.viewerA) })).statusCode, 401);
      assert.equal((await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'viewer-a@example.jp', password: PASSWORDS.viewerA } })).statusCode, 401);
      await fx.req({ method: 'PATCH', url: `/api/users/${fx.users.viewerA}`, headers: bearer(fx.tokens.admin), payload: { disabled: false } });
      assert.equal((await fx.req({ method: 'GET', url: '/api/targets', headers: bearer(fx.tokens.viewerA) })).statusCode, 200);
    });

    it('requests are validated against the schemas: 400 naming the field', async () => {
      const h = bearer(fx.tokens.admin);
      const cases: [string, string, unknown, RegExp][] = [
        ['POST', '/api/targets', { tenantId: fx.tenantA.id, name: 'x', kind: 'vm', address: 'a' }, /body\.kind: must be equal to one of the allowed values \(host, site\)/],
        ['POST', '/api/targets', { tenantId: fx.tenantA.id, kind: 'site', address: 'https://a.example/' }, /body\.name: is required/],
        ['POST', '/api/targets', { tenantId: fx.tenantA.id, name: 'x', kind: 'site', address: 'https://a.example/', color: 'red' }, /body\.color: is not a known field/],
        ['POST', '/api/targets', { tenantId: fx.tenantA.id, name: 'x', kind: 'host', address: 'bad host name!' }, /body\.address: is not HOST\[:PORT\]/],
        ['POST', '/api/targets', { tenantId: fx.tenantA.id, name: 'x', kind: 'site', address: 'ftp://a.example/' }, /body\.address: must be an http/],
        ['POST', '/api/targets', { tenantId: fx.tenantA.id, name: 'x', kind: 'host', address: 'h:22', sshKey: 'not a key' }, /body\.sshKey: is not a private key/],
        ['POST', '/api/targets', { tenantId: fx.tenantA.id, name: 'x', kind: 'host', address: 'h:22', schedule: 'every day' }, /body\.schedule/],
        ['POST', '/api/exceptions', { tenantId: fx.tenantA.id, cve: 'CVE-2021-1', reason: 'r', owner: 'o', expiresAt: '2027-01-01T00:00:00Z' }, /body\.cve/],
        ['POST', '/api/exceptions', { tenantId: fx.tenantA.id, cve: 'CVE-2021-1234', reason: 'r', owner: 'o', expiresAt: '2020-01-01T00:00:00Z' }, /body\.expiresAt: must be in the future/],
        ['GET', '/api/findings?severity=urgent', undefined, /querystring\.severity: "urgent" is not one of/],
        ['GET', '/api/targets?pageSize=100000', undefined, /querystring\.pageSize: must be <= 500/],
        ['POST', '/api/session', { email: 'a@b' }, /body\.password: is required/],
      ];
      for (const [method, url, payload, re] of cases) {
        const res = await fx.req({ method: method as 'GET', url, headers: h, payload: payload as object });
        assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
        assert.match(res.json().error.message, re, url);
      }
      const notJson = await fx.req({ method: 'POST', url: '/api/tenants', headers: { ...h, 'content-type': 'application/json' }, payload: '{"name": ' });
      assert.equal(notJson.statusCode, 400);
      assert.ok(notJson.json().error.code);
    });

    it('SQL-injection and XSS payloads in every text field are stored and returned as data', async () => {
      const h = bearer(fx.tokens.admin);
      const evil = ["'; DROP TABLE targets; --", '<script>alert(1)</script>', '" OR 1=1 --', '<img src=x onerror=alert(1)>', "Robert'); DELETE FROM users;--"];
      const tenant = await fx.req({ method: 'POST', url: '/api/tenants', headers: h, payload: { name: evil[0] } });
      assert.equal(tenant.statusCode, 201, tenant.body);
      const tid = tenant.json().id as string;
      assert.equal(tenant.json().name, evil[0]);
      for (const [i, name] of evil.entries()) {
        const r = await fx.req({ method: 'POST', url: '/api/targets', headers: h, payload: { tenantId: tid, name, kind: 'site', address: `https://x${i}.example/?q=${encodeURIComponent(name)}`, maintenanceWindow: name } });
        assert.equal(r.statusCode, 201, r.body);
        assert.equal(r.json().name, name);
        assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
        const q = await fx.req({ method: 'GET', url: `/api/targets?q=${encodeURIComponent(name)}&tenant=${tid}`, headers: h });
        assert.deepEqual((q.json() as { items: { name: string }[] }).items.map((t) => t.name), [name]);
      }
      const ex = await fx.req({ method: 'POST', url: '/api/exceptions', headers: h, payload: { tenantId: tid, cve: 'CVE-2024-0001', reason: evil[1], owner: evil[3], expiresAt: '2027-06-01T00:00:00Z' } });
      assert.equal(ex.statusCode, 201);
      assert.equal(ex.json().reason, evil[1]);
      const all = (await fx.req({ method: 'GET', url: `/api/targets?tenant=${tid}&pageSize=50`, headers: h })).json() as { total: number };
      assert.equal(all.total, evil.length, 'the tables are whole');
      assert.equal((await fx.req({ method: 'GET', url: '/api/users', headers: h })).json().items.length >= 4, true);
      const csv = await fx.req({ method: 'GET', url: `/api/findings?format=csv&tenant=${fx.tenantA.id}`, headers: h });
      assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
      assert.match(csv.body, /^\uFEFFtargetName,targetId/);
    });

    it('the audit log records every change with who and what, never a secret', async () => {
      const h = bearer(fx.tokens.admin);
      const r = await fx.req({ method: 'POST', url: '/api/targets', headers: h, payload: { tenantId: fx.tenantA.id, name: 'audited', kind: 'host', address: '127.0.0.1:2224', sshUser: 'mamori', sshKey: SSH_KEY, knownHosts: KNOWN_HOSTS } });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.json().hasSshKey, true);
      const audit = (await fx.req({ method: 'GET', url: `/api/audit?tenant=${fx.tenantA.id}&pageSize=100`, headers: h })).json() as { items: { action: string; objectId: string; actorUserId: string; actorTokenId: string | null; at: string; detail: Record<string, unknown> }[] };
      const e = audit.items.find((a) => a.action === 'target.create' && a.objectId === r.json().id);
      assert.ok(e, 'target.create entry');
      assert.equal(e.actorUserId, fx.users.admin);
      assert.ok(e.actorTokenId);
      assert.equal(e.detail.sshKey, 'replaced');
      assert.ok(audit.items.some((a) => a.action === 'scan.request'), 'the operator scan request');
      assert.equal((await fx.req({ method: 'GET', url: '/api/audit', headers: bearer(fx.tokens.viewerA) })).statusCode, 403);
    });

    it('the scripted interface: import rows (all or nothing, update by tenant and name), fleet status in the contract shape', async () => {
      const h = bearer(fx.tokens.admin);
      const rows = [
        { tenant: '株式会社さくら商店', name: 'shop-web1', kind: 'host', target: '127.0.0.1:2222', ssh_user: 'mamori', tags: 'ec-cube;php5', schedule: '0 3 * * 1' },
        { tenant: '新規テナント', name: 'lp', kind: 'site', target: 'https://lp.example.jp/', ssh_user: '', ssh_key: '', ssh_known_hosts: '', tags: '', schedule: '' },
      ];
      const bad = await fx.req({ method: 'POST', url: '/api/fleet/import', headers: h, payload: { rows: [...rows, { tenant: 'x', name: 'y', kind: 'site', target: 'not a url' }] } });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /^rows\[2\]\.target: is not a URL/);
      assert.equal((await fx.req({ method: 'GET', url: '/api/fleet/status?tenant=%E6%96%B0%E8%A6%8F%E3%83%86%E3%83%8A%E3%83%B3%E3%83%88', headers: h })).statusCode, 404, 'nothing written');
      const ok = await fx.req({ method: 'POST', url: '/api/fleet/import', headers: h, payload: { rows } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual({ created: ok.json().created, updated: ok.json().updated }, { created: 1, updated: 1 });
      const t = (await fx.req({ method: 'GET', url: `/api/targets/${fx.targetA.id}`, headers: h })).json() as { tags: string[]; schedule: string; hasSshKey: boolean };
      assert.deepEqual(t.tags, ['ec-cube', 'php5']);
      assert.equal(t.schedule, '0 3 * * 1');
      assert.equal(t.hasSshKey, true, 'the key given before is kept');
      const status = (await fx.req({ method: 'GET', url: '/api/fleet/status', headers: h })).json() as { targets: { tenant: string; name: string; kind: string; target: string; lastScan: null | { status: string; finishedAt: string | null; summary: Record<string, number> } }[] };
      const web1 = status.targets.find((x) => x.name === 'shop-web1')!;
      assert.equal(web1.tenant, '株式会社さくら商店');
      assert.equal(web1.kind, 'host');
      assert.equal(web1.target, '127.0.0.1:2222');
      assert.ok(web1.lastScan && ['queued', 'done'].includes(web1.lastScan.status));
      const lp = status.targets.find((x) => x.name === 'lp')!;
      assert.equal(lp.lastScan, null);
      const doneB = status.targets.find((x) => x.name === 'b-web')!;
      assert.equal(doneB.lastScan?.status, 'done');
      assert.deepEqual(Object.keys(doneB.lastScan!.summary).sort(), ['critical', 'high', 'info', 'low', 'medium']);
      assert.deepEqual(doneB.lastScan!.summary, FIXTURE_SUMMARY);
    });

    it('scans, documents, diff, history, lifecycle and reports answer for what is in scope', async () => {
      const h = bearer(fx.tokens.admin);
      const doc = await fx.req({ method: 'GET', url: `/api/scans/${fx.scanB}/document`, headers: h });
      assert.equal(doc.statusCode, 200);
      assert.equal(doc.json().target.name, 'fixture:centos6');
      const diff = await fx.req({ method: 'GET', url: `/api/diff?from=${fx.scanB}&to=${fx.scanB2}`, headers: h });
      assert.equal(diff.statusCode, 200);
      assert.equal(diff.json().new.length, 0);
      assert.ok(diff.json().unchanged.length > 0);
      const hist = await fx.req({ method: 'GET', url: `/api/targets/${fx.targetB.id}/history`, headers: h });
      assert.ok((hist.json() as { items: unknown[] }).items.length > 0);
      const life = (await fx.req({ method: 'GET', url: `/api/targets/${fx.targetB.id}/lifecycle`, headers: h })).json() as { scanId: string; entries: { phase: string; color: string }[] };
      assert.equal(life.scanId, fx.scanB2);
      for (const e of life.entries) assert.equal(e.color, { active: 'green', security: 'yellow', eol: 'red', unknown: 'unknown' }[e.phase]);
      const html = await fx.req({ method: 'GET', url: `/api/scans/${fx.scanB}/report?format=html&lang=ja`, headers: h });
      assert.equal(html.statusCode, 200);
      assert.match(String(html.headers['content-disposition']), /^attachment; filename="mamori-fixture_centos6-/);
      const findings = (await fx.req({ method: 'GET', url: `/api/findings?tenant=${fx.tenantB.id}&severity=critical,high&pageSize=5`, headers: h })).json() as { items: { severity: string }[]; total: number };
      assert.ok(findings.total > 0);
      assert.ok(findings.items.every((f) => ['critical', 'high'].includes(f.severity)));
      const vex = (await fx.req({ method: 'GET', url: `/api/exceptions/vex?tenant=${fx.tenantB.id}`, headers: h })).json() as { '@context': string; statements: { vulnerability: { name: string }; status: string }[] };
      assert.equal(vex['@context'], 'https://openvex.dev/ns/v0.2.0');
      assert.deepEqual(vex.statements.map((s) => [s.vulnerability.name, s.status]), [['CVE-2021-44790', 'affected']]);
      assert.equal((await fx.req({ method: 'GET', url: '/readyz' })).json().status, 'ready');
    });

    it('no secret (SSH key, known_hosts, passwords, tokens, TOTP secret) in any answer or in the server log', () => {
      assert.ok(fx.answers.length > 200, `answers checked: ${fx.answers.length}`);
      assert.ok(fx.log.length > 100, `log lines checked: ${fx.log.length}`);
      const secrets: [string, string][] = [
        ['SSH key', SSH_KEY_MARKER],
        ['known_hosts key', 'KnownHostsMarkerQ9'],
        ['TOTP secret', fx.adminTotpSecret],
        ...Object.entries(PASSWORDS).map(([k, v]) => [`password of ${k}`, v] as [string, string]),
        ['admin token', fx.tokens.admin.slice(7)],
        ['viewer token', fx.tokens.viewerA.slice(7)],
      ];
      for (const [what, value] of secrets) {
        for (const line of fx.log) assert.ok(!line.includes(value), `${what} in the log: ${line.slice(0, 200)}`);
      }
      for (const [what, value] of secrets.slice(0, 7)) {
        for (const a of fx.answers) assert.ok(!a.includes(value), `${what} in an answer: ${a.slice(0, 300)}`);
      }
      // Tokens appear in exactly one answer each: their creation.
      for (const t of [fx.tokens.admin, fx.tokens.viewerA]) assert.equal(fx.answers.filter((a) => a.includes(t)).length, 1);
      assert.ok(fx.log.some((l) => l.includes('/api/session')), 'the log does record requests');
    });
  });
}

const FIXTURE_SUMMARY = (await import('./helpers.js')).FIXTURE_DOC.summary;
