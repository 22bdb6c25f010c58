/**
 * Gaps with their catalog message: `why` is rendered in the scan's language for the JSON contract, and the
 * message (code and parameters) is kept so that a front end renders it again in its reader's language.
 */
import type { Gap } from './model.js';
import type { MessageCode } from './messages/index.js';

export type Translate = (code: string, params?: Record<string, string | number>) => string;

export function catalogGap(t: Translate, what: string, code: MessageCode, params?: Record<string, string | number>): Gap {
  return { what, why: t(code, params), code, message: params ? { code, params } : { code } };
}
