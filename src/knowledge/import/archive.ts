/**
 * Expand what import is given into raw inputs: directories are walked, gzip / bzip2 / tar / tar.gz / zip archives are
 * opened by their magic bytes (not their names). Decompression is streamed and bounded by the bytes really
 * inflated (never by the sizes an archive declares): gzip goes through in small steps, a tar inside it is read
 * member by member as it inflates, zip members are inflated one at a time up to their declared size, and
 * archives on disk are read in pieces, so a hostile archive (a lying zip central directory, a gzip bomb) is a
 * named problem, not gigabytes of memory. A truncated archive yields the members read before the damage plus a
 * problem naming it.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { Gunzip, Inflate } from 'fflate';
import { bunzip2Bounded, isBzip2 } from './bzip2.js';
import { isLargeOval, splitOval } from '../feeds/redhat-oval/split.js';

/**
 * The largest single file (plain, or one archive member) read into memory. Upstream feed files are tens of MB
 * at most; with the text decoded beside the bytes, this keeps an import well under 512 MB of memory.
 */
export const MAX_MEMBER_BYTES = 128 * 1024 * 1024;
/** The most bytes one archive may inflate to in all (streamed through, never held at once). */
export const MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024;
/** Compressed bytes per inflate step: deflate expands at most ~1032:1, so one step yields ≤ ~17 MB. */
const STEP = 4 * 1024;
/** Read size from disk for stored (uncompressed) tar archives. */
const READ = 1024 * 1024;
/** Zip members declared up to this size inflate natively in one call (≤ 2× this in memory). */
const NATIVE_ZIP_MEMBER = 8 * 1024 * 1024;

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

/** Random access to bytes in memory or in a file on disk (read in pieces). */
export interface Source {
  readonly size: number;
  read(pos: number, len: number): Uint8Array;
}

export function memorySource(b: Uint8Array): Source {
  return { size: b.length, read: (pos, len) => b.subarray(pos, Math.min(b.length, pos + len)) };
}

function fileSource(fd: number): Source {
  const size = fstatSync(fd).size;
  return {
    size,
    read(pos, len) {
      const n = Math.max(0, Math.min(len, size - pos));
      const b = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, b, got, n - got, pos + got);
        if (r === 0) break;
        got += r;
      }
      return b.subarray(0, got);
    },
  };
}

const MiB = (n: number) => `${Math.round(n / 1048576)} MiB`;

/** Where inflated bytes go; `write` returns false to stop the stream. */
export interface ByteSink {
  write(chunk: Uint8Array): boolean;
  /** `damaged`: the stream ended early or broke (the reason), undefined when it ended cleanly. */
  end(damaged: string | undefined): void;
}

/**
 * Stream-gunzip a source into a sink in small steps, counting the real output against `limit`. Returns why
 * it stopped early (too large, damaged), or undefined when the whole stream went through.
 */
function gunzipInto(src: Source, sink: ByteSink, limit: number): string | undefined {
  let total = 0;
  let stop: string | undefined;
  // what the sink throws (a store error, a bug) is not a damaged stream: it goes up as it is
  let sinkError: { err: unknown } | undefined;
  const g = new Gunzip((chunk) => {
    if (stop !== undefined || chunk.length === 0) return;
    total += chunk.length;
    if (total > limit) stop = `decompresses to more than ${MiB(limit)}`;
    else {
      try {
        if (!sink.write(chunk)) stop = '';
      } catch (err) {
        sinkError = { err };
        stop = '';
      }
    }
  });
  // where the last member's output starts, for its ISIZE check
  let memberStart = 0;
  g.onmember = () => {
    memberStart = total;
  };
  let damaged: string | undefined;
  try {
    // every real chunk is pushed as non-final (so all that inflates is emitted), then an empty final push
    // checks that the stream ended where it should
    for (let pos = 0; pos < src.size && stop === undefined; pos += STEP) g.push(src.read(pos, STEP), false);
    if (stop === undefined) g.push(new Uint8Array(0), true);
  } catch (err) {
    damaged = `truncated or damaged gzip stream (${(err as Error).message})`;
  }
  // fflate ends a stream cut on a deflate block boundary without an error: the gzip trailer's ISIZE (the
  // last member's length mod 2^32) must match what came out, or the stream was cut
  if (stop === undefined && damaged === undefined && !trailerMatches(src, total - memberStart)) {
    damaged = 'truncated or damaged gzip stream (it ends before its trailer)';
  }
  if (sinkError) throw sinkError.err;
  if (stop === undefined) sink.end(damaged);
  return stop || damaged;
}

