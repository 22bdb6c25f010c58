/**
 * Notification events on realistic documents (the golden host and site scans): what a rescan raises against
 * the previous scan, KEV additions, end of life within N days, dedupe by item key, and the composed messages
 * in Japanese and English with personal data masked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ReportDocument } from '../../src/core/model.js';
import { composeMessage, digestEvent, endOfLifeItems, kevCves, scanEvents, scanFailedEvent, weekOf, withoutSent, type NotifyEvent } from '../../src/fleet/notify/index.js';

/**
 * Realistic scan documents with KEV-listed findings: the golden host and site scans as they were assessed before
 * the applicability conditions (CVE-2024-4577 counted as it is where PHP runs as CGI on Windows). They stay
 * here as fixtures of the notification logic, which is about what changed between scans, not about applicability.
 */
const golden = (name: string): ReportDocument => JSON.parse(readFileSync(new URL(`../fixtures/fleet/${name}`, import.meta.url), 'utf8')) as ReportDocument;
const target = { tenantId: 'T1', tenantName: '山田商店', targetId: 'H1', targetName: 'web1.example.jp' };
const now = new Date('2026-11-23T00:00:00Z');

/** The same host a month earlier: before the KEV listing of CVE-2024-4577 and without the new glibc update. */
function earlier(doc: ReportDocument): ReportDocument {
  const d = structuredClone(doc);
  d.findings = d.findings.filter((f) => f.id !== 'VULN-310f5292cccb' && f.id !== 'UPD-5d40bf3474a8');
  for (const f of d.findings) {
    const ev = f.evidence as { cves?: { id: string; kev?: unknown }[] } | undefined;
    for (const c of ev?.cves ?? []) if (c.id === 'CVE-2024-4577') delete c.kev;
  }
  return d;
}

test('a rescan raises the new critical/high findings and the KEV additions, not what was already there', () => {
  const next = golden('host-ubuntu2204.en.json');
  const events = scanEvents({ target, scan: { id: 'S2', finishedAt: next.scannedAt }, previous: earlier(next), next, now, eolWithinDays: 90 });
  const fresh = events.find((e) => e.kind === 'new-findings');
  assert.ok(fresh && fresh.kind === 'new-findings');
  assert.deepEqual(fresh.items.map((i) => i.id), ['VULN-310f5292cccb', 'UPD-5d40bf3474a8']);
  assert.equal(fresh.firstScan, false);
  const kev = events.find((e) => e.kind === 'kev');
  assert.ok(kev && kev.kind === 'kev');
  // The new KEV finding, and the existing php summary finding whose CVE-2024-4577 is newly KEV-listed.
  assert.deepEqual(kev.items.map((i) => [i.id, i.cve, i.newFinding]).sort(), [
    ['VULN-310f5292cccb', 'CVE-2024-4577', true],
    ['VULN-a76ef14131b3', 'CVE-2024-4577', false],
  ]);
  assert.equal(kev.items.find((i) => i.newFinding)!.dateAdded, '2024-06-12');
  // The same scan compared with itself raises nothing new.
  const again = scanEvents({ target, scan: { id: 'S3', finishedAt: next.scannedAt }, previous: next, next, now, eolWithinDays: 0 });
  assert.deepEqual(again.map((e) => e.kind), ['end-of-life']);
});

test('a first scan announces its critical/high findings; accepted findings are left out', () => {
  const doc = golden('host-ubuntu2204.en.json');
  const events = scanEvents({ target, scan: { id: 'S1', finishedAt: doc.scannedAt }, previous: undefined, next: doc, now, eolWithinDays: 90, accepted: new Set(['EOL-6d30b7980013']) });
  const fresh = events.find((e) => e.kind === 'new-findings');
  assert.ok(fresh && fresh.kind === 'new-findings' && fresh.firstScan);
  assert.equal(fresh.items.length, doc.findings.filter((f) => f.severity === 'critical' || f.severity === 'high').length - 1);
  assert.ok(!fresh.items.some((i) => i.id === 'EOL-6d30b7980013'));
  assert.deepEqual(fresh.items.slice(0, 3).map((i) => i.severity), ['critical', 'critical', 'critical']);
});

