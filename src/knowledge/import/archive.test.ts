import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { tar } from '../../../test/knowledge/helpers.js';
import { expand, type ExpandProblem, type InputFile } from './archive.js';

const run = (name: string, bytes: Uint8Array) => {
  const files: InputFile[] = [];
  const problems: ExpandProblem[] = [];
  expand({ rel: name, source: name, bytes }, files, problems);
  return { files, problems };
};

test('tar.gz and zip members come out by magic bytes, whatever the name', () => {
  const t = run('feed.bin', gzipSync(tar({ 'a/one.json': '{"a":1}', 'a/two.yaml': 'x: 1' })));
  assert.deepEqual(t.files.map((f) => f.rel), ['feed.bin!/a/one.json', 'feed.bin!/a/two.yaml']);
  const z = run('all.zip', zipSync({ 'X-1.json': new TextEncoder().encode('{}') }));
  assert.deepEqual(z.files.map((f) => f.rel), ['all.zip!/X-1.json']);
  const g = run('list.gz', gzipSync('cve,epss,percentile\n'));
  assert.equal(Buffer.from(g.files[0]!.bytes).toString(), 'cve,epss,percentile\n');
});

test('a truncated tar.gz keeps the members before the cut and names the damage', () => {
  const big = 'x'.repeat(200_000);
  const gz = gzipSync(tar({ 'a.json': '{"ok":true}', 'b.json': big }), { level: 0 });
  const r = run('cut.tar.gz', gz.subarray(0, Math.floor(gz.length * 0.8)));
  assert.deepEqual(r.files.map((f) => f.rel), ['cut.tar.gz!/a.json']);
  assert.ok(r.problems.some((p) => /truncated/.test(p.reason)));
});

test('zip members are read one by one from the central directory, stored or deflated; damage is named', () => {
  const z = zipSync({ 'a.json': [new TextEncoder().encode('{"a":1}'), { level: 0 }], 'dir/b.json': new TextEncoder().encode('{"b":2}'.repeat(100)) });
  const r = run('all.zip', z);
  assert.deepEqual(r.files.map((f) => [f.rel, Buffer.from(f.bytes).toString().slice(0, 7)]), [['all.zip!/a.json', '{"a":1}'], ['all.zip!/dir/b.json', '{"b":2}']]);
  const cut = run('cut.zip', z.subarray(0, z.length - 30));
  assert.deepEqual(cut.files, []);
  assert.match(cut.problems[0]!.reason, /zip archive/);
});

test('streamed tar.gz: every member comes out whole, whatever the sizes (property; member boundaries fall anywhere in inflate steps)', async () => {
  const fc = (await import('fast-check')).default;
  fc.assert(
    fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,8}\/[a-z0-9]{1,12}\.json$/), fc.uint8Array({ maxLength: 70_000 }), { minKeys: 1, maxKeys: 6 }), (files) => {
      const r = run('feeds.tar.gz', gzipSync(tar(files), { level: 1 }));
      assert.deepEqual(r.problems, []);
      assert.deepEqual(
        r.files.map((f) => [f.rel, Buffer.from(f.bytes).toString('hex')]),
        Object.entries(files).map(([k, v]) => [`feeds.tar.gz!/${k}`, Buffer.from(v).toString('hex')]),
      );
    }),
    { numRuns: 40 },
  );
});

test('a zip member that inflates past its declared size is skipped and named; the others come out', () => {
  const z = Buffer.from(zipSync({ 'a.json': new TextEncoder().encode('{"a":1}'), 'b.json': new TextEncoder().encode('x'.repeat(5000)) }));
  // lower b.json's declared size in its central directory entry (the last one)
  const cd = z.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  z.writeUInt32LE(10, cd + 24);
  const r = run('lie.zip', z);
  assert.deepEqual(r.files.map((f) => f.rel), ['lie.zip!/a.json']);
  assert.match(r.problems[0]!.reason, /inflates past the 10 bytes its central directory declares/);
});
