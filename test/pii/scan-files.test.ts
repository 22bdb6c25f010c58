/**
 * `mamori scan files` and scanTree on real trees: bad input becomes gaps and the scan goes on (bombs,
 * size cap, invalid bytes, encrypted members, symlink loops, non-UTF-8 names), worker threads give the
 * same verdicts as the sequential path, and the exit codes of the contract.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { scanTree } from '../../src/pii/index.js';
import { runCli } from '../helpers/cli.js';
import { Gen } from './corpus.js';

let root = '';
const g = new Gen(99);
const people = Array.from({ length: 12 }, () => g.person());
const csv = ['氏名,電話番号,メールアドレス', ...people.map((p) => `${p.sei} ${p.mei},${p.phone},${p.email}`)].join('\n');

function encryptedZip(): Uint8Array {
  const z = Buffer.from(zipSync({ 'customers.csv': strToU8(csv) }, { level: 0 }));
  // set the "encrypted" flag in the local and central headers
  for (let i = 0; i + 4 <= z.length; i++) {
    const sig = z.readUInt32LE(i);
    if (sig === 0x04034b50) z.writeUInt16LE(z.readUInt16LE(i + 6) | 1, i + 6);
    if (sig === 0x02014b50) z.writeUInt16LE(z.readUInt16LE(i + 8) | 1, i + 8);
  }
  return z;
}

before(() => {
  root = mkdtempSync(`${tmpdir()}/mamori-`);
  const w = (rel: string | Buffer, data: Uint8Array | string) => {
    const p = typeof rel === 'string' ? join(root, rel) : Buffer.concat([Buffer.from(`${root}/`), rel]);
    writeFileSync(p, data);
  };
  mkdirSync(join(root, 'data'));
  w('data/members.csv', csv);
  const zeros = new Uint8Array(16 * 1024 * 1024);
  w('bomb.zip', zipSync({ 'a.csv': zeros }, { level: 9 }));
  w('bomb.gz', gzipSync(zeros, { level: 9 }));
  w('big.csv', csv + '\n' + 'x,'.repeat(40000));
  const broken = Buffer.from(`氏名：${people[0]!.sei} ${people[0]!.mei}\n${'日本語のテキスト'.repeat(200)}`);
  for (let i = 100; i < broken.length; i += 97) broken[i] = 0xff;
  w('broken.txt', broken);
  w('locked.zip', encryptedZip());
  // a backup zip larger than the size cap, customer data at its end: read through the central directory
  const filler = new Uint8Array(300 * 1024).map((_, i) => (Math.imul(i, 2654435761) >>> 24) & 0xff);
  w('backup-large.zip', zipSync({ 'www/images/hero.png': [filler, { level: 0 }], 'www/js/app.js': strToU8('var a = 1;'.repeat(5000)), 'db/customers.csv': strToU8(csv) }));
  w(iconv.encode('顧客名簿.csv', 'cp932'), iconv.encode(csv, 'cp932'));
  symlinkSync('.', join(root, 'loop'));
  mkdirSync(join(root, 'many'));
  for (let i = 0; i < 70; i++) w(`many/page${i}.html`, `<html><p>商品 ${i} 価格 ${1000 + i}円 2024-01-${String(1 + (i % 28)).padStart(2, '0')}</p></html>`);
  w('many/orders.csv', ['注文者氏名,お届け先電話番号,メールアドレス', ...people.map((p) => `${p.sei} ${p.mei},${p.phone},${p.email}`)].join('\n'));
  mkdirSync(join(root, '.git'));
  w('.git/HEAD', 'ref: refs/heads/main\n');
  w('wp-config.php.bak', "<?php\ndefine('DB_NAME', 'wp');\ndefine('DB_PASSWORD', 'secret');\n");
  // a 7-Zip backup (magic only): not opened, so its contents are a gap
  w('backup_2019.7z', Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04]), Buffer.alloc(4096, 0x5a)]));
});
after(() => rmSync(root, { recursive: true, force: true }));

test('bad input becomes gaps and the scan goes on', async () => {
  const r = await scanTree(root, { maxFileBytes: 64 * 1024, workers: 1 });
  const gap = (what: string, code: string) => r.gaps.some((x) => x.what.startsWith(what) && x.code === code);
  assert.ok(gap('bomb.zip', 'pii.gap.bomb'), JSON.stringify(r.gaps));
  assert.ok(gap('bomb.gz', 'pii.gap.bomb'));
  assert.ok(gap('big.csv', 'pii.gap.tooLarge'));
  assert.ok(gap('broken.txt', 'pii.gap.invalidBytes'));
  assert.ok(gap('locked.zip', 'pii.gap.encrypted'));
  assert.ok(r.gaps.some((x) => x.code === 'pii.gap.symlinks'));
  assert.ok(gap('backup_2019.7z', 'pii.gap.archiveUnopened'), JSON.stringify(r.gaps.map((x) => x.code)));
  // … and still found the customer files, including one whose name is Shift_JIS bytes
  const personal = r.files.filter((f) => f.personal).map((f) => f.path).sort();
  assert.deepEqual(personal, ['backup-large.zip', 'big.csv', 'data/members.csv', 'many/orders.csv', '顧客名簿.csv']);
  assert.equal(r.files.find((f) => f.path === 'backup-large.zip')!.container, 'zip');
  assert.ok(r.files.find((f) => f.path === '顧客名簿.csv')!.reasons.includes('file name in Shift_JIS'));
  assert.equal(r.files.find((f) => f.path === 'big.csv')!.truncated, true);
  // sensitive files without personal data
  const sensitive = r.findings.filter((f) => f.category === 'sensitive-file-exposure').map((f) => `${f.location}:${f.severity}`).sort();
  assert.ok(sensitive.includes('.git:medium'), sensitive.join(' '));
  assert.ok(sensitive.includes('wp-config.php.bak:high'), sensitive.join(' '));
  assert.ok(r.stats.files > 70);
});

test('worker threads give the same verdicts as the sequential path', async () => {
  const seq = await scanTree(root, { workers: 1 });
  const par = await scanTree(root, { workers: 2 });
  assert.deepEqual(par.files, seq.files);
  assert.deepEqual(par.findings.map((f) => f.id), seq.findings.map((f) => f.id));
  // unasked, workers join in the middle of the run (here after the first file)
  const joined = await scanTree(root, { join: { afterMs: 0, leftMs: 0 } });
  assert.deepEqual(joined.files, seq.files);
  // ids depend on category and path, not on counts
  assert.ok(new Set(seq.findings.map((f) => f.id)).size === seq.findings.length);
});

test('the byte budget stops reading on every thread; what was not read is a gap', async () => {
  for (const workers of [1, 2]) {
    const r = await scanTree(root, { workers, maxTotalBytes: 8 * 1024 });
    const gap = r.gaps.find((x) => x.code === 'pii.gap.maxTotal');
    assert.ok(gap, `workers ${workers}: ${JSON.stringify(r.gaps.map((x) => x.code))}`);
    // every thread stops once the shared count passes the budget: a few files more than the budget holds, not the tree
    assert.ok(r.stats.files < 20, `workers ${workers}: ${r.stats.files} files read`);
    assert.ok(r.stats.bytes >= 8 * 1024);
  }
});

test('mamori scan files: report of the contract, exit codes', async () => {
  const r = await runCli(['scan', 'files', root, '--format', 'json', '--fail-on', 'high']);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as { target: { kind: string; name: string }; findings: { category: string; evidence: { samples: string[] } }[]; gaps: unknown[] };
  assert.equal(doc.target.kind, 'files');
  assert.ok(doc.findings.some((f) => f.category === 'personal-data-exposure'));
  assert.ok(doc.gaps.length >= 5);
  for (const p of people) {
    assert.ok(!r.stdout.includes(p.phone) && !r.stdout.includes(p.email) && !r.stdout.includes(`${p.sei} ${p.mei}`));
  }
  const missing = await runCli(['scan', 'files', join(root, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /does not exist/);
  const file = await runCli(['scan', 'files', join(root, 'data/members.csv')]);
  assert.equal(file.code, 2);
  assert.match(file.stderr, /not a directory/);
  const ja = await runCli(['scan', 'files', join(root, 'nope'), '--lang', 'ja']);
  assert.match(ja.stderr, /存在しません/);
});
