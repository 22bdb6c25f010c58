/**
 * Session cookie attributes and version-announcing headers, by the rules of src/checks/headers.ts.
 */
import { HEADER_RULES, HSTS_MIN_SECONDS, SESSION_COOKIE_FLAGS, VERSION_BANNER_HEADERS } from '../../checks/headers.js';
import { hstsMaxAge, parseSetCookie, scoreObservatory, SESSION_COOKIE_RE } from '../../checks/observatory.js';
import { type HttpResponse } from '../http.js';
import { type Ctx, addFinding } from './context.js';

export function cookieChecks(c: Ctx, https: boolean): void {
  for (const [name, { line, url }] of c.cookies) {
    if (!SESSION_COOKIE_RE.test(name)) continue;
    const p = parseSetCookie(line);
    const missing: string[] = SESSION_COOKIE_FLAGS.filter((r) => r.missing(p, https)).map((r) => r.flag);
    if (!missing.length) continue;
    addFinding(c, 'cookie.session-flags', name, { cookie: name, missing: missing.join(', ') }, {
      location: url,
      evidence: { cookie: name, missing, setCookieAttributes: line.split(';').slice(1).map((x) => x.trim().split('=')[0]).filter(Boolean) },
      severity: missing.includes('Secure') || missing.includes('HttpOnly') ? 'medium' : 'low',
    });
  }
}

export function bannerFindings(c: Ctx, r: HttpResponse): void {
  for (const { header: h, label: header } of VERSION_BANNER_HEADERS) {
    const v = r.headers[h];
    if (v && /\d+\.\d+/.test(v)) addFinding(c, 'info.version-banner', header, { header, value: v.slice(0, 120) }, { location: r.finalUrl, evidence: { header, value: v.slice(0, 200) } });
  }
}

/** Security headers of the start page: HSTS, the Observatory results each rule of HEADER_RULES watches, SRI, and the grade. */
export function headerFindings(c: Ctx, primary: HttpResponse, obs: ReturnType<typeof scoreObservatory>, httpsOk: boolean, host: string): void {
  const h = primary.headers;
  const location = primary.finalUrl;
  const hsts = hstsMaxAge(h['strict-transport-security']);
  if (httpsOk && hsts === undefined) addFinding(c, 'header.hsts', host, { host }, { location, evidence: { header: 'Strict-Transport-Security', value: null } });
  else if (httpsOk && (hsts ?? 0) < HSTS_MIN_SECONDS) addFinding(c, 'header.hsts-short', host, { host }, { location, evidence: { header: 'Strict-Transport-Security', value: h['strict-transport-security'] } });
  const resultOf = (test: string) => obs.tests.find((t) => t.test === test)?.result ?? '';
  for (const r of HEADER_RULES) {
    if (!r.fails.test(resultOf(r.test))) continue;
    const value = r.showValue ? (h[r.header.toLowerCase()] ?? null) : null;
    addFinding(c, r.check, host, { host }, { location, evidence: { header: r.header, value, ...(r.observatory !== undefined ? { observatory: r.observatory } : {}) } });
  }
  if (/not-loaded-securely/.test(resultOf('subresource-integrity'))) addFinding(c, 'header.sri', host, { host }, { location, evidence: { result: resultOf('subresource-integrity') } });
  addFinding(c, 'header.observatory-grade', host, { host, grade: obs.grade, score: obs.score }, {
    location,
    severity: obs.score >= 70 ? 'info' : obs.score >= 40 ? 'low' : 'medium',
    evidence: { score: obs.score, grade: obs.grade, tests: obs.tests, algorithm: 'MDN HTTP Observatory score table (reimplemented)' },
  });
}
