/** Zen Cart: includes/version.php `define('PROJECT_VERSION_MAJOR', '1'); define('PROJECT_VERSION_MINOR', '5.7d');`. */
import type { AppFingerprint } from './types.js';

export const zencart: AppFingerprint = {
  id: 'zencart',
  component: 'zen-cart',
  confidence: 100,
  files: [
    {
      path: 'includes/version.php',
      signature: /PROJECT_VERSION_MAJOR/,
      version: (text) => {
        const major = /define\(\s*['"]PROJECT_VERSION_MAJOR['"]\s*,\s*['"]([^'"]+)['"]/.exec(text)?.[1];
        const minor = /define\(\s*['"]PROJECT_VERSION_MINOR['"]\s*,\s*['"]([^'"]+)['"]/.exec(text)?.[1];
        return major && minor ? `${major}.${minor}` : undefined;
      },
    },
  ],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'cookie', pattern: /^zenid$/i, confidence: 60 },
    { place: 'meta-generator', pattern: /Zen Cart/i, confidence: 70 },
    { place: 'html', pattern: /Powered by <a[^>]+zen-cart\.com|zenid=/i, confidence: 60 },
  ],
};
