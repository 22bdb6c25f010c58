import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { charWidth, renderTableSync, strWidth, wrap } from './table.js';
import type { ReportDocument } from '../core/model.js';

test('East Asian wide characters count 2, ANSI colour codes 0', () => {
  assert.equal(strWidth('PHP 5.3'), 7);
  assert.equal(strWidth('緊急'), 4);
  assert.equal(strWidth('ｱｲｳ'), 3, 'half-width katakana stay narrow');
  assert.equal(strWidth('\x1b[31m高\x1b[0m'), 2);
  assert.equal(charWidth('、'.codePointAt(0)!), 2);
});

test('wrap: every line fits and no visible character is lost (property)', () => {
  const text = fc.array(fc.constantFrom('a', 'bc', ' ', '検', '出', '事', '項', '。', 'CVE-2012-1823', '/var/www/html/shop/'), { maxLength: 60 }).map((xs) => xs.join(''));
  fc.assert(
    fc.property(text, fc.integer({ min: 8, max: 80 }), (s, w) => {
      const lines = wrap(s, w);
      for (const l of lines) assert.ok(strWidth(l) <= w, `${JSON.stringify(l)} > ${w}`);
      assert.equal(lines.join('').replace(/\s/g, ''), s.replace(/\s/g, ''));
    }),
  );
});

const doc: ReportDocument = {
  schemaVersion: 1,
  tool: { name: 'mamori', version: '0' },
  scannedAt: '2026-11-23T00:00:00.000Z',
  target: { kind: 'site', name: 'https://shop.example.jp/' },
  knowledge: { feeds: [] },
  inventory: { packages: [], components: [], pendingUpdates: [] },
  findings: [
    { id: 'EOL-1', rank: 2, category: 'end-of-life', severity: 'high', title: 'php 5.3 は 2014-08-14 にサポート終了', remediation: { priority: 3, action: 'サポート中の PHP 系列へ移行してください。' } },
    { id: 'VULN-1', rank: 1, category: 'vulnerability', severity: 'critical', title: 'CVE-2012-1823', cves: ['CVE-2012-1823'], remediation: { priority: 1, action: 'update', command: 'yum update php' } },
  ],
  gaps: [{ what: 'feed epss', why: 'missing' }],
  summary: { critical: 1, high: 1, medium: 0, low: 0, info: 0 },
  lifecycle: [{ component: 'php', cycle: '5.3', phase: 'eol', securitySupportEnd: '2014-08-14', daysLeft: -4484 }],
};

test('grouped by priority in rank order; colour only when asked', () => {
  const plain = renderTableSync(doc, { lang: 'ja', columns: 50, color: false });
  assert.ok(plain.indexOf('■ 緊急') < plain.indexOf('■ 高'));
  assert.ok(plain.includes('$ yum update php'));
  assert.ok(!plain.includes('\x1b['));
  for (const l of plain.split('\n')) assert.ok(strWidth(l) <= 50, l);
  const coloured = renderTableSync(doc, { lang: 'en', columns: 100, color: true });
  assert.ok(coloured.includes('\x1b[1;31m'));
  assert.match(coloured, /ended 4484 days ago/);
});

test('one command for every missing security update of the same package manager', async () => {
  const { combinedUpdate } = await import('./table.js');
  const upd = (cmd: string) => ({ id: cmd, category: 'missing-security-update' as const, severity: 'high' as const, title: '', remediation: { priority: 1 as const, action: '', command: cmd } });
  assert.equal(
    combinedUpdate([upd('apt-get install --only-upgrade xz-utils'), upd('apt-get update && apt-get install --only-upgrade libssl3 openssl')]),
    'apt-get update && apt-get install --only-upgrade libssl3 openssl xz-utils',
  );
  assert.equal(combinedUpdate([upd('yum update php')]), undefined, 'one update needs no combined line');
});