test('end of life: passed lines once as passed, lines ending within N days as soon, later ones not at all', () => {
  const doc = golden('host-ubuntu2204.en.json');
  // Ubuntu 22.04 and its packages: security support ends 2027-04-01, 129 days after the scan.
  const within90 = endOfLifeItems('H1', doc, now, 90);
  assert.deepEqual(within90.map((i) => [i.component, i.past]), [['php', true]]);
  assert.equal(within90[0]!.date, '2025-12-31');
  assert.equal(within90[0]!.days, -327);
  const within150 = endOfLifeItems('H1', doc, now, 150);
  const soon = within150.filter((i) => !i.past);
  assert.equal(soon.length, 4);
  assert.ok(soon.every((i) => i.days === 129 && i.key.endsWith(':soon')));
  // When the day has come, the same line gets a second ("passed") key: told once ahead, once on the day.
  const later = endOfLifeItems('H1', doc, new Date('2027-04-02T00:00:00Z'), 150);
  assert.ok(later.find((i) => i.component === 'openssl')!.key.endsWith(':passed'));
  // The site scan's lifecycle: entries in phase eol without a date count as passed, unknown ones are not announced.
  const site = endOfLifeItems('W1', golden('site-old.en.json'), now, 90);
  assert.ok(site.some((i) => i.component === 'jquery' && i.past && i.date === null));
  assert.ok(!site.some((i) => i.component === 'ec-cube'));
});

test('KEV CVEs are read from every place the assessment writes them', () => {
  const site = golden('site-old.en.json');
  const byId = new Map(site.findings.map((f) => [f.id, f]));
  assert.deepEqual(kevCves(byId.get('VULN-0dc9e20800d7')!).map((c) => c.id), ['CVE-2024-4577']);
  assert.deepEqual(kevCves(byId.get('VULN-b10ee9505bcd')!).map((c) => c.id), ['CVE-2012-1823', 'CVE-2019-11043', 'CVE-2024-4577']);
  assert.deepEqual(kevCves(golden('host-centos6.en.json').findings[0]!), []);
});

test('dedupe: items already delivered are dropped; an event with nothing left is not sent', () => {
  const next = golden('host-ubuntu2204.en.json');
  const events = scanEvents({ target, scan: { id: 'S2', finishedAt: next.scannedAt }, previous: earlier(next), next, now, eolWithinDays: 90 });
  const sent = new Set<string>();
  const first = events.map((e) => withoutSent(e, (k) => sent.has(k))).filter((e): e is NotifyEvent => e !== undefined);
  assert.equal(first.length, events.length);
  for (const e of first) for (const i of e.items) sent.add(i.key);
  // Recomputed (the notify job ran twice): nothing is left to send.
  const again = scanEvents({ target, scan: { id: 'S2', finishedAt: next.scannedAt }, previous: earlier(next), next, now, eolWithinDays: 90 });
  assert.deepEqual(again.map((e) => withoutSent(e, (k) => sent.has(k))), again.map(() => undefined));
  const failed = scanFailedEvent(target, { id: 'S9', attempts: 3, failureReason: 'ssh: connection refused', finishedAt: null, queuedAt: '2026-11-23T01:00:00Z' });
  assert.ok(withoutSent(failed, () => false));
  assert.equal(withoutSent(failed, (k) => k === 'failed:S9'), undefined);
});

