/**
 * Accuracy on the labelled corpus (test/pii/corpus.ts): every customer-data file found, no trap reported
 * as personal data, precision and recall per kind and per file printed, and no generated raw value in any
 * output (library verdicts, JSON report, every text renderer available).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildCorpus, type Labelled } from './corpus.js';
import { scanTree, PII_KINDS, type FileVerdict, type PiiKind } from '../../src/pii/index.js';
import { renderers, binaryFormats } from '../../src/report/index.js';
import { runCli } from '../helpers/cli.js';

let root = '';
let labels: Labelled[] = [];
let raw = new Set<string>();
let files: FileVerdict[] = [];
let lib: Awaited<ReturnType<typeof scanTree>>;

before(async () => {
  root = mkdtempSync(`${tmpdir()}/mamori-`);
  ({ labels, raw } = buildCorpus(root));
  lib = await scanTree(root, { workers: 2 });
  files = lib.files;
});
after(() => rmSync(root, { recursive: true, force: true }));

const verdictOf = (p: string) => files.find((f) => f.path === p);

test('every customer-data file is found, in every encoding and container', () => {
  const missed = labels.filter((l) => l.personal && !verdictOf(l.path)?.personal);
  assert.deepEqual(missed.map((m) => `${m.path} (${m.note})`), []);
});

test('no trap file is reported as personal data', () => {
  const wrong = labels.filter((l) => !l.personal && verdictOf(l.path)?.personal);
  assert.deepEqual(wrong.map((w) => `${w.path} (${w.note}): ${JSON.stringify(verdictOf(w.path)?.kinds)} ${verdictOf(w.path)?.reasons.join('; ')}`), []);
});

test('precision and recall per kind and per file (printed)', () => {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const l of labels) {
    const got = verdictOf(l.path)?.personal ?? false;
    if (l.personal && got) tp++;
    else if (l.personal) fn++;
    else if (got) fp++;
    else tn++;
  }
  const lines = [`per file: precision ${(tp / Math.max(1, tp + fp)).toFixed(3)} recall ${(tp / Math.max(1, tp + fn)).toFixed(3)} (tp ${tp}, fp ${fp}, fn ${fn}, tn ${tn})`];
  const minRecall: Partial<Record<PiiKind, number>> = {};
  for (const k of PII_KINDS) {
    let kTp = 0, kFp = 0, kFn = 0, want = 0, found = 0;
    for (const l of labels) {
      const v = verdictOf(l.path);
      const detected = v?.personal ? (v.kinds[k] ?? 0) : 0;
      const expected = l.kinds[k] ?? 0;
      if (expected && detected) kTp++;
      else if (expected) kFn++;
      else if (detected) kFp++;
      want += expected;
      found += Math.min(expected, detected);
    }
    if (kTp + kFn + kFp === 0) continue;
    const recall = kTp / Math.max(1, kTp + kFn);
    minRecall[k] = recall;
    lines.push(`${k.padEnd(11)} files: precision ${(kTp / Math.max(1, kTp + kFp)).toFixed(3)} recall ${recall.toFixed(3)}; values recall ${(found / Math.max(1, want)).toFixed(3)} (${found}/${want})`);
  }
  console.log(lines.join('\n'));
  assert.equal(fn, 0);
  assert.equal(fp, 0);
  // every kind is found in at least 90% of the files that hold it
  for (const [k, r] of Object.entries(minRecall)) assert.ok(r >= 0.9, `${k} recall ${r}`);
});

test('records, severity and encodings are reported', () => {
  const sjis = verdictOf('data/csv/customer_shift_jis.csv')!;
  assert.equal(sjis.encoding, 'shift_jis');
  assert.equal(sjis.records, 25);
  assert.equal(verdictOf('data/csv/customer_euc-jp.csv')!.encoding, 'euc-jp');
  assert.equal(verdictOf('data/csv/customer_iso-2022-jp.csv')!.encoding, 'iso-2022-jp');
  assert.equal(verdictOf('data/csv/customer_utf-8-bom.csv')!.encoding, 'utf-8-bom');
  assert.equal(verdictOf('backup/eccube_db.sql')!.records, 40);
  assert.equal(verdictOf('backup/eccube_db.sql.gz')!.container, 'gzip');
  assert.equal(verdictOf('files/顧客リスト.xlsx')!.container, 'xlsx');
  assert.equal(verdictOf('backup/site_20240301.tar.gz')!.container, 'tar.gz');
  const card = lib.findings.find((f) => f.location?.endsWith('card_orders.csv'))!;
  assert.equal(card.severity, 'critical');
  assert.equal(lib.findings.find((f) => f.location?.endsWith('staff_mynumber.txt'))!.severity, 'critical');
  assert.equal(lib.findings.find((f) => f.location?.endsWith('eccube_db.sql') && f.category === 'personal-data-exposure')!.severity, 'high');
  // the access log is a sensitive file without personal data; the template is marked dummy
  assert.equal(lib.findings.find((f) => f.location?.endsWith('access.log'))?.category, 'sensitive-file-exposure');
  assert.equal(verdictOf('sample/import_template.csv')?.dummy, true);
  for (const f of lib.findings) assert.ok((f.evidence?.samples as string[]).length <= 3);
});

test('no generated raw value appears in any output (verdicts, JSON, other renderers)', async () => {
  const outputs: [string, string][] = [['library', JSON.stringify(lib)]];
  const json = await runCli(['scan', 'files', root, '--format', 'json'], { timeoutMs: 120_000 });
  assert.equal(json.code, 0, json.stderr);
  outputs.push(['json', json.stdout]);
  const doc = JSON.parse(json.stdout) as { findings: unknown[]; target: { kind: string } };
  assert.equal(doc.target.kind, 'files');
  assert.ok(doc.findings.length >= labels.filter((l) => l.personal).length);
  for (const format of Object.keys(renderers)) {
    if (format === 'json' || binaryFormats.has(format)) continue;
    const r = await runCli(['scan', 'files', root, '--format', format, '--lang', 'ja'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `${format}: ${r.stderr}`);
    outputs.push([format, r.stdout]);
  }
  const leaks: string[] = [];
  for (const [name, text] of outputs) for (const v of raw) if (v.length >= 6 && text.includes(v)) leaks.push(`${name}: ${v.slice(0, 3)}…`);
  assert.deepEqual(leaks, []);
  assert.ok(raw.size > 500);
});
