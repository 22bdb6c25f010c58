/**
 * Configuration snippets for the server actually found: one per web server (Apache httpd, nginx, lighttpd)
 * and PHP, each with the versions that have the setting (`session.cookie_samesite` exists from PHP 7.3,
 * `session.cookie_httponly` from 5.2; Apache's `+TLSv1.3` from 2.4.36; nginx's `TLSv1.3` from 1.13.0).
 * `fitSnippets` keeps the snippets of the servers the scan saw (all of them when it saw none) and drops a
 * setting the found version does not have, so an owner never pastes a line their server rejects.
 * Sources: the servers' own directive references (httpd.apache.org/docs/2.4/mod/, nginx.org/en/docs/,
 * redmine.lighttpd.net/projects/lighttpd/wiki/Docs_ConfigurationOptions) and php.net/manual/en/session.configuration.php.
 */

/** Dotted numeric versions compared part by part (`2.2.15` < `2.4.36`); letters and suffixes ignored. */
export function compareLoose(a: string, b: string): number {
  const pa = a.match(/\d+/g)?.map(Number) ?? [];
  const pb = b.match(/\d+/g)?.map(Number) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

export type SnippetServer = 'apache' | 'nginx' | 'lighttpd' | 'php';

export interface Snippet {
  server: SnippetServer;
  text: string;
  /** The versions of that server (PHP for `php`) that have this setting: `min` inclusive, `below` exclusive. */
  min?: string;
  below?: string;
}

/** What the scan saw: web servers with their versions (when known) and PHP's version. */
export interface Stack {
  servers: { server: Exclude<SnippetServer, 'php'>; version?: string }[];
  php?: { version?: string };
}

const LABEL: Record<SnippetServer, string> = { apache: 'Apache', nginx: 'nginx', lighttpd: 'lighttpd', php: 'php.ini' };

const inRange = (s: Snippet, version: string | undefined): boolean => {
  if (!version) return s.min === undefined && s.below === undefined ? true : !s.below;
  if (s.min && compareLoose(version, s.min) < 0) return false;
  if (s.below && compareLoose(version, s.below) >= 0) return false;
  return true;
};

/**
 * The snippets that fit `stack`, one line each, labelled by server. An unknown version keeps the snippets
 * valid on every version (and those with only a minimum, the usual case today) but drops ones for old
 * versions only. Undefined when nothing fits.
 */
export function fitSnippets(snippets: readonly Snippet[], stack: Stack): string | undefined {
  const seen = new Set(stack.servers.map((s) => s.server));
  const out: string[] = [];
  for (const s of snippets) {
    if (s.server === 'php') {
      if (!inRange(s, stack.php?.version)) continue;
    } else if (seen.size) {
      const found = stack.servers.filter((x) => x.server === s.server);
      if (!found.length || !found.some((x) => inRange(s, x.version))) continue;
    } else if (s.below) continue;
    const line = `${LABEL[s.server]}: ${s.text}`;
    if (!out.includes(line)) out.push(line);
  }
  return out.length ? out.join('\n') : undefined;
}

const TLS: Snippet[] = [
  { server: 'apache', text: 'SSLProtocol -all +TLSv1.2 +TLSv1.3', min: '2.4.36' },
  { server: 'apache', text: 'SSLProtocol -all +TLSv1.2', below: '2.4.36' },
  { server: 'nginx', text: 'ssl_protocols TLSv1.2 TLSv1.3;', min: '1.13.0' },
  { server: 'nginx', text: 'ssl_protocols TLSv1.2;', below: '1.13.0' },
  { server: 'lighttpd', text: 'ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2")', min: '1.4.48' },
];

/** Snippets per check id (src/checks/catalog.ts). */
export const SNIPPETS: Readonly<Record<string, readonly Snippet[]>> = {
  'exposure.listing': [
    { server: 'apache', text: 'Options -Indexes' },
    { server: 'nginx', text: 'autoindex off;' },
    { server: 'lighttpd', text: 'dir-listing.activate = "disable"' },
  ],
  'exposure.git': [
    { server: 'apache', text: 'RedirectMatch 404 /\\.(git|svn|env)' },
    { server: 'nginx', text: 'location ~ /\\.(git|svn|env) { deny all; }' },
    { server: 'lighttpd', text: '$HTTP["url"] =~ "^/\\.(git|svn|env)" { url.access-deny = ("") }' },
  ],
  'transport.no-redirect': [
    { server: 'apache', text: 'RewriteEngine on / RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]' },
    { server: 'nginx', text: 'server { listen 80; return 301 https://$host$request_uri; }' },
    { server: 'lighttpd', text: '$HTTP["scheme"] == "http" { url.redirect = ("" => "https://${url.authority}${url.path}${qsa}") }', min: '1.4.50' },
  ],
  'header.hsts': [
    { server: 'apache', text: 'Header always set Strict-Transport-Security "max-age=31536000"' },
    { server: 'nginx', text: 'add_header Strict-Transport-Security "max-age=31536000" always;', min: '1.7.5' },
    { server: 'nginx', text: 'add_header Strict-Transport-Security "max-age=31536000";', below: '1.7.5' },
    { server: 'lighttpd', text: 'setenv.add-response-header = ("Strict-Transport-Security" => "max-age=31536000")' },
  ],
  'header.csp': [
    { server: 'apache', text: 'Header always set Content-Security-Policy-Report-Only "default-src \'self\'; frame-ancestors \'self\'"' },
    { server: 'nginx', text: 'add_header Content-Security-Policy-Report-Only "default-src \'self\'; frame-ancestors \'self\'" always;', min: '1.7.5' },
    { server: 'nginx', text: 'add_header Content-Security-Policy-Report-Only "default-src \'self\'; frame-ancestors \'self\'";', below: '1.7.5' },
    { server: 'lighttpd', text: 'setenv.add-response-header = ("Content-Security-Policy-Report-Only" => "default-src \'self\'; frame-ancestors \'self\'")' },
  ],
  'header.x-frame-options': [
    { server: 'apache', text: 'Header always set X-Frame-Options SAMEORIGIN' },
    { server: 'nginx', text: 'add_header X-Frame-Options SAMEORIGIN always;', min: '1.7.5' },
    { server: 'nginx', text: 'add_header X-Frame-Options SAMEORIGIN;', below: '1.7.5' },
    { server: 'lighttpd', text: 'setenv.add-response-header = ("X-Frame-Options" => "SAMEORIGIN")' },
  ],
  'header.x-content-type-options': [
    { server: 'apache', text: 'Header always set X-Content-Type-Options nosniff' },
    { server: 'nginx', text: 'add_header X-Content-Type-Options nosniff always;', min: '1.7.5' },
    { server: 'nginx', text: 'add_header X-Content-Type-Options nosniff;', below: '1.7.5' },
    { server: 'lighttpd', text: 'setenv.add-response-header = ("X-Content-Type-Options" => "nosniff")' },
  ],
  // session.cookie_samesite exists from PHP 7.3; before it, Apache's mod_headers adds the attribute.
  'cookie.session-flags': [
    { server: 'php', text: 'session.cookie_secure = 1, session.cookie_httponly = 1, session.cookie_samesite = "Lax"', min: '7.3.0' },
    { server: 'php', text: 'session.cookie_secure = 1, session.cookie_httponly = 1 (SameSite needs PHP 7.3 or the web server)', min: '5.2.0', below: '7.3.0' },
    { server: 'php', text: 'session.cookie_secure = 1 (HttpOnly needs PHP 5.2; SameSite needs PHP 7.3 or the web server)', below: '5.2.0' },
    { server: 'apache', text: 'Header always edit Set-Cookie "^(PHPSESSID=.*)$" "$1; SameSite=Lax"', min: '2.2.4' },
    { server: 'nginx', text: 'proxy_cookie_flags PHPSESSID secure httponly samesite=lax;  (proxied back-ends only)', min: '1.19.3' },
  ],
  'info.version-banner': [
    { server: 'apache', text: 'ServerTokens Prod / ServerSignature Off' },
    { server: 'nginx', text: 'server_tokens off;' },
    { server: 'lighttpd', text: 'server.tag = ""' },
    { server: 'php', text: 'expose_php = Off' },
  ],
  'tls.sslv2': TLS,
  'tls.sslv3': TLS,
  'tls.tls10': TLS,
  'tls.tls11': TLS,
  'tls.weak-cipher': [
    { server: 'apache', text: 'SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305' },
    { server: 'nginx', text: 'ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;' },
    { server: 'lighttpd', text: 'ssl.openssl.ssl-conf-cmd = ("CipherString" => "ECDHE+AESGCM:ECDHE+CHACHA20")', min: '1.4.48' },
  ],
};
