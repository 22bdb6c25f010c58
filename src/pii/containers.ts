/**
 * Containers opened with bounded decompression: gzip, zip (incl. xlsx: shared strings + sheets turned into
 * TSV), tar and tar.gz. Each member's output is capped; a ratio far beyond what text compresses to is a
 * decompression bomb and that member is not inflated further. Nothing here throws on hostile input: the
 * problems come back as events the caller reports as gaps.
 */
import { isUtf8 } from 'node:buffer';
import { Gunzip, Inflate } from 'fflate';

export interface Member {
  name: string;
  data: Uint8Array;
  truncated: boolean;
}

export interface ContainerEvent {
  kind: 'decompression-bomb' | 'encrypted' | 'corrupt' | 'truncated' | 'unsupported';
  member?: string;
  note: string;
}

export interface Extracted {
  container: 'gzip' | 'zip' | 'xlsx' | 'tar' | 'tar.gz';
  members: Member[];
  events: ContainerEvent[];
}

export interface Limits {
  /** Output cap per member (bytes). */
  memberBytes: number;
  /** Output cap for the whole container. */
  totalBytes: number;
  /** Output/input ratio above which (with > 1 MiB out) a stream is a bomb. */
  maxRatio: number;
  maxMembers: number;
}

export const defaultLimits = (maxBytes: number): Limits => ({ memberBytes: maxBytes, totalBytes: maxBytes * 4, maxRatio: 200, maxMembers: 64 });

export const isGzip = (b: Uint8Array): boolean => b[0] === 0x1f && b[1] === 0x8b;
export const isZip = (b: Uint8Array): boolean => b[0] === 0x50 && b[1] === 0x4b && (b[2] === 0x03 || b[2] === 0x05) && (b[3] === 0x04 || b[3] === 0x06);
export const isTar = (b: Uint8Array): boolean => b.length >= 512 && String.fromCharCode(...b.subarray(257, 262)) === 'ustar';

interface InflateResult {
  data: Uint8Array;
  truncated: boolean;
  bomb: boolean;
  error?: string;
}

/** Inflate at most `cap` bytes from `input` (raw deflate or gzip), 16 KiB of input at a time. */
export function inflateBounded(input: Uint8Array, kind: 'raw' | 'gzip', cap: number, maxRatio: number, inputComplete: boolean): InflateResult {
  const chunks: Uint8Array[] = [];
  let out = 0;
  let full = false;
  let ended = false;
  // Past the cap, output is only counted (not kept) up to 2 MiB, so a bomb is told from a large file.
  const measureUpTo = Math.max(cap, 2 << 20);
  let produced = 0;
  const onData = (d: Uint8Array, final: boolean) => {
    if (final) ended = true;
    produced += d.length;
    if (full) return;
    const room = cap - out;
    if (d.length >= room) {
      chunks.push(d.subarray(0, room));
      out = cap;
      full = true;
    } else {
      chunks.push(d);
      out += d.length;
    }
  };
  const stream = kind === 'gzip' ? new Gunzip(onData) : new Inflate(onData);
  const step = 16384;
  let consumed = 0;
  let bomb = false;
  let error: string | undefined;
  try {
    for (let i = 0; i < input.length && produced < measureUpTo && !ended; i += step) {
      const end = Math.min(input.length, i + step);
      stream.push(input.subarray(i, end), inputComplete && end === input.length);
      consumed = end;
      if (produced > 1 << 20 && produced / consumed > maxRatio) {
        bomb = true;
        break;
      }
    }
  } catch (err) {
    // Corrupt or cut-off streams: keep what came out, say why.
    error = (err as Error).message || String(err);
  }
  const data = chunks.length === 1 ? chunks[0]! : concat(chunks, out);
  return { data, truncated: full || (!ended && !bomb), bomb, ...(error ? { error } : {}) };
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const outBuf = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    outBuf.set(c, o);
    o += c.length;
  }
  return outBuf;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compSize: number;
  size: number;
  /** Offset of the data (after the local header), or of the local header when `local` is false. */
  offset: number;
  dataKnown: boolean;
}

function decodeName(bytes: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag || isUtf8(bytes)) return new TextDecoder('utf-8').decode(bytes);
  return new TextDecoder('shift_jis').decode(bytes); // Japanese Windows zips name members in CP932
}

/** Random access to a zip: a buffer in memory, or a file read at offsets (large backups). */
export interface ZipSource {
  size: number;
  read(offset: number, length: number): Uint8Array;
}

export const bufferSource = (b: Uint8Array): ZipSource => ({ size: b.length, read: (o, l) => b.subarray(o, Math.min(b.length, o + l)) });

