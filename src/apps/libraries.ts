/**
 * Libraries from lock files: composer.lock (https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control),
 * vendor/composer/installed.json (Composer 1: an array; Composer 2: `{ "packages": [...] }`), package-lock.json
 * (lockfileVersion 1 `dependencies`, 2/3 `packages["node_modules/x"]`, https://docs.npmjs.com/cli/configuring-npm/package-lock-json).
 */
import type { Package } from '../core/model.js';

export const LOCK_FILES = /(^|\/)(composer\.lock|vendor\/composer\/installed\.json|package-lock\.json)$/;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function composerList(list: unknown, location: string, dev: boolean): Package[] {
  if (!Array.isArray(list)) return [];
  const out: Package[] = [];
  for (const p of list) {
    if (!isObj(p) || typeof p.name !== 'string' || typeof p.version !== 'string') continue;
    if (dev) continue;
    out.push({ name: p.name, version: p.version.replace(/^v(?=\d)/, ''), ecosystem: 'composer', location });
  }
  return out;
}

export function parseLockFile(relPath: string, location: string, text: string): { packages: Package[]; error?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { packages: [], error: `not JSON: ${(err as Error).message}` };
  }
  if (relPath.endsWith('composer.lock')) {
    if (!isObj(data)) return { packages: [], error: 'composer.lock is not an object' };
    // packages-dev are left out (as Trivy does by default): `composer install --no-dev` does not install them.
    return { packages: [...composerList(data.packages, location, false), ...composerList(data['packages-dev'], location, true)] };
  }
  if (relPath.endsWith('installed.json')) {
    const list = Array.isArray(data) ? data : isObj(data) ? data.packages : undefined;
    return { packages: composerList(list, location, false) };
  }
  if (!isObj(data)) return { packages: [], error: 'package-lock.json is not an object' };
  const out: Package[] = [];
  if (isObj(data.packages)) {
    for (const [key, v] of Object.entries(data.packages)) {
      if (!key || !isObj(v) || typeof v.version !== 'string') continue;
      const name = typeof v.name === 'string' ? v.name : key.replace(/^.*node_modules\//, '');
      if (v.link === true) continue;
      out.push({ name, version: v.version, ecosystem: 'npm', location });
    }
  } else if (isObj(data.dependencies)) {
    const walk = (deps: Json) => {
      for (const [name, v] of Object.entries(deps)) {
        if (!isObj(v) || typeof v.version !== 'string') continue;
        out.push({ name, version: v.version, ecosystem: 'npm', location });
        if (isObj(v.dependencies)) walk(v.dependencies);
      }
    };
    walk(data.dependencies);
  }
  return { packages: out };
}
