/**
 * TLS assessment of one endpoint: protocol versions TLS 1.0–1.3 through Node's TLS (`@SECLEVEL=0`, min = max
 * = the version, one bounded connection each), SSLv2/SSLv3 and weak suite families through hand-built
 * ClientHellos (sslhello.ts), and the certificate (chain against the system store plus --ca, expiry, host
 * name, key size, signature algorithm). An optional deadline signal cuts handshakes in flight and skips the rest;
 * what was not decided is listed in `notChecked` (never reported as "not offered").
 */
import { connect, rootCertificates, checkServerIdentity, type PeerCertificate, type DetailedPeerCertificate, type SecureVersion } from 'node:tls';
import { rawHello, WEAK_SUITES, type WeakFamily } from './sslhello.js';
import type { Protocol } from '../checks/tls-grade.js';

export interface ProtocolProbe {
  protocol: Protocol;
  offered: boolean;
  /** How it was decided: `node-tls` or `raw-hello`. */
  via: string;
  cipher?: string;
  reason?: string;
}

export interface CertFacts {
  subject: string;
  issuer: string;
  san: string[];
  validFrom: string;
  validTo: string;
  daysLeft: number;
  expired: boolean;
  notYetValid: boolean;
  selfSigned: boolean;
  trusted: boolean;
  trustError?: string;
  hostnameOk: boolean;
  hostnameError?: string;
  keyType: string;
  keyBits?: number;
  signatureAlgorithm: string;
  weakSignature: boolean;
  fingerprint256: string;
}

export interface TlsReport {
  host: string;
  port: number;
  protocols: ProtocolProbe[];
  weak: { family: WeakFamily; offered: boolean; protocol: Protocol; cipher?: string; reason: string }[];
  cert?: CertFacts;
  bestCipher?: { name: string; bits: number; protocol: string };
  /** Connections made. */
  handshakes: number;
  errors: string[];
  /** Left undecided because the scan's time limit passed (absent when everything was decided). */
  notChecked?: { protocols: Protocol[]; weak: WeakFamily[]; cert: boolean };
}

interface NodeHandshake {
  ok: boolean;
  protocol?: string;
  cipher?: string;
  bits?: number;
  cert?: DetailedPeerCertificate;
  authorized?: boolean;
  authError?: string;
  error?: string;
}

const DEADLINE = 'deadline';

function handshake(o: { host: string; port: number; servername?: string; min: SecureVersion; max: SecureVersion; ca?: string[]; timeoutMs: number; wantCert?: boolean; signal?: AbortSignal }): Promise<NodeHandshake> {
  if (o.signal?.aborted) return Promise.resolve({ ok: false, error: DEADLINE });
  return new Promise((resolve) => {
    let done = false;
    const sock = connect({
      host: o.host,
      port: o.port,
      servername: o.servername,
      minVersion: o.min,
      maxVersion: o.max,
      ciphers: 'ALL:@SECLEVEL=0',
      rejectUnauthorized: false,
      ca: o.ca ? [...rootCertificates, ...o.ca] : undefined,
    });
    const onAbort = () => finish({ ok: false, error: DEADLINE });
    const finish = (h: NodeHandshake) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(h);
    };
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), o.timeoutMs);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('secureConnect', () => {
      const c = sock.getCipher();
      const h: NodeHandshake = { ok: true, protocol: sock.getProtocol() ?? undefined, cipher: c?.standardName ?? c?.name, authorized: sock.authorized, authError: sock.authorizationError ? String(sock.authorizationError) : undefined };
      const bits = /AES_?256|AES256|CHACHA20/i.test(c?.name ?? '') ? 256 : /AES_?128|AES128|CAMELLIA128|ARIA128/i.test(c?.name ?? '') ? 128 : undefined;
      if (bits) h.bits = bits;
      if (o.wantCert) h.cert = sock.getPeerCertificate(true);
      finish(h);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ?? e.message }));
  });
}

const SIG_OIDS: [string, string, boolean][] = [
  ['2a864886f70d010102', 'md2WithRSAEncryption', true],
  ['2a864886f70d010104', 'md5WithRSAEncryption', true],
  ['2a864886f70d010105', 'sha1WithRSAEncryption', true],
  ['2a864886f70d01010b', 'sha256WithRSAEncryption', false],
  ['2a864886f70d01010c', 'sha384WithRSAEncryption', false],
  ['2a864886f70d01010d', 'sha512WithRSAEncryption', false],
  ['2a864886f70d01010a', 'rsassaPss', false],
  ['2a8648ce3d0401', 'ecdsa-with-SHA1', true],
  ['2a8648ce3d040302', 'ecdsa-with-SHA256', false],
  ['2a8648ce3d040303', 'ecdsa-with-SHA384', false],
  ['2a8648ce3d040304', 'ecdsa-with-SHA512', false],
  ['2b6570', 'Ed25519', false],
];

