/** Load the personal-data detector (src/pii) at run time: its absence is a gap, never a silent skip. */
import type { PiiModule } from './docroots.js';

export async function loadPii(): Promise<{ ok: true; mod: PiiModule } | { ok: false; why: string }> {
  const spec = '../../pii/index.js'; // a variable specifier: the module may not exist in every build
  try {
    const mod = (await import(spec)) as Partial<PiiModule>;
    if (typeof mod.classifyBuffer !== 'function') return { ok: false, why: 'src/pii/index.js has no classifyBuffer export' };
    return { ok: true, mod: mod as PiiModule };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return { ok: false, why: 'personal-data detector unavailable' };
    throw err;
  }
}
