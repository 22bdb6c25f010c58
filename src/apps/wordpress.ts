/** WordPress core: `$wp_version = '4.9.8';` in wp-includes/version.php (every release since 1.5). */
import { VERSION_GROUP as V } from '../core/fingerprint.js';
import { firstMatch, type AppFingerprint } from './types.js';

export const wordpress: AppFingerprint = {
  id: 'wordpress',
  component: 'wordpress',
  confidence: 100,
  files: [{ path: 'wp-includes/version.php', signature: /\$wp_version\s*=/, version: firstMatch(/\$wp_version\s*=\s*['"]([^'"]+)['"]/) }],
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
