/**
 * CycloneDX 1.6 JSON: the inventory as components with package URLs (purl), and the vulnerabilities matched
 * against them (id, source, ratings from CVSS, affects → bom-ref). metadata.tools names mamori.
 */
import { createHash } from 'node:crypto';
import type { Inventory, OsInfo, Package, ReportDocument, Severity } from '../core/model.js';
import type { RenderOptions } from './index.js';
import { cveRows } from '../core/document/view.js';

const enc = (s: string) => encodeURIComponent(s);

function qualifiers(q: Record<string, string | undefined>): string {
  const parts = Object.entries(q)
    .filter((e): e is [string, string] => Boolean(e[1]))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${enc(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** `centos-6`, `debian-12`, `ubuntu-22.04`, `alpine-3.19` as Trivy and the purl examples write it. */
export function distroQualifier(os: OsInfo | undefined): string | undefined {
  if (!os || os.family === 'unknown' || !os.version) return undefined;
  const v = os.family === 'ubuntu' || os.family === 'alpine' ? os.version.split('.').slice(0, 2).join('.') : os.version.split('.')[0]!;
  return `${os.family}-${v}`;
}

/** Split a leading `E:` epoch off a distro version (purl carries the epoch as a qualifier). */
function splitEpoch(p: Package): { version: string; epoch?: string } {
  const m = /^(\d+):(.*)$/.exec(p.version);
  if (m) return { version: m[2]!, epoch: m[1] };
  return { version: p.version, epoch: p.epoch && p.epoch !== '0' ? p.epoch : undefined };
}

export function purlOf(p: Package, os: OsInfo | undefined): string {
  const distro = distroQualifier(os);
  const vendor = os && os.family !== 'unknown' ? os.family : undefined;
  switch (p.ecosystem) {
    case 'rpm': {
      const { version, epoch } = splitEpoch(p);
      return `pkg:rpm/${enc(vendor ?? 'redhat')}/${enc(p.name)}@${enc(version)}${qualifiers({ arch: p.arch, distro, epoch })}`;
    }
    case 'dpkg': {
      const { version, epoch } = splitEpoch(p);
      return `pkg:deb/${enc(vendor ?? 'debian')}/${enc(p.name)}@${enc(version)}${qualifiers({ arch: p.arch, distro, epoch })}`;
    }
    case 'apk':
      return `pkg:apk/${enc(vendor ?? 'alpine')}/${enc(p.name)}@${enc(p.version)}${qualifiers({ arch: p.arch, distro })}`;
    case 'composer': {
      const [ns, name] = p.name.includes('/') ? [p.name.slice(0, p.name.indexOf('/')), p.name.slice(p.name.indexOf('/') + 1)] : [undefined, p.name];
      return `pkg:composer/${ns ? `${enc(ns)}/` : ''}${enc(name)}@${enc(p.version)}`;
    }
    case 'npm': {
      const scoped = p.name.startsWith('@') && p.name.includes('/');
      const path = scoped ? `${enc(p.name.slice(0, p.name.indexOf('/')))}/${enc(p.name.slice(p.name.indexOf('/') + 1))}` : enc(p.name);
      return `pkg:npm/${path}@${enc(p.version)}`;
    }
    case 'wordpress-plugin':
    case 'wordpress-theme':
      return `pkg:generic/${p.ecosystem}/${enc(p.name)}@${enc(p.version)}`;
  }
}

const SEVERITY_OF = (s: Severity): string => s;

function method(version: string | undefined, vector: string | undefined): string {
  const v = version ?? (vector ? /^CVSS:(\d\.\d)/.exec(vector)?.[1] : undefined);
  if (v === '4.0') return 'CVSSv4';
  if (v === '3.1') return 'CVSSv31';
  if (v === '3.0') return 'CVSSv3';
  if (v === '2.0' || (vector && /^AV:/.test(vector))) return 'CVSSv2';
  return 'other';
}

function cvssSeverity(score: number): string {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

/** A deterministic urn:uuid (version 5 layout) from the target and the scan time, so the same scan gives the same BOM. */
function serialNumber(doc: ReportDocument): string {
  const h = createHash('sha256').update(`mamori\u0000${doc.target.kind}\u0000${doc.target.name}\u0000${doc.scannedAt}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function buildCycloneDx(doc: ReportDocument) {
  const inv: Inventory = doc.inventory;
  const components: Record<string, unknown>[] = [];
  const refs = new Set<string>();
  const uniqueRef = (base: string) => {
    let ref = base;
    for (let i = 2; refs.has(ref); i++) ref = `${base}#${i}`;
    refs.add(ref);
    return ref;
  };
  if (inv.os && inv.os.family !== 'unknown') {
    components.push({ type: 'operating-system', 'bom-ref': uniqueRef(`os:${inv.os.family}@${inv.os.version}`), name: inv.os.family, version: inv.os.version, description: inv.os.name });
  }
  for (const p of inv.packages) {
    const purl = purlOf(p, inv.os);
    const props = [
      p.source ? { name: 'mamori:package:source', value: p.source } : undefined,
      p.repository ? { name: 'mamori:package:repository', value: p.repository } : undefined,
      p.location ? { name: 'mamori:package:location', value: p.location } : undefined,
      { name: 'mamori:package:ecosystem', value: p.ecosystem },
    ].filter((x): x is { name: string; value: string } => x !== undefined);
    components.push({ type: 'library', 'bom-ref': uniqueRef(purl), name: p.name, version: p.version, purl, ...(p.vendor ? { publisher: p.vendor } : {}), properties: props });
  }
  // Detected components (from banners, commands, files): generic purls, the targets of upstream CVEs.
  const componentRef = new Map<string, string>();
  const addComponent = (name: string, version: string | undefined, detectedBy?: string, location?: string) => {
    const key = `${name}\u0000${version ?? ''}`;
    const known = componentRef.get(key);
    if (known) return known;
    const purl = `pkg:generic/${enc(name)}${version ? `@${enc(version)}` : ''}`;
    const ref = uniqueRef(`component:${purl}`);
    componentRef.set(key, ref);
    const props = [
      detectedBy ? { name: 'mamori:detectedBy', value: detectedBy } : undefined,
      location ? { name: 'mamori:location', value: location } : undefined,
    ].filter((x): x is { name: string; value: string } => x !== undefined);
    components.push({ type: 'application', 'bom-ref': ref, name, ...(version ? { version } : {}), purl, ...(props.length ? { properties: props } : {}) });
    return ref;
  };
  for (const c of inv.components) addComponent(c.name, c.version, c.detectedBy, c.location);

  const vulns = new Map<string, { id: string; rows: ReturnType<typeof cveRows> }>();
  for (const r of cveRows(doc)) {
    const v = vulns.get(r.id.toUpperCase());
    if (v) v.rows.push(r);
    else vulns.set(r.id.toUpperCase(), { id: r.id.toUpperCase(), rows: [r] });
  }
  const vulnerabilities = [...vulns.values()].map(({ id, rows }) => {
    const best = rows.find((r) => r.cvss !== undefined) ?? rows[0]!;
    const ratings =
      best.cvss !== undefined
        ? [{ score: best.cvss, severity: cvssSeverity(best.cvss), method: method(best.cvssVersion, best.cvssVector), ...(best.cvssVector ? { vector: best.cvssVector } : {}) }]
        : [{ severity: SEVERITY_OF(best.severity), method: 'other' }];
    const affects = [...new Set(rows.map((r) => addComponent(r.component, r.version)))].map((ref) => ({ ref }));
    const fixed = [...new Set(rows.map((r) => r.fixedIn).filter((f): f is string => Boolean(f)))];
    const props = [
      { name: 'mamori:kev', value: String(rows.some((r) => r.kev)) },
      ...(fixed.length ? [{ name: 'mamori:fixedIn', value: fixed.join(', ') }] : []),
      ...(rows.some((r) => r.distroBuild) ? [{ name: 'mamori:distroBuild', value: 'true' }] : []),
    ];
    return {
      'bom-ref': uniqueRef(`vuln:${id}`),
      id,
      source: { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` },
      ratings,
      ...(best.summary ? { description: best.summary } : {}),
      ...(fixed.length ? { recommendation: `Upgrade to ${fixed.join(' / ')} or later.` } : {}),
      affects,
      properties: props,
    };
  });

  const targetType = doc.target.kind === 'site' ? 'application' : doc.target.kind === 'files' ? 'file' : 'platform';
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialNumber(doc),
    version: 1,
    metadata: {
      timestamp: doc.scannedAt,
      tools: { components: [{ type: 'application', name: 'mamori', version: doc.tool.version }] },
      component: { type: targetType, 'bom-ref': uniqueRef('target'), name: doc.target.name },
      properties: [
        { name: 'mamori:target:kind', value: doc.target.kind },
        ...(doc.knowledge.snapshot
          ? [
              { name: 'mamori:knowledge:snapshot', value: doc.knowledge.snapshot.kind },
              { name: 'mamori:knowledge:builtAt', value: doc.knowledge.snapshot.builtAt },
            ]
          : []),
      ],
    },
    components,
    vulnerabilities,
  };
}

export async function renderCycloneDx(doc: ReportDocument, _opts: RenderOptions): Promise<string> {
  return `${JSON.stringify(buildCycloneDx(doc), null, 2)}\n`;
}