/** Entries from the central directory found through the end-of-central-directory record. */
function zipCentral(src: ZipSource): ZipEntry[] | undefined {
  const tailStart = Math.max(0, src.size - 65557);
  const tail = src.read(tailStart, src.size - tailStart);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = u16(tail, eocd + 10);
  const cdSize = u32(tail, eocd + 12);
  const cdOffset = u32(tail, eocd + 16);
  if (cdOffset >= src.size) return undefined;
  const b = src.read(cdOffset, Math.min(cdSize, 16 << 20));
  let p = 0;
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count && p + 46 <= b.length; k++) {
    if (u32(b, p) !== 0x02014b50) break;
    const flags = u16(b, p + 8);
    const nameLen = u16(b, p + 28);
    const extraLen = u16(b, p + 30);
    const commentLen = u16(b, p + 32);
    entries.push({
      name: decodeName(b.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0),
      method: u16(b, p + 10),
      flags,
      compSize: u32(b, p + 20),
      size: u32(b, p + 24),
      offset: u32(b, p + 42),
      dataKnown: false,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Walk local headers from the start (a zip whose end was not read). */
function zipLocal(b: Uint8Array, max: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = 0;
  while (p + 30 <= b.length && entries.length < max && u32(b, p) === 0x04034b50) {
    const flags = u16(b, p + 6);
    const nameLen = u16(b, p + 26);
    const extraLen = u16(b, p + 28);
    const compSize = u32(b, p + 18);
    const e: ZipEntry = {
      name: decodeName(b.subarray(p + 30, p + 30 + nameLen), (flags & 0x800) !== 0),
      method: u16(b, p + 8),
      flags,
      compSize,
      size: u32(b, p + 22),
      offset: p + 30 + nameLen + extraLen,
      dataKnown: true,
    };
    entries.push(e);
    if (flags & 0x08) break; // sizes follow the data: cannot walk further without inflating
    p = e.offset + compSize;
  }
  return entries;
}

/** Members worth classifying: text-like data, nested containers, spreadsheets; not media or code libraries. */
const SKIP_MEMBER = /\.(?:png|jpe?g|gif|webp|bmp|ico|svg|mp[34]|mov|avi|woff2?|ttf|eot|otf|pdf|exe|dll|so|class|jar|psd|ai|swf|flv)$/i;
const PRIORITY_MEMBER = /\.(?:sql|csv|tsv|txt|dat|log|xlsx|json|xml|gz|tgz|zip|tar|bak)$/i;

/** `complete`: the source holds the whole file (its central directory can be read). */
export function extractZip(b: Uint8Array | ZipSource, limits: Limits, complete: boolean): Extracted {
  const src = b instanceof Uint8Array ? bufferSource(b) : b;
  const events: ContainerEvent[] = [];
  const central = complete ? zipCentral(src) : undefined;
  const entries = central ?? zipLocal(src.read(0, Math.min(src.size, limits.totalBytes)), 10_000);
  if (!central && !complete) events.push({ kind: 'truncated', note: 'zip read partially: members listed from local headers' });
  const names = new Set(entries.map((e) => e.name));
  const xlsx = names.has('[Content_Types].xml') && [...names].some((n) => n.startsWith('xl/'));
  const wanted = xlsx
    ? entries.filter((e) => e.name === 'xl/sharedStrings.xml' || /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name))
    : entries.filter((e) => !e.name.endsWith('/') && !SKIP_MEMBER.test(e.name)).sort((a, c) => Number(PRIORITY_MEMBER.test(c.name)) - Number(PRIORITY_MEMBER.test(a.name)));
  const members: Member[] = [];
  let total = 0;
  for (const e of wanted.slice(0, limits.maxMembers)) {
    if (total >= limits.totalBytes) {
      events.push({ kind: 'truncated', member: e.name, note: 'container output cap reached' });
      break;
    }
    if (e.flags & 0x01) {
      events.push({ kind: 'encrypted', member: e.name, note: 'member is encrypted (password-protected zip)' });
      continue;
    }
    if (e.size > 1 << 20 && e.compSize > 0 && e.size / e.compSize > limits.maxRatio) {
      events.push({ kind: 'decompression-bomb', member: e.name, note: `declared ratio ${Math.round(e.size / e.compSize)}:1` });
      continue;
    }
    let start = e.offset;
    if (!e.dataKnown) {
      const lh = src.read(start, 30);
      if (lh.length < 30 || u32(lh, 0) !== 0x04034b50) {
        events.push({ kind: 'corrupt', member: e.name, note: 'local header not found' });
        continue;
      }
      start += 30 + u16(lh, 26) + u16(lh, 28);
    }
    const sizeKnown = !(e.flags & 0x08) || !e.dataKnown;
    const cap = Math.min(limits.memberBytes, limits.totalBytes - total);
    // Compressed bytes read per member: at most the output cap (text deflates, never expands much).
    const want = sizeKnown ? Math.min(e.compSize, cap + 1024) : Math.min(src.size - start, cap);
    const raw = src.read(start, want);
    const end = start + raw.length;
    if (e.method === 0) {
      members.push({ name: e.name, data: raw.subarray(0, cap), truncated: raw.length > cap || end < start + e.compSize });
      total += Math.min(raw.length, cap);
    } else if (e.method === 8) {
      const r = inflateBounded(raw, 'raw', cap, limits.maxRatio, sizeKnown && end === start + e.compSize);
      if (r.bomb) {
        events.push({ kind: 'decompression-bomb', member: e.name, note: `ratio above ${limits.maxRatio}:1` });
        continue;
      }
      if (r.error && r.data.length === 0) {
        events.push({ kind: 'corrupt', member: e.name, note: r.error });
        continue;
      }
      members.push({ name: e.name, data: r.data, truncated: r.truncated });
      total += r.data.length;
    } else events.push({ kind: 'unsupported', member: e.name, note: `compression method ${e.method}` });
  }
  if (wanted.length > limits.maxMembers) events.push({ kind: 'truncated', note: `only ${limits.maxMembers} of ${wanted.length} members read` });
  if (xlsx) return { container: 'xlsx', members: xlsxToTsv(members), events };
  return { container: 'zip', members, events };
}

export function extractTar(b: Uint8Array, limits: Limits): Member[] {
  const members: Member[] = [];
  let p = 0;
  while (p + 512 <= b.length && members.length < limits.maxMembers) {
    const h = b.subarray(p, p + 512);
    if (h[0] === 0) break;
    const field = (o: number, n: number) => {
      const s = h.subarray(o, o + n);
      const z = s.indexOf(0);
      return s.subarray(0, z < 0 ? n : z);
    };
    const name = decodeName(field(0, 100), false);
    const prefix = decodeName(field(345, 155), false);
    const size = parseInt(new TextDecoder().decode(field(124, 12)).trim() || '0', 8) || 0;
    const type = String.fromCharCode(h[156] ?? 48);
    const dataStart = p + 512;
    if ((type === '0' || type === '\0') && !SKIP_MEMBER.test(name)) {
      const data = b.subarray(dataStart, Math.min(b.length, dataStart + size, dataStart + limits.memberBytes));
      members.push({ name: prefix ? `${prefix}/${name}` : name, data, truncated: data.length < size });
    }
    p = dataStart + Math.ceil(size / 512) * 512;
  }
  return members;
}

const XML_ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export const xmlUnescape = (s: string): string =>
  s.replace(XML_ENTITY, (_m, dec: string | undefined, hex: string | undefined, name: string | undefined) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : NAMED[name!]!,
  );

function colIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/** xlsx: resolve shared strings and turn each sheet into tab-separated rows. */
function xlsxToTsv(members: Member[]): Member[] {
  const dec = new TextDecoder('utf-8');
  const ss = members.find((m) => m.name === 'xl/sharedStrings.xml');
  const strings: string[] = [];
  if (ss) {
    const xml = dec.decode(ss.data);
    for (const si of xml.matchAll(/<si>([\s\S]*?)<\/si>/g)) {
      let s = '';
      for (const t of si[1]!.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)) s += t[1];
      strings.push(xmlUnescape(s));
    }
  }
  const out: Member[] = [];
  for (const m of members) {
    if (m === ss) continue;
    const xml = dec.decode(m.data);
    const lines: string[] = [];
    for (const row of xml.matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)) {
      const cells: string[] = [];
      for (const c of row[1]!.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const attrs = c[1]!;
        const ref = /\br="([A-Z]+)\d+"/.exec(attrs)?.[1];
        const type = /\bt="(\w+)"/.exec(attrs)?.[1];
        const inner = c[2] ?? '';
        let v = '';
        if (type === 's') v = strings[Number(/<v>([^<]*)<\/v>/.exec(inner)?.[1] ?? -1)] ?? '';
        else if (type === 'inlineStr') v = xmlUnescape([...inner.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join(''));
        else v = xmlUnescape(/<v>([^<]*)<\/v>/.exec(inner)?.[1] ?? '');
        const idx = ref ? colIndex(ref) : cells.length;
        while (cells.length < idx) cells.push('');
        cells[idx] = v.replace(/[\t\r\n]+/g, ' ');
      }
      lines.push(cells.join('\t'));
    }
    out.push({ name: m.name.replace(/\.xml$/, '.tsv'), data: new TextEncoder().encode(lines.join('\n')), truncated: m.truncated });
  }
  return out;
}
