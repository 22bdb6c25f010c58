import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { cardBrand, ean13, luhn, myNumberCheckDigit, phoneType, validMyNumber } from './validators.js';
import { maskCard, maskEmail, maskName, maskPhone, maskPostal } from './mask.js';
import { decodeText, detectEncoding, normalizeText } from './decode.js';
import { classifyBuffer } from './index.js';

test('masking matches the contract examples and never returns the value', () => {
  assert.equal(maskPhone('090-1234-6809'), '090-****-6809');
  assert.equal(maskPhone('03-1234-5678'), '03-****-5678');
  assert.equal(maskEmail('taro@example.jp'), 'ta***@example.jp');
  assert.equal(maskCard('4111-1111-1111-1111'), '4***-****-****-1111');
  assert.equal(maskPostal('160-0023'), '〒160-****');
  assert.equal(maskPostal('〒1600023'), '〒160-****');
  assert.equal(maskName('山田 太郎'), '山田***');
  fc.assert(fc.property(fc.stringMatching(/^0[789]0-\d{4}-\d{4}$/), (p) => maskPhone(p) !== p && !maskPhone(p).includes(p.slice(4, 8) + '-')));
  fc.assert(fc.property(fc.emailAddress(), (e) => maskEmail(e) !== e));
});

test('My Number check digit (総務省令第八十五号 第五条) and the keyword rule', async () => {
  assert.equal(myNumberCheckDigit('12345678901'), 8);
  assert.ok(validMyNumber('123456789018'));
  assert.ok(!validMyNumber('123456789012'));
  // about one random 12-digit number in ten passes the check digit alone
  let pass = 0;
  const r = fc.sample(fc.stringMatching(/^\d{12}$/), { numRuns: 5000, seed: 1 });
  for (const d of r) if (validMyNumber(d)) pass++;
  assert.ok(pass > 350 && pass < 650, `pass rate ${pass / 5000}`);
  const bare = await classifyBuffer('a.txt', Buffer.from('伝票 1234 5678 9018\n'));
  assert.equal(bare.kinds['my-number'], undefined);
  const labelled = await classifyBuffer('a.txt', Buffer.from('氏名：佐藤 健太\nマイナンバー：1234 5678 9018\n'));
  assert.equal(labelled.kinds['my-number'], 1);
  assert.equal(labelled.personal, true);
  assert.ok(!JSON.stringify(labelled).includes('1234 5678 9018'));
});

test('cards: issuer prefix incl. JCB 3528–3589, Luhn, context; JAN codes are not cards', async () => {
  assert.ok(luhn('4111111111111111') && !luhn('4111111111111112'));
  assert.equal(cardBrand('3528000000000007'), 'jcb');
  assert.equal(cardBrand('3589000000000003'), 'jcb');
  assert.equal(cardBrand('3590000000000000'), undefined);
  assert.ok(ean13('4901234567894'));
  const jan = await classifyBuffer('p.csv', Buffer.from('商品コード,JAN\nA1,4901234567894\nA2,4512345678901\n'));
  assert.equal(jan.kinds.card, undefined);
  const noContext = await classifyBuffer('t.txt', Buffer.from('追跡番号 3530111333300001 3566002020360505\n'));
  assert.equal(noContext.kinds.card, undefined);
  const base = '354123456789012';
  const pan = base + [...'0123456789'].find((c) => luhn(base + c))!;
  const written = pan.replace(/(\d{4})(?=\d)/g, '$1-');
  const card = await classifyBuffer('t.txt', Buffer.from(`お支払い カード番号: ${written} 有効期限 04/27\n`));
  assert.equal(card.kinds.card, 1);
  assert.equal(card.personal, true);
  assert.deepEqual(card.samples, [`3***-****-****-${pan.slice(-4)}`]);
  assert.ok(!JSON.stringify(card).includes(written) && !JSON.stringify(card).includes(pan));
});

