/**
 * endoflife.date: offline the repository's `products/<id>.md` (YAML front matter with `releases:` of
 * releaseCycle, releaseDate, eoas, eol, eoes, latest, latestReleaseDate, lts, codename), online the API v1
 * (`/api/v1/products/<id>/`: `result.releases[]` with name, releaseDate, eoasFrom, eolFrom, eoesFrom,
 * isLts, latest.name). See ./README.md.
 */
import { parse as parseYaml } from 'yaml';
import type { LifecycleCycle } from '../../../core/knowledge.js';
import type { RawInput } from '../../types.js';
import { emptyNormalized, type Normalized } from '../../types.js';
import { isObject, str, openJson } from '../common/util.js';

export const FEED = 'endoflife';

export function recogniseMd(text: string): boolean {
  return /^---\r?\n/.test(text) && /\nreleases:\s*\r?\n/.test(text) && /\n\s+- releaseCycle:/.test(text);
}

export function recogniseApi(text: string): boolean {
  const head = text.slice(0, 1500);
  return /"schema_version"/.test(head) && /"result"\s*:/.test(text) && /"releases"\s*:/.test(text) && /"eolFrom"|"isEol"/.test(text);
}

function dateOrBool(v: unknown): string | boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) return v.slice(0, 10);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return undefined;
}

/** The product id from the file name (`products/php.md`) or, failing that, the permalink. */
function productId(key: string, fm: Record<string, unknown>): string | undefined {
  const perm = str(fm.permalink)?.replace(/^\//, '');
  const base = /([a-z0-9][a-z0-9._-]*)\.md$/i.exec(key)?.[1]?.toLowerCase();
  return perm && /^[a-z0-9._-]+$/.test(perm) ? perm : base;
}

export function parseMd(raw: RawInput, text: string): Normalized {
  const out = emptyNormalized();
  const m = /^---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(text);
  if (!m) {
    out.rejected.push({ ref: raw.key, reason: 'no closing --- of the YAML front matter' });
    return out;
  }
  let fm: unknown;
  try {
    fm = parseYaml(m[1]!, { maxAliasCount: 100 });
  } catch (err) {
    out.rejected.push({ ref: raw.key, reason: `invalid YAML front matter: ${(err as Error).message.split('\n')[0]}` });
    return out;
  }
  if (!isObject(fm) || !Array.isArray(fm.releases)) {
    out.rejected.push({ ref: raw.key, reason: 'front matter without releases:' });
    return out;
  }
  const product = productId(raw.key, fm);
  if (!product) {
    out.rejected.push({ ref: raw.key, reason: 'no product id (permalink or file name)' });
    return out;
  }
  for (const [i, r] of fm.releases.entries()) {
    const cycle = isObject(r) ? (typeof r.releaseCycle === 'number' ? String(r.releaseCycle) : str(r.releaseCycle)) : undefined;
    if (!isObject(r) || !cycle) {
      out.rejected.push({ ref: `${product} releases[${i}]`, reason: 'no releaseCycle' });
      continue;
    }
    const c: LifecycleCycle = {
      product,
      cycle,
      codename: str(r.codename),
      releaseDate: dateOrBool(r.releaseDate) as string | undefined,
      activeSupportEnd: dateOrBool(r.eoas ?? r.support),
      eol: dateOrBool(r.eol),
      extendedSupportEnd: dateOrBool(r.eoes ?? r.extendedSupport),
      latest: typeof r.latest === 'number' ? String(r.latest) : str(r.latest),
      latestReleaseDate: dateOrBool(r.latestReleaseDate) as string | undefined,
      lts: typeof r.lts === 'boolean' || typeof r.lts === 'string' ? r.lts : dateOrBool(r.lts),
      source: FEED,
    };
    out.lifecycle.push(c);
  }
  return out;
}

export function parseApi(raw: RawInput, text: string): Normalized {
  const { out, json: j } = openJson(raw, text);
  if (!j.ok) return out;
  const res = isObject(j.value) && isObject(j.value.result) ? j.value.result : null;
  const product = res ? str(res.name) : undefined;
  if (!res || !product || !Array.isArray(res.releases)) {
    out.rejected.push({ ref: raw.key, reason: 'expected { result: { name, releases: [] } }' });
    return out;
  }
  for (const [i, r] of res.releases.entries()) {
    if (!isObject(r) || !str(r.name)) {
      out.rejected.push({ ref: `${product} releases[${i}]`, reason: 'no name' });
      continue;
    }
    const pick = (from: unknown, is: unknown) => dateOrBool(from) ?? (typeof is === 'boolean' ? is : undefined);
    out.lifecycle.push({
      product,
      cycle: str(r.name)!,
      codename: str(r.codename),
      releaseDate: dateOrBool(r.releaseDate) as string | undefined,
      activeSupportEnd: pick(r.eoasFrom, r.isEoas),
      eol: pick(r.eolFrom, r.isEol),
      extendedSupportEnd: pick(r.eoesFrom, r.isEoes),
      latest: isObject(r.latest) ? str(r.latest.name) : undefined,
      latestReleaseDate: isObject(r.latest) ? (dateOrBool(r.latest.date) as string | undefined) : undefined,
      lts: typeof r.isLts === 'boolean' ? r.isLts : undefined,
      source: FEED,
    });
  }
  return out;
}
