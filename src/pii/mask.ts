/**
 * Masking: what a report may show of a value. Every sample passes through one of these; none returns the
 * full value. Digits are replaced one by one so the shape (separators, length) stays recognisable.
 */

const digitsOf = (s: string): string => s.replace(/\D/g, '');

/** Replace the digits of `s` whose digit index is in [from, to) with `*`, keeping separators. */
function starDigits(s: string, keepHead: number, keepTail: number): string {
  const total = digitsOf(s).length;
  let i = 0;
  let out = '';
  for (const ch of s) {
    if (ch >= '0' && ch <= '9') {
      out += i < keepHead || i >= total - keepTail ? ch : '*';
      i++;
    } else out += ch;
  }
  return out;
}

/** `090-1234-6809` → `090-****-6809`; `0312345678` → `031***5678`… keeps the first group (≤ 3 digits) and the last 4. */
export function maskPhone(phone: string): string {
  const m = /^\D*(\d+)/.exec(phone);
  const head = Math.min(3, m?.[1]?.length ?? 3);
  const d = digitsOf(phone).length;
  if (d <= 7) return starDigits(phone, 0, Math.min(2, d - 1));
  return starDigits(phone, head, 4);
}

/** `taro@example.jp` → `ta***@example.jp`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return '***';
  const local = email.slice(0, at);
  const keep = local.length >= 4 ? 2 : local.length >= 2 ? 1 : 0;
  return `${local.slice(0, keep)}***${email.slice(at)}`;
}

/** `4111-1111-1111-1111` → `4***-****-****-1111`. */
export function maskCard(card: string): string {
  return starDigits(card, 1, 4);
}

/** `160-0023` or `〒1600023` → `〒160-****`. */
export function maskPostal(postal: string): string {
  const d = digitsOf(postal);
  return `〒${d.slice(0, 3)}-****`;
}

/** `山田 太郎` → `山田***`; `ヤマダ タロウ` → `ヤマ***`; a one- or two-character value keeps only one. */
export function maskName(name: string): string {
  const trimmed = name.trim();
  const chars = [...trimmed.split(/[\s\u3000]+/)[0] ?? trimmed];
  const whole = [...trimmed.replace(/[\s\u3000]+/g, '')];
  let keep = Math.min(2, chars.length);
  if (keep >= whole.length) keep = Math.max(0, whole.length - 1);
  if (keep > 1 && whole.length <= 3) keep = 1;
  return `${whole.slice(0, keep).join('')}***`;
}

/** `東京都新宿区西新宿2-8-1` → `東京都新宿区***`: prefecture and municipality only. */
export function maskAddress(address: string): string {
  const m = /^(.{0,4}?[都道府県])?(.{1,8}?[市区町村郡])/.exec(address);
  if (m) return `${m[0]}***`;
  return `${[...address].slice(0, 2).join('')}***`;
}

/** My Number: nothing of the number is shown. */
export function maskMyNumber(_n: string): string {
  return '****-****-****';
}

/** `1985-04-12` → `19**-**-**`. */
export function maskBirthDate(date: string): string {
  return starDigits(date, 2, 0);
}
