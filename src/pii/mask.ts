/**
 * Masking: what a report may show of a value. Every sample passes through one of these; none returns the
 * full value. Digits are replaced one by one so the shape (separators, length) stays recognisable.
 * maskText / maskUrl / maskFinding mask the personal values inside any other string that leaves the detector
 * or the site probe: file names, paths, URLs, reasons, titles, evidence.
 */
import type { Finding, Gap } from '../core/model.js';
import { PREFECTURE } from './detect.js';
import { columnKind, type ColumnKind } from './structure.js';
import { cardBrand, luhn, nationalDigits, phoneType, validMyNumber } from './validators.js';

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

// ---------------------------------------------------------------- values inside any text

/** What a value is, by its label (`氏名:`, `name=`, `カード番号：`) or its shape, and how it is masked. */
const MASK_OF: Record<ColumnKind, (v: string) => string> = {
  name: maskName,
  kana: maskName,
  email: (v) => (v.includes('@') ? maskEmail(v) : '***'),
  phone: maskPhone,
  'tel-part': (v) => starDigits(v, 0, 0),
  'postal-code': maskPostal,
  'zip-head': (v) => starDigits(v, 0, 0),
  'zip-tail': (v) => starDigits(v, 0, 0),
  address: maskAddress,
  pref: (v) => v,
  'birth-date': maskBirthDate,
  card: maskCard,
  'my-number': maskMyNumber,
};

/** A value a label or key says is personal: by its kind, else by its shape, else all but its first character. */
function maskAs(kind: ColumnKind, v: string): string {
  if (kind === 'pref' || v.includes('*')) return v; // a prefecture alone, or masked already
  const byKind = MASK_OF[kind](v);
  if (byKind !== v) return byKind;
  const byShape = maskText(v);
  return byShape !== v ? byShape : `${[...v][0] ?? ''}***`;
}

/** Characters a label is made of (ASCII word characters and Japanese), and what ends a labelled value. */
const LABEL_CHAR = /[\w\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f〒]/;
const VALUE_END = /[,;&|\t\r\n/"'<>()[\]{}、。]/;

/** `label:value`, `label=value`, `label：value` whose label names a personal column: the value masked by its kind. */
function maskLabelled(s: string): string {
  let out = '';
  let done = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch !== ':' && ch !== '=' && ch !== '：') continue;
    let from = i;
    while (from > 0 && i - from < 24 && LABEL_CHAR.test(s[from - 1]!)) from--;
    // The longest label that names a column (`csv_氏名:` holds `氏名`).
    let spec: ReturnType<typeof columnKind>;
    for (let k = Math.max(from, done); k < i && !spec; k++) spec = columnKind(s.slice(k, i));
    if (!spec) continue;
    let start = i + 1;
    while (start < s.length && (s[start] === ' ' || s[start] === '\u3000')) start++;
    let end = start;
    while (end < s.length && end - start < 80 && !VALUE_END.test(s[end]!)) end++;
    // A name or address may hold a space; anything else ends at one.
    let value = s.slice(start, end).replace(/\s+$/, '');
    if (spec.kind !== 'name' && spec.kind !== 'kana' && spec.kind !== 'address') value = value.split(/[\s\u3000]/)[0]!;
    if (!value || value.includes('*')) continue;
    out += s.slice(done, start) + maskAs(spec.kind, value);
    done = start + value.length;
    i = done - 1;
  }
  return done ? out + s.slice(done) : s;
}

