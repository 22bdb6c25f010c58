/**
 * Text decoding for Japanese files: detect UTF-8 (±BOM), UTF-16 (BOM), ISO-2022-JP, Shift_JIS/CP932 and EUC-JP
 * by byte statistics, decode with the WHATWG decoders built into Node (full ICU), then NFKC-normalise so
 * full-width digits, hyphens and half-width katakana compare like their plain forms.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

export type TextEncodingName = 'ascii' | 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'iso-2022-jp' | 'shift_jis' | 'euc-jp';

export interface Decoded {
  text: string;
  encoding: TextEncodingName;
  /** U+FFFD produced by invalid byte sequences. */
  invalid: number;
}

/** Bytes of a multi-byte sequence cut off at the end of a truncated buffer must not count as invalid. */
function trimIncompleteUtf8(b: Uint8Array): Uint8Array {
  let i = b.length - 1;
  let back = 0;
  while (i >= 0 && back < 4 && (b[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return b;
  const lead = b[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? b.subarray(0, i) : b;
}

/** Counts of invalid lead/trail pairs and of typical kana lead bytes, per candidate legacy encoding. */
function legacyScores(b: Uint8Array): { sjisErr: number; eucErr: number; sjisKana: number; eucKana: number } {
  let sjisErr = 0;
  let sjisKana = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x80 || (c >= 0xa1 && c <= 0xdf)) continue;
    if ((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)) {
      const t = b[i + 1];
      if (t === undefined) break;
      if ((t >= 0x40 && t <= 0x7e) || (t >= 0x80 && t <= 0xfc)) {
        if (c === 0x82 || c === 0x83) sjisKana++;
        i++;
      } else sjisErr++;
    } else sjisErr++;
  }
  let eucErr = 0;
  let eucKana = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x80) continue;
    if (c === 0x8e) {
      const t = b[i + 1];
      if (t === undefined) break;
      if (t >= 0xa1 && t <= 0xdf) i++;
      else eucErr++;
    } else if (c === 0x8f) {
      if (i + 2 >= b.length) break;
      const t1 = b[i + 1]!;
      const t2 = b[i + 2]!;
      if (t1 >= 0xa1 && t1 <= 0xfe && t2 >= 0xa1 && t2 <= 0xfe) i += 2;
      else eucErr++;
    } else if (c >= 0xa1 && c <= 0xfe) {
      const t = b[i + 1];
      if (t === undefined) break;
      if (t >= 0xa1 && t <= 0xfe) {
        if (c === 0xa4 || c === 0xa5) eucKana++;
        i++;
      } else eucErr++;
    } else eucErr++;
  }
  return { sjisErr, eucErr, sjisKana, eucKana };
}

function hasIso2022Escape(b: Uint8Array): boolean {
  for (let i = b.indexOf(0x1b); i >= 0 && i + 2 < b.length; i = b.indexOf(0x1b, i + 1)) {
    const a = b[i + 1];
    const c = b[i + 2];
    if (a === 0x24 && (c === 0x42 || c === 0x40)) return true; // ESC $ B, ESC $ @
    if (a === 0x28 && (c === 0x4a || c === 0x49)) return true; // ESC ( J, ESC ( I
  }
  return false;
}

function firstHighByte(b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return i;
  return -1;
}

export function detectEncoding(bytes: Uint8Array, truncated = false): TextEncodingName {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8-bom';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const high = firstHighByte(bytes);
  if (high < 0) return hasIso2022Escape(bytes) ? 'iso-2022-jp' : 'ascii';
  const body = truncated ? trimIncompleteUtf8(bytes) : bytes;
  if (isUtf8(body)) return 'utf-8';
  // Nearly UTF-8 (a log with a few broken bytes) stays UTF-8.
  const utf8Bad = countReplacement(decoderFor('utf-8').decode(body));
  let highBytes = 0;
  for (let i = high; i < body.length; i++) if (body[i]! >= 0x80) highBytes++;
  if (utf8Bad * 50 < highBytes) return 'utf-8';
  const s = legacyScores(bytes);
  // Fewer invalid pairs decide; with equal errors the typical kana lead bytes (SJIS 0x82/0x83, EUC 0xA4/0xA5) do.
  if (s.sjisErr < s.eucErr) return 'shift_jis';
  if (s.eucErr < s.sjisErr) return 'euc-jp';
  if (s.eucKana > s.sjisKana) return 'euc-jp';
  return 'shift_jis';
}

const decoders = new Map<string, TextDecoder>();
function decoderFor(enc: TextEncodingName): TextDecoder {
  const label = enc === 'ascii' || enc === 'utf-8-bom' ? 'utf-8' : enc;
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label, { ignoreBOM: false });
    decoders.set(label, d);
  }
  return d;
}

function countReplacement(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\uFFFD'); i >= 0; i = s.indexOf('\uFFFD', i + 1)) n++;
  return n;
}

