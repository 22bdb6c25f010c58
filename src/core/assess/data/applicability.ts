/**
 * Applicability conditions of CVEs, as data: a CVE matched by version may still need a platform, a PHP SAPI,
 * a web server, a module or a configuration the server in front of us does not have. The assessment
 * (`../applicability.ts`) evaluates every requirement of an entry against the inventory: one not met → the CVE
 * is "not applicable (reason)"; one mamori cannot tell → the CVE stays, with lower confidence and the
 * condition named. Each entry names the source that states the condition (the vendor's advisory or record).
 *
 * Requirements of one entry all must hold (AND); `any` lists alternatives (OR).
 */

/** PHP's server APIs as `php -v` / phpinfo name them, reduced: `cgi` (cgi-fcgi, php-cgi), `fpm` (fpm-fcgi), `apache2handler` (mod_php). */
export type Sapi = 'cgi' | 'fpm' | 'apache2handler';
export type WebServerName = 'apache-httpd' | 'nginx' | 'lighttpd' | 'iis';

export type Requirement =
  /** The operating system family: `windows` (the only one the data needs so far). */
  | { kind: 'os'; family: 'windows' }
  /** PHP runs under one of these SAPIs. */
  | { kind: 'sapi'; any: Sapi[] }
  /** One of these web servers serves the site. */
  | { kind: 'webServer'; any: WebServerName[] }
  /** The web server loads / uses one of these: Apache modules (`mod_proxy`) or nginx directives (`resolver`, `mp4`, `quic`). */
  | { kind: 'feature'; server: 'apache-httpd' | 'nginx'; any: string[] };

export interface ApplicabilityRule {
  /** The product the CVE is matched for (the upstream product name). */
  product: string;
  requires: Requirement[];
  /** Where the condition is stated. */
  source: string;
}

const PHP_CGI_2012 = 'https://www.php.net/archive/2012.php#id2012-05-03-1';
const httpdJson = (cve: string) => `https://httpd.apache.org/security/json/${cve}.json`;
const NGINX_ADVISORIES = 'https://nginx.org/en/security_advisories.html';

const php = (requires: Requirement[], source: string): ApplicabilityRule => ({ product: 'php', requires, source });
const WINDOWS: Requirement = { kind: 'os', family: 'windows' };
const CGI: Requirement = { kind: 'sapi', any: ['cgi'] };
const FPM: Requirement = { kind: 'sapi', any: ['fpm'] };

/** Apache httpd CVEs that live in one module (from the vendor's CVE JSON, ../shared/data/upstream-advisories/httpd). */
const HTTPD_MODULE_CVES: Record<string, string[]> = {
  mod_proxy: ['CVE-2007-3847', 'CVE-2009-1890', 'CVE-2010-0010', 'CVE-2011-3368', 'CVE-2011-4317', 'CVE-2014-0117', 'CVE-2016-8743', 'CVE-2019-10092', 'CVE-2021-40438', 'CVE-2021-44224', 'CVE-2022-31813', 'CVE-2022-37436', 'CVE-2023-25690', 'CVE-2024-38473', 'CVE-2024-38477'],
  mod_proxy_ajp: ['CVE-2009-1191', 'CVE-2010-0408', 'CVE-2011-3348', 'CVE-2012-3502', 'CVE-2012-4557', 'CVE-2022-26377', 'CVE-2022-36760'],
  mod_proxy_ftp: ['CVE-2008-2939', 'CVE-2009-3094', 'CVE-2009-3095', 'CVE-2020-1934'],
  mod_proxy_uwsgi: ['CVE-2020-11984', 'CVE-2021-36160', 'CVE-2023-27522'],
  mod_proxy_balancer: ['CVE-2007-6420', 'CVE-2007-6421', 'CVE-2007-6422', 'CVE-2012-4558'],
  mod_proxy_wstunnel: ['CVE-2019-17567'],
  mod_proxy_http2: ['CVE-2025-49630'],
  mod_lua: ['CVE-2014-8109', 'CVE-2015-0228', 'CVE-2021-44790', 'CVE-2022-22719', 'CVE-2022-29404', 'CVE-2022-30556'],
  mod_http2: ['CVE-2016-1546', 'CVE-2016-8740', 'CVE-2017-7659', 'CVE-2017-9789', 'CVE-2019-0196', 'CVE-2019-0197', 'CVE-2019-9517', 'CVE-2019-10081', 'CVE-2019-10082', 'CVE-2020-11993', 'CVE-2021-31618', 'CVE-2021-33193', 'CVE-2023-44487', 'CVE-2024-27316'],
  mod_ssl: ['CVE-2017-3169', 'CVE-2019-0190', 'CVE-2019-0215', 'CVE-2024-47252', 'CVE-2025-23048'],
  mod_dav: ['CVE-2006-20001', 'CVE-2013-1896', 'CVE-2013-6438'],
  mod_auth_digest: ['CVE-2016-2161', 'CVE-2017-9788', 'CVE-2018-1312', 'CVE-2019-0217', 'CVE-2020-35452'],
  mod_session: ['CVE-2018-1283', 'CVE-2021-26690', 'CVE-2021-26691'],
  mod_sed: ['CVE-2022-23943', 'CVE-2022-30522'],
  mod_md: ['CVE-2018-8011', 'CVE-2025-55753'],
  mod_cgid: ['CVE-2014-0231'],
  mod_status: ['CVE-2014-0226'],
  mod_macro: ['CVE-2023-31122'],
  mod_cache: ['CVE-2013-4352', 'CVE-2014-3581'],
  mod_remoteip: ['CVE-2019-10097', 'CVE-2020-11985'],
};

