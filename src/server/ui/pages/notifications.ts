/**
 * Notification settings of one tenant (src/fleet/notify/settings.ts): email recipients, Slack-compatible
 * webhooks (shown masked by the server; a masked URL sent back keeps the stored one), which events, the weekly
 * digest, the monthly owner report, the language of the messages.
 */
import { api, ApiError, get } from '../api.js';
import { isAdmin } from '../app.js';
import { h, replace } from '../dom.js';
import { fmtDateTime, t, type Key } from '../i18n/index.js';
import type { Tenant } from '../types.js';
import { field, formStatus, link, notice, section, select, table } from '../ui.js';

interface Settings {
  enabled?: boolean;
  lang?: 'ja' | 'en';
  email?: { recipients?: string[] };
  webhooks?: { url: string; name?: string }[];
  events?: Record<string, boolean>;
  eolWithinDays?: number;
  monthlyReport?: { enabled?: boolean; format?: 'pdf' | 'html' };
  [k: string]: unknown;
}
interface Delivery {
  at: string;
  kind: string;
  channel: string;
  subject: string;
  items: number;
  status: 'sent' | 'failed';
  reason?: string;
}
const EVENTS = ['newFindings', 'kev', 'endOfLife', 'failedScans', 'weeklyDigest'] as const;

export async function renderNotifications(main: HTMLElement, tenantId: string): Promise<void> {
  const enc = encodeURIComponent(tenantId);
  const tenant = await get<Tenant>(`/api/tenants/${enc}`);
  let cur: Settings;
  let deliveries: Delivery[] = [];
  let smtpConfigured = true;
  try {
    const r = await get<Settings | { settings: Settings; deliveries?: Delivery[]; smtpConfigured?: boolean }>(`/api/tenants/${enc}/notifications`);
    const wrapped = 'settings' in r && r.settings && typeof r.settings === 'object';
    cur = wrapped ? (r.settings as Settings) : (r as Settings);
    if (wrapped) {
      deliveries = (r as { deliveries?: Delivery[] }).deliveries ?? [];
      smtpConfigured = (r as { smtpConfigured?: boolean }).smtpConfigured !== false;
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      replace(main, h('h1', null, t('notify.title')), notice(t('notify.unavailable')));
      return;
    }
    throw err;
  }
  const enabled = h('input', { type: 'checkbox', name: 'enabled', id: 'n-enabled', checked: cur.enabled !== false });
  const emails = h('textarea', { name: 'recipients', rows: 3 });
  emails.value = (cur.email?.recipients ?? []).join('\n');
  const hooks = h('textarea', { name: 'webhooks', rows: 2, disabled: !isAdmin() });
  hooks.value = (cur.webhooks ?? []).map((w) => w.url).join('\n');
  const lang = select('lang', [['ja', '日本語'], ['en', 'English']], cur.lang ?? 'ja');
  const eolDays = h('input', { type: 'number', name: 'eolWithinDays', min: 0, max: 3650, value: cur.eolWithinDays ?? 90 });
  const monthly = h('input', { type: 'checkbox', name: 'monthlyReport', id: 'n-monthly', checked: Boolean(cur.monthlyReport?.enabled) });
  const events = EVENTS.map((ev) => h('input', { type: 'checkbox', name: 'events', value: ev, id: `n-ev-${ev}`, checked: cur.events?.[ev] !== false }));
  const status = formStatus();
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'notify-form' },
    h('div', { class: 'field check' }, enabled, h('label', { for: enabled.id }, t('notify.enabled'))),
    field(t('notify.emails'), emails, t('notify.emailsHint')),
    field(t('notify.webhook'), hooks, t(isAdmin() ? 'notify.webhookHint' : 'notify.webhookAdmin')),
    field(t('notify.lang'), lang),
    h('fieldset', null, h('legend', null, t('notify.events')), events.map((cb, i) => h('div', { class: 'field check' }, cb, h('label', { for: cb.id }, t(`notify.ev.${EVENTS[i]!}` as Key))))),
    field(t('notify.eolDays'), eolDays),
    h('div', { class: 'field check' }, monthly, h('label', { for: monthly.id }, t('notify.monthly'))),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('common.save')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body: Settings = {
      ...cur,
      enabled: enabled.checked,
      lang: lang.value === 'en' ? 'en' : 'ja',
      email: { ...cur.email, recipients: emails.value.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean) },
      events: { ...cur.events, ...Object.fromEntries(events.map((x) => [x.value, x.checked])) },
      eolWithinDays: Number(eolDays.value) || 0,
      monthlyReport: { ...cur.monthlyReport, enabled: monthly.checked },
    };
    if (isAdmin()) {
      const old = new Map((cur.webhooks ?? []).map((w) => [w.url, w]));
      body.webhooks = hooks.value.split(/\s+/).map((x) => x.trim()).filter(Boolean).map((url) => old.get(url) ?? { url });
    }
    api('PUT', `/api/tenants/${enc}/notifications`, body)
      .then(() => status.ok(t('notify.saved')))
      .catch((err: unknown) => status.error(err));
  });
  replace(
    main,
    h('p', { class: 'crumbs' }, link(`#/tenants/${enc}`, tenant.name), ' / '),
    h('h1', null, t('notify.title')),
    smtpConfigured ? null : h('p', { class: 'error', role: 'alert' }, t('notify.noSmtp')),
    form,
    section(
      t('notify.deliveries'),
      table(deliveries, [
        { head: t('audit.at'), cell: (d) => fmtDateTime(d.at) },
        { head: t('notify.channel'), cell: (d) => d.channel },
        { head: t('notify.subject'), cell: (d) => d.subject },
        { head: t('common.status'), cell: (d) => [h('span', { class: `badge ${d.status === 'sent' ? 'status-done' : 'status-failed'}` }, t(d.status === 'sent' ? 'notify.sent' : 'notify.failed')), d.reason ? h('div', { class: 'small' }, d.reason) : null] },
      ], { testid: 'deliveries', empty: t('common.none') }),
    ),
  );
}
