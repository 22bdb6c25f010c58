/**
 * A labelled corpus for the personal-data detector, generated from a fixed seed: realistic Japanese customer
 * records in every encoding (UTF-8 ±BOM, Shift_JIS, EUC-JP, ISO-2022-JP) and container (plain, gzip, zip,
 * xlsx, tar.gz), CSV/TSV/SQL dumps of EC-CUBE, Welcart and WordPress, and trap files that must not be
 * reported as personal data. Every raw value generated is remembered so tests can assert none leaks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync, strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { myNumberCheckDigit, luhn, cardBrand } from '../../src/pii/validators.js';
import { dummyPhone } from '../../src/pii/validators.js';
import type { PiiKind } from '../../src/pii/types.js';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES: [string, string, string][] = [
  ['佐藤', 'サトウ', 'sato'], ['鈴木', 'スズキ', 'suzuki'], ['高橋', 'タカハシ', 'takahashi'], ['田中', 'タナカ', 'tanaka'],
  ['伊藤', 'イトウ', 'ito'], ['渡辺', 'ワタナベ', 'watanabe'], ['山本', 'ヤマモト', 'yamamoto'], ['中村', 'ナカムラ', 'nakamura'],
  ['小林', 'コバヤシ', 'kobayashi'], ['加藤', 'カトウ', 'kato'], ['吉田', 'ヨシダ', 'yoshida'], ['山口', 'ヤマグチ', 'yamaguchi'],
  ['松本', 'マツモト', 'matsumoto'], ['井上', 'イノウエ', 'inoue'], ['木村', 'キムラ', 'kimura'], ['斎藤', 'サイトウ', 'saito'],
  ['清水', 'シミズ', 'shimizu'], ['山崎', 'ヤマザキ', 'yamazaki'], ['池田', 'イケダ', 'ikeda'], ['橋本', 'ハシモト', 'hashimoto'],
  ['阿部', 'アベ', 'abe'], ['石川', 'イシカワ', 'ishikawa'], ['前田', 'マエダ', 'maeda'], ['藤田', 'フジタ', 'fujita'],
  ['長谷川', 'ハセガワ', 'hasegawa'], ['近藤', 'コンドウ', 'kondo'], ['村上', 'ムラカミ', 'murakami'], ['遠藤', 'エンドウ', 'endo'],
];
const GIVEN: [string, string, string][] = [
  ['健太', 'ケンタ', 'kenta'], ['翔太', 'ショウタ', 'shota'], ['大輔', 'ダイスケ', 'daisuke'], ['美咲', 'ミサキ', 'misaki'],
  ['陽子', 'ヨウコ', 'yoko'], ['直樹', 'ナオキ', 'naoki'], ['由美', 'ユミ', 'yumi'], ['和也', 'カズヤ', 'kazuya'],
  ['恵', 'メグミ', 'megumi'], ['誠', 'マコト', 'makoto'], ['真由美', 'マユミ', 'mayumi'], ['拓也', 'タクヤ', 'takuya'],
  ['彩', 'アヤ', 'aya'], ['亮', 'リョウ', 'ryo'], ['智子', 'トモコ', 'tomoko'], ['浩二', 'コウジ', 'koji'],
  ['さくら', 'サクラ', 'sakura'], ['優子', 'ユウコ', 'yuko'], ['隆', 'タカシ', 'takashi'], ['千尋', 'チヒロ', 'chihiro'],
];
const PLACES: [number, string, string, string][] = [
  [13, '東京都', '新宿区', '西新宿'], [13, '東京都', '世田谷区', '三軒茶屋'], [27, '大阪府', '大阪市北区', '梅田'], [14, '神奈川県', '横浜市中区', '山下町'],
  [23, '愛知県', '名古屋市中区', '栄'], [1, '北海道', '札幌市中央区', '北一条西'], [40, '福岡県', '福岡市博多区', '博多駅前'], [26, '京都府', '京都市下京区', '四条通'],
  [28, '兵庫県', '神戸市中央区', '三宮町'], [11, '埼玉県', 'さいたま市大宮区', '桜木町'], [12, '千葉県', '船橋市', '本町'], [22, '静岡県', '浜松市中区', '鍛冶町'],
  [34, '広島県', '広島市中区', '紙屋町'], [4, '宮城県', '仙台市青葉区', '一番町'], [47, '沖縄県', '那覇市', '久茂地'], [20, '長野県', '松本市', '中央'],
];
const DOMAINS = ['gmail.com', 'yahoo.co.jp', 'docomo.ne.jp', 'ezweb.ne.jp', 'icloud.com', 'outlook.jp', 'nifty.com', 'softbank.ne.jp', 'hotmail.co.jp'];

export interface Person {
  sei: string; mei: string; seiKana: string; meiKana: string;
  email: string; phone: string; phoneDigits: string; postal: string; prefId: number; pref: string; city: string; street: string;
  birth: string; card: string; myNumber: string;
}

/** The whole forms of a person's values that no report may show (the masking tests plant them). */
export function plantedForms(p: Person): string[] {
  return [p.email, p.phone, p.phoneDigits, p.card, p.myNumber, `${p.sei}${p.mei}`, `${p.sei} ${p.mei}`, p.postal, `${p.pref}${p.city}${p.street}`, p.birth];
}

