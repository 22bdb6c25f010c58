/**
 * Remote fingerprints as data, in the shape of Wappalyzer's technologies (a regex per place, a version group)
 * with our own Japanese entries (EC-CUBE, Welcart, KENT-WEB mail forms, Mailform Pro). Confidence follows
 * WPScan's ladder: explicit version strings 80, asset/feature presence 50, product-only 40.
 */

export type FpPlace = 'header' | 'cookie' | 'meta-generator' | 'html' | 'script-src' | 'link' | 'form-action' | 'body';

export interface FingerprintRule {
  component: string;
  place: FpPlace;
  /** For `header`: the header name (lower case). */
  header?: string;
  /** A named group `v` carries the version; `slug` a WordPress plugin slug. */
  pattern: RegExp;
  confidence: number;
  /** The label of `detectedBy` (`header:Server`, `meta:generator`…); defaults from the place. */
  label?: string;
}

const V = '(?<v>\\d+(?:\\.\\d+)+[a-z]?)';

export const FINGERPRINTS: readonly FingerprintRule[] = [
  // Server software from banners (each token of Server / X-Powered-By)
  { component: 'apache-httpd', place: 'header', header: 'server', pattern: new RegExp(`\\bApache(?:/${V})?`, 'i'), confidence: 80 },
  { component: 'nginx', place: 'header', header: 'server', pattern: new RegExp(`\\bnginx(?:/${V})?`, 'i'), confidence: 80 },
  { component: 'iis', place: 'header', header: 'server', pattern: new RegExp(`Microsoft-IIS(?:/${V})?`, 'i'), confidence: 80 },
  { component: 'lighttpd', place: 'header', header: 'server', pattern: new RegExp(`lighttpd(?:/${V})?`, 'i'), confidence: 80 },
  { component: 'litespeed', place: 'header', header: 'server', pattern: /LiteSpeed/i, confidence: 60 },
  { component: 'openssl', place: 'header', header: 'server', pattern: /OpenSSL\/(?<v>\d+\.\d+\.\d+[a-z]*)/i, confidence: 80 },
  { component: 'php', place: 'header', header: 'server', pattern: new RegExp(`PHP/${V}`, 'i'), confidence: 80 },
  { component: 'mod_ssl', place: 'header', header: 'server', pattern: new RegExp(`mod_ssl/${V}`, 'i'), confidence: 80 },
  { component: 'mod_perl', place: 'header', header: 'server', pattern: new RegExp(`mod_perl/${V}`, 'i'), confidence: 80 },
  { component: 'php', place: 'header', header: 'x-powered-by', pattern: new RegExp(`PHP(?:/${V})?`, 'i'), confidence: 80 },
  { component: 'asp.net', place: 'header', header: 'x-aspnet-version', pattern: new RegExp(`${V}`), confidence: 80 },
  { component: 'asp.net', place: 'header', header: 'x-powered-by', pattern: /ASP\.NET/i, confidence: 60 },
  { component: 'wordpress', place: 'header', header: 'x-pingback', pattern: /xmlrpc\.php/i, confidence: 60 },
  { component: 'wordpress', place: 'header', header: 'link', pattern: /rel="https:\/\/api\.w\.org\/"/i, confidence: 70 },
  // Cookies (product present, no version)
  { component: 'php', place: 'cookie', pattern: /^PHPSESSID$/i, confidence: 40 },
  { component: 'ec-cube', place: 'cookie', pattern: /^(?:eccube|ECSESSID)$/i, confidence: 60 },
  { component: 'welcart', place: 'cookie', pattern: /^usces_cookie$/i, confidence: 70 },
  { component: 'oscommerce', place: 'cookie', pattern: /^osCsid$/i, confidence: 70 },
  { component: 'zen-cart', place: 'cookie', pattern: /^zenid$/i, confidence: 60 },
  { component: 'wordpress', place: 'cookie', pattern: /^wordpress_(?:logged_in_|sec_|test_cookie)/i, confidence: 60 },
  // Generator meta tags
  { component: 'wordpress', place: 'meta-generator', pattern: new RegExp(`^WordPress(?: ${V})?`, 'i'), confidence: 80 },
  { component: 'movable-type', place: 'meta-generator', pattern: new RegExp(`^Movable Type(?: (?:Pro|Advanced|Premium))?(?: ${V})?`, 'i'), confidence: 80 },
  { component: 'zen-cart', place: 'meta-generator', pattern: /Zen Cart/i, confidence: 70 },
  { component: 'ec-cube', place: 'meta-generator', pattern: new RegExp(`EC-?CUBE(?: ${V})?`, 'i'), confidence: 80 },
  { component: 'oscommerce', place: 'meta-generator', pattern: new RegExp(`osCommerce(?: ${V})?`, 'i'), confidence: 80 },
  // HTML and comments
  { component: 'welcart', place: 'html', pattern: /<!-- Welcart version : v(?<v>\d+(?:\.\d+)+)/i, confidence: 80 },
  { component: 'welcart', place: 'html', pattern: /usces_default(?:\.min)?\.css|uscesL10n/i, confidence: 60 },
  { component: 'ec-cube', place: 'html', pattern: /Powered by EC-?CUBE|<!--\s*EC-?CUBE/i, confidence: 50 },
  { component: 'oscommerce', place: 'html', pattern: /Powered by <a href="https?:\/\/www\.oscommerce\.com|osCommerce (?<v>\d+\.\d+(?:\.\d+)?(?:[- ]?MS\d(?:\.\d+)?)?)/i, confidence: 70 },
  { component: 'zen-cart', place: 'html', pattern: /Powered by <a[^>]+zen-cart\.com|zenid=/i, confidence: 60 },
  { component: 'formmail', place: 'html', pattern: /FormMail<\/a>[\s]+V(?<v>[\d.]+)|Matt Wright[^<]{0,40}FormMail/i, confidence: 70 },
  { component: 'movable-type', place: 'html', pattern: /\/mt-(?:tags|tb|cp|search|user-login|recommend)\.f?cgi/i, confidence: 60 },
  // Script and style sources
  { component: 'ec-cube', place: 'script-src', pattern: /\/(?:eccube|win_op)\.js(?:\?|$)/i, confidence: 60 },
  { component: 'ec-cube', place: 'script-src', pattern: /\/eccube\.legacy\.js/i, confidence: 70, label: 'asset:eccube.legacy.js' },
  { component: 'ec-cube', place: 'link', pattern: /\/html\/template\/default\/assets\/|\/html\/bundle\//i, confidence: 60 },
  { component: 'mailform-pro', place: 'script-src', pattern: /\/mailformpro\/mailformpro\.cgi/i, confidence: 80 },
  { component: 'mailform-pro', place: 'link', pattern: /mfp\.statics\/mailformpro\.css/i, confidence: 70 },
  { component: 'jquery', place: 'script-src', pattern: /jquery[-.](?<v>\d+\.\d+(?:\.\d+)?)(?:\.min|\.pack|\.slim)*\.js/i, confidence: 80 },
  { component: 'jquery', place: 'script-src', pattern: /\/jquery(?:\.min)?\.js\?ver=(?<v>\d+\.\d+(?:\.\d+)?)/i, confidence: 70 },
  { component: 'wordpress', place: 'script-src', pattern: /\/wp-includes\/js\/wp-emoji-release\.min\.js\?ver=(?<v>\d+\.\d+(?:\.\d+)?)/i, confidence: 50, label: 'html:script-src?ver' },
  { component: 'wordpress', place: 'script-src', pattern: /\/wp-(?:includes|content)\//i, confidence: 60 },
  { component: 'wordpress', place: 'link', pattern: /\/wp-(?:includes|content)\//i, confidence: 60 },
  // Mail-form CGIs by form action
  { component: 'kent-postmail', place: 'form-action', pattern: /postmail\.cgi/i, confidence: 80 },
  { component: 'kent-clipmail', place: 'form-action', pattern: /clipmail\.cgi/i, confidence: 80 },
  { component: 'formmail', place: 'form-action', pattern: /formmail\.(?:cgi|pl)|FormMail\.pl/i, confidence: 70 },
  { component: 'mailform-pro', place: 'form-action', pattern: /mailformpro\.cgi/i, confidence: 80 },
];

/** Plugin slugs from `/wp-content/plugins/<slug>/` in HTML (WPScan urls_in_homepage). */
export const WP_PLUGIN_RE = /\/wp-content\/plugins\/([a-z0-9_-]+)\//gi;

/** readme.txt of WordPress plugins: Stable tag 80, else the highest changelog heading 50 (WPScan). */
export function pluginReadmeVersion(text: string): { version: string; confidence: number } | undefined {
  const m = /\b(?:stable tag|version):\s*(?!trunk)([0-9][0-9a-z.-]*)/i.exec(text);
  if (m) return { version: m[1]!, confidence: 80 };
  const heads = [...text.matchAll(/^=+\s*v?(\d+(?:\.\d+)+)\s*=+/gm)].map((x) => x[1]!);
  if (heads.length) return { version: heads.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))[0]!, confidence: 50 };
  return undefined;
}

/** WordPress `/readme.html`: "Version 4.9.8" / "バージョン 4.9.8". */
export function wordpressReadmeVersion(text: string): string | undefined {
  if (!/WordPress/i.test(text)) return undefined;
  return /(?:<br\s*\/?>\s*)?(?:Version|バージョン)\s+(\d+\.\d+(?:\.\d+)?)/i.exec(text)?.[1];
}

/** KENT-WEB readme or script header: `POST-MAIL v5.2` / `postmail.cgi - 2025/08/11`. */
export function kentVersion(text: string): { product: string; version?: string } | undefined {
  const p = /POST[- ]?MAIL/i.test(text) ? 'kent-postmail' : /CLIP[- ]?MAIL/i.test(text) ? 'kent-clipmail' : undefined;
  if (!p) return undefined;
  const v = /(?:POST|CLIP)[- ]?MAIL\s*(?:ver\.?|v)\s*(\d+(?:\.\d+)+)/i.exec(text) ?? /\.cgi\s*-\s*(\d{4}\/\d{2}\/\d{2})/.exec(text);
  return v ? { product: p, version: v[1]!.replaceAll('/', '.') } : { product: p };
}

/**
 * Red Hat-family builds: the versions RHEL/CentOS shipped for years and patched by back-port. With a hint of
 * the distribution (a `(CentOS)`/`(Red Hat)` banner, an `-fips` OpenSSL), such a banner is a distribution build.
 */
export const RHEL_SHIPPED: Readonly<Record<string, readonly string[]>> = {
  php: ['5.1.6', '5.3.3', '5.4.16', '7.2.24', '7.4.33', '8.0.30'],
  'apache-httpd': ['2.2.3', '2.2.15', '2.4.6', '2.4.37', '2.4.57'],
  openssl: ['0.9.8e', '1.0.0', '1.0.1e', '1.0.2k', '1.1.1k', '1.1.1g', '3.0.7'],
  nginx: [],
};

export const DISTRO_HINTS: readonly { re: RegExp; family: string; rhel: boolean }[] = [
  { re: /\((?:CentOS)\)/i, family: 'centos', rhel: true },
  { re: /\(Red Hat(?: Enterprise Linux)?\)|\(RHEL\)/i, family: 'rhel', rhel: true },
  { re: /\(Fedora\)/i, family: 'fedora', rhel: true },
  { re: /\(Amazon\)|\(Amazon Linux\)/i, family: 'amazon', rhel: true },
  { re: /\(AlmaLinux\)/i, family: 'almalinux', rhel: true },
  { re: /\(Rocky Linux\)/i, family: 'rocky', rhel: true },
  { re: /OpenSSL\/[\w.]+-fips/i, family: 'rhel', rhel: true },
  { re: /\.el[5-9]\b/i, family: 'rhel', rhel: true },
  { re: /\(Ubuntu\)|ubuntu/i, family: 'ubuntu', rhel: false },
  { re: /\(Debian\)|[+~-]deb\d/i, family: 'debian', rhel: false },
  { re: /Win32|Win64|\(Windows\)/i, family: 'windows', rhel: false },
];