function trailerMatches(src: Source, memberBytes: number): boolean {
  if (src.size < 18) return false;
  const t = src.read(src.size - 4, 4);
  return t.length === 4 && Buffer.from(t).readUInt32LE(0) === memberBytes % 0x1_0000_0000;
}

/** Stream-gunzip a file on disk into a sink (see gunzipInto); why it stopped early, or undefined. */
export function gunzipFile(path: string, sink: ByteSink, limit: number): string | undefined {
  const fd = openSync(path, 'r');
  try {
    return gunzipInto(fileSource(fd), sink, limit);
  } finally {
    closeSync(fd);
  }
}

/** The first `n` inflated bytes of a gzip source (reads no further than it needs). */
export function gunzipHead(src: Source, n: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let have = 0;
  gunzipInto(
    src,
    {
      write(c) {
        parts.push(c);
        have += c.length;
        return have < n;
      },
      end() {},
    },
    MAX_MEMBER_BYTES,
  );
  return Buffer.concat(parts).subarray(0, n);
}

function tarString(b: Uint8Array, off: number, len: number): string {
  const s = Buffer.from(b.subarray(off, off + len)).toString('utf8');
  const z = s.indexOf('\0');
  return z >= 0 ? s.slice(0, z) : s;
}

/** The size field: octal, or GNU base-256 (high bit set) for members over 8 GiB. */
function tarSize(h: Uint8Array): number {
  if ((h[124]! & 0x80) !== 0) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i]!;
    return n;
  }
  const t = tarString(h, 124, 12).trim();
  return t === '' ? 0 : /^[0-7]+$/.test(t) ? parseInt(t, 8) : NaN;
}

/** pax extended header records (`LEN key=value\n`…): the ones that name the next member. */
function paxPath(body: Uint8Array): string | undefined {
  const text = Buffer.from(body).toString('utf8');
  let pos = 0;
  let path: string | undefined;
  while (pos < text.length) {
    const sp = text.indexOf(' ', pos);
    if (sp < 0) break;
    const len = Number(text.slice(pos, sp));
    if (!Number.isInteger(len) || len <= 0) break;
    const rec = text.slice(sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0 && rec.slice(0, eq) === 'path') path = rec.slice(eq + 1);
    pos += len;
  }
  return path;
}

/** Where expanded files go: an array, or a sink that ingests them in batches (large archives). */
export interface Out {
  push(f: InputFile): unknown;
}

/**
 * A streaming ustar / pax / GNU tar reader: fed inflated chunks, it emits regular-file members as each
 * completes; members over the cap are skipped as they stream by (named as problems), never held.
 */
class TarReader implements ByteSink {
  private header = new Uint8Array(512);
  private headerFill = 0;
  /** The member being read: its name, size, collected bytes (null when skipped) and what is left. */
  private member: { name: string; size: number; kind: 'file' | 'longname' | 'pax' | 'skip'; data: Uint8Array | null; fill: number; left: number } | undefined;
  private nextName: string | undefined;
  private done = false;

  constructor(
    private readonly name: string,
    private readonly source: string,
    private readonly out: Out,
    private readonly problems: ExpandProblem[],
  ) {}

