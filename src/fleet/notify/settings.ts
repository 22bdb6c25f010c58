/**
 * A tenant's notification settings, kept in the store's per-tenant settings (key `notifications`), parsed at
 * the edge with zod. Webhook URLs are secrets (a Slack incoming-webhook URL carries its token in the path): the
 * API shows them masked and a masked URL given back on PUT keeps the stored one. Only an admin may add or change
 * webhook URLs (the server checks the role); messages go only to URLs configured here.
 *
 * At rest the URLs are not in the setting's JSON: each is a secret of the setting (`webhook.<n>`), encrypted by
 * the store with the secrets key and bound to its tenant (src/fleet/secrets.ts), and the JSON holds `{ ref, name }`.
 * They are decrypted when the settings are loaded (for the API's masked answer and the merge) and for delivery.
 * A value still holding plaintext URLs (written by a version before 0003_seal_webhook_urls, e.g. by an older
 * server during an upgrade) is read as it is and sealed on the spot.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LANGS, type Lang } from '../../core/model.js';
import type { FleetStore } from '../ports.js';
import { SecretKeyError } from '../secrets.js';

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

/** A stored webhook whose URL does not decrypt (wrong key, or a ciphertext moved or altered): named, never guessed. */
export interface UnreadableWebhook {
  ref: string;
  name?: string;
  error: SecretKeyError;
}

const REENTER = 'an admin can replace it by giving the full webhook URL again';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSecretKeyError = (err: unknown): err is SecretKeyError => err instanceof SecretKeyError || (err as Error)?.name === 'SecretKeyError';

function parseStored(raw: unknown): NotificationSettings {
  const parsed = parseNotificationSettings(raw);
  // A stored value that no longer parses (an older shape): keep what parses field by field rather than lose it.
  return parsed.ok ? parsed.settings : { ...defaultNotificationSettings(), ...(isRecord(raw) ? pickValid(raw) : {}) };
}

/**
 * The settings with their webhook URLs decrypted, and the webhooks whose URL does not decrypt (left out of
 * `settings`). Plaintext URLs of an older version are sealed on the spot (when every stored URL could be read).
 */
export async function readNotificationSettings(store: FleetStore, tenantId: string): Promise<{ settings: NotificationSettings; unreadable: UnreadableWebhook[] }> {
  const raw = await store.getSetting<unknown>(tenantId, NOTIFICATION_SETTINGS_KEY);
  if (raw === undefined) return { settings: defaultNotificationSettings(), unreadable: [] };
  if (!isRecord(raw) || !Array.isArray(raw.webhooks)) return { settings: parseStored(raw), unreadable: [] };
  const unreadable: UnreadableWebhook[] = [];
  const webhooks: { url: string; name?: string }[] = [];
  let plaintext = false;
  for (const w of raw.webhooks as unknown[]) {
    if (!isRecord(w)) continue;
    const name = typeof w.name === 'string' ? { name: w.name } : {};
    if (typeof w.ref === 'string') {
      try {
        const url = await store.getSettingSecret(tenantId, NOTIFICATION_SETTINGS_KEY, w.ref);
        if (url === undefined) unreadable.push({ ref: w.ref, ...name, error: new SecretKeyError(`the URL of webhook ${w.ref} of tenant ${tenantId} is missing from the stored secrets`, REENTER) });
        else webhooks.push({ url, ...name });
      } catch (err) {
        if (!isSecretKeyError(err)) throw err;
        unreadable.push({ ref: w.ref, ...name, error: new SecretKeyError(`the URL of webhook ${w.ref}${w.name ? ` (${String(w.name)})` : ''} cannot be read: ${err.message}`, err.hint ?? REENTER) });
      }
    } else if (typeof w.url === 'string') {
      plaintext = true;
      webhooks.push({ url: w.url, ...name });
    }
  }
  const settings = parseStored({ ...raw, webhooks });
  if (plaintext && !unreadable.length) await saveNotificationSettings(store, tenantId, settings);
  return { settings, unreadable };
}

/** The settings with their webhook URLs; a URL that does not decrypt throws its SecretKeyError (a clear message, no secret). */
export async function loadNotificationSettings(store: FleetStore, tenantId: string): Promise<NotificationSettings> {
  const { settings, unreadable } = await readNotificationSettings(store, tenantId);
  if (unreadable.length) throw unreadable[0]!.error;
  return settings;
}

/** The settings without the webhooks (no secret decrypted): for readers of the policy fields (lag policy). Never save these back. */
export async function loadNotificationPolicy(store: FleetStore, tenantId: string): Promise<Omit<NotificationSettings, 'webhooks'>> {
  const raw = await store.getSetting<unknown>(tenantId, NOTIFICATION_SETTINGS_KEY);
  if (raw === undefined) return defaultNotificationSettings();
  const { webhooks: _webhooks, ...rest } = parseStored(isRecord(raw) ? { ...raw, webhooks: [] } : raw);
  return rest;
}

/** Stores the settings: the webhook URLs as secrets of the setting (encrypted, bound to the tenant), the rest as JSON. */
export async function saveNotificationSettings(store: FleetStore, tenantId: string, settings: NotificationSettings): Promise<void> {
  const secrets: Record<string, string> = {};
  const webhooks = settings.webhooks.map((w, i) => {
    const ref = `webhook.${i}`;
    secrets[ref] = w.url;
    return { ref, ...(w.name !== undefined ? { name: w.name } : {}) };
  });
  await store.setSetting(tenantId, NOTIFICATION_SETTINGS_KEY, { ...settings, webhooks }, secrets);
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

/** Whether a URL is in the masked form the API shows (`…/***#<id>`). */
export const isMaskedWebhookUrl = (url: string): boolean => /\/\*\*\*#[0-9a-f]{12}$/.test(url);

/**
 * A PUT body merged with the stored settings: a masked webhook URL given back stands for the stored URL it
 * masks. Returns whether webhook URLs are new, changed or removed (the caller allows that only for admins), and
 * the masked URLs given back that match no stored webhook (`unresolved`: never stored as URLs).
 */
export function mergeWebhookUrls(next: NotificationSettings, stored: NotificationSettings): { settings: NotificationSettings; changedWebhooks: boolean; unresolved: string[] } {
  const byMask = new Map(stored.webhooks.map((w) => [maskWebhookUrl(w.url), w.url]));
  const unresolved = next.webhooks.map((w) => w.url).filter((u) => !byMask.has(u) && isMaskedWebhookUrl(u));
  const webhooks = next.webhooks.map((w) => ({ ...w, url: byMask.get(w.url) ?? w.url }));
  const before = stored.webhooks.map((w) => w.url).sort().join('\n');
  const after = webhooks.map((w) => w.url).sort().join('\n');
  return { settings: { ...next, webhooks }, changedWebhooks: before !== after, unresolved };
}

export const langOf = (s: NotificationSettings): Lang => s.lang;
