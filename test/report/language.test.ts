/**
 * One language, one glossary, correct plurals.
 * - A Japanese report rendered from a document scanned in English (LANG=C: the golden *.en.json of the old
 *   CentOS shop site, the CentOS 6 and Ubuntu hosts and the files scan) has no English sentence (product names,
 *   CVE ids, commands and paths allowed) and no variant of a glossary term.
 * - Every Japanese catalog message uses the glossary's terms.
 * - Every English catalog message reads right with 1 and with 2 ("1 finding", "2 findings", never "1 gaps").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderers } from '../../src/report/index.js';
import { format } from '../../src/core/i18n.js';
import { messages } from '../../src/core/messages/index.js';
import { GLOSSARY_JA, glossaryViolations } from '../../src/core/messages/glossary.js';
import type { ReportDocument } from '../../src/core/model.js';

const goldenDir = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));

/** Product and programme names an owner reads as names, not sentences. */
const NAMES = [
  /Red Hat Enterprise Linux/g,
  /Rocky Linux/g,
  /Apache httpd/g,
  /Let['’]s Encrypt/g,
  /OWASP Core Rule Set/g,
  /Extended Life[- ]Cycle Support/g,
  /Known Exploited Vulnerabilities/g,
  /(Amazon|Alpine|Oracle) Linux/g,
  /Debian GNU\/Linux/g,
  /CentOS release [\d.]+ \(Final\)/g,
  /Mailform Pro CGI/g,
  /Zen Cart/g,
  /Movable Type/g,
];

/**
 * Runs of four or more English words separated by single spaces in the visible text (commands, URLs, paths and
 * code removed, and quotations of a source's English marked `lang="en"`).
 */
export function englishSentences(html: string): string[] {
  const text = html
    .replace(/<(style|script|pre|code)[^>]*>[\s\S]*?<\/\1>/g, '\n')
    // A source's own English text quoted as such (a CVE summary with no JVN title), marked lang="en" for the reader.
    .replace(/<span[^>]*\blang="en"[^>]*>[^<]*<\/span>/g, '\n')
    .replace(/<[^>]+>/g, '\n')
    .replace(/&[a-z#0-9]+;/g, ' ');
  const out: string[] = [];
  for (let line of text.split('\n')) {
    line = line
      .replace(/`[^`]*`/g, ' ')
      .replace(/https?:\/\/\S+/g, ' ')
      .replace(/(^|\s)\/\S*/g, ' ');
    for (const n of NAMES) line = line.replace(n, ' ');
    const m = line.match(/\b[A-Za-z][A-Za-z'’-]*(?: [A-Za-z][A-Za-z'’-]*){3,}/);
    if (m) out.push(`${m[0]}  ←  ${line.trim().slice(0, 160)}`);
  }
  return out;
}

test('the detector finds an English sentence and lets product names, commands and paths through', () => {
  assert.deepEqual(englishSentences('<p>Apply the update now please</p>'), ['Apply the update now please  ←  Apply the update now please']);
  assert.deepEqual(englishSentences('<p>Red Hat Enterprise Linux 9 へ移行。`apt-get install --only-upgrade libssl3 openssl` を実行。/var/www/html/backup old file</p><pre>yum update openssl mod_ssl httpd</pre>'), []);
});

const goldenEn = readdirSync(goldenDir).filter((f) => f.endsWith('.en.json') && !f.endsWith('.sarif.json'));

test('a Japanese report of documents scanned in English (LANG=C) has no English sentence and no variant term', async () => {
  assert.ok(goldenEn.length >= 4, `golden documents: ${goldenEn.join(', ')}`);
  for (const file of goldenEn) {
    const doc = JSON.parse(readFileSync(`${goldenDir}${file}`, 'utf8')) as ReportDocument;
    assert.equal(doc.lang, 'en', `${file} was scanned in English`);
    const html = String(await renderers.html!(doc, { lang: 'ja', color: false }));
    assert.deepEqual(englishSentences(html), [], `${file} rendered in Japanese`);
    assert.deepEqual(glossaryViolations(html.replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/g, '')), [], `${file}: glossary`);
  }
});

test('the old CentOS shop in Japanese says what the platform allows: no Windows-only or nginx-only CVE as exploited here', async () => {
  const doc = JSON.parse(readFileSync(`${goldenDir}site-old.en.json`, 'utf8')) as ReportDocument;
  const html = String(await renderers.html!(doc, { lang: 'ja', color: false }));
  for (const cve of ['CVE-2024-4577', 'CVE-2019-11043']) {
    assert.ok(!doc.findings.some((f) => f.cves?.includes(cve)), `${cve} is in no finding`);
    assert.match(html, new RegExp(`${cve}: [^<]*(Windows|nginx)`), `${cve} is listed as not applicable with its reason`);
  }
  // No negative "days left", no raw JSON in the owner's evidence.
  assert.doesNotMatch(html, /残り日数<\/dt><dd>-/);
  assert.doesNotMatch(html, /<dd>\{&quot;|<dd>\[\{/);
  assert.match(html, /サポート終了から [\d,]+ 日経過/);
});

test('every Japanese catalog message uses the glossary; the check catches each variant', () => {
  const bad = messages.codes('ja').flatMap((code) => glossaryViolations(messages.t('ja', code)).map((v) => `${code}: ${v.found} → ${v.use}`));
  assert.deepEqual(bad, []);
  for (const [text, use] of [
    ['ナレッジDBを更新', GLOSSARY_JA.knowledgeDb],
    ['知識DBがありません', GLOSSARY_JA.knowledgeDb],
    ['未確認項目 3 件', GLOSSARY_JA.gaps],
    ['一時的な対策として', GLOSSARY_JA.defence],
    ['サポート切れの PHP', GLOSSARY_JA.endOfLife],
    ['セキュリティアップデートを適用', GLOSSARY_JA.securityUpdate],
    ['Web サーバで拒否', GLOSSARY_JA.server],
  ] as const) assert.deepEqual(glossaryViolations(text).map((v) => v.use), [use], text);
  assert.deepEqual(glossaryViolations('ナレッジ DB の確認できなかった項目と暫定対策、サポート終了、セキュリティ更新、Web サーバー'), []);
});

/** English plural nouns that must not follow "1 ", and their singulars that must not follow "2 ". */
const PLURALS: Record<string, string> = {
  findings: 'finding',
  vulnerabilities: 'vulnerability',
  CVEs: 'CVE',
  gaps: 'gap',
  days: 'day',
  records: 'record',
  feeds: 'feed',
  files: 'file',
  pages: 'page',
  requests: 'request',
  packages: 'package',
  updates: 'update',
  steps: 'step',
  bytes: 'byte',
  years: 'year',
  entries: 'entry',
  places: 'place',
  comparisons: 'comparison',
  handshakes: 'handshake',
};

const COUNT_NAMES = /^(count|total|days|records|left|pages|requests|files|packages|updates|security|bytes|steps|years|max|critical|high|medium|low|info|feeds|resolved|rejected|ok|failed|handshakes|findings|components|docroots|age|limit|budget|n|entries|places|gaps)$/;

test('English plurals: every catalog message rendered with 1 and with 2 agrees in number', () => {
  const bad: string[] = [];
  const nouns = Object.keys(PLURALS).join('|');
  const singulars = Object.values(PLURALS).join('|');
  const oneWrong = new RegExp(`(^|[^\\d.,])1 ((?:[a-z-]+ ){0,3})(${nouns})\\b`);
  const twoWrong = new RegExp(`(^|[^\\d.,])2 ((?:[a-z-]+ ){0,3})(${singulars})(?![\\w-])(?! [a-z])`);
  for (const code of messages.codes('en')) {
    // Forms chosen by code (`….one` / `….other`) are already one number's form.
    if (/\.(one|other)$/.test(code)) continue;
    const tpl = messages.template('en', code) ?? '';
    // Counts: the parameters a plural construct selects on, and those named like counts; the rest are text.
    const counted = new Set([...tpl.matchAll(/\{(\w+), plural,/g)].map((m) => m[1]!));
    for (const n of [1, 2]) {
      const params = new Proxy({}, { has: () => true, get: (_t, k) => (typeof k === 'string' && (counted.has(k) || COUNT_NAMES.test(k)) ? n : 'X') });
      const text = messages.t('en', code, params as Record<string, number>);
      if (/(?<!http)\(s\)/.test(text)) bad.push(`${code}: "(s)" in ${text}`);
      if (n === 1 && oneWrong.test(text)) bad.push(`${code} with 1: ${text}`);
      if (n === 2 && twoWrong.test(text)) bad.push(`${code} with 2: ${text}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('plural syntax: Intl.PluralRules categories, exact matches, # and other placeholders inside branches', () => {
  const tpl = '{count, plural, =0 {no findings} one {# finding on {host}} other {# findings on {host}}}';
  assert.equal(format(tpl, { count: 0, host: 'a' }), 'no findings');
  assert.equal(format(tpl, { count: 1, host: 'a' }), '1 finding on a');
  assert.equal(format(tpl, { count: 2, host: 'a' }), '2 findings on a');
  assert.equal(format('{n} 件', { n: 1 }, 'ja'), '1 件');
  assert.equal(format('x {count, plural, one {# gap} other {# gaps}} y', { count: 1 }, 'ja'), 'x 1 gaps y', 'Japanese has one form (other)');
  assert.equal(messages.t('en', 'report.exec.findings', { count: 1 }), '1 finding');
  assert.equal(messages.t('en', 'report.exec.findings', { count: 2 }), '2 findings');
});

test('the combined proposal in Japanese of the documents scanned in English has no English sentence and no variant term', async () => {
  const { combineDocuments } = await import('../../src/core/document/proposal.js');
  const { buildProposalHtml } = await import('../../src/report/html.js');
  const docs = goldenEn.map((file) => JSON.parse(readFileSync(`${goldenDir}${file}`, 'utf8')) as ReportDocument);
  const html = buildProposalHtml(combineDocuments(docs), 'ja', { client: 'サンプル商店', vendor: 'Example Web', appendix: true, date: '2026-12-01T00:00:00Z' });
  assert.deepEqual(englishSentences(html), []);
  assert.deepEqual(glossaryViolations(html.replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/g, '')), []);
});
