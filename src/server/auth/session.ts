/**
 * Server-side sessions: the cookie `mamori_session` holds 32 random bytes; the store keeps only their SHA-256, the
 * user, the CSRF token, the idle expiry (`expiresAt`, pushed forward on use) and whether the second factor was
 * given. The absolute lifetime counts from `createdAt`. A new id is made at every login (no fixation).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRecord } from '../../fleet/ports.js';
import type { Role, Scope, User } from '../../fleet/types.js';
import type { ServerDeps } from '../types.js';
import { randomId, sha256 } from './tokens.js';

export const SESSION_COOKIE = 'mamori_session';

/** The value of one cookie from the Cookie header (first occurrence), undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const isHttps = (req: FastifyRequest): boolean => req.protocol === 'https';

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, deps: ServerDeps, id: string): void {
  const secure = deps.secureCookies || isHttps(req);
  reply.header('set-cookie', `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${deps.sessionAbsoluteSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`);
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply, deps: ServerDeps): void {
  const secure = deps.secureCookies || isHttps(req);
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`);
}

export async function createSession(deps: ServerDeps, user: User, mfaPassed: boolean): Promise<{ id: string; record: SessionRecord }> {
  const id = randomId(32);
  const now = deps.clock.now();
  const record: SessionRecord = {
    idHash: sha256(id),
    userId: user.id,
    csrfToken: randomId(32),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.sessionIdleSeconds * 1000).toISOString(),
    mfaPassed,
  };
  await deps.store.createSession(record);
  return { id, record };
}

/** The live session of this cookie value, or undefined (unknown, idle-expired or past its absolute lifetime: then deleted). */
export async function loadSession(deps: ServerDeps, id: string): Promise<SessionRecord | undefined> {
  if (!/^[\w-]{43}$/.test(id)) return undefined;
  const idHash = sha256(id);
  const s = await deps.store.getSession(idHash);
  if (!s) return undefined;
  const now = deps.clock.now().getTime();
  const absoluteEnd = Date.parse(s.createdAt) + deps.sessionAbsoluteSeconds * 1000;
  if (now >= Date.parse(s.expiresAt) || now >= absoluteEnd) {
    await deps.store.deleteSession(idHash);
    return undefined;
  }
  // Slide the idle expiry, at most once a minute (not a write per request).
  const next = now + deps.sessionIdleSeconds * 1000;
  if (next - Date.parse(s.expiresAt) > 60_000) {
    const expiresAt = new Date(Math.min(next, absoluteEnd)).toISOString();
    await deps.store.updateSession(idHash, { expiresAt });
    return { ...s, expiresAt };
  }
  return s;
}

export function scopeOf(user: User): Scope {
  return { userId: user.id, role: user.role, tenantIds: user.role === 'admin' ? 'all' : [...user.tenantIds] };
}

/** What a login or session answer says of the second factor. */
export function mfaState(user: User, mfaPassed: boolean): 'none' | 'required' | 'setup' {
  if (mfaPassed) return 'none';
  if (user.totpEnabled) return 'required';
  return needsTotp(user.role) ? 'setup' : 'none';
}

/** Admins must use TOTP; others may (then it is asked at every login). */
export const needsTotp = (role: Role): boolean => role === 'admin';
