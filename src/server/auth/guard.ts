/**
 * The one gate every request passes (an onRequest hook, before the body is read): who is calling (Bearer token or
 * session cookie), whether the route lets them (sign-in, second factor, role, viewers read-only), and CSRF for
 * state changes made with a cookie: the `X-CSRF-Token` header must equal the session's token, and a browser's
 * `Origin` must be this server. Bearer requests are exempt from CSRF (a browser never adds that header by itself).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, forbidden, unauthorized } from '../errors.js';
import type { ServerDeps } from '../types.js';
import { SESSION_COOKIE, loadSession, readCookie, scopeOf } from './session.js';
import { API_TOKEN_PREFIX, safeEqual, sha256 } from './tokens.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function checkOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const own = `${req.protocol}://${req.headers.host ?? ''}`;
    if (origin !== own) throw new HttpError(403, 'csrf', `cross-origin request refused (Origin ${origin.slice(0, 100)})`);
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'csrf', 'cross-site request refused');
}

export function authHook(deps: ServerDeps) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    req.principal = null;
    const config = req.routeOptions.config ?? {};
    const url = req.url;
    const isApi = url === '/api' || url.startsWith('/api/');
    const mode = config.auth ?? (isApi ? 'user' : 'public');
    const write = !SAFE_METHODS.has(req.method);

    // Browsers' cross-origin writes are refused everywhere, signed in or not (login CSRF too).
    if (write && isApi) checkOrigin(req);

    const authz = req.headers.authorization;
    if (authz !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(authz);
      if (!m || !m[1]!.startsWith(API_TOKEN_PREFIX)) throw unauthorized('malformed Authorization header: expected "Bearer mamori_…"');
      const token = await deps.store.findToken(sha256(m[1]!));
      if (!token || token.revokedAt) throw unauthorized('invalid or revoked API token');
      const user = await deps.store.getUser(token.userId);
      if (!user || user.disabledAt) throw unauthorized('invalid or revoked API token');
      req.principal = { user, scope: scopeOf(user), tokenId: token.id, session: null };
    } else {
      const id = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (id) {
        const s = await loadSession(deps, id);
        const user = s && (await deps.store.getUser(s.userId));
        if (s && user && !user.disabledAt) {
          req.principal = { user, scope: scopeOf(user), tokenId: null, session: { ...s, id } };
          if (write && mode !== 'public') {
            const sent = req.headers['x-csrf-token'];
            if (typeof sent !== 'string' || !safeEqual(sent, s.csrfToken)) throw new HttpError(403, 'csrf', 'missing or wrong X-CSRF-Token header');
          }
        }
      }
    }

    if (mode === 'public') return;
    const p = req.principal;
    if (!p) throw unauthorized();
    if (p.session && !p.session.mfaPassed && mode !== 'pending') {
      throw new HttpError(401, 'mfa_required', 'the second factor (TOTP) is needed first: POST /api/session/totp, or set it up at /api/me/totp/setup');
    }
    if (config.roles && !config.roles.includes(p.user.role)) throw forbidden();
    if (write && p.user.role === 'viewer' && !config.viewerMayWrite) throw forbidden('viewers have read-only access');
  };
}
