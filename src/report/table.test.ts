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

const upd = (id: string, severity: 'critical' | 'high' | 'medium', tool: 'apt' | 'yum', names: string[], publishedAt?: string) => ({
  id,
  category: 'missing-security-update' as const,
  severity,
  title: `update ${names.join(' ')}`,
  remediation: {
    priority: 1 as const,
    action: 'apply the update',
    command: tool === 'apt' ? `apt-get install --only-upgrade ${names.join(' ')}` : `yum update ${names.join(' ')}`,
    update: { tool, packages: names.map((name) => ({ name, from: '1', to: '2' })), advisories: [], restart: [], reboot: false, ...(publishedAt ? { publishedAt } : {}) },
  },
});

test('pending updates: one command per package manager, printed once, every package once, fitting 80 columns', () => {
  const many = Array.from({ length: 30 }, (_, i) => `libexample-component-${i}`);
  const findings = [upd('UPD-1', 'high', 'apt', ['openssl', 'libssl3']), upd('UPD-2', 'critical', 'apt', ['openssl', ...many]), upd('UPD-3', 'medium', 'yum', ['php'])];
  const d: ReportDocument = { ...doc, findings, summary: { critical: 1, high: 1, medium: 1, low: 0, info: 0 } };
  const out = renderTableSync(d, { lang: 'en', color: false });
  for (const l of out.split('\n')) assert.ok(strWidth(l) <= 80, `wider than 80: ${l}`);
  assert.equal(out.split('\n').filter((l) => l.includes('apt-get update && apt-get install')).length, 1, 'the apt command once');
  assert.equal(out.split('\n').filter((l) => l.includes('$ yum update')).length, 1, 'the yum command once');
  assert.ok(!out.includes('$ apt-get install --only-upgrade openssl libssl3'), 'no per-finding update command');
  // The wrapped command pastes into a shell as one: join its continued lines back.
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.includes('$ apt-get update'));
  let cmd = '';
  for (let i = at; ; i++) {
    const l = lines[i]!.trim();
    cmd += `${l.replace(/\\$/, '').trim()} `;
    if (!l.endsWith('\\')) break;
  }
  const words = cmd.trim().replace(/^\$ /, '').split(/\s+/);
  assert.deepEqual(words.slice(0, 6), ['apt-get', 'update', '&&', 'apt-get', 'install', '--only-upgrade']);
  assert.deepEqual(words.slice(6), [...new Set(['libssl3', 'openssl', ...many])].sort());
  assert.match(out, /33 packages, 3 findings/, 'the counts agree with the findings (32 apt + 1 yum packages)');
});

test('the patch lag: days since the fix, against the policy; no advisory date is unknown, never in time', () => {
  const findings = [upd('UPD-1', 'critical', 'apt', ['openssl'], '2026-11-01'), upd('UPD-2', 'high', 'apt', ['curl'], '2026-11-20'), upd('UPD-3', 'high', 'apt', ['zlib1g'])];
  const d: ReportDocument = {
    ...doc,
    findings,
    patchLag: {
      policy: { critical: 7, high: 30, medium: 90, low: 180, info: 365 },
      entries: [
        { finding: 'UPD-1', severity: 'critical', packages: ['openssl'], publishedAt: '2026-11-01', days: 22, limit: 7, status: 'overdue' },
        { finding: 'UPD-2', severity: 'high', packages: ['curl'], publishedAt: '2026-11-20', days: 3, limit: 30, status: 'within' },
        { finding: 'UPD-3', severity: 'high', packages: ['zlib1g'], limit: 30, status: 'unknown' },
      ],
      overdue: 1,
      unknown: 1,
      maxDays: 22,
    },
  };
  const en = renderTableSync(d, { lang: 'en', color: false });
  assert.match(en, /1 past the policy, 1 without an advisory date/);
  assert.match(en, /! 22 days \(limit 7\) · Critical · openssl/i);
  assert.match(en, /\? unknown \(no advisory date\)/);
  const ja = renderTableSync(d, { lang: 'ja', color: false });
  assert.match(ja, /基準超過 1 件、公開日不明 1 件/);
  // --severity critical leaves the high ones out of the lag too: the table agrees with the findings shown.
  const only = renderTableSync({ ...d, findings: [findings[0]!] }, { lang: 'en', color: false });
  assert.match(only, /1 past the policy, 0 without an advisory date/);
});
