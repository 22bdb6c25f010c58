/**
 * Hand-built ClientHellos on a raw socket, for what Node's OpenSSL 3 cannot offer: SSLv2, SSLv3, and TLS
 * cipher families removed from it (RC4, export, single DES, NULL, anonymous). testssl.sh's "sockets" mode
 * does the same. One connection per question, bounded in time and bytes; only the ServerHello (or an alert)
 * is read, then the connection is closed: no key exchange happens.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

export type RawVersion = 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2';

const VERSION_CODE: Record<Exclude<RawVersion, 'SSLv2'>, number> = { SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 };

/** Cipher suite families by IANA code (RFC 2246/4346/4492/5246 and the IANA registry). */
export const WEAK_SUITES: Record<'null' | 'anon' | 'export' | 'rc4' | 'des' | '3des', number[]> = {
  null: [0x0001, 0x0002, 0x003b, 0xc001, 0xc006, 0xc00b, 0xc010, 0xc015, 0x002c, 0x002d, 0x002e],
  anon: [0x0018, 0x001b, 0x0034, 0x003a, 0x006c, 0x006d, 0x00a6, 0x00a7, 0xc016, 0xc017, 0xc018, 0xc019, 0x0046, 0x0089, 0x00bf, 0xc084],
  export: [0x0003, 0x0006, 0x0008, 0x000b, 0x000e, 0x0011, 0x0014, 0x0017, 0x0019, 0x0062, 0x0063, 0x0064, 0x0065],
  rc4: [0x0004, 0x0005, 0xc007, 0xc011, 0xc002, 0xc00c, 0x0066, 0x008a, 0x008e, 0x0092],
  des: [0x0009, 0x000c, 0x000f, 0x0012, 0x0015, 0x001a],
  '3des': [0x000a, 0x000d, 0x0010, 0x0013, 0x0016, 0xc003, 0xc008, 0xc00d, 0xc012, 0x008b, 0x008f, 0x0093],
};
export type WeakFamily = keyof typeof WEAK_SUITES;

/** A broad, ordinary list for protocol-version questions (modern AEAD and CBC suites plus the legacy ones). */
export const BROAD_SUITES: number[] = [
  0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009e, 0x009f, 0xc023, 0xc027, 0xc024, 0xc028, 0xc009, 0xc013, 0xc00a, 0xc014,
  0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035, 0x0033, 0x0039, 0x0032, 0x0038, 0x0041, 0x0084, 0x0045, 0x0088,
  ...WEAK_SUITES['3des'], ...WEAK_SUITES.rc4, ...WEAK_SUITES.des, ...WEAK_SUITES.export, ...WEAK_SUITES.anon, ...WEAK_SUITES.null,
];

export interface RawHelloAnswer {
  /** ServerHello received for the version asked. */
  accepted: boolean;
  /** The version the server answered with (it may pick a lower one than asked, never higher). */
  serverVersion?: number;
  cipher?: number;
  /** What ended it: `alert:40`, `closed`, `timeout`, `refused`, `other-version`, `garbage`, `deadline` (the scan's time limit: unknown). */
  reason: string;
}

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const vec16 = (b: number[]) => [...u16(b.length), ...b];

function extensions(host: string | undefined, version: number): number[] {
  const ext: number[] = [];
  if (host && !/^[\d.]+$|:/.test(host)) {
    const name = [...Buffer.from(host, 'ascii')];
    const list = [0, ...u16(name.length), ...name];
    ext.push(...u16(0x0000), ...vec16(vec16(list)));
  }
  // supported_groups: x25519, secp256r1, secp384r1, secp521r1; ec_point_formats: uncompressed
  ext.push(...u16(0x000a), ...vec16(vec16([...u16(0x001d), ...u16(0x0017), ...u16(0x0018), ...u16(0x0019)])));
  ext.push(...u16(0x000b), ...vec16([1, 0]));
  if (version >= 0x0303) {
    const algs = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202];
    ext.push(...u16(0x000d), ...vec16(vec16(algs.flatMap(u16))));
  }
  // renegotiation_info (empty)
  ext.push(...u16(0xff01), ...vec16([0]));
  return ext;
}