const EMBEDDED_URL = /https?:\/\/[^\s"'<>]+/g;
/** E-mail addresses (also in file names and URLs, where the detector's file-extension guard does not apply). */
const EMAIL_ANY = /[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;
/** Digits grouped by spaces, hyphens or brackets (phone numbers, card numbers, My Numbers, postal codes). */
const DIGIT_RUN = /(?:\+81[ -]?)?(?:\(\d+\)|\d)(?:\d|[ -](?=\(?\d)|\)(?=[ -]?\d)|\((?=\d)|\(\d+\))*/g;
/** Card numbers and My Numbers grouped by dots (4.4.4, 4.4.4.4): dotted digits are otherwise addresses and versions. */
const DOTTED_GROUPS = /(?<![\d.])\d{4}\.\d{4}\.\d{4}(?:\.\d{1,7})?(?![\d]|\.\d)/g;
const POSTAL_MARKED = /〒\s?\d{3}-?\d{4}(?!\d)/g;
/** An address from its prefecture to the next separator, all of it (masking it keeps prefecture and municipality). */
const ADDRESS_ANY = new RegExp(`${PREFECTURE}[^\\s,.、。\\t"'<>|/\\\\]+`, 'g');

/** The masked form of a run of digits, or undefined when it is none of the numbers masked. */
function maskDigitRun(run: string, postal: boolean): string | undefined {
  const d = nationalDigits(run);
  if (d.length >= 13 && d.length <= 19 && luhn(d) && cardBrand(d)) return maskCard(run);
  if (d.length === 12 && validMyNumber(d)) return maskMyNumber(run);
  if (phoneType(d)) return maskPhone(run);
  if (postal && /^\d{3}-\d{4}$/.test(run)) return maskPostal(run);
  return undefined;
}

/**
 * A run of digit groups that is no number as a whole (`2 090-1234-5678`, `2024)03-1234-5678`): the longest
 * windows of whole groups that are one, left to right.
 */
function maskSpacedRun(run: string, afterMask: boolean): string {
  // Right after a masked part (`4***-****-***0-809`), `NNN-NNNN` is the tail kept of that number, not a postal code.
  const postal = !afterMask;
  const whole = maskDigitRun(run, postal);
  if (whole !== undefined) return whole;
  const parts = run.split(/(\D+)/); // digit groups at even indexes, what separates them at odd ones
  if (parts.length < 3) return run;
  let out = '';
  for (let i = 0; i < parts.length; i += 2) {
    let masked: string | undefined;
    let j = parts.length - 1;
    for (; j >= i && masked === undefined; j -= 2) masked = maskDigitRun(parts.slice(i, j + 1).join(''), postal);
    if (masked !== undefined) {
      out += masked + (parts[j + 3] ?? '');
      i = j + 2;
    } else out += parts[i]! + (parts[i + 1] ?? '');
  }
  return out;
}

/**
 * Every personal value inside a string that leaves the detector or the site probe (file names, paths,
 * reasons, titles, evidence), replaced by its masked form: labelled values (`氏名:…`, `tel=…`) by their
 * label, e-mail addresses, phone, card and My Numbers and postal codes by their shape (validated: number
 * plan, Luhn and issuer, check digit), addresses from the prefecture on. Names and birth dates are known
 * only by a label, as in the detector. Text with full-width forms is read NFKC-normalised; a string with
 * nothing to mask is returned as it was.
 */
export function maskText(s: string): string {
  if (!s) return s;
  const t = /[\uff01-\uff5e]/.test(s) ? s.normalize('NFKC') : s;
  // URLs inside the text (a title naming a page) are masked as URLs: their parts percent-encoded.
  const m = maskValues(t.includes('://') ? t.replace(EMBEDDED_URL, (u) => maskUrl(u)) : t);
  return m === t ? s : m;
}

/** maskText without looking for URLs (maskUrl's own parts, and what is not a URL after all). */
function maskValues(s: string): string {
  if (!s) return s;
  const t = /[\uff01-\uff5e]/.test(s) ? s.normalize('NFKC') : s;
  let m = maskLabelled(t);
  if (m.includes('@')) m = m.replace(EMAIL_ANY, (e) => maskEmail(e));
  if (/\d/.test(m)) {
    m = m.replace(POSTAL_MARKED, (p) => maskPostal(p));
    m = m.replace(DOTTED_GROUPS, (r) => maskDigitRun(r.replace(/\./g, '-'), false)?.replace(/-/g, '.') ?? r);
    m = m.replace(DIGIT_RUN, (r: string, at: number, all: string) => maskSpacedRun(r, all[at - 1] === '*'));
  }
  if (/[都道府県]/.test(m)) m = m.replace(ADDRESS_ANY, (a) => maskAddress(a));
  return m === t ? s : m;
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

const encodeMasked = (s: string): string => encodeURIComponent(s).replace(/%2A/g, '*');

/**
 * A URL for a report: the host, each path segment, query value and the fragment masked as decoded text; a
 * query value whose key names a personal column masked by that kind; a query value in non-ASCII text (a
 * name typed into a form) masked like a name; a password in the URL replaced by `***`. Not an http(s) URL:
 * maskText.
 */
export function maskUrl(u: string): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return maskValues(u);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return maskValues(u);
  let changed = false;
  const seg = (raw: string, mask: (decoded: string) => string): string => {
    const d = decodeComponent(raw);
    const m = mask(d);
    if (m === d) return raw;
    changed = true;
    return encodeMasked(m);
  };
  const path = url.pathname.split('/').map((p) => seg(p, maskText)).join('/');
  const query = url.search
    ? `?${url.search
        .slice(1)
        .split('&')
        .map((pair) => {
          const eq = pair.indexOf('=');
          if (eq < 0) return seg(pair, maskText);
          const key = pair.slice(0, eq);
          const spec = columnKind(decodeComponent(key));
          return `${seg(key, maskText)}=${seg(pair.slice(eq + 1), (v) => {
            if (!v) return v;
            if (spec) return maskAs(spec.kind, v);
            const m = maskText(v);
            return m === v && /[^\x00-\x7f]/.test(v) && !v.includes('*') ? maskName(v) : m;
          })}`;
        })
        .join('&')}`
    : '';
  const hash = url.hash ? `#${seg(url.hash.slice(1), maskText)}` : '';
  const user = url.username ? `${seg(url.username, maskText)}${url.password ? ':***' : ''}@` : '';
  if (url.password) changed = true;
  const host = maskValues(url.host); // a number in a host name (`090-1234-5678.example.jp`)
  if (host !== url.host) changed = true;
  return changed ? `${url.protocol}//${user}${host}${path}${query}${hash}` : u;
}

/** Strings of a report object masked (URLs by maskUrl, other text by maskText); numbers and keys as they are. */
export function maskDeep<T>(v: T): T {
  if (typeof v === 'string') return (/^https?:\/\//i.test(v) ? maskUrl(v) : maskText(v)) as T;
  if (Array.isArray(v)) return v.map((x: unknown) => maskDeep(x)) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskDeep(x);
    return out as T;
  }
  return v;
}

/** A finding as it leaves the detector or the probe: every string masked but its id (a hash that may hold digits). */
export const maskFinding = (f: Finding): Finding => ({ ...maskDeep(f), id: f.id });
export const maskGap = (g: Gap): Gap => maskDeep(g);
