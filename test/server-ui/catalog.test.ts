/**
 * The dashboard's two catalogs: the same keys, the same placeholders, no empty text, the project's glossary
 * terms in Japanese; every key the pages use exists; and the page code never builds HTML from strings.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { en } from '../../src/server/ui/i18n/en.js';
import { ja } from '../../src/server/ui/i18n/ja.js';
import { format } from '../../src/core/i18n.js';
import { JOB_KINDS } from '../../src/worker/jobs.js';
import { QUEUE_KINDS } from '../../src/worker/pgboss.js';

const uiDir = fileURLToPath(new URL('../../src/server/ui/', import.meta.url));
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

test('en and ja have the same keys, none empty, with the same placeholders', () => {
  const ek = Object.keys(en).sort();
  const jk = Object.keys(ja).sort();
  assert.deepEqual(jk.filter((k) => !ek.includes(k)), [], 'keys in ja but not in en');
  assert.deepEqual(ek.filter((k) => !jk.includes(k)), [], 'keys in en but not in ja');
  // `{n}` and the argument of an ICU plural `{n, plural, …}` (Japanese has one form and may write `{n}`)
  const ph = (s: string) => [...new Set([...s.matchAll(/\{(\w+)(?:\}|, plural,)/g)].map((m) => m[1]))].sort();
  for (const k of ek) {
    const e = (en as Record<string, string>)[k]!;
    const j = (ja as Record<string, string>)[k]!;
    assert.ok(e.trim() && j.trim(), `${k} is empty`);
    assert.deepEqual(ph(j), ph(e), `${k}: placeholders differ`);
  }
  // Translated, not copied: only names and abbreviations may read the same.
  const same = ek.filter((k) => (en as Record<string, string>)[k] === (ja as Record<string, string>)[k]);
  assert.deepEqual(same, ['login.uri', 'targets.knownHosts', 'targets.url', 'trigger.api']);
});

test('Japanese uses the project glossary', () => {
  const all = Object.values(ja).join('\n');
  for (const term of ['ナレッジ DB', '確認できなかった項目', '検出事項', '暫定対策', 'サポート終了']) assert.ok(all.includes(term), `ja catalog lacks the glossary term ${term}`);
  assert.equal(ja['cat.end-of-life'], 'サポート終了');
  assert.equal(ja['target.gaps'], '確認できなかった項目');
});

test('every literal key the pages use is in the catalog; dynamic keys cover every value', () => {
  const keys = new Set(Object.keys(en));
  const missing: string[] = [];
  for (const f of sources(uiDir)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bt\('([a-zA-Z0-9._-]+)'/g)) if (!keys.has(m[1]!)) missing.push(`${f}: ${m[1]}`);
  }
  assert.deepEqual(missing, []);
  for (const s of ['critical', 'high', 'medium', 'low', 'info']) assert.ok(keys.has(`sev.${s}`));
  for (const s of ['queued', 'running', 'done', 'failed']) assert.ok(keys.has(`scan.status.${s}`));
  for (const s of ['active', 'security', 'eol', 'unknown']) assert.ok(keys.has(`phase.${s}`));
  // the Jobs page names queues and states by their key, falling back to the raw name
  for (const q of [...JOB_KINDS, ...QUEUE_KINDS]) assert.ok(keys.has(`jobs.queue.${q}`), `jobs.queue.${q}`);
  for (const st of ['queued', 'retrying', 'running', 'created', 'retry', 'active']) assert.ok(keys.has(`jobs.state.${st}`), `jobs.state.${st}`);
});

test('the page code builds no HTML from strings and sets no style attribute', () => {
  const bad: string[] = [];
  for (const f of sources(uiDir)) {
    const text = readFileSync(f, 'utf8').replace(/^\s*(\/\/|\*|\/\*).*$/gm, '');
    for (const re of [/\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\(/, /new Function\(/, /setAttribute\(\s*['"]style['"]/, /\bstyle:\s*['"`]/]) {
      if (re.test(text)) bad.push(`${f}: ${re}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('counts are ICU plurals in English (one and other) and read naturally in both languages', () => {
  const plural = Object.entries(en).filter(([, v]) => v.includes(', plural,'));
  assert.ok(plural.length >= 4, 'the Jobs page writes its counts as plurals');
  for (const [k, v] of plural) {
    const params = Object.fromEntries([...v.matchAll(/\{(\w+)(?:\}|, plural,)/g)].map((m) => [m[1]!, 1]));
    const one = format(v, params, 'en');
    const two = format(v, Object.fromEntries(Object.keys(params).map((p) => [p, 2])), 'en');
    assert.doesNotMatch(one, /[{}#]/, `${k}: ${one}`);
    assert.notEqual(one.replace('1', '2'), two, `${k}: one and other forms differ`);
    assert.doesNotMatch(format((ja as Record<string, string>)[k]!, params, 'ja'), /[{}#]/, `${k} (ja)`);
  }
  assert.equal(format(en['jobs.queued'], { n: 1 }, 'en'), '1 scan queued');
  assert.equal(format(en['jobs.queued'], { n: 3 }, 'en'), '3 scans queued');
  assert.equal(format(en['jobs.dead'], { n: 1 }, 'en'), 'Failed for good (1 job)');
  assert.equal(format(ja['jobs.dead'], { n: 2 }, 'ja'), '最終的に失敗したジョブ (2 件)');
});
