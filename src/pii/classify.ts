/**
 * classifyBuffer: one file or HTTP body → a FileVerdict. Pipeline (check catalog, PII content classifier):
 * containers (bounded) → binary sniffing → decode (encoding per file) → NFKC → structure (CSV/TSV/SQL/xlsx)
 * and free-text detectors → validators and allowlists → per-file score from distinct values, records and
 * co-occurrence. Pure computation on the bytes given; no I/O.
 */
import { fileKind, type FileKind } from '../core/filetypes.js';
import { Collector, MASKERS } from './collector.js';
import { extractTar, extractZip, inflateBounded, isGzip, isTar, isZip, defaultLimits, type ContainerEvent, type Member, type ZipSource } from './containers.js';
import { CHUNK_BYTES, decodeChunks, decodeText, type TextEncodingName } from './decode.js';
import { addBirth, addCardCandidate, addEmail, addMyNumberCandidate, addName, addPostal, findEmails, phoneFromRaw, scanFreeText, type TextContext } from './detect.js';
import { sensitiveFromContent, sensitiveFromName } from './sensitive.js';
import { columnKind, detectDelimiter, inferColumns, parseDelimited, parseSqlRows, PII_TABLE, type ColumnSpec } from './structure.js';
import { DEFAULT_MAX_FILE_BYTES, PII_KINDS, type ClassifyOptions, type FileVerdict, type PiiKind, type SensitiveKind } from './types.js';
import { maskText } from './mask.js';

const MAX_ROWS = 200_000;

// ---------------------------------------------------------------- binary sniffing

/** Media, executables, archives the classifier does not open, databases (src/core/filetypes.ts). */
const SNIFF_KINDS: ReadonlySet<FileKind> = new Set(['png', 'jpeg', 'gif', 'pdf', 'riff', 'ico', 'woff', 'woff2', 'elf', '7z', 'rar', 'bzip2', 'xz', 'sqlite', 'ole', 'mp4', 'lzh']);

export const sniffMagic = (b: Uint8Array): string | undefined => fileKind(b, SNIFF_KINDS);

/** NUL bytes in the first 8 KiB (UTF-16 with a BOM excepted) mark a binary file, as ripgrep and git do. */
export function looksBinary(b: Uint8Array): boolean {
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) return false;
  const head = b.subarray(0, 8192);
  return head.indexOf(0) >= 0;
}

