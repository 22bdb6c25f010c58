/**
 * Laws of the masker for strings that leave the detector and the site probe (issue 13, item 4): a generated
 * personal value planted anywhere in a file name, a path, a reason or a URL never survives whole; masking is
 * idempotent; text without personal values is left exactly as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Gen, plantedForms, type Person } from '../../test/pii/corpus.js';
import { maskDeep, maskText, maskUrl } from './mask.js';
import { classifyBuffer } from './classify.js';

const person = fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => new Gen(seed).person());
/** Text around a planted value: ASCII words, Japanese words, separators of file names and reasons. */
const around = fc.array(fc.constantFrom('', 'invoice', '請求書', '_', '-', ' ', 'backup', '2024', '顧客', 'list', '.csv', 'v2', '(', ')', 'の', 'data/'), { maxLength: 4 }).map((a) => a.join(''));

/** Each kind in the shapes it is found by: bare where its shape says it, behind a label where only a label does. */
function placements(p: Person): string[] {
  const sep = (s: string) => s.replace(/-/g, ' ');
  return [
    p.email,
    p.phone,
    p.phoneDigits,
    `+81-${p.phone.slice(1)}`,
    p.card,
    `${p.card.slice(0, 4)}-${p.card.slice(4, 8)}-${p.card.slice(8, 12)}-${p.card.slice(12)}`,
    sep(`${p.card.slice(0, 4)}-${p.card.slice(4, 8)}-${p.card.slice(8, 12)}-${p.card.slice(12)}`),
    p.myNumber,
    `${p.myNumber.slice(0, 4)} ${p.myNumber.slice(4, 8)} ${p.myNumber.slice(8)}`,
    `〒${p.postal}`,
    p.postal,
    `${p.pref}${p.city}${p.street}`,
    `氏名:${p.sei} ${p.mei}`,
    `お名前：${p.sei}${p.mei}`,
    `name=${p.sei}${p.mei}`,
    `生年月日:${p.birth}`,
    `birthday=${p.birth}`,
    `住所:${p.pref}${p.city}${p.street}`,
    `電話番号=${p.phone}`,
    `カード番号:${p.card}`,
    `マイナンバー:${p.myNumber}`,
    `メール:${p.email}`,
  ];
}

const leaks = (out: string, p: Person): string[] => plantedForms(p).filter((v) => out.includes(v) || out.includes(encodeURIComponent(v)) || out.includes(encodeURIComponent(v).replace(/%20/g, '+')));

test('a planted value does not survive maskText, wherever it sits in the text', () => {
  fc.assert(
    fc.property(person, around, around, fc.nat(), (p, before, after, pick) => {
      const all = placements(p);
      const planted = all[pick % all.length]!;
      const text = `${before}${before && /[\w]$/.test(before) ? '_' : ''}${planted}${after && /^\w/.test(after) ? '_' : ''}${after}`;
      const out = maskText(text);
      assert.deepEqual(leaks(out, p), [], `${JSON.stringify(text)} → ${JSON.stringify(out)}`);
      assert.equal(maskText(out), out, 'idempotent');
    }),
    { numRuns: 2000 },
  );
});

test('every placement of every person at once, in a file path and in a reason', () => {
  fc.assert(
    fc.property(person, (p) => {
      const path = `/var/www/html/${placements(p).join('/')}.csv`;
      assert.deepEqual(leaks(maskText(path), p), [], maskText(path));
      const reason = `personal-data columns: ${placements(p).join(', ')}`;
      assert.deepEqual(leaks(maskText(reason), p), [], maskText(reason));
    }),
    { numRuns: 300 },
  );
});

test('a planted value does not survive maskUrl: path segments, query values under any key, fragments, user info', () => {
  fc.assert(
    fc.property(person, fc.constantFrom('q', 'ref', 'id', 'name', 'email', 'tel', 'zip', 'addr', 'birthday', 'card_no', 'mynumber', 'keyword'), fc.nat(), (p, key, pick) => {
      const values = [p.email, p.phone, p.phoneDigits, p.card, p.myNumber, `${p.sei}${p.mei}`, `${p.sei} ${p.mei}`, `${p.pref}${p.city}${p.street}`];
      const v = values[pick % values.length]!;
      // In a path or a fragment a name is known by its label only, as in a file name.
      const inPath = v.startsWith(p.sei) ? `氏名=${v}` : v;
      for (const url of [
        `https://shop.example.jp/entry.php?${key}=${encodeURIComponent(v)}&page=2`,
        `https://shop.example.jp/entry.php?${key}=${v.replace(/ /g, '+')}`,
        `http://127.0.0.1:8080/members/${encodeURIComponent(inPath)}/profile.html`,
        `https://shop.example.jp/list.html#${encodeURIComponent(inPath)}`,
        `https://shop.example.jp/entry.php?birthday=${p.birth}&zip=${p.postal}`,
      ]) {
        const out = maskUrl(url);
        assert.deepEqual(leaks(out, p), [], `${url} → ${out}`);
        assert.ok(new URL(out).host, 'still a URL');
        const title = maskText(`Form on a page served over HTTP: ${url} (login)`);
        assert.deepEqual(leaks(title, p), [], `in a title: ${title}`);
      }
    }),
    { numRuns: 1000 },
  );
});

