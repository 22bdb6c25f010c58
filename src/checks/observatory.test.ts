import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gradeFor, parseSetCookie, scoreObservatory, SCORE_TABLE, type ObservatoryInput } from './observatory.js';
import { gradeTls, PROTOCOLS } from './tls-grade.js';

const bare: ObservatoryInput = { https: true, headers: {}, setCookies: [], redirection: 'redirection-missing', certValid: false, scripts: [] };

describe('HTTP Observatory scoring', () => {
  it('scores the peers.md fixture as the Observatory did (F, 10 without cookies)', () => {
    // Observatory 1.4.8 on that fixture: csp −25, redirection −20, hsts-invalid-cert −20, xfo −20, xcto −5 → 10, F.
    const r = scoreObservatory(bare);
    assert.equal(r.score, 10);
    assert.equal(r.grade, 'F');
    assert.equal(r.tests.find((t) => t.test === 'strict-transport-security')?.result, 'hsts-invalid-cert');
  });

  it('gives A+ to a hardened site and counts bonuses only from 90 up', () => {
    const r = scoreObservatory({
      https: true,
      certValid: true,
      redirection: 'redirection-to-https',
      headers: {
        'strict-transport-security': 'max-age=63072000',
        'content-security-policy': "default-src 'self'; frame-ancestors 'self'",
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'strict-origin-when-cross-origin',
      },
      setCookies: ['PHPSESSID=x; Secure; HttpOnly; SameSite=Lax'],
      scripts: [],
    });
    assert.equal(r.grade, 'A+');
    assert.ok(r.score >= 100);
  });

  it('penalises a session cookie without Secure by −40', () => {
    const r = scoreObservatory({ ...bare, setCookies: ['PHPSESSID=abc; path=/'] });
    assert.equal(r.tests.find((t) => t.test === 'cookies')?.modifier, -40);
  });

  it('parses Set-Cookie attributes', () => {
    assert.deepEqual(parseSetCookie('eccube=1; path=/; HttpOnly; SameSite=Strict'), { name: 'eccube', secure: false, httpOnly: true, sameSite: 'Strict' });
  });

  it('maps scores to grades monotonically and stays within 0..135 (property)', () => {
    const results = Object.keys(SCORE_TABLE);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 135 }), fc.integer({ min: 0, max: 135 }), (a, b) => {
        const order = ['F', 'D-', 'D', 'D+', 'C-', 'C', 'C+', 'B-', 'B', 'B+', 'A-', 'A', 'A+'];
        if (a <= b) assert.ok(order.indexOf(gradeFor(a - (a % 5))) <= order.indexOf(gradeFor(b - (b % 5))));
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'strict-transport-security'), fc.string()), fc.boolean(), (headers, https) => {
        const r = scoreObservatory({ ...bare, headers, https });
        assert.ok(r.score >= 0 && r.score <= 135);
        assert.ok(r.tests.every((t) => results.includes(t.result)));
      }),
    );
  });
});

describe('TLS grade (testssl/SSL Labs manner)', () => {
  const base = { weakFamilies: [], keyBits: 2048, keyType: 'RSA', bestCipherBits: 256, trusted: true, hostnameOk: true, expired: false, weakSignature: false, hsts: true };
  it('A+ for TLS 1.2/1.3 with HSTS; B when TLS 1.0/1.1 remain; C without TLS 1.2', () => {
    assert.equal(gradeTls({ ...base, protocols: ['TLSv1.2', 'TLSv1.3'] }).grade, 'A+');
    assert.equal(gradeTls({ ...base, protocols: ['TLSv1.2', 'TLSv1.3'] }).mozilla, 'intermediate');
    assert.equal(gradeTls({ ...base, protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'] }).grade, 'B');
    assert.equal(gradeTls({ ...base, protocols: ['TLSv1', 'TLSv1.1'] }).grade, 'C');
  });
  it('F for anonymous or export suites and SSLv2; T when untrusted', () => {
    assert.equal(gradeTls({ ...base, protocols: ['TLSv1.2'], weakFamilies: ['anon'] }).grade, 'F');
    assert.equal(gradeTls({ ...base, protocols: ['SSLv2', 'TLSv1.2'] }).grade, 'F');
    const t = gradeTls({ ...base, protocols: ['TLSv1.2'], trusted: false });
    assert.deepEqual([t.grade, t.gradeIfTrusted], ['T', 'A']);
  });
  it('never improves when a weak suite family or an obsolete protocol is added (property)', () => {
    const order = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F'];
    const families = ['rc4', '3des', 'anon', 'null', 'export', 'des'];
    fc.assert(
      fc.property(fc.subarray([...PROTOCOLS], { minLength: 1 }), fc.subarray(families), fc.constantFrom(...families), fc.constantFrom('SSLv2', 'TLSv1', 'TLSv1.1'), (ps, weak, more, old) => {
        const a = gradeTls({ ...base, protocols: ps, weakFamilies: weak });
        const b = gradeTls({ ...base, protocols: ps, weakFamilies: [...new Set([...weak, more])] });
        const c = gradeTls({ ...base, protocols: [...new Set([...ps, old as (typeof PROTOCOLS)[number]])], weakFamilies: weak });
        assert.ok(order.indexOf(b.gradeIfTrusted) >= order.indexOf(a.gradeIfTrusted), `${a.gradeIfTrusted} → ${b.gradeIfTrusted}`);
        if (ps.some((p) => p === 'TLSv1.2' || p === 'TLSv1.3')) assert.ok(order.indexOf(c.gradeIfTrusted) >= order.indexOf(a.gradeIfTrusted), `${ps} + ${old}: ${a.gradeIfTrusted} → ${c.gradeIfTrusted}`);
      }),
    );
  });
});
