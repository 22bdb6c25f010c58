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
