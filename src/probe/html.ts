/**
 * Just enough HTML reading for a crawler and for form checks: tags and their attributes, found by a tolerant
 * tokenizer (old Japanese sites are rarely well-formed). No DOM, no scripts run.
 */

export interface Tag {
  name: string;
  attrs: Record<string, string>;
  /** Offset in the text, for ordering forms and their inputs. */
  at: number;
}

export interface FormInfo {
  action: string;
  method: string;
  inputs: { name: string; type: string }[];
}

export interface PageInfo {
  title?: string;
  generator?: string[];
  links: string[];
  scripts: string[];
  /** Script srcs that carry an integrity attribute (SRI). */
  integrity: string[];
  styles: string[];
  /** Subresources that load active or passive content (img, iframe, script, link, embed, source…). */
  subresources: { tag: string; url: string }[];
  forms: FormInfo[];
  comments: string[];
}

const TAG_RE = /<([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*?)?\/?>/g;
const ATTR_RE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

const decodeEntities = (s: string): string =>
  s
    .replace(/&amp;/gi, '&')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)));

export function tags(html: string): Tag[] {
  const out: Tag[] = [];
  const text = html.replace(/<!--[\s\S]*?-->/g, (m) => ' '.repeat(m.length));
  for (const m of text.matchAll(TAG_RE)) {
    const attrs: Record<string, string> = {};
    const raw = m[2] ?? '';
    for (const a of raw.matchAll(ATTR_RE)) {
      const k = a[1]!.toLowerCase();
      if (!(k in attrs)) attrs[k] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    }
    out.push({ name: m[1]!.toLowerCase(), attrs, at: m.index ?? 0 });
  }
  return out;
}

export function parsePage(html: string): PageInfo {
  const info: PageInfo = { links: [], scripts: [], integrity: [], styles: [], subresources: [], forms: [], comments: [] };
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  if (title) info.title = decodeEntities(title[1]!.trim()).slice(0, 300);
  for (const c of html.matchAll(/<!--([\s\S]*?)-->/g)) if (info.comments.length < 200) info.comments.push(c[1]!.slice(0, 500));
  let form: FormInfo | undefined;
  for (const t of tags(html)) {
    const a = t.attrs;
    switch (t.name) {
      case 'a':
      case 'area':
        if (a.href) info.links.push(a.href);
        break;
      case 'frame':
      case 'iframe':
        if (a.src) {
          info.links.push(a.src);
          info.subresources.push({ tag: t.name, url: a.src });
        }
        break;
      case 'script':
        if (a.src) {
          info.scripts.push(a.src);
          if (a.integrity) info.integrity.push(a.src);
          info.subresources.push({ tag: 'script', url: a.src });
        }
        break;
      case 'link':
        if (a.href && /stylesheet/i.test(a.rel ?? '')) {
          info.styles.push(a.href);
          info.subresources.push({ tag: 'link', url: a.href });
        }
        break;
      case 'img':
      case 'embed':
      case 'source':
      case 'audio':
      case 'video':
        if (a.src) info.subresources.push({ tag: t.name, url: a.src });
        break;
      case 'meta':
        if ((a.name ?? '').toLowerCase() === 'generator' && a.content) (info.generator ??= []).push(a.content.slice(0, 200));
        break;
      case 'form':
        form = { action: a.action ?? '', method: (a.method ?? 'get').toLowerCase(), inputs: [] };
        info.forms.push(form);
        break;
      case 'input':
      case 'select':
      case 'textarea':
        if (form) form.inputs.push({ name: a.name ?? a.id ?? '', type: (a.type ?? (t.name === 'input' ? 'text' : t.name)).toLowerCase() });
        break;
    }
  }
  return info;
}

/** Resolve `ref` against `base`; undefined for javascript:, mailto:, data: and unparseable references. */
export function resolveRef(ref: string, base: string): URL | undefined {
  const r = ref.trim();
  if (!r || /^(javascript|mailto|tel|data|about|#)/i.test(r)) return undefined;
  try {
    const u = new URL(r, base);
    u.hash = '';
    return u;
  } catch (_err) {
    return undefined;
  }
}
