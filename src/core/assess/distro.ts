/**
 * Distro packages, matched by SOURCE package against the distro's own fixed versions (back-ports), never
 * against upstream ranges. One finding per source package: `missing-security-update` when a fix is
 * published, `vulnerability` for what the distro has not fixed (or will not fix).
 */
import type { MissingUpdateEvidence, VulnerabilityEvidence } from '../evidence.js';
import type { Advisory } from '../knowledge.js';
import { findingId } from '../ids.js';
import type { Finding, Gap, Package, Remediation } from '../model.js';
import { matchVersion, versionCache } from './affected.js';
import { advisoryCves, type CveEvidence, cveEvidence, type Ctx, gap, likelyExploited, msg, newFinding, sortCves, step, tr, worst } from './context.js';
import { distroPlatforms, updateCommand, updateTool } from './platform.js';

export interface DistroResult {
  findings: Finding[];
  gaps: Gap[];
  /** Source packages the distro data covered (so pending updates are not reported twice). */
  covered: Set<string>;
}

/** The version to compare: the source version where the collector read it, with the rpm epoch. */
export function comparableVersion(p: Package): string {
  const v = p.sourceVersion ?? p.version;
  if (p.ecosystem === 'rpm' && p.epoch && p.epoch !== '0' && !v.includes(':')) return `${p.epoch}:${v}`;
  return v;
}

export function sourceOf(p: Package): string {
  return p.source ?? p.name;
}

