/**
 * The registry of message catalogs. One area = one file in this folder + one line here.
 * Every catalog is checked at compile time (defineCatalog) to have the same keys in English and Japanese.
 */
import { Messages, type Catalog } from '../i18n.js';
import { cliMessages } from './cli.js';
import { scanMessages } from './scan.js';
import { reportMessages } from './report.js';
import { piiMessages } from './pii.js';
import { assessMessages } from './assess.js';
import { assessDamageMessages } from './assess-damage.js';
import { siteMessages } from './site.js';
import { hostMessages } from './host.js';
import { dbMessages } from './db.js';
import { versioningMessages } from './versioning.js';
import { knowledgeMessages } from './knowledge.js';
import { patchMessages } from './patch.js';
import { notifyMessages } from './notify.js';
import { serveMessages } from './serve.js';
import { jobMessages } from './job.js';
import { secretMessages } from './secret.js';
import { uxMessages } from './ux.js';

const CATALOGS = [cliMessages, scanMessages, reportMessages, piiMessages, assessMessages, assessDamageMessages, siteMessages, hostMessages, dbMessages, versioningMessages, patchMessages, knowledgeMessages, uxMessages, serveMessages, jobMessages, secretMessages, notifyMessages] as const;

export const messages = new Messages(CATALOGS);

type KeysOf<C> = C extends Catalog<infer K> ? K : never;

/** Every message code of the catalogs: a code that is not in them fails to compile where this type is used. */
export type MessageCode = KeysOf<(typeof CATALOGS)[number]>;
