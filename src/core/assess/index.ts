/**
 * The assessment: from an inventory (host, site or files), the scan's own findings and the knowledge slice
 * to one ordered, explained list of findings with the maintenance plan and the damage they risk. Pure:
 * no I/O, `now` passed in. The application layer (src/scan/assemble.ts) loads the slice with
 * `knowledgeQueries()` and calls `assess()`.
 */
import type { MissingUpdateEvidence } from '../evidence.js';
import type { Advisory, KnowledgeQuery, KnowledgeSlice } from '../knowledge.js';
import { findingId } from '../ids.js';
import { summarize, type Finding, type Gap, type Inventory, type ReportDocument } from '../model.js';
import { assessApplications } from './applications.js';
import { type Ctx, gap, msg, newFinding, tr } from './context.js';
import { dayOf, epochDay } from './dates.js';
import { matchDistro, sourceOf } from './distro.js';
import { LIBRARY_PLATFORM, matchLibraries } from './library.js';
import { assessLifecycle, lifecycleProducts } from './lifecycle.js';
import { distroPlatforms, packageUpdate, updateCommand, updateTool } from './platform.js';
import { assessContext, explain, inventoryNeedsKnowledge } from './explain.js';
import type { AssessInput, AssessOutput } from './types.js';
import { upstreamSubjects } from './upstream.js';
import { advisoryHistory } from './advisory-history.js';
import { matchUpstream } from './upstream.js';

export * from './types.js';
export { applyBaseline, applyExceptions, isExpired } from './exceptions.js';
export { EPSS_THRESHOLD } from './evidence.js';
export { EOL_WARNING_DAYS } from './lifecycle.js';
export { matchVersion } from './affected.js';
export { localize } from './localize.js';
export { assessScanFindings, inventoryNeedsKnowledge } from './explain.js';

/** Upstream products the vendor feeds cover (and which the store is asked for). */
export const UPSTREAM_PRODUCTS = ['php', 'apache-httpd', 'nginx', 'openssl', 'lighttpd', 'mysql', 'mariadb', 'postgresql', 'wordpress', 'phpmyadmin', 'jquery'] as const;

/**
 * What to ask the store: one query per distro platform (CentOS 7 → `centos:7` then `rhel:7`); the first
 * also carries products, libraries and lifecycle. Merge the answers with `mergeSlices`.
 */
export function knowledgeQueries(inv: Inventory): KnowledgeQuery[] {
  const platforms = distroPlatforms(inv.os);
  const distroPkgs = inv.packages.filter((p) => ['dpkg', 'rpm', 'apk'].includes(p.ecosystem) && !p.thirdParty);
  // Source names, plus binary names for rpm (RPM OSV feeds name binary packages).
  const sources = [...new Set([...distroPkgs.map(sourceOf), ...distroPkgs.filter((p) => p.ecosystem === 'rpm').map((p) => p.name)])].sort();
  const libs = new Map<string, Set<string>>();
  for (const p of inv.packages) {
    const platform = LIBRARY_PLATFORM[p.ecosystem];
    if (!platform) continue;
    let s = libs.get(platform);
    if (!s) libs.set(platform, (s = new Set()));
    s.add(p.name);
  }
  const products = new Set<string>(inv.components.map((c) => c.name).filter((n) => (UPSTREAM_PRODUCTS as readonly string[]).includes(n)));
  // Third-party packages (remi php, nginx.org nginx) are matched upstream too.
  for (const s of upstreamSubjects(inv, new Set(UPSTREAM_PRODUCTS)).subjects) products.add(s.product);
  const first: KnowledgeQuery = {
    products: [...products].sort(),
    libraries: [...libs].map(([platform, s]) => ({ platform, packages: [...s].sort() })),
    lifecycleProducts: lifecycleProducts({ inventory: inv }),
  };
  if (platforms[0] && sources.length) first.distro = { platform: platforms[0], packages: sources };
  const rest: KnowledgeQuery[] = platforms.slice(1).map((platform) => ({ distro: { platform, packages: sources }, products: [], libraries: [], lifecycleProducts: [] }));
  return sources.length ? [first, ...rest] : [first];
}

export function mergeSlices(slices: readonly KnowledgeSlice[]): KnowledgeSlice {
  if (slices.length === 1) return slices[0]!;
  const out: KnowledgeSlice = { advisories: [], lifecycle: [], kev: [], epss: [], cves: [], feeds: [] };
  const seen = new Set<string>();
  const key = (a: Advisory) => `${a.feed}\u0000${a.id}\u0000${a.scope.platform}\u0000${a.scope.package}`;
  for (const s of slices) {
    for (const a of s.advisories) {
      const k = key(a);
      if (seen.has(k)) continue;
      seen.add(k);
      out.advisories.push(a);
    }
    out.lifecycle.push(...s.lifecycle);
    out.kev.push(...s.kev);
    out.epss.push(...s.epss);
    out.cves.push(...s.cves);
    for (const f of s.feeds) if (!out.feeds.some((x) => x.name === f.name)) out.feeds.push(f);
  }
  return out;
}

