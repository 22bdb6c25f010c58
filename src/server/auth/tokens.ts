/** Random secrets of the auth layer: session ids, CSRF tokens, API tokens; only their SHA-256 is stored. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_TOKEN_PREFIX = 'mamori_';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
export const randomId = (bytes = 32): string => randomBytes(bytes).toString('base64url');
export const newApiToken = (): string => `${API_TOKEN_PREFIX}${randomId(32)}`;

/** Constant-time string equality (lengths may differ: then false without comparing). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
