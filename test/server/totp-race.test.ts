/**
 * A TOTP code is good once, also when it is sent twice at once (two tabs, a replaying attacker racing the user,
 * two servers of a cluster): the last accepted step is checked and moved in one serialised update of the setting,
 * so of N requests with the same code exactly one is accepted. On SQLite (the embedded server) and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { totp } from '../../src/server/auth/totp.js';
import { PASSWORDS, buildFixture, dialects, hdr, sessionCookie, type Fixture, type Session } from './helpers.js';

for (const d of await dialects()) {
  describe(`one TOTP code sent at once from several sessions (${d.name})`, { skip: d.skip }, () => {
    let fx: Fixture;

    before(async () => {
      const { store, cleanup } = await d.open();
      fx = await buildFixture(store, cleanup);
    });
    after(async () => fx?.close());

    it('is accepted once', async () => {
      const sessions: Session[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await fx.req({ method: 'POST', url: '/api/session', payload: { email: 'admin@example.jp', password: PASSWORDS.admin } });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.json().mfa, 'required');
        sessions.push({ cookie: sessionCookie(r)!, csrf: r.json().csrfToken as string, body: {} });
      }
      fx.clock.advance(31);
      const code = totp(fx.adminTotpSecret, fx.clock.now());
      const answers = await Promise.all(sessions.map((s) => fx.req({ method: 'POST', url: '/api/session/totp', headers: hdr(s), payload: { code } })));
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 401, 401, 401], answers.map((a) => a.body).join('\n'));
      // The next step's code is still good (the kept step did not move past it).
      fx.clock.advance(31);
      const next = await fx.req({ method: 'POST', url: '/api/session/totp', headers: hdr(sessions[answers.findIndex((a) => a.statusCode === 401)]!), payload: { code: totp(fx.adminTotpSecret, fx.clock.now()) } });
      assert.equal(next.statusCode, 200, next.body);
    });
  });
}
