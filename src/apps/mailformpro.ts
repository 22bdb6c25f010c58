/**
 * Mailform Pro (SYNCK GRAPHICA), a Perl CGI mail form: mailformpro/mailformpro.cgi with the version in its
 * config (`$config{'version'} = '4.3.1';`) or header comments (`mailform pro Ver.3.0.0`).
 */
import { firstMatch, type AppFingerprint } from './types.js';

const version = firstMatch(
  /\$config\{\s*['"]?ver(?:sion)?['"]?\s*\}\s*=\s*['"](\d+(?:\.\d+)+)['"]/i,
  /mail\s*form\s*pro[^\n]{0,40}?ver(?:sion)?\.?\s*(\d+(?:\.\d+)+)/i,
);

export const mailformpro: AppFingerprint = {
  id: 'mailformpro',
  component: 'mailform-pro',
  confidence: 90,
  files: [
    { name: /^mailformpro\.cgi$/, signature: /mailform\s*pro|mfp|SYNCK/i, version },
    { name: /^(config|functions)\.cgi$/, signature: /mail\s*form\s*pro/i, version },
  ],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'script-src', pattern: /\/mailformpro\/mailformpro\.cgi/i, confidence: 80 },
    { place: 'link', pattern: /mfp\.statics\/mailformpro\.css/i, confidence: 70 },
    { place: 'form-action', pattern: /mailformpro\.cgi/i, confidence: 80 },
  ],
};