/** The certificate's signature algorithm: the first signature OID in the DER is the TBS `signature` field. */
export function signatureAlgorithm(der: Buffer): { name: string; weak: boolean } {
  const hex = der.toString('hex');
  let best: { at: number; name: string; weak: boolean } | undefined;
  for (const [oid, name, weak] of SIG_OIDS) {
    const tag = `06${(oid.length / 2).toString(16).padStart(2, '0')}${oid}`;
    const at = hex.indexOf(tag);
    if (at >= 0 && (!best || at < best.at)) best = { at, name, weak };
  }
  return best ? { name: best.name, weak: best.weak } : { name: 'unknown', weak: false };
}

function certFacts(cert: PeerCertificate, host: string, trusted: boolean, trustError: string | undefined, now: Date): CertFacts {
  const validTo = new Date(cert.valid_to);
  const validFrom = new Date(cert.valid_from);
  const daysLeft = Math.floor((validTo.getTime() - now.getTime()) / 86_400_000);
  const idErr = checkServerIdentity(host.replace(/^\[|\]$/g, ''), cert);
  const sig = cert.raw ? signatureAlgorithm(cert.raw) : { name: 'unknown', weak: false };
  const keyType = cert.asn1Curve || cert.nistCurve ? 'EC' : cert.modulus ? 'RSA' : cert.pubkey ? 'other' : 'unknown';
  const fmt = (n: Record<string, string | string[]> | undefined) =>
    Object.entries(n ?? {})
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
      .join(', ');
  return {
    subject: fmt(cert.subject as unknown as Record<string, string>),
    issuer: fmt(cert.issuer as unknown as Record<string, string>),
    san: (cert.subjectaltname ?? '').split(/,\s*/).filter(Boolean),
    validFrom: validFrom.toISOString(),
    validTo: validTo.toISOString(),
    daysLeft,
    expired: validTo.getTime() < now.getTime(),
    notYetValid: validFrom.getTime() > now.getTime(),
    selfSigned: fmt(cert.subject as unknown as Record<string, string>) === fmt(cert.issuer as unknown as Record<string, string>),
    trusted,
    trustError,
    hostnameOk: !idErr,
    hostnameError: idErr ? idErr.message : undefined,
    keyType,
    keyBits: cert.bits,
    signatureAlgorithm: sig.name,
    weakSignature: sig.weak,
    fingerprint256: cert.fingerprint256,
  };
}

/** Run `fn` over `items` with at most `limit` at a time (handshakes count against the per-host concurrency). */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * `signal`: the scan's deadline. When it aborts, handshakes in flight are closed, no new ones start, and what
 * was left undecided goes to `notChecked`: protocols without an answer are left out of `protocols`, weak
 * families out of `weak`, and the certificate is not read.
 */