export function matchDistro(ctx: Ctx, advisories: readonly Advisory[]): DistroResult {
  const out: DistroResult = { findings: [], gaps: [], covered: new Set() };
  const inv = ctx.inventory;
  const platforms = distroPlatforms(inv.os);
  const distroPkgs = inv.packages.filter((p) => (p.ecosystem === 'dpkg' || p.ecosystem === 'rpm' || p.ecosystem === 'apk') && !p.thirdParty);
  if (distroPkgs.length === 0) return out;
  if (platforms.length === 0) {
    out.gaps.push(gap(ctx, msg('assess.gap.what.distroPackages'), 'assess.gap.osUnknown', { count: distroPkgs.length }));
    return out;
  }
  // Index advisories: platform → source package → advisories.
  const byPlatform = new Map<string, Map<string, Advisory[]>>();
  for (const a of advisories) {
    if (a.scope.kind !== 'distro') continue;
    let m = byPlatform.get(a.scope.platform);
    if (!m) byPlatform.set(a.scope.platform, (m = new Map()));
    const list = m.get(a.scope.package);
    if (list) list.push(a);
    else m.set(a.scope.package, [a]);
  }
  const known = platforms.filter((p) => byPlatform.has(p));
  if (known.length === 0) {
    out.gaps.push(gap(ctx, msg('assess.gap.what.distroAdvisories', { platform: platforms.join(' / ') }), 'assess.gap.noDistroData', { platform: platforms.join(' / ') }));
    return out;
  }
  const groups = new Map<string, Package[]>();
  for (const p of distroPkgs) {
    const s = sourceOf(p);
    const g = groups.get(s);
    if (g) g.push(p);
    else groups.set(s, [p]);
  }
  const unknowns: string[] = [];
  for (const [source, pkgs] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // The most specific platform that has data for this source (almalinux:9 before rhel:9). RPM feeds
    // (AlmaLinux/Rocky OSV) name binary packages, so binary names are looked up too.
    const names = pkgs[0]!.ecosystem === 'rpm' ? [source, ...new Set(pkgs.map((p) => p.name).filter((n) => n !== source))] : [source];
    let platform: string | undefined;
    let advs: Advisory[] | undefined;
    for (const p of known) {
      const m = byPlatform.get(p);
      const l = names.flatMap((n) => m?.get(n) ?? []);
      if (l.length) {
        platform = p;
        advs = l;
        break;
      }
    }
    if (!platform || !advs) continue;
    out.covered.add(source);
    const eco = pkgs[0]!.ecosystem;
    const versions = [...new Set(pkgs.map(comparableVersion))];
    const fixable = new Map<string, CveEvidence>();
    const open = new Map<string, CveEvidence & { state: string }>();
    const advIds = new Set<string>();
    let fixTarget: string | undefined;
    for (const a of advs) {
      if (a.fixState === 'not-affected') continue;
      for (const v of versions) {
        const m = matchVersion(a.scope.versionScheme, v, a.ranges, a.versions);
        if (m.status === 'unknown') {
          unknowns.push(`${source} ${v} (${a.id}): ${m.reason}`);
          continue;
        }
        if (m.status !== 'affected') continue;
        for (const cve of advisoryCves(a)) {
          if (a.fixState === 'fixed') {
            if (!fixable.has(cve)) fixable.set(cve, cveEvidence(ctx, cve, a, m));
            advIds.add(a.id);
            const fx = a.fixedVersion ?? m.fixed;
            if (fx) fixTarget = maxVersion(a.scope.versionScheme, fixTarget, fx);
          } else if (!open.has(cve)) open.set(cve, { ...cveEvidence(ctx, cve, a, m), state: a.fixState });
        }
      }
    }
    for (const c of fixable.keys()) open.delete(c);
    const binaries = [...new Set(pkgs.map((p) => p.name))].sort();
    const installed = versions.join(', ');
    if (fixable.size) {
      const cves = sortCves([...fixable.values()]);
      const tool = updateTool(inv.os, eco);
      const command = tool ? updateCommand(tool, binaries, [...advIds]) : undefined;
      const remediation: Remediation = {
        priority: 1,
        action: tr(ctx.lang, msg('assess.action.distroUpdate', { packages: binaries.join(' '), fixed: fixTarget ?? '?' })),
        actionMessage: msg('assess.action.distroUpdate', { packages: binaries.join(' '), fixed: fixTarget ?? '?' }),
      };
      if (command) remediation.command = command;
      remediation.steps = [step(ctx, 1, remediation.actionMessage!, command ? { command } : {})];
      if (likelyExploited(cves) && ctx.exposure.publicWeb) remediation.steps.push(step(ctx, 2, msg('assess.step.restrictUntilUpdated'), { reviewBy: ctx.reviewBy }));
      out.findings.push(
        newFinding(
          {
            id: findingId('missing-security-update', platform, source),
            category: 'missing-security-update',
            severity: worst(cves),
            message: msg('assess.title.distroUpdate', { package: source, count: cves.length, fixed: fixTarget ?? '?' }),
            component: { name: source, version: installed },
            cves: cves.map((c) => c.id),
            location: binaries.join(', '),
            evidence: { platform, sourcePackage: source, binaries, installed, fixedVersion: fixTarget, advisories: [...advIds].sort(), cves } satisfies MissingUpdateEvidence,
            remediation,
            confidence: 95,
            source: `distro:${platform}`,
          },
          ctx.lang,
        ),
      );
    }
    if (open.size) {
      const cves = sortCves([...open.values()]);
      const willNot = cves.every((c) => (c as { state?: string }).state === 'will-not-fix');
      const code = willNot ? 'assess.action.willNotFix' : 'assess.action.distroUnfixed';
      out.findings.push(
        newFinding(
          {
            id: findingId('vulnerability', platform, source, 'unfixed'),
            category: 'vulnerability',
            severity: worst(cves),
            message: msg('assess.title.distroUnfixed', { package: source, count: cves.length }),
            component: { name: source, version: installed },
            cves: cves.map((c) => c.id),
            location: binaries.join(', '),
            evidence: { platform, sourcePackage: source, binaries, installed, cves } satisfies VulnerabilityEvidence,
            remediation: {
              priority: willNot ? 3 : 2,
              action: tr(ctx.lang, msg(code, { package: source })),
              actionMessage: msg(code, { package: source }),
              reviewBy: ctx.reviewBy,
            },
            confidence: 90,
            source: `distro:${platform}`,
          },
          ctx.lang,
        ),
      );
    }
  }
  if (unknowns.length) {
    out.gaps.push(gap(ctx, msg('assess.gap.what.distroComparisons', { count: unknowns.length }), 'assess.gap.compareUnknown', { count: unknowns.length, first: unknowns[0]! }));
  }
  return out;
}

function maxVersion(eco: Advisory['scope']['versionScheme'], a: string | undefined, b: string): string {
  if (a === undefined) return b;
  const vc = versionCache(eco);
  if (!vc.ok) return a;
  const pa = vc.value.parse(a);
  const pb = vc.value.parse(b);
  if (!pa.ok || !pb.ok) return a;
  return vc.value.compare(pa.value, pb.value) >= 0 ? a : b;
}
export { maxVersion };
