/**
 * The explicit registry of commands. One command = one file in this folder + one line here.
 * Only commands that work are listed (help shows exactly these).
 */
import type { Command } from '../context.js';
import { versionCompare, versionSatisfies } from './version.js';
import { reportCommand } from './report.js';
import { scanSiteCommand } from './scan-site.js';
import { scanHostCommand } from './scan-host.js';
import { scanFilesCommand } from './scan-files.js';
import { dbCommands } from './db.js';
import { patchCommands } from './patch.js';
import { secretCommands } from './secret.js';
import { serveCommand } from './serve.js';
import { tokenCreateCommand } from './token.js';
import { fleetCommands } from './fleet.js';
import { schemaCommand } from './schema.js';

export const commands: readonly Command[] = [versionCompare, versionSatisfies, scanSiteCommand, scanHostCommand, scanFilesCommand, ...dbCommands, reportCommand, ...patchCommands, schemaCommand, ...secretCommands, serveCommand, tokenCreateCommand, ...fleetCommands];
