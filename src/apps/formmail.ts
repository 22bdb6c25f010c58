/** Matt's Script Archive FormMail: `# FormMail                        Version 1.92` (not NMS FormMail, a rewrite). */
import { firstMatch, type AppFingerprint } from './types.js';

export const formmail: AppFingerprint = {
  id: 'formmail',
  component: 'formmail',
  confidence: 95,
  files: [{ name: /^formmail\.(cgi|pl)$/i, signature: /Matt Wright|scriptarchive\.com/i, version: firstMatch(/^#\s*FormMail\s+Version\s+(\d+\.\d+[a-z]?)/m) }],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'html', pattern: /FormMail<\/a>[\s]+V(?<v>[\d.]+)|Matt Wright[^<]{0,40}FormMail/i, confidence: 70 },
    { place: 'form-action', pattern: /formmail\.(?:cgi|pl)|FormMail\.pl/i, confidence: 70 },
  ],
};
