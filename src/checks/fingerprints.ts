/**
 * Remote fingerprints of server software and libraries as data (the shape: src/core/fingerprint.ts). The web
 * applications' own rules (EC-CUBE, Welcart, WordPress, KENT-WEB mail forms, Mailform Pro, …) sit with their
 * host fingerprints in src/apps, one file per application; src/probe/fingerprint.ts applies both.
 */
import { VERSION_GROUP as V, type FingerprintRule } from '../core/fingerprint.js';

export type { FingerprintRule, FpPlace } from '../core/fingerprint.js';

/** Server software and libraries; each web application's own rules sit beside its host fingerprint (src/apps). */
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
  // Cookies (product present, no version)
  { component: 'php', place: 'cookie', pattern: /^PHPSESSID$/i, confidence: 40 },
  // Script sources
  { component: 'jquery', place: 'script-src', pattern: /jquery[-.](?<v>\d+\.\d+(?:\.\d+)?)(?:\.min|\.pack|\.slim)*\.js/i, confidence: 80 },
  { component: 'jquery', place: 'script-src', pattern: /\/jquery(?:\.min)?\.js\?ver=(?<v>\d+\.\d+(?:\.\d+)?)/i, confidence: 70 },
];

/** jQuery's banner in the first bytes of the file, for a jquery.js without a version in its name. */
export const JQUERY_BANNER = /jQuery (?:JavaScript Library )?v(\d+\.\d+(?:\.\d+)?)/;

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