export class Gen {
  readonly r: () => number;
  /** Every raw personal value generated (all written forms). */
  readonly raw = new Set<string>();
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }
  phone(): { text: string; digits: string } {
    for (;;) {
      const kind = this.int(4);
      let d: string;
      if (kind <= 1) d = `0${this.pick(['7', '8', '9'])}0${this.digits(8)}`;
      else if (kind === 2) d = `0${this.pick(['3', '6'])}${String(2 + this.int(8))}${this.digits(7)}`;
      else d = `0${this.pick(['45', '52', '92', '11', '75', '78', '22', '82'])}${String(2 + this.int(8))}${this.digits(6)}`;
      if (dummyPhone(d)) continue;
      const text = d.length === 11 ? `${d.slice(0, 3)}-${d.slice(3, 7)}-${d.slice(7)}` : /^0[36]/.test(d) ? `${d.slice(0, 2)}-${d.slice(2, 6)}-${d.slice(6)}` : `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`;
      return { text, digits: d };
    }
  }
  card(): string {
    for (;;) {
      const brand = this.int(4);
      const prefix = brand === 0 ? `4${this.digits(5)}` : brand === 1 ? `5${1 + this.int(5)}${this.digits(4)}` : brand === 2 ? `35${28 + this.int(62)}${this.digits(2)}` : `3${this.pick(['4', '7'])}${this.digits(4)}`;
      const len = brand === 3 ? 15 : 16;
      const body = prefix + this.digits(len - prefix.length - 1);
      for (let c = 0; c < 10; c++) {
        const d = body + String(c);
        if (luhn(d) && cardBrand(d)) return d;
      }
    }
  }
  myNumber(): string {
    for (;;) {
      const base = this.digits(11);
      const d = base + String(myNumberCheckDigit(base));
      if (!/^(19|20)\d\d(0[1-9]|1[0-2])/.test(d)) return d;
    }
  }
  person(): Person {
    const [sei, seiKana, seiRo] = this.pick(SURNAMES);
    const [mei, meiKana, meiRo] = this.pick(GIVEN);
    const [prefId, pref, city, town] = this.pick(PLACES);
    const p = this.phone();
    let postal = '';
    do postal = `${String(100 + this.int(899))}-${this.digits(4)}`;
    while (/0000$/.test(postal));
    const email = `${this.pick([`${meiRo}.${seiRo}`, `${seiRo}${meiRo}`, `${meiRo}_${seiRo}`, `${meiRo}${seiRo.slice(0, 1)}`])}${this.int(1000)}@${this.pick(DOMAINS)}`;
    const street = `${town}${1 + this.int(5)}-${1 + this.int(30)}-${1 + this.int(20)}`;
    const birth = `${1950 + this.int(55)}-${String(1 + this.int(12)).padStart(2, '0')}-${String(1 + this.int(28)).padStart(2, '0')}`;
    const person: Person = { sei, mei, seiKana, meiKana, email, phone: p.text, phoneDigits: p.digits, postal, prefId, pref, city, street, birth, card: this.card(), myNumber: this.myNumber() };
    for (const v of [`${sei} ${mei}`, `${sei}${mei}`, `${sei}\u3000${mei}`, `${seiKana} ${meiKana}`, `${seiKana}${meiKana}`, email, p.text, p.digits, postal, postal.replace('-', ''), `${pref}${city}${street}`, `${city}${street}`, street, birth, person.card, person.myNumber]) this.raw.add(v);
    return person;
  }
}

