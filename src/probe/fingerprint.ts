/**
 * Apply the fingerprint data (src/checks/fingerprints.ts) to responses and pages, and merge what was seen
 * into inventory components: the most confident version wins; banners with a distribution hint are marked
 * as distribution builds (the vendor may have back-ported fixes).
 */
import type { Component, OsInfo, OsFamily } from '../core/model.js';
import { appRemoteFingerprints } from '../apps/index.js';
import { DISTRO_HINTS, FINGERPRINTS, RHEL_SHIPPED, type FpPlace } from '../checks/fingerprints.js';
import { headerLabel } from '../checks/headers.js';

/** Server software and libraries, then each web application's own rules. */
const RULES = [...FINGERPRINTS, ...appRemoteFingerprints];
import type { PageInfo } from './html.js';

export interface Detection {
  component: string;
  version?: string;
  detectedBy: string;
  location: string;
  confidence: number;
  /** The banner text, for evidence (never personal data). */
  raw?: string;
}

const label = (place: FpPlace, header?: string): string =>
  place === 'header' ? `header:${headerLabel(header ?? '')}` : place === 'meta-generator' ? 'meta:generator' : place === 'script-src' ? 'html:script-src' : place === 'link' ? 'html:link' : place === 'form-action' ? 'html:form-action' : place === 'cookie' ? 'cookie' : 'html';

export function detectInResponse(url: string, headers: Record<string, string>, cookieNames: string[], page?: PageInfo, html?: string): Detection[] {
  const out: Detection[] = [];
  const push = (rule: (typeof RULES)[number], m: RegExpExecArray, raw: string) => {
    const v = m.groups?.v;
    out.push({ component: rule.component, version: v, detectedBy: rule.label ?? label(rule.place, rule.header), location: url, confidence: v ? rule.confidence : Math.min(rule.confidence, 50), raw: raw.slice(0, 200) });
  };
  for (const rule of RULES) {
    switch (rule.place) {
      case 'header': {
        const v = headers[rule.header ?? ''];
        if (v) {
          const m = rule.pattern.exec(v);
          if (m) push(rule, m, v);
        }
        break;
      }
      case 'cookie':
        for (const n of cookieNames) {
          const m = rule.pattern.exec(n);
          if (m) push(rule, m, n);
        }
        break;
      case 'meta-generator':
        for (const g of page?.generator ?? []) {
          const m = rule.pattern.exec(g);
          if (m) push(rule, m, g);
        }
        break;
      case 'html':
      case 'body':
        if (html) {
          const m = rule.pattern.exec(html);
          if (m) push(rule, m, m[0]);
        }
        break;
      case 'script-src':
        for (const s of page?.scripts ?? []) {
          const m = rule.pattern.exec(s);
          if (m) push(rule, m, s);
        }
        break;
      case 'link':
        for (const s of [...(page?.styles ?? []), ...(page?.links ?? [])]) {
          const m = rule.pattern.exec(s);
          if (m) {
            push(rule, m, s);
            break;
          }
        }
        break;
      case 'form-action':
        for (const f of page?.forms ?? []) {
          const m = rule.pattern.exec(f.action);
          if (m) push(rule, m, f.action);
        }
        break;
    }
  }
  return out;
}

export interface DistroHint {
  family: string;
  rhel: boolean;
  from: string;
}

export function distroHints(headers: Record<string, string>): DistroHint[] {
  const out: DistroHint[] = [];
  for (const h of ['server', 'x-powered-by']) {
    const v = headers[h];
    if (!v) continue;
    for (const d of DISTRO_HINTS) if (d.re.test(v)) out.push({ family: d.family, rhel: d.rhel, from: `header:${h === 'server' ? 'Server' : 'X-Powered-By'}` });
  }
  return out;
}

const SERVER_SIDE = new Set(['apache-httpd', 'php', 'openssl', 'mod_ssl', 'mod_perl', 'nginx']);

export class ComponentSet {
  private readonly best = new Map<string, Detection>();
  private readonly hints: DistroHint[] = [];

  add(d: Detection): void {
    const cur = this.best.get(d.component);
    const score = (x: Detection) => (x.version ? 1000 : 0) + x.confidence;
    if (!cur || score(d) > score(cur)) this.best.set(d.component, d);
  }

  addHints(h: DistroHint[]): void {
    for (const x of h) if (!this.hints.some((y) => y.family === x.family)) this.hints.push(x);
  }

  has(name: string): boolean {
    return this.best.has(name);
  }

  get(name: string): Detection | undefined {
    return this.best.get(name);
  }

  components(): Component[] {
    const distro = this.hints.find((h) => h.family !== 'windows');
    return [...this.best.values()]
      .sort((a, b) => a.component.localeCompare(b.component))
      .map((d) => {
        const c: Component = { name: d.component, detectedBy: d.detectedBy, location: d.location, confidence: d.confidence };
        if (d.version) c.version = d.version;
        if (distro && SERVER_SIDE.has(d.component) && d.detectedBy.startsWith('header:')) {
          c.distroBuild = true;
          if (distro.rhel && d.version && RHEL_SHIPPED[d.component]?.includes(d.version)) c.confidence = Math.max(c.confidence ?? 0, 90);
        }
        return c;
      });
  }

  /** The OS the banners hint at, with the release inferred from the versions Red Hat shipped. */
  os(): OsInfo | undefined {
    const h = this.hints.find((x) => x.family !== 'windows');
    if (!h) return undefined;
    const apache = this.best.get('apache-httpd')?.version;
    const php = this.best.get('php')?.version;
    const rhelRelease: Record<string, string> = { '2.2.3': '5', '2.2.15': '6', '2.4.6': '7', '2.4.37': '8', '5.1.6': '5', '5.3.3': '6', '5.4.16': '7' };
    const version = h.rhel ? (rhelRelease[apache ?? ''] ?? rhelRelease[php ?? '']) : undefined;
    if (!version) return undefined;
    const names: Record<string, string> = { centos: 'CentOS', rhel: 'Red Hat Enterprise Linux', fedora: 'Fedora', amazon: 'Amazon Linux', almalinux: 'AlmaLinux', rocky: 'Rocky Linux' };
    return { family: h.family as OsFamily, name: names[h.family] ?? h.family, version, detectedBy: `${h.from} (inferred from versions)` };
  }
}
