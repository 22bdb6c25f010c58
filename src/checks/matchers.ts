/**
 * Content confirmation for exposure probes: a hit needs the file's own content (SQL statements with rows, a
 * CSV header and rows, magic bytes, log lines), never a status code alone. Each matcher returns undefined
 * (not confirmed) or a confidence and facts for the evidence. Pure functions over bytes and text.
 */
import { fileKind, type FileKind } from '../core/filetypes.js';
import type { MatchInput, MatchResult, MatcherName } from './types.js';

const isHtml = (m: MatchInput): boolean => /text\/html|xhtml/i.test(m.contentType) || /^\s*(<!doctype html|<html|<head|<body|<\?xml[^>]*>\s*<html)/i.test(m.text.slice(0, 512));

/** Archives, databases and dumps: the kinds the exposure matchers tell apart (src/core/filetypes.ts). */
const EXPOSURE_KINDS: ReadonlySet<FileKind> = new Set(['zip', 'gzip', '7z', 'rar', 'xz', 'bzip2', 'sqlite', 'ole', 'tar', 'lzh']);

const DS_STORE: ReadonlySet<FileKind> = new Set(['ds-store']);

export const magicKind = (b: Uint8Array): string | undefined => fileKind(b, EXPOSURE_KINDS);

const lines = (t: string): string[] => t.split(/\r?\n/).filter((l) => l.trim() !== '');

