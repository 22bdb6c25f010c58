/**
 * Security headers scored the way the MDN HTTP Observatory does (mdn/mdn-http-observatory `src/grader/charts.js`
 * SCORE_TABLE and GRADE_CHART, `src/scanner/index.js` analyzeScan): start at 100, add each test's modifier,
 * bonuses only when the uncurved score is at least 90, floor 0, round down to 5, map to a grade.
 * Reimplemented from the published table (MPL-2.0 upstream; no code copied).
 */

export const SCORE_TABLE = {
  'csp-implemented-with-no-unsafe': 5,
  'csp-implemented-with-unsafe-inline': -20,
  'csp-implemented-with-insecure-scheme': -20,
  'csp-implemented-with-unsafe-eval': -10,
  'csp-not-implemented': -25,
  'cookies-secure-with-httponly-sessions-and-samesite': 5,
  'cookies-not-found': 0,
  'cookies-secure-with-httponly-sessions': 0,
  'cookies-without-secure-flag-but-protected-by-hsts': -5,
  'cookies-session-without-secure-flag-but-protected-by-hsts': -10,
  'cookies-without-secure-flag': -20,
  'cookies-samesite-flag-invalid': -20,
  'cookies-session-without-httponly-flag': -30,
  'cookies-session-without-secure-flag': -40,
  'redirection-to-https': 0,
  'redirection-not-needed-no-http': 0,
  'redirection-off-host-from-http': -5,
  'redirection-not-to-https-on-initial-redirection': -10,
  'redirection-not-to-https': -20,
  'redirection-missing': -20,
  'redirection-invalid-cert': -20,
  'referrer-policy-private': 5,
  'referrer-policy-not-implemented': 0,
  'referrer-policy-unsafe': -5,
  'hsts-preloaded': 5,
  'hsts-implemented-max-age-at-least-six-months': 0,
  'hsts-implemented-max-age-less-than-six-months': -10,
  'hsts-not-implemented': -20,
  'hsts-header-invalid': -20,
  'hsts-not-implemented-no-https': -20,
  'hsts-invalid-cert': -20,
  'sri-implemented-and-external-scripts-loaded-securely': 5,
  'sri-not-implemented-but-all-scripts-loaded-from-secure-origin': 0,
  'sri-not-implemented-but-no-scripts-loaded': 0,
  'sri-implemented-but-external-scripts-not-loaded-securely': -20,
  'sri-not-implemented-but-external-scripts-loaded-securely': -5,
  'sri-not-implemented-and-external-scripts-not-loaded-securely': -50,
  'x-content-type-options-nosniff': 0,
  'x-content-type-options-not-implemented': -5,
  'x-content-type-options-header-invalid': -5,
  'x-frame-options-implemented-via-csp': 5,
  'x-frame-options-sameorigin-or-deny': 0,
  'x-frame-options-not-implemented': -20,
  'x-frame-options-header-invalid': -20,
} as const satisfies Record<string, number>;
export type ObservatoryResult = keyof typeof SCORE_TABLE;

export const GRADE_CHART: readonly [number, string][] = [
  [100, 'A+'], [95, 'A'], [90, 'A'], [85, 'A-'], [80, 'B+'], [75, 'B'], [70, 'B'], [65, 'B-'], [60, 'C+'], [55, 'C'], [50, 'C'], [45, 'C-'], [40, 'D+'], [35, 'D'], [30, 'D'], [25, 'D-'],
];

export const gradeFor = (score: number): string => GRADE_CHART.find(([s]) => score >= s)?.[1] ?? 'F';

export interface ObservatoryInput {
  https: boolean;
  /** Headers of the final page (lower-case names). */
  headers: Record<string, string>;
  setCookies: string[];
  /** Redirection outcome measured on http:// (already one of the redirection-* results). */
  redirection: ObservatoryResult;
  certValid: boolean;
  /** Script srcs of the page, resolved, and whether each had an integrity attribute. */
  scripts: { url: string; integrity: boolean; sameOrigin: boolean }[];
}

export interface ObservatoryTest {
  test: string;
  result: ObservatoryResult;
  modifier: number;
}

export const SESSION_COOKIE_RE = /sess|^sid$|token|login|eccube|ECSESSID|PHPSESSID|wordpress_logged_in|wordpress_sec|zenid|osCsid|usces|auth|csrf/i;

export interface ParsedCookie {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: string;
}

export function parseSetCookie(line: string): ParsedCookie {
  const [pair, ...attrs] = line.split(';');
  const name = (pair ?? '').split('=')[0]!.trim();
  const c: ParsedCookie = { name, secure: false, httpOnly: false };
  for (const a of attrs) {
    const [k, v] = a.split('=').map((x) => x.trim());
    const key = (k ?? '').toLowerCase();
    if (key === 'secure') c.secure = true;
    else if (key === 'httponly') c.httpOnly = true;
    else if (key === 'samesite') c.sameSite = v ?? '';
  }
  return c;
}

function csp(h: Record<string, string>): ObservatoryResult {
  const v = h['content-security-policy'];
  if (!v) return 'csp-not-implemented';
  const script = /script-src([^;]*)/i.exec(v)?.[1] ?? /default-src([^;]*)/i.exec(v)?.[1] ?? '';
  if (/'unsafe-inline'/.test(script) && !/'nonce-|'sha\d+-|'strict-dynamic'/.test(script)) return 'csp-implemented-with-unsafe-inline';
  if (/\bhttp:|(?:^|\s)\*(?:\s|$)/.test(script)) return 'csp-implemented-with-insecure-scheme';
  if (/'unsafe-eval'/.test(script)) return 'csp-implemented-with-unsafe-eval';
  return 'csp-implemented-with-no-unsafe';
}

