/**
 * Sign-in: POST /api/session (password; throttled per account and per client address), POST /api/session/totp
 * (the second factor), GET and DELETE /api/session; and the signed-in user's own settings under /api/me.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../fleet/types.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, dummyHash, hashPassword, verifyPassword } from '../auth/password.js';
import { SESSION_COOKIE, clearSessionCookie, createSession, mfaState, needsTotp, readCookie, scopeOf, setSessionCookie } from '../auth/session.js';
import { sha256 } from '../auth/tokens.js';
import { newTotpSecret, otpauthUri, verifyTotp } from '../auth/totp.js';
import { audit } from '../audit.js';
import { HttpError, badRequest, unauthorized } from '../errors.js';
import type { Principal, RouteModule, ServerDeps } from '../types.js';

export const publicUser = (u: User) => ({ id: u.id, email: u.email, role: u.role, tenantIds: u.tenantIds, totpEnabled: u.totpEnabled, createdAt: u.createdAt, disabledAt: u.disabledAt });

const LOGIN_FAILED = 'wrong e-mail address or password';

async function throttleCheck(deps: ServerDeps, keys: { key: string; limit: number }[]): Promise<void> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - deps.throttle.windowSeconds * 1000);
  for (const { key, limit } of keys) {
    if ((await deps.store.countLoginFailures(key, since)) >= limit) {
      throw new HttpError(429, 'too_many_attempts', `too many failed sign-ins; try again in ${Math.ceil(deps.throttle.windowSeconds / 60)} minutes`, {
        'retry-after': String(deps.throttle.windowSeconds),
      });
    }
  }
}

/**
 * TOTP codes are good once: the last accepted step per user is kept (a setting of no tenant), checked and moved
 * in the setting's one serialised update, so the same code sent twice at once (two requests, two servers) is
 * accepted once.
 */
async function checkTotp(deps: ServerDeps, user: User, secret: string, code: string): Promise<boolean> {
  const key = `totp.lastStep.${user.id}`;
  const at = deps.clock.now();
  // A wrong code is answered from a read (no write per guess); a right one is checked again under the update.
  if (verifyTotp(secret, code, at, (await deps.store.getSetting<number | null>(null, key)) ?? undefined) === undefined) return false;
  let step: number | undefined;
  await deps.store.updateSetting<number | null>(null, key, (last) => {
    step = verifyTotp(secret, code, at, last ?? undefined);
    return step ?? last ?? null;
  });
  return step !== undefined;
}

function sessionAnswer(p: Principal) {
  return { user: publicUser(p.user), csrfToken: p.session?.csrfToken ?? null, mfa: mfaState(p.user, p.session?.mfaPassed ?? true) };
}

const principal = (req: FastifyRequest): Principal => {
  if (!req.principal) throw unauthorized();
  return req.principal;
};

const sessionOf = (req: FastifyRequest) => {
  const s = principal(req).session;
  if (!s) throw badRequest('this needs a browser session (sign in with POST /api/session), not an API token', 'session_required');
  return s;
};

