/**
 * Run the fingerprints over a document root's file list: find each application's version file, read it
 * (bounded) and report components; WordPress plugins and themes and lock-file libraries as packages.
 */
import { gapOf } from '../core/gaps.js';
import type { Component, Gap, Package } from '../core/model.js';
import { fingerprints } from './index.js';
import { LOCK_FILES, parseLockFile } from './libraries.js';
import { headerVersion, isPluginMain, stableTag } from './wordpress.js';

export interface FileReader {
  (absPath: string, maxBytes: number): Promise<{ ok: true; data: Buffer } | { ok: false; why: string }>;
}

const MAX_VERSION_FILE = 512 * 1024;
const MAX_LOCK_FILE = 8 * 1024 * 1024;

const join = (root: string, rel: string) => (rel ? `${root.replace(/\/$/, '')}/${rel}` : root);

/** `files`: paths relative to `root` (UTF-8 decodable ones; applications use ASCII names). */
export async function detectApps(root: string, files: readonly string[], read: FileReader, gaps: Gap[]): Promise<{ components: Component[]; packages: Package[] }> {
  const components: Component[] = [];
  const packages: Package[] = [];
  const fileSet = new Set(files);
  const jobs: Promise<void>[] = [];
  for (const fp of fingerprints) {
    for (const vf of fp.files) {
      for (const rel of files) {
        let appRoot: string | undefined;
        if (vf.path) {
          if (rel === vf.path) appRoot = '';
          else if (rel.endsWith(`/${vf.path}`)) appRoot = rel.slice(0, -vf.path.length - 1);
        } else if (vf.name) {
          const base = rel.slice(rel.lastIndexOf('/') + 1);
          if (vf.name.test(base)) appRoot = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
        }
        if (appRoot === undefined) continue;
        const abs = join(root, rel);
        const at = join(root, appRoot);
        jobs.push(
          read(abs, MAX_VERSION_FILE).then((r) => {
            if (!r.ok) {
              gaps.push(gapOf('host.gap.read', abs, { code: 'host.gap.why.versionFile', params: { component: fp.component, reason: r.why } }));
              return;
            }
            const text = r.data.toString('latin1');
            if (vf.signature && !vf.signature.test(text)) return;
            const version = vf.version(text);
            if (components.some((c) => c.name === fp.component && c.location === at && (c.version || !version))) return;
            const i = components.findIndex((c) => c.name === fp.component && c.location === at);
            if (i >= 0) components.splice(i, 1);
            const c: Component = { name: fp.component, detectedBy: `file:${rel.slice(appRoot ? appRoot.length + 1 : 0)}`, location: at, confidence: version ? fp.confidence : Math.min(fp.confidence, 60) };
            if (version) c.version = version;
            else gaps.push(gapOf('host.gap.appVersion', { code: 'host.gap.what.appAt', params: { component: fp.component, path: at } }, { code: 'host.gap.why.noVersionIn', params: { file: rel } }));
            components.push(c);
          }),
        );
      }
    }
  }
  // WordPress plugins and themes under each wp-content/.
  for (const rel of files) {
    const m = /^(?:(.*)\/)?wp-content\/(plugins|themes)\/([^/]+)\/([^/]+)$/.exec(rel);
    if (!m) continue;
    const [, , kind, slug, file] = m;
    const base = rel.slice(0, rel.length - file!.length - 1);
    if (kind === 'themes' && file === 'style.css') jobs.push(wpPackage('wordpress-theme', slug!, join(root, base), rel, read, packages));
    if (kind === 'plugins' && file!.endsWith('.php')) {
      // The main file: <slug>.php first; other top-level .php files only when that one is missing.
      const main = `${base}/${slug}.php`;
      if (rel === main || (!fileSet.has(main) && files.filter((f) => f.startsWith(`${base}/`) && /^[^/]+\.php$/.test(f.slice(base.length + 1))).slice(0, 8).includes(rel)))
        jobs.push(wpPackage('wordpress-plugin', slug!, join(root, base), rel, read, packages, fileSet.has(`${base}/readme.txt`) ? join(root, `${base}/readme.txt`) : undefined));
    }
  }
  // Lock files (not those inside vendor/ or node_modules/ trees of other packages).
  for (const rel of files) {
    if (!LOCK_FILES.test(rel) || /(^|\/)node_modules\//.test(rel) || (/(^|\/)vendor\//.test(rel) && !/(^|\/)vendor\/composer\/installed\.json$/.test(rel))) continue;
    if (/(^|\/)vendor\/.*vendor\//.test(rel)) continue;
    const abs = join(root, rel);
    jobs.push(
      read(abs, MAX_LOCK_FILE).then((r) => {
        if (!r.ok) return void gaps.push(gapOf('host.gap.read', abs, { code: 'host.gap.why.lockFile', params: { reason: r.why } }));
        const parsed = parseLockFile(rel, abs, r.data.toString('utf8'));
        if (parsed.error) gaps.push({ what: abs, why: parsed.error, code: 'host.gap.garbage' });
        packages.push(...parsed.packages);
      }),
    );
  }
  await Promise.all(jobs);
  components.sort((a, b) => (a.location ?? '').localeCompare(b.location ?? '') || a.name.localeCompare(b.name));
  packages.sort((a, b) => a.ecosystem.localeCompare(b.ecosystem) || (a.location ?? '').localeCompare(b.location ?? '') || a.name.localeCompare(b.name));
  return { components, packages };
}

async function wpPackage(eco: 'wordpress-plugin' | 'wordpress-theme', slug: string, dir: string, rel: string, read: FileReader, out: Package[], readme?: string): Promise<void> {
  const r = await read(`${dir}/${rel.slice(rel.lastIndexOf('/') + 1)}`, 64 * 1024);
  if (!r.ok) return;
  const text = r.data.toString('latin1');
  if (eco === 'wordpress-plugin' && !isPluginMain(text)) return;
  if (out.some((p) => p.ecosystem === eco && p.location === dir)) return;
  let version = headerVersion(text);
  if (!version && readme) {
    // readme.txt's Stable tag is the latest published version, not necessarily this one: a fallback only.
    const rr = await read(readme, 64 * 1024);
    if (rr.ok) version = stableTag(rr.data.toString('latin1'));
  }
  out.push({ name: slug, version: version ?? '', ecosystem: eco, location: dir });
}
