/**
 * TLS findings from the handshake report (src/probe/tls.ts): protocols, weak ciphers, the certificate, and
 * the grade.
 */
import type { Severity } from '../../core/model.js';
import { gradeTls, type Protocol } from '../../checks/tls-grade.js';
import { type TlsReport } from '../tls.js';
import { type Ctx, addFinding, deadlineGap } from './context.js';

export function tlsFindings(c: Ctx, rep: TlsReport, origin: string, hsts: boolean): { grade: string; score: number } | undefined {
  const offered = rep.protocols.filter((p) => p.offered).map((p) => p.protocol);
  // Cut short by the time limit: what was decided is reported, the rest (and the grade, which needs all of it) is a gap.
  const nc = rep.notChecked;
  if (nc) {
    const endpoint = `${rep.host}:${rep.port}`;
    if (nc.protocols.length) deadlineGap(c, 'site.gap.deadlineTlsProtocols', { endpoint, list: nc.protocols.join(', ') });
    if (nc.weak.length) deadlineGap(c, 'site.gap.deadlineTlsWeak', { endpoint, list: nc.weak.map((f) => f.toUpperCase()).join(', ') });
    if (nc.cert) deadlineGap(c, 'site.gap.deadlineTlsCert', { endpoint });
    deadlineGap(c, 'site.gap.deadlineTlsGrade', { endpoint });
  }
  const ids: Partial<Record<Protocol, string>> = { SSLv2: 'tls.sslv2', SSLv3: 'tls.sslv3', TLSv1: 'tls.tls10', 'TLSv1.1': 'tls.tls11' };
  for (const p of offered) {
    const id = ids[p];
    if (id) addFinding(c, id, `${rep.host}:${rep.port}`, { endpoint: `${rep.host}:${rep.port}`, protocol: p }, { location: origin, evidence: { endpoint: `${rep.host}:${rep.port}`, protocol: p, via: rep.protocols.find((x) => x.protocol === p)?.via } });
  }
  const modernUnknown = nc?.protocols.some((p) => p === 'TLSv1.2' || p === 'TLSv1.3') ?? false;
  if (offered.length && !modernUnknown && !offered.includes('TLSv1.2') && !offered.includes('TLSv1.3')) addFinding(c, 'tls.no-tls12', `${rep.host}:${rep.port}`, { endpoint: `${rep.host}:${rep.port}` }, { location: origin, evidence: { offered } });
  const weak = rep.weak.filter((w) => w.offered);
  for (const w of weak) {
    const sev: Severity = ['null', 'anon', 'export', 'des'].includes(w.family) ? 'high' : 'medium';
    addFinding(c, 'tls.weak-cipher', `${rep.host}:${rep.port} ${w.family}`, { endpoint: `${rep.host}:${rep.port}`, family: w.family.toUpperCase() }, { location: origin, severity: sev, evidence: { family: w.family, protocol: w.protocol, chosenSuite: w.cipher } });
  }
  const cert = rep.cert;
  if (cert) {
    const ev = { subject: cert.subject, issuer: cert.issuer, san: cert.san.slice(0, 20), validTo: cert.validTo, daysLeft: cert.daysLeft, keyType: cert.keyType, keyBits: cert.keyBits, signatureAlgorithm: cert.signatureAlgorithm, selfSigned: cert.selfSigned, trustError: cert.trustError, fingerprint256: cert.fingerprint256 };
    const ep = `${rep.host}:${rep.port}`;
    if (!cert.trusted) addFinding(c, 'cert.untrusted', ep, { endpoint: ep, reason: cert.trustError ?? (cert.selfSigned ? 'self-signed' : 'untrusted') }, { location: origin, evidence: ev });
    if (cert.expired) addFinding(c, 'cert.expired', ep, { endpoint: ep, date: cert.validTo.slice(0, 10) }, { location: origin, evidence: ev });
    else if (cert.daysLeft < 30) addFinding(c, 'cert.expiring', ep, { endpoint: ep, days: cert.daysLeft }, { location: origin, evidence: ev, severity: cert.daysLeft < 7 ? 'high' : 'medium' });
    if (!cert.hostnameOk) addFinding(c, 'cert.hostname', ep, { endpoint: ep, host: rep.host }, { location: origin, evidence: { ...ev, error: cert.hostnameError } });
    if (cert.keyType === 'RSA' && cert.keyBits !== undefined && cert.keyBits < 2048) addFinding(c, 'cert.weak-key', ep, { endpoint: ep, bits: cert.keyBits }, { location: origin, evidence: ev });
    if (cert.weakSignature) addFinding(c, 'cert.weak-signature', ep, { endpoint: ep, algorithm: cert.signatureAlgorithm }, { location: origin, evidence: ev });
  }
  if (nc) return undefined;
  const g = gradeTls({
    protocols: offered,
    weakFamilies: weak.map((w) => w.family),
    keyBits: cert?.keyBits,
    keyType: cert?.keyType,
    bestCipherBits: rep.bestCipher?.bits,
    trusted: cert?.trusted ?? false,
    hostnameOk: cert?.hostnameOk ?? true,
    expired: cert?.expired ?? false,
    weakSignature: cert?.weakSignature ?? false,
    hsts,
  });
  const sev: Severity = ['A+', 'A', 'A-'].includes(g.gradeIfTrusted) ? (g.grade === g.gradeIfTrusted ? 'info' : 'low') : g.gradeIfTrusted === 'B' ? 'low' : g.gradeIfTrusted === 'F' ? 'high' : 'medium';
  addFinding(c, 'tls.grade', `${rep.host}:${rep.port}`, { endpoint: `${rep.host}:${rep.port}`, grade: g.grade }, {
    location: origin,
    severity: sev,
    evidence: { grade: g.grade, gradeIfTrusted: g.gradeIfTrusted, score: g.score, caps: g.caps, mozillaProfile: g.mozilla, protocols: rep.protocols.map((p) => ({ protocol: p.protocol, offered: p.offered, via: p.via })), weakFamilies: rep.weak.filter((w) => w.offered).map((w) => w.family), handshakes: rep.handshakes },
  });
  return { grade: g.grade, score: g.score };
}
