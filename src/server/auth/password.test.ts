import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, randomPassword, verifyPassword } from './password.js';

test('scrypt hashes carry their parameters, verify the right password only, and differ per salt', async () => {
  const fast = { N: 1 << 10, r: 8, p: 1 };
  const h1 = await hashPassword('correct horse battery staple', fast);
  const h2 = await hashPassword('correct horse battery staple', fast);
  assert.match(h1, /^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.notEqual(h1, h2);
  assert.equal(await verifyPassword('correct horse battery staple', h1), true);
  assert.equal(await verifyPassword('correct horse battery stapl', h1), false);
  assert.equal(await verifyPassword('', h1), false);
  for (const bad of ['', 'plain', 'scrypt$x$8$1$aa$bb', 'bcrypt$1$2$3$4$5', h1.replace('$1024$', '$99999999$')]) {
    assert.equal(await verifyPassword('correct horse battery staple', bad), false, bad);
  }
  const h3 = await hashPassword('パスワード🔑長いもの', fast);
  assert.equal(await verifyPassword('パスワード🔑長いもの', h3), true);
});

test('random passwords are 20 characters of an unambiguous alphabet', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const p = randomPassword();
    assert.match(p, /^[A-HJ-NP-Za-km-z2-9]{20}$/);
    seen.add(p);
  }
  assert.equal(seen.size, 50);
});
