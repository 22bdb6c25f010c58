/**
 * The one path from raw bytes to the store, shared by `db import`, `db update` and re-normalisation:
 * recognise the format by content, parse, store the raw record with its rows, and count per feed.
 */
import type { Format } from '../feeds/registry.js';
import { FORMAT_BY_ID, recogniseFormat } from '../feeds/registry.js';
import * as distroInfo from '../feeds/distro-info/parse.js';
import * as phpReleases from '../feeds/php-releases/parse.js';
import { compareDotted } from '../feeds/common/util.js';
import type { FeedWriter } from '../store/ports.js';
import type { ParseContext, Rejection } from '../types.js';
import type { ExpandProblem, InputFile } from './archive.js';

export interface FeedSummary {
  name: string;
  files: number;
  unchanged: number;
  records: number;
  rejected: number;
}

export interface IngestSummary {
  feeds: FeedSummary[];
  /** First rejected records, with feed and reason. */
  rejected: (Rejection & { feed: string })[];
  rejectedTotal: number;
  /** Files no parser recognised, each with why. */
  unrecognised: ExpandProblem[];
  /** Licence and documentation files passed over. */
  skipped: ExpandProblem[];
  /** Archive problems (truncated, too large). */
  problems: ExpandProblem[];
  files: number;
}

export function emptySummary(): IngestSummary {
  return { feeds: [], rejected: [], rejectedTotal: 0, unrecognised: [], skipped: [], problems: [], files: 0 };
}

const DOC_FILE = /(^|\/)(LICEN[CS]E|COPYING|copyright|README(\.\w+)?|SOURCES\.tsv|NOTICE|CHANGELOG(\.\w+)?)$|_schema\.json$|\.schema\.json$/i;

