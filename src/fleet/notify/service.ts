/**
 * The notify path: from a finished or failed scan, a week or a month to messages delivered on every channel a
 * tenant configured (email recipients, webhooks), each event item once per channel. The store keeps one setting
 * per (channel, item key) — the table of sent event keys — and a bounded delivery log per tenant (`notify.log`:
 * what was sent or failed, when, why). A failed delivery is recorded and reported to the caller (the `notify`
 * job), which retries it: items already delivered on a channel are not sent again.
 *
 * Two deliveries of one item at once (a notify job redelivered while the first still runs, the weekly digest
 * enqueued by two servers): each item is claimed before it is sent — `{claim, until}` written in the setting's
 * one serialised update (store.updateSetting), only when it is neither sent nor claimed — so one delivery sends
 * it and the other reports it `elsewhere` (the job is retried, and finds it sent). After the send the claim
 * becomes the sent marker `{at}`; after a failed send it is released (null), so the retry sends it. A process
 * that dies between claim and marker leaves a claim that holds for NOTIFY_CLAIM_MS (longer than one send takes
 * with its timeouts); after that the next attempt takes it over and sends: a crash may send an item twice (sent,
 * then died before the marker), never silence it — as long as an attempt comes after the claim expired (pg-boss:
 * the job expires after 5 min and its retries with backoff reach past 10 min; the in-process runner's notify jobs
 * are in memory and do not outlive the process anyway).
 */
import { randomUUID } from 'node:crypto';
import type { Lang, Severity } from '../../core/model.js';
import type { FleetStore } from '../ports.js';
import { SYSTEM_SCOPE, type ScanRecord, type Scope, type Target } from '../types.js';
import { composeMessage } from './compose.js';
import { sendEmail, sendWebhook, type Attachment, type DeliveryResult, type SmtpConfig } from './deliver.js';
import { digestEvent, eventKeys, monthlyReportEvent, scanEvents, scanFailedEvent, weekOf, withoutSent, type EventTarget, type NotifyEvent } from './events.js';
import { loadNotificationPolicy, readNotificationSettings, webhookId, type NotificationSettings, type UnreadableWebhook } from './settings.js';

export const NOTIFY_LOG_KEY = 'notify.log';
export const NOTIFY_LOG_MAX = 200;
const SENT_PREFIX = 'notify.sent:';
/** How long a claim on an item holds before another delivery may take it over (its sender died mid-send). */
export const NOTIFY_CLAIM_MS = 10 * 60_000;

/** A (channel, item) setting: `{at}` sent; `{claim, until}` being sent by one delivery; null or absent: not sent. */
type SentMarker = { at: string } | { claim: string; until: string } | null;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSent = (v: unknown): boolean => isObject(v) && typeof v.at === 'string';
const claimOf = (v: unknown): { claim: string; until: string } | undefined => (isObject(v) && typeof v.claim === 'string' && typeof v.until === 'string' ? { claim: v.claim, until: v.until } : undefined);

export interface DeliveryLogEntry {
  at: string;
  kind: NotifyEvent['kind'];
  /** `email` or `webhook:<id>` (never the URL). */
  channel: string;
  subject: string;
  items: number;
  status: 'sent' | 'failed';
  reason?: string;
}

export interface NotifyOutcome {
  events: number;
  sent: number;
  /** Deliveries that failed; `retry` when another attempt may succeed. */
  failed: { channel: string; kind: NotifyEvent['kind']; reason: string; retry: boolean }[];
  /**
   * Items another delivery had claimed and not yet marked sent (it is sending them now, or died doing so: its
   * claim holds until `until`). Not sent here; the job is retried to make sure they were.
   */
  elsewhere: { channel: string; kind: NotifyEvent['kind']; items: number; until: string }[];
}

export class NotifyRetryableError extends Error {
  constructor(readonly outcome: NotifyOutcome) {
    super(`notification delivery failed: ${outcome.failed.map((f) => `${f.channel}: ${f.reason}`).join('; ')}`);
    this.name = 'NotifyRetryableError';
  }
}

