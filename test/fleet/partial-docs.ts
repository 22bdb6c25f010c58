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
import { gap as assessGap } from '../../src/core/assess/context.js';

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

/** What src/collect/host/webstack.ts emits for each problem of a web server's configuration (an include it could not read). */
export const configGap = (server: string, problem: string): Gap => gapOf('host.gap.config', { code: 'host.gap.what.config', params: { server } }, problem);

/** What webstack.ts tryRun emits when an allowlisted version command fails (`nginxV`, `phpV`, …). */
export const commandGap = (command: string): Gap => gapOf('host.gap.command', { code: 'host.gap.what.command', params: { command } }, 'timeout: ');

/** What webstack.ts emits when `ps` cannot list the processes (web servers outside PATH). */
export const processListGap = (): Gap => gapOf('host.gap.command', { code: 'host.gap.what.processList' }, 'ps: exit 1 permission denied');

/** What webstack.ts userDirs emits when /etc/passwd cannot be read. */
export const userDirsGap = (): Gap => gapOf('host.gap.read', { code: 'host.gap.what.userDirs' }, '/etc/passwd: denied (EACCES)');

/** What src/collect/host/docroots.ts emits when one root's walk stops at the entry cap. */
export const docrootCapGap = (path: string, max = 20_000): Gap =>
  gapOf('host.gap.docrootCap', { code: 'host.gap.what.docroot', params: { path } }, { code: 'host.gap.why.docrootCap', params: { max } });

/** What docroots.ts emits when a file of a root cannot be read for personal data. */
export const piiReadGap = (abs: string): Gap => gapOf('host.gap.read', abs, { code: 'host.gap.why.piiRead', params: { failure: 'denied' } });

/** What docroots.ts emits for a file whose name is not UTF-8. */
export const nonUtf8Gap = (abs: string): Gap => gapOf('host.gap.nonUtf8', abs, { code: 'host.gap.why.nonUtf8' });

/** What docroots.ts emits when an .htaccess on the way cannot be read. */
export const htaccessGap = (abs: string): Gap => ({ what: abs, why: 'denied: EACCES', code: 'host.gap.read' });

/** What src/apps/detect.ts emits when a web application's version file cannot be read. */
export const versionFileGap = (abs: string, component: string): Gap => gapOf('host.gap.read', abs, { code: 'host.gap.why.versionFile', params: { component, reason: 'denied: EACCES' } });

/** What src/apps/detect.ts emits when a lock file does not parse. */
export const lockGarbageGap = (abs: string): Gap => ({ what: abs, why: 'Unexpected token } in JSON at position 12', code: 'host.gap.garbage' });

/** What src/collect/host/index.ts emits on CentOS when pending updates carry no security class. */
export const noUpdateinfoGap = (): Gap => gapOf('host.gap.noUpdateinfo', { code: 'host.gap.what.securityClass' }, { code: 'host.gap.why.centosNoUpdateinfo' });

/** What src/core/assess/upstream.ts (and library.ts) emit when a product's advisory ranges cannot be compared with its version. */
export const upstreamCompareGap = (product: string, version: string): Gap =>
  assessGap({ lang: 'en' } as Parameters<typeof assessGap>[0], `${product} ${version}`, 'assess.gap.compareUnknown', { count: 1, first: 'GHSA-0000-0000-0000: range not comparable' });