test('text without personal values is left as it was', () => {
  for (const s of [
    '/var/www/html/wp-content/uploads/2024/05/backup.sql',
    'Apache/2.4.57 (Debian) OpenSSL/3.0.11',
    'CVE-2021-44228 log4j 2.14.1',
    '192.168.100.200:8080',
    'format csv; 40 records with 5 kinds of personal data',
    'https://shop.example.jp/index.php?main_page=product_info&products_id=12&page=2',
    'member backup/orders.csv: list of e-mail addresses',
    '2026-12-06T01:30:00Z',
    'PHP 5.4.16 (end of life 2015-09-03)',
  ]) {
    assert.equal(maskText(s), s);
    assert.equal(maskDeep({ a: [s] }).a[0], /^https?:/.test(s) ? maskUrl(s) : s);
  }
  assert.equal(maskUrl('https://shop.example.jp/index.php?main_page=product_info&products_id=12'), 'https://shop.example.jp/index.php?main_page=product_info&products_id=12');
  // Not URLs after all, and URLs inside URLs: masked, and the masking ends.
  for (const s of ['http://[broken', 'see http://[::1 and ftp://files.example.jp/a', 'https://shop.example.jp/go?next=https%3A%2F%2Fshop.example.jp%2Fentry%3Ftel%3D09031415926']) assert.ok(!maskText(s).includes('09031415926'));
  assert.equal(maskText('redirect to http://[broken'), 'redirect to http://[broken');
});

test('a CSV whose rows are `label:value` cells: labels are the header, every row is data, no value in the reasons', async () => {
  const g = new Gen(20261206);
  const people = Array.from({ length: 6 }, () => g.person());
  const line = (p: Person) => [`氏名:${p.sei} ${p.mei}`, `電話:${p.phone}`, `メール:${p.email}`, `カード番号:${p.card}`, `マイナンバー:${p.myNumber}`].join(',');
  for (const text of [people.map(line).join('\n'), [line(people[0]!), ...people.slice(1).map((p) => [`${p.sei} ${p.mei}`, p.phone, p.email, p.card, p.myNumber].join(','))].join('\n')]) {
    const v = await classifyBuffer('export.csv', Buffer.from(text));
    assert.ok(v.personal);
    assert.equal(v.records, 6, 'the first row is a record too');
    assert.equal(v.kinds.card, 6);
    assert.equal(v.kinds['my-number'], 6);
    assert.ok(v.reasons.some((r) => r === 'personal-data columns: 氏名, 電話, メール, カード番号, マイナンバー'), v.reasons.join(' | '));
    const shown = JSON.stringify(v);
    assert.deepEqual(people.flatMap(plantedForms).filter((x) => shown.includes(x)), []);
  }
});

test('any string, URLs gone wrong included: masking ends and no planted number survives', () => {
  const piece = fc.constantFrom('http://', 'https://', 'ftp://', '[', ']', '%3A', '%2F', '%40', '?', '=', '&', '#', 'tel', '氏名', ':', '：', ' ', '/', '@', 'a.jp', '090-3141-5926', '4980123412341238', '123456789018', '〒150-0041', '東京都渋谷区神南1-2-3', '-', '(', ')', '+81', '*', '１２３');
  fc.assert(
    // Pieces apart (digits glued to digits are one longer number, for the detector as for the masker).
    fc.property(fc.array(fc.tuple(piece, fc.constantFrom('', ' ', '_', '/', ',', 'x')), { maxLength: 12 }).map((a) => a.map(([p, sep]) => (/[\d０-９]$/.test(p) ? p + (sep || ' ') : p + sep)).join('')), (s) => {
      for (const out of [maskText(s), maskUrl(s), maskText(maskText(s))]) {
        const digits = out.replace(/\D/g, '');
        assert.ok(!['4980123412341238', '123456789018', '09031415926'].some((n) => out.includes(n) || digits === n), `${JSON.stringify(s)} → ${out}`);
      }
    }),
    { numRuns: 3000 },
  );
});
