/**
 * The explicit registry of commands. One command = one file in this folder + one line here.
 * Only commands that work are listed (help shows exactly these).
 */
import type { Command } from '../context.js';
import { versionCompare, versionSatisfies } from './version.js';

export const commands: readonly Command[] = [versionCompare, versionSatisfies];
