/**
 * Gaps with their catalog message: `why` is rendered in the scan's language for the JSON contract, and the
 * message (code and parameters) is kept so that a front end renders it again in its reader's language.
 */
import type { Gap, Lang } from './model.js';
import { messages, type MessageCode } from './messages/index.js';

export type Translate = (code: string, params?: Record<string, string | number>) => string;

export function catalogGap(t: Translate, what: string, code: MessageCode, params?: Record<string, string | number>): Gap {
  return { what, why: t(code, params), code, message: params ? { code, params } : { code } };
}

/** A message of the catalogs with its parameters, checked at compile time. */
export type CatalogRef = { code: MessageCode; params?: Record<string, string | number> };

/**
 * A gap of a collector that has no language of its own: the subject and the reason are catalog messages, or
 * plain text where they are technical detail (a command's stderr). Rendered in English here and again in the
 * report's language by `localizeGaps` when the report is assembled.
 */
export function gapOf(code: string, what: CatalogRef | string, why: CatalogRef | string): Gap {
  const g: Gap = { what: typeof what === 'string' ? what : messages.render('en', what), why: typeof why === 'string' ? why : messages.render('en', why), code };
  if (typeof why !== 'string') g.message = why;
  if (typeof what !== 'string') g.subject = what;
  return g;
}

/** The gap with its subject and reason rendered in `lang` where they carry catalog messages. */
export function localizeGap(g: Gap, lang: Lang): Gap {
  if (!g.message && !g.subject) return g;
  const out: Gap = { ...g };
  if (g.subject && messages.has(g.subject.code)) out.what = messages.render(lang, g.subject);
  if (g.message && messages.has(g.message.code)) out.why = messages.render(lang, g.message);
  return out;
}

export const localizeGaps = (gaps: readonly Gap[], lang: Lang): Gap[] => gaps.map((g) => localizeGap(g, lang));
