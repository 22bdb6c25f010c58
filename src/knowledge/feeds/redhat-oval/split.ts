/**
 * Red Hat's OVAL streams unpack to hundreds of MB (RHEL 8's is near the longest string JavaScript can hold):
 * a large `oval_definitions` document is cut into parts of whole `<definition>` elements, each a small valid
 * document of its own (the tests, objects and states after the definitions are not used by the parser).
 */
const OPEN = Buffer.from('<definitions>');
const CLOSE_DEF = Buffer.from('</definition>');
const CLOSE_DEFS = Buffer.from('</definitions>');

export const OVAL_SPLIT_BYTES = 48 * 1024 * 1024;

export function isLargeOval(b: Uint8Array, limit = OVAL_SPLIT_BYTES): boolean {
  return b.length > limit && Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 4096)).toString('latin1').includes('<oval_definitions');
}

/** Parts of at most about `size` bytes, each `head + <definitions> … </definitions></oval_definitions>`. */
export function splitOval(bytes: Uint8Array, size = OVAL_SPLIT_BYTES): Uint8Array[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const open = b.indexOf(OPEN);
  const end = b.indexOf(CLOSE_DEFS, open);
  if (open < 0 || end < 0) return [bytes];
  const head = b.subarray(0, open + OPEN.length);
  const tail = Buffer.from('\n</definitions>\n</oval_definitions>\n');
  const parts: Uint8Array[] = [];
  let from = open + OPEN.length;
  while (from < end) {
    let cut = Math.min(end, from + size);
    if (cut < end) {
      const next = b.indexOf(CLOSE_DEF, cut);
      cut = next < 0 || next > end ? end : next + CLOSE_DEF.length;
    }
    parts.push(Buffer.concat([head, b.subarray(from, cut), tail]));
    from = cut;
  }
  return parts.length ? parts : [bytes];
}
