/**
 * Structure-aware reading of tabular data: CSV/TSV (RFC 4180 quoting, Japanese headers), SQL dumps
 * (`CREATE TABLE` columns, `INSERT INTO … VALUES (…),(…)` tuples, PostgreSQL `COPY … FROM stdin`) and
 * spreadsheet rows. Column names decide what a cell holds; without a header, the column's values do.
 */
import { PREFECTURE } from './detect.js';
import { phoneFromRaw } from './detect.js';
import type { PiiKind } from './types.js';

export type ColumnKind = PiiKind | 'kana' | 'pref' | 'zip-head' | 'zip-tail' | 'tel-part';

export interface ColumnSpec {
  kind: ColumnKind;
  /** A generic `name` column: a person's name only when the table also has person cues. */
  weak?: boolean;
}

const JA_RULES: [RegExp, ColumnKind][] = [
  [/フリガナ|ふりがな|カナ|かな|セイ|メイ|ヨミ|よみ/, 'kana'],
  [/マイナンバー|個人番号/, 'my-number'],
  [/カード番号|クレジット/, 'card'],
  [/生年月日|誕生日/, 'birth-date'],
  [/郵便番号|〒|郵便/, 'postal-code'],
  [/^都道府県$/, 'pref'],
  [/住所|所在地|番地|市区町村|丁目|建物|マンション/, 'address'],
  [/電話|携帯|連絡先|ファックス|ファクス|TEL|Tel|FAX|Fax/, 'phone'],
  [/メール|Eメール|E-?mail|e-?mail/, 'email'],
  [/^(?:お|ご)?(?:届け?先|配送先|送付先|請求先|注文者|購入者|会員|顧客|お客様)?(?:氏名|お名前|名前|姓名|姓|名|氏|顧客名|会員名|お客様名|注文者名?|購入者名?|宛名|受取人名?|担当者名?|申込者名?)(?:[\s(_]*(?:姓|名|漢字|全角|\d)\)?)?$/, 'name'],
];

