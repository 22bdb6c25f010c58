/** Small building blocks shared by the pages: tables, badges, form fields, pagination, messages. */
import { ApiError } from './api.js';
import { h, type Child } from './dom.js';
import { fmtDate, fmtNum, t, type Key } from './i18n/index.js';
import { CATEGORIES, SEVERITIES, type Category, type Severity } from '../../core/model.js';
import type { ScanRecord, SeverityCounts } from './types.js';

export { CATEGORIES, SEVERITIES };

export const sevLabel = (s: Severity): string => t(`sev.${s}` as Key);
export const catLabel = (c: Category): string => t(`cat.${c}` as Key);

export const sevBadge = (s: Severity): HTMLElement => h('span', { class: `badge sev-${s}` }, sevLabel(s));
/**
 * A finding kept from an earlier scan that the scans since could not check (a gap, see src/fleet/coverage.ts): open,
 * neither verified nor resolved. The date is shown, not only in the tooltip.
 */
export const notCheckedBadge = (since: string | null | undefined): HTMLElement | null =>
  since ? h('span', { class: 'badge unverified', title: t('findings.notCheckedSince', { date: fmtDate(since) }), 'data-testid': 'finding-not-checked', 'data-since': since }, t('findings.notChecked', { date: fmtDate(since) })) : null;

export function statusBadge(scan: ScanRecord | null | undefined): HTMLElement {
  if (!scan) return h('span', { class: 'badge status-none' }, t('scan.never'));
  return h('span', { class: `badge status-${scan.status}`, 'data-status': scan.status }, t(`scan.status.${scan.status}` as Key));
}

export function counts(summary: SeverityCounts | null | undefined): HTMLElement {
  if (!summary) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'counts' }, SEVERITIES.filter((s) => s !== 'info').map((s) => h('span', { class: `count sev-${s}`, title: sevLabel(s) }, h('span', { class: 'sr-only' }, `${sevLabel(s)}: `), String(summary[s] ?? 0))));
}

export interface Column<T> {
  head: string;
  cell: (row: T) => Child;
  class?: string;
}
export function table<T>(rows: readonly T[], cols: readonly Column<T>[], opts: { caption?: string; empty?: string; testid?: string } = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty', 'data-testid': opts.testid }, opts.empty ?? t('common.none'));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': opts.testid },
      opts.caption ? h('caption', null, opts.caption) : null,
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col', class: c.class }, c.head)))),
      h('tbody', null, rows.map((r) => h('tr', null, cols.map((c) => h('td', { class: c.class, 'data-label': c.head }, c.cell(r)))))),
    ),
  );
}

let fieldSeq = 0;
/** A labelled control: the label's `for` names the control's id. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  let hintEl: HTMLElement | null = null;
  if (hint) {
    hintEl = h('span', { class: 'hint', id: `${id}-hint` }, hint);
    control.setAttribute('aria-describedby', `${id}-hint`);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

export function select(name: string, options: readonly (readonly [string, string])[], value = ''): HTMLSelectElement {
  const el = h('select', { name }, options.map(([v, label]) => h('option', { value: v }, label)));
  el.value = value;
  return el;
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('error.network');
    if (err.status === 404) return t('error.notFound');
    if (err.status === 403) return t('error.forbidden');
    return err.message ? `${err.message} (${err.code})` : err.code;
  }
  return err instanceof Error ? err.message : String(err);
}

export const errorBox = (err: unknown): HTMLElement => h('p', { class: 'error', role: 'alert' }, errorText(err));
export const notice = (text: string): HTMLElement => h('p', { class: 'notice', role: 'status' }, text);

/** A form's message area: role=alert for errors, role=status for success, announced by screen readers. */
export function formStatus(): { el: HTMLElement; error: (e: unknown) => void; ok: (text: string) => void; clear: () => void } {
  const el = h('div', { class: 'form-status', 'aria-live': 'polite' });
  return {
    el,
    error: (e) => {
      el.replaceChildren(errorBox(e));
    },
    ok: (text) => {
      el.replaceChildren(notice(text));
    },
    clear: () => el.replaceChildren(),
  };
}

/** `totalIsLowerBound`: the list stopped counting at `total` (there are more): the count says so and Next stays on. */
export function pager(page: number, pageSize: number, total: number, go: (page: number) => void, totalIsLowerBound = false): HTMLElement {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const shown = fmtNum(total);
  return h(
    'nav',
    { class: 'pager', 'aria-label': t('common.pagination') },
    h('button', { type: 'button', class: 'btn', disabled: page <= 1, onclick: () => go(page - 1) }, t('common.prev')),
    h('span', null, totalIsLowerBound ? t('common.pageOfMore', { page, pages, total: shown }) : t('common.pageOf', { page, pages, total })),
    h('button', { type: 'button', class: 'btn', disabled: page >= pages && !totalIsLowerBound, onclick: () => go(page + 1) }, t('common.next')),
  );
}

export const link = (href: string, ...children: Child[]): HTMLAnchorElement => h('a', { href }, ...children);
export const tags = (list: readonly string[]): HTMLElement => h('span', { class: 'tags' }, list.map((x) => h('span', { class: 'tag' }, x)));

/** Splits a free-text tag field on commas, semicolons and spaces. */
export const parseTags = (s: string): string[] => [...new Set(s.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean))];

export function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', null, title), ...children);
}

export function download(href: string, label: string): HTMLAnchorElement {
  return h('a', { href, class: 'btn', download: '' }, label);
}
