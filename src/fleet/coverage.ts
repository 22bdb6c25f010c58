/**
 * Whether a scan checked a finding: the rule the finding history, the scan diff and the notifications follow.
 * A finding absent from a new scan is resolved only when that scan covered it; when the scan could not look
 * (its document lists a gap for the data the finding depends on, or it is a document of another target, or its
 * collection came back empty) the finding is "not checked": it keeps its state. Unknown is an answer.
 *
 * The mapping is from the gaps the scanners emit (src/collect, src/probe, src/pii, src/apps, src/core/assess,
 * src/scan; message catalogs in src/core/messages) to the areas a finding depends on (its source, category,
 * component, location), one rule per gap code (GAP_RULES; test/fleet/gap-codes.test.ts holds every emitted code to
 * have one). Each rule is as narrow as the gap's meaning allows: a gap present on every scan of a host (an nginx
 * include it cannot read, `ps` missing) must not keep findings it says nothing about open forever. Conservative
 * where the mapping is unclear: a gap with an unknown code leaves nothing checked, a gap naming a whole source (the
 * package database, the site root, the knowledge DB) leaves nothing of that source checked. Pure.
 */
import type { Category, Finding, Gap, ReportDocument } from '../core/model.js';

/** The parts of a scan a finding can depend on. */
export type CoverageArea =
  | 'packages' // the installed-package list (host)
  | 'pending' // what the package manager would install (host)
  | 'os' // the operating system's identity (host)
  | 'kernel' // running / installed kernel, reboot-required (host)
  | 'processes' // processes mapping replaced libraries (host)
  | 'web' // web servers, PHP and the other server components: their binaries, versions and PHP's ini settings (host)
  | 'webconfig' // web server configuration: the sites, document roots and settings it declares (host)
  | 'docroots' // files under the document roots (host)
  | 'pii' // personal-data classification of files
  | 'distro' // distribution advisories matched against packages
  | 'knowledge' // the knowledge DB's assessment (CVEs, lifecycles)
  | 'feed' // one feed of the knowledge DB
  | 'pages' // the site's pages (crawl, forms, headers, cookies)
  | 'exposure' // the site's exposure probes (sensitive files)
  | 'tls' // the site's TLS / certificate
  | 'versions'; // the site's version files

/**
 * What a scan could not check: an area, narrowed to a component, a path, a feed, categories, sources or the
 * places outside some directories where the gap says so.
 */
