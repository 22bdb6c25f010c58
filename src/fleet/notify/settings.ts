/**
 * A tenant's notification settings, kept in the store's per-tenant settings (key `notifications`), parsed at
 * the edge with zod. Webhook URLs are secrets (a Slack incoming-webhook URL carries its token in the path): the
 * API shows them masked and a masked URL given back on PUT keeps the stored one. Only an admin may add or change
 * webhook URLs (the server checks the role); messages go only to URLs configured here.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LANGS, type Lang } from '../../core/model.js';
import type { FleetStore } from '../ports.js';

export const NOTIFICATION_SETTINGS_KEY = 'notifications';
export const DEFAULT_EOL_WITHIN_DAYS = 90;

const email = z.string().trim().max(254).regex(/^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/, 'not an e-mail address');

const webhookUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'an http(s) URL')
  .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), 'no user or password in the URL');

export const notificationSettingsSchema = z
  .object({
    enabled: z.boolean().default(true),
    lang: z.enum(LANGS).default('ja'),
    email: z.object({ recipients: z.array(email).max(50).default([]) }).strict().default({}),
    webhooks: z.array(z.object({ url: webhookUrl, name: z.string().trim().max(100).optional() }).strict()).max(10).default([]),
    events: z
      .object({
        newFindings: z.boolean().default(true),
        kev: z.boolean().default(true),
        endOfLife: z.boolean().default(true),
        failedScans: z.boolean().default(true),
        weeklyDigest: z.boolean().default(true),
      })
      .strict()
      .default({}),
    /** End-of-life notices this many days before the date (and once when it has passed). */
    eolWithinDays: z.number().int().min(0).max(3650).default(DEFAULT_EOL_WITHIN_DAYS),
    /** The owner report sent by email on the first day of each month (PDF attached). */
    monthlyReport: z.object({ enabled: z.boolean().default(false), format: z.enum(['pdf', 'html']).default('pdf') }).strict().default({}),
    /** Patch-lag policy in days per severity (digest, patch plans, dashboard). */
    lagPolicy: z.object({ critical: z.number().int().min(0).max(3650).default(7), high: z.number().int().min(0).max(3650).default(30) }).strict().default({}),
  })
  .strict();

export type NotificationSettings = z.output<typeof notificationSettingsSchema>;
export type NotificationSettingsInput = z.input<typeof notificationSettingsSchema>;

export const defaultNotificationSettings = (): NotificationSettings => notificationSettingsSchema.parse({});

export function parseNotificationSettings(raw: unknown): { ok: true; settings: NotificationSettings } | { ok: false; issues: string[] } {
  const r = notificationSettingsSchema.safeParse(raw);
  if (r.success) return { ok: true, settings: r.data };
  return { ok: false, issues: r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) };
}

export async function loadNotificationSettings(store: FleetStore, tenantId: string): Promise<NotificationSettings> {
  const raw = await store.getSetting<unknown>(tenantId, NOTIFICATION_SETTINGS_KEY);
  if (raw === undefined) return defaultNotificationSettings();
  const parsed = parseNotificationSettings(raw);
  // A stored value that no longer parses (an older shape): keep what parses field by field rather than lose it.
  return parsed.ok ? parsed.settings : { ...defaultNotificationSettings(), ...(typeof raw === 'object' && raw ? pickValid(raw as Record<string, unknown>) : {}) };
}

function pickValid(raw: Record<string, unknown>): Partial<NotificationSettings> {
  const out: Record<string, unknown> = {};
  const shape = notificationSettingsSchema.shape;
  for (const [k, v] of Object.entries(raw)) {
    const field = shape[k as keyof typeof shape];
    if (!field) continue;
    const r = field.safeParse(v);
    if (r.success) out[k] = r.data;
  }
  return out as Partial<NotificationSettings>;
}

/** Stable id of a webhook URL for records and logs (the URL itself is a secret). */
export const webhookId = (url: string): string => `webhook:${createHash('sha256').update(url).digest('hex').slice(0, 12)}`;

/** `https://hooks.example/services/…` → `https://hooks.example/…` plus the id: what the API and logs show. */
export function maskWebhookUrl(url: string): string {
  if (!URL.canParse(url)) return '***';
  const u = new URL(url);
  return `${u.protocol}//${u.host}/***#${webhookId(url).slice('webhook:'.length)}`;
}

/** The settings as the API shows them: webhook URLs masked. */
export function publicSettings(s: NotificationSettings): NotificationSettings {
  return { ...s, webhooks: s.webhooks.map((w) => ({ ...w, url: maskWebhookUrl(w.url) })) };
}

/**
 * A PUT body merged with the stored settings: a masked webhook URL given back stands for the stored URL it
 * masks. Returns the webhook URLs that are new or changed (the caller allows them only for admins).
 */
export function mergeWebhookUrls(next: NotificationSettings, stored: NotificationSettings): { settings: NotificationSettings; changedWebhooks: boolean } {
  const byMask = new Map(stored.webhooks.map((w) => [maskWebhookUrl(w.url), w.url]));
  const webhooks = next.webhooks.map((w) => ({ ...w, url: byMask.get(w.url) ?? w.url }));
  const before = stored.webhooks.map((w) => w.url).sort().join('\n');
  const after = webhooks.map((w) => w.url).sort().join('\n');
  return { settings: { ...next, webhooks }, changedWebhooks: before !== after };
}

export const langOf = (s: NotificationSettings): Lang => s.lang;
