/**
 * Message catalogs keyed by code, one English and one Japanese object per area. `defineCatalog` makes a
 * missing or extra Japanese key a compile error. Templates use `{name}` placeholders.
 */
import type { Lang, MessageRef } from './model.js';

export type Catalog<K extends string> = { readonly en: Record<K, string>; readonly ja: Record<K, string> };

/** `defineCatalog({ en: {...}, ja: {...} })`: both languages must have exactly the same keys. */
export function defineCatalog<const E extends Record<string, string>>(c: {
  en: E;
  /** An object literal: a missing key is an error, and so is an extra one (excess property check). */
  ja: { [K in keyof E]: string };
}): Catalog<Extract<keyof E, string>> {
  return c as unknown as Catalog<Extract<keyof E, string>>;
}

export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export class Messages {
  private readonly tables: Record<Lang, Map<string, string>> = { en: new Map(), ja: new Map() };

  constructor(catalogs: readonly Catalog<string>[]) {
    for (const c of catalogs) {
      for (const lang of ['en', 'ja'] as const) {
        for (const [k, v] of Object.entries(c[lang])) {
          if (this.tables[lang].has(k)) throw new Error(`duplicate message code ${k}`);
          this.tables[lang].set(k, v);
        }
      }
    }
  }

  has(code: string): boolean {
    return this.tables.en.has(code);
  }

  codes(lang: Lang): string[] {
    return [...this.tables[lang].keys()];
  }

  /** The message in `lang`; an unknown code returns the code itself so nothing is silently lost. */
  t(lang: Lang, code: string, params?: Record<string, string | number>): string {
    const tpl = this.tables[lang].get(code) ?? this.tables.en.get(code);
    return tpl === undefined ? code : format(tpl, params);
  }

  render(lang: Lang, ref: MessageRef): string {
    return this.t(lang, ref.code, ref.params);
  }
}
