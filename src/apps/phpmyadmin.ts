/**
 * phpMyAdmin: 5.x libraries/classes/Version.php `public const VERSION = '5.2.1' . VERSION_SUFFIX;`
 * (5.0/5.1: `const VERSION = '5.1.3'`); 4.9: libraries/classes/Config.php, 4.0–4.8: libraries/Config.class.php
 * `$this->set('PMA_VERSION', '4.0.10.20');`.
 */
import { firstMatch, type AppFingerprint } from './types.js';

export const phpmyadmin: AppFingerprint = {
  id: 'phpmyadmin',
  component: 'phpmyadmin',
  confidence: 100,
  files: [
    { path: 'libraries/classes/Version.php', signature: /namespace PhpMyAdmin/, version: firstMatch(/const\s+VERSION\s*=\s*'([^']+)'/) },
    { path: 'src/Version.php', signature: /namespace PhpMyAdmin/, version: firstMatch(/const\s+VERSION\s*=\s*'([^']+)'/) },
    { path: 'libraries/classes/Config.php', signature: /PMA_VERSION/, version: firstMatch(/set\(\s*'PMA_VERSION'\s*,\s*'([^']+)'/) },
    { path: 'libraries/Config.class.php', signature: /PMA_VERSION/, version: firstMatch(/set\(\s*'PMA_VERSION'\s*,\s*'([^']+)'/) },
  ],
};
