/**
 * One decoded text part (a file, or a member of an archive) to a verdict: structured or free text, code and
 * documentation discounted, seed data and public pages told apart, the score.
 */
import { Collector } from './collector.js';
import { scanFreeText, type TextContext } from './detect.js';
import { PII_TABLE } from './structure.js';
import { PII_KINDS, type PiiKind } from './types.js';
import { type Structured, scanJsonPairs, structuredPass } from './tabular.js';

export const CODE_EXT = /\.(?:html?|shtml|xhtml|php\d?|phtml|tpl|inc|js|mjs|css|scss|less|vue|jsx|tsx|ts|twig|erb|jsp|asp|aspx|cgi|pl|py|rb|md|svg)$/i;
export const PAGE_EXT = /\.(?:html?|shtml|xhtml|php\d?|phtml|tpl|twig|erb|jsp|aspx?|cgi)$/i;
export const STRUCT_EXT = /\.(?:csv|tsv|txt|dat|tab|prn|sql|dump|log|bak|old|orig|xls|xlsx)$|^[^.]*$/i;
/** AUTHORS.txt of jQuery lists hundreds of e-mail addresses: documentation of libraries, not customers. */
export const DOC_FILE = /(?:^|\/)(?:(?:authors|contributors|credits|changelog|readme|licen[cs]e|copying|maintainers)(?:\.(?:txt|md|markdown|rst|html?))?|\.mailmap|package\.json|composer\.json|bower\.json|composer\.lock|package-lock\.json)$/i;
export const SEED_PATH = /(?:^|\/)install\/sql\/|(?:^|\/)(?:install|setup)\/.*\.sql$|(?:^|\/)(?:sample|samples|example|examples|demo|fixtures?|seeds?|test-?data)\//i;

export interface PartVerdict {
  personal: boolean;
  confidence: number;
  records: number;
  kinds: Partial<Record<PiiKind, number>>;
  samples: string[];
  reasons: string[];
  dummy: boolean;
  format?: string;
  schemaOnly: boolean;
}

/** Whether a file's structure (CSV/TSV/SQL) is worth parsing: data-like names, not code or markup. */
export function wantsStructure(name: string, hint: string | undefined): boolean {
  const lower = name.toLowerCase();
  return Boolean(hint) || STRUCT_EXT.test(lower.slice(lower.lastIndexOf('/') + 1)) || !CODE_EXT.test(lower);
}

