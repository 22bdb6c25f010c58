/**
 * File signatures (magic bytes), one table for the site's exposure matchers (src/checks/matchers.ts: is this
 * an archive, a database, a dump?) and the personal-data classifier (src/pii: is this binary, and which kind?).
 * Each caller asks for the kinds it cares about.
 */

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

export const FILE_SIGNATURES = [
  { kind: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { kind: 'gzip', bytes: [0x1f, 0x8b] },
  { kind: '7z', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { kind: 'rar', bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { kind: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { kind: 'bzip2', bytes: [0x42, 0x5a, 0x68] },
  { kind: 'sqlite', bytes: ascii('SQLite format 3\0') },
  { kind: 'ole', bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { kind: 'tar', bytes: ascii('ustar'), offset: 257 },
  { kind: 'png', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { kind: 'jpeg', bytes: [0xff, 0xd8, 0xff] },
  { kind: 'gif', bytes: [0x47, 0x49, 0x46, 0x38] },
  { kind: 'pdf', bytes: [0x25, 0x50, 0x44, 0x46] },
  { kind: 'riff', bytes: [0x52, 0x49, 0x46, 0x46] },
  { kind: 'ico', bytes: [0x00, 0x00, 0x01, 0x00] },
  { kind: 'woff', bytes: [0x77, 0x4f, 0x46, 0x46] },
  { kind: 'woff2', bytes: [0x77, 0x4f, 0x46, 0x32] },
  { kind: 'elf', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { kind: 'mp4', bytes: ascii('ftyp'), offset: 4 },
  { kind: 'ds-store', bytes: [0, 0, 0, 1, ...ascii('Bud1')] },
] as const satisfies readonly { kind: string; bytes: readonly number[]; offset?: number }[];

export type FileKind = (typeof FILE_SIGNATURES)[number]['kind'] | 'lzh';

const startsWith = (b: Uint8Array, bytes: readonly number[], offset: number): boolean => b.length >= offset + bytes.length && bytes.every((x, i) => b[offset + i] === x);

/** The kind of file `b` starts like, among `kinds` (all when absent). */
export function fileKind(b: Uint8Array, kinds?: ReadonlySet<FileKind>): FileKind | undefined {
  for (const s of FILE_SIGNATURES) {
    if (kinds && !kinds.has(s.kind)) continue;
    if (startsWith(b, s.bytes, 'offset' in s ? s.offset : 0)) return s.kind;
  }
  // LHA: "-lh?-" or "-lz?-" at offset 2.
  if ((!kinds || kinds.has('lzh')) && b.length > 7 && b[2] === 0x2d && b[3] === 0x6c && (b[4] === 0x68 || b[4] === 0x7a) && b[6] === 0x2d) return 'lzh';
  return undefined;
}
