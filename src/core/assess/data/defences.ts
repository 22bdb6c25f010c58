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
};
