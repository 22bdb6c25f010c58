/** WordPress core: `$wp_version = '4.9.8';` in wp-includes/version.php (every release since 1.5). */
import { firstMatch, type AppFingerprint } from './types.js';

export const wordpress: AppFingerprint = {
  id: 'wordpress',
  component: 'wordpress',
  confidence: 100,
  files: [{ path: 'wp-includes/version.php', signature: /\$wp_version\s*=/, version: firstMatch(/\$wp_version\s*=\s*['"]([^'"]+)['"]/) }],
};

/** `Version: 1.2.3` in a plugin's main file header or a theme's style.css. */
export const headerVersion = firstMatch(/^[ \t/*#@]*Version:\s*([^\s*]+)/im);
/** `Stable tag: 1.2.3` in readme.txt (the latest published version; a fallback with lower confidence). */
export const stableTag = firstMatch(/^[ \t]*Stable tag:\s*([^\s]+)/im);
/** A plugin main file has `Plugin Name:` in its header comment. */
export const isPluginMain = (text: string) => /^[ \t/*#@]*Plugin Name:/im.test(text);
