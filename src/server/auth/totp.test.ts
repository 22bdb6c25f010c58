import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base32Decode, base32Encode, hotp, newTotpSecret, totp, totpStep, verifyTotp } from './totp.js';

// RFC 6238 Appendix B, SHA-1 rows: the shared secret is the ASCII string "12345678901234567890", 8 digits.
const RFC_KEY = Buffer.from('12345678901234567890');
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

test('TOTP matches the RFC 6238 SHA-1 test vectors (8 digits, and their last 6 as mamori uses)', () => {
  const secret = base32Encode(RFC_KEY);
  for (const [t, code] of RFC_VECTORS) {
    assert.equal(hotp(RFC_KEY, Math.floor(t / 30), 8), code, `T=${t}`);
    assert.equal(totp(secret, new Date(t * 1000)), code.slice(2), `T=${t} (6 digits)`);
  }
});

test('HOTP matches the RFC 4226 Appendix D values', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, i) => assert.equal(hotp(RFC_KEY, i), code));
});

test('verifyTotp: ±1 step accepted, 2 steps refused, a used step refused (no replay), junk refused', () => {
  const secret = newTotpSecret();
  const now = new Date(1_800_000_000_000);
  const step = totpStep(now);
  const at = (s: number) => new Date((s * 30 + 5) * 1000);
  assert.equal(verifyTotp(secret, totp(secret, now), now), step);
  assert.equal(verifyTotp(secret, totp(secret, at(step - 1)), now), step - 1);
  assert.equal(verifyTotp(secret, totp(secret, at(step + 1)), now), step + 1);
  assert.equal(verifyTotp(secret, totp(secret, at(step - 2)), now), undefined);
  assert.equal(verifyTotp(secret, totp(secret, at(step + 2)), now), undefined);
  assert.equal(verifyTotp(secret, totp(secret, now), now, step), undefined, 'the same code twice');
  assert.equal(verifyTotp(secret, totp(secret, at(step - 1)), now, step), undefined, 'an older code after a newer one');
  for (const junk of ['', '12345', '1234567', 'abcdef', ' 123456']) assert.equal(verifyTotp(secret, junk, now), undefined, junk);
});

test('base32 round-trips and refuses foreign letters', () => {
  for (let n = 0; n < 40; n++) {
    const buf = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 255));
    assert.deepEqual(base32Decode(base32Encode(buf)), buf);
  }
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI'); // RFC 4648 §10
  assert.equal(base32Decode('MZXW6YTBOI======')?.toString(), 'foobar');
  assert.equal(base32Decode('MZXW6YTB01'), undefined);
});