  write(chunk: Uint8Array): boolean {
    let off = 0;
    while (off < chunk.length && !this.done) {
      if (this.member) {
        const take = Math.min(this.member.left, chunk.length - off);
        const m = this.member;
        if (m.data && m.fill < m.size) m.data.set(chunk.subarray(off, off + Math.min(take, m.size - m.fill)), m.fill);
        m.fill += take;
        m.left -= take;
        off += take;
        if (m.left === 0) this.finishMember();
        continue;
      }
      const take = Math.min(512 - this.headerFill, chunk.length - off);
      this.header.set(chunk.subarray(off, off + take), this.headerFill);
      this.headerFill += take;
      off += take;
      if (this.headerFill === 512) {
        this.headerFill = 0;
        if (!this.startMember()) return false;
      }
    }
    return !this.done;
  }

  /** Read a complete 512-byte header; false to stop reading (end of archive or damage). */
  private startMember(): boolean {
    const h = this.header;
    if (h.every((x) => x === 0)) {
      this.done = true;
      return false;
    }
    let fname = tarString(h, 0, 100);
    const prefix = tarString(h, 345, 155);
    if (prefix) fname = `${prefix}/${fname}`;
    const size = tarSize(h);
    const type = String.fromCharCode(h[156] ?? 48);
    if (!Number.isFinite(size) || size < 0) {
      this.problems.push({ file: `${this.name}!/${fname}`, reason: 'damaged tar header' });
      this.done = true;
      return false;
    }
    const padded = Math.ceil(size / 512) * 512;
    const regular = type === '0' || type === '\0' || type === '7';
    const meta = type === 'L' || type === 'x';
    let kind: 'file' | 'longname' | 'pax' | 'skip' = regular ? 'file' : type === 'L' ? 'longname' : type === 'x' ? 'pax' : 'skip';
    const name = regular ? (this.nextName ?? fname) : fname;
    if (regular) this.nextName = undefined;
    else if (!meta && type !== 'g') this.nextName = undefined;
    if (kind === 'file' && size > MAX_MEMBER_BYTES) {
      this.problems.push({ file: `${this.name}!/${name}`, reason: `member larger than ${MiB(MAX_MEMBER_BYTES)} (${size} bytes); skipped` });
      kind = 'skip';
    }
    if (meta && size > 1024 * 1024) kind = 'skip';
    this.member = { name, size, kind, data: kind === 'skip' ? null : new Uint8Array(size), fill: 0, left: padded };
    if (padded === 0) this.finishMember();
    return true;
  }

  private finishMember(): void {
    const m = this.member!;
    this.member = undefined;
    if (m.kind === 'file') this.out.push({ rel: `${this.name}!/${m.name}`, source: `${this.source}!/${m.name}`, bytes: m.data! });
    else if (m.kind === 'longname') this.nextName = tarString(m.data!, 0, m.size);
    else if (m.kind === 'pax') this.nextName = paxPath(m.data!) ?? this.nextName;
  }

  end(damaged: string | undefined): void {
    if (this.done) return;
    if (this.member) {
      const m = this.member;
      this.problems.push({ file: `${this.name}!/${m.name}`, reason: `truncated archive: member cut at ${Math.min(m.fill, m.size)} of ${m.size} bytes` });
    } else if (this.headerFill > 0) this.problems.push({ file: this.name, reason: 'truncated archive: incomplete tar header' });
    if (damaged) this.problems.push({ file: this.name, reason: `${damaged}; only the members before the damage were read` });
  }
}

