/** Snippets for the server actually found, with only the settings its version has. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECKS } from './catalog.js';
import { compareLoose, fitSnippets, SNIPPETS } from './snippets.js';

test('PHP 5.3 behind Apache 2.2 (an old CentOS shop): no session.cookie_samesite, no TLSv1.3, no nginx lines', () => {
  const stack = { servers: [{ server: 'apache' as const, version: '2.2.15' }], php: { version: '5.3.3' } };
  const cookie = fitSnippets(SNIPPETS['cookie.session-flags']!, stack)!;
  assert.doesNotMatch(cookie, /cookie_samesite/);
  assert.match(cookie, /session\.cookie_httponly = 1/, 'HttpOnly exists from PHP 5.2');
  assert.match(cookie, /^Apache: Header always edit Set-Cookie/m, 'SameSite through mod_headers instead');
  assert.doesNotMatch(cookie, /nginx/);
  const tls = fitSnippets(SNIPPETS['tls.tls10']!, stack)!;
  assert.equal(tls, 'Apache: SSLProtocol -all +TLSv1.2');
  assert.equal(fitSnippets(SNIPPETS['info.version-banner']!, stack), 'Apache: ServerTokens Prod / ServerSignature Off\nphp.ini: expose_php = Off');
});

test('PHP 8.2 behind nginx 1.24: samesite in php.ini, nginx only; PHP 5.1 gets neither HttpOnly nor SameSite in php.ini', () => {
  const stack = { servers: [{ server: 'nginx' as const, version: '1.24.0' }], php: { version: '8.2.20' } };
  const cookie = fitSnippets(SNIPPETS['cookie.session-flags']!, stack)!;
  assert.match(cookie, /session\.cookie_samesite = "Lax"/);
  assert.doesNotMatch(cookie, /Apache|lighttpd/);
  assert.equal(fitSnippets(SNIPPETS['header.hsts']!, stack), 'nginx: add_header Strict-Transport-Security "max-age=31536000" always;');
  assert.equal(fitSnippets(SNIPPETS['tls.tls11']!, stack), 'nginx: ssl_protocols TLSv1.2 TLSv1.3;');
  const old = fitSnippets(SNIPPETS['cookie.session-flags']!, { servers: [], php: { version: '5.1.6' } })!;
  assert.doesNotMatch(old, /cookie_httponly = 1|cookie_samesite =/);
});

test('lighttpd gets lighttpd syntax; nothing known → every server with its current syntax, none for old versions only', () => {
  assert.equal(fitSnippets(SNIPPETS['exposure.listing']!, { servers: [{ server: 'lighttpd', version: '1.4.59' }] }), 'lighttpd: dir-listing.activate = "disable"');
  const any = fitSnippets(SNIPPETS['tls.sslv3']!, { servers: [] })!;
  assert.deepEqual(any.split('\n'), ['Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3', 'nginx: ssl_protocols TLSv1.2 TLSv1.3;', 'lighttpd: ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2")']);
});

test('every snippet belongs to a check of the catalog; versions compare numerically', () => {
  const ids = new Set(CHECKS.keys());
  for (const id of Object.keys(SNIPPETS)) assert.ok(ids.has(id), id);
  assert.ok(compareLoose('2.2.15', '2.4.36') < 0);
  assert.ok(compareLoose('1.13.0', '1.9.15') > 0);
  assert.equal(compareLoose('7.3', '7.3.0'), 0);
});
