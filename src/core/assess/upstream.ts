/**
 * Upstream components (banners, phpinfo, source builds, third-party-repository packages) against the
 * vendors' own advisories: PHP's release CVE lists, Apache httpd's CVE JSON, nginx's advisories, OpenSSL.
 *
 * Grouping, for the owner's readability: one `vulnerability` finding per component + version + location,
 * carrying every CVE sorted by severity with evidence per CVE (the full list of the exact version), plus one
 * separate `vulnerability` finding per CVE listed in CISA KEV (known exploited), so those rank first.
 * A distribution build seen from outside (`Apache/2.2.15 (CentOS)`) has lower confidence and one severity
 * step less: the vendor may have back-ported the fixes, and a host scan confirms.
 */
import type { VulnerabilityEvidence } from '../evidence.js';
import type { Advisory } from '../knowledge.js';
import { findingId } from '../ids.js';
import type { Component, Finding, Gap, Inventory, Package, Severity } from '../model.js';
import { matchVersion } from './affected.js';
import { advisoryCves, type CveEvidence, cveEvidence, type Ctx, gap, likelyExploited, msg, newFinding, sortCves, type Step, step, tr, worst } from './context.js';
import { maxSeverity, raise, SEV_ORDER } from './evidence.js';
import { maxVersion } from './distro.js';
import { CVE_DEFENCES } from './data/defences.js';
import type { LifecycleCycle } from '../knowledge.js';
import { applicabilityOf, serverFacts } from './applicability.js';
import { deadLine, eolOs, type LineStatus } from './lifecycle.js';

/** Products the upstream feeds cover, and the package names that carry them in third-party repositories. */
const PRODUCT_OF_PACKAGE: [RegExp, string][] = [
  [/^(php[\d.]*|php\d+-php)(-(common|cli|fpm|cgi))?$/, 'php'],
  [/^(httpd|apache2|httpd24-httpd)$/, 'apache-httpd'],
  [/^nginx$/, 'nginx'],
  [/^(openssl|openssl-libs|openssl\d+)$/, 'openssl'],
];

const DISTRO_REVISION = /(ubuntu\d|[+~]deb\d|\+(squeeze|wheezy|jessie|stretch|buster)|\.el\d|\.amzn\d|\.fc\d\d|-r\d+$)/i;

export function productOfPackage(name: string): string | undefined {
  return PRODUCT_OF_PACKAGE.find(([re]) => re.test(name))?.[1];
}

/** `5.3.3-7+squeeze19` → `5.3.3`, `1.0.1e-fips` → `1.0.1e`, `1:2.4.6-97.el7` → `2.4.6`; undefined if none. */
export function upstreamVersion(raw: string): string | undefined {
  const noEpoch = raw.replace(/^\d+:/, '');
  return /^(\d+(?:\.\d+)*(?:[a-z]{1,2}(?![a-z0-9]))?)/i.exec(noEpoch)?.[1];
}

/** The release line of a version: `5.3` for PHP 5.3.3, `1.0.1` for OpenSSL 1.0.1e. */
const lines = new Map<string, string>();
export function lineOf(product: string, version: string): string {
  const key = `${product}\u0000${version}`;
  let l = lines.get(key);
  if (l === undefined) {
    l = computeLine(product, version);
    if (lines.size > 10_000) lines.clear();
    lines.set(key, l);
  }
  return l;
}

function computeLine(product: string, version: string): string {
  const nums = version.match(/\d+/g) ?? [];
  const n = product === 'openssl' && (nums[0] === '0' || nums[0] === '1') ? 3 : 2;
  return nums.slice(0, n).join('.');
}

interface Subject {
  product: string;
  version?: string;
  location: string;
  detectedBy: string;
  distroBuild: boolean;
  confidence: number;
}