/** Printable runs of a binary (SQLite pages, legacy .xls string tables): UTF-16LE and 8-bit text, one per line. */
function binaryStrings(b: Uint8Array, cap: number): string {
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

// ---------------------------------------------------------------- structured pass

interface Structured {
  records: number;
  columns: Set<PiiKind>;
  tables: string[];
  piiTable: boolean;
  /** CREATE TABLE without rows: a schema. */
  schemaOnly: boolean;
  format?: 'csv' | 'tsv' | 'sql' | 'xlsx';
  headerHits: string[];
}

function resolveSpecs(names: string[] | undefined): (ColumnSpec | undefined)[] | undefined {
  if (!names) return undefined;
  const specs = names.map((n) => columnKind(n));
  if (!specs.some((s) => s)) return undefined;
  // a generic `name` column counts only beside person cues (kana, e-mail, birth date, phone parts…)
  const cue = specs.some((s) => s && !s.weak && s.kind !== 'address' && s.kind !== 'postal-code' && s.kind !== 'pref' && s.kind !== 'zip-head' && s.kind !== 'zip-tail');
  return specs.map((s) => (s?.weak && !cue ? undefined : s));
}

/** Add one row's typed cells; returns the number of kinds it held. */
function addRow(c: Collector, specs: readonly (ColumnSpec | undefined)[], cells: readonly string[]): number {
  const kinds = new Set<PiiKind>();
  const masked: string[] = [];
  let tel = '';
  let zipHead = '';
  let zipTail = '';
  let addrKey = '';
  let addrDisplay = '';
  let name = '';
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    if (!spec) continue;
    const v = (cells[i] ?? '').trim();
    if (!v) continue;
    switch (spec.kind) {
      case 'name':
      case 'kana':
        if (/^[\d\s.,:/-]+$/.test(v) || v.length > 40 || v.includes('@')) break;
        if (spec.kind === 'name' && !name) name = v;
        else if (spec.kind === 'name') name += ` ${v}`;
        else if (!name) {
          const before = c.count('name');
          addName(c, v, false);
          if (c.count('name') > before) kinds.add('name');
        }
        break;
      case 'email': {
        findEmails(v, 0, v.length, (h) => {
          const before = c.count('email');
          addEmail(c, h.email, h.local, h.domain, false, false);
          if (c.count('email') > before || c.has('email', h.email.toLowerCase())) {
            kinds.add('email');
            if (masked.length < 3) masked.push(MASKERS.email(h.email));
          }
        });
        break;
      }
      case 'phone': {
        const p = phoneFromRaw(v);
        if (!p) break;
        if (p.dummy) c.addDummy('phone');
        else {
          c.add('phone', p.digits, v);
          kinds.add('phone');
          if (masked.length < 3) masked.push(MASKERS.phone(v));
        }
        break;
      }
      case 'tel-part':
        if (/^\d{1,5}$/.test(v) && tel.length < 11) tel += (tel ? '-' : '') + v;
        break;
      case 'postal-code': {
        const d = v.replace(/\D/g, '');
        if (d.length === 7) {
          addPostal(c, d, false);
          if (c.has('postal-code', d)) kinds.add('postal-code');
        }
        break;
      }
      case 'zip-head':
        zipHead = v.replace(/\D/g, '');
        break;
      case 'zip-tail':
        zipTail = v.replace(/\D/g, '');
        break;
      case 'pref':
        addrKey = `${v}|${addrKey}`;
        break;
      case 'address':
        if (/^\d{1,2}$/.test(v) && !addrDisplay) break;
        addrKey += `|${v}`;
        addrDisplay += v;
        break;
      case 'birth-date':
        if (addBirth(c, v)) kinds.add('birth-date');
        break;
      case 'card': {
        const d = v.replace(/\D/g, '');
        const before = c.count('card');
        addCardCandidate(c, v, d, '', true);
        if (c.count('card') > before) kinds.add('card');
        break;
      }
      case 'my-number': {
        const before = c.count('my-number');
        addMyNumberCandidate(c, v);
        if (c.count('my-number') > before) kinds.add('my-number');
        break;
      }
    }
  }
  if (name) {
    const before = c.count('name');
    addName(c, name, false);
    if (c.count('name') > before || c.has('name', name.replace(/[ \u3000]+/g, ' '))) {
      kinds.add('name');
      masked.unshift(MASKERS.name(name));
    }
  }
  if (tel) {
    const p = phoneFromRaw(tel);
    if (p && !p.dummy) {
      c.add('phone', p.digits, tel);
      kinds.add('phone');
      if (masked.length < 3) masked.push(MASKERS.phone(tel));
    } else if (p) c.addDummy('phone');
  }
  if (zipHead.length === 3 && zipTail.length === 4) {
    addPostal(c, zipHead + zipTail, false);
    if (c.has('postal-code', zipHead + zipTail)) kinds.add('postal-code');
  }
  if (addrDisplay) {
    c.add('address', addrKey, addrDisplay);
    kinds.add('address');
  }
  if (kinds.size >= 2 && c.recordSamples.length < 2 && masked.length >= 2) {
    const s = masked.slice(0, 3).join(' ');
    if (!c.recordSamples.includes(s)) c.recordSamples.push(s);
  }
  return kinds.size;
}

/** A cell holding its own label: `氏名:佐藤健一`, `電話：090-…`. */
const LABEL_VALUE = /^\s*[^:：\s]{1,20}\s*[:：]\s*\S/;
const labelOf = (cell: string): string => (LABEL_VALUE.test(cell) ? cell.slice(0, cell.search(/[:：]/)) : cell).trim();
/** The cells without the labels the first row gave their columns (a cell without its label is kept whole). */
const unlabel = (cells: readonly string[], labels: readonly string[]): string[] =>
  cells.map((cell, i) => {
    const label = labels[i];
    const v = cell.trim();
    return label && v.startsWith(label) && /^\s*[:：]/.test(v.slice(label.length)) ? v.slice(label.length).replace(/^\s*[:：]\s*/, '') : cell;
  });

