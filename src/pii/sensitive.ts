/**
 * Sensitive files by name and first bytes (PII-01..08): dumps, exports, backups, logs, VCS metadata,
 * configuration with credentials, phpinfo pages, editor leftovers. Independent of personal data inside.
 */
import type { SensitiveKind } from './types.js';

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** What the file name alone says. */
export function sensitiveFromName(path: string): SensitiveKind | undefined {
  const p = path.replace(/\\/g, '/');
  const name = base(p).toLowerCase();
  if (/(?:^|\/)\.(?:git|svn|hg|bzr)(?:\/|$)/.test(p) || name === 'cvs') return 'vcs';
  if (/^\.env(?:\.|$)|^\.htpasswd$|^\.ftpconfig$|^sftp-config\.json$|^filezilla\.xml$|^ws_ftp\.log$|^id_(?:rsa|dsa|ecdsa|ed25519)$|\.pem$|\.key$|^\.my\.cnf$|^\.pgpass$|^wp-config\.php\.|^config\.php\.|^(?:local)?settings\.php\.|^database\.yml\.|\.(?:php|inc|cgi|pl|py|rb|yml|yaml|ini|conf|cnf)\.(?:bak|old|orig|save|swp|tmp|txt|dist~|1|2)$|\.(?:php|inc|cgi)~$/.test(name)) return 'credentials';
  if (/\.(?:sql|dump|pgdump|mysql)(?:\.(?:gz|bz2|xz|zip|7z))?$/.test(name)) return 'sql-dump';
  if (/\.(?:csv|tsv)(?:\.(?:gz|zip))?$/.test(name)) return 'csv-export';
  if (/\.(?:xlsx?|xlsm|ods)$/.test(name)) return 'spreadsheet';
  if (/\.(?:sqlite3?|db|mdb|accdb|frm|ibd|myd)$/.test(name)) return 'database';
  if (/\.(?:log|log\.\d+|log\.gz)$|^(?:access|error)_?log(?:\.\d+)?$|^error_log$|^debug\.log$|^mydebug-.*\.log$/.test(name)) return 'log';
  if (/\.(?:zip|tar|tgz|tar\.gz|gz|bz2|xz|7z|rar|lzh|lha|cab|bak|old|orig|backup|bk)$|~$|\.swp$/.test(name)) return 'backup-archive';
  if (/^(?:phpinfo|info|php_?info|test|i)\.php$/.test(name)) return 'phpinfo';
  if (/^\.ds_store$|^thumbs\.db$|^dwsync\.xml$/.test(name)) return 'editor-leftover';
  return undefined;
}

const COMBINED_LOG = /^\S+ \S+ \S+ \[[^\]]+\] "(?:GET|POST|HEAD|PUT|DELETE|OPTIONS) /gm;
const CREDENTIALS = /define\(\s*['"](?:DB_PASSWORD|DB_PASS|DB_USER|DB_NAME|AUTH_KEY|SECURE_AUTH_KEY)['"]|^\s*(?:DB_PASSWORD|DATABASE_PASSWORD|MYSQL_PASSWORD|DB_PASS)\s*=|DATABASE_URL\s*=\s*['"]?\w+:\/\/[^:\s]+:[^@\s]+@|^\s*(?:password|passwd)\s*[:=]\s*\S+|-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----/im;
const PHPINFO = /<title>phpinfo\(\)<\/title>|^\s*<\?php\s+phpinfo\(\s*\)\s*;/im;

/** Refine with the first bytes of text: `text` is the decoded head. Code files served as PHP are not leaks. */
export function sensitiveFromContent(path: string, text: string, byName: SensitiveKind | undefined): SensitiveKind | undefined {
  const name = base(path).toLowerCase();
  const head = text.slice(0, 65536);
  if (byName === 'phpinfo') return PHPINFO.test(head) ? 'phpinfo' : undefined;
  if (byName === 'credentials') return byName;
  if (byName) return byName;
  // Cheap literal checks first (a literal pattern is searched by skipping, unlike includes): most files are code and markup with none of these.
  if (/phpinfo/.test(head) && PHPINFO.test(head)) return 'phpinfo';
  const served = /\.(?:php\d?|phtml|cgi|pl|py|rb|asp|aspx|jsp)$/.test(name);
  if (served || /\.(?:html?|js|css|md|svg)$/.test(name)) return undefined;
  if (/\.(?:txt|inc|ini|conf|cnf|yml|yaml|json|env|xml|bak|dat)$|^[^.]+$/.test(name) && CREDENTIALS.test(head)) return 'credentials';
  if (head.includes('] "') && (head.match(COMBINED_LOG)?.length ?? 0) >= 3) return 'log';
  if (/(?:^|\n)\s*(?:CREATE TABLE|INSERT INTO|DROP TABLE|LOCK TABLES|COPY \S+ \(.*\) FROM stdin)/i.test(head)) return 'sql-dump';
  return undefined;
}