function sqlDump(m: MatchInput): MatchResult | undefined {
  if (isHtml(m)) return undefined;
  const t = m.text;
  const ddl = t.match(/(?:^|\n|;)\s*(?:DROP|CREATE|(?:UN)?LOCK)\s+TABLES?\b/gi)?.length ?? 0;
  const inserts = t.match(/(?:^|\n|;)\s*INSERT\s+INTO\b[^;]*?\bVALUES\b/gi) ?? [];
  const copy = t.match(/(?:^|\n)COPY\s+\S+\s*\([^)]*\)\s+FROM\s+stdin;/gi)?.length ?? 0;
  if (ddl === 0 && inserts.length === 0 && copy === 0) return undefined;
  // Rows: tuples after VALUES, counted roughly ("),(" separators + 1 per statement).
  let rows = 0;
  for (const s of t.matchAll(/INSERT\s+INTO[\s\S]*?VALUES\s*([\s\S]*?)(?:;\s*(?:\n|$)|$)/gi)) rows += 1 + (s[1]!.match(/\)\s*,\s*\(/g)?.length ?? 0);
  const tables = [...new Set([...t.matchAll(/(?:CREATE\s+TABLE|INSERT\s+INTO)\s+(?:IF\s+NOT\s+EXISTS\s+)?[`"[]?([\w.]+)/gi)].map((x) => x[1]!.toLowerCase()))].slice(0, 20);
  const customerTables = tables.filter((n) => /dtb_customer|dtb_order|dtb_shipping|wp_users|usces_member|usces_order|customers?$|members?$|orders?$|users?$/.test(n));
  return { confidence: rows > 0 ? 95 : 70, detail: { statements: ddl + inserts.length + copy, rows, tables, customerTables } };
}

function archive(m: MatchInput): MatchResult | undefined {
  const kind = magicKind(m.body);
  if (!kind || kind === 'ole') return undefined;
  return { confidence: 90, detail: { format: kind } };
}

function excel(m: MatchInput): MatchResult | undefined {
  const kind = magicKind(m.body);
  if (kind === 'ole') return { confidence: 85, detail: { format: 'xls' } };
  if (kind === 'zip' && /\.xlsx$/i.test(m.path)) return { confidence: 85, detail: { format: 'xlsx' } };
  return undefined;
}

const HEADER_WORDS = ['氏名', 'お名前', '名前', 'フリガナ', 'カナ', '郵便番号', '住所', '電話', 'TEL', 'メール', 'mail', '生年月日', '注文', '会員', 'name', 'address', 'phone', 'zip', 'card', 'カード', 'password', 'パスワード'];

function csv(m: MatchInput): MatchResult | undefined {
  if (isHtml(m) || magicKind(m.body)) return undefined;
  // A header and rows: at least two data rows, most with the header's field count (a truncated last line aside).
  const ls = lines(m.text).slice(0, 50);
  if (ls.length < 3) return undefined;
  for (const sep of [',', '\t', ';']) {
    const counts = ls.map((l) => l.split(sep).length);
    const head = counts[0]!;
    if (head < 2) continue;
    const alike = counts.slice(1).filter((c) => c === head).length;
    if (alike >= 2 && alike >= (counts.length - 1) * 0.8 - 1) {
      // Never the header cells themselves (a CSV without a header starts with a customer): known column words only.
      const first = ls[0]!;
      const headerKeywords = HEADER_WORDS.filter((w) => first.toLowerCase().includes(w.toLowerCase()));
      return { confidence: 80, detail: { separator: sep === '\t' ? 'tab' : sep, columns: head, rows: ls.length - 1, headerKeywords } };
    }
  }
  return undefined;
}

const ACCESS_LOG = /^\S+ \S+ \S+ \[[^\]]+\] "(?:GET|POST|HEAD|PUT|OPTIONS|DELETE) /;
function accessLog(m: MatchInput): MatchResult | undefined {
  if (isHtml(m)) return undefined;
  const n = lines(m.text).filter((l) => ACCESS_LOG.test(l)).length;
  return n >= 3 ? { confidence: 90, detail: { lines: n } } : undefined;
}

function errorLog(m: MatchInput): MatchResult | undefined {
  if (isHtml(m)) return undefined;
  const n = lines(m.text).filter((l) => /\[(?:error|warn|notice|crit|alert|emerg)\]|PHP (?:Warning|Fatal error|Notice|Parse error|Deprecated)|myDEBUG|\] (?:ERROR|WARNING|DEBUG)\b/i.test(l)).length;
  return n >= 2 ? { confidence: 85, detail: { lines: n } } : undefined;
}

function gitHead(m: MatchInput): MatchResult | undefined {
  return /^(?:ref: refs\/[\w./-]+|[0-9a-f]{40})\s*$/.test(m.text.slice(0, 200).trim()) ? { confidence: 98, detail: {} } : undefined;
}
function gitConfig(m: MatchInput): MatchResult | undefined {
  return /\[core\]/.test(m.text) && /repositoryformatversion/.test(m.text) && !isHtml(m) ? { confidence: 98, detail: { remote: /\[remote /.test(m.text) } } : undefined;
}
function svnEntries(m: MatchInput): MatchResult | undefined {
  return /^(?:8|9|10|12)\s*\n\s*\n?dir\b/.test(m.text) ? { confidence: 95, detail: {} } : undefined;
}
function sqlite(m: MatchInput): MatchResult | undefined {
  return magicKind(m.body) === 'sqlite' ? { confidence: 95, detail: { format: 'sqlite' } } : undefined;
}
function dsStore(m: MatchInput): MatchResult | undefined {
  return fileKind(m.body, DS_STORE) ? { confidence: 98, detail: {} } : undefined;
}
function envFile(m: MatchInput): MatchResult | undefined {
  if (isHtml(m)) return undefined;
  const assigns = lines(m.text).filter((l) => /^\s*(?:export\s+)?[A-Z][A-Z0-9_]*\s*=/.test(l));
  if (assigns.length < 2) return undefined;
  const secrets = assigns.filter((l) => /PASS|SECRET|KEY|TOKEN|DATABASE_URL|DB_/i.test(l.split('=')[0]!)).map((l) => l.split('=')[0]!.trim());
  return { confidence: secrets.length ? 95 : 75, detail: { variables: assigns.length, secretNames: secrets.slice(0, 10) } };
}
function phpSource(m: MatchInput): MatchResult | undefined {
  if (!/<\?php/.test(m.text)) return undefined;
  if (!/define\s*\(|\$\w+\s*=|function\s+\w+/.test(m.text)) return undefined;
  const creds = [...m.text.matchAll(/\b(DB_PASSWORD|DB_PASS|DB_USER|DB_NAME|DB_HOST|DB_SERVER|AUTH_KEY|DATABASE_URL|password)\b/gi)].map((x) => x[1]!.toUpperCase());
  return { confidence: 90, detail: { credentials: [...new Set(creds)].slice(0, 10) } };
}
function phpinfo(m: MatchInput): MatchResult | undefined {
  if (!/<title>\s*phpinfo\(\)|PHP Version <\/?|class="p">PHP Version|>PHP Version [\d.]+/i.test(m.text)) return undefined;
  const v = /PHP Version ([0-9][\w.+~-]*)/.exec(m.text);
  const sys = /<td class="e">System <\/td><td class="v">([^<]{0,200})</.exec(m.text);
  const docroot = /DOCUMENT_ROOT[^<]*<\/td><td class="v">([^<]{0,200})</.exec(m.text);
  const d: MatchResult['detail'] = {};
  if (v) d.phpVersion = v[1]!;
  if (sys) d.system = sys[1]!.trim();
  if (docroot) d.documentRoot = docroot[1]!.trim();
  return { confidence: 98, detail: d };
}

/** Autoindex pages of Apache, nginx, lighttpd and IIS. */
export function listingEntries(m: Pick<MatchInput, 'text'>): string[] | undefined {
  const t = m.text;
  if (!/<title>\s*Index of \/|<h1>\s*Index of \/|\[To Parent Directory\]|<title>Directory Listing For/i.test(t)) return undefined;
  const out: string[] = [];
  for (const a of t.matchAll(/<a\s+href="([^"?#]+)"/gi)) {
    const h = a[1]!;
    if (h.startsWith('/') && !h.includes('.') && out.length === 0 && h.endsWith('/')) continue; // parent link in IIS
    if (h === '../' || h.startsWith('?') || /^[a-z]+:/i.test(h)) continue;
    out.push(h);
  }
  return out;
}
function listing(m: MatchInput): MatchResult | undefined {
  const e = listingEntries(m);
  return e ? { confidence: 95, detail: { entries: e.length } } : undefined;
}
function htpasswd(m: MatchInput): MatchResult | undefined {
  const n = lines(m.text).filter((l) => /^[\w.@-]+:(?:\$apr1\$|\$2[aby]\$|\{SHA\}|\$[156]\$|[./0-9A-Za-z]{13}$)/.test(l)).length;
  return n >= 1 && !isHtml(m) ? { confidence: 95, detail: { users: n } } : undefined;
}
function installerEccube(m: MatchInput): MatchResult | undefined {
  return /EC-?CUBE/i.test(m.text) && /インストール|install/i.test(m.text) && /<form|STEP|ステップ|次へ進む|Next/i.test(m.text) ? { confidence: 90, detail: {} } : undefined;
}
function installerWordpress(m: MatchInput): MatchResult | undefined {
  return /WordPress/i.test(m.text) && /wp-install|setup-config|Installation|インストール/i.test(m.text) && !/already installed|既にインストール/i.test(m.text) ? { confidence: 85, detail: {} } : undefined;
}
function installerGeneric(m: MatchInput): MatchResult | undefined {
  return /Duplicator|Search Replace DB|searchreplacedb|installer\.php|Installer Log|DUPLICATOR/i.test(m.text) ? { confidence: 85, detail: {} } : undefined;
}
function phpmyadmin(m: MatchInput): MatchResult | undefined {
  const v = /phpMyAdmin ([0-9][\d.]+)|PMA_VERSION:"([\d.]+)"|\?v=([\d.]+)/.exec(m.text);
  return /<title>[^<]*phpMyAdmin|pma_username|phpmyadmin\.css/i.test(m.text) ? { confidence: 90, detail: v ? { version: (v[1] ?? v[2] ?? v[3])! } : {} } : undefined;
}
function adminLogin(m: MatchInput): MatchResult | undefined {
  if (!/type=["']?password/i.test(m.text)) return undefined;
  const product = /EC-?CUBE/i.test(m.text) ? 'ec-cube' : /wp-login|WordPress/i.test(m.text) ? 'wordpress' : /Zen Cart/i.test(m.text) ? 'zen-cart' : /osCommerce/i.test(m.text) ? 'oscommerce' : /Movable Type/i.test(m.text) ? 'movable-type' : undefined;
  return product ? { confidence: 80, detail: { product } } : undefined;
}
function kentConfig(m: MatchInput): MatchResult | undefined {
  if (isHtml(m)) return undefined;
  return /\$cf\{['"]?\w+['"]?\}\s*=|#│|kentweb|KENT-WEB/i.test(m.text) && /mail|sendmail/i.test(m.text) ? { confidence: 90, detail: { sendmail: /sendmail/.test(m.text) } } : undefined;
}
function kentLog(m: MatchInput): MatchResult | undefined {
  if (isHtml(m)) return undefined;
  const n = lines(m.text).filter((l) => (l.match(/<>/g)?.length ?? 0) >= 2).length;
  return n >= 1 ? { confidence: 85, detail: { records: n } } : undefined;
}
function mailformLog(m: MatchInput): MatchResult | undefined {
  const c = csv(m);
  if (c) return c;
  return kentLog(m);
}
function serverStatus(m: MatchInput): MatchResult | undefined {
  return /Apache Server Status for|Server Version: Apache|<h1>Apache Status<\/h1>|Active connections:\s*\d+\s*\nserver accepts/i.test(m.text) ? { confidence: 95, detail: {} } : undefined;
}
function mtCheck(m: MatchInput): MatchResult | undefined {
  if (!/Movable Type System Check|mt-check\.cgi/i.test(m.text)) return undefined;
  const v = /Movable Type version:<\/strong>\s*<code>([^<]+)<\/code>/i.exec(m.text);
  return { confidence: 95, detail: v ? { version: v[1]!.trim() } : {} };
}
function ftpConfig(m: MatchInput): MatchResult | undefined {
  if (isHtml(m)) return undefined;
  return /"(?:host|remote_path|user)"\s*:/i.test(m.text) || /<FileZilla|<dwsync>|<file name=|\d{4}\.\d{2}\.\d{2} \d{2}:\d{2} [AB]/i.test(m.text) ? { confidence: 85, detail: {} } : undefined;
}
/** Any non-HTML text with some substance (for backups of unknown shape, e.g. `.bak` of a page). */
function textData(m: MatchInput): MatchResult | undefined {
  if (isHtml(m) || magicKind(m.body)) return undefined;
  return lines(m.text).length >= 3 ? { confidence: 60, detail: { lines: lines(m.text).length } } : undefined;
}

export const matchers: Record<MatcherName, (m: MatchInput) => MatchResult | undefined> = {
  'sql-dump': (m) => sqlDump(m) ?? (magicKind(m.body) === 'gzip' || magicKind(m.body) === 'zip' ? archive(m) : undefined),
  archive,
  csv: (m) => csv(m) ?? excel(m),
  excel,
  'access-log': accessLog,
  'error-log': errorLog,
  'git-head': gitHead,
  'git-config': gitConfig,
  'svn-entries': svnEntries,
  sqlite,
  'ds-store': dsStore,
  'env-file': envFile,
  'php-source': phpSource,
  phpinfo,
  listing,
  htpasswd,
  'installer-eccube': installerEccube,
  'installer-wordpress': installerWordpress,
  'installer-generic': installerGeneric,
  phpmyadmin,
  'admin-login': adminLogin,
  'kent-config': kentConfig,
  'kent-log': kentLog,
  'mailform-log': mailformLog,
  'server-status': serverStatus,
  'mt-check': mtCheck,
  'ftp-config': ftpConfig,
  'text-data': textData,
};

/** Matchers to try, in order, for a file name found in a directory listing (none: not worth a request). */
export function matchersForName(name: string): MatcherName[] {
  const n = name.toLowerCase();
  if (/^(readme|license|licence|changelog|changes|history|copying|install|robots)(\.|$)|\.(html?|css|js|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|map|md)$/.test(n)) return [];
  if (/\.sql$/.test(n)) return ['sql-dump'];
  if (/\.(csv|tsv)$/.test(n)) return ['csv', 'text-data'];
  if (/\.(xls|xlsx)$/.test(n)) return ['excel'];
  if (/\.(zip|tar\.gz|tgz|tar|gz|7z|rar|bz2|xz|lzh|sql\.gz|sql\.zip)$/.test(n)) return ['archive'];
  if (/\.(sqlite3?|db)$/.test(n)) return ['sqlite'];
  if (/error[_.-]?log|error\.log|debug\.log/.test(n)) return ['error-log', 'access-log', 'text-data'];
  if (/access[_.-]?log|\.log$/.test(n)) return ['access-log', 'error-log', 'text-data'];
  if (/\.env$/.test(n)) return ['env-file'];
  if (/\.cgi$|\.pl$/.test(n)) return ['kent-log', 'kent-config', 'csv'];
  if (/\.(bak|old|orig|save|swp)$|\.php\.|~$/.test(n)) return ['php-source', 'text-data'];
  if (/\.(txt|dat|inc|conf|ini|json|xml|yml|yaml)$/.test(n)) return ['csv', 'kent-log', 'env-file', 'text-data'];
  return [];
}

/** File names from a zip's central directory (the tail of the archive), without reading the members. */
export function zipMemberNames(tail: Uint8Array): string[] {
  const b = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength);
  const names: string[] = [];
  for (let i = b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0 && i + 46 <= b.length && names.length < 500; i = b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4)) {
    const len = b.readUInt16LE(i + 28);
    if (i + 46 + len > b.length) break;
    const utf8 = (b.readUInt16LE(i + 8) & 0x0800) !== 0;
    const raw = b.subarray(i + 46, i + 46 + len);
    names.push(utf8 ? raw.toString('utf8') : raw.toString('latin1'));
  }
  return names;
}
