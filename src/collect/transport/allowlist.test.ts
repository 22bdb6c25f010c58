import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AllowlistError, argv } from './allowlist.js';
import { hostPattern, knownKeys } from './known-hosts.js';

test('values that could escape are refused before anything runs', () => {
  for (const path of ['relative/path', '/a/../etc/shadow', '/x\nrm -rf /', '/x\0y', '']) assert.throws(() => argv('readFile', { path, bytes: '10' }), AllowlistError, JSON.stringify(path));
  assert.throws(() => argv('phpV', { bin: '/tmp/evil' }), AllowlistError);
  assert.throws(() => argv('phpV', { bin: '/usr/bin/php; id' }), AllowlistError);
  assert.throws(() => argv('aptPolicy', { names: 'nginx; reboot' }), AllowlistError);
  // A web server binary from the process list: only httpd/apache2/nginx/lighttpd under /usr or /opt, no `..`.
  for (const webbin of ['/tmp/httpd', '/home/u/nginx', '/usr/local/apache2/bin/../../../tmp/httpd', '/usr/local/bin/evil', '/usr/sbin/httpd -k stop', 'httpd', '/usr/sbin/httpd\n/bin/sh', '/opt/x y/httpd'])
    assert.throws(() => argv('webBinV', { webbin }), AllowlistError, webbin);
  for (const webbin of ['/usr/local/apache2/bin/httpd', '/usr/sbin/apache2', '/opt/nginx/sbin/nginx', '/usr/local/openresty/nginx/sbin/nginx', '/usr/sbin/lighttpd'])
    assert.deepEqual(argv('webBinV', { webbin }), [webbin, '-V']);
  assert.throws(() => argv('readFile', { path: '/etc/hosts', bytes: '-1' }), AllowlistError);
});

test('known_hosts: plain, [host]:port, hashed entries, negation', () => {
  const text = [
    '# comment',
    '[127.0.0.1]:2222 ssh-ed25519 AAAAkey1',
    'example.jp,192.0.2.1 ssh-rsa AAAAkey2',
    '|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-rsa AAAAhashed',
    '*.example.jp,!bad.example.jp ecdsa-sha2-nistp256 AAAAwild',
  ].join('\n');
  assert.deepEqual(knownKeys(text, '127.0.0.1', 2222).map((k) => k.key), ['AAAAkey1']);
  assert.deepEqual(knownKeys(text, '127.0.0.1', 22), []);
  assert.deepEqual(knownKeys(text, 'example.jp', 22).map((k) => k.key), ['AAAAkey2']);
  assert.deepEqual(knownKeys(text, 'www.example.jp', 22).map((k) => k.key), ['AAAAwild']);
  assert.deepEqual(knownKeys(text, 'bad.example.jp', 22), []);
  // The hashed line is OpenSSH's documented example for host "192.168.1.61".
  assert.deepEqual(knownKeys(text, '192.168.1.61', 22).map((k) => k.key), ['AAAAhashed']);
  assert.equal(hostPattern('::1', 2200), '[::1]:2200');
});