/** What a header or column name says the column holds. */
export function columnKind(rawName: string): ColumnSpec | undefined {
  const name = rawName.trim().replace(/^["'`[]+|["'`\]]+$/g, '');
  if (!name || name.length > 40) return undefined;
  // EC-CUBE 2 CSV exports split phone and postal code over numbered columns: TEL1 TEL2 TEL3, 郵便番号1 郵便番号2.
  if (/^(?:お届け先|注文者)?(?:TEL|Tel|tel|電話番号?|FAX|Fax|fax)\s*[1-3]$/.test(name)) return { kind: 'tel-part' };
  if (/^(?:お届け先|注文者)?(?:郵便番号|〒)\s*1$/.test(name)) return { kind: 'zip-head' };
  if (/^(?:お届け先|注文者)?(?:郵便番号|〒)\s*2$/.test(name)) return { kind: 'zip-tail' };
  for (const [re, kind] of JA_RULES) if (re.test(name)) return { kind };
  const n = name.toLowerCase();
  if (/(?:^|_)kana0?[12]?$|_kana(?:_|$)|^kana|furigana|^mem_name[34]$/.test(n)) return { kind: 'kana' };
  if (/(?:^|_)(?:name0?[12]|first_?name|last_?name|family_?name|given_?name|full_?name|customer_?name|member_?name|order_?name0?[12]?|shipping_?name0?[12]?|deliv_?name0?[12]?|billing_(?:first|last)_name|shipping_(?:first|last)_name|display_name|mem_name[12]|sei|mei|shimei|simei)$/.test(n)) return { kind: 'name' };
  if (n === 'name' || n === 'fullname') return { kind: 'name', weak: true };
  if (/(?:^|_)zip0?1$/.test(n)) return { kind: 'zip-head' };
  if (/(?:^|_)zip0?2$/.test(n)) return { kind: 'zip-tail' };
  if (/(?:^|_)(?:zip|zipcode|zip_code|postcode|post_code|postal_?code|postal|yubin)$/.test(n)) return { kind: 'postal-code' };
  if (/(?:^|_)pref(?:ecture)?(?:_id)?$/.test(n)) return { kind: 'pref' };
  if (/(?:^|_)(?:addr0?[1-3]|address[1-3]?|address_?line[12]?|street|city|jusho|juusho)$/.test(n)) return { kind: 'address' };
  if (/(?:^|_)(?:tel|fax)0?[1-3]$/.test(n)) return { kind: 'tel-part' };
  if (/(?:^|_)(?:tel|phone|phone_?number|telephone|mobile|mobile_?phone|keitai|fax|tel_?no|billing_phone)$/.test(n)) return { kind: 'phone' };
  if (/(?:^|_)(?:e?mail|email_?address|mail_?address|user_email|mem_email|email_mobile|billing_email)$/.test(n)) return { kind: 'email' };
  if (/(?:^|_)(?:birth|birthday|birth_?date|date_of_birth|dob|birthdate)$/.test(n)) return { kind: 'birth-date' };
  if (/(?:^|_)(?:card_?no|card_?num(?:ber)?|cc_?num(?:ber)?|credit_?card(?:_?number)?|pan)$/.test(n)) return { kind: 'card' };
  if (/(?:^|_)(?:my_?number|mynumber|kojin_?bango)$/.test(n)) return { kind: 'my-number' };
  return undefined;
}

/** Tables whose rows are customers or orders (EC-CUBE, WordPress, Welcart, generic names). */
export const PII_TABLE = /^(?:\w+_)?(?:dtb_customer\w*|dtb_order\w*|dtb_shipping|dtb_other_deliv|dtb_mail_history|users|usermeta|usces_member\w*|usces_order\w*|customers?|members?|orders?|kokyaku|kaiin|entry|entries|contacts?|inquir(?:y|ies)|address_?book|wc_customer_lookup)$/i;

// ---------------------------------------------------------------- CSV / TSV

/** Split text into rows (RFC 4180 quotes, CRLF or LF), at most `maxRows`. */
export function parseDelimited(text: string, delim: string, maxRows: number, each: (cells: string[], rowIndex: number) => void): number {
  let rows = 0;
  let cells: string[] = [];
  let cell = '';
  let i = 0;
  const n = text.length;
  const d = delim.charCodeAt(0);
  while (i < n && rows < maxRows) {
    const ch = text.charCodeAt(i);
    if (ch === 34 && cell === '') {
      // quoted cell
      i++;
      let start = i;
      let buf = '';
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          buf += text.slice(start);
          i = n;
          break;
        }
        if (text.charCodeAt(q + 1) === 34) {
          buf += text.slice(start, q + 1);
          i = q + 2;
          start = i;
          continue;
        }
        buf += text.slice(start, q);
        i = q + 1;
        break;
      }
      cell = buf;
      // skip to the delimiter or end of line
      while (i < n && text.charCodeAt(i) !== d && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      continue;
    }
    if (ch === d) {
      cells.push(cell);
      cell = '';
      i++;
      continue;
    }
    if (ch === 10 || ch === 13) {
      cells.push(cell);
      cell = '';
      if (cells.length > 1 || cells[0] !== '') each(cells, rows++);
      cells = [];
      i += ch === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      continue;
    }
    // plain run up to the next special character
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === d || c === 10 || c === 13) break;
      j++;
    }
    cell += text.slice(i, j);
    i = j;
  }
  if (rows < maxRows && (cell !== '' || cells.length)) {
    cells.push(cell);
    each(cells, rows++);
  }
  return rows;
}

/** `\t` or `,` when the first lines split consistently into ≥ 2 columns, else undefined. */
export function detectDelimiter(text: string): string | undefined {
  const lines = text.slice(0, 16384).split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, 12);
  if (lines.length < 2) return undefined;
  for (const d of ['\t', ',', ';']) {
    const counts = lines.map((l) => l.split(d).length - 1);
    const withDelim = counts.filter((c) => c >= 1).length;
    if (withDelim < Math.ceil(lines.length * 0.8)) continue;
    const first = counts[0]!;
    const same = counts.filter((c) => c === first).length;
    if (same >= Math.ceil(lines.length * 0.6)) return d;
  }
  return undefined;
}

