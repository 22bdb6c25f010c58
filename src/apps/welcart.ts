/** Welcart (usc-e-shop WordPress plugin): `define('USCES_VERSION', '2.8.10.2206201');` and the `Version:` header. */
import { firstMatch, type AppFingerprint } from './types.js';

export const welcart: AppFingerprint = {
  id: 'welcart',
  component: 'welcart',
  confidence: 100,
  files: [
    {
      path: 'usc-e-shop.php',
      signature: /USCES_VERSION|Welcart/,
      // The header Version (1.9.31) is the release; USCES_VERSION appends a build stamp (1.9.31.2007081).
      version: firstMatch(/^[ \t*]*Version:\s*(\S+)/m, /define\(\s*['"]USCES_VERSION['"]\s*,\s*['"]([^'"]+)['"]/),
    },
  ],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'cookie', pattern: /^usces_cookie$/i, confidence: 70 },
    { place: 'html', pattern: /<!-- Welcart version : v(?<v>\d+(?:\.\d+)+)/i, confidence: 80 },
    { place: 'html', pattern: /usces_default(?:\.min)?\.css|uscesL10n/i, confidence: 60 },
  ],
};
