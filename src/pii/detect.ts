/**
 * Detectors over NFKC-normalised text (PII-20..27 of the check catalog): pattern, then context keywords,
 * then validators (number plan, Luhn, My Number check digit), then allowlists (dummy, role accounts,
 * a business's own contact details on a public page). Names come from labels and columns only.
 */
import type { Collector } from './collector.js';
import type { PiiKind } from './types.js';
import {
  cardBrand,
  dummyEmail,
  dummyName,
  dummyPhone,
  ean13,
  isTestPan,
  looksLikeDateDigits,
  luhn,
  nationalDigits,
  notAName,
  phoneType,
  roleEmail,
  validMyNumber,
} from './validators.js';

export interface TextContext {
  /** A page the site serves: contact details next to business words are the business's own. */
  publicPage: boolean;
}

const BUSINESS = /株式会社|有限会社|合同会社|\((?:株|有)\)|営業時間|会社概要|会社案内|特定商取引|特商法|定休日|代表取締役|代表者|本社|本店|店舗|支店|受付時間|お問い?合わせ|事業所|事務所|販売業者|運営会社|運営者|所在地|アクセス|Copyright|©|\(c\)/i;

function businessNear(text: string, index: number, ctx: TextContext): boolean {
  if (!ctx.publicPage) return false;
  return BUSINESS.test(text.slice(Math.max(0, index - 300), index + 200));
}

// ---------------------------------------------------------------- e-mail (PII-23)

const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const DOMAIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.([A-Za-z]{2,24})/;
const FILE_TLDS = /^(?:png|jpe?g|gif|svg|webp|bmp|ico|css|js|mjs|php|html?|json|map|woff2?|ttf|eot|otf|mp[34]|pdf|zip|txt|xml|tpl|inc)$/i;

export interface EmailHit {
  index: number;
  email: string;
  local: string;
  domain: string;
}

/** E-mail addresses, found from each `@` outwards (fast on code and markup). */
export function findEmails(text: string, from = 0, to = text.length, each: (h: EmailHit) => void): void {
  for (let at = text.indexOf('@', from); at >= 0 && at < to; at = text.indexOf('@', at + 1)) {
    let s = at;
    while (s > 0 && at - s < 64 && LOCAL_CHAR.test(text[s - 1]!)) s--;
    while (s < at && /[._%+-]/.test(text[s]!)) s++;
    if (s === at) continue;
    const m = DOMAIN_RE.exec(text.slice(at + 1, at + 256));
    if (!m) continue;
    const after = text[at + 1 + m[0].length];
    if (after !== undefined && /[A-Za-z0-9-]/.test(after)) continue;
    if (FILE_TLDS.test(m[1]!)) continue;
    const local = text.slice(s, at);
    if (local.endsWith('.')) continue;
    each({ index: s, email: `${local}@${m[0]}`, local, domain: m[0] });
  }
}

export function addEmail(c: Collector, email: string, local: string, domain: string, free: boolean, business: boolean): void {
  if (dummyEmail(local, domain)) return c.addDummy('email');
  if (free && roleEmail(local)) return c.addBusiness('email');
  if (business) return c.addBusiness('email');
  c.add('email', email.toLowerCase(), email);
}

// ---------------------------------------------------------------- phone (PII-20)

