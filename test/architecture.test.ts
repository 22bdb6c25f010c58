/**
 * Holds the lines of docs/architecture.md: arrows point down only,
 * `cli → server → worker → fleet → scan|remediate → collect|probe|knowledge|report → checks|apps|pii → core`
 * (the fleet store and domain sit under the job handlers, which the server runs in process or enqueues; the CLI
 * starts the server and the workers),
 * and src/core is pure (no node:*, no I/O libraries, no clock, no environment).
 */
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

/** The level of each top-level folder of src/: a file may import from its own folder and from lower levels only. */
export const LEVELS: Record<string, number> = {
  core: 0,
  checks: 1,
  apps: 1,
  pii: 1,
  collect: 2,
  probe: 2,
  knowledge: 2,
  report: 2,
  scan: 3,
  remediate: 3,
  fleet: 4,
  worker: 5,
  server: 6,
  cli: 7,
};

const forbidden = /^(node:|fs$|path$|os$|child_process$|net$|tls$|http$|https$|undici|better-sqlite3|ssh2|playwright)/;

/** Static imports, re-exports and dynamic imports with a literal specifier. */
function specifiers(src: string): string[] {
  return [...src.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

/** Every import that points up or sideways between the folders of src/ (`file` relative to src/). */
export function layerOffences(files: { file: string; source: string }[]): string[] {
  const out: string[] = [];
  for (const { file, source } of files) {
    const from = file.split('/')[0]!;
    const level = LEVELS[from];
    if (level === undefined) {
      if (file.includes('/')) out.push(`src/${file}: folder src/${from} has no level in test/architecture.test.ts (place it in the graph of docs/architecture.md)`);
      continue;
    }
    for (const spec of specifiers(source)) {
      if (!spec.startsWith('.')) continue;
      const target = join(file, '..', spec);
      const to = target.split('/')[0]!;
      if (to === from) continue;
      const toLevel = LEVELS[to];
      if (toLevel === undefined || toLevel >= level) out.push(`src/${file} (${from}) imports ${spec} (${to}): arrows point down only`);
    }
  }
  return out;
}

test('the layers of src/ import downwards only (cli → server → worker → fleet → scan → collect|probe|knowledge|report → checks|apps|pii → core)', () => {
  const src = join(repoRoot, 'src');
  const files = tsFiles(src).map((f) => ({ file: relative(src, f), source: readFileSync(f, 'utf8') }));
  assert.ok(files.length > 50);
  assert.deepEqual(layerOffences(files), []);
});

test('the layer check fails on an upward or sideways import, and passes a downward one', () => {
  const at = (file: string, source: string) => layerOffences([{ file, source }]);
  assert.equal(at('core/assess/x.ts', "import { scanHost } from '../../scan/host.js';").length, 1);
  assert.equal(at('report/pdf.ts', "import { FatalError } from '../cli/errors.js';").length, 1);
  assert.equal(at('knowledge/import/index.ts', "const m = await import('../../scan/index.js');").length, 1, 'dynamic imports count');
  assert.equal(at('probe/site.ts', "export { x } from '../collect/host/index.js';").length, 1, 'sideways');
  assert.equal(at('pii/x.ts', "import { a } from '../apps/detect.js';").length, 1, 'sideways');
  assert.deepEqual(at('cli/commands/scan-host.ts', "import { scanHost } from '../../scan/host.js';\nimport type { Lang } from '../../core/model.js';"), []);
  assert.deepEqual(at('server/api.ts', "import { scanSite } from '../scan/site.js';\nimport { plan } from '../remediate/plan.js';"), []);
  assert.deepEqual(at('scan/host.ts', "import { collectHost } from '../collect/host/index.js';\nimport { x } from './ports.js';"), []);
  assert.equal(at('fleet/store/x.ts', "import { app } from '../../server/app.js';").length, 1, 'the store never reaches up into the server');
  assert.equal(at('worker/x.ts', "import { app } from '../server/app.js';").length, 1, 'job handlers never reach up into the server');
  assert.deepEqual(at('server/app.ts', "import { runner } from '../worker/runner.js';\nimport type { FleetStore } from '../fleet/ports.js';"), []);
  assert.equal(at('newlayer/x.ts', '').length, 1, 'a new folder must be placed in the graph');
});

test('src/core imports nothing that does I/O and nothing from outer layers', () => {
  const core = join(repoRoot, 'src/core');
  const files = tsFiles(core);
  assert.ok(files.length > 5, 'src/core has files');
  const offences: string[] = [];
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const spec of specifiers(src)) {
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

test('the import, the update and the feeds write through the FeedWriter port: no database handle, no SQL outside src/knowledge/store', () => {
  const offences: string[] = [];
  for (const dir of ['import', 'update', 'feeds']) {
    for (const f of tsFiles(join(repoRoot, 'src/knowledge', dir))) {
      const src = readFileSync(f, 'utf8');
      if (/\bstore\.db\b|\.prepare\(|better-sqlite3|\bnew KnowledgeStore\(/.test(src)) offences.push(relative(repoRoot, f));
    }
  }
  assert.deepEqual(offences, []);
});

test('src/scan takes ports, never the front end: no CLI context, no file system (but the package version), no network of its own', () => {
  const offences: string[] = [];
  for (const f of tsFiles(join(repoRoot, 'src/scan'))) {
    const rel = relative(repoRoot, f);
    const src = readFileSync(f, 'utf8');
    for (const spec of specifiers(src)) {
      if (/^(node:)?(fs|fs\/promises|child_process|net|tls|http|https|dgram)$/.test(spec) && rel !== 'src/scan/version.ts') offences.push(`${rel} imports ${spec}`);
    }
    if (/\bCommandContext\b|\bprocess\.(env|argv|cwd|stdout|stderr)\b/.test(src)) offences.push(`${rel} reads a front end's context`);
  }
  assert.deepEqual(offences, []);
});
