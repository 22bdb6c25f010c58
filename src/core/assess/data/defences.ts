/**
 * Temporary defences for well-known exploited CVEs, for the plan's step 2 (until the update or migration
 * is done). Each maps to a message `assess.step.defence.<key>`. Sources: the vendors' advisories and CISA
 * KEV's required actions; keep each to what an owner can apply in minutes.
 */
export const CVE_DEFENCES: Readonly<Record<string, string>> = {
  // php-cgi argument injection (KEV): query strings starting with "-", and the soft hyphen on Windows.
  'CVE-2012-1823': 'phpCgi',
  'CVE-2012-2311': 'phpCgi',
  'CVE-2024-4577': 'phpCgi',
  // nginx + php-fpm path_info underflow (KEV).
  'CVE-2019-11043': 'phpFpmPathInfo',
  // httpd 2.4.49/2.4.50 path traversal and RCE (KEV).
  'CVE-2021-41773': 'httpdTraversal',
  'CVE-2021-42013': 'httpdTraversal',
  // httpd mod_proxy SSRF (KEV).
  'CVE-2021-40438': 'httpdProxy',
  // httpd byte-range DoS (KEV).
  'CVE-2011-3192': 'httpdRange',
  // OpenSSL Heartbleed (KEV): no defence but the update; then keys and passwords must be renewed.
  'CVE-2014-0160': 'heartbleed',
  // httpoxy: the `Proxy:` request header becomes HTTP_PROXY for CGI/PHP/Python code.
  'CVE-2016-5385': 'httpoxy',
  'CVE-2016-5386': 'httpoxy',
  'CVE-2016-5387': 'httpoxy',
  'CVE-2016-5388': 'httpoxy',
  'CVE-2016-1000109': 'httpoxy',
  'CVE-2016-1000110': 'httpoxy',
  // Shellshock: bash functions in environment variables, reached through CGI (KEV).
  'CVE-2014-6271': 'shellshock',
  'CVE-2014-7169': 'shellshock',
  'CVE-2014-6277': 'shellshock',
  'CVE-2014-6278': 'shellshock',
  'CVE-2014-7186': 'shellshock',
  'CVE-2014-7187': 'shellshock',
};

/** Where a snippet goes: Apache (with the module it needs), nginx, or PHP's settings. */
export type DefenceServer = 'apache' | 'nginx' | 'php';

/**
 * A request a site scan sends to show the defence works, and what the answer must be. Requests are GET with
 * harmless payloads (they prove the filter, they exploit nothing).
 */
export interface DefenceCheck {
  /** Path and query on the site, `{php}` standing for a PHP page of the site (e.g. `/index.php`). */
  path: string;
  headers?: Record<string, string>;
  /** The defence works when the status is one of these… */
  expectStatus?: number[];
  /** …or (when statuses are not enough) when the body does not contain this text. */
  bodyMustNotContain?: string;
  /** Message code describing the check for the owner. */
  describe: string;
}

/**
 * A reviewed temporary defence: the snippets for each server, where they come from, what they may break
 * (a message code), when the entry must be reviewed again, and the outside check. Shown in the plan, never
 * applied by mamori: an administrator puts it in place and removes it when the update is in.
 */
export interface DefenceSnippets {
  key: string;
  snippets: { server: DefenceServer; module?: string; text: string }[];
  /** The vendor or original advisory the snippet is taken from. */
  source: string;
  /** Message code: the side effects. */
  sideEffects: string;
  /** YYYY-MM-DD: review this entry (still correct, still needed) by this date. */
  reviewBy: string;
  check: DefenceCheck;
}