function structuredPass(text: string, name: string, c: Collector, hint: 'csv' | 'tsv' | 'sql' | undefined): Structured {
  const st: Structured = { records: 0, columns: new Set(), tables: [], piiTable: false, schemaOnly: false, headerHits: [] };
  const lower = name.toLowerCase();
  const isSql = hint === 'sql' || (hint === undefined && /\b(?:INSERT\s+INTO|CREATE\s+TABLE|COPY\s+\S+\s*\([^)]*\)\s+FROM\s+stdin)/i.test(text.slice(0, 1 << 20)) && !/\.(?:html?|js|css|md)$/.test(lower));
  if (isSql) {
    st.format = 'sql';
    const specCache = new Map<string, (ColumnSpec | undefined)[] | undefined>();
    const inferred = new Map<string, string[][]>();
    const tables = parseSqlRows(text, MAX_ROWS, (table, columns, values) => {
      const key = `${table}\u0000${columns?.join(',') ?? ''}`;
      let specs = specCache.get(key);
      if (!specCache.has(key)) {
        specs = resolveSpecs(columns);
        specCache.set(key, specs);
        if (specs) columns!.forEach((col, i) => specs![i] && st.headerHits.length < 12 && st.headerHits.push(maskText(col)));
      }
      if (!specs) {
        // no usable column names: infer from the first rows of the table
        const buf = inferred.get(table) ?? [];
        if (buf.length < 30) {
          buf.push(values);
          inferred.set(table, buf);
          if (buf.length === 30 || buf.length === 1) specCache.delete(key);
          if (buf.length === 30) {
            const spec = inferColumns(buf);
            if (spec.some((s) => s)) {
              specCache.set(key, spec);
              for (const row of buf) if (addRow(c, spec, row) > 0) st.records++;
            }
          }
        }
        return;
      }
      for (const s of specs) if (s) st.columns.add(s.kind === 'kana' ? 'name' : s.kind === 'zip-head' || s.kind === 'zip-tail' ? 'postal-code' : s.kind === 'tel-part' ? 'phone' : s.kind === 'pref' ? 'address' : s.kind);
      if (addRow(c, specs, values) > 0) st.records++;
    });
    // tables with fewer than 30 rows and no column names
    for (const [, buf] of inferred) {
      if (buf.length >= 30) continue;
      const spec = inferColumns(buf);
      if (spec.some((s) => s)) for (const row of buf) if (addRow(c, spec, row) > 0) st.records++;
    }
    st.tables = tables.map((t) => t.table);
    st.piiTable = tables.some((t) => PII_TABLE.test(t.table));
    st.schemaOnly = tables.length > 0 && tables.every((t) => t.rows === 0);
    return st;
  }
  const delim = hint === 'tsv' ? '\t' : hint === 'csv' ? detectDelimiter(text) ?? ',' : detectDelimiter(text);
  if (!delim) return st;
  st.format = delim === '\t' ? 'tsv' : 'csv';
  let specs: (ColumnSpec | undefined)[] | undefined;
  const pending: string[][] = [];
  let headerSeen = false;
  // Rows of `label:value` cells (`氏名:佐藤健一,電話:090-…`): the labels are the header, every row is data.
  let labels: string[] | undefined;
  parseDelimited(text, delim, MAX_ROWS, (cells, row) => {
    if (row === 0 || (!headerSeen && !specs && row < 5 && pending.length === 0)) {
      const s = resolveSpecs(cells);
      if (s) {
        if (cells.every((h, i) => !s[i] || LABEL_VALUE.test(h))) labels = cells.map(labelOf);
        const chosen = labels ? resolveSpecs(labels) ?? s : s;
        specs = chosen;
        headerSeen = true;
        cells.forEach((h, i) => chosen[i] && st.headerHits.length < 12 && st.headerHits.push(maskText(labelOf(h))));
        if (!labels) return;
      }
    }
    if (specs) {
      if (addRow(c, specs, labels ? unlabel(cells, labels) : cells) > 0) st.records++;
      return;
    }
    pending.push(cells);
    if (pending.length === 40) {
      specs = inferColumns(pending);
      if (!specs.some((s) => s)) specs = [];
      for (const r of pending) if (addRow(c, specs, r) > 0) st.records++;
    }
  });
  if (!specs && pending.length) {
    specs = inferColumns(pending);
    for (const r of pending) if (addRow(c, specs, r) > 0) st.records++;
  }
  for (const s of specs ?? []) if (s) st.columns.add(s.kind === 'kana' ? 'name' : s.kind === 'zip-head' || s.kind === 'zip-tail' ? 'postal-code' : s.kind === 'tel-part' ? 'phone' : s.kind === 'pref' ? 'address' : s.kind);
  return st;
}

