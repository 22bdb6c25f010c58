/**
 * Red Hat CSAF VEX (https://security.access.redhat.com/data/csaf/v2/vex/): one CVE per document;
 * `product_tree` names the platforms (CPE `cpe:/a:redhat:enterprise_linux:8::appstream` → `rhel:8`) and
 * `vulnerabilities[].product_status` (fixed / known_affected / known_not_affected / under_investigation) with
 * `remediations` (vendor_fix, no_fix_planned, none_available). CentOS is judged by this data. See ./README.md.
 */
import type { Advisory, FixState } from '../../../core/knowledge.js';
import type { RawInput } from '../../types.js';
import type { Normalized } from '../../types.js';
import { CVE_RE, isObject, str, openJson } from '../common/util.js';

export const FEED = 'redhat-csaf';

export function recognise(text: string): boolean {
  const head = text.slice(0, 3000);
  return /"category"\s*:\s*"csaf_(vex|security_advisory)"/.test(head) && head.includes('"document"');
}

/** platform product_id → `rhel:N` from the product tree's CPEs: the main enterprise_linux streams, and ELS. */
function platforms(tree: unknown): Map<string, { platform: string; els: boolean }> {
  const out = new Map<string, { platform: string; els: boolean }>();
  const stack: unknown[] = [tree];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) {
      stack.push(...n);
      continue;
    }
    if (!isObject(n)) continue;
    if (isObject(n.product)) {
      const cpe = isObject(n.product.product_identification_helper) ? str(n.product.product_identification_helper.cpe) : undefined;
      const m = cpe ? /^cpe:\/[ao]:redhat:(enterprise_linux|rhel_els):(\d+)/.exec(cpe) : null;
      const id = str(n.product.product_id);
      if (m && id) out.set(id, { platform: `rhel:${m[2]}`, els: m[1] === 'rhel_els' });
    }
    if (Array.isArray(n.branches)) stack.push(n.branches);
  }
  return out;
}

/** `AppStream-8.8.0.Z.MAIN:httpd-0:2.4.37-56.el8.src` → platform id, package, version. */
function splitProduct(id: string, plats: Map<string, { platform: string; els: boolean }>): { platform: string; els: boolean; pkg: string; version?: string; arch?: string } | null {
  for (const [pid, { platform, els }] of plats) {
    if (!id.startsWith(`${pid}:`)) continue;
    let rest = id.slice(pid.length + 1);
    rest = rest.slice(rest.lastIndexOf('/') + 1);
    const m = /^(.+?)-(\d+):([^-]+)-(.+?)(?:\.(src|noarch|x86_64|i686|aarch64|ppc64le|s390x|ppc64|s390|i386))?$/.exec(rest);
    if (m) return { platform, els, pkg: m[1]!, version: `${m[2]}:${m[3]}-${m[4]}`, arch: m[5] };
    return { platform, els, pkg: rest };
  }
  return null;
}

/** Which row wins for one release and package: a general-channel fix, then an ELS-only fix, then a state. */
const RANK: Record<FixState, number> = { fixed: 3, 'extended-support-only': 2, unfixed: 1, 'will-not-fix': 1, 'out-of-support': 1, 'not-affected': 1 };

export function parse(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  const d = j.value;
  if (!isObject(d) || !isObject(d.document) || !Array.isArray(d.vulnerabilities)) {
    out.rejected.push({ ref: raw.key, reason: 'CSAF without document or vulnerabilities[]' });
    return out;
  }
  const document = d.document;
  const plats = platforms(d.product_tree);
  const severity = isObject(d.document.aggregate_severity) ? str(d.document.aggregate_severity.text)?.toLowerCase() : undefined;
  const docId = isObject(d.document.tracking) ? str(d.document.tracking.id) : undefined;
  for (const v of d.vulnerabilities) {
    if (!isObject(v)) continue;
    const cve = str(v.cve);
    if (!cve || !CVE_RE.test(cve)) {
      out.rejected.push({ ref: `${raw.key} ${docId ?? ''}`.trim(), reason: 'vulnerability without a CVE id' });
      continue;
    }
    const remediation = new Map<string, string>();
    const errataOf = new Map<string, string>();
    for (const r of Array.isArray(v.remediations) ? v.remediations : []) {
      if (!isObject(r) || !Array.isArray(r.product_ids)) continue;
      const errata = /\b(RH[SB]A-\d{4}:\d+)/.exec(str(r.url) ?? '')?.[1];
      for (const p of r.product_ids) {
        if (typeof p !== 'string') continue;
        remediation.set(p, str(r.category) === 'no_fix_planned' && /out of support/i.test(str(r.details) ?? '') ? 'out-of-support' : (str(r.category) ?? ''));
        if (errata && r.category === 'vendor_fix') errataOf.set(p, errata);
      }
    }
    const ps = isObject(v.product_status) ? v.product_status : {};
    const rows = new Map<string, Advisory>();
    const add = (ids: unknown, state: FixState | 'by-remediation') => {
      for (const id of Array.isArray(ids) ? ids : []) {
        if (typeof id !== 'string') continue;
        const sp = splitProduct(id, plats);
        if (!sp) continue;
        if (sp.arch && sp.arch !== 'src' && state === 'fixed') continue; // source packages only
        const rem = remediation.get(id);
        let st: FixState = state === 'by-remediation' ? (rem === 'no_fix_planned' ? 'will-not-fix' : rem === 'out-of-support' ? 'out-of-support' : 'unfixed') : state;
        if (st === 'fixed' && !sp.version) st = 'unfixed';
        // ELS (paid, never shipped by the rebuilds) counts only as a fix the general channel lacks.
        if (sp.els) {
          if (st !== 'fixed') continue;
          st = 'extended-support-only';
        }
        const key = `${sp.platform}\u0000${sp.pkg}`;
        const prev = rows.get(key);
        if (prev && RANK[prev.fixState] >= RANK[st]) continue;
        rows.set(key, {
          id: cve,
          feed: FEED,
          cves: [cve],
          aliases: docId && docId !== cve ? [docId] : [],
          ...(errataOf.get(id) ? { advisory: errataOf.get(id) } : {}),
          scope: { kind: 'distro', platform: sp.platform, package: sp.pkg, versionScheme: 'rpm' },
          ranges: st === 'fixed' || st === 'extended-support-only' ? [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: sp.version! }] }] : st === 'not-affected' ? [] : [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
          fixState: st,
          fixedVersion: st === 'fixed' || st === 'extended-support-only' ? sp.version : undefined,
          vendorSeverity: severity,
          summary: str(v.title) ?? str(document.title),
          url: `https://access.redhat.com/security/cve/${cve}`,
          rawRef: raw.key,
        });
      }
    };
    add(ps.fixed, 'fixed');
    add(ps.known_affected, 'by-remediation');
    add(ps.under_investigation, 'unfixed');
    add(ps.known_not_affected, 'not-affected');
    out.advisories.push(...rows.values());
  }
  return out;
}