export const sessionRoutes: RouteModule = (app, deps) => {
  const userSchema = { type: 'object', additionalProperties: true } as const;

  app.post('/api/session', {
    config: { auth: 'public', summary: 'Sign in with e-mail and password (a new session id every time)', tags: ['session'] },
    schema: {
      body: {
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: { email: { type: 'string', minLength: 3, maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } },
      },
      response: { 200: { type: 'object', properties: { user: userSchema, csrfToken: { type: 'string' }, mfa: { type: 'string', enum: ['none', 'required', 'setup'] } } } },
    },
  }, async (req, reply) => {
    const { email, password } = req.body as { email: string; password: string };
    const account = email.trim().toLowerCase();
    const keys = [{ key: `account:${account}`, limit: deps.throttle.perAccount }, { key: `ip:${req.ip}`, limit: deps.throttle.perIp }];
    await throttleCheck(deps, keys);
    const found = await deps.store.getUserByEmail(account);
    const ok = await verifyPassword(password, found?.passwordHash ?? (await dummyHash()));
    const now = deps.clock.now();
    if (!found || !ok || found.disabledAt) {
      for (const k of keys) await deps.store.recordLoginAttempt(k.key, false, now);
      await deps.store.appendAudit({ actorUserId: found?.id ?? null, actorTokenId: null, action: 'session.login-failed', objectType: 'user', objectId: found?.id ?? null, tenantId: null, detail: { email: account, ip: req.ip } }, now);
      throw new HttpError(401, 'login_failed', LOGIN_FAILED);
    }
    for (const k of keys) await deps.store.recordLoginAttempt(k.key, true, now);
    // Whatever session the browser had is dropped: the id after sign-in is always a fresh one (no fixation).
    const old = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (old) await deps.store.deleteSession(sha256(old));
    const { passwordHash: _hash, ...user } = found;
    void _hash;
    const mfaPassed = !user.totpEnabled && !needsTotp(user.role);
    const { id, record } = await createSession(deps, user, mfaPassed);
    setSessionCookie(req, reply, deps, id);
    req.principal = { user, scope: scopeOf(user), tokenId: null, session: { ...record, id } };
    await audit(deps, req, { action: 'session.login', objectType: 'user', objectId: user.id });
    return sessionAnswer(req.principal);
  });

  app.post('/api/session/totp', {
    config: { auth: 'pending', viewerMayWrite: true, summary: 'Give the TOTP code (second factor) of a signed-in session', tags: ['session'] },
    schema: { body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } } } },
  }, async (req, reply) => {
    const p = principal(req);
    const s = sessionOf(req);
    const keys = [{ key: `totp:${p.user.id}`, limit: deps.throttle.perAccount }];
    await throttleCheck(deps, keys);
    const secret = p.user.totpEnabled ? await deps.store.getTotpSecret(p.user.id) : undefined;
    if (!secret) throw badRequest('no second factor is set up for this account: POST /api/me/totp/setup', 'totp_not_set_up');
    const now = deps.clock.now();
    if (!(await checkTotp(deps, p.user, secret, (req.body as { code: string }).code))) {
      await deps.store.recordLoginAttempt(keys[0]!.key, false, now);
      throw new HttpError(401, 'totp_failed', 'wrong or already used code');
    }
    // A fresh session id once the second factor is given too.
    await deps.store.deleteSession(s.idHash);
    const { id, record } = await createSession(deps, p.user, true);
    setSessionCookie(req, reply, deps, id);
    p.session = { ...record, id };
    await audit(deps, req, { action: 'session.totp', objectType: 'user', objectId: p.user.id });
    return sessionAnswer(p);
  });

  app.get('/api/session', { config: { auth: 'pending', summary: 'The signed-in user and the CSRF token', tags: ['session'] } }, async (req) => sessionAnswer(principal(req)));

  app.delete('/api/session', { config: { auth: 'pending', viewerMayWrite: true, summary: 'Sign out', tags: ['session'] } }, async (req, reply: FastifyReply) => {
    const s = sessionOf(req);
    await deps.store.deleteSession(s.idHash);
    clearSessionCookie(req, reply, deps);
    await audit(deps, req, { action: 'session.logout', objectType: 'user', objectId: principal(req).user.id });
    return reply.code(204).send();
  });

  app.post('/api/me/totp/setup', {
    config: { auth: 'pending', viewerMayWrite: true, summary: 'Start TOTP set-up: a new secret, shown this once', tags: ['me'] },
  }, async (req) => {
    const p = principal(req);
    if (p.user.totpEnabled && p.session && !p.session.mfaPassed) throw new HttpError(401, 'mfa_required', 'give the current code first (POST /api/session/totp)');
    const secret = newTotpSecret();
    await deps.store.setTotp(p.user.id, secret, false);
    await audit(deps, req, { action: 'user.totp-setup', objectType: 'user', objectId: p.user.id });
    return { secret, otpauthUri: otpauthUri(secret, p.user.email) };
  });

  app.post('/api/me/totp/enable', {
    config: { auth: 'pending', viewerMayWrite: true, summary: 'Finish TOTP set-up with a current code', tags: ['me'] },
    schema: { body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } } } },
  }, async (req, reply) => {
    const p = principal(req);
    if (p.user.totpEnabled && p.session && !p.session.mfaPassed) throw new HttpError(401, 'mfa_required', 'give the current code first (POST /api/session/totp)');
    const secret = await deps.store.getTotpSecret(p.user.id);
    if (!secret) throw badRequest('start with POST /api/me/totp/setup', 'totp_not_set_up');
    if (!(await checkTotp(deps, p.user, secret, (req.body as { code: string }).code))) throw new HttpError(400, 'totp_failed', 'code: wrong or already used code');
    await deps.store.setTotp(p.user.id, secret, true);
    const user = { ...p.user, totpEnabled: true };
    if (p.session) {
      await deps.store.deleteSession(p.session.idHash);
      const { id, record } = await createSession(deps, user, true);
      setSessionCookie(req, reply, deps, id);
      p.session = { ...record, id };
    }
    p.user = user;
    await audit(deps, req, { action: 'user.totp-enable', objectType: 'user', objectId: p.user.id });
    return sessionAnswer(p);
  });

  app.post('/api/me/password', {
    config: { auth: 'user', viewerMayWrite: true, summary: 'Change your own password (signs out your other sessions)', tags: ['me'] },
    schema: {
      body: {
        type: 'object',
        required: ['currentPassword', 'newPassword'],
        additionalProperties: false,
        properties: { currentPassword: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH }, newPassword: { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH } },
      },
    },
  }, async (req, reply) => {
    const p = principal(req);
    const { currentPassword, newPassword } = req.body as { currentPassword: string; newPassword: string };
    const found = await deps.store.getUserByEmail(p.user.email);
    if (!found || !(await verifyPassword(currentPassword, found.passwordHash))) throw new HttpError(400, 'wrong_password', 'currentPassword: is not your current password');
    await deps.store.updateUser(p.user.id, { passwordHash: await hashPassword(newPassword) });
    await deps.store.deleteUserSessions(p.user.id);
    if (p.session) {
      const { id, record } = await createSession(deps, p.user, true);
      setSessionCookie(req, reply, deps, id);
      p.session = { ...record, id };
    }
    await audit(deps, req, { action: 'user.password', objectType: 'user', objectId: p.user.id });
    return sessionAnswer(p);
  });
};
