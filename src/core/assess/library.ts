/**
 * Libraries from lock files (`composer.lock`, `installed.json`, `package-lock.json`) against OSV and
 * FriendsOfPHP: one `vulnerability` finding per package + version + lock file, with every advisory.
 */
import type { VulnerabilityEvidence } from '../evidence.js';
import type { Advisory } from '../knowledge.js';
import { findingId } from '../ids.js';
import type { Finding, Gap } from '../model.js';
import { matchVersion } from './affected.js';
import { advisoryCves, type CveEvidence, cveEvidence, type Ctx, gap, msg, newFinding, sortCves, tr, worst } from './context.js';
import { maxVersion } from './distro.js';

export const LIBRARY_PLATFORM: Readonly<Record<string, string>> = { composer: 'packagist', npm: 'npm' };

export function matchLibraries(ctx: Ctx, advisories: readonly Advisory[]): { findings: Finding[]; gaps: Gap[] } {
  const findings: Finding[] = [];
  const gaps: Gap[] = [];
  const idx = new Map<string, Advisory[]>();
  for (const a of advisories) {
    if (a.scope.kind !== 'library') continue;
    const k = `${a.scope.platform}\u0000${a.scope.package.toLowerCase()}`;
    const l = idx.get(k);
    if (l) l.push(a);
    else idx.set(k, [a]);
  }
  for (const p of ctx.inventory.packages) {
    const platform = LIBRARY_PLATFORM[p.ecosystem];
    if (!platform) continue;
    const advs = idx.get(`${platform}\u0000${p.name.toLowerCase()}`);
    if (!advs) continue;
    const version = p.version.replace(/^v(?=\d)/, '');
    const cves = new Map<string, CveEvidence>();
    let target: string | undefined;
    let unknown: string | undefined;
    for (const a of advs) {
      if (a.fixState === 'not-affected') continue;
      const m = matchVersion(a.scope.versionScheme, version, a.ranges, a.versions);
      if (m.status === 'unknown') {
        unknown ??= `${a.id}: ${m.reason}`;
        continue;
      }
      if (m.status !== 'affected') continue;
      const fix = m.fixed ?? a.fixedVersion;
      if (fix) target = maxVersion(a.scope.versionScheme, target, fix);
      for (const c of advisoryCves(a)) if (!cves.has(c)) cves.set(c, cveEvidence(ctx, c, a, m));
    }
    if (unknown) gaps.push(gap(ctx, `${p.name} ${p.version}`, 'assess.gap.compareUnknown', { count: 1, first: unknown }));
    if (!cves.size) continue;
    const list = sortCves([...cves.values()]);
    const command = target ? (platform === 'npm' ? `npm install ${p.name}@${target}` : `composer update ${p.name} --with-dependencies`) : undefined;
    const action = msg(target ? 'assess.action.library' : 'assess.action.libraryNoFix', { package: p.name, fixed: target ?? '-' });
    findings.push(
      newFinding(
        {
          id: findingId('vulnerability', platform, p.name, version, p.location ?? ''),
          category: 'vulnerability',
          severity: worst(list),
          message: msg('assess.title.library', { package: p.name, version, count: list.length }),
          component: { name: p.name, version },
          cves: list.map((c) => c.id),
          ...(p.location ? { location: p.location } : {}),
          evidence: { ecosystem: platform, fixedVersion: target, cves: list } satisfies VulnerabilityEvidence,
          remediation: { priority: target ? 1 : 3, action: tr(ctx.lang, action), actionMessage: action, ...(command ? { command } : {}) },
          confidence: 90,
          source: `library:${platform}`,
        },
        ctx.lang,
      ),
    );
  }
  return { findings, gaps };
}
