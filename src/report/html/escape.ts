/** HTML escaping for text and attribute values: everything from the document goes through here. */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A safe fragment id from any text (letters, digits and dashes only). */
export function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

/**
 * Defence in depth for evidence: collectors already mask personal data, but a full e-mail address or
 * Japanese phone number that slipped through is masked again here (never unmasked).
 */
export function maskPersonal(s: string): string {
  return s
    .replace(/\b([A-Za-z0-9._%+-]{1,2})[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b/g, (m, head: string) => `${head}***@${m.slice(m.indexOf('@') + 1)}`)
    .replace(/\b(0\d{1,4})[-(]?\d{1,4}[-)]?(\d{4})\b/g, (m, a: string, b: string) => (m.includes('*') ? m : `${a}-****-${b}`));
}