export function assess(input: AssessInput): AssessOutput {
  const { inventory, now } = input;
  const slice = input.knowledge;
  const gaps: Gap[] = [];
  const ctx = assessContext(input);
  const mine: Finding[] = [];
  let lifecycle: ReportDocument['lifecycle'] = [];
  let feeds: AssessOutput['feeds'] = [];
  let distroFindings: Finding[] = [];
  // Nothing to match (a files scan of plain documents): a missing DB is not a gap of this scan.
  const needsKnowledge = inventoryNeedsKnowledge(input.inventory);
  if (!slice) {
    if (needsKnowledge) gaps.push(gap(ctx, msg('assess.gap.what.db'), 'assess.gap.noDb', { path: input.knowledgeLocation ?? '(default)' }));
  } else {
    const staleDays = input.staleAfterDays ?? 30;
    const missing: string[] = [];
    feeds = slice.feeds.map((f) => {
      const updated = f.updatedAt ? epochDay(f.updatedAt) : undefined;
      const age = updated === undefined ? undefined : dayOf(now) - updated;
      const stale = Boolean(f.stale) || age === undefined || age > staleDays;
      if (f.records === 0 && !f.updatedAt) missing.push(f.name);
      else if (stale) gaps.push(gap(ctx, msg('assess.gap.what.feed', { feed: f.name }), age === undefined ? 'assess.gap.feedNoDate' : 'assess.gap.feedStale', { feed: f.name, days: age ?? 0 }));
      return { name: f.name, updatedAt: f.updatedAt, records: f.records, ...(f.source ? { source: f.source } : {}), ...(stale ? { stale: true } : {}) };
    });
    if (missing.length) gaps.push(gap(ctx, msg('assess.gap.what.feeds'), 'assess.gap.feedsMissing', { feeds: missing.join(', '), count: missing.length }));
    if (slice.feeds.length === 0) gaps.push(gap(ctx, msg('assess.gap.what.db'), 'assess.gap.emptyDb', { path: input.knowledgeLocation ?? '(default)' }));
    const distro = matchDistro(ctx, slice.advisories);
    mine.push(...distro.findings);
    distroFindings = distro.findings;
    gaps.push(...distro.gaps);
    mine.push(...pendingUpdateFindings(ctx, distro.covered));
    const up = matchUpstream(ctx, slice.advisories, new Set(UPSTREAM_PRODUCTS));
    mine.push(...up.findings);
    gaps.push(...up.gaps);
    const lib = matchLibraries(ctx, slice.advisories);
    mine.push(...lib.findings);
    gaps.push(...lib.gaps);
    const lc = assessLifecycle(ctx, slice.lifecycle);
    mine.push(...lc.findings);
    gaps.push(...lc.gaps);
    lifecycle = lc.entries;
  }
  if (!slice) mine.push(...pendingUpdateFindings(ctx, new Set()));
  const apps = assessApplications(ctx);
  mine.push(...apps.findings);
  gaps.push(...apps.gaps);
  lifecycle = [...lifecycle, ...apps.lifecycle];
  if (input.target.kind === 'host' && !inventory.os) gaps.push(gap(ctx, msg('assess.gap.what.os'), 'assess.gap.noOs'));

  const out = explain(input, ctx, mine, gaps, lifecycle, feeds);
  if (input.target.kind === 'host') out.advisoryHistory = advisoryHistory(inventory, slice, distroFindings, now);
  return out;
}

/** Security updates the package manager already offers, for packages the distro data did not cover. */
function pendingUpdateFindings(ctx: Ctx, covered: ReadonlySet<string>): Finding[] {
  const inv = ctx.inventory;
  const out: Finding[] = [];
  const groups = new Map<string, typeof inv.pendingUpdates>();
  const byName = new Map(inv.packages.map((p) => [p.name, p]));
  for (const u of inv.pendingUpdates) {
    if (!u.security) continue;
    const src = u.source ?? byName.get(u.package)?.source ?? u.package;
    if (covered.has(src)) continue;
    const g = groups.get(src);
    if (g) g.push(u);
    else groups.set(src, [u]);
  }
  for (const [src, ups] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const eco = byName.get(ups[0]!.package)?.ecosystem ?? (inv.os?.family === 'debian' || inv.os?.family === 'ubuntu' ? 'dpkg' : inv.os?.family === 'alpine' ? 'apk' : 'rpm');
    const tool = updateTool(inv.os, eco);
    const names = [...new Set(ups.map((u) => u.package))].sort();
    const advisories = [...new Set(ups.flatMap((u) => u.advisories ?? []))].sort();
    const command = tool ? updateCommand(tool, names, advisories) : undefined;
    const action = msg('assess.action.distroUpdate', { packages: names.join(' '), fixed: ups[0]!.candidate });
    out.push(
      newFinding(
        {
          id: findingId('missing-security-update', 'pending', src),
          category: 'missing-security-update',
          severity: 'medium',
          message: msg('assess.title.pendingUpdate', { package: src, candidate: ups[0]!.candidate }),
          component: { name: src, version: ups[0]!.installed },
          location: names.join(', '),
          evidence: { pending: ups, advisories } satisfies MissingUpdateEvidence,
          remediation: {
            priority: 1,
            action: tr(ctx.lang, action),
            actionMessage: action,
            ...(command ? { command } : {}),
            update: packageUpdate(tool, ups.map((u) => ({ name: u.package, from: u.installed, to: u.candidate, ...(u.arch ? { arch: u.arch } : {}) })), advisories),
          },
          confidence: 90,
          source: 'package-manager',
        },
        ctx.lang,
      ),
    );
  }
  return out;
}

export { summarize };
