import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { decodeRaw } from './decode.js';

const page = '<html><head><title>テスト商店 | 会員登録</title></head><body><p>住所: 東京都千代田区丸の内1-1-1 ＴＥＬ ０３</p></body></html>';

test('decodeRaw reads a page in its own encoding, unnormalised (the site prober reads with it)', () => {
  assert.equal(decodeRaw(new TextEncoder().encode(page)), page);
  assert.equal(decodeRaw(iconv.encode(page, 'cp932')), page);
  assert.equal(decodeRaw(iconv.encode(page, 'euc-jp')), page);
  assert.ok(decodeRaw(new TextEncoder().encode(page)).includes('ＴＥＬ'), 'full-width letters kept as served');
});

test('a UTF-8 page cut in the middle of a character (a ranged request) stays UTF-8', () => {
  const bytes = new TextEncoder().encode(page);
  const cut = bytes.subarray(0, bytes.indexOf(0xe4, 30) + 1); // the first byte of a three-byte character
  const text = decodeRaw(cut, true);
  assert.ok(text.startsWith('<html><head><title>テスト商店'), text.slice(0, 40));
  const short = new TextEncoder().encode('<p>テ').subarray(0, 5);
  assert.equal(decodeRaw(short, true), '<p>');
});
