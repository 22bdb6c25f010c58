/**
 * osCommerce: 2.3.x ships includes/version.php holding only the version (`2.3.4.1`); 2.2 defines
 * `PROJECT_VERSION` ('osCommerce Online Merchant v2.2 RC2a', 'osCommerce 2.2-MS2') in includes/application_top.php.
 */
import { VERSION_GROUP as V } from '../core/fingerprint.js';
import { firstMatch, type AppFingerprint } from './types.js';

export const oscommerce: AppFingerprint = {
  id: 'oscommerce',
  component: 'oscommerce',
  confidence: 95,
  files: [
    { path: 'includes/version.php', signature: /^\s*\d+\.\d+(\.\d+)*\s*$/, version: firstMatch(/^\s*(\d+\.\d+(?:\.\d+)*)\s*$/) },
    {
      path: 'includes/application_top.php',
      signature: /PROJECT_VERSION['"]\s*,\s*['"]osCommerce/,
      version: (text) => {
        const v = /PROJECT_VERSION['"]\s*,\s*['"]osCommerce[^'"]*?v?(\d+\.\d+)[ -]?((?:RC|MS)\d+[a-z]?)?['"]/.exec(text);
        return v ? `${v[1]}${v[2] ? `-${v[2]}` : ''}` : undefined;
      },
    },
  ],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'cookie', pattern: /^osCsid$/i, confidence: 70 },
    { place: 'meta-generator', pattern: new RegExp(`osCommerce(?: ${V})?`, 'i'), confidence: 80 },
    { place: 'html', pattern: /Powered by <a href="https?:\/\/www\.oscommerce\.com|osCommerce (?<v>\d+\.\d+(?:\.\d+)?(?:[- ]?MS\d(?:\.\d+)?)?)/i, confidence: 70 },
  ],
};
