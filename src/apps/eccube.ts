/**
 * EC-CUBE 2.x: `define('ECCUBE_VERSION', '2.13.5');` in data/class/SC_Initial.php (2.11+), older 2.x in
 * data/class/SC_Initial.php too; EC-CUBE 3 and 4: `const VERSION = '4.2.1';` in src/Eccube/Common/Constant.php
 * (patch releases such as `4.0.6-p1`).
 */
import { VERSION_GROUP as V } from '../core/fingerprint.js';
import { firstMatch, type AppFingerprint } from './types.js';

export const eccube2: AppFingerprint = {
  id: 'eccube2',
  component: 'ec-cube',
  confidence: 100,
  files: [
    { path: 'data/class/SC_Initial.php', signature: /ECCUBE_VERSION/, version: firstMatch(/define\(\s*['"]ECCUBE_VERSION['"]\s*,\s*['"]([^'"]+)['"]/) },
    // Installs that moved data/ outside the document root keep only html/; require.php names the data path.
    { path: 'data/class/util/SC_Utils.php', signature: /ECCUBE_VERSION/, version: () => undefined },
  ],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'cookie', pattern: /^(?:eccube|ECSESSID)$/i, confidence: 60 },
    { place: 'meta-generator', pattern: new RegExp(`EC-?CUBE(?: ${V})?`, 'i'), confidence: 80 },
    { place: 'html', pattern: /Powered by EC-?CUBE|<!--\s*EC-?CUBE/i, confidence: 50 },
    { place: 'script-src', pattern: /\/(?:eccube|win_op)\.js(?:\?|$)/i, confidence: 60 },
    { place: 'script-src', pattern: /\/eccube\.legacy\.js/i, confidence: 70, label: 'asset:eccube.legacy.js' },
    { place: 'link', pattern: /\/html\/template\/default\/assets\/|\/html\/bundle\//i, confidence: 60 },
  ],
};

export const eccube34: AppFingerprint = {
  id: 'eccube34',
  component: 'ec-cube',
  confidence: 100,
  files: [{ path: 'src/Eccube/Common/Constant.php', signature: /namespace Eccube\\Common/, version: firstMatch(/const\s+VERSION\s*=\s*['"]([^'"]+)['"]/) }],
};
