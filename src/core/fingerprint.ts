/**
 * The shape of a remote fingerprint (src/checks/fingerprints.ts for server software and libraries, each web
 * application's file in src/apps for its own): a regex per place in a response, in the shape of Wappalyzer's
 * technologies. Confidence follows WPScan's ladder: explicit version strings 80, asset/feature presence 50,
 * product-only 40.
 */

export type FpPlace = 'header' | 'cookie' | 'meta-generator' | 'html' | 'script-src' | 'link' | 'form-action' | 'body';

export interface FingerprintRule {
  component: string;
  place: FpPlace;
  /** For `header`: the header name (lower case). */
  header?: string;
  /** A named group `v` carries the version; `slug` a WordPress plugin slug. */
  pattern: RegExp;
  confidence: number;
  /** The label of `detectedBy` (`header:Server`, `meta:generator`…); defaults from the place. */
  label?: string;
}

/** A dotted version as the named group `v` (`2.4.6`, `5.3.3`, `1.0.2k`). */
export const VERSION_GROUP = '(?<v>\\d+(?:\\.\\d+)+[a-z]?)';