export const DEFENCE_SNIPPETS: Readonly<Record<string, DefenceSnippets>> = {
  phpCgi: {
    key: 'phpCgi',
    snippets: [
      {
        server: 'apache',
        module: 'mod_rewrite',
        text: ['RewriteEngine on', 'RewriteCond %{QUERY_STRING} ^[^=]*$', 'RewriteCond %{QUERY_STRING} %2d|\\- [NC]', 'RewriteRule .? - [F,L]', '# CVE-2024-4577 (Windows, soft hyphen):', 'RewriteCond %{QUERY_STRING} ^%ad [NC]', 'RewriteRule .? - [F,L]'].join('\n'),
      },
      { server: 'nginx', text: ['# in each server {} that passes .php to php-cgi', 'if ($query_string ~* "^[^=]*(-|%2d|%ad)") { return 403; }'].join('\n') },
      { server: 'php', text: '; run PHP as php-fpm or mod_php, never as CGI; where php-cgi must stay:\ncgi.force_redirect = 1' },
    ],
    source: 'https://www.php.net/archive/2012.php#id2012-05-03-1',
    sideEffects: 'patch.defence.sideEffects.phpCgi',
    reviewBy: '2027-06-30',
    check: { path: '{php}?-s', expectStatus: [403], bodyMustNotContain: '<code><span style="color: #000000">', describe: 'patch.defence.check.phpCgi' },
  },
  httpdRange: {
    key: 'httpdRange',
    snippets: [
      { server: 'apache', module: 'mod_setenvif + mod_headers', text: ['SetEnvIf Range (?:,.*?){5,5} bad-range=1', 'RequestHeader unset Range env=bad-range', 'SetEnvIf Request-Range (?:,.*?){5,5} bad-req-range=1', 'RequestHeader unset Request-Range env=bad-req-range'].join('\n') },
      { server: 'apache', module: 'mod_rewrite', text: ['RewriteEngine on', 'RewriteCond %{HTTP:range} !(bytes=[^,]+(,[^,]+){0,4}$|^$)', 'RewriteRule .* - [F]'].join('\n') },
    ],
    source: 'https://httpd.apache.org/security/CVE-2011-3192.txt',
    sideEffects: 'patch.defence.sideEffects.httpdRange',
    reviewBy: '2027-06-30',
    check: { path: '/', headers: { Range: 'bytes=0-1,1-2,2-3,3-4,4-5,5-6' }, expectStatus: [200, 403], describe: 'patch.defence.check.httpdRange' },
  },
  httpoxy: {
    key: 'httpoxy',
    snippets: [
      { server: 'apache', module: 'mod_headers', text: 'RequestHeader unset Proxy early' },
      { server: 'nginx', text: ['# in every location that passes requests to FastCGI (php-fpm) or a proxy', 'fastcgi_param HTTP_PROXY "";', 'proxy_set_header Proxy "";'].join('\n') },
    ],
    source: 'https://httpoxy.org/#fix-now',
    sideEffects: 'patch.defence.sideEffects.httpoxy',
    reviewBy: '2027-06-30',
    check: { path: '{php}', headers: { Proxy: 'http://127.0.0.1:9/' }, bodyMustNotContain: 'http://127.0.0.1:9/', describe: 'patch.defence.check.httpoxy' },
  },
  shellshock: {
    key: 'shellshock',
    snippets: [
      {
        server: 'apache',
        module: 'mod_security',
        text: [
          `SecRule REQUEST_HEADERS "^\\(\\s*\\)\\s+{" "phase:1,deny,id:1000000,t:urlDecode,status:400,log,msg:'CVE-2014-6271 - Bash Attack'"`,
          `SecRule REQUEST_LINE "\\(\\s*\\)\\s+{" "phase:1,deny,id:1000001,status:400,log,msg:'CVE-2014-6271 - Bash Attack'"`,
          `SecRule ARGS_NAMES "^\\(\\s*\\)\\s+{" "phase:2,deny,id:1000002,t:urlDecode,status:400,log,msg:'CVE-2014-6271 - Bash Attack'"`,
          `SecRule ARGS "^\\(\\s*\\)\\s+{" "phase:2,deny,id:1000003,t:urlDecode,status:400,log,msg:'CVE-2014-6271 - Bash Attack'"`,
        ].join('\n'),
      },
      { server: 'apache', text: '# where no CGI is needed: a2dismod cgi cgid (Debian) / comment out LoadModule cgi_module (RHEL), then reload' },
      { server: 'nginx', text: ['# in front of fcgiwrap / CGI back-ends', 'if ($http_user_agent ~ "^\\(\\s*\\)\\s*\\{") { return 400; }', 'if ($http_referer ~ "^\\(\\s*\\)\\s*\\{") { return 400; }', 'if ($http_cookie ~ "^\\(\\s*\\)\\s*\\{") { return 400; }'].join('\n') },
    ],
    source: 'https://access.redhat.com/articles/1200223',
    sideEffects: 'patch.defence.sideEffects.shellshock',
    reviewBy: '2027-06-30',
    check: { path: '/cgi-bin/', headers: { 'User-Agent': '() { :; }; :' }, expectStatus: [400, 403], describe: 'patch.defence.check.shellshock' },
  },
};
