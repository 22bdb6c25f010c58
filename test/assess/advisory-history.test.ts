/**
 * How often fixes come: the distribution's advisories for the installed packages in the twelve months before
 * the scan, per month, from a real knowledge DB (the OSV Debian fixture of test/knowledge/fixtures, and
 * AlmaLinux's real OSV advisories from ../shared/data), counted again here straight from the raw files; and
 * unknown (with the reason), never 0, when the DB cannot tell.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assess } from '../../src/core/assess/index.js';
import { advisoryHistory, lastMonths } from '../../src/core/assess/advisory-history.js';
import type { KnowledgeSlice } from '../../src/core/knowledge.js';
import type { Inventory, ReportDocument } from '../../src/core/model.js';
import { importPath } from '../../src/knowledge/index.js';
import { fixture, sharedData, SKIP_NO_DATA, sliceFor } from './helpers.js';
import { fixesHtml } from '../../src/report/html/proposal.js';

const tmp = mkdtempSync(join(tmpdir(), 'mamori-advhist-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A real host report to carry the history into the renderer. */
const fixturesForReport = (): ReportDocument => JSON.parse(readFileSync(new URL('../fixtures/report/debian12-host.json', import.meta.url), 'utf8')) as ReportDocument;
const emptySlice = (): KnowledgeSlice => ({ advisories: [], lifecycle: [], kev: [], epss: [], cves: [], feeds: [] });
const debian11: Inventory = {
  os: { family: 'debian', name: 'Debian GNU/Linux', version: '11' },
  packages: [{ name: 'apache2', version: '2.4.54-1~deb11u1', source: 'apache2', ecosystem: 'dpkg' }],
  components: [],
  pendingUpdates: [],
};

test('the twelve months end with the scan\'s month and cross the year', () => {
  const m = lastMonths(new Date('2026-02-10T00:00:00Z'));
  assert.equal(m.length, 12);
  assert.equal(m[0], '2025-03');
  assert.equal(m[11], '2026-02');
});

test('unknown with a reason, never 0: no DB, no advisories of the platform, advisories without dates, no OS', () => {
  const now = new Date('2026-11-23T00:00:00Z');
  assert.deepEqual(advisoryHistory(debian11, null, [], now).reason, { code: 'proposal.fix.unknown.noDb' });
  const otherDistro = emptySlice();
  otherDistro.advisories.push({ id: 'ALSA-2026:1', feed: 'osv-almalinux', cves: [], aliases: [], scope: { kind: 'distro', platform: 'almalinux:9', package: 'apache2', versionScheme: 'rpm' }, ranges: [], fixState: 'fixed', published: '2026-10-01' });
  const none = advisoryHistory(debian11, otherDistro, [], now);
  assert.equal(none.status, 'unknown');
  assert.equal(none.total, undefined);
  assert.deepEqual(none.reason, { code: 'proposal.fix.unknown.noAdvisories', params: { platform: 'debian:11' } });
  const undated = emptySlice();
  undated.advisories.push({ id: 'CVE-2026-1', feed: 'debian-tracker', cves: ['CVE-2026-1'], aliases: [], scope: { kind: 'distro', platform: 'debian:11', package: 'apache2', versionScheme: 'dpkg' }, ranges: [], fixState: 'fixed' });
  assert.equal(advisoryHistory(debian11, undated, [], now).reason?.code, 'proposal.fix.unknown.noDates');
  assert.equal(advisoryHistory({ ...debian11, os: undefined }, emptySlice(), [], now).reason?.code, 'proposal.fix.unknown.os');
  // The report says it is unknown and why, in the report's language; no chart, no "0".
  const doc = { ...fixturesForReport(), advisoryHistory: none } as ReportDocument;
  const ja = fixesHtml(doc, 'ja');
  assert.match(ja, /不明です: ナレッジ DB に debian:11 のセキュリティ勧告がありません/);
  assert.ok(!ja.includes('<svg'));
});