export interface Blind {
  /** 'all': nothing of the scan counts as checked. */
  area: CoverageArea | 'all';
  component?: string;
  /** A path or URL prefix of the finding's location. */
  path?: string;
  /**
   * Only what lies outside these directories: a location that is an absolute path under none of them. Used where
   * the scan may have missed places (document roots a configuration it could not read would have declared;
   * installations only the process list shows). A location that is not a path (`command:nginx -V`, a package, a
   * URL) was not found there; a finding with no location is not hit either: the findings of document roots and
   * installations always carry one (a history row without one predates migration 0005, and such a gap would
   * otherwise keep it open on every scan of a host that always has the gap).
   */
  outside?: readonly string[];
  feed?: string;
  categories?: readonly Category[];
  /** Prefixes of the finding's source (the check that produced it): `transport.form-`, `cookie.`. */
  sources?: readonly string[];
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

/** What a rule knows besides the gap: the document's kind, target and the document roots it walked. */
export interface GapContext {
  kind: string;
  targetName: string;
  /** The document roots the scan walked (the document's inventory.docroots). */
  docroots: readonly string[];
}

type Rule = (g: Gap, x: GapContext, why: string) => Blind[];

/** Nothing a finding depends on is left unchecked (structural notes, out-of-scope, data age). */
const harmless: Rule = () => [];
/** Conservative: nothing of the scan counts as checked. */
const everything: Rule = (_g, _x, why) => [{ area: 'all', why }];

/** The directories `findPhp` and PATH reach: a web server or PHP there is found without the process list (src/collect/transport/allowlist.ts). */
const PATH_DIRS = ['/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/local/bin', '/usr/local/sbin'];

/** The components a version command of the web stack stands for (src/collect/host/webstack.ts tryRun; MariaDB ships a `mysqld` too). */
const COMMAND_COMPONENTS: Readonly<Record<string, readonly string[]>> = {
  nginxV: ['nginx'], apache2V: ['apache-httpd'], httpdV: ['apache-httpd'], lighttpdV: ['lighttpd'], mysqldV: ['mysql', 'mariadb'], mariadbdV: ['mariadb'],
  postgresV: ['postgresql'], opensslV: ['openssl'], findPhp: ['php'], phpV: ['php'], phpI: ['php'],
};

/** Site findings that come from the pages after the first (the crawl): forms, mixed content, cookies and the headers grade that counts the cookies. */
const CRAWLED = ['transport.form-', 'transport.mixed-content', 'cookie.', 'header.observatory-grade'] as const;

/** Document roots a configuration (or the user directories) would have declared: outside the roots the scan walked. */
const missedDocroots = (x: GapContext, why: string): Blind[] => [{ area: 'docroots', outside: x.docroots, why }, { area: 'pii', outside: x.docroots, why }];

/** A site gap in a document of another kind cannot be placed. */
const siteOnly = (rule: Rule): Rule => (g, x, why) => (x.kind === 'site' ? rule(g, x, why) : [{ area: 'all', why }]);

/** One file the personal-data classifier could not read (a path, or a URL on a site). */
const piiAt: Rule = (g, _x, why) => [{ area: 'pii', ...(isPath(g.what) ? { path: g.what } : {}), why }];

/**
 * Every gap code the scanners emit (src/collect, src/probe, src/pii, src/apps, src/core/assess, src/scan,
 * src/cli/knowledge-prep.ts) and what it leaves unchecked. A code missing here is unknown: nothing counts as
 * checked (test/fleet/gap-codes.test.ts fails on an emitted code that has no rule).
 */
const GAP_RULES: Readonly<Record<string, Rule>> = {
  // ---- host: packages, updates, OS, kernel, processes ----
  'host.gap.noPackageManager': (_g, _x, why) => [{ area: 'packages', why }, { area: 'pending', why }],
  'host.gap.pending': (_g, _x, why) => [{ area: 'pending', why }],
  // No security class for pending updates (CentOS, apk): the collector's own pending-update findings cannot be
  // told; a distribution's advisories (distro:…) and the kernel are not affected.
  'host.gap.noUpdateinfo': (_g, _x, why) => [{ area: 'pending', categories: ['missing-security-update'], why }],
  'host.gap.osUnknown': (_g, _x, why) => [{ area: 'os', why }],
  'host.gap.notRoot': (g, _x, why) => (g.subject?.code === 'host.gap.what.kernel' ? [{ area: 'kernel', why }] : [{ area: 'processes', why }]),
  'host.gap.command': commandOrRead,
  'host.gap.read': commandOrRead,
  // ---- host: web stack ----
  // A configuration file of one server could not be read: the settings it holds (that server's configuration
  // findings) and the document roots it would declare. Not the server's version or CVEs (its binary or package says
  // those) nor the applicability of a CVE (a feature not seen in a partial configuration is "unknown": the CVE stays).
  'host.gap.config': (g, x, why) => {
    const server = param(g.subject?.params, 'server');
    return [{ area: 'webconfig', ...(server ? { component: server } : {}), why }, ...missedDocroots(x, why)];
  },
  // A version unknown: the component's CVEs, end of life and (PHP) ini settings.
  'host.gap.webVersion': (g, _x, why) => {
    if (g.subject?.code === 'host.gap.what.phpUnder') return [{ area: 'web', component: 'php', why }];
    const server = param(g.subject?.params, 'server');
    return [{ area: 'web', ...(server ? { component: server } : {}), why }];
  },
  'host.gap.garbage': (g, _x, why) => {
    if (g.subject?.code === 'host.gap.what.nginxVersion') return [{ area: 'web', component: 'nginx', why }];
    // A lock file that does not parse (src/apps/detect.ts): the libraries it lists.
    if (!g.subject && g.what.startsWith('/')) return [{ area: 'docroots', path: g.what, why }];
    return [{ area: 'web', why }, { area: 'docroots', why }];
  },
  'host.gap.appVersion': (g, _x, why) => {
    const c = param(g.subject?.params, 'component');
    return [{ area: 'knowledge', ...(c ? { component: c } : {}), why }];
  },
  // sudo refused: root-only reads ran as the user (configuration, document roots, /proc).
  'host.gap.sudo': (_g, _x, why) => [{ area: 'web', why }, { area: 'webconfig', why }, { area: 'docroots', why }, { area: 'pii', why }, { area: 'processes', why }, { area: 'kernel', why }],
  // ---- host: document roots and personal data ----
  'host.gap.docroot': (g, _x, why) => {
    const path = param(g.subject?.params, 'path');
    return [{ area: 'docroots', ...(path ? { path } : {}), why }, { area: 'pii', ...(path ? { path } : {}), why }];
  },
  // One root's walk stopped at the entry cap: that root; the user directories over their cap: roots not walked.
  'host.gap.docrootCap': (g, x, why) => {
    if (g.subject?.code === 'host.gap.what.userDirs') return missedDocroots(x, why);
    const path = param(g.subject?.params, 'path');
    return [{ area: 'docroots', ...(path ? { path } : {}), why }, { area: 'pii', ...(path ? { path } : {}), why }];
  },
  'host.gap.piiCap': (g, _x, why) => {
    const path = param(g.subject?.params, 'path');
    return [{ area: 'pii', ...(path ? { path } : {}), why }];
  },
  'host.gap.piiUnavailable': (_g, _x, why) => [{ area: 'pii', why }],
  // A file name that is not UTF-8 (masked like the findings' locations): that file's classification.
  'host.gap.nonUtf8': piiAt,
  // ---- knowledge and assessment ----
  'assess.gap.feedStale': harmless,
  'assess.gap.feedNoDate': harmless,
  'assess.gap.ignoreExpired': harmless,
  'assess.gap.ignoreUnused': harmless,
  'knowledge.gap.failed': harmless, // the previous data was used: what it finds is still found
  'knowledge.gap.busy': harmless,
  'assess.gap.noOs': (_g, _x, why) => [{ area: 'os', why }],
  'assess.gap.noDb': noKnowledge,
  'assess.gap.emptyDb': noKnowledge,
  'assess.gap.dbDamaged': noKnowledge,
  'knowledge.gap.load': noKnowledge,
  'assess.gap.noDistroData': (_g, _x, why) => [{ area: 'distro', why }],
  'assess.gap.noDistroDataRedhat': (_g, _x, why) => [{ area: 'distro', why }],
  'assess.gap.osUnknown': (_g, _x, why) => [{ area: 'distro', why }],
  // Advisories whose version ranges could not be compared: the distribution's (a subject), or one product's or
  // library's (`name version`).
  'assess.gap.compareUnknown': (g, _x, why) => {
    if (g.subject?.code === 'assess.gap.what.distroComparisons') return [{ area: 'distro', categories: ['vulnerability', 'missing-security-update'], why }];
    const name = /^(\S+) \S+$/.exec(g.what)?.[1];
    if (!g.subject && name) return [{ area: 'knowledge', component: name, categories: ['vulnerability'], why }];
    return [{ area: 'knowledge', categories: ['vulnerability', 'missing-security-update'], why }, { area: 'distro', why }];
  },
  // One product's CVEs, or its support phase, could not be told.
  'assess.gap.noUpstreamData': productKnowledge,
  'assess.gap.versionUnknown': productKnowledge,
  'assess.gap.lifecycleMissing': productKnowledge,
  'assess.gap.lifecycleCycle': productKnowledge,
  'assess.gap.lifecycleVersion': productKnowledge,
  'assess.gap.appVersion': productKnowledge,
  'assess.gap.feedsMissing': (g, _x, why) => {
    const feeds = (param(g.message?.params, 'feeds') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return feeds.length ? feeds.map((feed) => ({ area: 'feed' as const, feed, why })) : [{ area: 'knowledge', why }];
  },
  // ---- the personal-data classifier (files under a root, or one file) ----
  'pii.gap.archiveUnopened': piiAt,
  'pii.gap.bomb': piiAt,
  'pii.gap.corrupt': piiAt,
  'pii.gap.dirUnreadable': piiAt,
  'pii.gap.encrypted': piiAt,
  'pii.gap.invalidBytes': piiAt,
  'pii.gap.maxDepth': piiAt,
  'pii.gap.maxFiles': piiAt,
  'pii.gap.maxTotal': piiAt,
  'pii.gap.symlinks': piiAt,
  'pii.gap.tooLarge': piiAt,
  'pii.gap.unreadable': piiAt,
  'pii.gap.worker': piiAt,
  // ---- site ----
  'site.gap.scope': harmless, // another origin: never part of this target
  // The site (or its other scheme) did not answer: nothing of the site is checked when it is the site's own scheme.
  'site.gap.http': siteOnly(schemeDown),
  'site.gap.https': siteOnly(schemeDown),
  // The other scheme was never tried (a non-standard port): a scan of this target never checks it.
  'site.gap.httpsUnknown': siteOnly((_g, _x, why) => [{ area: 'tls', why }]),
  'site.gap.httpUnknown': siteOnly((_g, _x, why) => [{ area: 'pages', categories: ['plaintext-transport'], why }]),
  'site.gap.tls': siteOnly((_g, _x, why) => [{ area: 'tls', why }]),
  'site.gap.deadlineTlsProtocols': siteOnly((_g, _x, why) => [{ area: 'tls', categories: ['weak-tls'], why }]),
  'site.gap.deadlineTlsWeak': siteOnly((_g, _x, why) => [{ area: 'tls', categories: ['weak-tls'], why }]),
  'site.gap.deadlineTlsGrade': siteOnly((_g, _x, why) => [{ area: 'tls', categories: ['weak-tls'], why }]),
  'site.gap.deadlineTlsCert': siteOnly((_g, _x, why) => [{ area: 'tls', categories: ['certificate'], why }]),
  // The request budget ran out (during the crawl, the exposure probes or the version files, which run in that
  // order): the pages after the first, the probes and the version files. The first page's headers were read.
  'site.gap.budget': siteOnly((_g, _x, why) => [{ area: 'exposure', why }, { area: 'pii', why }, { area: 'versions', why }, { area: 'pages', sources: CRAWLED, why }]),
  'site.gap.deadlineExposure': siteOnly((_g, _x, why) => [{ area: 'exposure', why }, { area: 'pii', why }]),
  'site.gap.deadlineListing': siteOnly((_g, _x, why) => [{ area: 'exposure', why }, { area: 'pii', why }]),
  'site.gap.piiMissing': siteOnly((_g, _x, why) => [{ area: 'pii', why }]),
  // One file reached the classifier and failed there: that file's personal data.
  'site.gap.piiError': siteOnly((g, _x, why) => {
    const url = param(g.subject?.params, 'url');
    return [{ area: 'pii', ...(url ? { path: url } : {}), why }];
  }),
  'site.gap.deadlineCrawl': siteOnly((_g, _x, why) => [{ area: 'pages', sources: CRAWLED, why }, { area: 'versions', why }]),
  // The http:// counterparts of https pages with forms, fetched again to see whether they are served without TLS.
  'site.gap.deadlineRecheck': siteOnly((_g, _x, why) => [{ area: 'pages', sources: ['transport.form-'], why }]),
  'site.gap.recheck': siteOnly((_g, _x, why) => [{ area: 'pages', sources: ['transport.form-'], why }]),
  'site.gap.deadlineVersion': siteOnly((_g, _x, why) => [{ area: 'versions', why }]),
  'site.gap.deadline': everything,
};

/** The gap codes the rule maps (every other code leaves nothing checked). */
export const MAPPED_GAP_CODES: readonly string[] = Object.keys(GAP_RULES).sort();

function commandOrRead(g: Gap, x: GapContext, why: string): Blind[] {
  const subject = g.subject?.code ?? '';
  const message = g.message?.code ?? '';
  if (subject === 'host.gap.what.packages' || subject === 'host.gap.what.packagesAll') return [{ area: 'packages', why }, { area: 'pending', why }];
  if (subject === 'host.gap.what.pending' || subject === 'host.gap.what.aptPolicy' || subject === 'host.gap.what.advisories') return [{ area: 'pending', why }];
  if (subject === 'host.gap.what.kernel' || g.what === '/var/run/reboot-required') return [{ area: 'kernel', why }];
  if (subject === 'host.gap.what.staleProcesses') return [{ area: 'processes', why }];
  // Listening ports feed no finding.
  if (subject === 'host.gap.what.listening') return [];
  // The process list finds web servers and PHP outside PATH and the usual prefixes: installations at such a path.
  // (A PHP ini finding has no binary path: a PHP only the process list shows would lose its ini findings unseen.)
  if (subject === 'host.gap.what.processList') return [{ area: 'web', outside: PATH_DIRS, why }];
  // /etc/passwd unreadable: the user directories (~user/public_html) were not walked.
  if (subject === 'host.gap.what.userDirs') return missedDocroots(x, why);
  if (subject === 'host.gap.what.command') {
    const id = param(g.subject?.params, 'command') ?? '';
    const components = Object.hasOwn(COMMAND_COMPONENTS, id) ? COMMAND_COMPONENTS[id]! : [];
    return components.length ? components.map((component) => ({ area: 'web' as const, component, why })) : [{ area: 'web', why }];
  }
  if (!subject && isPath(g.what)) {
    // A file of a document root could not be read for personal data: that file's classification.
    if (message === 'host.gap.why.piiRead') return [{ area: 'pii', path: g.what, why }];
    // A web application's version file: that application's version, so its CVEs and support phase.
    if (message === 'host.gap.why.versionFile') {
      const c = param(g.message?.params, 'component');
      return [{ area: 'knowledge', ...(c ? { component: c } : {}), why }];
    }
    // A lock file: the libraries it lists (their findings are located at it).
    if (message === 'host.gap.why.lockFile') return [{ area: 'docroots', path: g.what, why }];
    // A php.ini a web SAPI reads: the settings findings located at it.
    if (message === 'host.gap.why.phpIni') return [{ area: 'web', component: 'php', sources: ['host:php-ini'], path: g.what, why }];
    // An .htaccess file only decides whether files are served (a finding's severity), not whether there is one.
    if (!message && g.what.endsWith('/.htaccess')) return [];
    return [{ area: 'docroots', path: g.what, why }, { area: 'pii', path: g.what, why }];
  }
  return [{ area: 'all', why }];
}

function noKnowledge(_g: Gap, _x: GapContext, why: string): Blind[] {
  return [{ area: 'knowledge', why }, { area: 'distro', why }];
}

function productKnowledge(g: Gap, _x: GapContext, why: string): Blind[] {
  const code = g.code ?? '';
  const mp = g.message?.params;
  const c = param(mp, 'product') ?? param(mp, 'component') ?? param(mp, 'app') ?? param(g.subject?.params, 'app');
  const cves = code === 'assess.gap.noUpstreamData' || code === 'assess.gap.versionUnknown';
  const categories: Category[] = cves ? ['vulnerability', 'outdated-application'] : ['end-of-life', 'outdated-application'];
  return [{ area: 'knowledge', ...(c ? { component: c } : {}), categories, why }];
}

function schemeDown(g: Gap, x: GapContext, why: string): Blind[] {
  const scheme = /^https:/i.test(x.targetName) ? 'https' : 'http';
  const gapScheme = g.code === 'site.gap.https' ? 'https' : 'http';
  if (gapScheme === scheme) return [{ area: 'all', why }];
  // Neither scheme answered, only the TLS handshake did (the reason then lists both: `http: …; https: …`).
  if (/(^|; )https?: /.test(g.why)) return [{ area: 'pages', why }, { area: 'exposure', why }, { area: 'pii', why }, { area: 'versions', why }];
  return gapScheme === 'https'
    ? [{ area: 'tls', why }, { area: 'pages', path: 'https:', why }, { area: 'pages', categories: ['plaintext-transport'], why }, { area: 'exposure', path: 'https:', why }]
    : [{ area: 'pages', path: 'http:', why }, { area: 'pages', categories: ['plaintext-transport'], why }, { area: 'exposure', path: 'http:', why }];
}

/** The blind spots one gap stands for, on a host or a site document (`docroots`: the roots the scan walked). */
export function blindsOfGap(g: Gap, kind: string, targetName: string, docroots: readonly string[] = []): Blind[] {
  const code = g.code ?? '';
  const why = code || g.what;
  const rule = Object.hasOwn(GAP_RULES, code) ? GAP_RULES[code] : undefined;
  // A gap the rule does not know: nothing counts as checked.
  return rule ? rule(g, { kind, targetName, docroots }, why) : [{ area: 'all', why }];
}

/** Server components found by their binaries, packages or headers (never in a document root). */
const SERVER_COMPONENTS = new Set(['nginx', 'apache-httpd', 'lighttpd', 'php', 'mysql', 'mariadb', 'postgresql', 'openssl'].map((n) => canon(n)));
const isServerComponent = (c: string | null) => c !== null && SERVER_COMPONENTS.has(canon(c));

/** The areas a finding depends on, by its source (the collector, feed or probe that produced it) and category. */
export function needsOf(f: CoverageFinding, kind: string): Need[] {
  const source = f.source ?? '';
  const component = f.component ?? null;
  const location = f.location ?? null;
  const feedsOf = (s: string) => s.slice(s.indexOf(':') + 1).split('+').filter(Boolean).map((feed): Need => ({ area: 'feed', feed }));
  if (kind === 'host') {
    if (/^host:[a-z]*-pending$/.test(source) || source === 'package-manager') return [{ area: 'packages' }, { area: 'pending' }];
    if (source === 'host:kernel') return [{ area: 'kernel' }, { area: 'packages' }];
    if (source === 'host:proc-maps') return [{ area: 'processes' }];
    if (source === 'host:php-ini') return [{ area: 'web', component: 'php' }];
    // A file of a document root: found by the walk, told personal or sensitive by the classifier.
    if (source === 'host:docroot') return [{ area: 'docroots', location }, { area: 'pii', location }];
    if (source.startsWith('distro:')) return [{ area: 'packages' }, { area: 'os' }, { area: 'distro' }, { area: 'knowledge', component }];
    if (source.startsWith('library:')) return [{ area: 'docroots', location }, { area: 'knowledge', component }, ...feedsOf(source)];
    if (source.startsWith('upstream:') || source.startsWith('lifecycle:')) {
      const known: Need[] = [{ area: 'knowledge', component }, ...feedsOf(source)];
      // An OS end of life has no location.
      if (source.startsWith('lifecycle:') && location === null) return [{ area: 'os' }, ...known];
      // A package (`package:httpd`, `package foo (repo)`): the package list; a server's own version command failed before it.
      if (location !== null && /^package[: ]/.test(location)) return [{ area: 'packages' }, ...(isServerComponent(component) ? [{ area: 'web' as const, component, location }] : []), ...known];
      // A server component (its binary, version header or configuration named it); an application where it was found.
      if (isServerComponent(component)) return [{ area: 'web', component, location }, ...known];
      return [{ area: 'docroots', location }, ...known];
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
      case 'sensitive-file-exposure':
        return [{ area: 'docroots', location }, { area: 'pii', location }];
      case 'security-header':
      case 'weak-tls':
      case 'certificate':
      case 'cookie':
      case 'plaintext-transport':
      case 'information-disclosure':
        // Settings of a server (headers, TLS protocols, disclosure): its binary and its configuration.
        return [{ area: 'web', component }, { area: 'webconfig', component }];
      default:
        return [{ area: 'web', component }, { area: 'webconfig', component }, { area: 'docroots', location }];
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

const under = (loc: string, dir: string) => {
  const d = dir.replace(/\/+$/, '');
  return loc === d || loc.startsWith(`${d}/`) || d === '';
};

function blindHits(b: Blind, n: Need, f: CoverageFinding): boolean {
  if (b.area === 'all') return true;
  if (b.area !== n.area) return false;
  if (b.categories && !b.categories.includes(f.category as Category)) return false;
  if (b.sources && !b.sources.some((s) => (f.source ?? '').startsWith(s))) return false;
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
  if (b.outside !== undefined) {
    const loc = n.location;
    if (!loc || !loc.startsWith('/') || b.outside.some((d) => under(loc, d))) return false;
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
  const docroots = (doc.inventory?.docroots ?? []).map((d) => d.path);
  for (const g of doc.gaps ?? []) blinds.push(...blindsOfGap(g, kind, name, docroots));
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
      if (needs.some((n) => blindHits(b, n, f))) return b;
    }
    return undefined;
  };
  return { blinds, covers: (f) => blindFor(f) === undefined, blindFor };
}

/** Everything counts as checked (the rule before coverage: a caller without a document). */
export const FULL_COVERAGE: Coverage = { blinds: [], covers: () => true, blindFor: () => undefined };
