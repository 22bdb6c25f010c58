/** WordPress core: `$wp_version = '4.9.8';` in wp-includes/version.php (every release since 1.5). */
import { VERSION_GROUP as V } from '../core/fingerprint.js';
import { firstMatch, type AppFingerprint } from './types.js';

export const wordpress: AppFingerprint = {
  id: 'wordpress',
  component: 'wordpress',
  confidence: 100,
  files: [{ path: 'wp-includes/version.php', signature: /\$wp_version\s*=/, version: firstMatch(/\$wp_version\s*=\s*['"]([^'"]+)['"]/) }],
  /** Read over HTTP once WordPress was seen on a site. */
  site: [{ path: '/readme.html', maxBytes: 16 * 1024, version: (text) => wordpressReadmeVersion(text), confidence: 70 }],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'header', header: 'x-pingback', pattern: /xmlrpc\.php/i, confidence: 60 },
    { place: 'header', header: 'link', pattern: /rel="https:\/\/api\.w\.org\/"/i, confidence: 70 },
    { place: 'cookie', pattern: /^wordpress_(?:logged_in_|sec_|test_cookie)/i, confidence: 60 },
    { place: 'meta-generator', pattern: new RegExp(`^WordPress(?: ${V})?`, 'i'), confidence: 80 },
    { place: 'script-src', pattern: /\/wp-includes\/js\/wp-emoji-release\.min\.js\?ver=(?<v>\d+\.\d+(?:\.\d+)?)/i, confidence: 50, label: 'html:script-src?ver' },
    { place: 'script-src', pattern: /\/wp-(?:includes|content)\//i, confidence: 60 },
    { place: 'link', pattern: /\/wp-(?:includes|content)\//i, confidence: 60 },
  ],
};

/** `Version: 1.2.3` in a plugin's main file header or a theme's style.css. */
export const headerVersion = firstMatch(/^[ \t/*#@]*Version:\s*([^\s*]+)/im);
/** `Stable tag: 1.2.3` in readme.txt (the latest published version; a fallback with lower confidence). */
export const stableTag = firstMatch(/^[ \t]*Stable tag:\s*([^\s]+)/im);
/** A plugin main file has `Plugin Name:` in its header comment. */
export const isPluginMain = (text: string) => /^[ \t/*#@]*Plugin Name:/im.test(text);

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
