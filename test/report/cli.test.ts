/** `mamori report`: renders a saved scan; a bad file is named with what is wrong and where (exit 2). Needs `npm run build`. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-report-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const shop = 'test/fixtures/report/centos6-shop.json';

test('report --format html --lang en writes the English HTML report', async () => {
  const out = join(dir, 'r.html');
  const r = await runCli(['report', shop, '--format', 'html', '--lang', 'en', '--output', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<html lang="en">/);
  assert.match(html, /Security Assessment Report/);
});

test('the format follows the output file name when --format is not given; LANG=ja gives Japanese', async () => {
  const out = join(dir, 'findings.csv');
  const r = await runCli(['report', shop, '--output', out], { env: { LANG: 'ja_JP.UTF-8' } });
  assert.equal(r.code, 0, r.stderr);
  const csv = readFileSync(out, 'utf8');
  assert.ok(csv.startsWith('\uFEFFID,重大度,分類,件名'));
  const sarif = join(dir, 'x.sarif');
  assert.equal((await runCli(['report', shop, '-o', sarif])).code, 0);
  assert.equal(JSON.parse(readFileSync(sarif, 'utf8')).version, '2.1.0');
  const bom = join(dir, 'x.cdx.json');
  assert.equal((await runCli(['report', shop, '-o', bom])).code, 0);
  assert.equal(JSON.parse(readFileSync(bom, 'utf8')).specVersion, '1.6');
});

test('json to stdout round-trips the document', async () => {
  const r = await runCli(['report', shop, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const back = JSON.parse(r.stdout) as { findings: unknown[] };
  const orig = JSON.parse(readFileSync(shop, 'utf8')) as { findings: unknown[] };
  assert.equal(back.findings.length, orig.findings.length);
});

test('a file that is not a scan report is named with what is wrong and where (exit 2)', async () => {
  const bad = join(dir, 'bad.json');
  const doc = JSON.parse(readFileSync(shop, 'utf8')) as { findings: Record<string, unknown>[] };
  doc.findings[3]!.severity = 'urgent';
  delete doc.findings[5]!.remediation;
  writeFileSync(bad, JSON.stringify(doc));
  const r = await runCli(['report', bad, '--format', 'html', '--output', join(dir, 'no.html')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not a mamori scan report/);
  assert.match(r.stderr, /findings\[3\]\.severity: .*'critical'.*received 'urgent'/);
  assert.match(r.stderr, /findings\[5\]\.remediation: Required/);
  const notJson = join(dir, 'x.json');
  writeFileSync(notJson, '{ "schemaVersion": 1, ');
  const j = await runCli(['report', notJson, '--format', 'html']);
  assert.equal(j.code, 2);
  assert.match(j.stderr, /is not valid JSON/);
  const none = await runCli(['--lang', 'ja', 'report', join(dir, 'missing.json'), '--format', 'html']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /を読み込めません/);
});

test('usage errors: no input, pdf without --output, unknown format (exit 2)', async () => {
  assert.equal((await runCli(['report'])).code, 2);
  const pdf = await runCli(['report', shop, '--format', 'pdf']);
  assert.equal(pdf.code, 2);
  assert.match(pdf.stderr, /--output FILE/);
  const fmt = await runCli(['report', shop, '--format', 'docx']);
  assert.equal(fmt.code, 2);
  assert.match(fmt.stderr, /--format/);
});

test('PDF without Chromium: a clear message naming the packages to install (exit 2)', async () => {
  const r = await runCli(['report', shop, '--format', 'pdf', '--output', join(dir, 'x.pdf')], { env: { MAMORI_CHROMIUM: join(dir, 'no-chromium') } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /apt-get install chromium fonts-noto-cjk/);
});