/** nginx CVEs of one module or protocol, by the directive that turns it on (nginx's security advisories). */
const NGINX_FEATURE_CVES: Record<string, { any: string[]; cves: string[] }> = {
  resolver: { any: ['resolver'], cves: ['CVE-2016-0742', 'CVE-2016-0746', 'CVE-2016-0747', 'CVE-2021-23017'] },
  mp4: { any: ['mp4'], cves: ['CVE-2012-2089', 'CVE-2018-16845', 'CVE-2022-41741', 'CVE-2022-41742', 'CVE-2024-7347'] },
  http3: { any: ['http3', 'quic'], cves: ['CVE-2024-24989', 'CVE-2024-24990', 'CVE-2024-31079', 'CVE-2024-32760', 'CVE-2024-34161', 'CVE-2024-35200'] },
  http2: { any: ['http2'], cves: ['CVE-2018-16843', 'CVE-2018-16844', 'CVE-2019-9511', 'CVE-2019-9513', 'CVE-2019-9516', 'CVE-2023-44487'] },
  spdy: { any: ['spdy'], cves: ['CVE-2014-0088', 'CVE-2014-0133'] },
  mail: { any: ['mail'], cves: ['CVE-2014-3556', 'CVE-2025-53859'] },
};

const rules: Record<string, ApplicabilityRule[]> = {};
const add = (cve: string, r: ApplicabilityRule) => (rules[cve] ??= []).push(r);

// PHP: php-cgi argument injection and its relatives.
add('CVE-2012-1823', php([CGI], PHP_CGI_2012));
add('CVE-2012-2311', php([CGI], 'https://www.php.net/archive/2012.php#id2012-05-08-1'));
add('CVE-2012-2336', php([CGI], 'https://www.php.net/archive/2012.php#id2012-05-08-1'));
// CVE-2024-4577: php-cgi on Windows with certain code pages (Best-Fit of the soft hyphen).
add('CVE-2024-4577', php([WINDOWS, CGI], 'https://github.com/php/php-src/security/advisories/GHSA-3qgc-jrrr-25jv'));
// Its siblings: the bypass of its fix (Windows, CGI), the cgi.force_redirect bypass (CGI), proc_open on Windows.
add('CVE-2024-8926', php([WINDOWS, CGI], 'https://github.com/php/php-src/security/advisories/GHSA-p99j-rfp4-xqvq'));
add('CVE-2024-8927', php([CGI], 'https://github.com/php/php-src/security/advisories/GHSA-94p6-54jq-9mwp'));
add('CVE-2024-1874', php([WINDOWS], 'https://github.com/php/php-src/security/advisories/GHSA-pc52-254m-w9w7'));
add('CVE-2024-5585', php([WINDOWS], 'https://github.com/php/php-src/security/advisories/GHSA-9fcc-425m-g385'));
// CVE-2019-11043: nginx + php-fpm with `fastcgi_split_path_info` using a regex a newline breaks.
add('CVE-2019-11043', php([{ kind: 'webServer', any: ['nginx'] }, FPM, { kind: 'feature', server: 'nginx', any: ['fastcgi_split_path_info'] }], 'https://bugs.php.net/bug.php?id=78599'));
// php-fpm only: log manipulation.
add('CVE-2024-9026', php([FPM], 'https://github.com/php/php-src/security/advisories/GHSA-865w-9rf3-2wh5'));

for (const [module, cves] of Object.entries(HTTPD_MODULE_CVES)) {
  for (const cve of cves) add(cve, { product: 'apache-httpd', requires: [{ kind: 'feature', server: 'apache-httpd', any: [module] }], source: httpdJson(cve) });
}
// mod_isapi exists on Windows only.
for (const cve of ['CVE-2010-0425', 'CVE-2022-28330']) add(cve, { product: 'apache-httpd', requires: [WINDOWS], source: httpdJson(cve) });

for (const { any, cves } of Object.values(NGINX_FEATURE_CVES)) {
  for (const cve of cves) add(cve, { product: 'nginx', requires: [{ kind: 'feature', server: 'nginx', any }], source: NGINX_ADVISORIES });
}
// nginx on Windows only: directory aliases.
add('CVE-2011-4963', { product: 'nginx', requires: [WINDOWS], source: NGINX_ADVISORIES });

/** CVE → the conditions it needs, per product. A CVE absent here applies wherever its version matches. */
export const APPLICABILITY: Readonly<Record<string, readonly ApplicabilityRule[]>> = rules;
