/**
 * Expand what import is given into raw inputs: directories are walked, gzip / bzip2 / tar / tar.gz / zip archives are
 * opened by their magic bytes (not their names), with bounded decompression. A truncated archive yields the
 * members read before the damage plus a problem naming it.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { constants as zc, gunzipSync, inflateRawSync } from 'node:zlib';
import { bunzip2Bounded, isBzip2 } from './bzip2.js';
import { isLargeOval, splitOval } from '../feeds/redhat-oval/split.js';

export const MAX_MEMBER_BYTES = 512 * 1024 * 1024;
export const MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024;

export interface InputFile {
  /** Path relative to the import root, archive members as `archive.tar.gz!/member`. */
  rel: string;
  /** Where it came from (file path or URL, plus member). */
  source: string;
  bytes: Uint8Array;
}

export interface ExpandProblem {
  file: string;
  reason: string;
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}
export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}
export function isTar(b: Uint8Array): boolean {
  return b.length >= 263 && Buffer.from(b.subarray(257, 262)).toString('latin1') === 'ustar';
}

/** gunzip with a size cap; a truncated stream returns what was readable and `truncated: true`. */
export function gunzipBounded(b: Uint8Array, max = MAX_ARCHIVE_BYTES): { bytes: Uint8Array; truncated: boolean } {
  try {
    return { bytes: gunzipSync(b, { maxOutputLength: max }), truncated: false };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`decompresses to more than ${max} bytes`);
    // Salvage the readable part of a truncated or damaged stream.
    try {
      return { bytes: gunzipSync(b, { maxOutputLength: max, finishFlush: zc.Z_SYNC_FLUSH }), truncated: true };
    } catch (err2) {
      throw new Error(`not a readable gzip stream (${(err2 as Error).message})`);
    }
  }
}

function tarString(b: Uint8Array, off: number, len: number): string {
  const s = Buffer.from(b.subarray(off, off + len)).toString('utf8');
  const z = s.indexOf('\0');
  return z >= 0 ? s.slice(0, z) : s;
}

/** Where expanded files go: an array, or a sink that ingests them in batches (large archives). */
export interface Out {
  push(f: InputFile): unknown;
}

/**
 * Zip members one at a time from the central directory (ZIP64 aware), each inflated on its own, so an
 * archive of 100,000 OSV files never sits decompressed in memory at once.
 */
export function readZip(b: Uint8Array, file: InputFile, out: Out, problems: ExpandProblem[]): void {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    problems.push({ file: file.rel, reason: 'unreadable or truncated zip archive: no end-of-central-directory record' });
    return;
  }
  let count = buf.readUInt16LE(eocd + 10);
  let cdOff = buf.readUInt32LE(eocd + 16);
  if ((count === 0xffff || cdOff === 0xffffffff) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === 0x07064b50) {
    const z64 = Number(buf.readBigUInt64LE(eocd - 12));
    if (z64 + 56 <= buf.length && buf.readUInt32LE(z64) === 0x06064b50) {
      count = Number(buf.readBigUInt64LE(z64 + 32));
      cdOff = Number(buf.readBigUInt64LE(z64 + 48));
    }
  }
  let p = cdOff;
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) {
      problems.push({ file: file.rel, reason: `unreadable or truncated zip archive: central directory entry ${n + 1} of ${count} is damaged` });
      return;
    }
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nlen = buf.readUInt16LE(p + 28);
    const elen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8');
    p += 46 + nlen + elen + clen;
    if (name.endsWith('/')) continue;
    const member = `${file.rel}!/${name}`;
    total += usize;
    if (usize > MAX_MEMBER_BYTES || total > MAX_ARCHIVE_BYTES) {
      problems.push({ file: member, reason: 'zip member exceeds the size cap' });
      return;
    }
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) {
      problems.push({ file: member, reason: 'truncated zip archive: local header missing' });
      continue;
    }
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + csize > buf.length) {
      problems.push({ file: member, reason: 'truncated zip archive: member data cut' });
      continue;
    }
    const data = buf.subarray(start, start + csize);
    try {
      const bytes = method === 0 ? data : method === 8 ? inflateRawSync(data, { maxOutputLength: MAX_MEMBER_BYTES }) : null;
      if (!bytes) problems.push({ file: member, reason: `unsupported zip compression method ${method}` });
      else out.push({ rel: member, source: `${file.source}!/${name}`, bytes });
    } catch (err) {
      problems.push({ file: member, reason: `damaged zip member: ${(err as Error).message}` });
    }
  }
}