// ---------------------------------------------------------------- encodings

export type Enc = 'utf-8' | 'utf-8-bom' | 'shift_jis' | 'euc-jp' | 'iso-2022-jp';

/** ISO-2022-JP from EUC-JP bytes: JIS X 0208 runs are the EUC bytes minus 0x80, between ESC $ B and ESC ( B. */
function iso2022jp(text: string): Uint8Array {
  const euc = iconv.encode(text.normalize('NFKC'), 'euc-jp');
  const out: number[] = [];
  let kanji = false;
  for (let i = 0; i < euc.length; i++) {
    const b = euc[i]!;
    if (b >= 0xa1) {
      if (!kanji) out.push(0x1b, 0x24, 0x42);
      kanji = true;
      out.push(b - 0x80, euc[i + 1]! - 0x80);
      i++;
    } else {
      if (kanji) out.push(0x1b, 0x28, 0x42);
      kanji = false;
      out.push(b);
    }
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Uint8Array.from(out);
}

export function encode(text: string, enc: Enc): Uint8Array {
  switch (enc) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'shift_jis':
      return iconv.encode(text, 'cp932');
    case 'euc-jp':
      return iconv.encode(text, 'euc-jp');
    case 'iso-2022-jp':
      return iso2022jp(text);
  }
}

const FW: Record<string, string> = { '0': '０', '1': '１', '2': '２', '3': '３', '4': '４', '5': '５', '6': '６', '7': '７', '8': '８', '9': '９', '-': '－' };
export const fullWidth = (s: string): string => s.replace(/[0-9-]/g, (c) => FW[c]!);

// ---------------------------------------------------------------- xlsx

const xmlEsc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export function xlsx(rows: string[][]): Uint8Array {
  const strings: string[] = [];
  const idx = new Map<string, number>();
  const sid = (s: string) => {
    let i = idx.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      idx.set(s, i);
    }
    return i;
  };
  const col = (i: number) => String.fromCharCode(65 + i);
  const sheetRows = rows
    .map((r, ri) => `<row r="${ri + 1}">${r.map((v, ci) => `<c r="${col(ci)}${ri + 1}" t="s"><v>${sid(v)}</v></c>`).join('')}</row>`)
    .join('');
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'),
    '_rels/.rels': strToU8('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    'xl/workbook.xml': strToU8('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="顧客" sheetId="1" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>'),
    'xl/worksheets/sheet1.xml': strToU8(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`),
    'xl/sharedStrings.xml': strToU8(`<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}">${strings.map((s) => `<si><t>${xmlEsc(s)}</t></si>`).join('')}</sst>`),
  };
  return zipSync(files);
}