/** Candidates only; the character before is checked in code (a lookbehind here costs a scan at every position). */
const PHONE_RE = /(?:\+81[ -]?(?:\(0\))?|\(0|0)\d{1,4}(?:\) ?|[ -]|\()?\d{1,4}(?:\)|[ -])?\d{3,4}(?![0-9A-Za-z_%]|[.:/-]\d)/g;
const BAD_BEFORE = /[0-9A-Za-z_./%+#-]/;
const LABEL_BEFORE = /(?:TEL|Tel|tel|FAX|Fax|fax|携帯|電話|phone|Phone|PHONE|mobile)$/;
const PHONE_KEYWORDS = /電話|TEL|Tel|tel|携帯|連絡先|FAX|Fax|fax|phone|Phone|PHONE|mobile|ケータイ|でんわ/;

export function phoneFromRaw(raw: string): { digits: string; dummy: boolean } | undefined {
  const digits = nationalDigits(raw);
  if (!phoneType(digits)) return undefined;
  return { digits, dummy: dummyPhone(digits) };
}

function scanPhones(text: string, c: Collector, ctx: TextContext, from: number, to: number): void {
  const sub = regionText(text, from, to);
  PHONE_RE.lastIndex = 0;
  for (let m = PHONE_RE.exec(sub); m && m.index < to - from; m = PHONE_RE.exec(sub)) {
    const raw = m[0];
    const at = from + m.index;
    const prev = text[at - 1];
    if (prev !== undefined && BAD_BEFORE.test(prev) && !LABEL_BEFORE.test(text.slice(Math.max(0, at - 6), at))) {
      PHONE_RE.lastIndex = m.index + 1;
      continue;
    }
    const p = phoneFromRaw(raw);
    if (!p) continue;
    const separated = /[ \-()]/.test(raw.replace(/^\+81[ -]?/, ''));
    if (!separated) {
      // A bare digit run is a phone number only next to a phone keyword, or a mobile/IP number.
      const near = text.slice(Math.max(0, at - 24), at);
      if (!PHONE_KEYWORDS.test(near) && !/^0[5789]0/.test(p.digits)) continue;
    }
    if (p.dummy) c.addDummy('phone');
    else if (businessNear(text, at, ctx)) c.addBusiness('phone');
    else c.add('phone', p.digits, raw.trim());
  }
}

// ---------------------------------------------------------------- postal code and address (PII-21, PII-22)

export const PREFECTURE =
  '(?:北海道|東京都|京都府|大阪府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎|鹿児島|沖縄)県)';
const PREF_RE = new RegExp(PREFECTURE);
const POSTAL_STRONG = /〒\s?(\d{3})-?(\d{4})(?!\d)/g;
const POSTAL_WEAK = /(?<![\d-])(\d{3})-(\d{4})(?![\d-])/g;
const POSTAL_KEYWORDS = /郵便番号|郵便|〒|zip|ZIP|Zip|postal|Postal|postcode/;
const ADDRESS_SOURCE = `${PREFECTURE}[^\\s,、。\\t"'<>|]{0,20}?[市区町村郡][^\\s,、。\\t"'<>|]{0,24}?(?:\\d+(?:丁目|番地|番|-\\d+)|番地|号)`;
const ADDRESS_RE = new RegExp(ADDRESS_SOURCE, 'g');
/** The same pattern tried at one position (sticky). */
const ADDRESS_AT = new RegExp(ADDRESS_SOURCE, 'y');
const PREF_SUFFIXES = ['都', '道', '府', '県'];

/** Postal codes after 〒 (anywhere in the text); returns the end positions found, for scanPostalWeak. */
function scanPostalStrong(text: string, c: Collector, ctx: TextContext): Set<number> {
  const seen = new Set<number>();
  POSTAL_STRONG.lastIndex = 0;
  for (let m = POSTAL_STRONG.exec(text); m; m = POSTAL_STRONG.exec(text)) {
    seen.add(m.index + m[0].length);
    addPostal(c, `${m[1]}${m[2]}`, businessNear(text, m.index, ctx));
  }
  return seen;
}

/** `NNN-NNNN` without 〒, next to a postal keyword or before a prefecture, in one region. */
function scanPostalWeak(text: string, c: Collector, ctx: TextContext, seen: Set<number>, from: number, to: number): void {
  const sub = regionText(text, from, to);
  POSTAL_WEAK.lastIndex = 0;
  for (let m = POSTAL_WEAK.exec(sub); m && m.index < to - from; m = POSTAL_WEAK.exec(sub)) {
    const at = from + m.index;
    if (seen.has(at + m[0].length)) continue;
    const before = text.slice(Math.max(0, at - 16), at);
    const after = text.slice(at + 8, at + 16);
    if (!POSTAL_KEYWORDS.test(before) && !PREF_RE.test(after)) continue;
    addPostal(c, `${m[1]}${m[2]}`, businessNear(text, at, ctx));
  }
}

export function addPostal(c: Collector, digits: string, business: boolean): void {
  if (/^(\d)\1{6}$/.test(digits) || digits === '1234567' || digits.endsWith('0000') && digits.startsWith('000')) return c.addDummy('postal-code');
  if (business) return c.addBusiness('postal-code');
  c.add('postal-code', digits, digits);
}

function addAddress(text: string, c: Collector, ctx: TextContext, m: RegExpExecArray): void {
  if (businessNear(text, m.index, ctx)) c.addBusiness('address');
  else c.add('address', m[0], m[0]);
}

/**
 * Every prefecture name ends in 都, 道, 府 or 県 and is three or four characters long, so an address can only
 * start two or three characters before one of them: the pattern is tried there (leftmost first, without
 * overlaps, as a scan of the whole text would) instead of at every character.
 */
function scanAddresses(text: string, c: Collector, ctx: TextContext, opts: ScanOptions): void {
  if (opts.wholeText) {
    ADDRESS_RE.lastIndex = 0;
    for (let m = ADDRESS_RE.exec(text); m; m = ADDRESS_RE.exec(text)) addAddress(text, c, ctx, m);
    return;
  }
  // The suffixes in text order, by indexOf (a search for one character is faster than a character class).
  const suffixes: number[] = [];
  for (const ch of PREF_SUFFIXES) for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) suffixes.push(i);
  suffixes.sort((a, b) => a - b);
  let end = 0;
  let tried = -1;
  for (const suffix of suffixes) {
    for (let at = Math.max(end, tried + 1, suffix - 3); at <= suffix - 2; at++) {
      tried = at;
      ADDRESS_AT.lastIndex = at;
      const m = ADDRESS_AT.exec(text);
      if (!m) continue;
      addAddress(text, c, ctx, m);
      end = at + m[0].length;
      break;
    }
  }
}

