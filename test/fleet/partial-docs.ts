/**
 * Partial variants of the golden fleet documents (test/fixtures/fleet): a real document with the findings a
 * failed step could not produce removed and the gap the scanner emits for that failure added (built with the
 * collectors' own gap constructors and catalog codes), so the coverage rule sees what a real partial scan writes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Finding, Gap, ReportDocument } from '../../src/core/model.js';
import { gapOf } from '../../src/core/gaps.js';
import { messages } from '../../src/core/messages/index.js';

export const golden = (name: string): ReportDocument =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/fleet/${name}.en.json`, import.meta.url)), 'utf8')) as ReportDocument;

/** What src/collect/host/index.ts collectPackages emits when dpkg-query fails (here: the command timed out over SSH). */
export const dpkgTimeoutGap = (): Gap =>
  gapOf('host.gap.command', { code: 'host.gap.what.packages', params: { tool: 'dpkg' } }, { code: 'host.gap.why.commandFailed', params: { command: 'dpkg-query', reason: 'timeout ' } });

/** What src/collect/host/webstack.ts emits when a PHP binary under a prefix gives no version. */
export const phpVersionGap = (): Gap =>
  gapOf('host.gap.webVersion', { code: 'host.gap.what.phpUnder', params: { path: '/opt/php81' } }, 'its binary did not answer -v and /opt/php81/include/php/main/php_version.h cannot be read (timeout): version unknown');

/** What src/scan/assemble.ts emits when the knowledge DB cannot be opened. */
export const knowledgeDamagedGap = (): Gap => ({ what: messages.t('en', 'assess.gap.what.db'), why: 'file is not a database', code: 'assess.gap.dbDamaged', subject: { code: 'assess.gap.what.db' } });

/** What src/collect/host/docroots.ts emits when a document root cannot be walked. */
export const docrootGap = (path: string): Gap =>
  gapOf('host.gap.docroot', { code: 'host.gap.what.docroot', params: { path } }, { code: 'host.gap.why.cannotWalk', params: { reason: `find: '${path}': Permission denied` } });

/** What src/probe/site.ts emits when the site's own scheme does not answer (http.timeout). */
export const siteHttpGap = (): Gap => ({ what: messages.t('en', 'site.gap.httpWhat'), why: 'http.timeout: no answer within 10 s', code: 'site.gap.http', subject: { code: 'site.gap.httpWhat' } });

/** What src/probe/site/exposure.ts emits when the request budget runs out before the exposure probes. */
export const budgetGap = (left: number, budget: number): Gap => ({
  what: messages.t('en', 'site.gap.budgetWhat', { left }),
  why: messages.t('en', 'site.gap.budgetWhy', { budget }),
  code: 'site.gap.budget',
  message: { code: 'site.gap.budgetWhy', params: { budget } },
  subject: { code: 'site.gap.budgetWhat', params: { left } },
});

/** The findings that come from the installed-package list (pending updates, distro advisories, the kernel's reboot). */
export const fromPackages = (f: Finding): boolean => /^host:[a-z]+-pending$/.test(f.source ?? '') || (f.source ?? '').startsWith('distro:') || f.source === 'host:kernel';

function summaryOf(findings: readonly Finding[]): ReportDocument['summary'] {
  const s = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) s[f.severity]++;
  return s;
}

/** `doc` observed at `at`, holding exactly `findings`, with `gaps` added to its own. */
export function variant(doc: ReportDocument, at: string, findings: readonly Finding[], gaps: readonly Gap[] = [], patch: (d: ReportDocument) => void = () => {}): ReportDocument {
  const d = structuredClone(doc);
  d.scannedAt = at;
  d.findings = findings.map((f) => structuredClone(f));
  d.gaps = [...d.gaps, ...gaps.map((g) => structuredClone(g))];
  d.summary = summaryOf(d.findings);
  patch(d);
  return d;
}

/** The host scan when dpkg-query timed out: no package list, hence no pending updates, no distro matches, no reboot check. */
export function withoutPackageList(doc: ReportDocument, at: string, findings: readonly Finding[] = doc.findings): ReportDocument {
  return variant(doc, at, findings.filter((f) => !fromPackages(f)), [dpkgTimeoutGap()], (d) => {
    d.inventory.packages = d.inventory.packages.filter((p) => !['dpkg', 'rpm', 'apk'].includes(p.ecosystem));
    d.inventory.pendingUpdates = [];
  });
}