test('Debian: the OSV fixture (DSA-5376-1) imported into a real DB counts in its month and is missing on the host', () => {
  const src = join(tmp, 'osv-debian');
  mkdirSync(src);
  copyFileSync(fileURLToPath(new URL('../knowledge/fixtures/osv-debian.json', import.meta.url)), join(src, 'DSA-5376-1.json'));
  const dbPath = join(tmp, 'debian.sqlite');
  importPath(dbPath, src, {});
  const now = new Date('2023-06-01T00:00:00Z');
  const out = assess({ target: { kind: 'host', name: 'web.example.jp' }, inventory: debian11, findings: [], knowledge: sliceFor(dbPath, debian11), now, lang: 'en' });
  const h = out.advisoryHistory!;
  assert.equal(h.status, 'known');
  assert.equal(h.platform, 'debian:11');
  assert.equal(h.months!.length, 12);
  assert.deepEqual(h.months!.filter((m) => m.count > 0), [{ month: '2023-03', count: 1 }]);
  assert.equal(h.total, 1);
  assert.equal(h.missing, 1, 'apache2 2.4.54-1~deb11u1 is below the fixed 2.4.56-1~deb11u1');
  // Installed at the fixed version: published, not missing.
  const fixed = { ...debian11, packages: [{ ...debian11.packages[0]!, version: '2.4.56-1~deb11u1' }] };
  const ok = assess({ target: { kind: 'host', name: 'web.example.jp' }, inventory: fixed, findings: [], knowledge: sliceFor(dbPath, fixed), now, lang: 'en' }).advisoryHistory!;
  assert.equal(ok.total, 1);
  assert.equal(ok.missing, 0);
  // A year later the advisory has left the window: a known 0, not unknown.
  const later = assess({ target: { kind: 'host', name: 'web.example.jp' }, inventory: debian11, findings: [], knowledge: sliceFor(dbPath, debian11), now: new Date('2024-06-01T00:00:00Z'), lang: 'en' }).advisoryHistory!;
  assert.equal(later.status, 'known');
  assert.equal(later.total, 0);
});

const almaDir = join(sharedData, 'osv', 'almalinux', 'advisories', 'almalinux9');

test('AlmaLinux 9: real OSV advisories, monthly counts equal a count made straight from the raw files', (t) => {
  if (!existsSync(almaDir)) return t.skip(SKIP_NO_DATA);
  const dbPath = join(tmp, 'alma.sqlite');
  importPath(dbPath, join(sharedData, 'osv', 'almalinux'), {});
  const f = fixture('alma9-web.json');
  const inv = f.inventory;
  const now = new Date('2026-09-15T00:00:00Z');
  const out = assess({ target: f.target, inventory: inv, findings: [], knowledge: sliceFor(dbPath, inv), now, lang: 'ja' });
  const h = out.advisoryHistory!;
  assert.equal(h.status, 'known', JSON.stringify(h));
  assert.equal(h.platform, 'almalinux:9');

  // Independent count: every ALSA whose affected package is an installed (non third-party) package, by month of `published`.
  const installed = new Set(inv.packages.filter((p) => !p.thirdParty).flatMap((p) => [p.name, p.source ?? p.name]));
  const months = lastMonths(now);
  const expected = new Map(months.map((m) => [m, new Set<string>()]));
  for (const file of readdirSync(almaDir)) {
    const rec = JSON.parse(readFileSync(join(almaDir, file), 'utf8')) as { id: string; published?: string; affected?: { package?: { name?: string; ecosystem?: string } }[] };
    if (!rec.published || rec.published.slice(0, 10) > '2026-09-15') continue;
    if (!rec.affected?.some((a) => a.package?.name && installed.has(a.package.name) && /AlmaLinux:9/.test(a.package.ecosystem ?? ''))) continue;
    expected.get(rec.published.slice(0, 7))?.add(rec.id);
  }
  assert.deepEqual(h.months, months.map((m) => ({ month: m, count: expected.get(m)!.size })));
  const total = [...expected.values()].reduce((n, s) => n + s.size, 0);
  assert.equal(h.total, total);
  assert.ok(total > 0, 'the window holds advisories for PHP, httpd or OpenSSL');
  // The 9.1 host from 2022 has not applied them: every advisory of the window is missing here.
  assert.equal(h.missing, total);
  assert.ok((h.missingPackages ?? 0) >= 1);

  // The chart: twelve bars, the counts in its label, inline SVG only.
  const doc = { ...fixturesForReport(), target: f.target, inventory: inv, advisoryHistory: h } as ReportDocument;
  const html = fixesHtml(doc, 'ja');
  assert.equal(html.match(/<rect /g)?.length, 12);
  for (const m of months) assert.ok(html.includes(`<title>${m}: ${expected.get(m)!.size} 件</title>`), m);
  assert.match(html, /過去 12 か月/);
  assert.match(html, new RegExp(`${total} 件のセキュリティ勧告`));
  assert.match(html, /aria-label="インストール済みパッケージの月別セキュリティ勧告数: /);
  writeFileSync(join(tmp, 'chart.html'), html);
});