/** Inflate one zip member to at most its declared size: a member that inflates past it is a lie. */
function inflateMember(data: Uint8Array, declared: number): Uint8Array | string {
  const lie = `inflates past the ${declared} bytes its central directory declares (damaged or hostile archive); skipped`;
  if (declared <= NATIVE_ZIP_MEMBER) {
    try {
      return inflateRawSync(data, { maxOutputLength: Math.max(1, declared) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return lie;
      return `damaged zip member: ${(err as Error).message}`;
    }
  }
  const buf = new Uint8Array(declared);
  let fill = 0;
  let over = false;
  const inf = new Inflate((chunk) => {
    if (over) return;
    if (fill + chunk.length > declared) over = true;
    else {
      buf.set(chunk, fill);
      fill += chunk.length;
    }
  });
  try {
    for (let pos = 0; pos < data.length && !over; pos += STEP) inf.push(data.subarray(pos, pos + STEP), pos + STEP >= data.length);
  } catch (err) {
    return `damaged zip member: ${(err as Error).message}`;
  }
  return over ? lie : buf.subarray(0, fill);
}

/** ZIP64 extended information (extra field 0x0001): the 64-bit values of the fields that read 0xffffffff. */
function zip64Fields(extra: Buffer, usize: number, csize: number, local: number): { usize: number; csize: number; local: number } {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const next = () => {
        if (q + 8 > p + 4 + len) return undefined;
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (usize === 0xffffffff) usize = next() ?? usize;
      if (csize === 0xffffffff) csize = next() ?? csize;
      if (local === 0xffffffff) local = next() ?? local;
      break;
    }
    p += 4 + len;
  }
  return { usize, csize, local };
}

/**
 * Zip members one at a time from the central directory (ZIP64 aware), each inflated on its own up to the size
 * the directory declares, so an archive of 100,000 OSV files never sits decompressed in memory at once and a
 * directory that lies about sizes costs nothing.
 */
function readZipFrom(src: Source, file: { rel: string; source: string }, out: Out, problems: ExpandProblem[]): void {
  const tailLen = Math.min(src.size, 22 + 65535);
  const tail = Buffer.from(src.read(src.size - tailLen, tailLen));
  let e = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      e = i;
      break;
    }
  }
  if (e < 0) {
    problems.push({ file: file.rel, reason: 'unreadable or truncated zip archive: no end-of-central-directory record' });
    return;
  }
  const eocd = src.size - tailLen + e;
  let count = tail.readUInt16LE(e + 10);
  let cdSize = tail.readUInt32LE(e + 12);
  let cdOff = tail.readUInt32LE(e + 16);
  if ((count === 0xffff || cdOff === 0xffffffff || cdSize === 0xffffffff) && eocd >= 20) {
    const loc = Buffer.from(src.read(eocd - 20, 20));
    if (loc.readUInt32LE(0) === 0x07064b50) {
      const z64 = Number(loc.readBigUInt64LE(8));
      const rec = Buffer.from(src.read(z64, 56));
      if (rec.length === 56 && rec.readUInt32LE(0) === 0x06064b50) {
        count = Number(rec.readBigUInt64LE(32));
        cdSize = Number(rec.readBigUInt64LE(40));
        cdOff = Number(rec.readBigUInt64LE(48));
      }
    }
  }
  if (cdOff + cdSize > src.size || cdSize > 512 * 1024 * 1024) {
    problems.push({ file: file.rel, reason: 'unreadable or truncated zip archive: the central directory lies outside the file' });
    return;
  }
  const cd = Buffer.from(src.read(cdOff, cdSize));
  let p = 0;
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) {
      problems.push({ file: file.rel, reason: `unreadable or truncated zip archive: central directory entry ${n + 1} of ${count} is damaged` });
      return;
    }
    const method = cd.readUInt16LE(p + 10);
    const nlen = cd.readUInt16LE(p + 28);
    const elen = cd.readUInt16LE(p + 30);
    const clen = cd.readUInt16LE(p + 32);
    const name = cd.subarray(p + 46, p + 46 + nlen).toString('utf8');
    const { usize, csize, local } = zip64Fields(cd.subarray(p + 46 + nlen, p + 46 + nlen + elen), cd.readUInt32LE(p + 24), cd.readUInt32LE(p + 20), cd.readUInt32LE(p + 42));
    p += 46 + nlen + elen + clen;
    if (name.endsWith('/')) continue;
    const member = `${file.rel}!/${name}`;
    if (usize > MAX_MEMBER_BYTES) {
      problems.push({ file: member, reason: `zip member declares ${usize} bytes, more than ${MiB(MAX_MEMBER_BYTES)}; skipped` });
      continue;
    }
    if (total + usize > MAX_ARCHIVE_BYTES) {
      problems.push({ file: member, reason: `the archive inflates to more than ${MiB(MAX_ARCHIVE_BYTES)}; the rest was not read` });
      return;
    }
    const lh = Buffer.from(src.read(local, 30));
    if (lh.length < 30 || lh.readUInt32LE(0) !== 0x04034b50) {
      problems.push({ file: member, reason: 'truncated zip archive: local header missing' });
      continue;
    }
    const start = local + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
    if (start + csize > src.size) {
      problems.push({ file: member, reason: 'truncated zip archive: member data cut' });
      continue;
    }
    if (method !== 0 && method !== 8) {
      problems.push({ file: member, reason: `unsupported zip compression method ${method}` });
      continue;
    }
    if (method === 0 && csize !== usize) {
      problems.push({ file: member, reason: `stored zip member of ${csize} bytes declares ${usize} (damaged or hostile archive); skipped` });
      continue;
    }
    const data = src.read(start, csize);
    const bytes = method === 0 ? data : inflateMember(data, usize);
    if (typeof bytes === 'string') {
      problems.push({ file: member, reason: bytes });
      continue;
    }
    total += bytes.length;
    out.push({ rel: member, source: `${file.source}!/${name}`, bytes });
  }
}