/** JSON exports (`"first_name": "…"`, `"billing_phone": "…"`): keys name the value like a CSV header. */
function scanJsonPairs(text: string, c: Collector): void {
  const specs = new Map<string, ColumnSpec | undefined>();
  for (const m of text.matchAll(/"([A-Za-z_][\w-]{1,40}|[^\x00-\x7f"]{1,12})"\s*:\s*"([^"\\]{1,80})"/g)) {
    const key = m[1]!;
    let spec = specs.get(key);
    if (!specs.has(key)) {
      spec = columnKind(key);
      specs.set(key, spec);
    }
    if (!spec || spec.weak) continue;
    if (spec.kind === 'name' || spec.kind === 'kana') addName(c, m[2]!, false);
    else if (spec.kind === 'birth-date') addBirth(c, m[2]!);
  }
}

// ---------------------------------------------------------------- scoring

const CODE_EXT = /\.(?:html?|shtml|xhtml|php\d?|phtml|tpl|inc|js|mjs|css|scss|less|vue|jsx|tsx|ts|twig|erb|jsp|asp|aspx|cgi|pl|py|rb|md|svg)$/i;
const PAGE_EXT = /\.(?:html?|shtml|xhtml|php\d?|phtml|tpl|twig|erb|jsp|aspx?|cgi)$/i;
const STRUCT_EXT = /\.(?:csv|tsv|txt|dat|tab|prn|sql|dump|log|bak|old|orig|xls|xlsx)$|^[^.]*$/i;
/** AUTHORS.txt of jQuery lists hundreds of e-mail addresses: documentation of libraries, not customers. */
const DOC_FILE = /(?:^|\/)(?:(?:authors|contributors|credits|changelog|readme|licen[cs]e|copying|maintainers)(?:\.(?:txt|md|markdown|rst|html?))?|\.mailmap|package\.json|composer\.json|bower\.json|composer\.lock|package-lock\.json)$/i;
const SEED_PATH = /(?:^|\/)install\/sql\/|(?:^|\/)(?:install|setup)\/.*\.sql$|(?:^|\/)(?:sample|samples|example|examples|demo|fixtures?|seeds?|test-?data)\//i;

interface PartVerdict {
  personal: boolean;
  confidence: number;
  records: number;
  kinds: Partial<Record<PiiKind, number>>;
  samples: string[];
  reasons: string[];
  dummy: boolean;
  format?: string;
  schemaOnly: boolean;
}

/** Whether a file's structure (CSV/TSV/SQL) is worth parsing: data-like names, not code or markup. */
function wantsStructure(name: string, hint: string | undefined): boolean {
  const lower = name.toLowerCase();
  return Boolean(hint) || STRUCT_EXT.test(lower.slice(lower.lastIndexOf('/') + 1)) || !CODE_EXT.test(lower);
}