/** The components and third-party packages to judge upstream. Distro-packaged components are not here. */
export function upstreamSubjects(inv: Inventory, products: ReadonlySet<string>): { subjects: Subject[]; skipped: Component[] } {
  const pkgByName = new Map<string, Package>();
  for (const p of inv.packages) pkgByName.set(p.name, p);
  const subjects: Subject[] = [];
  const skipped: Component[] = [];
  // Distro packages that carry a product, by product and upstream version: a component found by command
  // at the same version as such a package is that package even when the collector did not say so.
  const distroCarried = new Set<string>();
  for (const p of inv.packages) {
    if (p.thirdParty || !['dpkg', 'rpm', 'apk'].includes(p.ecosystem)) continue;
    const product = productOfPackage(p.name);
    const v = upstreamVersion(p.version);
    if (product && v) distroCarried.add(`${product}\u0000${v}`);
  }
  for (const c of inv.components) {
    if (!products.has(c.name)) continue;
    const pkg = c.package ? pkgByName.get(c.package) : undefined;
    const uv = c.version ? upstreamVersion(c.version) : undefined;
    // A component provided by a distro package is judged by the distro's data (back-ports), never upstream.
    const packaged = c.package ? !pkg?.thirdParty && Boolean(c.distroBuild || pkg) : !c.location?.match(/^\/(usr\/local|opt|home)\//) && uv !== undefined && distroCarried.has(`${c.name}\u0000${uv}`);
    if (packaged) {
      skipped.push(c);
      continue;
    }
    // Version strings that carry a distro revision (`5.3.3-7+squeeze19`, `7.4.3-4ubuntu2.18`, `2.4.6-97.el7`).
    const distroBuild = Boolean((c.distroBuild || DISTRO_REVISION.test(c.version ?? '')) && !pkg?.thirdParty);
    subjects.push({
      product: c.name,
      version: c.version,
      location: c.location ?? c.detectedBy,
      detectedBy: c.detectedBy,
      distroBuild,
      confidence: c.confidence ?? (distroBuild ? 50 : 80),
    });
  }
  const seen = new Set(subjects.map((s) => `${s.product}\u0000${s.version ?? ''}`));
  for (const p of inv.packages) {
    if (!p.thirdParty) continue;
    const product = productOfPackage(p.name);
    if (!product || !products.has(product)) continue;
    const version = upstreamVersion(p.version);
    const key = `${product}\u0000${version ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    subjects.push({ product, version, location: `package ${p.name}${p.repository ? ` (${p.repository})` : ''}`, detectedBy: `package:${p.name}`, distroBuild: false, confidence: 85 });
  }
  return { subjects, skipped };
}


export function matchUpstream(ctx: Ctx, advisories: readonly Advisory[], products: ReadonlySet<string>, cycles: readonly LifecycleCycle[] = []): { findings: Finding[]; gaps: Gap[] } {
  const findings: Finding[] = [];
  const facts = serverFacts(ctx.inventory, ctx.targetKind);
  const deadOs = ctx.deadOs ?? eolOs(ctx, cycles);
  const gaps: Gap[] = [];
  const byProduct = new Map<string, Advisory[]>();
  for (const a of advisories) {
    if (a.scope.kind !== 'upstream') continue;
    const l = byProduct.get(a.scope.package);
    if (l) l.push(a);
    else byProduct.set(a.scope.package, [a]);
  }
  const { subjects } = upstreamSubjects(ctx.inventory, products);
  for (const s of subjects) {
    const advs = byProduct.get(s.product);
    if (!advs?.length) {
      gaps.push(gap(ctx, `${s.product} ${s.version ?? ''}`.trim(), 'assess.gap.noUpstreamData', { product: s.product }));
      continue;
    }
    const version = s.version ? upstreamVersion(s.version) : undefined;
    if (!version) {
      gaps.push(gap(ctx, msg('assess.gap.what.appAt', { app: s.product, location: s.location ?? '' }), 'assess.gap.versionUnknown', { product: s.product, raw: s.version ?? '-' }));
      continue;
    }
    const line = lineOf(s.product, version);
    const cves = new Map<string, CveEvidence>();
    const unknowns: string[] = [];
    let lineTarget: string | undefined;
    const laterOnly = new Set<string>();
    for (const a of advs) {
      if (a.fixState === 'not-affected') continue;
      const m = matchVersion(a.scope.versionScheme, version, a.ranges, a.versions);
      if (m.status === 'unknown') {
        unknowns.push(`${a.id}: ${m.reason}`);
        continue;
      }
      if (m.status !== 'affected') continue;
      const fix = m.fixed ?? a.fixedVersion;
      for (const cve of advisoryCves(a)) {
        if (cves.has(cve)) continue;
        cves.set(cve, cveEvidence(ctx, cve, a, m));
        if (fix && lineOf(s.product, fix) === line) lineTarget = maxVersion(a.scope.versionScheme, lineTarget, fix);
        else laterOnly.add(cve);
      }
    }
    if (unknowns.length) gaps.push(gap(ctx, `${s.product} ${version}`, 'assess.gap.compareUnknown', { count: unknowns.length, first: unknowns[0]! }));
    // CVEs whose conditions (platform, SAPI, web server, module) this server does not meet: listed, not counted.
    const notApplicable: NonNullable<VulnerabilityEvidence['notApplicable']> = [];
    for (const [id, ev] of cves) {
      const a = applicabilityOf(facts, s.product, id);
      if (a.status === 'not-applicable') {
        notApplicable.push({ id, reason: tr(ctx.lang, a.reason), reasonMessage: a.reason, source: a.source });
        cves.delete(id);
        laterOnly.delete(id);
      } else if (a.status === 'unknown') {
        ev.condition = tr(ctx.lang, a.condition);
        ev.conditionMessage = a.condition;
      }
    }
    if (!cves.size) continue;
    // A CVE fixed on this line later than another fix of the same CVE elsewhere is not "later only".
    for (const [id, ev] of cves) if (ev.fixedIn && lineOf(s.product, ev.fixedIn) === line) laterOnly.delete(id);
    const list = sortCves([...cves.values()]);
    // A CVE that applies only under a condition mamori could not check counts at most as high.
    const confirmed = list.filter((c) => !c.conditionMessage);
    const conditional = list.filter((c) => c.conditionMessage);
    let severity: Severity = maxSeverity(worst(confirmed), capHigh(worst(conditional)));
    if (s.distroBuild && SEV_ORDER[severity] > SEV_ORDER.medium) severity = severity === 'critical' ? 'high' : 'medium';
    const confidence = s.distroBuild ? Math.min(s.confidence, 40) : s.confidence;
    // Outside PHP, moving to the release that fixes everything is an ordinary update, not a migration.
    let anyTarget: string | undefined;
    if (s.product !== 'php') for (const c of list) if (c.fixedIn) anyTarget = maxVersion(advs[0]!.scope.versionScheme, anyTarget, c.fixedIn);
    const dead = s.product === 'php' || s.product === 'apache-httpd' || s.product === 'nginx' ? deadLine(ctx, cycles, s.product, version) : undefined;
    const deadLeft = dead ? { ...dead, left: cvesAt(advs, dead.latest ?? lineTarget, s.product, facts) } : undefined;
    const steps = planSteps(ctx, s, list, lineTarget, laterOnly.size, line, anyTarget, deadLeft, deadOs);
    const first = steps[0]!;
    const base = {
      component: { name: s.product, version },
      location: s.location,
      confidence,
      source: `upstream:${[...new Set(list.map((c) => c.feed))].sort().join('+')}`,
    };
    const critical = list.filter((c) => c.severity === 'critical').length;
    findings.push(
      newFinding(
        {
          ...base,
          id: findingId('vulnerability', s.product, version, s.location),
          category: 'vulnerability',
          severity,
          message: msg(s.distroBuild ? 'assess.title.upstreamVulnsDistro' : 'assess.title.upstreamVulns', { component: s.product, version, count: list.length, critical }),
          cves: list.map((c) => c.id),
          evidence: {
            detectedBy: s.detectedBy,
            line,
            distroBuild: s.distroBuild,
            ...(s.distroBuild ? { note: tr(ctx.lang, msg('assess.note.backport')) } : {}),
            lineFixedIn: lineTarget,
            fixedOnlyOnLaterLines: laterOnly.size,
            likelyExploited: likelyExploited(list),
            cves: list,
            ...(notApplicable.length ? { notApplicable } : {}),
          } satisfies VulnerabilityEvidence,
          remediation: { priority: first.priority, action: first.action, ...(first.actionMessage ? { actionMessage: first.actionMessage } : {}), ...(first.command ? { command: first.command } : {}), steps },
        },
        ctx.lang,
      ),
    );
    for (const c of list) {
      if (!c.kev) continue;
      let sev = maxSeverity(c.severity, 'high');
      if (ctx.exposure.publicWeb && !s.distroBuild) sev = raise(sev);
      if (s.distroBuild && sev === 'critical') sev = 'high';
      // Exploited, but only under a condition mamori could not check: named in the title, at most high, lower confidence.
      if (c.conditionMessage) sev = capHigh(sev);
      const onLine = c.fixedIn !== undefined && lineOf(s.product, c.fixedIn) === line;
      const kevSteps = planSteps(ctx, s, [c], onLine ? c.fixedIn : undefined, onLine ? 0 : 1, line, s.product !== 'php' ? c.fixedIn : undefined, deadLeft, deadOs);
      const k0 = kevSteps[0]!;
      findings.push(
        newFinding(
          {
            ...base,
            id: findingId('vulnerability', s.product, version, s.location, c.id),
            category: 'vulnerability',
            severity: sev,
            ...(c.conditionMessage ? { confidence: Math.min(confidence, 50) } : {}),
            message: c.conditionMessage
              ? msg(c.conditionMessage.code.replace('assess.applic.cond.', 'assess.title.kevIf.'), { ...c.conditionMessage.params, cve: c.id, component: s.product, version })
              : msg('assess.title.kev', { cve: c.id, component: s.product, version }),
            cves: [c.id],
            evidence: { detectedBy: s.detectedBy, distroBuild: s.distroBuild, kev: true, cve: c, ...(s.distroBuild ? { note: tr(ctx.lang, msg('assess.note.backport')) } : {}) } satisfies VulnerabilityEvidence,
            remediation: { priority: k0.priority, action: k0.action, ...(k0.actionMessage ? { actionMessage: k0.actionMessage } : {}), steps: kevSteps },
          },
          ctx.lang,
        ),
      );
    }
  }
  return { findings, gaps };
}


/**
 * 1 the update on the same line; 2 a temporary defence with a review date; 3 the move to a later line.
 * On a dead line (end of life) there is no update to advise: the line's last release keeps CVEs of its own, so
 * the plan is the defence and the move to a supported line. On a dead OS, a distribution build gets no more
 * back-ports either: "apply the distribution's updates" is never the first action there.
 */
function planSteps(ctx: Ctx, s: Subject, list: readonly CveEvidence[], lineTarget: string | undefined, laterOnly: number, line: string, anyTarget?: string, dead?: LineStatus & { left: number }, deadOs?: string): Step[] {
  const steps: Step[] = [];
  const specific = list.filter((c) => c.kev && CVE_DEFENCES[c.id]).map((c) => CVE_DEFENCES[c.id]!)[0] ?? list.map((c) => CVE_DEFENCES[c.id]).find(Boolean);
  const defence = specific ? `assess.step.defence.${specific}` : `assess.step.defence.${s.product === 'apache-httpd' ? 'httpd' : s.product}`;
  // The dead line (or dead OS) first: it is what the owner must understand; the defence holds until the move.
  if (s.distroBuild && deadOs) {
    steps.push(step(ctx, 3, msg('assess.step.distroBuildEolOs', { component: s.product, os: deadOs, line })));
    steps.push(step(ctx, 2, msg(defence), { reviewBy: ctx.reviewBy }));
    return steps;
  }
  // Outside PHP a release fixing every listed CVE is on a later (supported) line: that update stays the advice.
  if (dead && !s.distroBuild && !(anyTarget && (laterOnly > 0 || !lineTarget))) {
    const params = { component: s.product, line: dead.cycle, latest: dead.latest ?? lineTarget ?? line, count: dead.left };
    steps.push(step(ctx, 3, dead.successor ? msg('assess.step.deadLine', { ...params, successor: dead.successor }) : msg('assess.step.deadLineAny', params)));
    steps.push(step(ctx, 2, msg(defence), { reviewBy: ctx.reviewBy }));
    return steps;
  }
  if (s.distroBuild) steps.push(step(ctx, 1, msg('assess.action.distroBuildConfirm', { component: s.product })));
  else if (anyTarget && (laterOnly > 0 || !lineTarget)) {
    steps.push(step(ctx, 1, msg('assess.action.upstreamUpdateAny', { component: s.product, target: anyTarget })));
    laterOnly = 0;
    lineTarget = anyTarget;
  } else if (lineTarget) steps.push(step(ctx, 1, msg('assess.action.upstreamUpdate', { component: s.product, target: lineTarget })));
  // A CVE-specific defence for the worst known-exploited CVE, else the product's general one.
  steps.push(step(ctx, 2, msg(defence), { reviewBy: ctx.reviewBy }));
  if (laterOnly > 0 || !lineTarget) {
    const code = s.product === 'php' ? 'assess.step.migrate.php' : 'assess.step.migrate.generic';
    steps.push(step(ctx, 3, msg(code, { component: s.product, line, count: laterOnly })));
  }
  return steps;
}

/** How many CVEs (that apply to this server) the knowledge DB lists for `version` of a product: what even the line's last release keeps. */
function cvesAt(advs: readonly Advisory[], version: string | undefined, product: string, facts: ReturnType<typeof serverFacts>): number {
  if (!version) return 0;
  const ids = new Set<string>();
  for (const a of advs) {
    if (a.fixState === 'not-affected') continue;
    if (matchVersion(a.scope.versionScheme, version, a.ranges, a.versions).status !== 'affected') continue;
    for (const cve of advisoryCves(a)) if (applicabilityOf(facts, product, cve).status !== 'not-applicable') ids.add(cve);
  }
  return ids.size;
}

const capHigh = (s: Severity): Severity => (s === 'critical' ? 'high' : s);