// ---------------------------------------------------------------- headerless column inference

const PREF_ONLY = new RegExp(`^${PREFECTURE}`);
const KANA_ONLY = /^[\p{sc=Katakana}ー\s・]{2,30}$/u;
const HAN_NAME = /^[\p{sc=Han}々]{1,4}[ \u3000]?[\p{sc=Han}\p{sc=Hiragana}々]{1,5}$/u;

/** Guess column kinds from the values of the first rows (no header). */
export function inferColumns(rows: string[][]): (ColumnSpec | undefined)[] {
  const width = Math.max(0, ...rows.map((r) => r.length));
  const specs: (ColumnSpec | undefined)[] = [];
  let personCue = false;
  const hanCols: number[] = [];
  for (let col = 0; col < width; col++) {
    let filled = 0;
    const hits = { phone: 0, email: 0, postal: 0, address: 0, kana: 0, han: 0 };
    for (const r of rows) {
      const v = (r[col] ?? '').trim();
      if (!v) continue;
      filled++;
      if (phoneFromRaw(v) && /^[+\d()\- ]+$/.test(v)) hits.phone++;
      if (/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(v)) hits.email++;
      if (/^〒?\d{3}-\d{4}$/.test(v)) hits.postal++;
      if (PREF_ONLY.test(v)) hits.address++;
      if (KANA_ONLY.test(v)) hits.kana++;
      if (HAN_NAME.test(v)) hits.han++;
    }
    const ok = (n: number) => filled >= 2 && n >= filled * 0.6;
    let spec: ColumnSpec | undefined;
    if (ok(hits.email)) spec = { kind: 'email' };
    else if (ok(hits.phone)) spec = { kind: 'phone' };
    else if (ok(hits.postal)) spec = { kind: 'postal-code' };
    else if (ok(hits.address)) spec = { kind: 'address' };
    else if (ok(hits.kana)) spec = { kind: 'kana' };
    else if (ok(hits.han)) hanCols.push(col);
    if (spec && (spec.kind === 'kana' || spec.kind === 'email' || spec.kind === 'phone')) personCue = true;
    specs[col] = spec;
  }
  // Short kanji values are names only beside kana, phone or e-mail columns (product names are short too).
  if (personCue) for (const col of hanCols) specs[col] = { kind: 'name' };
  return specs;
}

// ---------------------------------------------------------------- SQL

export interface SqlTable {
  name: string;
  columns: string[];
}

const CREATE_RE = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:[`"[]?\w+[`"\]]?\.)?[`"[]?(\w+)[`"\]]?\s*\(/gi;

/** Column names of each `CREATE TABLE` (first identifier of each definition line). */
export function parseCreateTables(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  CREATE_RE.lastIndex = 0;
  for (let m = CREATE_RE.exec(text); m; m = CREATE_RE.exec(text)) {
    const start = CREATE_RE.lastIndex;
    const end = text.indexOf(';', start);
    const body = text.slice(start, end < 0 ? start + 20000 : Math.min(end, start + 20000));
    const cols: string[] = [];
    for (const part of splitTopLevel(body)) {
      const cm = /^\s*[`"[]?(\w+)[`"\]]?\s+\w/.exec(part);
      if (!cm) continue;
      if (/^(?:PRIMARY|UNIQUE|KEY|INDEX|CONSTRAINT|FOREIGN|CHECK|FULLTEXT)$/i.test(cm[1]!)) continue;
      cols.push(cm[1]!);
    }
    out.set(m[1]!.toLowerCase(), cols);
  }
  return out;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  let quote = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) {
        parts.push(body.slice(last, i));
        return parts;
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      parts.push(body.slice(last, i));
      last = i + 1;
    }
  }
  parts.push(body.slice(last));
  return parts;
}

