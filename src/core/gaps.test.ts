import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { catalogGap } from './gaps.js';
import { makeTexts } from './document/view.js';
import { messages } from './messages/index.js';
import type { ReportDocument } from './model.js';

test('a gap keeps its catalog message, so one scan is shown in either language', () => {
  const g = catalogGap((c, p) => messages.t('en', c, p), '/var/www/html', 'pii.gap.maxFiles', { count: 5 });
  assert.equal(g.why, messages.t('en', 'pii.gap.maxFiles', { count: 5 }));
  assert.deepEqual(g.message, { code: 'pii.gap.maxFiles', params: { count: 5 } });
  const doc = { lang: 'en', findings: [], gaps: [g] } as unknown as ReportDocument;
  assert.equal(makeTexts(doc, 'ja').gap(g).why, messages.t('ja', 'pii.gap.maxFiles', { count: 5 }));
  assert.notEqual(makeTexts(doc, 'ja').gap(g).why, g.why);
  // @ts-expect-error a code that is not in the catalogs does not compile
  catalogGap((c) => c, 'x', 'pii.gap.noSuchCode');
});

test('the gaps of a saved English host scan render in Japanese, subject and reason', () => {
  const doc = JSON.parse(readFileSync(fileURLToPath(new URL('../../test/fixtures/golden/host-centos6.en.json', import.meta.url)), 'utf8')) as ReportDocument;
  const withRefs = doc.gaps.filter((g) => g.message && g.subject);
  assert.ok(withRefs.length >= 2);
  const x = makeTexts(doc, 'ja');
  for (const g of withRefs) {
    const ja = x.gap(g);
    assert.equal(ja.why, messages.render('ja', g.message!));
    assert.equal(ja.what, messages.render('ja', g.subject!));
    assert.match(ja.why + ja.what, /[\u3040-\u30ff\u4e00-\u9fff]/, 'Japanese text');
  }
});
