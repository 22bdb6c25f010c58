import { readFileSync } from 'node:fs';

/** Set by scripts/bundle.mjs (esbuild `define`) to package.json's version; not defined in tsc's output or under tsx. */
declare const __MAMORI_VERSION__: string | undefined;

/**
 * The package version: the bundler's constant in dist/bundle, otherwise read once from package.json
 * (works from src/ under tsx and from dist/).
 */
export const toolVersion: string = typeof __MAMORI_VERSION__ === 'string' ? __MAMORI_VERSION__ : (() => {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mamori' && pkg.version) return pkg.version;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error('package.json of mamori not found');
})();

/** What mamori says it is in every request of a site scan (and of the patch planner's checks). */
export const defaultUserAgent = `mamori/${toolVersion} (security assessment; +https://github.com/mamori-scanner/mamori)`;
