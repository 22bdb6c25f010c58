/**
 * Exposure probes as data: where small Japanese sites leave dumps, exports, logs, VCS metadata, config
 * backups, test pages and installers. Targeted lists in the manner of nuclei's `http/exposures/*` and WPScan's
 * interesting findings, not brute force: a few hundred paths in all, each confirmed by content (matchers.ts).
 * `{host}` (www.example.co.jp), `{domain}` (example.co.jp), `{label}` (example) and `{year}` are filled in.
 */
import type { ExposureProbe } from './types.js';

const cross = (dirs: readonly string[], names: readonly string[]): string[] => dirs.flatMap((d) => names.map((n) => `${d}${n}`));

/** Directories often left open (listings are followed one level). */
export const OPEN_DIRECTORIES = [
  '/backup/', '/backups/', '/bak/', '/old/', '/data/', '/db/', '/sql/', '/dump/', '/logs/', '/log/', '/csv/', '/export/',
  '/download/', '/upload/', '/uploads/', '/files/', '/tmp/', '/temp/', '/cgi-bin/', '/admin/csv/', '/wp-content/uploads/',
  '/user_data/', '/cache/', '/includes/logs/', '/mail/', '/form/', '/contact/', '/inquiry/',
];

const SQL_NAMES = ['backup.sql', 'database.sql', 'db.sql', 'dump.sql', 'data.sql', 'site.sql', 'www.sql', 'users.sql', 'mysql.sql', 'localhost.sql', '{host}.sql', '{domain}.sql', '{label}.sql', 'customer.sql', 'member.sql', 'order.sql', 'eccube.sql', 'eccube_db.sql', 'dtb_customer.sql', 'wordpress.sql', 'wp.sql'];

/** Japanese names URL-encoded: 顧客, 会員, 注文, 名簿. */
const CSV_NAMES = ['customer.csv', 'customers.csv', 'member.csv', 'members.csv', 'order.csv', 'orders.csv', 'kokyaku.csv', 'kaiin.csv', 'meibo.csv', 'list.csv', 'address.csv', 'entry.csv', 'contact.csv', '%E9%A1%A7%E5%AE%A2.csv', '%E4%BC%9A%E5%93%A1.csv', '%E6%B3%A8%E6%96%87.csv', '%E5%90%8D%E7%B0%BF.csv'];

