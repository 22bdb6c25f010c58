/**
 * The digit-based detectors scan only the digit regions (runs of digits and separators holding seven close
 * digits); the law: that gives exactly what scanning the whole text gives, on any text built from the
 * pieces customer data, code and markup are made of.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Collector } from './collector.js';
import { digitRegions, scanFreeText, type TextContext } from './detect.js';

function snapshot(text: string, ctx: TextContext, wholeText: boolean) {
  const c = new Collector();
  scanFreeText(text, c, ctx, { wholeText });
  const sets = Object.fromEntries([...c.values].map(([k, v]) => [k, [...v].sort()]));
  return { sets, dummy: Object.fromEntries(c.dummy), business: Object.fromEntries(c.business), samples: Object.fromEntries(c.firstSample) };
}

const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
const sep = fc.constantFrom('', '-', ' ', '.', '(', ')', ') ', '  ', ' - ', '+', '/', ':', '_', 'x', '\n');
const piece = fc.oneof(
  // phone numbers in every form the detectors know, and near misses
  fc.tuple(fc.constantFrom('0', '(0', '+81 ', '+81-', '+81 (0)', '090', '080', '050', '0120', '03', '06', '0466'), digits(1).chain(() => fc.integer({ min: 1, max: 4 }).chain(digits)), sep, fc.integer({ min: 1, max: 4 }).chain(digits), sep, fc.integer({ min: 3, max: 4 }).chain(digits)).map((p) => p.join('')),
  // postal codes, with and without 〒, and dates, JAN codes, prices, image names
  fc.tuple(fc.constantFrom('〒', '〒 ', '郵便番号 ', '', 'zip:'), digits(3), fc.constantFrom('-', '', ' '), digits(4), fc.constantFrom('', ' 東京都新宿区', ' 静岡県静岡市葵区伝馬町10-5')).map((p) => p.join('')),
  fc.tuple(fc.integer({ min: 1990, max: 2030 }), fc.constantFrom('-', '/', '.'), fc.integer({ min: 1, max: 12 }), fc.constantFrom('-', '/', '.'), fc.integer({ min: 1, max: 28 })).map((p) => p.join('')),
  fc.tuple(fc.constantFrom('JAN:49', '45', '978', '4', '35', '5', '37', ''), fc.integer({ min: 8, max: 17 }).chain(digits)).map((p) => p.join('')),
  // cards and My Numbers in groups, with and without their keywords
  fc.tuple(fc.constantFrom('4111', '3530', '5500', '3782', '1234', '4912'), fc.constantFrom(' ', '-', '.', ''), digits(4), fc.constantFrom(' ', '-', '.', ''), digits(4), fc.constantFrom(' ', '-', '.', ''), fc.integer({ min: 0, max: 7 }).chain(digits)).map((p) => p.join('')),
  fc.constantFrom('京都府京都市中京区', '北海道札幌市中央区北1条西2丁目', '神奈川県横浜市西区', '大阪府大阪市北区梅田1番地', '東京都', '県', '都道府県', '鹿児島県鹿児島市', '1-2-3', '5番地', '号'),
  fc.constantFrom('カード番号:', 'card', 'VISA ', '有効期限 12/27 ', 'マイナンバー ', '個人番号:', 'my_number=', 'TEL ', 'tel', '電話 ', 'FAX:', '携帯 '),
  // code, markup and prose around them
  fc.constantFrom('<li>', '</p>\n', '$arr[12] = 345;', 'price02 * 1.08', '#a1b2c3', 'margin:10px 0 0 3px;', 'function f(a,b){return a*100+b/7}', '¥1,080(税込)', '株式会社みどり茶園 ', '営業時間 9:00-18:00', 'お問い合わせ ', 'info@midori-chaen.co.jp ', '氏名：山田 太郎\n', '生年月日 1985/04/12', 'v2.13.5', '192.168.10.254', '  ', '\t', '、', '。'),
);
const text = fc.array(piece, { minLength: 1, maxLength: 40 }).map((xs) => xs.join(''));

test('digit regions and prefecture positions find what the whole-text scan finds (property)', () => {
  fc.assert(
    fc.property(text, fc.boolean(), (t, publicPage) => {
      assert.deepEqual(snapshot(t, { publicPage }, false), snapshot(t, { publicPage }, true));
    }),
    { numRuns: 3000, seed: 20261205 },
  );
});

test('digit regions are the maximal runs of digits and separators around seven close digits', () => {
  const t = '商品 4912345678904 / TEL 03-1234-5678, 〒160-0023 東京都新宿区西新宿1-2-3 price 1080 img 12345678_3.jpg (03) 1234 5678';
  const r = digitRegions(t);
  const spans = [];
  for (let i = 0; i < r.length; i += 2) spans.push(t.slice(r[i], r[i + 1]));
  assert.deepEqual(spans, [' 4912345678904 ', ' 03-1234-5678', '160-0023 ', ' 12345678', ' (03) 1234 5678']);
});

test('digit regions agree with the whole-text scan on real markup and code (test fixtures, these sources)', () => {
  // Real markup and code with their own numbers: the test fixtures of the site scan and this package's sources.
  const files = ['test/fixtures', 'src/pii'].flatMap((d) => {
    try {
      return readdirRec(d);
    } catch {
      return [];
    }
  });
  let checked = 0;
  for (const f of files) {
    const t = readFileSync(f, 'utf8');
    assert.deepEqual(snapshot(t, { publicPage: /\.html?$/.test(f) }, false), snapshot(t, { publicPage: /\.html?$/.test(f) }, true), f);
    checked++;
  }
  assert.ok(checked > 10, `only ${checked} files`);
});

function readdirRec(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    const st = statSync(p);
    if (st.isDirectory()) return readdirRec(p);
    return st.size < 512 * 1024 && /\.(?:html?|php|js|css|csv|tsv|sql|txt|ts|json)$/.test(n) ? [p] : [];
  });
}
