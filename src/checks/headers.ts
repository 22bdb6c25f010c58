/**
 * Header and cookie rules as data, beside the check catalogue (./catalog.ts) and the Observatory score table
 * (./observatory.ts): which response headers announce versions, which Observatory results raise which
 * header check, and which attributes a session cookie must carry. The site prober applies them.
 */
import type { ParsedCookie } from './observatory.js';

/** Response headers that announce software versions (a finding when they carry one), with their display names. */
export const VERSION_BANNER_HEADERS: readonly { header: string; label: string }[] = [
  { header: 'server', label: 'Server' },
  { header: 'x-powered-by', label: 'X-Powered-By' },
  { header: 'x-aspnet-version', label: 'X-AspNet-Version' },
];

/** `Server` for `server`: the header as people write it. */
export const headerLabel = (header: string): string => VERSION_BANNER_HEADERS.find((h) => h.header === header)?.label ?? header;

export interface HeaderRule {
  /** The Observatory test (./observatory.ts) whose result decides. */
  test: string;
  /** The results that raise the check. */
  fails: RegExp;
  /** The check of the catalogue it raises. */
  check: string;
  /** The header shown in the evidence, and whether its value is (`header.csp` reports only its absence). */
  header: string;
  showValue: boolean;
  /** The Observatory modifier, for the evidence. */
  observatory?: number;
}

export const HEADER_RULES: readonly HeaderRule[] = [
  { test: 'content-security-policy', fails: /^csp-not-implemented$/, check: 'header.csp', header: 'Content-Security-Policy', showValue: false, observatory: -25 },
  { test: 'x-frame-options', fails: /not-implemented|invalid/, check: 'header.x-frame-options', header: 'X-Frame-Options', showValue: true, observatory: -20 },
  { test: 'x-content-type-options', fails: /not-implemented|invalid/, check: 'header.x-content-type-options', header: 'X-Content-Type-Options', showValue: true, observatory: -5 },
  { test: 'referrer-policy', fails: /not-implemented|unsafe/, check: 'header.referrer-policy', header: 'Referrer-Policy', showValue: true },
];

/** HSTS shorter than six months is reported (Observatory's threshold). */
export const HSTS_MIN_SECONDS = 15_768_000;

/** The attributes a session cookie must carry, and when one counts as missing. */
export const SESSION_COOKIE_FLAGS: readonly { flag: 'Secure' | 'HttpOnly' | 'SameSite'; missing: (c: ParsedCookie, https: boolean) => boolean }[] = [
  { flag: 'Secure', missing: (c, https) => !c.secure && https },
  { flag: 'HttpOnly', missing: (c) => !c.httpOnly },
  { flag: 'SameSite', missing: (c) => c.sameSite === undefined || !/^(strict|lax|none)$/i.test(c.sameSite) },
];