/**
 * `bytes` as text in their own encoding (UTF-8, Shift_JIS, EUC-JP, ISO-2022-JP, UTF-16: detectEncoding), not
 * normalised: what the site prober reads pages, robots.txt and version files with.
 */
export function decodeRaw(bytes: Uint8Array, truncated = false): string {
  const encoding = detectEncoding(bytes, truncated);
  const body = truncated && (encoding === 'utf-8' || encoding === 'utf-8-bom') ? trimIncompleteUtf8(bytes) : bytes;
  return decoderFor(encoding).decode(body);
}

/** Decode `bytes` (possibly the head of a larger file) into NFKC-normalised text. */
export function decodeText(bytes: Uint8Array, truncated = false): Decoded {
  if (isAscii(bytes) && bytes.indexOf(0x1b) < 0) {
    // The common case for code and markup: one-byte strings, no normalisation needed.
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), encoding: 'ascii', invalid: 0 };
  }
  const encoding = detectEncoding(bytes, truncated);
  let body = bytes;
  if (truncated && (encoding === 'utf-8' || encoding === 'utf-8-bom')) body = trimIncompleteUtf8(bytes);
  const raw = decoderFor(encoding).decode(body);
  const invalid = encoding === 'ascii' ? 0 : countReplacement(raw);
  return { text: normalizeText(raw, encoding === 'ascii'), encoding, invalid };
}

const NON_ASCII = /[^\x00-\x7f]/;
/**
 * The characters whose NFKC form the detectors need to see: full-width and half-width forms (digits,
 * letters, ＠, half-width katakana), dash look-alikes, the ideographic and other spaces, NBSP, superscript
 * digits, circled and parenthesised numbers, enclosed CJK (㈱) and CJK compatibility signs (㍻).
 */
const NFKC_CLASS = '\\u00a0\\u00b2\\u00b3\\u00b9\\u2000-\\u200a\\u2010-\\u2015\\u2212\\u2460-\\u24ff\\u3000\\u3200-\\u33ff\\uff00-\\uffef';
const NFKC_RELEVANT = new RegExp(`[${NFKC_CLASS}]`);
/** A run of them, with the kana before a half-width voiced sound mark (ｶﾞ composes with it, か+ﾞ too). */
const NFKC_RUN = new RegExp(`(?:[\\u3040-\\u30ff](?=[\\uff9e\\uff9f]))?[${NFKC_CLASS}]+`, 'g');
const DIGIT_DASH = /\d[\u2010-\u2015\u2212\u30fc\uff70]\d/;
/**
 * NFKC of those characters, plus the dash look-alikes NFKC keeps (‐ ‑ ‒ – — ― − ー between digits) folded to
 * `-`. Only the runs of relevant characters are normalised (three times faster than the whole text on a
 * Japanese page full of ideographic spaces and full-width brackets); other characters are left as they are,
 * which is what NFKC does with kana, kanji and ASCII.
 */
export function normalizeText(s: string, ascii = false): string {
  if (ascii || !NON_ASCII.test(s)) return s;
  if (!NFKC_RELEVANT.test(s)) return s;
  const n = s.replace(NFKC_RUN, (run) => run.normalize('NFKC'));
  return DIGIT_DASH.test(n) ? n.replace(/(\d)[\u2010-\u2015\u2212\u30fc\uff70](?=\d)/g, '$1-') : n;
}

/** V8 keeps strings up to 128 KiB in its regular heap (two-byte strings: 64 Ki characters); larger ones cost fresh pages each time. */
export const CHUNK_BYTES = 48 * 1024;

/**
 * Decode a large buffer as line-aligned chunks of at most ~CHUNK_BYTES (for the free-text detectors, which
 * need no more than a line of context). The encoding is detected once on the whole buffer.
 */
export function* decodeChunks(bytes: Uint8Array, truncated: boolean): Generator<Decoded> {
  const ascii = isAscii(bytes) && bytes.indexOf(0x1b) < 0;
  const encoding: TextEncodingName = ascii ? 'ascii' : detectEncoding(bytes, truncated);
  const body = truncated && (encoding === 'utf-8' || encoding === 'utf-8-bom') ? trimIncompleteUtf8(bytes) : bytes;
  const dec = decoderFor(encoding);
  let start = 0;
  while (start < body.length) {
    let end = Math.min(body.length, start + CHUNK_BYTES);
    if (end < body.length) {
      const nl = body.indexOf(0x0a, end);
      if (nl >= 0 && nl - end < 16384) end = nl + 1;
      else if (encoding === 'utf-8' || encoding === 'utf-8-bom') while (end > start && (body[end]! & 0xc0) === 0x80) end--;
    }
    const part = body.subarray(start, end);
    if (ascii) yield { text: Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('latin1'), encoding, invalid: 0 };
    else {
      const raw = dec.decode(start === 0 ? part : part, { stream: encoding === 'iso-2022-jp' && end < body.length });
      yield { text: normalizeText(raw), encoding, invalid: countReplacement(raw) };
    }
    start = end;
  }
}
