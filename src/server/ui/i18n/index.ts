/** The dashboard's language: the stored choice, else the browser's (`navigator.language`), else English. */
import { format } from '../../../core/i18n.js';
import { en, type Key } from './en.js';
import { ja } from './ja.js';

export type Lang = 'en' | 'ja';
export type { Key };
const catalogs: Record<Lang, Readonly<Record<Key, string>>> = { en, ja };
const STORAGE_KEY = 'mamori.lang';

function storedLang(): Lang | undefined {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'ja' || v === 'en' ? v : undefined;
  } catch {
    return undefined;
  }
}

export const browserLang = (langs: readonly string[]): Lang => {
  for (const l of langs) {
    const x = l.toLowerCase();
    if (x.startsWith('ja')) return 'ja';
    if (x.startsWith('en')) return 'en';
  }
  return 'en';
};

let lang: Lang = storedLang() ?? browserLang(navigator.languages?.length ? navigator.languages : [navigator.language ?? 'en']);

export const currentLang = (): Lang => lang;

export function setLang(l: Lang): void {
  lang = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.lang = l;
}

/**
 * A message in the current language; `{name}` placeholders are filled from params, and a count is written as an
 * ICU plural, `{n, plural, one {# scan} other {# scans}}` (the CLI's formatter, src/core/i18n.ts: Intl.PluralRules
 * of the language, `#` the number).
 */
export function t(key: Key, params?: Record<string, string | number>): string {
  const text = catalogs[lang][key];
  if (!params) return text;
  return format(text, params, lang);
}

/** Whether a key built at run time (a queue name, a state) is in the catalog. */
export const hasKey = (key: string): key is Key => Object.prototype.hasOwnProperty.call(en, key);

const locale = (): string => (lang === 'ja' ? 'ja-JP' : 'en-GB');
export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(locale(), { year: 'numeric', month: '2-digit', day: '2-digit' });
}
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(locale(), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}
export function fmtDateTimeSec(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(locale(), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
export const fmtNum = (n: number): string => n.toLocaleString(locale());