/** `text` is the whole text, or (code and markup) line-aligned chunks for the free-text detectors only. */
export function classifyTextPart(name: string, text: string | Iterable<string>, opts: { publicPage: boolean; hint?: 'csv' | 'tsv' | 'sql' }): PartVerdict {
  const lower = name.toLowerCase();
  const isPage = opts.publicPage || PAGE_EXT.test(lower);
  const ctx: TextContext = { publicPage: isPage };
  const reasons: string[] = [];
  const structC = new Collector();
  let st: Structured | undefined;
  if (typeof text === 'string' && wantsStructure(name, opts.hint)) st = structuredPass(text, lower, structC, opts.hint);
  const freeC = new Collector();
  if (typeof text === 'string') {
    scanFreeText(text, freeC, ctx);
    if (wantsStructure(name, opts.hint) && text.includes('":')) scanJsonPairs(text, freeC);
  } else for (const chunk of text) scanFreeText(chunk, freeC, ctx);
  // Merge: a kind the structure typed comes from the structure (no double counting of one address twice).
  const c = structC;
  for (const k of PII_KINDS) {
    if (st?.columns.has(k)) continue;
    const set = freeC.values.get(k);
    if (set) for (const v of set) c.add(k, v, v);
    if (freeC.firstSample.has(k) && (!c.firstSample.has(k) || !st?.columns.has(k))) c.firstSample.set(k, freeC.firstSample.get(k)!);
  }
  for (const [k, n] of freeC.dummy) for (let i = 0; i < n; i++) c.addDummy(k);
  for (const [k, n] of freeC.business) for (let i = 0; i < n; i++) c.addBusiness(k);

  const n = (k: PiiKind) => c.count(k);
  const kinds = c.kinds();
  const kindCount = Object.keys(kinds).length;
  const contacts = n('phone') + n('email') + n('address') + n('postal-code');
  const strong = n('card') + n('my-number');
  const seed = SEED_PATH.test(lower);
  let personal = false;
  let confidence = 0;
  let records = 0;
  const structuredRecords = st?.records ?? 0;

  if (st?.format) reasons.push(`format ${st.format}`);
  if (st?.headerHits.length) reasons.push(`personal-data columns: ${st.headerHits.slice(0, 8).join(', ')}`);
  if (st?.piiTable) reasons.push(`customer tables: ${st.tables.filter((t) => PII_TABLE.test(t)).slice(0, 5).join(', ')}`);
  if (st?.schemaOnly) reasons.push('schema only (CREATE TABLE without rows)');

  const personCue = n('name') > 0 || n('birth-date') > 0 || n('email') > 0;
  if (strong > 0) {
    personal = true;
    confidence = 90;
    records = Math.max(structuredRecords, n('card'), n('my-number'), n('name'));
    if (n('card')) reasons.push('payment card numbers (issuer prefix, Luhn, context)');
    if (n('my-number')) reasons.push('My Number (check digit and keyword)');
  } else if (structuredRecords > 0 && personCue && kindCount >= 2) {
    personal = true;
    records = structuredRecords;
    confidence = Math.min(98, 55 + 8 * kindCount + (st?.piiTable ? 10 : 0) + (records >= 10 ? 5 : 0));
    reasons.push(`${records} records with ${kindCount} kinds of personal data`);
  } else if (structuredRecords >= 5 && n('email') >= 5) {
    personal = true;
    records = structuredRecords;
    confidence = 65;
    reasons.push('list of e-mail addresses');
  } else if (structuredRecords > 0 && !personCue && contacts > 0) {
    confidence = 25;
    reasons.push('contact list without person names (business or store list)');
  } else {
    // free text: pages, logs, mail-form data files
    const people = Math.max(n('name'), n('email'), n('phone'));
    records = people;
    const named = n('name') > 0 && contacts > 0;
    // Pages and code (scripts, styles, docs) name their authors and the business: a higher bar.
    if (isPage || CODE_EXT.test(lower)) {
      if ((named && n('name') >= 2) || n('email') >= 10 || n('phone') >= 10 || (n('name') >= 1 && contacts >= 3)) {
        personal = true;
        confidence = Math.min(85, 50 + 5 * kindCount + Math.min(20, people));
      }
    } else if (named || n('email') >= 3 || n('phone') >= 3 || n('email') + n('phone') >= 4 || (n('birth-date') > 0 && contacts > 0)) {
      personal = true;
      confidence = Math.min(90, 45 + 6 * kindCount + Math.min(25, people * 2));
    }
    if (n('email') > 20) reasons.push(`${n('email')} distinct e-mail addresses (a list)`);
  }
  if (!personal && kindCount) confidence = Math.max(confidence, Math.min(40, 10 * kindCount));
  const dummyHits = c.totalDummy();
  const realHits = Object.values(kinds).reduce((a, b) => a + (b ?? 0), 0);
  let dummy = false;
  if (dummyHits > 0 && (realHits === 0 || (!personal && dummyHits >= realHits))) {
    dummy = true;
    reasons.push(`sample or dummy data only (${dummyHits} placeholder values)`);
  }
  if (c.totalBusiness() > 0) reasons.push(`business contact details on a public page (${c.totalBusiness()}) not counted`);
  if (seed && personal && strong === 0) {
    personal = false;
    confidence = Math.min(confidence, 30);
    reasons.push('install seed or sample data path');
  }
  if (st?.schemaOnly && structuredRecords === 0 && strong === 0) personal = false;
  if (DOC_FILE.test(lower) && personal && strong === 0) {
    personal = false;
    confidence = Math.min(confidence, 30);
    reasons.push('project documentation or package manifest (authors, contributors)');
  }
  const samples = [...c.recordSamples];
  for (const k of ['name', 'phone', 'email', 'postal-code', 'address', 'card', 'my-number', 'birth-date'] as const) {
    if (samples.length >= 3) break;
    const s = c.firstSample.get(k);
    if (s && n(k) > 0 && !samples.some((x) => x.includes(s))) samples.push(s);
  }
  return { personal, confidence, records: personal ? records : structuredRecords, kinds, samples: samples.slice(0, 3), reasons, dummy, ...(st?.format ? { format: st.format } : {}), schemaOnly: st?.schemaOnly ?? false };
}
