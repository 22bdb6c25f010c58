/**
 * An event → the message in the tenant's language: a subject, a plain-text body (email) and Slack-compatible
 * JSON (`{"text", "blocks"}`, which Slack, Mattermost and Rocket.Chat incoming webhooks accept). Everything
 * taken from a document (titles, names, reasons) goes through the personal-data masker; nothing secret is in
 * an event to begin with (no keys, no URLs with tokens).
 */
import type { Lang } from '../../core/model.js';
import { messages } from '../../core/messages/index.js';
import { maskText } from '../../pii/mask.js';
import type { NotifyEvent } from './events.js';

export interface ComposedMessage {
  subject: string;
  text: string;
  slack: { text: string; blocks: SlackBlock[] };
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

/** Items listed per message; the rest are counted. */
export const ITEMS_LISTED = 20;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** Masked, on one line, bounded. */
const clean = (s: string, n = 300) => clip(maskText(s).replace(/[\r\n\t]+/g, ' '), n);
/** Slack mrkdwn control characters. */
const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function formatAt(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (lang === 'ja') return `${new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d)} (JST)`;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function composeMessage(e: NotifyEvent, lang: Lang): ComposedMessage {
  const t = (code: string, params?: Record<string, string | number>) => messages.t(lang, code, params);
  const sev = (s: string) => t(`report.sev.${s}`);
  const tenant = clean(e.tenantName, 100);
  let subject: string;
  let intro: string;
  let lines: string[] = [];
  let total = 0;
  switch (e.kind) {
    case 'new-findings': {
      const target = clean(e.targetName, 120);
      const suffix = e.firstScan ? '.first' : '';
      subject = t(`notify.subject.new-findings${suffix}`, { tenant, target, count: e.items.length });
      intro = t(`notify.intro.new-findings${suffix}`, { target, at: formatAt(e.at, lang), count: e.items.length });
      total = e.items.length;
      lines = e.items.slice(0, ITEMS_LISTED).map((f) => t('notify.item.finding', { severity: sev(f.severity), title: clean(f.title) }) + (f.cves.length ? `\n    ${t('notify.item.cves', { cves: clip(f.cves.slice(0, 8).join(', ') + (f.cves.length > 8 ? ` (+${f.cves.length - 8})` : ''), 200) })}` : ''));
      break;
    }
    case 'kev': {
      const target = clean(e.targetName, 120);
      subject = t('notify.subject.kev', { tenant, target, count: e.items.length });
      intro = t('notify.intro.kev', { target });
      total = e.items.length;
      lines = e.items.slice(0, ITEMS_LISTED).map((k) => t(k.newFinding ? 'notify.item.kev.new' : 'notify.item.kev.listed', { cve: k.cve, date: k.dateAdded ?? '?', title: clean(k.title, 200) }));
      break;
    }
    case 'end-of-life': {
      const target = clean(e.targetName, 120);
      subject = t('notify.subject.end-of-life', { tenant, target, count: e.items.length });
      intro = t('notify.intro.end-of-life', { target });
      total = e.items.length;
      lines = e.items.slice(0, ITEMS_LISTED).map((i) => {
        const p = { component: clean(i.component, 100), version: clean(i.version ?? '', 60), date: i.date ?? '?', days: Math.abs(i.days ?? 0) };
        return t(i.date === null ? 'notify.item.eol.unknownDate' : i.past ? 'notify.item.eol.past' : 'notify.item.eol.soon', p).replace(/ {2,}/g, ' ');
      });
      break;
    }
    case 'scan-failed': {
      const target = clean(e.targetName, 120);
      subject = t('notify.subject.scan-failed', { tenant, target });
      intro = t('notify.intro.scan-failed', { target, attempts: e.attempts, at: formatAt(e.at, lang) });
      lines = [t('notify.item.reason', { reason: clean(e.reason, 500) })];
      break;
    }
    case 'digest': {
      subject = t('notify.subject.digest', { tenant, from: e.from, to: e.to });
      intro = t('notify.intro.digest', { tenant, targets: e.targets, scanned: e.scanned, failed: e.failed });
      lines = [
        t('notify.digest.counts', { ...e.summary }),
        t('notify.digest.new', { count: e.newThisWeek }),
        t('notify.digest.resolved', { count: e.resolvedThisWeek }),
        '',
        e.oldest.length ? t('notify.digest.oldest') : t('notify.digest.none'),
        ...e.oldest.map((o) =>
          o.lagDays === null
            ? `  ${t('notify.digest.lagUnknown', { target: clean(o.targetName, 120), package: clean(o.package, 100), severity: sev(o.severity), seen: o.daysSeen })}`
            : `  ${t('notify.digest.lag', { target: clean(o.targetName, 120), package: clean(o.package, 100), severity: sev(o.severity), days: o.lagDays, limit: o.limit, overdue: o.overdue ? t('notify.digest.overdue') : '' })}`,
        ),
      ];
      break;
    }
    case 'monthly-report': {
      subject = t('notify.subject.monthly-report', { tenant, month: e.month });
      intro = t('notify.intro.monthly-report', { tenant, month: e.month, targets: e.targets });
      break;
    }
    case 'report': {
      subject = t('notify.subject.report', { tenant, date: e.date });
      intro = t('notify.intro.report', { tenant, date: e.date, targets: e.targets });
      break;
    }
  }
  const more = total > ITEMS_LISTED ? t('notify.item.more', { count: total - ITEMS_LISTED }) : undefined;
  const bullet = (l: string) => (l && !l.startsWith('  ') && e.kind !== 'digest' && e.kind !== 'scan-failed' ? `- ${l}` : l);
  const body = [...lines.map(bullet), ...(more ? [more] : [])];
  const footer = t('notify.footer');
  const text = [intro, '', ...body, '', '-- ', footer, ''].join('\n');
  const listText = body.join('\n');
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(subject.replace(/^\[mamori\]\s*/, ''), 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn(intro), 3000) } },
  ];
  if (listText.trim()) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn(listText), 3000) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(mrkdwn(footer), 300) }] });
  return { subject: clip(subject, 250), text, slack: { text: clip(`${subject}\n${intro}`, 3000), blocks } };
}