const INSERT_RE = /INSERT\s+(?:IGNORE\s+|LOW_PRIORITY\s+|DELAYED\s+)?INTO\s+(?:[`"[]?\w+[`"\]]?\.)?[`"[]?(\w+)[`"\]]?\s*(?:\(([^)]*)\))?\s*VALUES\s*/gi;
const COPY_RE = /^COPY\s+(?:"?\w+"?\.)?"?(\w+)"?\s*\(([^)]*)\)\s+FROM\s+stdin;?\r?\n/gim;

/** Parse one tuple `(…)` at `i` (just after `(`); returns the values and the index after `)`. */
function parseTuple(text: string, i: number): { values: string[]; end: number } | undefined {
  const values: string[] = [];
  let cur = '';
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 39 /* ' */) {
      i++;
      let s = i;
      for (;;) {
        const q = text.indexOf("'", i);
        const bs = text.indexOf('\\', i);
        if (q < 0) return undefined;
        if (bs >= 0 && bs < q) {
          cur += text.slice(s, bs) + unescapeSql(text[bs + 1] ?? '');
          i = bs + 2;
          s = i;
          continue;
        }
        if (text.charCodeAt(q + 1) === 39) {
          cur += text.slice(s, q + 1);
          i = q + 2;
          s = i;
          continue;
        }
        cur += text.slice(s, q);
        i = q + 1;
        break;
      }
      continue;
    }
    if (c === 40) depth++;
    else if (c === 41) {
      if (depth === 0) {
        values.push(cur.trim() === 'NULL' ? '' : cur);
        return { values, end: i + 1 };
      }
      depth--;
    } else if (c === 44 && depth === 0) {
      values.push(cur.trim() === 'NULL' ? '' : cur);
      cur = '';
      i++;
      continue;
    }
    cur += text[i];
    i++;
  }
  return undefined;
}

const unescapeSql = (c: string): string => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '0' ? '' : c);

export interface SqlRows {
  table: string;
  columns: string[] | undefined;
  rows: number;
}

/**
 * Every `INSERT` tuple and `COPY` row of the dump, with the column names from the statement or the table's
 * `CREATE TABLE`. At most `maxRows` rows in all.
 */
export function parseSqlRows(text: string, maxRows: number, each: (table: string, columns: string[] | undefined, values: string[]) => void): SqlRows[] {
  const creates = parseCreateTables(text);
  const tables = new Map<string, SqlRows>();
  const bump = (table: string, columns: string[] | undefined) => {
    let t = tables.get(table);
    if (!t) {
      t = { table, columns, rows: 0 };
      tables.set(table, t);
    }
    t.rows++;
  };
  let total = 0;
  INSERT_RE.lastIndex = 0;
  for (let m = INSERT_RE.exec(text); m && total < maxRows; m = INSERT_RE.exec(text)) {
    const table = m[1]!.toLowerCase();
    const columns = m[2] ? m[2].split(',').map((s) => s.trim().replace(/^[`"[]|[`"\]]$/g, '')) : creates.get(table);
    let i = INSERT_RE.lastIndex;
    while (total < maxRows) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (text[i] !== '(') break;
      const t = parseTuple(text, i + 1);
      if (!t) break;
      each(table, columns, t.values);
      bump(table, columns);
      total++;
      i = t.end;
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (text[i] === ',') i++;
      else break;
    }
    INSERT_RE.lastIndex = Math.max(i, INSERT_RE.lastIndex);
  }
  COPY_RE.lastIndex = 0;
  for (let m = COPY_RE.exec(text); m && total < maxRows; m = COPY_RE.exec(text)) {
    const table = m[1]!.toLowerCase();
    const columns = m[2]!.split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
    let i = COPY_RE.lastIndex;
    while (i < text.length && total < maxRows) {
      let e = text.indexOf('\n', i);
      if (e < 0) e = text.length;
      const line = text.slice(i, e).replace(/\r$/, '');
      i = e + 1;
      if (line === '\\.') break;
      each(table, columns, line.split('\t').map((v) => (v === '\\N' ? '' : v.replace(/\\([ntr\\])/g, (_x, c: string) => unescapeSql(c) || '\\'))));
      bump(table, columns);
      total++;
    }
    COPY_RE.lastIndex = i;
  }
  for (const [name, cols] of creates) if (!tables.has(name)) tables.set(name, { table: name, columns: cols, rows: 0 });
  return [...tables.values()];
}