/**
 * The output of a gzip stream: a tar inside is read member by member as it inflates; anything else is one
 * file, collected up to the member cap (and expanded again if it is itself an archive).
 */
class GzipContent implements ByteSink {
  private head: Uint8Array[] = [];
  private headLen = 0;
  private tar: TarReader | undefined;
  /** The plain content, written in place (sized from the gzip trailer's ISIZE, grown if that lied). */
  private plain: Buffer | undefined;
  private plainLen = 0;
  tooLarge = false;

  constructor(
    private readonly file: { rel: string; source: string },
    private readonly out: Out,
    private readonly problems: ExpandProblem[],
    private readonly depth: number,
    /** ISIZE of the gzip trailer (the size mod 2^32 the stream claims), 0 when unknown. */
    private readonly sizeHint: number,
  ) {}

  write(chunk: Uint8Array): boolean {
    if (this.tar) return this.tar.write(chunk);
    if (this.plain) return this.collect(chunk);
    this.head.push(chunk);
    this.headLen += chunk.length;
    if (this.headLen < 512) return true;
    return this.decide();
  }

  private decide(): boolean {
    const head = Buffer.concat(this.head);
    this.head = [];
    if (isTar(head)) {
      this.tar = new TarReader(this.file.rel, this.file.source, this.out, this.problems);
      return this.tar.write(head);
    }
    this.plain = Buffer.allocUnsafe(Math.max(head.length, Math.min(this.sizeHint, MAX_MEMBER_BYTES)));
    return this.collect(head);
  }

  private collect(chunk: Uint8Array): boolean {
    const need = this.plainLen + chunk.length;
    if (need > MAX_MEMBER_BYTES) {
      this.plain = Buffer.alloc(0);
      this.plainLen = 0;
      this.tooLarge = true;
      this.problems.push({ file: this.file.rel, reason: `decompresses to more than ${MiB(MAX_MEMBER_BYTES)} (not an archive mamori reads member by member); not imported` });
      return false;
    }
    if (need > this.plain!.length) {
      const grown = Buffer.allocUnsafe(Math.min(MAX_MEMBER_BYTES, Math.max(need, this.plain!.length * 2)));
      this.plain!.copy(grown, 0, 0, this.plainLen);
      this.plain = grown;
    }
    this.plain!.set(chunk, this.plainLen);
    this.plainLen = need;
    return true;
  }

  end(damaged: string | undefined): void {
    if (!this.tar && !this.plain) {
      if (this.headLen === 0 && damaged) {
        this.problems.push({ file: this.file.rel, reason: `not a readable gzip stream (${damaged})` });
        return;
      }
      this.decide();
    }
    if (this.tar) {
      this.tar.end(damaged);
      return;
    }
    const bytes = this.plain!.subarray(0, this.plainLen);
    this.plain = undefined;
    const inner = { rel: this.file.rel.replace(/\.gz$|\.tgz$/, (m) => (m === '.tgz' ? '.tar' : '')), source: this.file.source, bytes };
    if (damaged) {
      this.problems.push({ file: this.file.rel, reason: 'truncated or damaged gzip stream; only the readable part was used' });
      if (bytes.length) this.out.push(inner);
    } else expandSource(inner, memorySource(bytes), this.out, this.problems, this.depth + 1);
  }
}

