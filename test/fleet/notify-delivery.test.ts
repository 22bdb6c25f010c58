/**
 * Notifications end to end on the real store (SQLite in a temporary home), a real SMTP server and a webhook
 * receiver on 127.0.0.1: a rescan of a realistic host raises mail and Slack-compatible JSON in the tenant's
 * language, each event once; a refusing SMTP server leaves the notification recorded as failed and retried
 * (the notify job fails its attempt), and a later attempt delivers only what was not delivered; the weekly digest
 * carries counts, new/resolved and the patch lag; the monthly report arrives with its PDF attached.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportDocument } from '../../src/core/model.js';
import { openFleetStore } from '../../src/fleet/store/index.js';
import type { FleetStore } from '../../src/fleet/ports.js';
import { SYSTEM_SCOPE, type Target, type Tenant } from '../../src/fleet/types.js';
import { deliveryLog, Notifier, NOTIFICATION_SETTINGS_KEY, smtpFromEnv } from '../../src/fleet/notify/index.js';
import { notifyHandler, ownerReportAttachment } from '../../src/worker/handlers/notify.js';
import type { JobContext } from '../../src/worker/jobs.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startWebhookReceiver } from '../helpers/webhook.js';

/**
 * Realistic scan documents with KEV-listed findings: the golden host and site scans as they were assessed before
 * the applicability conditions (CVE-2024-4577 counted as it is where PHP runs as CGI on Windows). They stay
 * here as fixtures of the notification logic, which is about what changed between scans, not about applicability.
 */
const golden = (name: string): ReportDocument => JSON.parse(readFileSync(new URL(`../fixtures/fleet/${name}`, import.meta.url), 'utf8')) as ReportDocument;
const LEAK_EMAIL = 'hanako.suzuki@example.co.jp';

/** A month earlier: CVE-2024-4577 not yet KEV-listed, no glibc update yet, and one finding fixed since. */
function earlier(doc: ReportDocument): ReportDocument {
  const d = structuredClone(doc);
  d.scannedAt = '2026-11-20T01:00:00.000Z';
  d.findings = d.findings.filter((f) => f.id !== 'VULN-310f5292cccb' && f.id !== 'UPD-5d40bf3474a8');
  for (const f of d.findings) for (const c of ((f.evidence as { cves?: { id: string; kev?: unknown }[] })?.cves ?? [])) if (c.id === 'CVE-2024-4577') delete c.kev;
  d.findings.push({ ...structuredClone(d.findings.find((f) => f.id === 'INFO-4f4214a4693d')!), id: 'INFO-000000000001', title: 'phpinfo page left in the document root' });
  return d;
}

function later(doc: ReportDocument): ReportDocument {
  const d = structuredClone(doc);
  d.scannedAt = '2026-12-02T01:00:00.000Z';
  // A title carrying personal data that slipped through: the notification must mask it.
  d.findings.find((f) => f.id === 'UPD-5d40bf3474a8')!.title += ` (reported by ${LEAK_EMAIL}, 090-1234-5678)`;
  return d;
}

const ctx = (attempt = 1): JobContext => ({ jobId: 'j', kind: 'notify', attempt, maxAttempts: 3, signal: new AbortController().signal, progress: () => undefined, log: () => undefined });

