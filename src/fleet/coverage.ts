/**
 * Whether a scan checked a finding: the rule the finding history, the scan diff and the notifications follow.
 * A finding absent from a new scan is resolved only when that scan covered it; when the scan could not look
 * (its document lists a gap for the data the finding depends on, or it is a document of another target, or its
 * collection came back empty) the finding is "not checked": it keeps its state. Unknown is an answer.
 *
 * The mapping is from the gaps the scanners emit (src/collect, src/probe, src/core/assess, src/scan, message
 * catalogs in src/core/messages) to the areas a finding depends on (its source, category, component, location).
 * Conservative where the mapping is unclear: a gap with an unknown code leaves nothing checked, a gap naming a
 * whole source (the package database, the site root, the knowledge DB) leaves nothing of that source checked.
 * Pure.
 */
import type { Category, Finding, Gap, ReportDocument } from '../core/model.js';

/** The parts of a scan a finding can depend on. */
export type CoverageArea =
  | 'packages' // the installed-package list (host)
  | 'pending' // what the package manager would install (host)
  | 'os' // the operating system's identity (host)
  | 'kernel' // running / installed kernel, reboot-required (host)
  | 'processes' // processes mapping replaced libraries (host)
  | 'web' // web server configuration, binaries and PHP (host)
  | 'docroots' // files under the document roots (host)
  | 'pii' // personal-data classification of files
  | 'distro' // distribution advisories matched against packages
  | 'knowledge' // the knowledge DB's assessment (CVEs, lifecycles)
  | 'feed' // one feed of the knowledge DB
  | 'pages' // the site's pages (crawl, forms, headers, cookies)
  | 'exposure' // the site's exposure probes (sensitive files)
  | 'tls' // the site's TLS / certificate
  | 'versions'; // the site's version files

/** What a scan could not check: an area, narrowed to a component, a path, a feed or categories where the gap says so. */
export interface Blind {
  /** 'all': nothing of the scan counts as checked. */
  area: CoverageArea | 'all';
  component?: string;
  /** A path or URL prefix of the finding's location. */
  path?: string;
  feed?: string;
  categories?: readonly Category[];
  /** The gap (or rule) it comes from, for the reader. */
  why: string;
}

/** The columns of a finding the rule reads (a report finding, a FindingRow or a history row). */
export interface CoverageFinding {
  category: string;
  source?: string | null;
  component?: string | null;
  location?: string | null;
}

/** A report finding as the rule reads it. */
export const coverageFinding = (f: Finding): CoverageFinding => ({ category: f.category, source: f.source ?? null, component: f.component?.name ?? null, location: f.location ?? null });

export interface Need {
  area: CoverageArea;
  component?: string | null;
  location?: string | null;
  feed?: string;
}

export interface Coverage {
  /** Every blind spot of the scan. */
  readonly blinds: readonly Blind[];
  /** Whether the scan checked the finding (so its absence means it is gone). */
  covers(f: CoverageFinding): boolean;
  /** The blind spot that kept the scan from checking the finding, or undefined when it was checked. */
  blindFor(f: CoverageFinding): Blind | undefined;
}

const OS_ECOSYSTEMS = new Set(['dpkg', 'rpm', 'apk']);

