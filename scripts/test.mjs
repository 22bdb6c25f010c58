#!/usr/bin/env node
// Runs every test (unit tests beside the code, integration tests under test/) with node's test runner,
// the spec reporter for people and a closing line "tests: N passed, N failed, N skipped" for CI.
//   node scripts/test.mjs                 all tests
//   node scripts/test.mjs src/pii test/x  only test files under these paths
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const roots = args.length ? args : ['src', 'test'];

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return out;
    throw err;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name === 'fixtures') continue;
      walk(p, out);
    } else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = [];
for (const r of roots) {
  const abs = join(root, r);
  if (statSync(abs, { throwIfNoEntry: false })?.isFile()) files.push(abs);
  else walk(abs, files);
}
files.sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
// Tests never touch the user's knowledge DB: without MAMORI_HOME, a temporary one (removed at the end).
const home = process.env.MAMORI_HOME ?? mkdtempSync(join(tmpdir(), 'mamori-test-home-'));
const res = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/summary-reporter.mjs')}`, '--test-reporter-destination=stdout',
    ...files.map((f) => relative(root, f)),
  ],
  // MAMORI_OFFLINE: no scan run by a test refreshes the knowledge DB from the real feeds (tests that test the
  // refresh clear it and point the feeds at a loopback mirror).
  { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0', MAMORI_OFFLINE: '1', MAMORI_HOME: home } },
);
if (!process.env.MAMORI_HOME) rmSync(home, { recursive: true, force: true });
process.exit(res.status ?? 1);