export function hstsMaxAge(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /max-age\s*=\s*"?(\d+)"?/i.exec(v);
  return m ? Number(m[1]) : NaN;
}

function hsts(i: ObservatoryInput): ObservatoryResult {
  if (!i.https) return 'hsts-not-implemented-no-https';
  if (!i.certValid) return 'hsts-invalid-cert';
  const age = hstsMaxAge(i.headers['strict-transport-security']);
  if (age === undefined) return 'hsts-not-implemented';
  if (Number.isNaN(age)) return 'hsts-header-invalid';
  return age >= 15_768_000 ? 'hsts-implemented-max-age-at-least-six-months' : 'hsts-implemented-max-age-less-than-six-months';
}

function cookies(i: ObservatoryInput): ObservatoryResult {
  if (i.setCookies.length === 0) return 'cookies-not-found';
  const hasHsts = (hstsMaxAge(i.headers['strict-transport-security']) ?? 0) > 0;
  const cs = i.setCookies.map(parseSetCookie);
  let worst: ObservatoryResult = 'cookies-secure-with-httponly-sessions-and-samesite';
  const rank = (r: ObservatoryResult) => SCORE_TABLE[r];
  const take = (r: ObservatoryResult) => {
    if (rank(r) < rank(worst)) worst = r;
  };
  for (const c of cs) {
    const session = SESSION_COOKIE_RE.test(c.name);
    if (c.sameSite !== undefined && !/^(strict|lax|none)$/i.test(c.sameSite)) take('cookies-samesite-flag-invalid');
    if (!c.secure) take(session ? (hasHsts ? 'cookies-session-without-secure-flag-but-protected-by-hsts' : 'cookies-session-without-secure-flag') : hasHsts ? 'cookies-without-secure-flag-but-protected-by-hsts' : 'cookies-without-secure-flag');
    if (session && !c.httpOnly) take('cookies-session-without-httponly-flag');
    if (c.sameSite === undefined && rank(worst) > 0) take('cookies-secure-with-httponly-sessions');
  }
  return worst;
}

function referrer(h: Record<string, string>): ObservatoryResult {
  const v = h['referrer-policy'];
  if (!v) return 'referrer-policy-not-implemented';
  const last = v.split(',').map((x) => x.trim().toLowerCase()).pop() ?? '';
  return ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(last) ? 'referrer-policy-private' : 'referrer-policy-unsafe';
}

function sri(i: ObservatoryInput): ObservatoryResult {
  const external = i.scripts.filter((s) => !s.sameOrigin);
  if (i.scripts.length === 0 || external.length === 0) {
    if (i.scripts.some((s) => s.url.startsWith('http:') && i.https)) return 'sri-not-implemented-and-external-scripts-not-loaded-securely';
    return i.scripts.length === 0 ? 'sri-not-implemented-but-no-scripts-loaded' : 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin';
  }
  const insecure = external.some((s) => s.url.startsWith('http:'));
  const all = external.every((s) => s.integrity);
  if (all) return insecure ? 'sri-implemented-but-external-scripts-not-loaded-securely' : 'sri-implemented-and-external-scripts-loaded-securely';
  return insecure ? 'sri-not-implemented-and-external-scripts-not-loaded-securely' : 'sri-not-implemented-but-external-scripts-loaded-securely';
}

function xcto(h: Record<string, string>): ObservatoryResult {
  const v = h['x-content-type-options'];
  if (!v) return 'x-content-type-options-not-implemented';
  return v.trim().toLowerCase() === 'nosniff' ? 'x-content-type-options-nosniff' : 'x-content-type-options-header-invalid';
}

function xfo(h: Record<string, string>): ObservatoryResult {
  if (/frame-ancestors/i.test(h['content-security-policy'] ?? '')) return 'x-frame-options-implemented-via-csp';
  const v = h['x-frame-options'];
  if (!v) return 'x-frame-options-not-implemented';
  return /^(deny|sameorigin)$/i.test(v.trim()) ? 'x-frame-options-sameorigin-or-deny' : 'x-frame-options-header-invalid';
}

export function scoreObservatory(i: ObservatoryInput): { score: number; grade: string; tests: ObservatoryTest[] } {
  const results: [string, ObservatoryResult][] = [
    ['content-security-policy', csp(i.headers)],
    ['cookies', cookies(i)],
    ['redirection', i.redirection],
    ['referrer-policy', referrer(i.headers)],
    ['strict-transport-security', hsts(i)],
    ['subresource-integrity', sri(i)],
    ['x-content-type-options', xcto(i.headers)],
    ['x-frame-options', xfo(i.headers)],
  ];
  const tests = results.map(([test, result]) => ({ test, result, modifier: SCORE_TABLE[result] }));
  const uncurved = 100 + tests.reduce((s, t) => s + Math.min(0, t.modifier), 0);
  const score = Math.max(0, uncurved >= 90 ? 100 + tests.reduce((s, t) => s + t.modifier, 0) : uncurved);
  const rounded = score - (score % 5);
  return { score: rounded, grade: gradeFor(rounded), tests };
}
