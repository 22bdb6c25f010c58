/** The explicit registry: one entry per ecosystem folder. */
import type { VersionEcosystem, VersionScheme } from './types.js';
import { apkScheme } from './apk/index.js';
import { composerScheme } from './composer/index.js';
import { dpkgScheme } from './dpkg/index.js';
import { genericScheme } from './generic/index.js';
import { phpScheme } from './php/index.js';
import { rpmScheme } from './rpm/index.js';
import { semverScheme } from './semver/index.js';

export const SCHEMES: { readonly [E in VersionEcosystem]: VersionScheme } = {
  rpm: rpmScheme as VersionScheme,
  dpkg: dpkgScheme as VersionScheme,
  apk: apkScheme as VersionScheme,
  semver: semverScheme as VersionScheme,
  composer: composerScheme as VersionScheme,
  php: phpScheme as VersionScheme,
  generic: genericScheme as VersionScheme,
};

export function getScheme(eco: VersionEcosystem): VersionScheme {
  const s = SCHEMES[eco];
  if (!s) throw new Error(`version scheme ${String(eco)} is not registered`);
  return s;
}
