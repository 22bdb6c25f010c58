/**
 * Delivery of a composed message: email over SMTP (nodemailer; the server-wide SMTP settings come from
 * `MAMORI_SMTP_URL` / `MAMORI_SMTP_FROM`) and webhooks (Slack-compatible JSON POSTed with undici, with a
 * timeout, a cap on the body sent and on the answer read, no redirects followed). A failure is a value with a
 * reason that names no secret: the SMTP password and the webhook URL's path never appear in it.
 */
import nodemailer from 'nodemailer';
import { request } from 'undici';
import type { Lang } from '../../core/model.js';
import { messages } from '../../core/messages/index.js';
import type { ComposedMessage } from './compose.js';

export interface SmtpConfig {
  /** `smtp://[user:pass@]host:port` or `smtps://…`; query parameters as nodemailer reads them. */
  url: string;
  from: string;
}

export interface Attachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export type DeliveryResult = { ok: true } | { ok: false; reason: string; /** worth retrying later */ retry: boolean };

/** The SMTP settings from the environment (`MAMORI_SMTP_URL`, `MAMORI_SMTP_FROM`), or undefined. */
export function smtpFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpConfig | undefined {
  const url = env.MAMORI_SMTP_URL?.trim();
  if (!url) return undefined;
  return { url, from: env.MAMORI_SMTP_FROM?.trim() || 'mamori <mamori@localhost>' };
}

/** Credentials in a URL replaced by `***` (for messages and logs). */
export const redactUrl = (s: string): string => s.replace(/(\b[a-z][\w+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');

export async function sendEmail(cfg: SmtpConfig | undefined, to: readonly string[], msg: ComposedMessage, lang: Lang, attachments: readonly Attachment[] = []): Promise<DeliveryResult> {
  if (!cfg) return { ok: false, reason: messages.t(lang, 'notify.err.smtpMissing'), retry: false };
  if (!to.length) return { ok: true };
  const transport = nodemailer.createTransport(cfg.url, { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 } as Record<string, unknown>);
  try {
    await transport.sendMail({
      from: cfg.from,
      to: [...to],
      subject: msg.subject,
      text: msg.text,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Mailer': 'mamori' },
      attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content) })),
    });
    return { ok: true };
  } catch (err) {
    const e = err as Error & { responseCode?: number; code?: string };
    const reason = redactUrl(`${e.code ? `${e.code}: ` : ''}${e.message}`.split('\n')[0] ?? '');
    // 5xx answers (but 552 storage) are permanent; connection problems and 4xx are worth another attempt.
    const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode !== 552;
    return { ok: false, reason: messages.t(lang, 'notify.err.smtpFailed', { count: to.length, reason: reason.slice(0, 300) }), retry: !permanent };
  } finally {
    transport.close();
  }
}

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Slack refuses more than this in practice; a message larger is not sent. */
export const WEBHOOK_MAX_BYTES = 64 * 1024;
const ANSWER_MAX_BYTES = 16 * 1024;

export async function sendWebhook(url: string, msg: ComposedMessage, lang: Lang, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<DeliveryResult> {
  const host = URL.canParse(url) ? new URL(url).host : '?';
  const body = JSON.stringify({ text: msg.slack.text, blocks: msg.slack.blocks });
  const limit = opts.maxBytes ?? WEBHOOK_MAX_BYTES;
  if (Buffer.byteLength(body) > limit) return { ok: false, reason: messages.t(lang, 'notify.err.webhookTooLarge', { limit }), retry: false };
  const timeout = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'mamori-notify' },
      body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
    } as Parameters<typeof request>[1]);
    // Read at most a little of the answer, then drop the rest.
    let read = 0;
    for await (const chunk of res.body) {
      read += (chunk as Buffer).length;
      if (read > ANSWER_MAX_BYTES) {
        res.body.destroy();
        break;
      }
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
    return { ok: false, reason: messages.t(lang, 'notify.err.webhookStatus', { host, status: res.statusCode }), retry: res.statusCode >= 500 || res.statusCode === 429 };
  } catch (err) {
    const e = err as Error & { code?: string };
    const reason = (e.code ?? e.name ?? 'error').replace(url, host);
    return { ok: false, reason: messages.t(lang, 'notify.err.webhookFailed', { host, reason }), retry: true };
  }
}
