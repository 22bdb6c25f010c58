/**
 * classifyBuffer: one file or HTTP body → a FileVerdict. Pipeline (check catalog, PII content classifier):
 * containers (bounded) → binary sniffing → decode (encoding per file) → NFKC → structure (CSV/TSV/SQL/xlsx)
 * and free-text detectors → validators and allowlists → per-file score from distinct values, records and
 * co-occurrence. Pure computation on the bytes given; no I/O. The parts: ./binary.ts (sniffing), ./tabular.ts
 * (the structured pass), ./text-part.ts (one text part to a verdict); this file runs them over containers.
 */
import { extractTar, extractZip, inflateBounded, isGzip, isTar, isZip, defaultLimits, type ContainerEvent, type Member, type ZipSource } from './containers.js';
import { CHUNK_BYTES, decodeChunks, decodeText, type TextEncodingName } from './decode.js';
import { sensitiveFromContent, sensitiveFromName } from './sensitive.js';
import { DEFAULT_MAX_FILE_BYTES, type ClassifyOptions, type FileVerdict, type PiiKind, type SensitiveKind } from './types.js';
import { maskText } from './mask.js';
import { binaryStrings, looksBinary, sniffMagic } from './binary.js';
import { type PartVerdict, classifyTextPart, wantsStructure } from './text-part.js';

export { looksBinary, sniffMagic } from './binary.js';

export interface Classified extends FileVerdict {
  /** Container problems (bomb, encrypted member…) for the caller's gaps. */
  events?: ContainerEvent[];
}

function emptyVerdict(path: string, bytes: number): Classified {
  return { path, bytes, personal: false, kinds: {}, records: 0, confidence: 0, samples: [], reasons: [] };
}