type Params = Record<string, string | number> | undefined;
const param = (p: Params, k: string): string | undefined => (p && p[k] !== undefined ? String(p[k]) : undefined);
const isPath = (s: string | undefined): s is string => s !== undefined && (s.startsWith('/') || /^https?:\/\//i.test(s));

/** Gap codes that leave nothing a finding depends on unchecked (structural notes, out-of-scope, data age). */
const HARMLESS = new Set([
  'host.gap.noUpdateinfo', // CentOS/apk publish no security class: permanent; pending updates are still listed
  'assess.gap.feedStale',
  'assess.gap.feedNoDate',
  'assess.gap.ignoreExpired',
  'assess.gap.ignoreUnused',
  'knowledge.gap.failed', // the previous data was used: what it finds is still found
  'knowledge.gap.busy',
  'site.gap.scope', // another origin: never part of this target
]);

/** The blind spots one gap stands for, on a host or a site document. */
export function blindsOfGap(g: Gap, kind: string, targetName: string): Blind[] {
  const code = g.code ?? '';
  const why = code || g.what;
  const subject = g.subject?.code ?? '';
  const sp = g.subject?.params;
  const mp = g.message?.params;
  if (HARMLESS.has(code)) return [];
  switch (code) {
    // ---- host: packages, updates, OS, kernel, processes ----
    case 'host.gap.noPackageManager':
      return [{ area: 'packages', why }, { area: 'pending', why }];
    case 'host.gap.pending':
      return [{ area: 'pending', why }];
    case 'host.gap.osUnknown':
    case 'assess.gap.noOs':
      return [{ area: 'os', why }];
    case 'host.gap.notRoot':
      return subject === 'host.gap.what.kernel' ? [{ area: 'kernel', why }] : [{ area: 'processes', why }];
    case 'host.gap.command':
    case 'host.gap.read':
      if (subject === 'host.gap.what.packages' || subject === 'host.gap.what.packagesAll') return [{ area: 'packages', why }, { area: 'pending', why }];
      if (subject === 'host.gap.what.pending' || subject === 'host.gap.what.aptPolicy' || subject === 'host.gap.what.advisories') return [{ area: 'pending', why }];
      if (subject === 'host.gap.what.kernel' || g.what === '/var/run/reboot-required') return [{ area: 'kernel', why }];
      if (subject === 'host.gap.what.staleProcesses') return [{ area: 'processes', why }];
      // Listening ports and the process list (web servers outside PATH) feed no finding of their own.
      if (subject === 'host.gap.what.listening' || subject === 'host.gap.what.processList') return [];
      if (subject === 'host.gap.what.userDirs') return [{ area: 'docroots', why }, { area: 'pii', why }];
      if (subject === 'host.gap.what.command') return [{ area: 'web', why }];
      if (!subject && isPath(g.what)) return [{ area: 'docroots', path: g.what, why }, { area: 'pii', path: g.what, why }];
      return [{ area: 'all', why }];
    // ---- host: web stack ----
    case 'host.gap.config':
    case 'host.gap.webVersion': {
      if (subject === 'host.gap.what.phpUnder') return [{ area: 'web', component: 'php', why }];
      const server = param(sp, 'server');
      return [{ area: 'web', ...(server ? { component: server } : {}), why }];
    }
    case 'host.gap.garbage':
      return [{ area: 'web', ...(subject === 'host.gap.what.nginxVersion' ? { component: 'nginx' } : {}), why }];
    case 'host.gap.appVersion':
      return [{ area: 'knowledge', ...(param(sp, 'component') ? { component: param(sp, 'component') } : {}), why }];
    // sudo refused: root-only reads ran as the user (configuration, document roots, /proc).
    case 'host.gap.sudo':
      return [{ area: 'web', why }, { area: 'docroots', why }, { area: 'pii', why }, { area: 'processes', why }, { area: 'kernel', why }];
    // ---- host: document roots and personal data ----
    case 'host.gap.docroot': {
      const path = param(sp, 'path');
      return [{ area: 'docroots', ...(path ? { path } : {}), why }, { area: 'pii', ...(path ? { path } : {}), why }];
    }
    case 'host.gap.docrootCap':
      return [{ area: 'docroots', why }, { area: 'pii', why }];
    case 'host.gap.piiCap': {
      const path = param(sp, 'path');
      return [{ area: 'pii', ...(path ? { path } : {}), why }];
    }
    case 'host.gap.piiUnavailable':
      return [{ area: 'pii', why }];
    // ---- knowledge and assessment ----
    case 'assess.gap.noDb':
    case 'assess.gap.emptyDb':
    case 'assess.gap.dbDamaged':
    case 'knowledge.gap.load':
      return [{ area: 'knowledge', why }, { area: 'distro', why }];
    case 'assess.gap.noDistroData':
    case 'assess.gap.noDistroDataRedhat':
    case 'assess.gap.osUnknown':
      return [{ area: 'distro', why }];
    case 'assess.gap.compareUnknown':
      return [{ area: 'knowledge', categories: ['vulnerability', 'missing-security-update'], why }, { area: 'distro', why }];
    // One product's CVEs, or its support phase, could not be told.
    case 'assess.gap.noUpstreamData':
    case 'assess.gap.versionUnknown':
    case 'assess.gap.lifecycleMissing':
    case 'assess.gap.lifecycleCycle':
    case 'assess.gap.lifecycleVersion':
    case 'assess.gap.appVersion': {
      const c = param(mp, 'product') ?? param(mp, 'component') ?? param(mp, 'app') ?? param(sp, 'app');
      const cves = code === 'assess.gap.noUpstreamData' || code === 'assess.gap.versionUnknown';
      const categories: Category[] = cves ? ['vulnerability', 'outdated-application'] : ['end-of-life', 'outdated-application'];
      return [{ area: 'knowledge', ...(c ? { component: c } : {}), categories, why }];
    }
    case 'assess.gap.feedsMissing': {
      const feeds = (param(mp, 'feeds') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      return feeds.length ? feeds.map((feed) => ({ area: 'feed' as const, feed, why })) : [{ area: 'knowledge', why }];
    }
  }
  if (code.startsWith('pii.gap.')) {
    return [{ area: 'pii', ...(isPath(g.what) ? { path: g.what } : {}), why }];
  }
  if (kind === 'site') {
    const scheme = /^https:/i.test(targetName) ? 'https' : 'http';
    switch (code) {
      // The site (or its other scheme) did not answer: nothing of the site is checked when it is the site's own scheme.
      case 'site.gap.http':
      case 'site.gap.https': {
        const gapScheme = code === 'site.gap.https' ? 'https' : 'http';
        if (gapScheme === scheme) return [{ area: 'all', why }];
        // Neither scheme answered, only the TLS handshake did (the reason then lists both: `http: …; https: …`).
        if (/(^|; )https?: /.test(g.why)) return [{ area: 'pages', why }, { area: 'exposure', why }, { area: 'pii', why }, { area: 'versions', why }];
        return gapScheme === 'https'
          ? [{ area: 'tls', why }, { area: 'pages', path: 'https:', why }, { area: 'pages', categories: ['plaintext-transport'], why }, { area: 'exposure', path: 'https:', why }]
          : [{ area: 'pages', path: 'http:', why }, { area: 'pages', categories: ['plaintext-transport'], why }, { area: 'exposure', path: 'http:', why }];
      }
      // The other scheme was never tried (a non-standard port): a scan of this target never checks it.
      case 'site.gap.httpsUnknown':
        return [{ area: 'tls', why }];
      case 'site.gap.httpUnknown':
        return [{ area: 'pages', categories: ['plaintext-transport'], why }];
      case 'site.gap.tls':
      case 'site.gap.deadlineTlsProtocols':
      case 'site.gap.deadlineTlsWeak':
      case 'site.gap.deadlineTlsCert':
      case 'site.gap.deadlineTlsGrade':
        return [{ area: 'tls', why }];
      case 'site.gap.budget':
      case 'site.gap.deadlineExposure':
      case 'site.gap.deadlineListing':
        return [{ area: 'exposure', why }, { area: 'pii', why }];
      case 'site.gap.piiMissing':
      case 'site.gap.piiError':
        return [{ area: 'pii', why }];
      case 'site.gap.deadlineCrawl':
      case 'site.gap.deadlineRecheck':
      case 'site.gap.recheck':
        return [{ area: 'pages', why }, { area: 'versions', why }];
      case 'site.gap.deadlineVersion':
        return [{ area: 'versions', why }];
      case 'site.gap.deadline':
        return [{ area: 'all', why }];
    }
  }
  // A gap the rule does not know: nothing counts as checked.
  return [{ area: 'all', why }];
}

/** The areas a finding depends on, by its source (the collector, feed or probe that produced it) and category. */
export function needsOf(f: CoverageFinding, kind: string): Need[] {
  const source = f.source ?? '';
  const component = f.component ?? null;
  const location = f.location ?? null;
  const feedsOf = (s: string) => s.slice(s.indexOf(':') + 1).split('+').filter(Boolean).map((feed): Need => ({ area: 'feed', feed }));
  if (kind === 'host') {
    if (/^host:[a-z]*-pending$/.test(source)) return [{ area: 'packages' }, { area: 'pending' }];
    if (source === 'host:kernel') return [{ area: 'kernel' }, { area: 'packages' }];
    if (source === 'host:proc-maps') return [{ area: 'processes' }];
    if (source === 'host:php-ini') return [{ area: 'web', component: 'php' }];
    if (source === 'host:docroot') return [{ area: 'docroots', location }, ...(f.category === 'personal-data-exposure' ? [{ area: 'pii' as const, location }] : [])];
    if (source.startsWith('distro:')) return [{ area: 'packages' }, { area: 'os' }, { area: 'distro' }, { area: 'knowledge', component }];
    if (source.startsWith('library:')) return [{ area: 'docroots', location }, { area: 'knowledge', component }, ...feedsOf(source)];
    if (source.startsWith('upstream:')) return [{ area: 'web', component }, { area: 'docroots', location }, { area: 'knowledge', component }, ...feedsOf(source)];
    if (source.startsWith('lifecycle:')) {
      // An OS end of life has no location; a component's is where the component was found.
      if (location === null) return [{ area: 'os' }, { area: 'knowledge', component }, ...feedsOf(source)];
      return [{ area: 'web', component }, { area: 'docroots', location }, { area: 'knowledge', component }, ...feedsOf(source)];
    }
    switch (f.category) {
      case 'missing-security-update':
        return [{ area: 'packages' }, { area: 'pending' }, { area: 'kernel' }, { area: 'processes' }, { area: 'distro' }];
      case 'vulnerability':
        return [{ area: 'packages' }, { area: 'distro' }, { area: 'web', component }, { area: 'docroots', location }, { area: 'knowledge', component }];
      case 'end-of-life':
        return [{ area: 'os' }, { area: 'web', component }, { area: 'docroots', location }, { area: 'knowledge', component }];
      case 'outdated-application':
        return [{ area: 'docroots', location }, { area: 'knowledge', component }];
      case 'personal-data-exposure':
        return [{ area: 'docroots', location }, { area: 'pii', location }];
      case 'sensitive-file-exposure':
        return [{ area: 'docroots', location }];
      default:
        return [{ area: 'web', component }, { area: 'docroots', location }];
    }
  }
  // Site (and any other kind): what the probes saw.
  if (source.startsWith('upstream:') || source.startsWith('lifecycle:') || source.startsWith('library:'))
    return [{ area: 'pages', location }, { area: 'versions' }, { area: 'knowledge', component }, ...feedsOf(source)];
  switch (f.category) {
    case 'sensitive-file-exposure':
      return [{ area: 'exposure', location }];
    case 'personal-data-exposure':
      return [{ area: 'exposure', location }, { area: 'pii', location }];
    case 'weak-tls':
    case 'certificate':
      return [{ area: 'tls', location }];
    case 'vulnerability':
    case 'end-of-life':
    case 'outdated-application':
      return [{ area: 'pages', location }, { area: 'versions' }, { area: 'knowledge', component }];
    default:
      return [{ area: 'pages', location }];
  }
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');
const ALIASES: Record<string, string> = { apache: 'apachehttpd', apache2: 'apachehttpd', httpd: 'apachehttpd', phpfpm: 'php' };
const canon = (s: string) => {
  const n = norm(s);
  return ALIASES[n] ?? n;
};

/** Component names match loosely (case, punctuation, apache/httpd/apache-httpd): a wider match leaves more unchecked. */
function sameComponent(a: string, b: string): boolean {
  const x = canon(a);
  const y = canon(b);
  return x === y || (x.length >= 3 && y.includes(x)) || (y.length >= 3 && x.includes(y));
}

function blindHits(b: Blind, n: Need, category: string): boolean {
  if (b.area === 'all') return true;
  if (b.area !== n.area) return false;
  if (b.categories && !b.categories.includes(category as Category)) return false;
  if (b.feed !== undefined) return n.feed !== undefined && norm(n.feed) === norm(b.feed);
  // A narrowed blind spot leaves a finding with no component / location of its own unchecked too.
  if (b.component !== undefined && n.component) {
    if (!sameComponent(b.component, n.component)) return false;
  }
  if (b.path !== undefined && n.location) {
    const path = b.path.replace(/\/+$/, '');
    const loc = n.location;
    if (!(loc === path || loc.startsWith(`${path}/`) || (/:$/.test(path) && loc.toLowerCase().startsWith(path.toLowerCase())))) return false;
  }
  return true;
}

export interface CoverageOptions {
  /** The target of the document the findings come from (the previous scan): another target checks none of them. */
  previousTarget?: { kind: string; name: string };
}

/** The coverage of a scan document: which findings its absence of says something about. */
export function coverageOf(doc: Pick<ReportDocument, 'target' | 'gaps' | 'inventory'>, opts: CoverageOptions = {}): Coverage {
  const kind = doc.target?.kind ?? '';
  const name = doc.target?.name ?? '';
  const blinds: Blind[] = [];
  const prev = opts.previousTarget;
  // The same target: same kind and name (a host's SSH user may change: `user@host:port` compares by host:port).
  const where = (n: string) => n.replace(/^[^@/]*@/, '');
  if (prev && (prev.kind !== kind || where(prev.name) !== where(name))) blinds.push({ area: 'all', why: 'another target' });
  for (const g of doc.gaps ?? []) blinds.push(...blindsOfGap(g, kind, name));
  // A collection that came back empty checked nothing, with or without a gap saying so.
  const inv = doc.inventory;
  if (kind === 'host') {
    const osPackages = (inv?.packages ?? []).filter((p) => OS_ECOSYSTEMS.has(p.ecosystem)).length;
    if (!osPackages) blinds.push({ area: 'packages', why: 'empty package list' }, { area: 'pending', why: 'empty package list' }, { area: 'distro', why: 'empty package list' });
    if (!inv?.os) blinds.push({ area: 'os', why: 'no operating system' }, { area: 'distro', why: 'no operating system' });
    if (!osPackages && !inv?.os && !(inv?.components ?? []).length) blinds.push({ area: 'all', why: 'empty inventory' });
  } else if (kind !== 'site') {
    blinds.push({ area: 'all', why: `target kind ${kind || '?'}` });
  }
  const blindFor = (f: CoverageFinding): Blind | undefined => {
    const needs = needsOf(f, kind);
    for (const b of blinds) {
      if (b.area === 'all') return b;
      if (needs.some((n) => blindHits(b, n, f.category))) return b;
    }
    return undefined;
  };
  return { blinds, covers: (f) => blindFor(f) === undefined, blindFor };
}

/** Everything counts as checked (the rule before coverage: a caller without a document). */
export const FULL_COVERAGE: Coverage = { blinds: [], covers: () => true, blindFor: () => undefined };
