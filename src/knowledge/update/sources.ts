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
}

/** endoflife.date products fetched online (the ones mamori's checks ask about). */
export const ENDOFLIFE_PRODUCTS = [
  'almalinux', 'amazon-linux', 'apache-http-server', 'centos', 'centos-stream', 'composer', 'debian', 'dovecot', 'drupal', 'exim',
  'jquery', 'laravel', 'mariadb', 'memcached', 'mysql', 'nginx', 'nodejs', 'openssl', 'oracle-linux', 'perl', 'php', 'phpmyadmin',
  'plesk', 'postfix', 'postgresql', 'python', 'redis', 'rhel', 'rocky-linux', 'sles', 'symfony', 'tomcat', 'ubuntu', 'wordpress',
] as const;

const OSV = (eco: string) => `https://osv-vulnerabilities.storage.googleapis.com/${encodeURIComponent(eco)}/all.zip`;
const SALSA_TRACKER = 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data';
const REDHAT_API = 'https://access.redhat.com/hydra/rest/securitydata';
/** Alpine releases whose secdb is fetched (older ones are in the legacy alpine-secdb repository, for `db import`). */
export const ALPINE_RELEASES = ['3.12', '3.13', '3.14', '3.15', '3.16', '3.17', '3.18', '3.19', '3.20', '3.21', '3.22'] as const;

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
  { feed: 'debian-tracker', urls: [`${SALSA_TRACKER}/DSA/list`, `${SALSA_TRACKER}/DLA/list`, 'https://security-tracker.debian.org/tracker/data/json'], byDefault: true },
  { feed: 'debian-cpe', urls: [`${SALSA_TRACKER}/CPE/list`, `${SALSA_TRACKER}/CPE/aliases`], byDefault: true },
  { feed: 'osv-almalinux', urls: [OSV('AlmaLinux')], byDefault: true },
  { feed: 'osv-rocky-linux', urls: [OSV('Rocky Linux')], byDefault: true },
  { feed: 'osv-redhat', urls: [OSV('Red Hat')], byDefault: true },
  { feed: 'osv-debian', urls: [OSV('Debian')], byDefault: true },
  { feed: 'osv-ubuntu', urls: [OSV('Ubuntu')], byDefault: true },
  { feed: 'osv-alpine', urls: [OSV('Alpine')], byDefault: true },
  { feed: 'osv-packagist', urls: [OSV('Packagist')], byDefault: true },
  { feed: 'osv-npm', urls: [OSV('npm')], byDefault: false, note: 'large; opt in with --feed osv-npm' },
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
  {
    feed: 'redhat-api',
    urls: [`${REDHAT_API}/cve.json?after={after}&per_page=1000&page={page}`, 'https://security.access.redhat.com/data/csaf/v2/vex/changes.csv'],
    byDefault: false,
    note: 'Red Hat Security Data API, one request per CVE: the first run fetches every CVE since 2005 (tens of thousands of small requests), later runs the CVEs Red Hat changed since (VEX changes.csv) and the new ones; opt in with --feed redhat-api, or give a tar.gz of the records (vuln-list-redhat api/) in config.json',
  },
  { feed: 'alpine-secdb', urls: ALPINE_RELEASES.flatMap((v) => [`https://secdb.alpinelinux.org/v${v}/main.json`, `https://secdb.alpinelinux.org/v${v}/community.json`]), byDefault: true },
  {
    feed: 'amazon-alas',
    urls: ['https://cdn.amazonlinux.com/al2023/core/mirrors/latest/x86_64/mirror.list', 'https://cdn.amazonlinux.com/2/core/latest/x86_64/mirror.list'],
    byDefault: true,
    note: 'updateinfo.xml of the Amazon Linux 2023 and 2 repositories (mirror.list → repodata/repomd.xml → updateinfo)',
  },
  {
    feed: 'redhat-oval',
    urls: ['6', '7', '8', '9'].map((v) => `https://security.access.redhat.com/data/oval/v2/RHEL${v}/rhel-${v}.oval.xml.bz2`),
    byDefault: false,
    note: 'Red Hat OVAL v2, the general channel of RHEL 6–9 (large: hundreds of MB of XML once unpacked); opt in with --feed redhat-oval',
  },
  { feed: 'oracle-elsa', urls: ['https://linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2'], byDefault: false, note: 'Oracle Linux ELSA OVAL, every release in one file; opt in with --feed oracle-elsa' },
];

/** The mirror form of an upstream URL: `<mirror>/<host>/<path>?<query>`. */
export function mirrorUrl(mirror: string, upstream: string): string {
  const u = new URL(upstream);
  return `${mirror.replace(/\/+$/, '')}/${u.host}${u.pathname}${u.search}`;
}
