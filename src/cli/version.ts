import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (works from src/ under tsx and from dist/). */
export const toolVersion: string = (() => {
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