export function buildClientHello(version: Exclude<RawVersion, 'SSLv2'>, suites: readonly number[], host?: string): Buffer {
  const v = VERSION_CODE[version];
  const body = [
    ...u16(v),
    ...randomBytes(32),
    0, // session id
    ...vec16(suites.flatMap(u16)),
    1, 0, // compression: null
  ];
  if (version !== 'SSLv3') body.push(...vec16(extensions(host, v)));
  const hs = [1, ...u24(body.length), ...body];
  const recordVersion = version === 'SSLv3' ? 0x0300 : 0x0301;
  return Buffer.from([0x16, ...u16(recordVersion), ...u16(hs.length), ...hs]);
}

/** SSL 2.0 CLIENT-HELLO with every SSLv2 cipher kind. */
export function buildSsl2Hello(): Buffer {
  const kinds = [0x010080, 0x020080, 0x030080, 0x040080, 0x050080, 0x060040, 0x0700c0];
  const specs = kinds.flatMap(u24);
  const challenge = [...randomBytes(16)];
  const msg = [1, ...u16(0x0002), ...u16(specs.length), ...u16(0), ...u16(challenge.length), ...specs, ...challenge];
  return Buffer.from([0x80 | ((msg.length >> 8) & 0x7f), msg.length & 0xff, ...msg]);
}

/** Parse what the server sent first. Exported for tests. */
export function parseServerHello(buf: Buffer, asked: RawVersion): RawHelloAnswer | undefined {
  if (asked === 'SSLv2') {
    if (buf.length < 3) return undefined;
    if (buf[0]! & 0x80) {
      // 2-byte header; message type 4 = SERVER-HELLO
      return buf[2] === 4 ? { accepted: true, serverVersion: 0x0002, reason: 'server-hello' } : { accepted: false, reason: `ssl2-type:${buf[2]}` };
    }
    if (buf[0] === 0x15) return { accepted: false, reason: `alert:${buf[6] ?? '?'}` };
    return { accepted: false, reason: 'garbage' };
  }
  if (buf.length < 5) return undefined;
  const type = buf[0]!;
  if (type === 0x15) return buf.length >= 7 ? { accepted: false, reason: `alert:${buf[6]}` } : undefined;
  if (type !== 0x16) return { accepted: false, reason: 'garbage' };
  // handshake header (4) + version (2) + random (32) + session id length (1)
  if (buf.length < 5 + 4 + 2 + 32 + 1) return undefined;
  if (buf[5] !== 2) return { accepted: false, reason: `handshake-type:${buf[5]}` };
  const serverVersion = buf.readUInt16BE(9);
  const sidLen = buf[43]!;
  if (buf.length < 44 + sidLen + 2) return undefined;
  const cipher = buf.readUInt16BE(44 + sidLen);
  const want = VERSION_CODE[asked];
  if (serverVersion !== want) return { accepted: false, serverVersion, cipher, reason: 'other-version' };
  return { accepted: true, serverVersion, cipher, reason: 'server-hello' };
}

/** `signal`: the scan's deadline; when it aborts, the connection is closed and the answer is `deadline` (unknown). */
export function rawHello(opts: { host: string; port: number; servername?: string; version: RawVersion; suites?: readonly number[]; timeoutMs: number; signal?: AbortSignal }): Promise<RawHelloAnswer> {
  if (opts.signal?.aborted) return Promise.resolve({ accepted: false, reason: 'deadline' });
  const hello = opts.version === 'SSLv2' ? buildSsl2Hello() : buildClientHello(opts.version, opts.suites ?? BROAD_SUITES, opts.servername);
  return new Promise((resolve) => {
    let done = false;
    let got = Buffer.alloc(0);
    const sock: Socket = connect({ host: opts.host, port: opts.port });
    const onAbort = () => finish({ accepted: false, reason: 'deadline' });
    const finish = (a: RawHelloAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => finish({ accepted: false, reason: 'timeout' }), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    sock.on('connect', () => sock.write(hello));
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length > 64 * 1024) return finish({ accepted: false, reason: 'garbage' });
      const a = parseServerHello(got, opts.version);
      if (a) finish(a);
    });
    sock.on('end', () => finish({ accepted: false, reason: 'closed' }));
    sock.on('close', () => finish({ accepted: false, reason: 'closed' }));
    sock.on('error', (e: NodeJS.ErrnoException) => finish({ accepted: false, reason: e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ECONNRESET' ? 'reset' : `error:${e.code ?? e.message}` }));
  });
}
