/**
 * How often fixes come: the security advisories the host's distribution published for its installed packages
 * over the twelve months before the scan, month by month, beside how many of them are still missing here.
 * Pure: from the knowledge slice (distro advisories with their dates, already restricted to the installed
 * source packages by the store's query) and the distro findings of this scan. When the knowledge DB holds no
 * advisory of the distribution, or none with a date, the answer is unknown with its reason, never 0.
 */
import type { Advisory, KnowledgeSlice } from '../knowledge.js';
import type { AdvisoryHistory, Finding, Inventory, MessageRef } from '../model.js';
import { distroPlatforms } from './platform.js';
import { dayOf, isoFromDay } from './dates.js';

export const HISTORY_MONTHS = 12;

/** Errata-style ids (DSA-, DLA-, RHSA-, ALSA-, USN-, ALAS-, ELSA-): the unit an owner sees announced. */
const ERRATA = /^(DSA|DLA|DTSA|RHSA|RHBA|RHEA|ALSA|ALBA|RLSA|USN|ALAS\w*|ELSA|CESA)-/i;

const advisoryKey = (a: Advisory): string => (ERRATA.test(a.id) ? a.id : a.advisory && ERRATA.test(a.advisory) ? a.advisory : a.id);

/** `YYYY-MM` of the twelve months ending with the scan's month, oldest first. */
export function lastMonths(now: Date, n = HISTORY_MONTHS): string[] {
  const out: string[] = [];
  const today = isoFromDay(dayOf(now));
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7)) - 1;
  for (let i = n - 1; i >= 0; i--) {
    const total = y * 12 + m - i;
    out.push(`${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

const unknown = (platform: string | undefined, reason: MessageRef): AdvisoryHistory => ({ status: 'unknown', ...(platform ? { platform } : {}), reason });

export function advisoryHistory(inventory: Inventory, slice: KnowledgeSlice | null, distroFindings: readonly Finding[], now: Date): AdvisoryHistory {
  const platforms = distroPlatforms(inventory.os);
  const platform = platforms[0];
  if (!platform) return unknown(undefined, { code: 'proposal.fix.unknown.os' });
  if (!slice) return unknown(platform, { code: 'proposal.fix.unknown.noDb' });
  const installed = inventory.packages.some((p) => (p.ecosystem === 'dpkg' || p.ecosystem === 'rpm' || p.ecosystem === 'apk') && !p.thirdParty);
  if (!installed) return unknown(platform, { code: 'proposal.fix.unknown.noPackages' });
  // The first platform that has advisories (CentOS 7 is judged by `centos:7`, else by `rhel:7`).
  let used: string | undefined;
  let list: Advisory[] = [];
  for (const p of platforms) {
    list = slice.advisories.filter((a) => a.scope.kind === 'distro' && a.scope.platform === p);
    if (list.length) {
      used = p;
      break;
    }
  }
  if (!used) return unknown(platform, { code: 'proposal.fix.unknown.noAdvisories', params: { platform: platforms.join(', ') } });
  const dated = list.filter((a) => a.published && /^\d{4}-\d\d/.test(a.published));
  if (!dated.length) return unknown(used, { code: 'proposal.fix.unknown.noDates', params: { platform: used } });

  // Advisories still missing on this host: named by a distro finding of this scan (by errata id or CVE).
  const missingIds = new Set<string>();
  const missingCves = new Set<string>();
  for (const f of distroFindings) {
    if (f.category !== 'missing-security-update' && f.category !== 'vulnerability') continue;
    if (!f.source?.startsWith('distro:')) continue;
    const ev = f.evidence ?? {};
    if (Array.isArray(ev.advisories)) for (const a of ev.advisories) if (typeof a === 'string') missingIds.add(a);
    if (f.category === 'missing-security-update') for (const c of f.cves ?? []) missingCves.add(c);
  }
  const months = lastMonths(now);
  const counts = new Map(months.map((m) => [m, new Set<string>()]));
  const missing = new Set<string>();
  const firstMonth = months[0]!;
  const lastDay = isoFromDay(dayOf(now));
  for (const a of dated) {
    const day = a.published!.slice(0, 10);
    const month = day.slice(0, 7);
    if (month < firstMonth || day > lastDay) continue;
    const key = advisoryKey(a);
    counts.get(month)?.add(key);
    if (missingIds.has(key) || a.cves.some((c) => missingCves.has(c))) missing.add(key);
  }
  const latest = dated.map((a) => a.published!.slice(0, 10)).filter((d) => d <= lastDay).sort().pop();
  const all = new Set<string>();
  for (const s of counts.values()) for (const k of s) all.add(k);
  return {
    status: 'known',
    platform: used,
    from: `${firstMonth}-01`,
    to: lastDay,
    months: months.map((m) => ({ month: m, count: counts.get(m)!.size })),
    total: all.size,
    missing: missing.size,
    ...(latest ? { latest } : {}),
    missingPackages: distroFindings.filter((f) => f.category === 'missing-security-update' && f.source?.startsWith('distro:')).length,
  };
}