/** A stable key for the raw record: the same upstream record imported from another root replaces itself. */
export function rawKey(format: Format, rel: string, text: string): string {
  const parts = rel.replace(/!\//g, '/').split('/').filter(Boolean);
  const base = parts[parts.length - 1] ?? rel;
  switch (format.id) {
    case 'kev-json':
      return 'known_exploited_vulnerabilities.json';
    case 'php-releases-json':
      return PHP_RELEASES_KEY;
    case 'php-version-audit-json':
      return 'rules-v1.json';
    case 'nginx-security-advisories-xml':
      return 'security_advisories.xml';
    case 'debian-dsa-list':
      return /^\[[^\]]+\] DLA-/m.test(text.slice(0, 300)) ? 'DLA/list' : /^\[[^\]]+\] DTSA-/m.test(text.slice(0, 300)) ? 'DTSA/list' : 'DSA/list';
    case 'distro-info-csv':
      return text.includes('eol-server') ? 'ubuntu.csv' : 'debian.csv';
    case 'debian-cpe-list':
      return 'CPE/list';
    case 'debian-cpe-aliases':
      return 'CPE/aliases';
    case 'endoflife-md':
      return `products/${base}`;
    case 'friendsofphp-yaml':
      return parts.slice(-3).join('/');
    case 'osv-json':
    case 'httpd-cve-json':
    case 'cve-json-5':
    case 'redhat-csaf-vex':
      return parts.length >= 2 && !/^(json|cve|advisories)$/.test(parts[parts.length - 2]!) ? parts.slice(-2).join('/') : base;
    default:
      return base;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Deeper than any real feed (they nest < 20 levels); deep enough input overflows the stack of a reader. */
export const MAX_JSON_DEPTH = 512;

/**
 * Does JSON-looking text nest deeper than `limit` arrays/objects? One pass over the text, skipping string
 * literals; answered before any parser (or JSON.stringify of what it returns) recurses into it.
 */
export function jsonTooDeep(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

/** How much of a large file is decoded to recognise its format first. */
const HEAD_BYTES = 8 * 1024 * 1024;

const looksLikeJson = (text: string) => /^\s*[[{]/.test(text.slice(0, 64));
const TOO_DEEP = `JSON nested deeper than ${MAX_JSON_DEPTH} levels (no feed nests like this; a hostile or broken file)`;

export function contextFrom(files: readonly InputFile[], base: Map<string, string>): ParseContext {
  const m = new Map(base);
  for (const f of files) {
    const text = utf8.decode(f.bytes.subarray(0, 200));
    if (distroInfo.recognise(text) && !text.includes('eol-server')) for (const [k, v] of distroInfo.codenames(utf8.decode(f.bytes))) m.set(k, v);
  }
  return { debianCodenames: m };
}

/** Debian codenames already in the DB (from an earlier distro-info import). */
export function codenamesFromStore(store: FeedWriter): Map<string, string> {
  return store.debianCodenames();
}

export function ingest(
  store: FeedWriter,
  files: readonly InputFile[],
  ctx: ParseContext,
  opts: { fetchedAt: string; summary?: IngestSummary; expectFormat?: string; onFile?: (i: number, n: number, rel: string) => void },
): IngestSummary {
  const s = opts.summary ?? emptySummary();
  const byFeed = new Map(s.feeds.map((f) => [f.name, f]));
  const feedOf = (name: string) => {
    let f = byFeed.get(name);
    if (!f) {
      f = { name, files: 0, unchanged: 0, records: 0, rejected: 0 };
      byFeed.set(name, f);
      s.feeds.push(f);
    }
    return f;
  };
  // distro-info first, so the Debian lists find codenames imported in the same run.
  const ordered = mergePhpReleases(store, [...files]).sort((a, b) => Number(isDistroInfo(b)) - Number(isDistroInfo(a)));
  // One transaction for the whole run (each record is a savepoint inside it): the build copy is written once.
  store.batch(() => ingestFiles(store, ordered, ctx, opts, s, feedOf));
  return s;
}

function ingestFiles(
  store: FeedWriter,
  ordered: readonly InputFile[],
  ctx: ParseContext,
  opts: { fetchedAt: string; expectFormat?: string; onFile?: (i: number, n: number, rel: string) => void },
  s: IngestSummary,
  feedOf: (name: string) => FeedSummary,
): void {
  for (const [i, file] of ordered.entries()) {
    opts.onFile?.(i, ordered.length, file.rel);
    s.files++;
    if (DOC_FILE.test(file.rel)) {
      s.skipped.push({ file: file.rel, reason: 'licence or documentation file' });
      continue;
    }
    if (file.bytes.subarray(0, 4096).includes(0)) {
      s.unrecognised.push({ file: file.rel, reason: 'binary file that is not a gzip, bzip2, tar or zip archive' });
      continue;
    }
    // A large file is decoded whole only when its head is a known format (junk is never held twice).
    if (file.bytes.length > HEAD_BYTES && !opts.expectFormat) {
      const head = utf8.decode(file.bytes.subarray(0, HEAD_BYTES));
      if (!recogniseFormat(head)) {
        s.unrecognised.push({ file: file.rel, reason: `no feed format recognised in its first ${HEAD_BYTES >> 20} MiB (a file of ${Math.round(file.bytes.length / 1048576)} MiB)` });
        continue;
      }
    }
    const text = utf8.decode(file.bytes);
    if (looksLikeJson(text) && jsonTooDeep(text)) {
      s.unrecognised.push({ file: file.rel, reason: TOO_DEEP });
      continue;
    }
    const format = opts.expectFormat ? FORMAT_BY_ID.get(opts.expectFormat) : recogniseFormat(text);
    if (!format) {
      s.unrecognised.push({ file: file.rel, reason: whyUnrecognised(text) });
      continue;
    }
    let parsed: ReturnType<Format['parse']>;
    let r: ReturnType<FeedWriter['putRaw']>;
    const key = rawKey(format, file.rel, text);
    try {
      parsed = format.parse({ key: file.rel, source: file.source, bytes: file.bytes }, text, ctx);
      r = store.putRaw({ feed: parsed.feed, format: format.id, key, source: file.source, fetchedAt: opts.fetchedAt, bytes: file.bytes, out: parsed.out });
    } catch (err) {
      // Handled: hostile input that exhausts the stack or the string limit (nesting, size) is this file's
      // problem, named; the import goes on with the other files. Anything else is a bug and goes up.
      if (!(err instanceof RangeError)) throw err;
      s.unrecognised.push({ file: file.rel, reason: `the ${format.id} reader cannot read this file (${err.message}); a hostile or broken file` });
      continue;
    }
    const { feed, out } = parsed;
    const fs = feedOf(feed);
    fs.files++;
    if (r.status === 'unchanged') fs.unchanged++;
    fs.records += r.records;
    fs.rejected += r.rejected;
    s.rejectedTotal += r.rejected;
    for (const rej of out.rejected) if (s.rejected.length < 200) s.rejected.push({ ...rej, feed, ref: rej.ref === file.rel ? rej.ref : `${file.rel}: ${rej.ref}` });
  }
}

export const PHP_RELEASES_KEY = 'php-releases.json';

/**
 * php.net's ChangeLog lists come one file per major version, but one CVE can be fixed on several majors
 * (CVE-2012-1823: 5.3.12, 5.4.2 and, as CVE-2024-4577's root, 8.1.29). They are merged with what is stored
 * into one raw record so each CVE's ranges cover every line.
 */
function mergePhpReleases(store: FeedWriter, files: InputFile[]): InputFile[] {
  const php: InputFile[] = [];
  const rest: InputFile[] = [];
  for (const f of files) (phpReleases.recognise(utf8.decode(f.bytes.subarray(0, 400))) ? php : rest).push(f);
  if (!php.length) return files;
  const merged: Record<string, unknown> = {};
  const prev = store.rawBody('php-releases-json', PHP_RELEASES_KEY);
  if (prev) Object.assign(merged, JSON.parse(utf8.decode(prev)) as Record<string, unknown>);
  const sources: string[] = [];
  for (const f of php) {
    let obj: unknown;
    if (jsonTooDeep(utf8.decode(f.bytes))) {
      rest.push(f); // goes through alone and is refused as too deep
      continue;
    }
    try {
      obj = JSON.parse(utf8.decode(f.bytes));
    } catch (err) {
      void err; // handled: the file goes through alone and is rejected with the parser's reason
      rest.push(f);
      continue;
    }
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) Object.assign(merged, obj);
    sources.push(f.source);
  }
  if (sources.length) {
    const keys = Object.keys(merged).sort((a, b) => -compareDotted(a, b));
    const sorted = Object.fromEntries(keys.map((k) => [k, merged[k]]));
    rest.push({ rel: PHP_RELEASES_KEY, source: sources.join(' + '), bytes: new TextEncoder().encode(JSON.stringify(sorted, null, 1)) });
  }
  return rest;
}

function isDistroInfo(f: InputFile): boolean {
  return distroInfo.recognise(utf8.decode(f.bytes.subarray(0, 100)));
}

function whyUnrecognised(text: string): string {
  const t = text.trimStart();
  if (!t) return 'empty file';
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      JSON.parse(t);
      return 'JSON, but not a format of any known feed (KEV, OSV, NVD, CVE 5, httpd, php, endoflife API, CSAF, Debian tracker)';
    } catch (err) {
      return `looks like JSON but does not parse (${(err as Error).message}), and no feed format was recognised`;
    }
  }
  if (t.startsWith('<')) return 'XML, but neither nginx security_advisories.xml nor a MyJVN answer';
  return 'not a format of any known feed (recognised by content: JSON, XML, YAML, CSV, Markdown front matter, DSA/DLA list text)';
}

const BATCH_BYTES = 32 * 1024 * 1024;

/**
 * A sink for `expand`: files are ingested in batches as archives are read, so a large archive is never held
 * decompressed in memory at once. php.net's per-major CVE lists are held back and go in together (`finish`).
 */
export function batchingSink(store: FeedWriter, ctx: ParseContext, opts: { fetchedAt: string; summary: IngestSummary; batch?: number }) {
  const batch: InputFile[] = [];
  const php: InputFile[] = [];
  let c = ctx;
  let bytes = 0;
  const flush = () => {
    bytes = 0;
    if (batch.length) ingest(store, batch.splice(0), c, { fetchedAt: opts.fetchedAt, summary: opts.summary });
  };
  return {
    push(f: InputFile) {
      const head = utf8.decode(f.bytes.subarray(0, 400));
      if (phpReleases.recognise(head)) {
        php.push(f);
        return;
      }
      if (distroInfo.recognise(head)) c = contextFrom([f], c.debianCodenames);
      batch.push(f);
      bytes += f.bytes.length;
      // by count, and by size: a batch of large members is ingested before more are inflated
      if (batch.length >= (opts.batch ?? 500) || bytes >= BATCH_BYTES) flush();
    },
    finish() {
      flush();
      if (php.length) ingest(store, php.splice(0), c, { fetchedAt: opts.fetchedAt, summary: opts.summary });
    },
  };
}

/** Re-parse every stored raw record with the current parsers (after a parser fix), no download. */
export function renormalise(store: FeedWriter, ctx: ParseContext, fetchedAtNow: string): IngestSummary {
  const s = emptySummary();
  void fetchedAtNow;
  const raws = [...store.rawRecords()];
  for (const r of raws) {
    const format = FORMAT_BY_ID.get(r.format);
    if (!format) {
      s.unrecognised.push({ file: r.key, reason: `stored with format ${r.format}, which this mamori no longer knows` });
      continue;
    }
    const text = utf8.decode(r.bytes);
    const { feed, out } = format.parse({ key: r.key, source: r.source, bytes: r.bytes }, text, ctx);
    const res = store.putRaw({ feed, format: r.format, key: r.key, source: r.source, fetchedAt: r.fetchedAt, bytes: r.bytes, out, force: true });
    s.files++;
    let f = s.feeds.find((x) => x.name === feed);
    if (!f) s.feeds.push((f = { name: feed, files: 0, unchanged: 0, records: 0, rejected: 0 }));
    f.files++;
    f.records += res.records;
    f.rejected += res.rejected;
    s.rejectedTotal += res.rejected;
  }
  return s;
}
