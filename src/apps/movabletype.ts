/**
 * Movable Type: lib/MT.pm. Built releases carry the product version in `build_id` and in the
 * `($PRODUCT_NAME, $PRODUCT_CODE, $PRODUCT_VERSION, …) = ('Movable Type', 'MT', '5.2.2', …)` list; MT 3
 * has `$VERSION = '3.35'`.
 */
import { VERSION_GROUP as V } from '../core/fingerprint.js';
import type { AppFingerprint } from './types.js';

export const movabletype: AppFingerprint = {
  id: 'movabletype',
  component: 'movable-type',
  confidence: 95,
  files: [
    {
      path: 'lib/MT.pm',
      signature: /package MT;/,
      version: (text) => {
        const build = /my \$build_id = '(\d[^']*)'/.exec(text)?.[1];
        if (build) return build;
        const list = /\$PRODUCT_VERSION,[\s\S]{0,200}?\)\s*=\s*\(\s*'[^']*',\s*'[^']*',\s*'(\d[^']*)'/.exec(text)?.[1];
        if (list) return list;
        return /\$VERSION\s*=\s*'(\d[^']*)'/.exec(text)?.[1] ?? /\(\s*\$VERSION,\s*\$SCHEMA_VERSION\s*\)\s*=\s*\(\s*'(\d[^']*)'/.exec(text)?.[1];
      },
    },
  ],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'meta-generator', pattern: new RegExp(`^Movable Type(?: (?:Pro|Advanced|Premium))?(?: ${V})?`, 'i'), confidence: 80 },
    { place: 'html', pattern: /\/mt-(?:tags|tb|cp|search|user-login|recommend)\.f?cgi/i, confidence: 60 },
  ],
};