function hintFor(name: string): 'csv' | 'tsv' | 'sql' | undefined {
  const n = name.toLowerCase().replace(/\.(?:gz|bak|old|orig)$/, '');
  if (/\.csv$/.test(n)) return 'csv';
  if (/\.(?:tsv|tab)$/.test(n) || /^xl\/worksheets\//.test(n)) return 'tsv';
  if (/\.(?:sql|dump|pgdump|mysql)$/.test(n)) return 'sql';
  return undefined;
}

/**
 * Decode and classify; `sensitive` is what the first 64 Ki characters say of the file (sensitiveFromContent),
 * judged as soon as they are decoded so no chunk is kept alive for it (a string that outlives its chunk is
 * promoted by V8's scavenger, and the page faults of that cost more than the scanning).
 */
function classifyDecoded(
  name: string,
  bytes: Uint8Array,
  truncated: boolean,
  publicPage: boolean,
  byName: SensitiveKind | undefined,
): { part: PartVerdict; encoding: TextEncodingName; invalid: number; sensitive: SensitiveKind | undefined } {
  const hint = hintFor(name);
  if (bytes.length <= CHUNK_BYTES || wantsStructure(name, hint)) {
    const d = decodeText(bytes, truncated);
    return { part: classifyTextPart(name, d.text, { publicPage, hint }), encoding: d.encoding, invalid: d.invalid, sensitive: sensitiveFromContent(name, d.text, byName) };
  }
  // Code and markup: decode and scan chunk by chunk (bounded string sizes, no structure to parse).
  let encoding: TextEncodingName = 'ascii';
  let invalid = 0;
  let first = true;
  let sensitive: SensitiveKind | undefined;
  const chunks = function* () {
    for (const d of decodeChunks(bytes, truncated)) {
      encoding = d.encoding;
      invalid += d.invalid;
      if (first) sensitive = sensitiveFromContent(name, d.text, byName);
      first = false;
      yield d.text;
    }
  };
  const part = classifyTextPart(name, chunks(), { publicPage, hint });
  return { part, encoding, invalid, sensitive };
}

/**
 * Synchronous core of classifyBuffer (the worker threads call it directly). What it says of the file leaves
 * masked (maskText): reasons (column names, table and member names), notes and container events; `path` is
 * the name the caller gave, for the caller to map back (and mask where it shows it).
 */
export function classifySync(name: string, data: Uint8Array, opts: ClassifyOptions & { zipSource?: ZipSource } = {}, depth = 0): Classified {
  const v = classifyUnmasked(name, data, opts, depth);
  if (depth > 0) return v;
  v.reasons = v.reasons.map(maskText);
  if (v.note) v.note = maskText(v.note);
  if (v.events) v.events = v.events.map((e) => ({ ...e, note: maskText(e.note), ...(e.member ? { member: maskText(e.member) } : {}) }));
  return v;
}

function classifyUnmasked(name: string, data: Uint8Array, opts: ClassifyOptions & { zipSource?: ZipSource }, depth: number): Classified {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const total = opts.totalBytes ?? data.length;
  const body = data.length > maxBytes ? data.subarray(0, maxBytes) : data;
  const truncated = body.length < total;
  const v = emptyVerdict(name, total);
  if (truncated) v.truncated = true;
  // URLs (site scan bodies): the query and fragment say nothing about the file type.
  const bare = /^[a-z][a-z0-9+.-]*:\/\//i.test(name) ? name.replace(/[?#].*$/, '') : name;
  const byName = sensitiveFromName(bare);
  if (byName) v.sensitive = byName;
  if (body.length === 0) return v;
  const limits = defaultLimits(maxBytes);

  // containers
  let members: Member[] | undefined;
  if (depth < 3 && isGzip(body)) {
    const r = inflateBounded(body, 'gzip', limits.memberBytes, limits.maxRatio, !truncated);
    if (r.bomb) {
      v.skipped = 'decompression-bomb';
      v.note = `gzip output/input ratio above ${limits.maxRatio}:1`;
      v.sensitive ??= 'backup-archive';
      return v;
    }
    if (r.error && r.data.length === 0) {
      v.skipped = 'unreadable';
      v.note = `gzip: ${r.error}`;
      return v;
    }
    const inner = name.replace(/\.t?gz$/i, (m) => (m.toLowerCase() === '.tgz' ? '.tar' : ''));
    if (isTar(r.data)) {
      v.container = 'tar.gz';
      members = extractTar(r.data, limits);
    } else {
      v.container = 'gzip';
      members = [{ name: inner === name ? `${name}#content` : inner, data: r.data, truncated: r.truncated }];
    }
  } else if (depth < 3 && isZip(body)) {
    const x = extractZip(opts.zipSource ?? body, limits, opts.zipSource ? true : !truncated);
    if (opts.zipSource) delete v.truncated;
    v.container = x.container;
    members = x.members;
    if (x.events.length) v.events = x.events;
    if (x.container === 'xlsx') v.sensitive = 'spreadsheet';
    if (x.events.some((e) => e.kind === 'encrypted')) v.reasons.push('password-protected members could not be checked');
    if (x.events.some((e) => e.kind === 'decompression-bomb')) {
      v.reasons.push('decompression bomb member skipped');
      if (!members.length) v.skipped = 'decompression-bomb';
    }
  } else if (depth < 3 && isTar(body)) {
    v.container = 'tar';
    members = extractTar(body, limits);
  }
  if (members) {
    v.sensitive ??= v.container === 'xlsx' ? 'spreadsheet' : 'backup-archive';
    mergeMembers(v, members, opts, depth);
    return v;
  }

  const magic = sniffMagic(body);
  if (magic === 'sqlite' || magic === 'ole') {
    // SQLite pages and legacy .xls string tables: classify their printable strings as free text.
    const text = binaryStrings(body, maxBytes);
    const part = classifyTextPart(`${name}#strings`, text, { publicPage: false });
    applyPart(v, part);
    v.sensitive ??= magic === 'sqlite' ? 'database' : 'spreadsheet';
    v.reasons.push(magic === 'sqlite' ? 'SQLite database (strings checked)' : 'legacy Office file (strings checked)');
    return v;
  }
  if (magic || looksBinary(body)) {
    v.skipped = 'binary';
    v.note = magic ?? 'NUL bytes';
    delete v.truncated;
    if (magic && ['7z', 'rar', 'bzip2', 'xz', 'lzh'].includes(magic)) {
      v.sensitive ??= 'backup-archive';
      v.reasons.push(`${magic} archive: contents not checked`);
    }
    return v;
  }
  const d = classifyDecoded(bare, body, truncated, opts.publicPage ?? false, v.sensitive);
  v.encoding = d.encoding;
  if (d.invalid > 0) v.invalidBytes = d.invalid;
  applyPart(v, d.part);
  const sens = d.sensitive;
  if (sens) v.sensitive = sens;
  else delete v.sensitive;
  if (v.sensitive === 'sql-dump' && d.part.schemaOnly && !v.personal) v.reasons.push('schema without customer rows');
  return v;
}

function applyPart(v: Classified, part: PartVerdict): void {
  v.personal = part.personal;
  v.kinds = part.kinds;
  v.records = part.records;
  v.confidence = part.confidence;
  v.samples = part.samples;
  v.reasons.push(...part.reasons);
  if (part.dummy) v.dummy = true;
}

function mergeMembers(v: Classified, members: Member[], opts: ClassifyOptions, depth: number): void {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  let anyDummy = false;
  let personalMembers = 0;
  for (const m of members) {
    const r = classifySync(m.name, m.data, { maxBytes, totalBytes: m.truncated ? m.data.length + 1 : m.data.length, publicPage: false }, depth + 1);
    if (r.truncated) v.truncated = true;
    if (r.events) (v.events ??= []).push(...r.events.map((e) => ({ ...e, member: `${m.name}${e.member ? `/${e.member}` : ''}` })));
    if (r.skipped === 'decompression-bomb') (v.events ??= []).push({ kind: 'decompression-bomb', member: m.name, note: r.note ?? 'bomb' });
    if (r.invalidBytes) v.invalidBytes = (v.invalidBytes ?? 0) + r.invalidBytes;
    if (r.encoding && (!v.encoding || r.personal)) v.encoding = r.encoding;
    if (r.dummy) anyDummy = true;
    for (const [k, n] of Object.entries(r.kinds) as [PiiKind, number][]) v.kinds[k] = (v.kinds[k] ?? 0) + n;
    if (r.personal) {
      personalMembers++;
      v.personal = true;
      v.records += r.records;
      v.confidence = Math.max(v.confidence, r.confidence);
      for (const s of r.samples) if (v.samples.length < 3) v.samples.push(s);
      if (v.reasons.length < 12) v.reasons.push(`member ${m.name}: ${r.reasons.slice(0, 3).join('; ')}`);
    } else v.confidence = Math.max(v.confidence, Math.min(r.confidence, 40));
  }
  v.reasons.push(`${members.length} member(s) checked${personalMembers ? `, ${personalMembers} with personal data` : ''}`);
  if (anyDummy && !v.personal) v.dummy = true;
}

export async function classifyBuffer(name: string, data: Uint8Array, opts: ClassifyOptions = {}): Promise<FileVerdict> {
  const r = classifySync(name, data, opts);
  delete r.events;
  return r;
}