export interface NotifierDeps {
  store: FleetStore;
  smtp: SmtpConfig | undefined;
  /** The owner report for the monthly mail (src/fleet/owner-report.ts); absent → the mail is sent without it. */
  ownerReport?: (tenantId: string, lang: Lang, format: 'pdf' | 'html', now: Date) => Promise<Attachment>;
  webhook?: { timeoutMs?: number; maxBytes?: number };
  /** The clock of the claims (default: the time now). */
  clock?: () => Date;
  /** How long a claim holds (default NOTIFY_CLAIM_MS). */
  claimMs?: number;
}

const tenantScope = (tenantId: string): Scope => ({ userId: null, role: 'admin', tenantIds: [tenantId] });

export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  private get store(): FleetStore {
    return this.deps.store;
  }

  private async eventTarget(target: Target): Promise<EventTarget> {
    const tenant = await this.store.getTenant(SYSTEM_SCOPE, target.tenantId);
    return { tenantId: target.tenantId, tenantName: tenant?.name ?? target.tenantId, targetId: target.id, targetName: target.name };
  }

  /** The target's finished scan before `scan` (by finish time), if any. */
  private async previousScan(scan: ScanRecord): Promise<ScanRecord | undefined> {
    const done: ScanRecord[] = [];
    for (let page = 1; page <= 20; page++) {
      const p = await this.store.listScans(SYSTEM_SCOPE, { targetId: scan.targetId, status: 'done' }, { page, pageSize: 100 });
      done.push(...p.items);
      if (p.items.length < 100 || done.length >= p.total) break;
    }
    const at = scan.finishedAt ?? '\uffff';
    return done.filter((s) => s.id !== scan.id && (s.finishedAt ?? '') <= at).sort((a, b) => ((a.finishedAt ?? '') < (b.finishedAt ?? '') ? 1 : -1))[0];
  }

  private async acceptedIds(scanId: string): Promise<Set<string>> {
    const out = new Set<string>();
    for (let page = 1; page <= 50; page++) {
      const p = await this.store.listFindings(SYSTEM_SCOPE, { scanId }, { page, pageSize: 500 });
      for (const f of p.items) if (f.accepted) out.add(f.findingId);
      if (p.items.length < 500) break;
    }
    return out;
  }

  /** The events of a finished scan (computed, not yet deduplicated). */
  async eventsForFinishedScan(scanId: string, now: Date): Promise<{ events: NotifyEvent[]; settings: NotificationSettings; unreadable: UnreadableWebhook[] } | undefined> {
    const scan = await this.store.getScan(SYSTEM_SCOPE, scanId);
    if (!scan || scan.status !== 'done') return undefined;
    const target = await this.store.getTarget(SYSTEM_SCOPE, scan.targetId);
    const next = await this.store.getScanDocument(SYSTEM_SCOPE, scanId);
    if (!target || !next) return undefined;
    const { settings, unreadable } = await readNotificationSettings(this.store, scan.tenantId);
    const prev = await this.previousScan(scan);
    const previous = prev ? await this.store.getScanDocument(SYSTEM_SCOPE, prev.id) : undefined;
    // Seen before this scan (first seen earlier): what the previous scan did not check is then not new.
    const observed = Date.parse(next.scannedAt);
    const seenBefore = new Set((await this.store.findingHistory(SYSTEM_SCOPE, scan.targetId)).filter((h) => Number.isNaN(observed) || Date.parse(h.firstSeenAt) < observed).map((h) => h.findingId));
    const all = scanEvents({ target: await this.eventTarget(target), scan, previous, next, now, eolWithinDays: settings.eolWithinDays, accepted: await this.acceptedIds(scanId), seenBefore });
    const on = settings.events;
    const events = all.filter((e) => (e.kind === 'new-findings' && on.newFindings) || (e.kind === 'kev' && on.kev) || (e.kind === 'end-of-life' && on.endOfLife));
    return { events, settings, unreadable };
  }

  async scanFinished(scanId: string, now: Date): Promise<NotifyOutcome> {
    const r = await this.eventsForFinishedScan(scanId, now);
    if (!r) return { events: 0, sent: 0, failed: [], elsewhere: [] };
    const scan = (await this.store.getScan(SYSTEM_SCOPE, scanId))!;
    return this.deliver(scan.tenantId, r.settings, r.events, now, [], r.unreadable);
  }

  /** A scan's final failure (no retry left); a scan still being retried raises nothing. */
  async scanFailed(scanId: string, now: Date): Promise<NotifyOutcome> {
    const scan = await this.store.getScan(SYSTEM_SCOPE, scanId);
    if (!scan || scan.status !== 'failed') return { events: 0, sent: 0, failed: [], elsewhere: [] };
    const target = await this.store.getTarget(SYSTEM_SCOPE, scan.targetId);
    if (!target) return { events: 0, sent: 0, failed: [], elsewhere: [] };
    const { settings, unreadable } = await readNotificationSettings(this.store, scan.tenantId);
    if (!settings.events.failedScans) return { events: 0, sent: 0, failed: [], elsewhere: [] };
    return this.deliver(scan.tenantId, settings, [scanFailedEvent(await this.eventTarget(target), scan)], now, [], unreadable);
  }

  /** The digest of the week before `now` (sent once per tenant and week). */
  async weeklyDigest(tenantId: string, now: Date): Promise<NotifyOutcome> {
    const tenant = await this.store.getTenant(SYSTEM_SCOPE, tenantId);
    if (!tenant) return { events: 0, sent: 0, failed: [], elsewhere: [] };
    const { settings, unreadable } = await readNotificationSettings(this.store, tenantId);
    if (!settings.events.weeklyDigest) return { events: 0, sent: 0, failed: [], elsewhere: [] };
    const scope = tenantScope(tenantId);
    const overview = await this.store.overview(scope, { tenantId, now, limit: 50 });
    const w = weekOf(now);
    const from = w.from;
    const to = `${w.key}`; // exclusive: the Monday that starts this week
    let fresh = 0;
    let resolved = 0;
    for (let page = 1; page <= 100; page++) {
      const targets = await this.store.listTargets(scope, { tenantId }, { page, pageSize: 100 });
      for (const t of targets.items) {
        for (const h of await this.store.findingHistory(scope, t.id)) {
          if (h.firstSeenAt >= from && h.firstSeenAt < to) fresh++;
          if (h.resolvedAt && h.resolvedAt >= from && h.resolvedAt < to) resolved++;
        }
      }
      if (targets.items.length < 100) break;
    }
    const ev = digestEvent({ tenantId, tenantName: tenant.name, now, overview, newThisWeek: fresh, resolvedThisWeek: resolved, lagPolicy: settings.lagPolicy as Partial<Record<Severity, number>> });
    return this.deliver(tenantId, settings, [ev], now, [], unreadable);
  }

  /** The owner report of the month before `now`, by email with the PDF (or HTML) attached, when the tenant asked for it. */
  async monthlyReport(tenantId: string, now: Date): Promise<NotifyOutcome> {
    const tenant = await this.store.getTenant(SYSTEM_SCOPE, tenantId);
    if (!tenant) return { events: 0, sent: 0, failed: [], elsewhere: [] };
    // Email only: the webhooks' URLs are not needed (an unreadable one does not stop the mail).
    const { settings } = await readNotificationSettings(this.store, tenantId);
    if (!settings.monthlyReport.enabled || !settings.email.recipients.length) return { events: 0, sent: 0, failed: [], elsewhere: [] };
    const targets = await this.store.listTargets(tenantScope(tenantId), { tenantId }, { page: 1, pageSize: 1 });
    const ev = monthlyReportEvent(tenantId, tenant.name, now, targets.total);
    // Email only: a webhook gets no attachment.
    const emailOnly: NotificationSettings = { ...settings, webhooks: [] };
    if (!(await this.pending(tenantId, 'email', ev))) return { events: 1, sent: 0, failed: [], elsewhere: [] };
    const attachment = this.deps.ownerReport ? await this.deps.ownerReport(tenantId, settings.lang, settings.monthlyReport.format, now) : undefined;
    return this.deliver(tenantId, emailOnly, [ev], now, attachment ? [attachment] : []);
  }

  /**
   * A report rendered on request (the render-report job with `deliver`), by email to the tenant's recipients
   * with the file attached: the monthly report's message for the month of `now`, keyed by the report id, so a
   * retried job sends it once (and the monthly report of that month is still sent on its own).
   */
  async deliverReport(tenantId: string, reportId: string, attachment: Attachment, now: Date): Promise<NotifyOutcome> {
    const tenant = await this.store.getTenant(SYSTEM_SCOPE, tenantId);
    if (!tenant) return { events: 0, sent: 0, failed: [], elsewhere: [] };
    // email only: the webhooks (secrets) are not read
    const settings = await loadNotificationPolicy(this.store, tenantId);
    if (!settings.email.recipients.length) return { events: 0, sent: 0, failed: [], elsewhere: [] };
    const targets = await this.store.listTargets(tenantScope(tenantId), { tenantId }, { page: 1, pageSize: 1 });
    const ev: NotifyEvent = { kind: 'report', tenantId, tenantName: tenant.name, date: now.toISOString().slice(0, 10), targets: targets.total, items: [{ key: `report-job:${reportId}` }] };
    return this.deliver(tenantId, { ...settings, webhooks: [] }, [ev], now, [attachment]);
  }

  /** The event without the items already sent on the channel (claimed ones are not sent yet). */
  private async pending(tenantId: string, channel: string, e: NotifyEvent): Promise<NotifyEvent | undefined> {
    const sent = new Set<string>();
    for (const k of new Set(eventKeys(e))) if (isSent(await this.store.getSetting<unknown>(tenantId, `${SENT_PREFIX}${channel}:${k}`))) sent.add(k);
    return withoutSent(e, (k) => sent.has(k));
  }

  /**
   * Claim the items of `e` on the channel that are neither sent nor claimed by a live claim: each in its
   * setting's one serialised update, so of two deliveries at once exactly one gets an item. Returns the keys
   * claimed (`mine`) and those another delivery holds (`elsewhere`, with the latest expiry).
   */
  private async claim(tenantId: string, channel: string, e: NotifyEvent, token: string): Promise<{ mine: string[]; elsewhere: string[]; until: string }> {
    const at = (this.deps.clock ?? (() => new Date()))();
    const until = new Date(at.getTime() + (this.deps.claimMs ?? NOTIFY_CLAIM_MS)).toISOString();
    const mine: string[] = [];
    const elsewhere: string[] = [];
    let latest = '';
    try {
      for (const k of new Set(eventKeys(e))) {
        const key = `${SENT_PREFIX}${channel}:${k}`;
        // Sent already (the common case of a retry): a read, no write.
        if (isSent(await this.store.getSetting<unknown>(tenantId, key))) continue;
        let got = false;
        await this.store.updateSetting<SentMarker>(tenantId, key, (cur) => {
          if (isSent(cur)) return cur ?? null;
          const held = claimOf(cur);
          if (held && held.claim !== token && Date.parse(held.until) > at.getTime()) {
            elsewhere.push(k);
            if (held.until > latest) latest = held.until;
            return cur ?? null;
          }
          got = true;
          return { claim: token, until };
        });
        if (got) mine.push(k);
      }
    } catch (err) {
      await this.release(tenantId, channel, mine, token);
      throw err;
    }
    return { mine, elsewhere, until: latest };
  }

  /** Give back claimed items that were not sent: the next attempt sends them. */
  private async release(tenantId: string, channel: string, keys: readonly string[], token: string): Promise<void> {
    for (const k of keys) await this.store.updateSetting<SentMarker>(tenantId, `${SENT_PREFIX}${channel}:${k}`, (cur) => (claimOf(cur)?.claim === token ? null : (cur ?? null)));
  }

  /**
   * Deliver events on every configured channel, each item once per channel; records sent keys and the log. A
   * webhook whose stored URL does not decrypt (`unreadable`) is a failed channel, named by its ref, not retried.
   */
  async deliver(tenantId: string, settings: NotificationSettings, events: readonly NotifyEvent[], now: Date, attachments: readonly Attachment[] = [], unreadable: readonly UnreadableWebhook[] = []): Promise<NotifyOutcome> {
    const outcome: NotifyOutcome = { events: events.length, sent: 0, failed: [], elsewhere: [] };
    if (!settings.enabled || !events.length) return outcome;
    const channels: { id: string; send: (e: NotifyEvent) => Promise<{ subject: string; result: DeliveryResult }> }[] = [];
    if (settings.email.recipients.length) {
      channels.push({
        id: 'email',
        send: async (e) => {
          const msg = composeMessage(e, settings.lang);
          return { subject: msg.subject, result: await sendEmail(this.deps.smtp, settings.email.recipients, msg, settings.lang, attachments) };
        },
      });
    }
    for (const w of unreadable) {
      channels.push({
        id: `webhook:${w.ref}`,
        send: async (e) => ({ subject: composeMessage(e, settings.lang).subject, result: { ok: false, reason: w.error.message, retry: false } }),
      });
    }
    // The URL is the decrypted secret: it goes to sendWebhook only, never into the log (channel = webhookId).
    for (const w of settings.webhooks) {
      channels.push({
        id: webhookId(w.url),
        send: async (e) => {
          const msg = composeMessage(e, settings.lang);
          return { subject: msg.subject, result: await sendWebhook(w.url, msg, settings.lang, this.deps.webhook) };
        },
      });
    }
    const log: DeliveryLogEntry[] = [];
    const token = randomUUID();
    for (const ch of channels) {
      for (const e of events) {
        const claimed = await this.claim(tenantId, ch.id, e, token);
        if (claimed.elsewhere.length) outcome.elsewhere.push({ channel: ch.id, kind: e.kind, items: claimed.elsewhere.length, until: claimed.until });
        const mine = new Set(claimed.mine);
        const todo = withoutSent(e, (k) => !mine.has(k));
        if (!todo) continue;
        let sent: Awaited<ReturnType<typeof ch.send>>;
        try {
          sent = await ch.send(todo);
        } catch (err) {
          await this.release(tenantId, ch.id, claimed.mine, token);
          throw err;
        }
        const { subject, result } = sent;
        const entry: DeliveryLogEntry = { at: now.toISOString(), kind: e.kind, channel: ch.id, subject, items: todo.items.length, status: result.ok ? 'sent' : 'failed' };
        if (result.ok) {
          outcome.sent++;
          // Through the serialised update too: a plain write could land between another delivery's read of the
          // claim and its write-back of it, and be overwritten by the claim.
          for (const k of claimed.mine) await this.store.updateSetting<SentMarker>(tenantId, `${SENT_PREFIX}${ch.id}:${k}`, () => ({ at: now.toISOString() }));
        } else {
          await this.release(tenantId, ch.id, claimed.mine, token);
          entry.reason = result.reason;
          outcome.failed.push({ channel: ch.id, kind: e.kind, reason: result.reason, retry: result.retry });
        }
        log.push(entry);
      }
    }
    if (log.length) {
      // one read-modify-write: notify jobs of one tenant delivering at once (two workers) each keep their entries
      const mine = log.reverse();
      await this.store.updateSetting<DeliveryLogEntry[]>(tenantId, NOTIFY_LOG_KEY, (prev) => [...mine, ...(prev ?? [])].slice(0, NOTIFY_LOG_MAX));
    }
    return outcome;
  }
}

/** The delivery log of a tenant, newest first. */
export async function deliveryLog(store: FleetStore, tenantId: string): Promise<DeliveryLogEntry[]> {
  return (await store.getSetting<DeliveryLogEntry[]>(tenantId, NOTIFY_LOG_KEY)) ?? [];
}
