/**
 * The registry of message catalogs. One area = one file in this folder + one line here.
 * Every catalog is checked at compile time (defineCatalog) to have the same keys in English and Japanese.
 */
import { Messages } from '../i18n.js';
import { cliMessages } from './cli.js';
import { scanMessages } from './scan.js';

export const messages = new Messages([cliMessages, scanMessages]);
