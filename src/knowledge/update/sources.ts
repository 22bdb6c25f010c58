/**
 * Where each feed lives upstream. `db update --mirror URL` fetches `URL/<host>/<path>?<query>` instead
 * (a mirror is laid out like the upstream URLs, host first), and `$MAMORI_HOME/config.json` can give a feed
 * its own URLs. See the README.
 */
export interface FeedSource {
  feed: string;
  /** The upstream URLs, fetched in order; {placeholders} are filled by the updater. */
  urls: string[];
  /** In the default set of `db update` (large or slow feeds are opt-in with --feed). */
  byDefault: boolean;
  note?: string;
  /**
   * What the feed's records are about: OS families (`inventory.os.family`: debian, centos…) or library
   * ecosystems (composer, npm). The automatic refresh before a scan skips a feed that serves none of what the
   * scan found (a CentOS host does not download Ubuntu's advisories); absent: every scan needs it.
   */
  serves?: readonly string[];
}

/** endoflife.date products fetched online (the ones mamori's checks ask about). */
export const ENDOFLIFE_PRODUCTS = [
  'almalinux', 'amazon-linux', 'apache-http-server', 'centos', 'centos-stream', 'composer', 'debian', 'dovecot', 'drupal', 'exim',
  'jquery', 'laravel', 'mariadb', 'memcached', 'mysql', 'nginx', 'nodejs', 'openssl', 'oracle-linux', 'perl', 'php', 'phpmyadmin',
  'plesk', 'postfix', 'postgresql', 'python', 'redis', 'rhel', 'rocky-linux', 'sles', 'symfony', 'tomcat', 'ubuntu', 'wordpress',
] as const;

const OSV = (eco: string) => `https://osv-vulnerabilities.storage.googleapis.com/${encodeURIComponent(eco)}/all.zip`;
const SALSA_TRACKER = 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data';

/** JVN iPedia keywords for the Japanese products mamori fingerprints. */
export const JVN_KEYWORDS = ['EC-CUBE', 'Welcart', 'Movable Type', 'Zen Cart', 'osCommerce', 'メールフォーム', 'WordPress'] as const;

export const FEED_SOURCES: readonly FeedSource[] = [
  { feed: 'kev', urls: ['https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json'], byDefault: true },
  { feed: 'epss', urls: ['https://epss.empiricalsecurity.com/epss_scores-current.csv.gz'], byDefault: true },
  { feed: 'endoflife', urls: ENDOFLIFE_PRODUCTS.map((p) => `https://endoflife.date/api/v1/products/${p}/`), byDefault: true },
  { feed: 'distro-info', urls: ['https://salsa.debian.org/debian/distro-info-data/-/raw/main/debian.csv', 'https://salsa.debian.org/debian/distro-info-data/-/raw/main/ubuntu.csv'], byDefault: true },
  { feed: 'php-version-audit', urls: ['https://www.github.developerdan.com/php-version-audit/rules-v1.json'], byDefault: true },
  { feed: 'httpd', urls: ['https://codeload.github.com/apache/httpd-site/tar.gz/refs/heads/main'], byDefault: true, note: 'content/security/json/*.json inside the site archive' },
  { feed: 'nginx', urls: ['https://raw.githubusercontent.com/nginx/nginx.org/main/xml/en/security_advisories.xml'], byDefault: true },
  { feed: 'friendsofphp', urls: ['https://codeload.github.com/FriendsOfPHP/security-advisories/tar.gz/refs/heads/master'], byDefault: true },
  { feed: 'debian-tracker', urls: [`${SALSA_TRACKER}/DSA/list`, `${SALSA_TRACKER}/DLA/list`, 'https://security-tracker.debian.org/tracker/data/json'], byDefault: true, serves: ['debian'] },
  { feed: 'debian-cpe', urls: [`${SALSA_TRACKER}/CPE/list`, `${SALSA_TRACKER}/CPE/aliases`], byDefault: true, serves: ['debian'] },
  { feed: 'osv-almalinux', urls: [OSV('AlmaLinux')], byDefault: true, serves: ['almalinux'] },
  { feed: 'osv-rocky-linux', urls: [OSV('Rocky Linux')], byDefault: true, serves: ['rocky'] },
  { feed: 'osv-redhat', urls: [OSV('Red Hat')], byDefault: true, serves: ['rhel', 'centos', 'almalinux', 'rocky', 'oracle'] },
  { feed: 'osv-debian', urls: [OSV('Debian')], byDefault: true, serves: ['debian'] },
  { feed: 'osv-ubuntu', urls: [OSV('Ubuntu')], byDefault: true, serves: ['ubuntu'] },
  { feed: 'osv-alpine', urls: [OSV('Alpine')], byDefault: true, serves: ['alpine'] },
  { feed: 'osv-packagist', urls: [OSV('Packagist')], byDefault: true, serves: ['composer'] },
  { feed: 'osv-npm', urls: [OSV('npm')], byDefault: false, note: 'large; opt in with --feed osv-npm', serves: ['npm'] },
  {
    feed: 'nvd',
    urls: ['https://services.nvd.nist.gov/rest/json/cves/2.0?lastModStartDate={start}&lastModEndDate={end}&startIndex={index}&resultsPerPage=2000'],
    byDefault: false,
    note: 'incremental by last-modified date; set MAMORI_NVD_API_KEY for the higher rate limit; opt in with --feed nvd',
  },
  {
    feed: 'jvn',
    urls: JVN_KEYWORDS.map((k) => `https://jvndb.jvn.jp/myjvn?method=getVulnOverviewList&feed=hnd&lang=ja&maxCountItem=50&keyword=${encodeURIComponent(k)}`),
    byDefault: true,
  },
  { feed: 'redhat-csaf', urls: [], byDefault: false, note: 'give a tar.gz or zip of CSAF VEX files in config.json (Red Hat publishes tar.zst, which mamori cannot read yet)' },
];

/** The mirror form of an upstream URL: `<mirror>/<host>/<path>?<query>`. */
export function mirrorUrl(mirror: string, upstream: string): string {
  const u = new URL(upstream);
  return `${mirror.replace(/\/+$/, '')}/${u.host}${u.pathname}${u.search}`;
}
