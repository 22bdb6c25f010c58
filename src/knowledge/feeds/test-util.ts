/** Helpers for the feed parsers' unit tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawInput } from '../types.js';

export const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/knowledge/fixtures/${name}`, import.meta.url)), 'utf8');
export const shared = (path: string): string | null => {
  try {
    return readFileSync(fileURLToPath(new URL(`../../../../shared/data/${path}`, import.meta.url)), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
};
export const raw = (key: string, text: string): RawInput => ({ key, source: key, bytes: new TextEncoder().encode(text) });
export const ctx = { debianCodenames: new Map<string, string>() };
