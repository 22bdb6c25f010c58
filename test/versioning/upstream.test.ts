/**
 * The upstream projects' own comparison cases (rpm, dpkg, apk-tools, php-src, composer/semver,
 * node-semver), converted to TSV under test/fixtures/versioning/<eco>/ (see each SOURCE.md), run through
 * the built CLI: `mamori version compare --batch` and `mamori version satisfies --batch`.
 * Run `npm run build` first so dist/ is fresh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli } from '../helpers/cli.js';

const root = join(repoRoot, 'test/fixtures/versioning');

interface Case {
  line: number;
  a: string;
  b: string;
  expected: string;
}

/** `A<TAB>B<TAB>expected[<TAB># comment]`; lines starting with `#` are comments. */
function readCases(file: string, columns = 3): Case[] {
  const out: Case[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text === '' || text.startsWith('#')) return;
      const f = text.split('\t');
      assert.ok(f.length >= columns, `${file}:${i + 1} has ${f.length} fields`);
      if (columns === 4) out.push({ line: i + 1, a: f[0]!, b: f[2]!, expected: `${f[1]}\t${f[3]}` });
      else out.push({ line: i + 1, a: f[0]!, b: f[1]!, expected: f[2]! });
    });
  return out;
}

async function runBatch(command: 'compare' | 'satisfies', eco: string, cases: readonly Case[]) {
  const input = cases.map((c) => `${c.a}\t${c.b}\n`).join('');
  const r = await runCli(['version', command, '--ecosystem', eco, '--batch'], { input });
  const lines = r.stdout.split('\n');
  assert.equal(lines.pop(), '', 'output ends with a newline');
  assert.equal(lines.length, cases.length, `one answer per input line (stderr: ${r.stderr.slice(0, 500)})`);
  return { ...r, lines };
}

const ecosystems = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

test('every fixture folder names its source', () => {
  assert.deepEqual(ecosystems, ['apk', 'composer', 'dpkg', 'php', 'rpm', 'semver']);
  for (const eco of ecosystems) {
    const src = readFileSync(join(root, eco, 'SOURCE.md'), 'utf8');
    assert.match(src, /commit/i, `${eco}/SOURCE.md names a commit`);
    assert.match(src, /licen[cs]e/i, `${eco}/SOURCE.md names a licence`);
  }
});

for (const eco of ecosystems) {
  for (const file of readdirSync(join(root, eco)).filter((f) => f.endsWith('.tsv')).sort()) {
    // VersionParser::normalize() and ::parseConstraints() string forms: composer.test.ts (no CLI command prints them)
    if (file === 'normalize.tsv' || file === 'constraints.tsv') continue;
    test(`${eco}/${file} agrees line by line through the CLI`, async () => {
      const path = join(root, eco, file);
      if (file === 'comparator.tsv') {
        // composer Comparator cases: A OP B → bool; the CLI's sign (or `error` for incomparable dev branches) must imply it
        const cases = readCases(path, 4);
        const r = await runBatch('compare', eco, cases);
        const bad: string[] = [];
        cases.forEach((c, i) => {
          const [op, expected] = c.expected.split('\t') as [string, string];
          const got = r.lines[i]!;
          const s = Number(got);
          const holds =
            got === 'error'
              ? op === '!=' || op === '<>'
              : op === '>' ? s > 0 : op === '>=' ? s >= 0 : op === '<' ? s < 0 : op === '<=' ? s <= 0 : op === '==' || op === '=' ? s === 0 : s !== 0;
          if (String(holds) !== expected) bad.push(`line ${c.line}: ${c.a} ${op} ${c.b} expected ${expected}, CLI said ${got}`);
        });
        assert.deepEqual(bad, []);
        assert.ok(cases.length >= 50);
        return;
      }
      const cases = readCases(path);
      assert.ok(cases.length > 0);
      const command = file.startsWith('satisfies') ? 'satisfies' : 'compare';
      const r = await runBatch(command, eco, cases);
      const bad = cases.flatMap((c, i) => (r.lines[i] === c.expected ? [] : [`line ${c.line}: ${JSON.stringify(c.a)} ${JSON.stringify(c.b)} expected ${c.expected}, CLI said ${r.lines[i]}`]));
      assert.deepEqual(bad, []);
      const errors = cases.filter((c) => c.expected === 'error').length;
      assert.equal(r.code, errors ? 2 : 0, 'exit code 2 exactly when a line could not be answered');
      assert.equal(r.stderr.split('\n').filter((l) => /line \d+/.test(l) && !/warning/.test(l)).length, errors, 'one reason on stderr per error line');
    });
  }
}