export const EXPOSURE_PROBES: readonly ExposureProbe[] = [
  {
    check: 'exposure.sql-dump',
    paths: [...cross(['/'], SQL_NAMES), ...cross(['/backup/', '/bak/', '/old/', '/data/', '/db/', '/sql/', '/tmp/'], ['backup.sql', 'db.sql', 'dump.sql', 'database.sql', '{label}.sql']), '/wp-content/uploads/dump.sql', '/wp-content/backup-db/backup.sql', '/backup.sql.gz', '/db.sql.gz', '/dump.sql.gz', '/{label}.sql.gz'],
    matcher: 'sql-dump',
    rangeBytes: 64 * 1024,
    pii: true,
  },
  {
    check: 'exposure.archive',
    paths: cross(['/'], ['{host}', '{domain}', '{label}', 'www', 'htdocs', 'public_html', 'html', 'web', 'backup', 'site', 'data', 'db', 'old', 'src', '{year}'].flatMap((n) => ['zip', 'tar.gz'].map((e) => `${n}.${e}`)))
      .concat(['/backup.tgz', '/backup.7z', '/backup.rar', '/backup.lzh', '/www.lzh', '/site.lzh', '/htdocs.tgz', '/{label}.tgz', '/database.sqlite', '/db.sqlite', '/data.db', '/backup/backup.zip', '/backup/{label}.zip', '/backup/www.zip', '/backup/backup.tar.gz']),
    matcher: 'archive',
    rangeBytes: 512,
    pii: false,
  },
  {
    check: 'exposure.csv-export',
    paths: [
      ...cross(['/', '/data/', '/csv/'], CSV_NAMES),
      ...cross(['/download/', '/export/', '/admin/csv/', '/upload/', '/files/', '/backup/'], ['customer.csv', 'member.csv', 'order.csv', '%E9%A1%A7%E5%AE%A2.csv', '%E4%BC%9A%E5%93%A1.csv']),
      '/customer.tsv', '/member.tsv', '/data/customer.tsv', '/customer.xls', '/customer.xlsx', '/member.xlsx', '/%E5%90%8D%E7%B0%BF.xlsx', '/%E9%A1%A7%E5%AE%A2.xlsx', '/data/customer.xlsx', '/meibo.xls',
    ],
    matcher: 'csv',
    rangeBytes: 64 * 1024,
    pii: true,
  },
  {
    check: 'exposure.log',
    paths: ['/access.log', '/access_log', '/log/access.log', '/logs/access.log', '/logs/access_log', '/debug.log', '/wp-content/debug.log', '/log.txt', '/logs/log.txt', '/data/logs/site.log', '/cgi-bin/log/access.log'],
    matcher: 'access-log',
    rangeBytes: 64 * 1024,
    pii: true,
  },
  {
    check: 'exposure.error-log',
    paths: ['/error.log', '/error_log', '/php_error.log', '/php_errors.log', '/logs/error.log', '/logs/error_log', '/log/error.log', '/wp-content/debug.log', '/data/logs/error.log', '/logs/myDEBUG.log'],
    matcher: 'error-log',
    rangeBytes: 32 * 1024,
    pii: true,
  },
  { check: 'exposure.git', paths: ['/.git/HEAD'], matcher: 'git-head', rangeBytes: 512, pii: false },
  { check: 'exposure.git', paths: ['/.git/config'], matcher: 'git-config', rangeBytes: 4096, pii: false },
  { check: 'exposure.svn', paths: ['/.svn/entries'], matcher: 'svn-entries', rangeBytes: 1024, pii: false },
  { check: 'exposure.svn', paths: ['/.svn/wc.db'], matcher: 'sqlite', rangeBytes: 512, pii: false },
  { check: 'exposure.ds-store', paths: ['/.DS_Store'], matcher: 'ds-store', rangeBytes: 512, pii: false },
  { check: 'exposure.env', paths: ['/.env', '/.env.bak', '/.env.local', '/.env.production', '/html/.env', '/ec-cube/.env'], matcher: 'env-file', rangeBytes: 8192, pii: false },
  {
    check: 'exposure.config-backup',
    paths: [
      '/wp-config.php.bak', '/wp-config.php~', '/wp-config.php.old', '/wp-config.php.orig', '/wp-config.php.save', '/wp-config.bak', '/wp-config.txt', '/.wp-config.php.swp', '/wp-config.php_bak',
      '/config.php.bak', '/config.php~', '/config.inc.php.bak', '/data/config/config.php.bak', '/data/config/config.php~', '/html/define.php.bak',
      '/includes/configure.php.bak', '/includes/configure.php~', '/admin/includes/configure.php.bak', '/app/config/eccube/database.yml', '/app/config/eccube/config.yml',
      '/index.php.bak', '/index.php~', '/settings.php.bak', '/db.php.bak', '/connect.php.bak', '/mt-config.cgi.bak', '/mt-config.cgi~',
    ],
    matcher: 'php-source',
    rangeBytes: 16 * 1024,
    pii: false,
  },
  { check: 'exposure.htpasswd', paths: ['/.htpasswd', '/admin/.htpasswd', '/.htpasswd.bak'], matcher: 'htpasswd', rangeBytes: 4096, pii: false },
  { check: 'exposure.ftp-config', paths: ['/.ftpconfig', '/sftp-config.json', '/.vscode/sftp.json', '/filezilla.xml', '/WS_FTP.LOG', '/_notes/dwsync.xml'], matcher: 'ftp-config', rangeBytes: 8192, pii: false },
  { check: 'exposure.phpinfo', paths: ['/phpinfo.php', '/info.php', '/test.php', '/i.php', '/php.php', '/pi.php', '/phpinfo.php5', '/php_info.php', '/infophp.php', '/admin/phpinfo.php', '/html/phpinfo.php'], matcher: 'phpinfo', rangeBytes: 128 * 1024, pii: false },
  { check: 'exposure.installer-eccube', paths: ['/install/', '/install/index.php', '/html/install/', '/eccube/install/', '/shop/install/'], matcher: 'installer-eccube', rangeBytes: 32 * 1024, pii: false },
  { check: 'exposure.installer-wordpress', paths: ['/wp-admin/install.php', '/wp-admin/setup-config.php'], matcher: 'installer-wordpress', rangeBytes: 32 * 1024, pii: false },
  { check: 'exposure.installer-generic', paths: ['/installer.php', '/installer-log.txt', '/searchreplacedb2.php', '/emergency.php', '/zc_install/', '/catalog/install/'], matcher: 'installer-generic', rangeBytes: 32 * 1024, pii: false },
  { check: 'exposure.phpmyadmin', paths: ['/phpmyadmin/', '/phpMyAdmin/', '/pma/', '/myadmin/', '/mysqladmin/'], matcher: 'phpmyadmin', rangeBytes: 32 * 1024, pii: false },
  { check: 'exposure.admin-panel', paths: ['/admin/', '/admin/index.php', '/shop/admin/', '/eccube/admin/', '/mt/mt.cgi', '/cgi-bin/mt/mt.cgi'], matcher: 'admin-login', rangeBytes: 32 * 1024, pii: false },
  { check: 'exposure.mt-check', paths: ['/mt-check.cgi', '/mt/mt-check.cgi', '/cgi-bin/mt/mt-check.cgi', '/cgi-bin/mt-check.cgi'], matcher: 'mt-check', rangeBytes: 64 * 1024, pii: false },
  { check: 'exposure.server-status', paths: ['/server-status', '/server-info', '/nginx_status'], matcher: 'server-status', rangeBytes: 16 * 1024, pii: false },
  {
    check: 'exposure.mailform-config',
    paths: ['/cgi-bin/init.cgi', '/postmail/init.cgi', '/cgi-bin/postmail/init.cgi', '/clipmail/init.cgi', '/cgi-bin/clipmail/init.cgi', '/mail/init.cgi', '/form/init.cgi', '/contact/init.cgi', '/mailformpro/config.cgi', '/cgi-bin/mailformpro/config.cgi'],
    matcher: 'kent-config',
    rangeBytes: 16 * 1024,
    pii: false,
  },
  {
    check: 'exposure.mailform-log',
    paths: ['/cgi-bin/data/log.cgi', '/postmail/data/log.cgi', '/cgi-bin/postmail/data/log.cgi', '/clipmail/data/log.cgi', '/mail/data/log.cgi', '/contact/data/log.cgi', '/cgi-bin/log.cgi', '/mailformpro/data/log.csv', '/mailformpro/logs/log.csv', '/cgi-bin/mailformpro/data/log.csv', '/form/data/log.csv', '/contact/log.csv'],
    matcher: 'mailform-log',
    rangeBytes: 64 * 1024,
    pii: true,
  },
];

export function expandPath(p: string, host: string, year: number): string {
  const h = host.replace(/:\d+$/, '');
  const isIp = /^[\d.]+$|^\[/.test(h);
  const domain = isIp ? h : h.replace(/^www\./, '');
  const label = isIp ? h.replace(/[^\w]/g, '_') : (domain.split('.')[0] ?? domain);
  return p.replaceAll('{host}', h).replaceAll('{domain}', domain).replaceAll('{label}', label).replaceAll('{year}', String(year));
}

/** Every concrete path once, with the probes that want it (identical requests are sent once). */
export function expandProbes(host: string, year: number): Map<string, ExposureProbe[]> {
  const out = new Map<string, ExposureProbe[]>();
  for (const probe of EXPOSURE_PROBES) {
    for (const raw of probe.paths) {
      const p = expandPath(raw, host, year);
      const list = out.get(p) ?? [];
      if (!list.includes(probe)) list.push(probe);
      out.set(p, list);
    }
  }
  return out;
}
