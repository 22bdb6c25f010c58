/**
 * Distro packages, matched by SOURCE package against the distro's own fixed versions (back-ports), never
 * against upstream ranges. One finding per source package: `missing-security-update` when a fix is
 * published, `vulnerability` for what the distro has not fixed (or will not fix).
 */
import type { MissingUpdateEvidence, VulnerabilityEvidence } from '../evidence.js';
import type { Advisory } from '../knowledge.js';
import { findingId } from '../ids.js';
import type { Finding, Gap, Inventory, Package, PendingUpdate, Remediation } from '../model.js';
import { matchVersion, versionCache } from './affected.js';
import { advisoryCves, type CveEvidence, cveEvidence, type Ctx, gap, likelyExploited, msg, newFinding, sortCves, step, tr, worst } from './context.js';
import { distroPlatforms, packageUpdate, updateCommand, updateTool } from './platform.js';
import { isRebuildRelease, normaliseRelease, rebuildView } from './rebuild.js';

export interface DistroResult {
  findings: Finding[];
  gaps: Gap[];
  /** Source packages with a missing-update finding here (so their pending updates are not reported twice). */
  covered: Set<string>;
}

/**
 * The versions of a source package to compare with source-level records: the source version where the
 * collector read it, with the epoch of the binary that carries the source's own name (`httpd` has none where
 * `mod_ssl`, built from it, carries 1); without such a binary, each binary's own epoch.
 */
export function sourceVersionsOf(source: string, pkgs: readonly Package[]): string[] {
  const own = pkgs.find((p) => p.name === source);
  if (!own || own.ecosystem !== 'rpm') return [...new Set(pkgs.map(comparableVersion))];
  return [...new Set(pkgs.map((p) => comparableVersion({ ...p, epoch: own.epoch })))];
}

/**
 * The package manager's pending updates of these binaries, and whether each reaches the fixes: on CentOS (no
 * updateinfo) mamori's own matching is what says they are security updates (`security`: the candidate fixes at
 * least one of the CVEs; `fixesAll`: every one; null where a version could not be compared).
 */
function pendingFor(pending: readonly PendingUpdate[], binaries: readonly string[], eco: Package['ecosystem'], fixes: readonly string[]): (PendingUpdate & { fixesAll: boolean | null })[] {
  const out: (PendingUpdate & { fixesAll: boolean | null })[] = [];
  const vc = eco === 'rpm' || eco === 'dpkg' || eco === 'apk' ? versionCache(eco) : undefined;
  // Version-release only: a binary's epoch can differ from its source's (mod_ssl 1: from httpd).
  const noEpoch = (v: string) => (eco === 'rpm' ? v.replace(/^\d+:/, '') : v);
  for (const u of pending) {
    if (!binaries.includes(u.package)) continue;
    let reached: boolean[] | null = null;
    if (fixes.length && vc?.ok) {
      const rebuild = eco === 'rpm' && isRebuildRelease(u.candidate);
      const view = (v: string) => (rebuild ? normaliseRelease(noEpoch(v)) : noEpoch(v));
      const c = vc.value.parse(view(u.candidate));
      const fs = fixes.map((f) => vc.value.parse(view(f)));
      if (c.ok && fs.every((f) => f.ok)) reached = fs.map((f) => vc.value.compare(c.value, (f as { value: unknown }).value) >= 0);
    }
    const fixesAll = reached ? reached.every(Boolean) : null;
    out.push({ ...u, security: reached ? reached.some(Boolean) : u.security, fixesAll });
  }
  return out;
}

/** The messages of a fix only under extended support: a RHEL rebuild (never ships it), RHEL (with the ELS add-on), Ubuntu (Pro). */
const EXTENDED_CODES = {
  rebuild: { title: 'assess.title.distroExtendedOnly', action: 'assess.action.extendedOnly', migrate: 'assess.step.extendedOnly.migrate', extend: 'assess.step.extendedOnly.buy' },
  rhel: { title: 'assess.title.distroElsAddOn', action: 'assess.action.elsAddOn', migrate: 'assess.step.elsAddOn.migrate', extend: 'assess.step.elsAddOn.buy' },
  ubuntu: { title: 'assess.title.distroProOnly', action: 'assess.action.proOnly', migrate: 'assess.step.proOnly.migrate', extend: 'assess.step.proOnly.attach' },
} as const;

const FAMILY_LABEL: Partial<Record<NonNullable<Inventory['os']>['family'], string>> = { centos: 'CentOS', oracle: 'Oracle Linux', almalinux: 'AlmaLinux', rocky: 'Rocky Linux', rhel: 'RHEL' };

