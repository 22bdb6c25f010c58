/**
 * bzip2, as Red Hat and Oracle publish their OVAL XML (`rhel-7.oval.xml.bz2`), decoded with seek-bzip (pure
 * JavaScript) into a bounded output: a stream that would decompress past `max` bytes is refused.
 */
import Bunzip from 'seek-bzip';

export function isBzip2(b: Uint8Array): boolean {
  // "BZh" + block size '1'..'9' + the block magic 0x314159265359 (pi).
  return b.length >= 10 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68 && b[3]! >= 0x31 && b[3]! <= 0x39 && b[4] === 0x31 && b[5] === 0x41 && b[6] === 0x59;
}

export function bunzip2Bounded(b: Uint8Array, max: number): Uint8Array {
  const chunks: Buffer[] = [];
  let cur = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  let total = 0;
  const out = {
    writeByte(byte: number) {
      if (pos === cur.length) {
        chunks.push(cur);
        cur = Buffer.allocUnsafe(Math.min(cur.length * 2, 64 << 20));
        pos = 0;
      }
      if (++total > max) throw new Error(`decompresses to more than ${max} bytes`);
      cur[pos++] = byte;
    },
  };
  try {
    Bunzip.decode(Buffer.from(b.buffer, b.byteOffset, b.byteLength), out, true);
  } catch (err) {
    const m = (err as Error).message;
    throw new Error(/decompresses to more/.test(m) ? m : `not a readable bzip2 stream (${m})`);
  }
  chunks.push(cur.subarray(0, pos));
  return Buffer.concat(chunks, total);
}
