/**
 * Online fetchers of the distribution feeds that are not one file per URL:
 * - Red Hat Security Data API: the CVE list (`cve.json?after=…&per_page=…&page=N`) names each CVE's
 *   `resource_url`; every new or changed CVE record is fetched on its own (a few in parallel); later runs
 *   find the changed ones in Red Hat's VEX `changes.csv`.
 * - Amazon Linux: a repository's `mirror.list` names the current repository, whose `repodata/repomd.xml` names
 *   the `updateinfo.xml.gz` holding every ALAS.
 */
import type { InputFile } from '../import/archive.js';
import type { FeedWriter } from '../store/ports.js';
import { fetchFeed, type FetchOptions } from './http.js';

export interface DistroFetched {
  files: InputFile[];
  problems: { file: string; reason: string }[];
  validators: { url: string; etag: string | null; lastModified: string | null }[];
  meta: Map<string, string>;
}

type Fo = Omit<FetchOptions, 'validators' | 'onProgress'>;
type Progress = (url: number, received: number, total: number | null) => void;

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/**
 * Red Hat. First run: the CVE list pages (`pattern` with {after} and {page}) from `since`, then each record.
 * Later runs: the list's `after` filter is by public date, so an old CVE that gained a fix (an ELS update for
 * CVE-2021-3156) would be missed; Red Hat's VEX `changes.csv` (`"2021/cve-2021-3156.json","<modified>"`) names
 * every CVE changed since, and those records are fetched again — plus the list for CVEs made public since.
 */
export async function fetchRedhatApi(store: FeedWriter, urls: readonly string[], now: Date, fo: Fo, o: { since?: string; concurrency?: number; maxPages?: number; onProgress?: Progress }): Promise<DistroFetched | { error: string }> {
  const out: DistroFetched = { files: [], problems: [], validators: [], meta: new Map() };
  const pattern = urls[0]!;
  const changesUrl = urls.find((u) => /changes\.csv$/.test(u));
  const lastRun = store.getMeta('redhat-api.after');
  const after = lastRun?.slice(0, 10) ?? o.since ?? '2005-01-01';
  const todo = new Set<string>();
  for (let page = 1; page <= (o.maxPages ?? 200); page++) {
    const url = pattern.replace('{after}', encodeURIComponent(after)).replace('{page}', String(page));
    const r = await fetchFeed(url, fo);
    if (r.kind !== 'ok') return { error: `${url}: ${r.kind === 'failed' ? r.reason : 'unexpected 304'}` };
    let list: unknown;
    try {
      list = JSON.parse(text(r.bytes));
    } catch (err) {
      return { error: `${url}: invalid JSON (${(err as Error).message})` };
    }
    if (!Array.isArray(list)) return { error: `${url}: expected a JSON array of CVE summaries` };
    for (const c of list) {
      const u = typeof c === 'object' && c !== null ? (c as { resource_url?: unknown }).resource_url : undefined;
      const cve = typeof u === 'string' ? /\/(CVE-\d{4}-\d+)\.json$/.exec(u)?.[1] : undefined;
      if (cve) todo.add(cve);
      else out.problems.push({ file: url, reason: 'a CVE summary without a resource_url naming its CVE' });
    }
    if (list.length === 0) break;
  }
  if (lastRun && changesUrl) {
    const r = await fetchFeed(changesUrl, fo);
    if (r.kind !== 'ok') return { error: `${changesUrl}: ${r.kind === 'failed' ? r.reason : 'unexpected 304'}` };
    for (const m of text(r.bytes).matchAll(/cve-(\d{4})-(\d+)\.json"?\s*,\s*"?([0-9][0-9T:+\-.Z ]*)/gi)) {
      if (Date.parse(m[3]!.trim()) >= Date.parse(lastRun)) todo.add(`CVE-${m[1]}-${m[2]}`);
    }
  }
  // Per-CVE records next to the list (a mirror serves both).
  const recordBase = pattern.slice(0, pattern.indexOf('?')).replace(/\/[^/]*$/, '');
  const list = [...todo];
  let next = 0;
  let failed: string | undefined;
  const worker = async () => {
    while (next < list.length && !failed) {
      const i = next++;
      const url = `${recordBase}/cve/${list[i]}.json`;
      const r = await fetchFeed(url, { ...fo, onProgress: (rec, tot) => o.onProgress?.(i, rec, tot) });
      if (r.kind === 'failed') failed = `${url}: ${r.reason}`;
      else if (r.kind === 'ok') out.files.push({ rel: `redhat-api/${list[i]}.json`, source: url, bytes: r.bytes });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 6) }, worker));
  if (failed) return { error: failed };
  out.meta.set('redhat-api.after', now.toISOString());
  return out;
}

/** Amazon Linux: mirror.list → repodata/repomd.xml → updateinfo.xml.gz, for each repository. */
export async function fetchAmazon(urls: readonly string[], fo: Fo, onProgress?: Progress): Promise<DistroFetched | { error: string }> {
  const out: DistroFetched = { files: [], problems: [], validators: [], meta: new Map() };
  for (const [i, listUrl] of urls.entries()) {
    let repo = listUrl;
    if (/mirror\.list$/.test(listUrl)) {
      const l = await fetchFeed(listUrl, fo);
      if (l.kind !== 'ok') return { error: `${listUrl}: ${l.kind === 'failed' ? l.reason : 'unexpected 304'}` };
      const first = text(l.bytes).split('\n').map((s) => s.trim()).find((s) => /^https?:\/\//.test(s));
      if (!first) return { error: `${listUrl}: no repository URL in the mirror list` };
      repo = new URL(first, listUrl).href;
      // A mirror (laid out host first) serves the repository too: stay on it.
      const lu = new URL(listUrl);
      const ru = new URL(repo);
      if (ru.host !== lu.host && lu.pathname.startsWith(`/${ru.host}/`)) repo = `${lu.origin}/${ru.host}${ru.pathname}`;
    }
    const repoBase = repo.endsWith('/') ? repo : `${repo}/`;
    const mdUrl = new URL('repodata/repomd.xml', repoBase).href;
    const md = await fetchFeed(mdUrl, fo);
    if (md.kind !== 'ok') return { error: `${mdUrl}: ${md.kind === 'failed' ? md.reason : 'unexpected 304'}` };
    const href = /<data\s+type="updateinfo"[\s\S]*?<location\s+href="([^"]+)"/.exec(text(md.bytes))?.[1];
    if (!href) return { error: `${mdUrl}: no updateinfo in repomd.xml` };
    const uiUrl = new URL(href, repoBase).href;
    const ui = await fetchFeed(uiUrl, { ...fo, onProgress: (r, t) => onProgress?.(i, r, t) });
    if (ui.kind !== 'ok') return { error: `${uiUrl}: ${ui.kind === 'failed' ? ui.reason : 'unexpected 304'}` };
    out.files.push({ rel: `amazon-alas/${i}-${href.split('/').pop()}`, source: uiUrl, bytes: ui.bytes });
  }
  return out;
}