/** Members of a ustar archive (regular files only); problems for truncation. */
export function readTar(b: Uint8Array, name: string, out: Out, problems: ExpandProblem[], source: string): void {
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= b.length) {
    const header = b.subarray(off, off + 512);
    if (header.every((x) => x === 0)) return;
    let fname = tarString(header, 0, 100);
    const prefix = tarString(header, 345, 155);
    if (prefix) fname = `${prefix}/${fname}`;
    const size = parseInt(tarString(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 48);
    if (!Number.isFinite(size) || size < 0) {
      problems.push({ file: `${name}!/${fname}`, reason: 'damaged tar header' });
      return;
    }
    const start = off + 512;
    if (start + size > b.length) {
      problems.push({ file: `${name}!/${fname}`, reason: `truncated archive: member cut at ${b.length - start} of ${size} bytes` });
      return;
    }
    if (type === 'L') longName = tarString(b, start, size);
    else if (type === '0' || type === '\0' || type === '7') {
      const member = longName ?? fname;
      longName = undefined;
      if (size > MAX_MEMBER_BYTES) problems.push({ file: `${name}!/${member}`, reason: `member larger than ${MAX_MEMBER_BYTES} bytes` });
      else out.push({ rel: `${name}!/${member}`, source: `${source}!/${member}`, bytes: b.subarray(start, start + size) });
    } else if (type !== 'x' && type !== 'g') longName = undefined;
    off = start + Math.ceil(size / 512) * 512;
  }
  if (off < b.length) problems.push({ file: name, reason: 'truncated archive: incomplete tar header' });
}

/** Expand bytes that may be an archive; plain files pass through. */
export function expand(file: InputFile, out: Out, problems: ExpandProblem[], depth = 0): void {
  const b = file.bytes;
  if (depth > 3) {
    problems.push({ file: file.rel, reason: 'archives nested too deep' });
    return;
  }
  if (isGzip(b)) {
    let g: { bytes: Uint8Array; truncated: boolean };
    try {
      g = gunzipBounded(b);
    } catch (err) {
      problems.push({ file: file.rel, reason: (err as Error).message });
      return;
    }
    if (g.truncated) problems.push({ file: file.rel, reason: 'truncated or damaged gzip stream; only the readable part was used' });
    const inner = { ...file, rel: file.rel.replace(/\.gz$|\.tgz$/, (m) => (m === '.tgz' ? '.tar' : '')), bytes: g.bytes };
    if (isTar(inner.bytes)) readTar(inner.bytes, file.rel, out, problems, file.source);
    else if (g.truncated) {
      if (inner.bytes.length) out.push(inner);
    } else expand(inner, out, problems, depth + 1);
    return;
  }
  if (isBzip2(b)) {
    let inner: Uint8Array;
    try {
      inner = bunzip2Bounded(b, MAX_ARCHIVE_BYTES);
    } catch (err) {
      problems.push({ file: file.rel, reason: (err as Error).message });
      return;
    }
    expand({ ...file, rel: file.rel.replace(/\.bz2$/, ''), bytes: inner }, out, problems, depth + 1);
    return;
  }
  if (isLargeOval(b)) {
    for (const [i, part] of splitOval(b).entries()) out.push({ ...file, rel: `${file.rel}#part${i + 1}`, bytes: part });
    return;
  }
  if (isTar(b)) {
    readTar(b, file.rel, out, problems, file.source);
    return;
  }
  if (isZip(b)) {
    readZip(b, file, out, problems);
    return;
  }
  out.push(file);
}

/** A file to import: its path and its name relative to the import root. */
export interface FileEntry {
  rel: string;
  abs: string;
}

/** Files under a path (a directory is walked in name order; hidden entries are skipped). Reads no content. */
export function listFiles(path: string): FileEntry[] {
  const out: FileEntry[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ rel: relative(path, p), abs: p });
    }
  };
  if (statSync(path).isDirectory()) walk(path);
  else out.push({ rel: path.split('/').pop() ?? path, abs: path });
  return out;
}

/** The first bytes of a file (for recognising its format without reading it all). */
export function readHead(abs: string, n = 512): Uint8Array {
  const fd = openSync(abs, 'r');
  try {
    const b = Buffer.alloc(n);
    const len = readSync(fd, b, 0, n, 0);
    return b.subarray(0, len);
  } finally {
    closeSync(fd);
  }
}

/** One file, read and expanded (archives into their members). */
export function readEntry(e: FileEntry): { files: InputFile[]; problems: ExpandProblem[] } {
  const files: InputFile[] = [];
  const problems: ExpandProblem[] = [];
  expand({ rel: e.rel, source: e.abs, bytes: readFileSync(e.abs) }, files, problems);
  return { files, problems };
}