// ---------------------------------------------------------------- card and My Number (PII-24, PII-25)

/** 12–19 digits in a row, or grouped 4-4-4(-4…) / 4-6-4(5) with one kind of separator: no backtracking over optional separators. */
const LONG_DIGITS = /(?:\d{12,19}|\d{4}([ .-])\d{4}\1\d{4}(?:\1\d{1,7})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\d/]|[.:-]\d)/g;
const CARD_KEYWORDS = /カード|クレジット|[Cc]ard|CARD|有効期限|セキュリティ|JCB|[Jj]cb|VISA|[Vv]isa|[Mm]aster|MASTER|AMEX|[Aa]mex|American Express|[Dd]iners|DINERS|[Dd]iscover|CVV|[Cc]vv|CVC|[Cc]vc|[Ee]xpir|EXPIR|\bPAN\b|\bpan\b/;
const EXPIRY = /(?<!\d)(0[1-9]|1[0-2])\/\d{2}(?!\d)/;
const MYNUMBER_KEYWORDS = /マイナンバー|個人番号|[Mm]y_?[Nn]umber|MY_?NUMBER|[Mm]y [Nn]umber|番号確認|mynumber/;

function scanLongDigits(text: string, c: Collector, from: number, to: number, anyKeyword: () => boolean): void {
  const sub = regionText(text, from, to);
  LONG_DIGITS.lastIndex = 0;
  for (let m = LONG_DIGITS.exec(sub); m && m.index < to - from; m = LONG_DIGITS.exec(sub)) {
    const at = from + m.index;
    const prev = text[at - 1];
    if (prev !== undefined && /[\d./-]/.test(prev)) {
      // inside a longer run (the regex starts at every digit): skip to the end of this run
      continue;
    }
    const raw = m[0];
    const d = raw.replace(/\D/g, '');
    if (d.length === 12) {
      if (!/^\d{4}([ .-]?)\d{4}\1\d{4}$/.test(raw)) continue;
      if (!validMyNumber(d) || looksLikeDateDigits(d)) continue;
      const before = text.slice(Math.max(0, at - 100), at);
      if (!MYNUMBER_KEYWORDS.test(before)) continue;
      c.add('my-number', d, raw);
      continue;
    }
    addCardCandidate(c, raw, d, () => text.slice(Math.max(0, at - 60), at + raw.length + 40), false, anyKeyword);
  }
}

/**
 * A card number: issuer prefix + length + Luhn, and a card keyword or expiry nearby (or a card column).
 * `around`: the text around a free-text candidate (made only for candidates that pass the number checks).
 */
