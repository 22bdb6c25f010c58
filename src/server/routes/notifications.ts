/**
 * A tenant's notification settings (GET|PUT /api/tenants/:id/notifications, with the recent delivery log) and
 * its owner report (GET /api/tenants/:id/report?format=pdf|html&lang=ja|en: the latest scan of every target,
 * downloadable by the tenant's viewers; rendered inside the request, kept for compatibility: POST
 * /api/tenants/:id/reports (routes/reports.ts) has a worker render it). Webhook URLs are shown masked; only an
 * admin adds or changes them. They are stored encrypted (src/fleet/notify/settings.ts); one that does not decrypt
 * (wrong key, a ciphertext moved from another tenant) is answered 409 `secret_unreadable` naming it, and an admin
 * may replace it with a full URL.
 */
import { deliveryLog } from '../../fleet/notify/service.js';
import { mergeWebhookUrls, parseNotificationSettings, publicSettings, readNotificationSettings, saveNotificationSettings, type UnreadableWebhook } from '../../fleet/notify/settings.js';
import { ownerReportData, renderOwnerReport } from '../../fleet/owner-report.js';
import { audit } from '../audit.js';
import { badRequest, forbidden, HttpError, notFound } from '../errors.js';
import { idParams } from '../schemas.js';
import type { RouteModule } from '../types.js';
import { scope, who } from './util.js';

/** A stored webhook URL that does not decrypt: a clear answer (what, and what to do), never a server error. */
const unreadableError = (w: UnreadableWebhook): HttpError =>
  new HttpError(409, 'secret_unreadable', `${w.error.message}${w.error.hint ? ` (${w.error.hint})` : ''}`);

export const notificationRoutes: RouteModule = (app, deps) => {
  app.get('/api/tenants/:id/notifications', {
    config: { roles: ['admin', 'operator'], summary: "A tenant's notification settings (webhook URLs masked) and its recent deliveries", tags: ['notifications'] },
    schema: { params: idParams },
  }, async (req) => {
    const { id } = req.params as { id: string };
    if (!(await deps.store.getTenant(scope(req), id))) throw notFound('tenant');
    const { settings, unreadable } = await readNotificationSettings(deps.store, id);
    if (unreadable.length) throw unreadableError(unreadable[0]!);
    return { settings: publicSettings(settings), deliveries: (await deliveryLog(deps.store, id)).slice(0, 50), smtpConfigured: Boolean(process.env.MAMORI_SMTP_URL?.trim()) };
  });

  app.put('/api/tenants/:id/notifications', {
    config: { roles: ['admin', 'operator'], summary: "Replace a tenant's notification settings (webhook URLs: admins only; a masked URL keeps the stored one)", tags: ['notifications'] },
    schema: { params: idParams, body: { type: 'object' } },
  }, async (req) => {
    const { id } = req.params as { id: string };
    if (!(await deps.store.getTenant(scope(req), id))) throw notFound('tenant');
    const parsed = parseNotificationSettings(req.body);
    if (!parsed.ok) throw badRequest(`body.${parsed.issues.join('; body.')}`);
    const { settings: stored, unreadable } = await readNotificationSettings(deps.store, id);
    const { settings, changedWebhooks, unresolved } = mergeWebhookUrls(parsed.settings, stored);
    // A stored URL that does not decrypt cannot be kept: only an admin may drop or replace it (with a full URL).
    if (unreadable.length && (unresolved.length || who(req).user.role !== 'admin')) throw unreadableError(unreadable[0]!);
    if (unresolved.length) throw badRequest(`body.webhooks: ${unresolved.join(', ')} is a masked URL that matches no stored webhook; give the full URL`);
    if (changedWebhooks && who(req).user.role !== 'admin') throw forbidden('only an admin may add, change or remove webhook URLs');
    await saveNotificationSettings(deps.store, id, settings);
    await audit(deps, req, {
      action: 'notifications.update',
      objectType: 'tenant',
      objectId: id,
      tenantId: id,
      // Who is told, not how to reach the webhooks: recipients' count and the webhooks' masked form.
      detail: { enabled: settings.enabled, lang: settings.lang, recipients: settings.email.recipients.length, webhooks: publicSettings(settings).webhooks.map((w) => w.url), events: settings.events, eolWithinDays: settings.eolWithinDays, monthlyReport: settings.monthlyReport.enabled },
    });
    return { settings: publicSettings(settings) };
  });

  app.get('/api/tenants/:id/report', {
    config: { summary: "The owner report of a tenant: the latest scan of every server and site, as PDF or HTML, in Japanese or English (a download, rendered in this request; on PostgreSQL deployments use POST /api/tenants/:id/reports, rendered by a worker)", tags: ['tenants'] },
    schema: { params: idParams, querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['html', 'pdf'], default: 'pdf' }, lang: { type: 'string', enum: ['ja', 'en'], default: 'ja' } } } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const q = req.query as { format: 'html' | 'pdf'; lang: 'ja' | 'en' };
    const data = await ownerReportData(deps.store, scope(req), id);
    if (!data) throw notFound('tenant');
    const r = await renderOwnerReport(data, { format: q.format, lang: q.lang, now: deps.clock.now() });
    reply.header('content-disposition', `attachment; filename="${r.filename}"`);
    return reply.type(r.contentType).send(Buffer.from(r.body));
  });
};
