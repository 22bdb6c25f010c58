/**
 * Load the personal-data detector (src/pii) when a host scan needs it. The specifier is a string literal so that
 * the bundler (scripts/bundle.mjs) sees and includes it: a computed path resolved beside the bundle's chunk, not
 * beside this file, and the installed CLI silently reported "personal-data detector unavailable" (issue 13, item 1).
 * A failure to load is a broken installation and is thrown, never turned into a gap.
 */
import type { PiiModule } from './docroots.js';

export async function loadPii(): Promise<{ ok: true; mod: PiiModule }> {
  const mod: PiiModule = await import('../../pii/index.js');
  return { ok: true, mod };
}