/** `CentOS 6`, `Oracle Linux 7`, `Ubuntu 18.04`: the release that does not receive the extended-support updates. */
function rebuildLabel(os: Inventory['os'], platform: string): string {
  if (os?.family === 'ubuntu') return `Ubuntu ${platform.split(':')[1] ?? os.version}`;
  const major = /^(\d+)/.exec(os?.version ?? '')?.[1] ?? platform.split(':')[1] ?? '';
  const label = os ? FAMILY_LABEL[os.family] : undefined;
  return label ? `${label} ${major}`.trim() : (os?.name ?? platform);
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
    const redhat = platforms.some((p) => p.startsWith('rhel:'));
    out.gaps.push(gap(ctx, msg('assess.gap.what.distroAdvisories', { platform: platforms.join(' / ') }), redhat ? 'assess.gap.noDistroDataRedhat' : 'assess.gap.noDistroData', { platform: platforms.join(' / ') }));
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
  // An Ubuntu machine attached to Ubuntu Pro receives the ESM fixes: its packages or updates come from esm.
  const proAttached = inv.os?.family === 'ubuntu' && (distroPkgs.some((p) => /\+esm\d/.test(p.version) || /esm/i.test(p.repository ?? '')) || inv.pendingUpdates.some((u) => /esm/i.test(u.repository ?? '')));
  for (const [source, pkgs] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // The most specific platform that has data for this source (almalinux:9 before rhel:9). RPM feeds
    // (AlmaLinux/Rocky OSV, OVAL, ALAS) name binary packages, so binary names are looked up too.
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
    const eco = pkgs[0]!.ecosystem;
    const sourceVersions = sourceVersionsOf(source, pkgs);
    const fixable = new Map<string, CveEvidence>();
    const open = new Map<string, CveEvidence & { state: string }>();
    const extended = new Map<string, CveEvidence>();
    const advIds = new Set<string>();
    const extIds = new Set<string>();
    let fixTarget: string | undefined;
    let publishedAt: string | undefined;
    let binaryTarget: string | undefined;
    let extTarget: string | undefined;
    let normalised = false;
    for (const a of advs) {
      if (a.fixState === 'not-affected') continue;
      // A source-level record is compared with the source version (the epoch of the source's own binary); a
      // binary-level one (OVAL, ALAS, OSV) with that binary's own version.
      const versions = a.scope.package === source ? sourceVersions : [...new Set(pkgs.filter((p) => p.name === a.scope.package).map(comparableVersion))];
      for (const installed of versions) {
        const view = a.scope.versionScheme === 'rpm' ? rebuildView(installed, a.ranges, a.scope.platform) : { version: installed, ranges: a.ranges, normalised: false };
        const m = matchVersion(a.scope.versionScheme, view.version, view.ranges, a.versions);
        if (m.status === 'unknown') {
          unknowns.push(`${source} ${installed} (${a.id}): ${m.reason}`);
          continue;
        }
        if (m.status !== 'affected') continue;
        if (view.normalised) normalised = true;
        const fx = a.fixedVersion ?? m.fixed;
        for (const cve of advisoryCves(a)) {
          if (a.fixState === 'fixed' || (a.fixState === 'extended-support-only' && proAttached && a.scope.platform.startsWith('ubuntu:'))) {
            if (!fixable.has(cve)) fixable.set(cve, cveEvidence(ctx, cve, a, m));
            advIds.add(a.advisory ?? a.id);
            const day = a.published?.slice(0, 10);
            if (day && /^\d{4}-\d\d-\d\d$/.test(day) && (!publishedAt || day < publishedAt)) publishedAt = day;
            // The target shown is the source's own (`httpd 2.2.15-54`), not a binary's epoch (`mod_ssl 1:`).
            if (fx && a.scope.package === source) fixTarget = maxVersion(a.scope.versionScheme, fixTarget, fx);
            else if (fx) binaryTarget = maxVersion(a.scope.versionScheme, binaryTarget, fx);
          } else if (a.fixState === 'extended-support-only' && !(proAttached && a.scope.platform.startsWith('ubuntu:'))) {
            if (!extended.has(cve)) extended.set(cve, cveEvidence(ctx, cve, a, m));
            extIds.add(a.advisory ?? a.id);
            if (fx) extTarget = maxVersion(a.scope.versionScheme, extTarget, fx);
          } else if (!open.has(cve)) open.set(cve, { ...cveEvidence(ctx, cve, a, m), state: a.fixState });
        }
      }
    }
    fixTarget ??= binaryTarget;
    for (const c of fixable.keys()) {
      open.delete(c);
      extended.delete(c);
    }
    for (const c of extended.keys()) open.delete(c);
    const binaries = [...new Set(pkgs.map((p) => p.name))].sort();
    const installed = [...new Set(pkgs.map(comparableVersion))].join(', ');
    const common = { platform, sourcePackage: source, binaries, installed, ...(normalised ? { releaseNormalised: true } : {}) };
    if (fixable.size) {
      // This finding carries the package manager's pending updates of the source; without it (the data knows
      // no fix the host lacks), a security update the package manager offers is still reported on its own.
      out.covered.add(source);
      const cves = sortCves([...fixable.values()]);
      const tool = updateTool(inv.os, eco);
      const command = tool ? updateCommand(tool, binaries, [...advIds]) : undefined;
      const remediation: Remediation = {
        priority: 1,
        action: tr(ctx.lang, distroUpdateAction(ctx, binaries.join(' '), fixTarget ?? '?')),
        actionMessage: distroUpdateAction(ctx, binaries.join(' '), fixTarget ?? '?'),
      };
      if (command) remediation.command = command;
      const from = new Map(pkgs.map((p) => [p.name, p.version]));
      remediation.update = packageUpdate(tool, binaries.map((name) => ({ name, from: from.get(name)!, ...(fixTarget ? { to: fixTarget } : {}) })), [...advIds], publishedAt);
      remediation.steps = [step(ctx, 1, remediation.actionMessage!, command ? { command } : {})];
      if (likelyExploited(cves) && ctx.exposure.publicWeb) remediation.steps.push(step(ctx, 2, msg('assess.step.restrictUntilUpdated'), { reviewBy: ctx.reviewBy }));
      const pending = pendingFor(inv.pendingUpdates, binaries, eco, [...new Set(cves.map((c) => c.fixedIn).filter((f): f is string => Boolean(f)))]);
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
            evidence: { ...common, fixedVersion: fixTarget, advisories: [...advIds].sort(), cves, ...(pending.length ? { pendingUpdates: pending } : {}) } satisfies MissingUpdateEvidence,
            remediation,
            confidence: 95,
            source: `distro:${platform}`,
          },
          ctx.lang,
        ),
      );
    }
    if (extended.size) {
      const cves = sortCves([...extended.values()]);
      const osName = rebuildLabel(inv.os, platform);
      const p = { package: source, count: cves.length, fixed: extTarget ?? '?', advisories: [...extIds].sort().join(', '), os: osName, packages: binaries.join(' ') };
      const ubuntu = platform.startsWith('ubuntu:');
      // RHEL itself receives ELS updates with the add-on; the rebuilds never do.
      const rhel = inv.os?.family === 'rhel';
      const codes = ubuntu ? EXTENDED_CODES.ubuntu : rhel ? EXTENDED_CODES.rhel : EXTENDED_CODES.rebuild;
      out.findings.push(
        newFinding(
          {
            id: findingId('vulnerability', platform, source, 'extended-support-only'),
            category: 'vulnerability',
            severity: worst(cves),
            message: msg(codes.title, p),
            component: { name: source, version: installed },
            cves: cves.map((c) => c.id),
            location: binaries.join(', '),
            evidence: { ...common, state: 'extended-support-only', fixedVersion: extTarget, advisories: [...extIds].sort(), cves },
            remediation: {
              priority: 1,
              action: tr(ctx.lang, msg(codes.action, p)),
              actionMessage: msg(codes.action, p),
              steps: [
                step(ctx, 1, msg(codes.migrate, p)),
                step(ctx, 1, msg(codes.extend, p)),
                step(ctx, 2, msg('assess.step.restrictUntilUpdated'), { reviewBy: ctx.reviewBy }),
              ],
              reviewBy: ctx.reviewBy,
            },
            confidence: 90,
            source: `distro:${platform}`,
          },
          ctx.lang,
        ),
      );
    }
    if (open.size) {
      const cves = sortCves([...open.values()]);
      const willNot = cves.every((c) => (c as { state?: string }).state === 'will-not-fix' || (c as { state?: string }).state === 'out-of-support');
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
            evidence: { ...common, cves } satisfies VulnerabilityEvidence,
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

/** On a dead OS the distribution's update is its last one: said so, so it never reads as the whole answer. */
export const distroUpdateAction = (ctx: Pick<Ctx, 'deadOs'>, packages: string, fixed: string) =>
  ctx.deadOs ? msg('assess.action.distroUpdateEolOs', { packages, fixed, os: ctx.deadOs }) : msg('assess.action.distroUpdate', { packages, fixed });