function tar(files: Record<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    const h = new Uint8Array(512);
    h.set(Buffer.from(name), 0);
    h.set(Buffer.from('0000644\0'), 100);
    h.set(Buffer.from(`${data.length.toString(8).padStart(11, '0')}\0`), 124);
    h[156] = 0x30;
    h.set(Buffer.from('ustar\u000000'), 257);
    parts.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------- the corpus

export interface Labelled {
  path: string;
  personal: boolean;
  /** Kinds present, with the number of distinct values written. */
  kinds: Partial<Record<PiiKind, number>>;
  records?: number;
  note: string;
}

const sqlStr = (s: string) => `'${s.replace(/'/g, "''")}'`;

function csvOf(header: string[], rows: string[][], delim = ','): string {
  const q = (v: string) => (delim === ',' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header, ...rows].map((r) => r.map(q).join(delim)).join('\r\n') + '\r\n';
}

export function buildCorpus(root: string, seed = 20261123): { labels: Labelled[]; raw: Set<string> } {
  const g = new Gen(seed);
  const labels: Labelled[] = [];
  const write = (rel: string, data: Uint8Array | string, label: Omit<Labelled, 'path'>) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    labels.push({ path: rel, ...label });
  };
  const people = (n: number) => Array.from({ length: n }, () => g.person());
  const counted = (n: number, kinds: readonly PiiKind[]): Partial<Record<PiiKind, number>> => Object.fromEntries(kinds.map((k) => [k, n]));

  // 1. Japanese-header CSV exports in every encoding
  const header = ['会員ID', 'お名前(姓)', 'お名前(名)', 'フリガナ(セイ)', 'フリガナ(メイ)', '郵便番号', '都道府県', '住所1', '住所2', '電話番号', 'メールアドレス', '生年月日', '登録日'];
  const rowsOf = (ps: Person[]) => ps.map((p, i) => [String(1000 + i), p.sei, p.mei, p.seiKana, p.meiKana, p.postal, p.pref, p.city, p.street, p.phone, p.email, p.birth.replace(/-/g, '/'), '2024/05/01']);
  const encs: Enc[] = ['utf-8', 'utf-8-bom', 'shift_jis', 'euc-jp', 'iso-2022-jp'];
  for (const enc of encs) {
    const ps = people(25);
    write(`data/csv/customer_${enc}.csv`, encode(csvOf(header, rowsOf(ps)), enc), { personal: true, kinds: counted(25, ['name', 'phone', 'email', 'postal-code', 'address', 'birth-date']), records: 25, note: `EC export CSV ${enc}` });
  }
  // 2. TSV order list in EUC-JP, Japanese headers with full-width digits and parenthesised phones
  {
    const ps = people(30);
    const rows = ps.map((p, i) => {
      const d = p.phoneDigits;
      const tel = i % 3 === 0 ? fullWidth(p.phone) : i % 3 === 1 ? `(${d.slice(0, d.length === 11 ? 3 : 2)})${d.slice(d.length === 11 ? 3 : 2, -4)}-${d.slice(-4)}` : `${d.slice(0, d.length === 11 ? 3 : 2)}(${d.slice(d.length === 11 ? 3 : 2, -4)})${d.slice(-4)}`;
      g.raw.add(tel);
      return [`20240${i}`, `${p.sei} ${p.mei}`, `〒${fullWidth(p.postal)}`, `${p.pref}${p.city}${p.street}`, tel, '3,980'];
    });
    write('download/order_list.tsv', encode(csvOf(['注文番号', 'お届け先氏名', '郵便番号', 'お届け先住所', 'お届け先電話番号', '合計'], rows, '\t'), 'euc-jp'), { personal: true, kinds: counted(30, ['name', 'phone', 'postal-code', 'address']), records: 30, note: 'TSV EUC-JP, full-width and parenthesised phones' });
  }
  // 3. headerless CSV (Shift_JIS)
  {
    const ps = people(20);
    const rows = ps.map((p) => [`${p.sei} ${p.mei}`, `${p.seiKana} ${p.meiKana}`, p.phone, p.email]);
    write('old/meibo.csv', encode(rows.map((r) => r.join(',')).join('\r\n'), 'shift_jis'), { personal: true, kinds: counted(20, ['name', 'phone', 'email']), records: 20, note: 'headerless Shift_JIS CSV' });
  }
  // 4. EC-CUBE 2 mysqldump of dtb_customer
  {
    const ps = people(40);
    const cols = ['customer_id', 'name01', 'name02', 'kana01', 'kana02', 'zip01', 'zip02', 'pref', 'addr01', 'addr02', 'email', 'tel01', 'tel02', 'tel03', 'sex', 'birth', 'password', 'create_date'];
    const tuples = ps.map((p, i) => {
      const d = p.phoneDigits;
      const t1 = d.length === 11 ? d.slice(0, 3) : /^0[36]/.test(d) ? d.slice(0, 2) : d.slice(0, 3);
      const t2 = d.slice(t1.length, d.length - 4);
      return `(${i + 1},${[p.sei, p.mei, p.seiKana, p.meiKana, p.postal.slice(0, 3), p.postal.slice(4)].map(sqlStr).join(',')},${p.prefId},${sqlStr(p.city)},${sqlStr(p.street)},${sqlStr(p.email)},${[t1, t2, d.slice(-4)].map(sqlStr).join(',')},${1 + (i % 2)},${sqlStr(`${p.birth} 00:00:00`)},${sqlStr('c2f7ab46df3db842040a86a0897a5377e4e6d7d2')},'2015-04-01 10:00:00')`;
    });
    const sql = `-- MySQL dump 10.13\n--\n-- Table structure for table \`dtb_customer\`\n--\nDROP TABLE IF EXISTS \`dtb_customer\`;\nCREATE TABLE \`dtb_customer\` (\n${cols.map((c) => `  \`${c}\` text`).join(',\n')},\n  PRIMARY KEY (\`customer_id\`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8;\nLOCK TABLES \`dtb_customer\` WRITE;\nINSERT INTO \`dtb_customer\` VALUES ${tuples.join(',')};\nUNLOCK TABLES;\n`;
    write('backup/eccube_db.sql', sql, { personal: true, kinds: counted(40, ['name', 'phone', 'email', 'postal-code', 'address', 'birth-date']), records: 40, note: 'EC-CUBE 2 mysqldump dtb_customer' });
    write('backup/eccube_db.sql.gz', gzipSync(strToU8(sql)), { personal: true, kinds: counted(40, ['name', 'phone', 'email', 'postal-code', 'address', 'birth-date']), records: 40, note: 'gzip of the dump' });
  }
  // 5. EC-CUBE on PostgreSQL: pg_dump COPY
  {
    const ps = people(15);
    const lines = ps.map((p, i) => [String(i + 1), p.sei, p.mei, p.seiKana, p.meiKana, p.postal.replace('-', ''), String(p.prefId), p.city, p.street, p.email, p.phoneDigits, '\\N'].join('\t'));
    const sql = `--\n-- PostgreSQL database dump\n--\nCOPY public.dtb_customer (id, name01, name02, kana01, kana02, postal_code, pref_id, addr01, addr02, email, phone_number, note) FROM stdin;\n${lines.join('\n')}\n\\.\n`;
    write('html/upload/pg_dump.sql', sql, { personal: true, kinds: counted(15, ['name', 'phone', 'email', 'postal-code', 'address']), records: 15, note: 'EC-CUBE 4 pg_dump COPY' });
  }
  // 6. Welcart usces_member and WordPress wp_users in one dump, inside a zip with a CSV
  {
    const ps = people(12);
    const members = ps.map((p, i) => `(${i + 1},${sqlStr(p.email)},'$P$Bxyz',0,${sqlStr(p.sei)},${sqlStr(p.mei)},${sqlStr(p.seiKana)},${sqlStr(p.meiKana)},${sqlStr(p.postal)},${sqlStr(p.pref)},${sqlStr(p.city)},${sqlStr(p.street)},${sqlStr(p.phone)})`);
    const users = ps.map((p, i) => `(${i + 2},'user${i}','$P$Babc',${sqlStr(p.email)},${sqlStr(`${p.sei} ${p.mei}`)})`);
    const sql = `INSERT INTO \`wp_usces_member\` (\`ID\`,\`mem_email\`,\`mem_pass\`,\`mem_status\`,\`mem_name1\`,\`mem_name2\`,\`mem_name3\`,\`mem_name4\`,\`mem_zip\`,\`mem_pref\`,\`mem_address1\`,\`mem_address2\`,\`mem_tel\`) VALUES ${members.join(',\n')};\nINSERT INTO \`wp_users\` (\`ID\`,\`user_login\`,\`user_pass\`,\`user_email\`,\`display_name\`) VALUES ${users.join(',')};\n`;
    const csv = csvOf(['氏名', 'メール'], ps.map((p) => [`${p.sei} ${p.mei}`, p.email]));
    write('wp-content/uploads/backup_20240101.zip', zipSync({ 'db/welcart.sql': strToU8(sql), 'export/members.csv': encode(csv, 'shift_jis'), 'readme.txt': strToU8('backup') }), { personal: true, kinds: counted(12, ['name', 'phone', 'email', 'postal-code', 'address']), records: 36, note: 'zip: Welcart + wp_users dump and SJIS CSV' });
  }
  // 7. xlsx customer list
  {
    const ps = people(18);
    write('files/顧客リスト.xlsx', xlsx([['氏名', 'ふりがな', '〒', '住所', 'TEL', 'E-mail'], ...ps.map((p) => [`${p.sei} ${p.mei}`, `${p.seiKana} ${p.meiKana}`, p.postal, `${p.pref}${p.city}${p.street}`, p.phone, p.email])]), { personal: true, kinds: counted(18, ['name', 'phone', 'email', 'postal-code', 'address']), records: 18, note: 'xlsx' });
  }
  // 8. tar.gz site backup with a dump inside (and ordinary files)
  {
    const ps = people(10);
    const sql = `INSERT INTO dtb_order (order_id, order_name01, order_name02, order_email, order_tel01, order_tel02, order_tel03, order_zip01, order_zip02, order_addr01) VALUES ${ps.map((p, i) => `(${i + 1},${sqlStr(p.sei)},${sqlStr(p.mei)},${sqlStr(p.email)},'${p.phoneDigits.slice(0, 3)}','${p.phoneDigits.slice(3, -4)}','${p.phoneDigits.slice(-4)}','${p.postal.slice(0, 3)}','${p.postal.slice(4)}',${sqlStr(p.city + p.street)})`).join(',')};\n`;
    write('backup/site_20240301.tar.gz', gzipSync(tar({ 'www/index.php': strToU8('<?php echo "hello";'), 'www/db.sql': strToU8(sql) })), { personal: true, kinds: counted(10, ['name', 'phone', 'email', 'postal-code', 'address']), records: 10, note: 'tar.gz with dtb_order' });
  }
  // 9. old CGI mail-form log (Shift_JIS free text)
  {
    const ps = people(8);
    const blocks = ps.map((p, i) => `------------------------------\n送信日時：2019/0${1 + (i % 9)}/1${i} 10:2${i}\nお名前：${p.sei} ${p.mei}\nフリガナ：${p.seiKana} ${p.meiKana}\nメールアドレス：${p.email}\n電話番号：${p.phone}\nご住所：〒${p.postal} ${p.pref}${p.city}${p.street}\nお問い合わせ内容：商品の在庫について\n`);
    write('cgi-bin/formmail/data/log.dat', encode(blocks.join(''), 'shift_jis'), { personal: true, kinds: counted(8, ['name', 'phone', 'email', 'postal-code', 'address']), records: 8, note: 'mail-form log (free text)' });
  }
  // 10. payment cards (critical)
  {
    const ps = people(6);
    write('admin/csv/card_orders.csv', csvOf(['注文番号', '氏名', 'カード番号', '有効期限'], ps.map((p, i) => [`A${1000 + i}`, `${p.sei} ${p.mei}`, p.card.length === 16 ? p.card.replace(/(\d{4})(?=\d)/g, '$1-') : p.card, `0${1 + i}/2${7 + (i % 3)}`])), { personal: true, kinds: counted(6, ['name', 'card']), records: 6, note: 'card numbers with names' });
    for (const p of ps) g.raw.add(p.card.replace(/(\d{4})(?=\d)/g, '$1-'));
  }
  // 11. My Number (critical)
  {
    const ps = people(5);
    write('tmp/staff_mynumber.txt', encode(ps.map((p) => `氏名：${p.sei} ${p.mei}\n個人番号：${p.myNumber.replace(/(\d{4})(?=\d)/g, '$1 ')}\n`).join('\n'), 'utf-8'), { personal: true, kinds: counted(5, ['name', 'my-number']), records: 5, note: 'My Numbers with keyword' });
    for (const p of ps) g.raw.add(p.myNumber.replace(/(\d{4})(?=\d)/g, '$1 '));
  }
  // 12. phones in every form, with +81
  {
    const ps = people(10);
    const text = ps.map((p, i) => {
      const d = p.phoneDigits;
      const intl = `+81 ${d.slice(1, 3)}-${d.slice(3, 7)}-${d.slice(7)}`;
      g.raw.add(intl);
      return `${i + 1}\t${p.sei} ${p.mei}\t${i % 2 ? intl : d}\t${p.email}`;
    });
    write('data/contacts_export.txt', encode(['No\t氏名\t電話\tメール', ...text].join('\n'), 'utf-8'), { personal: true, kinds: counted(10, ['name', 'phone', 'email']), records: 10, note: '+81 and bare digits' });
  }

  // ---------------------------------------------------------------- traps
  const trap = (rel: string, data: Uint8Array | string, note: string) => write(rel, data, { personal: false, kinds: {}, note });
  {
    const jan = () => {
      for (;;) {
        const d = `49${g.digits(10)}`;
        for (let c = 0; c < 10; c++) {
          const x = d + String(c);
          let s = 0;
          for (let i = 0; i < 13; i++) s += (x.charCodeAt(i) - 48) * (i % 2 ? 3 : 1);
          if (s % 10 === 0) return x;
        }
      }
    };
    const rows = Array.from({ length: 60 }, (_, i) => [`P-${String(i).padStart(5, '0')}`, jan(), `オーガニック緑茶 ${i}g`, String(500 + i * 10), String(g.int(100)), `2024-0${1 + (i % 9)}-15`]);
    trap('data/products.csv', encode(csvOf(['商品コード', 'JANコード', '商品名', '価格', '在庫数', '更新日'], rows), 'shift_jis'), 'JAN codes and product numbers');
  }
  {
    const rows = Array.from({ length: 80 }, (_, i) => [`0${g.digits(9)}`, `20240${1 + (i % 9)}1${i % 10}-${String(i).padStart(6, '0')}`, `2024-03-${String(1 + (i % 28)).padStart(2, '0')} 1${i % 10}:2${i % 6}:00`, String(1000 + g.int(9000)), g.digits(16)]);
    trap('data/orders_summary.csv', csvOf(['order_no', 'slip_no', 'ordered_at', 'total', 'tracking'], rows), 'order numbers, tracking numbers, dates');
  }
  trap('docs/versions.txt', ['PHP 5.3.3', 'EC-CUBE 2.13.5', 'jQuery 1.12.4', 'OpenSSL 1.0.1e-fips 11 Feb 2013', 'kernel 2.6.32-754.35.1.el6.x86_64', 'build 10.0.19045.3803', 'version 0.120.3456.7890'].join('\n'), 'version strings');
  trap(
    'logs/access.log',
    Array.from({ length: 50 }, (_, i) => `192.168.${i % 5}.${10 + i} - - [01/Mar/2024:10:${String(i % 60).padStart(2, '0')}:00 +0900] "GET /products/detail.php?product_id=${100 + i}&uuid=${[8, 4, 4, 4, 12].map((n) => g.digits(n)).join('-')} HTTP/1.1" 200 ${1000 + i} "-" "Mozilla/5.0" ${1709254800 + i}`).join('\n'),
    'access log with IPs, UUIDs, timestamps (sensitive but not personal)',
  );
  trap(
    'company.html',
    encode(`<html><head><meta charset="Shift_JIS"><title>会社概要</title></head><body><h1>会社概要</h1><table><tr><th>会社名</th><td>株式会社みどり茶園</td></tr><tr><th>代表取締役</th><td>茶山 一郎</td></tr><tr><th>所在地</th><td>〒420-0858 静岡県静岡市葵区伝馬町10-5</td></tr><tr><th>TEL</th><td>054-255-1234</td></tr><tr><th>FAX</th><td>054-255-1235</td></tr><tr><th>営業時間</th><td>9:00〜18:00（土日祝定休）</td></tr><tr><th>E-mail</th><td>info@midori-chaen.co.jp</td></tr></table><footer>Copyright © みどり茶園</footer></body></html>`, 'shift_jis'),
    "the shop's own company page",
  );
  trap(
    'tokutei.html',
    `<html><body><h2>特定商取引法に基づく表記</h2><dl><dt>販売業者</dt><dd>有限会社サンプル商店</dd><dt>運営責任者</dt><dd>店長 川口</dd><dt>所在地</dt><dd>〒530-0001 大阪府大阪市北区梅田1-2-3 梅田ビル5F</dd><dt>電話番号</dt><dd>06-6345-6789（受付時間 10:00〜17:00）</dd><dt>メールアドレス</dt><dd>shop@sample-shouten.jp</dd></dl></body></html>`,
    'tokushoho page',
  );
  trap('data/store_list.csv', encode(csvOf(['店舗名', '郵便番号', '住所', '電話番号', '営業時間'], [['新宿店', '160-0022', '東京都新宿区新宿3-1-1', '03-3354-1111', '10:00-20:00'], ['梅田店', '530-0017', '大阪府大阪市北区角田町8-7', '06-6361-1381', '10:00-20:00'], ['博多店', '812-0012', '福岡県福岡市博多区博多駅中央街1-1', '092-461-1381', '10:00-21:00']]), 'shift_jis'), 'store list (business addresses)');
  trap('sample/import_template.csv', encode(csvOf(['氏名', 'フリガナ', '郵便番号', '住所', '電話番号', 'メールアドレス'], [['山田 太郎', 'ヤマダ タロウ', '000-0000', '東京都千代田区千代田1-1', '090-0000-0000', 'taro@example.com'], ['山田 花子', 'ヤマダ ハナコ', '000-0000', '東京都千代田区千代田1-1', '090-1234-5678', 'hanako@example.com']]), 'shift_jis'), 'import template with dummy data');
  trap('html/install/sql/create_table_mysql.sql', `CREATE TABLE dtb_customer (\n  customer_id int NOT NULL,\n  name01 text NOT NULL,\n  name02 text NOT NULL,\n  kana01 text,\n  email text NOT NULL,\n  tel01 text,\n  PRIMARY KEY (customer_id)\n);\nCREATE TABLE dtb_order (\n  order_id int NOT NULL,\n  order_name01 text\n);\n`, 'EC-CUBE install schema');
  trap('html/install/sql/insert_data.sql', `INSERT INTO mtb_pref (id, name, rank) VALUES (1, '北海道', 1);\nINSERT INTO mtb_pref (id, name, rank) VALUES (13, '東京都', 13);\nINSERT INTO dtb_baseinfo (id, shop_name, email01, tel01, tel02, tel03) VALUES (1, 'EC-CUBE SHOP', 'admin@example.com', '03', '0000', '0000');\nINSERT INTO dtb_member (member_id, name, login_id) VALUES (1, '管理者', 'admin');\n`, 'EC-CUBE install seed data');
  {
    const lines = Array.from({ length: 40 }, () => {
      const base = g.digits(11);
      return `伝票番号 ${base}${myNumberCheckDigit(base)} 配送日 2024/04/01`;
    });
    trap('data/slips.txt', lines.join('\n'), '12-digit numbers with a valid My Number check digit but no keyword');
  }
  {
    const lines = Array.from({ length: 30 }, () => {
      for (;;) {
        const d = `4${g.digits(15)}`;
        if (luhn(d)) return `追跡番号: ${d}`;
      }
    });
    trap('data/tracking.txt', lines.join('\n'), 'Luhn-valid 16-digit tracking numbers, no card context');
  }
  trap('js/app.js', `var t=1700000000000;var ids=["550e8400-e29b-41d4-a716-446655440000"];function fmt(n){return (n/1000).toFixed(2)}var colors={a:"#0a0b0c",b:"#112233"};var ips=["10.0.0.1","192.168.100.200"];var ver="3.6.0";var phoneRe=/0\\d{1,4}-\\d{1,4}-\\d{4}/;`, 'code with numbers, UUIDs, IPs');
  trap('contact.html', `<html><body><form action="confirm.php" method="post"><table><tr><th>お名前（必須）</th><td><input name="name"></td></tr><tr><th>メールアドレス</th><td><input name="email" placeholder="taro@example.com"></td></tr><tr><th>電話番号</th><td><input name="tel" placeholder="090-1234-5678"></td></tr></table></form><p>お問い合わせ: 0120-123-456（受付時間 平日10時〜17時） 株式会社サンプル</p></body></html>`, 'contact form page');
  trap('data/uuids.txt', Array.from({ length: 20 }, () => [8, 4, 4, 4, 12].map((n) => g.digits(n)).join('-')).join('\n'), 'UUID-like numbers');
  trap('data/ips.txt', Array.from({ length: 30 }, (_, i) => `0${i % 10}.${g.int(255)}.${g.int(255)}.${g.int(255)} 0${g.digits(2)}.${g.digits(3)}.${g.digits(4)}`).join('\n'), 'IP addresses');
  return { labels, raw: g.raw };
}
