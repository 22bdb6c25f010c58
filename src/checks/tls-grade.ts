/**
 * A TLS grade in the manner of testssl.sh ≥3.2 `run_rating` / the SSL Labs Server Rating Guide:
 * protocol 30% + key exchange 30% + cipher strength 40%, each category (best + worst) / 2, bands 80/65/50/35/20,
 * then caps (`set_grade_cap`): SSLv2, export or < 112-bit suites, NULL/anonymous → F; TLS 1.2 missing → C;
 * SSLv3, TLS 1.0/1.1, RC4, untrusted chain → B; A+ needs HSTS. Also the Mozilla profile the server fits.
 */

export const PROTOCOLS = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

const PROTOCOL_SCORE: Record<Protocol, number> = { SSLv2: 0, SSLv3: 80, TLSv1: 90, 'TLSv1.1': 95, 'TLSv1.2': 100, 'TLSv1.3': 100 };

export interface TlsFacts {
  protocols: Protocol[];
  weakFamilies: string[];
  /** Key bits of the leaf (RSA modulus or EC field size converted to RSA-equivalent). */
  keyBits?: number;
  keyType?: string;
  /** Strongest symmetric bits negotiated in a modern handshake (256 for AES-256/ChaCha20). */
  bestCipherBits?: number;
  trusted: boolean;
  hostnameOk: boolean;
  expired: boolean;
  weakSignature: boolean;
  hsts: boolean;
}

export interface TlsGrade {
  grade: string;
  /** The letter when trust issues (T/M) are ignored. */
  gradeIfTrusted: string;
  score: number;
  caps: { cap: string; reason: string }[];
  mozilla: 'modern' | 'intermediate' | 'old' | 'none';
}

function keyScore(bits: number | undefined, type: string | undefined): number {
  if (bits === undefined) return 90;
  const rsaEq = type === 'EC' ? (bits >= 384 ? 7680 : bits >= 256 ? 3072 : 2048) : bits;
  if (rsaEq < 512) return 20;
  if (rsaEq < 1024) return 40;
  if (rsaEq < 2048) return 80;
  if (rsaEq < 4096) return 90;
  return 100;
}

const cipherBitsScore = (bits: number): number => (bits === 0 ? 0 : bits < 128 ? 20 : bits < 256 ? 80 : 100);

export function gradeTls(f: TlsFacts): TlsGrade {
  const offered = PROTOCOLS.filter((p) => f.protocols.includes(p));
  const caps: { cap: string; reason: string }[] = [];
  if (offered.length === 0) return { grade: 'T', gradeIfTrusted: 'T', score: 0, caps: [{ cap: 'T', reason: 'no protocol offered' }], mozilla: 'none' };
  const pScores = offered.map((p) => PROTOCOL_SCORE[p]);
  const protocolScore = (Math.max(...pScores) + Math.min(...pScores)) / 2;
  const ks = keyScore(f.keyBits, f.keyType);
  const best = f.bestCipherBits ?? 128;
  let worstBits = best;
  if (f.weakFamilies.includes('null') || f.weakFamilies.includes('anon')) worstBits = Math.min(worstBits, 0);
  if (f.weakFamilies.includes('export')) worstBits = Math.min(worstBits, 40);
  if (f.weakFamilies.includes('des')) worstBits = Math.min(worstBits, 56);
  if (f.weakFamilies.includes('3des')) worstBits = Math.min(worstBits, 112);
  if (f.weakFamilies.includes('rc4')) worstBits = Math.min(worstBits, 128);
  const cipherScore = (cipherBitsScore(best) + cipherBitsScore(worstBits)) / 2;
  let score = protocolScore * 0.3 + ks * 0.3 + cipherScore * 0.4;
  if (protocolScore === 0 || ks === 0 || cipherScore === 0) score = 0;
  score = Math.round(score);
  let grade = score >= 80 ? 'A' : score >= 65 ? 'B' : score >= 50 ? 'C' : score >= 35 ? 'D' : score >= 20 ? 'E' : 'F';

  const cap = (c: string, reason: string) => caps.push({ cap: c, reason });
  if (offered.includes('SSLv2')) cap('F', 'SSLv2 offered');
  if (f.weakFamilies.includes('export')) cap('F', 'export cipher suites offered');
  if (f.weakFamilies.includes('null')) cap('F', 'NULL cipher suites offered');
  if (f.weakFamilies.includes('anon')) cap('F', 'anonymous (unauthenticated) cipher suites offered');
  if (f.weakFamilies.includes('des')) cap('F', 'cipher suites below 112 bits offered');
  if (f.keyBits !== undefined && f.keyType !== 'EC' && f.keyBits < 1024) cap('F', 'insecure key size');
  if (f.expired) cap('T', 'certificate expired');
  if (!f.hostnameOk) cap('M', 'certificate name mismatch');
  if (offered.includes('SSLv3') && offered.every((p) => p === 'SSLv3' || p === 'SSLv2')) cap('F', 'SSLv3 is the best protocol');
  if (!offered.includes('TLSv1.2') && !offered.includes('TLSv1.3')) cap('C', 'TLS 1.2 not offered');
  if (f.weakFamilies.includes('3des') && offered.includes('TLSv1.1')) cap('C', 'SWEET32 (64-bit block ciphers) with TLS 1.1');
  if (offered.includes('SSLv3')) cap('B', 'SSLv3 offered');
  if (offered.includes('TLSv1')) cap('B', 'TLS 1.0 offered');
  if (offered.includes('TLSv1.1')) cap('B', 'TLS 1.1 offered');
  if (f.weakFamilies.includes('rc4')) cap('B', 'RC4 offered');
  if (f.weakFamilies.includes('3des')) cap('B', '3DES (64-bit block) offered');
  if (!f.trusted) cap('T', 'chain of trust not OK');
  if (f.weakSignature) cap('F', 'MD5/SHA-1 signature on the certificate');
  const order = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F'];
  for (const c of caps) if (order.includes(c.cap) && order.indexOf(c.cap) > order.indexOf(grade)) grade = c.cap;
  if (grade === 'A' && f.hsts && caps.length === 0) grade = 'A+';
  // Trust problems (T) and name mismatch (M) replace the letter, as SSL Labs shows them; the letter stays.
  const gradeIfTrusted = grade;
  const trust = caps.find((c) => c.cap === 'T') ?? caps.find((c) => c.cap === 'M');
  if (trust) grade = trust.cap;

  const legacy = offered.some((p) => p === 'SSLv2' || p === 'SSLv3') || f.weakFamilies.some((w) => w !== '3des');
  const mozilla = legacy
    ? 'none'
    : offered.includes('TLSv1') || offered.includes('TLSv1.1') || f.weakFamilies.includes('3des')
      ? 'old'
      : offered.every((p) => p === 'TLSv1.3')
        ? 'modern'
        : 'intermediate';
  return { grade, gradeIfTrusted, score, caps, mozilla };
}
