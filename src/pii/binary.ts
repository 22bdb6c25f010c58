/**
 * Binary sniffing for the classifier: file signatures it does not read (media, executables, unopened
 * archives), the NUL-byte test, and the printable strings of SQLite pages and legacy Office files.
 */
import { fileKind, type FileKind } from '../core/filetypes.js';

/** Media, executables, archives the classifier does not open, databases (src/core/filetypes.ts). */
export const SNIFF_KINDS: ReadonlySet<FileKind> = new Set(['png', 'jpeg', 'gif', 'pdf', 'riff', 'ico', 'woff', 'woff2', 'elf', '7z', 'rar', 'bzip2', 'xz', 'sqlite', 'ole', 'mp4', 'lzh']);

export const sniffMagic = (b: Uint8Array): string | undefined => fileKind(b, SNIFF_KINDS);

/** NUL bytes in the first 8 KiB (UTF-16 with a BOM excepted) mark a binary file, as ripgrep and git do. */
export function looksBinary(b: Uint8Array): boolean {
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) return false;
  const head = b.subarray(0, 8192);
  return head.indexOf(0) >= 0;
}

/** Printable runs of a binary (SQLite pages, legacy .xls string tables): UTF-16LE and 8-bit text, one per line. */
export function binaryStrings(b: Uint8Array, cap: number): string {
  const out: string[] = [];
  let size = 0;
  // UTF-8/ASCII runs
  let run = '';
  const dec = new TextDecoder('utf-8');
  let start = -1;
  for (let i = 0; i <= b.length && size < cap; i++) {
    const c = i < b.length ? b[i]! : 0;
    const printable = c === 9 || (c >= 0x20 && c !== 0x7f);
    if (printable && start < 0) start = i;
    if (!printable && start >= 0) {
      if (i - start >= 4) {
        run = dec.decode(b.subarray(start, i));
        out.push(run);
        size += run.length;
      }
      start = -1;
    }
  }
  // UTF-16LE runs (Japanese text in .xls string tables)
  let s16 = '';
  for (let i = 0; i + 1 < b.length && size < cap; i += 2) {
    const code = b[i]! | (b[i + 1]! << 8);
    const ok = (code >= 0x20 && code < 0x7f) || (code >= 0x3000 && code <= 0x9fff) || (code >= 0xff00 && code <= 0xffef);
    if (ok) s16 += String.fromCharCode(code);
    else {
      if (s16.length >= 2 && /[^\x20-\x7e]/.test(s16)) {
        out.push(s16);
        size += s16.length;
      }
      s16 = '';
    }
  }
  return out.join('\n');
}
