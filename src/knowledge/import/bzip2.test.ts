import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { bunzip2Bounded, isBzip2 } from './bzip2.js';
import { expand, type ExpandProblem, type InputFile } from './archive.js';

const hasBzip2 = spawnSync('bzip2', ['--help']).status === 0;
const bz = (b: Buffer) => spawnSync('bzip2', ['-c'], { input: b, maxBuffer: 64 << 20 }).stdout;

test('bzip2: decoded as the real bzip2 wrote it; a bomb past the cap and a damaged stream are problems, not crashes', { skip: !hasBzip2 && 'bzip2 not installed (Debian package bzip2)' }, () => {
  const text = Buffer.from('<oval_definitions>'.repeat(5000));
  const packed = bz(text);
  assert.ok(isBzip2(packed) && !isBzip2(text));
  assert.deepEqual(Buffer.from(bunzip2Bounded(packed, 1 << 20)), text);
  const bomb = bz(Buffer.alloc(8 << 20));
  assert.ok(bomb.length < 100, 'eight MiB of zeros pack into a few bytes');
  assert.throws(() => bunzip2Bounded(bomb, 1 << 20), /decompresses to more than 1048576 bytes/);
  const damaged = Buffer.from(packed);
  damaged.fill(0x55, 40, 60);
  const out: InputFile[] = [];
  const problems: ExpandProblem[] = [];
  expand({ rel: 'rhel-6.oval.xml.bz2', source: 'x', bytes: damaged }, out, problems);
  assert.equal(out.length, 0);
  assert.match(problems[0]!.reason, /not a readable bzip2 stream/);
  const ok: InputFile[] = [];
  expand({ rel: 'rhel-6.oval.xml.bz2', source: 'x', bytes: packed }, ok, []);
  assert.deepEqual([ok[0]!.rel, ok[0]!.bytes.length], ['rhel-6.oval.xml', text.length]);
});