/** `text` is the whole text, or (code and markup) line-aligned chunks for the free-text detectors only. */
function classifyTextPart(name: string, text: string | Iterable<string>, opts: { publicPage: boolean; hint?: 'csv' | 'tsv' | 'sql' }): PartVerdict {
  const lower = name.toLowerCase();
  const isPage = opts.publicPage || PAGE_EXT.test(lower);
  const ctx: TextContext = { publicPage: isPage };
  const reasons: string[] = [];
  const structC = new Collector();
  let st: Structured | undefined;
  if (typeof text === 'string' && wantsStructure(name, opts.hint)) st = structuredPass(text, lower, structC, opts.hint);
  const freeC = new Collector();
  if (typeof text === 'string') {
    scanFreeText(text, freeC, ctx);
    if (wantsStructure(name, opts.hint) && text.includes('":')) scanJsonPairs(text, freeC);
  } else for (const chunk of text) scanFreeText(chunk, freeC, ctx);
  // Merge: a kind the structure typed comes from the structure (no double counting of one address twice).
  const c = structC;
  for (const k of PII_KINDS) {
    if (st?.columns.has(k)) continue;
    const set = freeC.values.get(k);
    if (set) for (const v of set) c.add(k, v, v);
    if (freeC.firstSample.has(k) && (!c.firstSample.has(k) || !st?.columns.has(k))) c.firstSample.set(k, freeC.firstSample.get(k)!);
  }
  for (const [k, n] of freeC.dummy) for (let i = 0; i < n; i++) c.addDummy(k);
  for (const [k, n] of freeC.business) for (let i = 0; i < n; i++) c.addBusiness(k);

  const n = (k: PiiKind) => c.count(k);
  const kinds = c.kinds();
  const kindCount = Object.keys(kinds).length;
  const contacts = n('phone') + n('email') + n('address') + n('postal-code');
  const strong = n('card') + n('my-number');
  const seed = SEED_PATH.test(lower);
  let personal = false;
  let confidence = 0;
  let records = 0;
  const structuredRecords = st?.records ?? 0;

  if (st?.format) reasons.push(`format ${st.format}`);
  if (st?.headerHits.length) reasons.push(`personal-data columns: ${st.headerHits.slice(0, 8).join(', ')}`);
  if (st?.piiTable) reasons.push(`customer tables: ${st.tables.filter((t) => PII_TABLE.test(t)).slice(0, 5).join(', ')}`);
  if (st?.schemaOnly) reasons.push('schema only (CREATE TABLE without rows)');

  const personCue = n('name') > 0 || n('birth-date') > 0 || n('email') > 0;
  if (strong > 0) {
    personal = true;
    confidence = 90;
    records = Math.max(structuredRecords, n('card'), n('my-number'), n('name'));
    if (n('card')) reasons.push('payment card numbers (issuer prefix, Luhn, context)');
    if (n('my-number')) reasons.push('My Number (check digit and keyword)');
  } else if (structuredRecords > 0 && personCue && kindCount >= 2) {
    personal = true;
    records = structuredRecords;
    confidence = Math.min(98, 55 + 8 * kindCount + (st?.piiTable ? 10 : 0) + (records >= 10 ? 5 : 0));
    reasons.push(`${records} records with ${kindCount} kinds of personal data`);
  } else if (structuredRecords >= 5 && n('email') >= 5) {
    personal = true;
    records = structuredRecords;
    confidence = 65;
    reasons.push('list of e-mail addresses');
  } else if (structuredRecords > 0 && !personCue && contacts > 0) {
    confidence = 25;
    reasons.push('contact list without person names (business or store list)');
  } else {
    // free text: pages, logs, mail-form data files
    const people = Math.max(n('name'), n('email'), n('phone'));
    records = people;
    const named = n('name') > 0 && contacts > 0;
    // Pages and code (scripts, styles, docs) name their authors and the business: a higher bar.
    if (isPage || CODE_EXT.test(lower)) {
      if ((named && n('name') >= 2) || n('email') >= 10 || n('phone') >= 10 || (n('name') >= 1 && contacts >= 3)) {
        personal = true;
        confidence = Math.min(85, 50 + 5 * kindCount + Math.min(20, people));
      }
    } else if (named || n('email') >= 3 || n('phone') >= 3 || n('email') + n('phone') >= 4 || (n('birth-date') > 0 && contacts > 0)) {
      personal = true;
      confidence = Math.min(90, 45 + 6 * kindCount + Math.min(25, people * 2));
    }
    if (n('email') > 20) reasons.push(`${n('email')} distinct e-mail addresses (a list)`);
  }
  if (!personal && kindCount) confidence = Math.max(confidence, Math.min(40, 10 * kindCount));
  const dummyHits = c.totalDummy();
  const realHits = Object.values(kinds).reduce((a, b) => a + (b ?? 0), 0);
  let dummy = false;
  if (dummyHits > 0 && (realHits === 0 || (!personal && dummyHits >= realHits))) {
    dummy = true;
    reasons.push(`sample or dummy data only (${dummyHits} placeholder values)`);
  }
  if (c.totalBusiness() > 0) reasons.push(`business contact details on a public page (${c.totalBusiness()}) not counted`);
  if (seed && personal && strong === 0) {
    personal = false;
    confidence = Math.min(confidence, 30);
    reasons.push('install seed or sample data path');
  }
  if (st?.schemaOnly && structuredRecords === 0 && strong === 0) personal = false;
  if (DOC_FILE.test(lower) && personal && strong === 0) {
    personal = false;
    confidence = Math.min(confidence, 30);
    reasons.push('project documentation or package manifest (authors, contributors)');
  }
  const samples = [...c.recordSamples];
  for (const k of ['name', 'phone', 'email', 'postal-code', 'address', 'card', 'my-number', 'birth-date'] as const) {
    if (samples.length >= 3) break;
    const s = c.firstSample.get(k);
    if (s && n(k) > 0 && !samples.some((x) => x.includes(s))) samples.push(s);
  }
  return { personal, confidence, records: personal ? records : structuredRecords, kinds, samples: samples.slice(0, 3), reasons, dummy, ...(st?.format ? { format: st.format } : {}), schemaOnly: st?.schemaOnly ?? false };
}

// ---------------------------------------------------------------- entry point

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
