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

const pluralRules = new Map<string, Intl.PluralRules>();
function pluralCategory(lang: Lang, n: number): string {
  let r = pluralRules.get(lang);
  if (!r) pluralRules.set(lang, (r = new Intl.PluralRules(lang === 'ja' ? 'ja-JP' : 'en-GB')));
  return r.select(n);
}

/**
 * `{count, plural, one {# finding} other {# findings}}`: the branch for the number's plural category in `lang`
 * (Intl.PluralRules; `=0`, `=1`… match exactly first), `#` standing for the number. Japanese has one form
 * (`other`). A catalog writes every countable English noun this way: no "1 gaps".
 */
function plurals(template: string, params: Record<string, string | number>, lang: Lang): string {
  let out = '';
  let i = 0;
  for (;;) {
    const m = /\{(\w+), plural,/.exec(template.slice(i));
    if (!m) return out + template.slice(i);
    const start = i + m.index;
    out += template.slice(i, start);
    // The branches: `key {text}` pairs up to the closing brace (texts may hold `{name}` placeholders).
    let j = start + m[0].length;
    const branches = new Map<string, string>();
    for (;;) {
      while (template[j] === ' ') j++;
      if (template[j] === '}' || j >= template.length) break;
      const key = /^[=\w]+/.exec(template.slice(j))?.[0];
      if (!key) break;
      j += key.length;
      while (template[j] === ' ') j++;
      if (template[j] !== '{') break;
      let depth = 0;
      const from = j + 1;
      for (; j < template.length; j++) {
        if (template[j] === '{') depth++;
        else if (template[j] === '}' && --depth === 0) break;
      }
      branches.set(key, template.slice(from, j));
      j++;
    }
    const raw = params[m[1]!];
    const n = typeof raw === 'number' ? raw : Number(raw);
    const text = Number.isFinite(n) ? (branches.get(`=${n}`) ?? branches.get(pluralCategory(lang, n)) ?? branches.get('other') ?? '') : (branches.get('other') ?? '');
    out += text.replace(/#/g, Number.isFinite(n) ? String(n) : String(raw ?? '#'));
    i = j + 1;
  }
}

export function format(template: string, params: Record<string, string | number> = {}, lang: Lang = 'en'): string {
  const t = template.includes(', plural,') ? plurals(template, params, lang) : template;
  return t.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** The plural form of an English noun phrase for `n` (for text assembled outside a catalog template). */
export function plural(lang: Lang, n: number, forms: { one: string; other: string }): string {
  return pluralCategory(lang, n) === 'one' ? forms.one : forms.other;
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

  /** The raw template of a code in `lang`, for checks on the catalogs. */
  template(lang: Lang, code: string): string | undefined {
    return this.tables[lang].get(code);
  }

  codes(lang: Lang): string[] {
    return [...this.tables[lang].keys()];
  }

  /** The message in `lang`; an unknown code returns the code itself so nothing is silently lost. */
  t(lang: Lang, code: string, params?: Record<string, string | number>): string {
    const own = this.tables[lang].get(code);
    const tpl = own ?? this.tables.en.get(code);
    return tpl === undefined ? code : format(tpl, params, own === undefined ? 'en' : lang);
  }

  render(lang: Lang, ref: MessageRef): string {
    return this.t(lang, ref.code, ref.params);
  }
}