export async function probeTls(o: { host: string; port: number; servername?: string; ca?: string[]; timeoutMs: number; now: Date; concurrency?: number; signal?: AbortSignal }): Promise<TlsReport> {
  const limit = o.concurrency ?? 5;
  const signal = o.signal;
  const sni = o.servername && !/^[\d.]+$|:/.test(o.servername) ? o.servername : undefined;
  const rep: TlsReport = { host: o.host, port: o.port, protocols: [], weak: [], handshakes: 0, errors: [] };
  const missed = { protocols: new Set<Protocol>(), weak: new Set<WeakFamily>(), cert: false };
  // A connection counts when it was opened (cut off by the deadline or not).
  const opened = () => {
    if (!signal?.aborted) rep.handshakes++;
  };
  const versions: [Protocol, SecureVersion][] = [['TLSv1', 'TLSv1'], ['TLSv1.1', 'TLSv1.1'], ['TLSv1.2', 'TLSv1.2'], ['TLSv1.3', 'TLSv1.3']];
  const nodeResults = await mapLimit(
    versions, limit, async ([p, v]) => {
      opened();
      const h = await handshake({ host: o.host, port: o.port, servername: sni, min: v, max: v, ca: o.ca, timeoutMs: o.timeoutMs, wantCert: false, signal });
      return [p, h] as const;
    },
  );
  for (const [p, h] of nodeResults) {
    if (h.ok && h.protocol === p) rep.protocols.push({ protocol: p, offered: true, via: 'node-tls', cipher: h.cipher });
    else if (h.error === DEADLINE) missed.protocols.add(p);
    else rep.protocols.push({ protocol: p, offered: false, via: 'node-tls', reason: h.error ?? `negotiated ${h.protocol}` });
    if (h.ok && h.bits && (!rep.bestCipher || h.bits > rep.bestCipher.bits)) rep.bestCipher = { name: h.cipher ?? '', bits: h.bits, protocol: p };
  }
  // Raw hellos: SSLv2, SSLv3, and TLS 1.0/1.1 where Node said no (its OpenSSL may refuse them locally).
  const raws: ('SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1')[] = ['SSLv2', 'SSLv3'];
  for (const p of ['TLSv1', 'TLSv1.1'] as const) if (!rep.protocols.find((x) => x.protocol === p)?.offered) raws.push(p);
  const rawResults = await mapLimit(raws, limit, async (v) => {
    opened();
    return [v, await rawHello({ host: o.host, port: o.port, servername: sni, version: v, timeoutMs: o.timeoutMs, signal })] as const;
  });
  for (const [v, a] of rawResults) {
    const existing = rep.protocols.find((x) => x.protocol === v);
    if (a.reason === DEADLINE) {
      // Node's "no" for TLS 1.0/1.1 is not the last word (its OpenSSL may refuse them locally): undecided.
      if (existing) rep.protocols.splice(rep.protocols.indexOf(existing), 1);
      missed.protocols.add(v);
    } else if (existing) {
      if (a.accepted) Object.assign(existing, { offered: true, via: 'raw-hello', reason: undefined });
    } else if (!missed.protocols.has(v)) rep.protocols.unshift({ protocol: v, offered: a.accepted, via: 'raw-hello', reason: a.accepted ? undefined : a.reason });
    else if (a.accepted) {
      missed.protocols.delete(v);
      rep.protocols.unshift({ protocol: v, offered: true, via: 'raw-hello' });
    }
  }
  const order = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  rep.protocols.sort((a, b) => order.indexOf(a.protocol) - order.indexOf(b.protocol));

  // Weak families: ask at the highest offered version ≤ 1.2 (and at SSLv3 if that is all there is).
  const fams = Object.keys(WEAK_SUITES) as WeakFamily[];
  const legacy = (['TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'] as const).find((p) => rep.protocols.find((x) => x.protocol === p)?.offered);
  if (legacy) {
    const answers = await mapLimit(fams, limit, async (f) => {
      opened();
      return [f, await rawHello({ host: o.host, port: o.port, servername: sni, version: legacy, suites: WEAK_SUITES[f], timeoutMs: o.timeoutMs, signal })] as const;
    });
    // TLS 1.2 servers may accept RC4/3DES only on older versions; ask once more at TLS 1.0 for what was refused.
    const lower = legacy === 'TLSv1.2' && rep.protocols.find((x) => x.protocol === 'TLSv1')?.offered ? 'TLSv1' : undefined;
    for (const [f, a] of answers) {
      let ans = a;
      let proto: Protocol = legacy;
      if (!a.accepted && a.reason !== DEADLINE && lower) {
        opened();
        ans = await rawHello({ host: o.host, port: o.port, servername: sni, version: lower, suites: WEAK_SUITES[f], timeoutMs: o.timeoutMs, signal });
        proto = lower;
      }
      if (ans.reason === DEADLINE) missed.weak.add(f);
      else rep.weak.push({ family: f, offered: ans.accepted, protocol: proto, cipher: ans.cipher !== undefined ? `0x${ans.cipher.toString(16).padStart(4, '0')}` : undefined, reason: ans.reason });
    }
  } else if (missed.protocols.size) for (const f of fams) missed.weak.add(f);

  // Certificate: the best protocol, verified against the system store plus --ca.
  const top = [...rep.protocols].reverse().find((x) => x.offered && x.via === 'node-tls');
  if (top) {
    const v = top.protocol as SecureVersion;
    opened();
    const h = await handshake({ host: o.host, port: o.port, servername: sni, min: v, max: v, ca: o.ca ?? [], timeoutMs: o.timeoutMs, wantCert: true, signal });
    if (h.ok && h.cert && h.cert.raw) rep.cert = certFacts(h.cert, o.servername ?? o.host, Boolean(h.authorized), h.authError, o.now);
    else if (h.error === DEADLINE) missed.cert = true;
    else rep.errors.push(`certificate: ${h.error ?? 'no certificate'}`);
  } else if (missed.protocols.size) missed.cert = true;
  if (missed.protocols.size || missed.weak.size || missed.cert) {
    rep.notChecked = { protocols: order.filter((p) => missed.protocols.has(p as Protocol)) as Protocol[], weak: fams.filter((f) => missed.weak.has(f)), cert: missed.cert };
  }
  return rep;
}