function expandSource(file: { rel: string; source: string; bytes?: Uint8Array }, src: Source, out: Out, problems: ExpandProblem[], depth: number): void {
  if (depth > 3) {
    problems.push({ file: file.rel, reason: 'archives nested too deep' });
    return;
  }
  const head = src.read(0, 512);
  if (isGzip(head)) {
    const trailer = src.size >= 18 ? Buffer.from(src.read(src.size - 4, 4)) : undefined;
    const content = new GzipContent(file, out, problems, depth, trailer?.length === 4 ? trailer.readUInt32LE(0) : 0);
    const stop = gunzipInto(src, content, MAX_ARCHIVE_BYTES);
    if (stop && !content.tooLarge && /^decompresses/.test(stop)) problems.push({ file: file.rel, reason: `${stop}; the rest was not read` });
    return;
  }
  if (isBzip2(head)) {
    // bzip2 (the OVAL streams) has no streaming decoder here: the compressed file is read whole, and what it
    // inflates to is bounded by MAX_ARCHIVE_BYTES.
    if (src.size > MAX_MEMBER_BYTES) {
      problems.push({ file: file.rel, reason: `file larger than ${MiB(MAX_MEMBER_BYTES)}; not imported` });
      return;
    }
    let inner: Uint8Array;
    try {
      inner = bunzip2Bounded(file.bytes ?? src.read(0, src.size), MAX_ARCHIVE_BYTES);
    } catch (err) {
      problems.push({ file: file.rel, reason: (err as Error).message });
      return;
    }
    const rel = file.rel.replace(/\.bz2$/, '');
    if (isLargeOval(inner)) {
      for (const [i, part] of splitOval(inner).entries()) out.push({ rel: `${rel}#part${i + 1}`, source: file.source, bytes: part });
      return;
    }
    expandSource({ rel, source: file.source, bytes: inner }, memorySource(inner), out, problems, depth + 1);
    return;
  }
  if (isTar(head)) {
    const t = new TarReader(file.rel, file.source, out, problems);
    for (let pos = 0; pos < src.size; pos += READ) if (!t.write(src.read(pos, READ))) return;
    t.end(undefined);
    return;
  }
  if (isZip(head)) {
    readZipFrom(src, file, out, problems);
    return;
  }
  if (src.size > MAX_MEMBER_BYTES) {
    problems.push({ file: file.rel, reason: `file larger than ${MiB(MAX_MEMBER_BYTES)}; not imported` });
    return;
  }
  out.push({ rel: file.rel, source: file.source, bytes: file.bytes ?? src.read(0, src.size) });
}

/** Expand bytes that may be an archive; plain files pass through. */
export function expand(file: InputFile, out: Out, problems: ExpandProblem[], depth = 0): void {
  expandSource(file, memorySource(file.bytes), out, problems, depth);
}

/** A file to import: its path and its name relative to the import root. */
export interface FileEntry {
  rel: string;
  abs: string;
}

/** Expand a file on disk, read in pieces (an archive is never read into memory whole). */
export function expandFile(e: FileEntry, out: Out, problems: ExpandProblem[]): void {
  const fd = openSync(e.abs, 'r');
  try {
    expandSource({ rel: e.rel, source: e.abs }, fileSource(fd), out, problems, 0);
  } finally {
    closeSync(fd);
  }
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
    return fileSource(fd).read(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The first `n` bytes of a file's content: inflated when the file is gzip (for recognising a bundle). */
export function readContentHead(abs: string, n: number): Uint8Array {
  const fd = openSync(abs, 'r');
  try {
    const src = fileSource(fd);
    const head = src.read(0, 512);
    return isGzip(head) ? gunzipHead(src, n) : head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
