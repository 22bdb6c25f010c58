import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli, repoRoot } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { version: string };

test('--version prints the package version', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('--help lists the commands that work, and only those', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /mamori version compare/);
  assert.match(r.stdout, /mamori version satisfies/);
});

test('no command prints help and exits 2', async () => {
  const r = await runCli([]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /Usage: mamori/);
});

test('an unknown command is a usage error (exit 2) that says what to do', async () => {
  const r = await runCli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.match(r.stderr, /--help/);
});

test('an unknown option names the option and the command', async () => {
  const r = await runCli(['version', 'compare', '--ecosystem', 'rpm', '--frob', '1', '2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--frob/);
  assert.match(r.stderr, /mamori version compare --help/);
});

test('a value outside the closed list is rejected with the accepted values', async () => {
  const r = await runCli(['version', 'compare', '--ecosystem', 'maven', '1', '2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /rpm \| dpkg \| apk/);
});

test('messages follow --lang, and LANG when --lang is absent', async () => {
  const ja = await runCli(['--lang', 'ja', 'frobnicate']);
  assert.match(ja.stderr, /不明なコマンド/);
  const envJa = await runCli(['frobnicate'], { env: { LANG: 'ja_JP.UTF-8' } });
  assert.match(envJa.stderr, /不明なコマンド/);
  const en = await runCli(['--lang', 'en', 'frobnicate'], { env: { LANG: 'ja_JP.UTF-8' } });
  assert.match(en.stderr, /unknown command/);
});
