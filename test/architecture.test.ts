/** Holds the line of docs/architecture.md: src/core is pure (no node:*, no I/O libraries, no outer layers). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './helpers/cli.js';

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tsFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const forbidden = /^(node:|fs$|path$|os$|child_process$|net$|tls$|http$|https$|undici|better-sqlite3|ssh2|playwright)/;

test('src/core imports nothing that does I/O and nothing from outer layers', () => {
  const core = join(repoRoot, 'src/core');
  const files = tsFiles(core);
  assert.ok(files.length > 5, 'src/core has files');
  const offences: string[] = [];
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      const rel = relative(repoRoot, f);
      if (forbidden.test(spec)) offences.push(`${rel} imports ${spec}`);
      if (spec.startsWith('.')) {
        const target = relative(core, join(f, '..', spec));
        if (target.startsWith('..')) offences.push(`${rel} imports ${spec} outside src/core`);
      }
    }
    if (/\bprocess\.(env|argv|cwd)|new Date\(\)|Date\.now\(\)/.test(src)) offences.push(`${relative(repoRoot, f)} reads the environment or the clock`);
  }
  assert.deepEqual(offences, []);
});