export function addCardCandidate(c: Collector, raw: string, d: string, around: string | (() => string), column: boolean, anyKeyword?: () => boolean): void {
  if (d.length < 13 || d.length > 19) return;
  if (!cardBrand(d) || !luhn(d)) return;
  if (d.length === 13 && /^4[59]/.test(d) && ean13(d)) return; // a JAN code
  // In free text: a card keyword nearby, or an expiry date nearby and a card or My Number keyword somewhere in the text.
  if (!column) {
    const near = typeof around === 'string' ? around : around();
    if (!CARD_KEYWORDS.test(near) && !(EXPIRY.test(near) && (anyKeyword?.() ?? true))) return;
  }
  if (/[ -]/.test(raw) && !/^\d{4}([ -])\d{4,6}\1\d{4,5}(?:\1\d{1,4})?$/.test(raw)) return;
  if (isTestPan(d)) return c.addDummy('card');
  c.add('card', d, raw);
}

export function addMyNumberCandidate(c: Collector, raw: string): void {
  const d = raw.replace(/\D/g, '');
  if (d.length === 12 && validMyNumber(d) && !looksLikeDateDigits(d)) c.add('my-number', d, raw);
}

// ---------------------------------------------------------------- labelled names and birth dates (PII-27)

const NAME_LABEL_RE =
  /(?:氏名|お名前|ご氏名|名前|ご芳名|フリガナ|ふりがな|お名前\(カナ\)|氏名\(カナ\)|ご担当者名?)[\s]*(?:\((?:漢字|カナ|フリガナ|全角)\))?\s*(?:[:：=]\s*|\t|[ \u3000]+)([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}ー々]{1,8}(?:[ \u3000][\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}ー々]{1,8})?)(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])/gu;
const BIRTH_RE =
  /(?:生年月日|誕生日|birth(?:day|_?date)?|dob)[^\d\n]{0,12}?((?:19|20)\d{2}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}日?|(?:昭和|平成|令和|[SHR])\s?\d{1,2}\s?[年./-]\s?\d{1,2}\s?[月./-]\s?\d{1,2}日?)/gi;

export function addName(c: Collector, name: string, business: boolean): void {
  const v = name.trim().replace(/[ \u3000]+/g, ' ');
  if (!v || notAName(v)) return;
  if (dummyName(v)) return c.addDummy('name');
  if (business) return c.addBusiness('name');
  c.add('name', v, v);
}

function scanLabelled(text: string, c: Collector, ctx: TextContext): void {
  if (/氏名|名前|フリガナ|ふりがな|芳名|担当者/.test(text)) {
    NAME_LABEL_RE.lastIndex = 0;
    for (let m = NAME_LABEL_RE.exec(text); m; m = NAME_LABEL_RE.exec(text)) addName(c, m[1]!, businessNear(text, m.index, ctx));
  }
  if (!text.includes('生年月日') && !text.includes('誕生日') && !/[Bb]irth|BIRTH|\b(?:dob|DOB)\b/.test(text)) return;
  BIRTH_RE.lastIndex = 0;
  for (let m = BIRTH_RE.exec(text); m; m = BIRTH_RE.exec(text)) addBirth(c, m[1]!);
}