test('phone numbers by number plan, in every written form', async () => {
  assert.equal(phoneType('09012346809'), 'mobile');
  assert.equal(phoneType('0312345678'), 'landline');
  assert.equal(phoneType('0120123456'), 'toll-free');
  assert.equal(phoneType('08001234567'), 'toll-free');
  assert.equal(phoneType('0901234567'), undefined);
  const forms = ['TEL:090-3141-5926/FAX:03-5321-1119', '０８０－２７１８－２８１８', '(03)5321-1111', '03(5321)1112', '+81 90-2357-1113', '電話:0452271114', '06 6345 1115', '050-3141-2716'];
  const v = await classifyBuffer('log.dat', Buffer.from(forms.join('\n')));
  assert.equal(v.kinds.phone, forms.length + 1);
  assert.equal(v.personal, true);
  const notPhones = await classifyBuffer('x.txt', Buffer.from('order 0001234567\nversion 0.120.3456.7890\nip 010.123.045.067\ndate 2024-01-15\nts 1700000000000\nuuid 01234567-0123-4567-0123-456789012345\n'));
  assert.equal(notPhones.kinds.phone, undefined);
});

test('encodings are detected per file; full-width digits normalised', () => {
  const text = '氏名,電話\n山本 直樹,０９０－１２３４－６８０９\n';
  for (const [enc, want] of [['cp932', 'shift_jis'], ['euc-jp', 'euc-jp'], ['utf8', 'utf-8']] as const) {
    const bytes = iconv.encode(text, enc);
    assert.equal(detectEncoding(bytes), want);
    assert.match(decodeText(bytes).text, /090-1234-6809/);
  }
  assert.equal(detectEncoding(Buffer.from('\u001b$B$3$s\u001b(B')), 'iso-2022-jp');
  assert.equal(decodeText(Buffer.from('\u001b$B$3$s\u001b(B')).text, 'こん');
  assert.equal(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b')])), 'utf-8-bom');
  // half-width katakana in Shift_JIS becomes full-width
  assert.equal(decodeText(iconv.encode('ﾔﾏﾀﾞ', 'cp932')).text, 'ヤマダ');
});

test("a business's own contact details on its public page are not customer data", async () => {
  const page = Buffer.from('<h1>会社概要</h1>株式会社さくら商店 〒160-0023 東京都新宿区西新宿1-2-3 TEL 03-5321-1111 営業時間 10:00-18:00 info@sakura-shop.jp 代表取締役 桜井');
  const v = await classifyBuffer('about.html', page, { publicPage: true });
  assert.equal(v.personal, false);
  assert.deepEqual(v.kinds, {});
});

test('dummy data in templates is marked, not reported', async () => {
  const v = await classifyBuffer('sample.csv', Buffer.from('氏名,電話番号,メール\n山田 太郎,090-0000-0000,taro@example.com\n山田 花子,090-1234-5678,hanako@example.jp\n'));
  assert.equal(v.personal, false);
  assert.equal(v.dummy, true);
});

test('SQL: CREATE TABLE without rows is a schema; INSERT tuples are records', async () => {
  const schema = await classifyBuffer('create.sql', Buffer.from('CREATE TABLE dtb_customer (\n customer_id int,\n name01 text,\n email text\n);\n'));
  assert.equal(schema.personal, false);
  assert.equal(schema.sensitive, 'sql-dump');
  const rows = await classifyBuffer('dump.sql', Buffer.from("INSERT INTO `dtb_customer` (`customer_id`,`name01`,`name02`,`email`,`tel01`,`tel02`,`tel03`) VALUES (1,'中村','優子','yuko.n@gmail.com','090','3141','5926'),(2,'O''Brien','Tom','tom.ob@yahoo.co.jp','03','5321','1117');\n"));
  assert.equal(rows.personal, true);
  assert.equal(rows.records, 2);
  assert.equal(rows.kinds.phone, 2);
  assert.equal(rows.kinds.name, 2);
});

test('access logs: URL-encoded e-mail addresses and phone numbers in query strings count', async () => {
  const lines = ['ken.sato21', 'yumi_k', 'takashi.m', 'aya1990'].map((u, i) => `203.0.113.${i} - - [01/Mar/2024:10:00:0${i} +0900] "GET /contact/complete.php?name=x&email=${u}%40gmail.com&tel=0903141592${i} HTTP/1.1" 200 512`);
  const v = await classifyBuffer('access.log', Buffer.from(lines.join('\n')));
  assert.equal(v.kinds.email, 4);
  assert.equal(v.kinds.phone, 4);
  assert.equal(v.personal, true);
  assert.equal(v.sensitive, 'log');
  assert.ok(!JSON.stringify(v).includes('ken.sato21'));
});

test('JSON exports: keys name the values (first_name, billing_phone…)', async () => {
  const rows = [['健太', '佐藤', 'k.sato77@gmail.com', '090-3141-5926'], ['美咲', '伊藤', 'misaki.i@yahoo.co.jp', '080-2718-2818'], ['誠', '高橋', 'mtakahashi@icloud.com', '070-1414-2135']];
  const json = JSON.stringify(rows.map(([f, l, e, p]) => ({ first_name: f, last_name: l, email: e, billing_phone: p })));
  const v = await classifyBuffer('customers.json', Buffer.from(json));
  assert.equal(v.personal, true);
  assert.equal(v.kinds.email, 3);
  assert.ok((v.kinds.name ?? 0) >= 3);
  const products = await classifyBuffer('products.json', Buffer.from(JSON.stringify([{ name: '煎茶', price: 1000, jan: '4901234567894' }])));
  assert.equal(products.personal, false);
});

test('EC-CUBE 2 customer CSV export: numbered TEL and 郵便番号 columns are joined', async () => {
  const csv = ['会員ID,お名前(姓),お名前(名),郵便番号1,郵便番号2,都道府県,住所1,住所2,メールアドレス,TEL1,TEL2,TEL3', '1,中島,亮,530,0001,大阪府,大阪市北区梅田,1-2-3,ryo.n@gmail.com,06,6345,2291', '2,森,千尋,812,0011,福岡県,福岡市博多区博多駅前,2-1-1,chihiro@docomo.ne.jp,090,4412,9183'].join('\r\n');
  const v = await classifyBuffer('customer_20240301.csv', iconv.encode(csv, 'cp932'));
  assert.equal(v.kinds.phone, 2);
  assert.equal(v.kinds['postal-code'], 2);
  assert.equal(v.records, 2);
});

test('an unreadable file is a verdict with the reason, not an exception', async () => {
  const { classifyFile } = await import('./read.js');
  const r = classifyFile({ abs: Buffer.from('/nonexistent/mamori/customers.csv'), rel: 'customers.csv' }, 1024);
  assert.equal(r.verdict.skipped, 'unreadable');
  assert.equal(r.error, 'ENOENT');
  assert.equal(r.bytesRead, 0);
});

test('library documentation with many e-mail addresses (jQuery AUTHORS.txt) is not customer data', async () => {
  const authors = Array.from({ length: 40 }, (_, i) => `Contributor ${i} <contrib${i}.dev@gmail.com>`).join('\n');
  const v = await classifyBuffer('html/js/jquery-ui/AUTHORS.txt', Buffer.from(authors));
  assert.equal(v.personal, false);
  const js = await classifyBuffer('html/js/lib.js', Buffer.from(`/* by a.dev@gmail.com, b.dev@yahoo.co.jp, c.dev@outlook.jp */ var x = 1;`));
  assert.equal(js.personal, false);
});

test('normalizeText equals NFKC (with dashes between digits folded) on Japanese web text (property)', () => {
  // What pages and exports are made of: ASCII, kana, kanji, Japanese punctuation, and every character class
  // whose NFKC form matters (full-width and half-width forms, dashes, spaces, circled numbers, ㈱ ㍻).
  const chars = [
    ...'abcXYZ019@.-_:/ ()<>"\'=\t\n',
    ...'あかがぱんアカガパンー山田太郎東京都新宿区電話番号氏名、。「」・〜',
    ...'０１９－（）＠ａＺ，．：／　ｶﾞﾊﾟｱｲｳﾝｰﾞﾟ',
    '\u00a0', '\u00b2', '\u2002', '\u2010', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '①', '⑳', '⑴', '㈱', '㍻', '㎡', '\uff5e', '\uff70',
  ];
  const full = (s: string) => {
    const n = s.normalize('NFKC');
    return n.replace(/(\d)[\u2010-\u2015\u2212\u30fc\uff70](?=\d)/g, '$1-');
  };
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 60 }).map((a) => a.join('')), (s) => {
      assert.equal(normalizeText(s), full(s));
    }),
    { numRuns: 5000, seed: 20261205 },
  );
  assert.equal(normalizeText('ＴＥＬ：０９０－１２３４－５６７８　ｶﾞｲﾄﾞ'), 'TEL:090-1234-5678 ガイド');
});
