/** Notification settings of one tenant: email recipients, a Slack-compatible webhook, which events, weekly digest. */
import { api, ApiError, get } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n/index.js';
import type { Tenant } from '../types.js';
import { field, formStatus, link, notice } from '../ui.js';

interface Settings {
  emails?: string[];
  webhookUrl?: string | null;
  events?: string[];
  eolDays?: number;
  weeklyDigest?: boolean;
  monthlyReport?: boolean;
  reportLang?: 'ja' | 'en';
  [k: string]: unknown;
}
const EVENTS = ['new-critical', 'new-high', 'kev', 'end-of-life', 'scan-failed'] as const;

export async function renderNotifications(main: HTMLElement, tenantId: string): Promise<void> {
  const enc = encodeURIComponent(tenantId);
  const tenant = await get<Tenant>(`/api/tenants/${enc}`);
  let cur: Settings;
  try {
    cur = await get<Settings>(`/api/tenants/${enc}/notifications`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      replace(main, h('h1', null, t('notify.title')), notice(t('notify.unavailable')));
      return;
    }
    throw err;
  }
  const emails = h('textarea', { name: 'emails', rows: 3, value: (cur.emails ?? []).join('\n') });
  emails.value = (cur.emails ?? []).join('\n');
  const webhook = h('input', { type: 'url', name: 'webhookUrl', value: cur.webhookUrl ?? '' });
  const eolDays = h('input', { type: 'number', name: 'eolDays', min: 1, max: 730, value: cur.eolDays ?? 90 });
  const digest = h('input', { type: 'checkbox', name: 'weeklyDigest', checked: Boolean(cur.weeklyDigest), id: 'n-digest' });
  const monthly = h('input', { type: 'checkbox', name: 'monthlyReport', checked: Boolean(cur.monthlyReport), id: 'n-monthly' });
  const events = EVENTS.map((ev) => h('input', { type: 'checkbox', name: 'events', value: ev, id: `n-ev-${ev}`, checked: (cur.events ?? EVENTS).includes(ev) }));
  const status = formStatus();
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'notify-form' },
    field(t('notify.emails'), emails, t('notify.emailsHint')),
    field(t('notify.webhook'), webhook, t('notify.webhookHint')),
    h('fieldset', null, h('legend', null, t('notify.events')), events.map((cb, i) => h('div', { class: 'field check' }, cb, h('label', { for: cb.id }, t(`notify.ev.${EVENTS[i]!}` as 'notify.ev.kev'))))),
    field(t('notify.eolDays'), eolDays),
    h('div', { class: 'field check' }, digest, h('label', { for: digest.id }, t('notify.digest'))),
    h('div', { class: 'field check' }, monthly, h('label', { for: monthly.id }, t('notify.monthly'))),
    status.el,
    h('button', { type: 'submit', class: 'btn primary' }, t('common.save')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body: Settings = {
      ...cur,
      emails: emails.value.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean),
      webhookUrl: webhook.value.trim() || null,
      events: events.filter((x) => x.checked).map((x) => x.value),
      eolDays: Number(eolDays.value) || 90,
      weeklyDigest: digest.checked,
      monthlyReport: monthly.checked,
    };
    api('PUT', `/api/tenants/${enc}/notifications`, body)
      .then(() => status.ok(t('notify.saved')))
      .catch((err: unknown) => status.error(err));
  });
  replace(main, h('p', { class: 'crumbs' }, link(`#/tenants/${enc}`, tenant.name), ' / '), h('h1', null, t('notify.title')), form);
}
