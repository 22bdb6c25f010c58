import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FILE_SIGNATURES, fileKind } from './filetypes.js';

const bytesOf = (s: (typeof FILE_SIGNATURES)[number]): Uint8Array => {
  const off = 'offset' in s ? s.offset : 0;
  const b = new Uint8Array(off + s.bytes.length + 16);
  b.set(s.bytes, off);
  return b;
};

test('every signature is recognised, and only among the kinds asked for', () => {
  for (const s of FILE_SIGNATURES) {
    assert.equal(fileKind(bytesOf(s)), s.kind);
    assert.equal(fileKind(bytesOf(s), new Set([s.kind])), s.kind);
    const others = new Set(FILE_SIGNATURES.map((x) => x.kind).filter((k) => k !== s.kind));
    assert.equal(fileKind(bytesOf(s), others), undefined, s.kind);
  }
  assert.equal(fileKind(Uint8Array.from([0x20, 0x00, 0x2d, 0x6c, 0x7a, 0x35, 0x2d, 0])), 'lzh');
  assert.equal(fileKind(new TextEncoder().encode('<html><body>shop</body></html>')), undefined);
});

test('a prefix of a signature is not the signature (short bodies, truncated downloads)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...FILE_SIGNATURES), fc.nat(), (s, n) => {
      const full = bytesOf(s);
      const cut = full.subarray(0, ('offset' in s ? s.offset : 0) + (n % s.bytes.length));
      return fileKind(cut, new Set([s.kind])) === undefined;
    }),
  );
});