describe('notifications: real store, real SMTP server, loopback webhook', () => {
  let home: string;
  let store: FleetStore;
  let smtp: TestSmtpServer;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let tenant: Tenant;
  let target: Target;
  let scan2: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'mamori-notify-'));
    store = await openFleetStore({ home });
    await store.migrate();
    smtp = await startSmtpServer();
    hook = await startWebhookReceiver();
    tenant = await store.createTenant(SYSTEM_SCOPE, '山田商店');
    target = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId: tenant.id, name: 'web1.example.jp', kind: 'host', address: '127.0.0.1:2222', sshUser: 'scan' }))!.target;
    const doc = golden('host-ubuntu2204.ja.json');
    for (const d of [earlier(doc), later(doc)]) {
      const s = (await store.createScan(SYSTEM_SCOPE, target.id, 'schedule'))!;
      assert.ok(await store.startScan(s.id));
      await store.finishScan(s.id, d, 'test');
      scan2 = s.id;
    }
    await store.setSetting(tenant.id, NOTIFICATION_SETTINGS_KEY, { lang: 'ja', email: { recipients: ['ops@example.test', 'owner@example.test'] }, webhooks: [{ url: hook.url(), name: 'ops channel' }], monthlyReport: { enabled: true, format: 'pdf' } });
  });

  after(async () => {
    await store?.close();
    await smtp?.close();
    await hook?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const notifier = () => new Notifier({ store, smtp: smtpFromEnv({ MAMORI_SMTP_URL: smtp.url, MAMORI_SMTP_FROM: 'mamori <mamori@example.test>' }) });

  it('a finished rescan: mail to the recipients and Slack JSON to the webhook, in Japanese, masked; sent once', async () => {
    const out = await notifier().scanFinished(scan2, new Date('2026-12-02T02:00:00Z'));
    assert.deepEqual(out.failed, []);
    // new critical/high findings, KEV additions, end of life (php 8.1 passed): 3 events × 2 channels.
    assert.equal(out.sent, 6);
    const mails = await smtp.waitFor(3);
    for (const m of mails) {
      assert.deepEqual(m.to, ['ops@example.test', 'owner@example.test']);
      assert.match(m.subject, /^\[mamori\] 山田商店 \/ web1\.example\.jp: /);
      assert.ok(!m.raw.toString('utf8').includes(LEAK_EMAIL) && !m.text.includes(LEAK_EMAIL) && !m.text.includes('1234-5678'), 'personal data in clear in the mail');
    }
    const fresh = mails.find((m) => m.subject.includes('新しい問題'))!;
    assert.match(fresh.subject, /緊急・高の新しい問題が 2 件/);
    assert.match(fresh.text, /CVE-2024-4577/);
    assert.match(fresh.text, /ha\*+@example\.co\.jp/);
    const kev = mails.find((m) => m.subject.includes('KEV'))!;
    assert.match(kev.text, /CVE-2024-4577 \(2024-06-12 から KEV 掲載\)/);
    assert.ok(mails.some((m) => /サポート終了/.test(m.subject) && /php 8\.1\.26: 2025-12-31 にサポート終了/.test(m.text)));
    assert.equal(hook.hooks.length, 3);
    for (const h of hook.hooks) {
      assert.equal(h.path, '/services/T000/B000/secret-token');
      assert.match(h.contentType, /^application\/json/);
      const body = h.body as { text: string; blocks: { type: string }[] };
      assert.equal(typeof body.text, 'string');
      assert.ok(Array.isArray(body.blocks) && body.blocks[0]!.type === 'header');
      assert.ok(!JSON.stringify(body).includes(LEAK_EMAIL));
    }
    // The same job again (a re-delivered notify job): nothing is sent twice.
    const again = await notifier().scanFinished(scan2, new Date('2026-12-02T03:00:00Z'));
    assert.equal(again.sent, 0);
    assert.equal(smtp.messages.length, 3);
    assert.equal(hook.hooks.length, 3);
    const log = await deliveryLog(store, tenant.id);
    assert.equal(log.filter((l) => l.status === 'sent').length, 6);
    assert.ok(log.every((l) => !JSON.stringify(l).includes('secret-token')), 'the webhook URL is a secret: never in the log');
  });

  it('a refusing SMTP server: recorded as failed, the job attempt fails (retried), a later attempt delivers only the mail', async () => {
    const s = (await store.createScan(SYSTEM_SCOPE, target.id, 'schedule'))!;
    await store.startScan(s.id);
    await store.failScan(s.id, 'ssh: connect ECONNREFUSED 127.0.0.1:2222', true);
    smtp.setFailure({ code: 451, message: '4.3.0 mailbox temporarily unavailable' });
    const handler = notifyHandler({ store, smtp: { url: smtp.url, from: 'mamori@example.test' } });
    await assert.rejects(handler({ tenantId: tenant.id, event: 'scan-failed', scanId: s.id }, ctx(1)), /notification delivery failed .*451/);
    assert.equal(smtp.refused, 1);
    assert.equal(hook.hooks.length, 4, 'the webhook got it on the first attempt');
    const failed = (await deliveryLog(store, tenant.id)).find((l) => l.status === 'failed')!;
    assert.equal(failed.kind, 'scan-failed');
    assert.equal(failed.channel, 'email');
    assert.match(failed.reason!, /451/);
    smtp.setFailure(undefined);
    await handler({ tenantId: tenant.id, event: 'scan-failed', scanId: s.id }, ctx(2));
    const [m] = (await smtp.waitFor(4)).slice(3);
    assert.match(m!.subject, /診断に失敗しました/);
    assert.match(m!.text, /理由: ssh: connect ECONNREFUSED 127\.0\.0\.1:2222/);
    assert.equal(hook.hooks.length, 4, 'not sent twice to the webhook');
  });

  it('an unreachable webhook is a retryable failure, its URL never in the reason', async () => {
    const dead = await startWebhookReceiver();
    const url = dead.url('/hooks/very-secret-path');
    await dead.close();
    const n = notifier();
    const settings = { ...(await import('../../src/fleet/notify/settings.js')).defaultNotificationSettings(), webhooks: [{ url }] };
    const out = await n.deliver(tenant.id, settings, [{ kind: 'scan-failed', tenantId: tenant.id, tenantName: 't', targetId: target.id, targetName: 'x', scanId: 'S-x', at: '2026-12-02T00:00:00Z', attempts: 1, reason: 'r', items: [{ key: 'failed:S-x' }] }], new Date());
    assert.equal(out.failed.length, 1);
    assert.equal(out.failed[0]!.retry, true);
    assert.ok(!out.failed[0]!.reason.includes('very-secret-path'));
  });

  it('weekly digest: counts, new and resolved in the week, oldest missing fixes with their patch lag', async () => {
    const out = await notifier().weeklyDigest(tenant.id, new Date('2026-12-07T00:00:00Z'));
    assert.equal(out.sent, 2);
    const m = smtp.messages.at(-1)!;
    assert.match(m.subject, /週次のまとめ 2026-11-30 – 2026-12-06/);
    assert.match(m.text, /今週の新しい問題: 2 件/);
    assert.match(m.text, /今週解消した問題: 1 件/);
    // glibc's fix (package libc6) was published 2024-04-18: 963 days before 2026-12-07, far beyond the 30-day policy for high.
    assert.match(m.text, /web1\.example\.jp: libc6 \[高\] — 修正の公開から 963 日 \(基準 30 日\)、基準超過/);
    const again = await notifier().weeklyDigest(tenant.id, new Date('2026-12-07T06:00:00Z'));
    assert.equal(again.sent, 0, 'one digest per week');
  });

  it('monthly owner report by mail with the PDF attached', { skip: existsSync('/usr/bin/chromium') ? false : 'needs /usr/bin/chromium (Debian package chromium)' }, async () => {
    const n = new Notifier({ store, smtp: { url: smtp.url, from: 'mamori@example.test' }, ownerReport: ownerReportAttachment(store) });
    const before = smtp.messages.length;
    const out = await n.monthlyReport(tenant.id, new Date('2026-12-01T00:00:00Z'));
    assert.equal(out.sent, 1);
    const [m] = (await smtp.waitFor(before + 1, 60_000)).slice(before);
    assert.match(m!.subject, /2026-11 のセキュリティ報告書/);
    assert.equal(m!.attachments.length, 1);
    assert.equal(m!.attachments[0]!.contentType, 'application/pdf');
    assert.equal(m!.attachments[0]!.content.subarray(0, 4).toString('latin1'), '%PDF');
    assert.ok(!m!.raw.toString('latin1').includes(LEAK_EMAIL));
    assert.equal((await n.monthlyReport(tenant.id, new Date('2026-12-01T01:00:00Z'))).sent, 0, 'once a month');
  });
});
