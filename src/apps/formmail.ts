/** Matt's Script Archive FormMail: `# FormMail                        Version 1.92` (not NMS FormMail, a rewrite). */
import { firstMatch, type AppFingerprint } from './types.js';

export const formmail: AppFingerprint = {
  id: 'formmail',
  component: 'formmail',
  confidence: 95,
  files: [{ name: /^formmail\.(cgi|pl)$/i, signature: /Matt Wright|scriptarchive\.com/i, version: firstMatch(/^#\s*FormMail\s+Version\s+(\d+\.\d+[a-z]?)/m) }],
};