export function addBirth(c: Collector, raw: string): boolean {
  const v = raw.trim();
  const m = /^((?:19|20)\d{2})\s?[-/.年]\s?(\d{1,2})\s?[-/.月]\s?(\d{1,2})/.exec(v);
  if (m) {
    const mo = Number(m[2]);
    const da = Number(m[3]);
    if (mo < 1 || mo > 12 || da < 1 || da > 31) return false;
    if (/^(?:1900|2000)\D0?1\D0?1$/.test(v.replace(/日$/, ''))) {
      c.addDummy('birth-date');
      return false;
    }
    c.add('birth-date', `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`, `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`);
    return true;
  }
  if (/^(?:昭和|平成|令和|[SHR])/.test(v)) {
    c.add('birth-date', v, v.replace(/\d/g, (x, i: number) => (i < 3 ? x : '0')));
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- digit regions

/**
 * Every match of the digit-based detectors (phone, `NNN-NNNN`, card, My Number) consists of digits and the
 * separators space ( ) + . - only, so it lies inside one maximal run of those characters. Each holds three
 * digits in a row followed by four more digits, no more than three characters apart (a phone number's ten
 * digits in three groups of at most four, `NNN-NNNN`, twelve or more in groups of four), so one pass of
 * DENSE_DIGITS finds the runs worth scanning; code and markup, whose numbers are short, leave few.
 */
const DENSE_DIGITS = /\d{3}(?:[ ()+.-]{0,3}\d){4}/g;
/** Characters a digit-based match can consume (the run alphabet). */
function runChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || code === 0x20 || code === 0x28 || code === 0x29 || code === 0x2b || code === 0x2d || code === 0x2e;
}

/** Maximal runs of the run alphabet that hold ≥ 7 close digits, as [start, end) pairs. */
export function digitRegions(text: string): number[] {
  const out: number[] = [];
  DENSE_DIGITS.lastIndex = 0;
  // test() rather than exec(): no match array per region; the match ends at lastIndex and is all run characters.
  while (DENSE_DIGITS.test(text)) {
    let e = DENSE_DIGITS.lastIndex;
    let s = e;
    while (s > 0 && runChar(text.charCodeAt(s - 1))) s--;
    while (e < text.length && runChar(text.charCodeAt(e))) e++;
    out.push(s, e);
    DENSE_DIGITS.lastIndex = e;
  }
  return out;
}

/** The region plus the two characters after it the patterns' look-aheads read. */
function regionText(text: string, from: number, to: number): string {
  return from === 0 && to >= text.length ? text : text.slice(from, Math.min(text.length, to + 2));
}

/** Digits in the region (phones need ten, cards twelve), and whether it holds a `-` (postal codes need one). */
function regionDigits(text: string, from: number, to: number): { digits: number; dash: boolean } {
  let digits = 0;
  let dash = false;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) digits++;
    else if (code === 0x2d) dash = true;
  }
  return { digits, dash };
}

// ---------------------------------------------------------------- all detectors

export interface ScanOptions {
  /** Scan the digit-based detectors over the whole text instead of its digit regions (the reference the tests compare with). */
  wholeText?: boolean;
}

/** Run every free-text detector over `text`. */
export function scanFreeText(text: string, c: Collector, ctx: TextContext, opts: ScanOptions = {}): void {
  if (text.includes('@')) findEmails(text, 0, text.length, (h) => addEmail(c, h.email, h.local, h.domain, true, businessNear(text, h.index, ctx)));
  if (text.includes('%40')) {
    // URL-encoded addresses in access logs and debug dumps (`email=taro%40example.jp`)
    for (const m of text.matchAll(/(?<![A-Za-z0-9._+-])([A-Za-z0-9._+-]{1,64})%40([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24})(?![A-Za-z0-9-])/g)) {
      addEmail(c, `${m[1]}@${m[2]}`, m[1]!, m[2]!, true, false);
    }
  }
  const postalSeen = text.includes('〒') ? scanPostalStrong(text, c, ctx) : new Set<number>();
  // Card numbers and My Numbers need a keyword in the text; the test runs only when a candidate needs it.
  let keyword: boolean | undefined;
  const anyKeyword = () => (keyword ??= CARD_KEYWORDS.test(text) || MYNUMBER_KEYWORDS.test(text));
  const regions = opts.wholeText ? [0, text.length] : digitRegions(text);
  for (let i = 0; i < regions.length; i += 2) {
    const from = regions[i]!;
    const to = regions[i + 1]!;
    const { digits, dash } = opts.wholeText ? { digits: Infinity, dash: true } : regionDigits(text, from, to);
    if (digits >= 10) scanPhones(text, c, ctx, from, to);
    if (dash) scanPostalWeak(text, c, ctx, postalSeen, from, to);
    if (digits >= 12 && (opts.wholeText ? anyKeyword() : true)) scanLongDigits(text, c, from, to, anyKeyword);
  }
  scanAddresses(text, c, ctx, opts);
  scanLabelled(text, c, ctx);
}

/** Kinds a detector may claim for a value in a typed column (CSV header, SQL column). */
export type ColumnKind = PiiKind | 'kana' | 'pref' | 'zip-head' | 'zip-tail' | 'tel-part';
