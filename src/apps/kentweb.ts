/**
 * KENT-WEB CGI scripts. The version is the date in the header comment:
 *   #│ POST-MAIL : postmail.cgi - 2022/03/19      (current)
 *   #│ POST-MAIL v5.6 (2019/03/02)                   (older)
 * reported as `2022.03.19` (sortable).
 */
import type { AppFingerprint } from './types.js';

const dated = (product: string) => (text: string) => {
  const m = new RegExp(`${product}[^\\n]{0,40}?(\\d{4})/(\\d{1,2})/(\\d{1,2})`, 'i').exec(text);
  return m ? `${m[1]}.${m[2]!.padStart(2, '0')}.${m[3]!.padStart(2, '0')}` : undefined;
};

export const kentPostmail: AppFingerprint = {
  id: 'kent-postmail',
  component: 'kent-postmail',
  confidence: 95,
  files: [{ name: /^postmail\.cgi$/, signature: /POST-?MAIL\s*(?::|v\d|\()|kent-?web/i, version: dated('POST-?MAIL') }],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'form-action', pattern: /postmail\.cgi/i, confidence: 80 },
  ],
};

export const kentClipmail: AppFingerprint = {
  id: 'kent-clipmail',
  component: 'kent-clipmail',
  confidence: 95,
  files: [{ name: /^clipmail\.cgi$/, signature: /CLIP[- ]?MAIL\s*(?::|v\d|\()|kent-?web/i, version: dated('CLIP[- ]?MAIL') }],
  /** Seen from outside (site scans): response headers, cookies, generator tags, HTML, asset and form URLs. */
  remote: [
    { place: 'form-action', pattern: /clipmail\.cgi/i, confidence: 80 },
  ],
};

/** KENT-WEB readme or script header: `POST-MAIL v5.2` / `postmail.cgi - 2025/08/11`. */
export function kentVersion(text: string): { product: string; version?: string } | undefined {
  const p = /POST[- ]?MAIL/i.test(text) ? 'kent-postmail' : /CLIP[- ]?MAIL/i.test(text) ? 'kent-clipmail' : undefined;
  if (!p) return undefined;
  const v = /(?:POST|CLIP)[- ]?MAIL\s*(?:ver\.?|v)\s*(\d+(?:\.\d+)+)/i.exec(text) ?? /\.cgi\s*-\s*(\d{4}\/\d{2}\/\d{2})/.exec(text);
  return v ? { product: p, version: v[1]!.replaceAll('/', '.') } : { product: p };
}
