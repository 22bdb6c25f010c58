import type { FingerprintRule } from '../core/fingerprint.js';

/** A web application fingerprint, as data: which file identifies it and how its version is read from it. */
export interface VersionFile {
  /** Path of the file relative to the application's root (`wp-includes/version.php`). */
  path?: string;
  /** Or: a file name pattern anywhere (`postmail.cgi`); the application root is the file's directory. */
  name?: RegExp;
  /** The file must contain this to count (guards against a same-named file of another program). */
  signature?: RegExp;
  /** The version, from the file's text (read as latin1 so Shift_JIS/EUC-JP headers still match ASCII). */
  version: (text: string) => string | undefined;
}

export interface SiteVersionFile {
  path: string;
  maxBytes: number;
  version: (text: string) => string | undefined;
  confidence: number;
}

export interface AppFingerprint {
  /** Stable id of the fingerprint (`eccube2`). */
  id: string;
  /** The component name the assessment matches (`ec-cube`). */
  component: string;
  files: VersionFile[];
  /** 0–100: how sure a match is. */
  confidence: number;
  /** Version files a site scan reads over HTTP once the application was seen (paths from the site's root). */
  site?: readonly SiteVersionFile[];
  /** The application's remote fingerprints (site scans), without the component (it is this one's). */
  remote?: readonly Omit<FingerprintRule, 'component'>[];
}

/** First capture group of the first regex that matches. */
export const firstMatch =
  (...res: RegExp[]) =>
  (text: string): string | undefined => {
    for (const re of res) {
      const m = re.exec(text);
      if (m?.[1]) return m[1];
    }
    return undefined;
  };
