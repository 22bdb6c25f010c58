/** Validators for the values the detectors propose: check digits, issuer prefixes, number plans, dummy data. */

export function luhn(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** Card brand by issuer prefix (IIN) and length, or undefined. JCB is 3528–3589. */
export function cardBrand(d: string): string | undefined {
  const n = d.length;
  if (/^4/.test(d)) return n === 13 || n === 16 || n === 19 ? 'visa' : undefined;
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(d)) return n === 16 ? 'mastercard' : undefined;
  if (/^3[47]/.test(d)) return n === 15 ? 'amex' : undefined;
  if (/^35(2[89]|[3-8]\d)/.test(d)) return n >= 16 && n <= 19 ? 'jcb' : undefined;
  if (/^3(0[0-5]|[689])/.test(d)) return n >= 14 && n <= 19 ? 'diners' : undefined;
  if (/^(6011|65|64[4-9])/.test(d)) return n >= 16 && n <= 19 ? 'discover' : undefined;
  if (/^62/.test(d)) return n >= 16 && n <= 19 ? 'unionpay' : undefined;
  return undefined;
}

/** Well-known test card numbers (brand test PANs); they are sample data, not customers'. */
const TEST_PANS = new Set([
  '4111111111111111', '4012888888881881', '4222222222222', '4242424242424242', '4000056655665556', '5555555555554444',
  '5105105105105100', '5454545454545454', '2223003122003222', '378282246310005', '371449635398431', '378734493671000',
  '3530111333300000', '3566002020360505', '3566111111111113', '30569309025904', '38520000023237', '36148900647913',
  '6011111111111117', '6011000990139424', '6200000000000005',
]);
export const isTestPan = (d: string): boolean => TEST_PANS.has(d) || /^(\d)\1+$/.test(d.slice(1, -1));

/** EAN-13/JAN: weights 1,3 from the left; the sum including the check digit is a multiple of 10. */
export function ean13(d: string): boolean {
  if (d.length !== 13) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += (d.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3);
  return sum % 10 === 0;
}

/** My Number check digit (総務省令第八十五号 第五条). */
export function myNumberCheckDigit(base11: string): number {
  let r = 0;
  for (let n = 1; n <= 11; n++) {
    const p = base11.charCodeAt(11 - n) - 48;
    const q = n <= 6 ? n + 1 : n - 5;
    r += p * q;
  }
  r %= 11;
  return r <= 1 ? 0 : 11 - r;
}

export function validMyNumber(d: string): boolean {
  if (!/^\d{12}$/.test(d)) return false;
  if (/^(\d)\1{11}$/.test(d)) return false;
  return myNumberCheckDigit(d.slice(0, 11)) === d.charCodeAt(11) - 48;
}

/** YYYYMMDD… at the start: a date or timestamp, not an identifier. */
export const looksLikeDateDigits = (d: string): boolean => /^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/.test(d);

export type PhoneType = 'mobile' | 'ip' | 'toll-free' | 'navi' | 'landline' | 'm2m';

/** A Japanese phone number from its digits (national form, leading 0), or undefined when the number plan rules it out. */
export function phoneType(d: string): PhoneType | undefined {
  if (d.length === 11) {
    if (/^0800/.test(d)) return 'toll-free';
    if (/^0[789]0/.test(d)) return 'mobile';
    if (/^050/.test(d)) return 'ip';
    if (/^020/.test(d)) return 'm2m';
    return undefined;
  }
  if (d.length === 10) {
    if (/^0120/.test(d)) return 'toll-free';
    if (/^0570/.test(d)) return 'navi';
    if (/^0(0|[5789]0|20)/.test(d)) return undefined;
    if (/^0[1-9]/.test(d)) return 'landline';
  }
  return undefined;
}

/** National digits: `+81 90-1234-5678` → `09012345678`. */
export function nationalDigits(raw: string): string {
  let d = raw.replace(/\D/g, '');
  if (/^\s*\+?81/.test(raw.trim()) && raw.includes('+')) {
    d = d.slice(2);
    if (!d.startsWith('0')) d = `0${d}`;
  }
  return d;
}

/** Placeholder numbers in templates and docs: 090-0000-0000, 090-1234-5678, 03-1111-1111, 012-345-6789. */
export function dummyPhone(d: string): boolean {
  const tail8 = d.slice(-8);
  if (/^(\d)\1{7}$/.test(tail8)) return true;
  if (/12345678|23456789|98765432|87654321/.test(d)) return true;
  if (/0{4}$/.test(d) && /^0\d+?0{4,}/.test(d.slice(0, -4))) return true;
  if (/^0123456789/.test(d) || /xxxx/i.test(d)) return true;
  return false;
}

const DUMMY_DOMAINS = /^(?:(?:[\w-]+\.)*example(?:\.[a-z]+)*|(?:[\w-]+\.)*(?:test|invalid|localhost|local|example)|(?:test|sample|dummy|hoge|fuga|foo|bar|xxx|aaa|abc|domain|yourdomain|your-domain|mydomain|your-site|yoursite|mailaddress|email|address)\.(?:com|jp|co\.jp|ne\.jp|net|org))$/i;
const DUMMY_LOCAL = /^(?:test\d*|sample\d*|dummy\d*|hoge|fuga|foo|bar|xxx+|aaa+|abc|user\d*|name|yourname|your\.?name|mail|email|someone|example)$/i;
export const dummyEmail = (local: string, domain: string): boolean => DUMMY_DOMAINS.test(domain) || DUMMY_LOCAL.test(local);

const ROLE_LOCAL = /^(?:info|support|contact|sales|admin|administrator|webmaster|postmaster|hostmaster|noreply|no-reply|no_reply|donotreply|shop|store|order|orders|mail|service|office|help|inquiry|inquiries|toiawase|otoiawase|customer|cs|staff|press|pr|recruit|saiyo|hr|privacy|abuse|root|www|web|master|info-jp|news|newsletter|magazine|mailmagazine|mag|system|bounce|reply|ec|cart|reserve|yoyaku)$/i;
export const roleEmail = (local: string): boolean => ROLE_LOCAL.test(local);

/** Japanese names in templates and forms: 山田太郎, 山田花子, 鈴木一郎, テスト, サンプル… */
const DUMMY_NAMES = /^(?:山田\s?(?:太郎|花子|一郎|次郎)|やまだ\s?(?:たろう|はなこ)|ヤマダ\s?(?:タロウ|ハナコ)|鈴木\s?(?:一郎|太郎|花子)|スズキ\s?(?:イチロウ|タロウ)|田中\s?(?:太郎|花子)|タナカ\s?(?:タロウ|ハナコ)|佐藤\s?(?:太郎|花子)|日本\s?太郎|ニホン\s?タロウ|見本|テスト.*|サンプル.*|test.*|sample.*|dummy.*|ダミー.*|名無し|匿名|なまえ|ナマエ|氏名|お名前|姓|名)$/i;
export const dummyName = (name: string): boolean => DUMMY_NAMES.test(name.trim());

/** Words that follow a name label in forms, not names: 必須, 任意, 例… */
const NOT_NAMES = /^(?:必須|任意|例|入力|記入|全角|半角|未入力|様|殿|欄|フリガナ|ふりがな|カナ|かな|漢字|姓|名|氏名|名前|お名前|セイ|メイ|会社名|住所|電話|メール|番号|確認|変更|登録|表示|送信|項目|未設定|なし|無し|不明|空欄)$/;
export const notAName = (s: string): boolean => NOT_NAMES.test(s.trim()) || /^[\s\u3000]*$/.test(s);
