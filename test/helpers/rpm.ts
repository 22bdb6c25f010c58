/** The real rpm's comparison for differential tests: `rpm.vercmp()` in rpm's own Lua, all pairs in one run. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasRpm = (): boolean => spawnSync('rpm', ['--version']).status === 0;

/** rpm.vercmp(a, b) for every pair (EVR strings or plain versions): -1, 0 or 1 each. */
export function rpmVercmp(pairs: readonly (readonly [string, string])[]): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-rpm-'));
  try {
    const file = join(dir, 'pairs.tsv');
    writeFileSync(file, pairs.map(([a, b]) => `${a}\t${b}\n`).join(''));
    const lua = `%{lua: local out = {}; for line in io.lines("${file}") do local a, b = line:match("^([^\t]*)\t(.*)$"); out[#out + 1] = rpm.vercmp(a, b) end; print(table.concat(out, " ")) }`;
    const r = spawnSync('rpm', ['--eval', lua], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const out = pairs.length ? r.stdout.trim().split(/\s+/).map(Number) : [];
    assert.equal(out.length, pairs.length);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