test('messages in Japanese and English, Slack-compatible, with personal data masked', () => {
  const next = golden('host-ubuntu2204.en.json');
  const leaky = structuredClone(next);
  leaky.findings[0]!.title = 'Exposed order list of taro.yamada@example.co.jp, tel 090-1234-5678';
  const [fresh] = scanEvents({ target, scan: { id: 'S1', finishedAt: next.scannedAt }, previous: undefined, next: leaky, now, eolWithinDays: 90 });
  const en = composeMessage(fresh!, 'en');
  const ja = composeMessage(fresh!, 'ja');
  assert.match(en.subject, /山田商店 \/ web1\.example\.jp: first scan found 6 critical or high findings/);
  assert.match(ja.subject, /初回の診断で緊急・高の問題が 6 件/);
  assert.match(ja.text, /\[緊急\]/);
  assert.match(en.text, /\[Critical\] CVE-2024-4577 in php 8\.1\.26/);
  for (const m of [en, ja]) {
    const all = `${m.subject}\n${m.text}\n${JSON.stringify(m.slack)}`;
    assert.ok(!all.includes('taro.yamada@example.co.jp') && !all.includes('1234-5678'), 'personal data in clear');
    assert.equal(typeof m.slack.text, 'string');
    assert.equal(m.slack.blocks[0]!.type, 'header');
    assert.ok(m.slack.blocks.some((b) => b.type === 'section' && b.text.text.includes('CVE-2024-4577')));
  }
  const failed = composeMessage(scanFailedEvent(target, { id: 'S9', attempts: 3, failureReason: 'ssh: connection refused', finishedAt: '2026-11-23T01:00:00Z', queuedAt: '2026-11-23T00:59:00Z' }), 'ja');
  assert.match(failed.text, /3 回試みましたが失敗/);
  assert.match(failed.text, /理由: ssh: connection refused/);
});

test('weekly digest: the previous Monday–Sunday, counts, oldest missing fixes against the lag policy', () => {
  assert.deepEqual(weekOf(new Date('2026-12-07T06:00:00Z')), { from: '2026-11-30', to: '2026-12-06', key: '2026-12-07' });
  assert.deepEqual(weekOf(new Date('2026-12-06T23:00:00Z')).key, '2026-11-30');
  const e = digestEvent({
    tenantId: 'T1',
    tenantName: '山田商店',
    now: new Date('2026-12-07T06:00:00Z'),
    newThisWeek: 4,
    resolvedThisWeek: 2,
    lagPolicy: { critical: 7, high: 30 },
    overview: {
      targets: 3, scannedTargets: 2, failedTargets: 1, summary: { critical: 1, high: 2, medium: 0, low: 0, info: 0 },
      missingUpdates: [
        { targetId: 'H1', targetName: 'web1', tenantId: 'T1', findingId: 'UPD-1', package: 'openssl', severity: 'high', fixPublishedAt: '2026-10-01', lagDays: 67, firstSeenAt: '2026-10-05', daysSeen: 63 },
        { targetId: 'H1', targetName: 'web1', tenantId: 'T1', findingId: 'UPD-2', package: 'glibc', severity: 'high', fixPublishedAt: '2026-11-30', lagDays: 7, firstSeenAt: '2026-12-01', daysSeen: 6 },
        { targetId: 'H2', targetName: 'web2', tenantId: 'T1', findingId: 'UPD-3', package: 'bash', severity: 'critical', fixPublishedAt: null, lagDays: null, firstSeenAt: '2026-11-01', daysSeen: 36 },
      ],
      endOfLife: [], personalData: [], kev: [],
    },
  });
  assert.ok(e.kind === 'digest');
  assert.deepEqual(e.oldest.map((o) => [o.package, o.overdue]), [['openssl', true], ['glibc', false], ['bash', false]]);
  const en = composeMessage(e, 'en');
  assert.match(en.subject, /weekly summary 2026-11-30 – 2026-12-06/);
  assert.match(en.text, /openssl \[High\] — fix available for 67 days \(policy 30 days\), OVERDUE/);
  assert.match(en.text, /bash \[Critical\] — publication date of the fix unknown, first seen 36 days ago/);
  assert.match(composeMessage(e, 'ja').text, /今週の新しい問題: 4 件/);
});
