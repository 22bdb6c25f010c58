/**
 * SSLv2/SSLv3 and legacy suites cannot be served by this machine's OpenSSL 3, so a Node TCP server plays an
 * old server: it answers ClientHellos the way a 2000s OpenSSL did (SSLv2 SERVER-HELLO, SSLv3 ServerHello
 * choosing RC4), and sends a handshake_failure alert for anything newer. The prober must read it right.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { probeTls } from '../../src/probe/tls.js';
import { buildClientHello, parseServerHello, WEAK_SUITES } from '../../src/probe/sslhello.js';
import { gradeTls } from '../../src/checks/tls-grade.js';

const ALERT_HANDSHAKE_FAILURE = Buffer.from([0x15, 0x03, 0x00, 0x00, 0x02, 0x02, 0x28]);

function serverHello(version: number, suite: number): Buffer {
  const body = [(version >> 8) & 0xff, version & 0xff, ...Buffer.alloc(32, 7), 0, (suite >> 8) & 0xff, suite & 0xff, 0];
  const hs = [2, 0, 0, body.length, ...body];
  return Buffer.from([0x16, (version >> 8) & 0xff, version & 0xff, 0, hs.length, ...hs]);
}

/** Old server: SSLv2 and SSLv3 only; prefers RC4-MD5 (0x0004), else 3DES (0x000a). */
function oldServer(sock: Socket): void {
  sock.once('data', (d: Buffer) => {
    if (d[0]! & 0x80 && d[2] === 1) {
      // SSLv2 CLIENT-HELLO → SERVER-HELLO (type 4)
      sock.end(Buffer.from([0x80, 0x0a, 4, 0, 1, 0, 2, 0, 0, 0, 0, 0]));
      return;
    }
    if (d[0] !== 0x16) return void sock.destroy();
    const clientVersion = d.readUInt16BE(9);
    if (clientVersion !== 0x0300) return void sock.end(ALERT_HANDSHAKE_FAILURE);
    const sidLen = d[43]!;
    const n = d.readUInt16BE(44 + sidLen);
    const suites = new Set<number>();
    for (let i = 0; i < n; i += 2) suites.add(d.readUInt16BE(46 + sidLen + i));
    const pick = [0x0004, 0x0005, 0x000a, 0x0035, 0x002f].find((s) => suites.has(s));
    if (pick === undefined) return void sock.end(ALERT_HANDSHAKE_FAILURE);
    sock.end(serverHello(0x0300, pick));
  });
  sock.on('error', () => sock.destroy());
}

describe('hand-built ClientHellos against an SSLv2/SSLv3 server', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer(oldServer);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const a = server.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('finds SSLv2 and SSLv3, no TLS, and RC4/3DES offered', async () => {
    const rep = await probeTls({ host: '127.0.0.1', port, timeoutMs: 2000, now: new Date() });
    const offered = rep.protocols.filter((p) => p.offered).map((p) => p.protocol);
    assert.deepEqual(offered, ['SSLv2', 'SSLv3']);
    assert.ok(rep.protocols.filter((p) => p.offered).every((p) => p.via === 'raw-hello'));
    const weak = rep.weak.filter((w) => w.offered).map((w) => w.family).sort();
    assert.deepEqual(weak, ['3des', 'rc4']);
    assert.equal(rep.weak.find((w) => w.family === 'rc4')?.cipher, '0x0004');
    const g = gradeTls({ protocols: offered, weakFamilies: weak, trusted: false, hostnameOk: true, expired: false, weakSignature: false, hsts: false });
    assert.equal(g.gradeIfTrusted, 'F');
    assert.ok(g.caps.some((c) => c.reason === 'SSLv2 offered'));
    assert.equal(g.mozilla, 'none');
  });
});

describe('ClientHello bytes', () => {
  it('builds a TLS 1.2 hello with SNI and the suites asked for', () => {
    const b = buildClientHello('TLSv1.2', WEAK_SUITES.rc4, 'shop.example.jp');
    assert.equal(b[0], 0x16);
    assert.equal(b.readUInt16BE(3), b.length - 5);
    assert.equal(b.readUInt16BE(9), 0x0303);
    const n = b.readUInt16BE(44);
    assert.equal(n, WEAK_SUITES.rc4.length * 2);
    assert.ok(b.includes(Buffer.from('shop.example.jp')));
  });

  it('reads a ServerHello, an alert, and a version downgrade', () => {
    assert.deepEqual(parseServerHello(serverHello(0x0300, 0x0004), 'SSLv3'), { accepted: true, serverVersion: 0x0300, cipher: 4, reason: 'server-hello' });
    assert.equal(parseServerHello(serverHello(0x0301, 0x002f), 'TLSv1.2')?.reason, 'other-version');
    assert.equal(parseServerHello(ALERT_HANDSHAKE_FAILURE, 'TLSv1')?.reason, 'alert:40');
    assert.equal(parseServerHello(Buffer.from([0x16, 3, 1]), 'TLSv1'), undefined, 'needs more bytes');
  });
});
