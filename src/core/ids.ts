/**
 * Stable finding ids: the same problem gets the same id on the next scan, so baselines and ignore files
 * work. The id is the category's short prefix and a 64-bit FNV-1a hash of the subject's parts (pure TS, no
 * node:crypto: src/core stays free of I/O modules).
 */
import type { Category } from './model.js';

const PREFIX: Record<Category, string> = {
  vulnerability: 'VULN',
  'missing-security-update': 'UPD',
  'end-of-life': 'EOL',
  'outdated-application': 'APP',
  'personal-data-exposure': 'PII',
  'sensitive-file-exposure': 'FILE',
  'plaintext-transport': 'PLN',
  'weak-tls': 'TLS',
  certificate: 'CERT',
  'security-header': 'HDR',
  cookie: 'COOKIE',
  'information-disclosure': 'INFO',
};

export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/**
 * `findingId('vulnerability', 'php', '5.3.3', 'CVE-2012-1823')` → `VULN-3f0c…`. Pass the subject's parts
 * that identify the problem (check id, package or component, location, CVE), never volatile data
 * (timestamps, counts, response times).
 */
export function findingId(category: Category, ...parts: readonly string[]): string {
  return `${PREFIX[category]}-${fnv1a64([category, ...parts].join('\u0000')).slice(0, 12)}`;
}
