/**
 * The command line as users of Trivy and nuclei expect it, through the built CLI (bin/mamori.js):
 * --severity / --ignore-unfixed / --exit-code / report --fail-on, mamori.yaml, -q, the summary line,
 * `mamori schema`, and errors that teach (a missing output folder, an unknown URL scheme) — each exit 2 with
 * what to do, before any work is done.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { repoRoot, runCli } from '../helpers/cli.js';

const golden = (name: string) => join(repoRoot, 'test/fixtures/golden', name);
const centos = golden('host-centos6.en.json');
const ubuntu = golden('host-ubuntu2204.en.json');
const tmp = mkdtempSync(join(tmpdir(), 'mamori-ux-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

type Doc = { summary: Record<string, number>; findings: { id: string; severity: string }[]; filtered?: { hidden: number; severities?: string[]; ignoreUnfixed?: boolean } };
const counts = (d: Doc) => {
  const c: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of d.findings) c[f.severity]!++;
  return c;
};

test('--severity shows only those severities; the summary is recounted and the filter is named', async () => {
  const r = await runCli(['report', ubuntu, '--format', 'json', '--severity', 'critical,HIGH']);
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout) as Doc;
  assert.deepEqual(new Set(d.findings.map((f) => f.severity)), new Set(['critical', 'high']));
  assert.equal(d.findings.length, 6);
  assert.deepEqual(d.summary, counts(d), 'summary agrees with the findings shown');
  assert.deepEqual(d.filtered, { hidden: 3, severities: ['critical', 'high'] });
  const bad = await runCli(['report', ubuntu, '--format', 'json', '--severity', 'critical,urgent']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--severity takes severities separated by commas .* not "critical,urgent"/);
});

test('--ignore-unfixed leaves out the distribution CVEs with no fix (unfixed, will-not-fix), keeps the rest', async () => {
  const all = JSON.parse((await runCli(['report', centos, '--format', 'json'])).stdout) as Doc;
  const r = await runCli(['report', centos, '--format', 'json', '--ignore-unfixed']);
  const d = JSON.parse(r.stdout) as Doc;
  const gone = all.findings.filter((f) => !d.findings.some((g) => g.id === f.id)).map((f) => f.id).sort();
  assert.deepEqual(gone, ['VULN-103fbc1f6040', 'VULN-d8c8a870cbb4']);
  assert.ok(d.findings.some((f) => f.id === 'VULN-c278a57a4e9d'), 'a vulnerability with a fix stays');
  assert.deepEqual(d.summary, counts(d));
});

test('exit codes: report --fail-on, --exit-code with and without --fail-on', async () => {
  assert.equal((await runCli(['report', ubuntu, '--format', 'json', '--fail-on', 'critical'])).code, 1);
  assert.equal((await runCli(['report', ubuntu, '--format', 'json', '--fail-on', 'critical', '--severity', 'high,medium'])).code, 0, 'the filter applies before --fail-on');
  assert.equal((await runCli(['report', ubuntu, '--format', 'json', '--fail-on', 'high', '--exit-code', '5'])).code, 5);
  assert.equal((await runCli(['report', ubuntu, '--format', 'json', '--exit-code', '3'])).code, 3, 'any finding shown, without --fail-on');
  assert.equal((await runCli(['report', ubuntu, '--format', 'json', '--exit-code', '3', '--severity', 'info'])).code, 0, 'no finding shown');
  const bad = await runCli(['report', ubuntu, '--format', 'json', '--exit-code', '300']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--exit-code takes a whole number from 0 to 255/);
});

test('mamori.yaml: defaults for every command and per command; the command line wins; mistakes name the file and key', async () => {
  const dir = join(tmp, 'cfg');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'mamori.yaml'), 'severity: [critical]\nreport:\n  fail-on: high\n');
  const r = await runCli(['report', ubuntu, '--format', 'json'], { cwd: dir });
  assert.equal(r.code, 1, 'fail-on from the report section');
  assert.deepEqual(new Set((JSON.parse(r.stdout) as Doc).findings.map((f) => f.severity)), new Set(['critical']));
  const cli = await runCli(['report', ubuntu, '--format', 'json', '--severity', 'low'], { cwd: dir });
  assert.equal(cli.code, 0, 'no finding at or above high once --severity low is given');
  assert.deepEqual((JSON.parse(cli.stdout) as Doc).findings.map((f) => f.severity), ['low']);

  writeFileSync(join(dir, 'other.yaml'), 'lang: ja\nscan host:\n  sudo: true\n  fail-on: severe\n');
  const bad = await runCli(['report', ubuntu, '--format', 'json', '--config', join(dir, 'other.yaml')]);
  assert.equal(bad.code, 0, 'a wrong value in another command’s section does not stop `report`');
  const hostBad = await runCli(['scan', 'host', '--format', 'json', '--offline', '--config', join(dir, 'other.yaml')], { cwd: dir });
  assert.equal(hostBad.code, 2);
  assert.match(hostBad.stderr, /other\.yaml: scan host\.fail-on/);
  writeFileSync(join(dir, 'ja.yaml'), 'lang: ja\n');
  const ja = await runCli(['report', ubuntu, '--format', 'table', '--config', join(dir, 'ja.yaml')]);
  assert.match(ja.stdout, /検出事項 9 件/, 'lang: ja from the file');

  writeFileSync(join(dir, 'typo.yaml'), 'fail_on: high\n');
  const typo = await runCli(['report', ubuntu, '--format', 'json', '--config', join(dir, 'typo.yaml')]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /typo\.yaml has an unknown key "fail_on"/);
  const missing = await runCli(['report', ubuntu, '--format', 'json', '--config', join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read the configuration file .*nope\.yaml: no such file/);
});

test('errors that teach: a missing output folder and an unknown URL scheme stop before any work, exit 2', async () => {
  const docroot = join(tmp, 'www');
  mkdirSync(docroot, { recursive: true });
  writeFileSync(join(docroot, 'index.html'), '<p>hello</p>');
  const r = await runCli(['scan', 'files', docroot, '--format', 'json', '--output', join(tmp, 'no-such-dir', 'out.json')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the folder .*no-such-dir does not exist\. Create it first \(mkdir -p/);
  const isDir = await runCli(['report', ubuntu, '--format', 'json', '--output', tmp]);
  assert.equal(isDir.code, 2);
  assert.match(isDir.stderr, /is a folder: give a file name/);
  const ftp = await runCli(['scan', 'site', 'ftp://shop.example.jp/']);
  assert.equal(ftp.code, 2);
  assert.match(ftp.stderr, /http:\/\/ or https:\/\/, not ftp:\/\/\. Give a URL such as https:\/\/shop\.example\.jp\//);
  assert.ok(!/internal error/i.test(r.stderr + isDir.stderr + ftp.stderr));
});

test('progress and the summary line on stderr, in English plurals; nothing with -q', async () => {
  const docroot = join(tmp, 'www2');
  mkdirSync(docroot, { recursive: true });
  writeFileSync(join(docroot, 'members.csv'), 'name,email,tel\n山田太郎,taro@example.jp,090-1234-5678\n佐藤花子,hanako@example.jp,080-2345-6789\n');
  const r = await runCli(['scan', 'files', docroot, '--format', 'json', '--output', join(tmp, 'files.json')]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const d = JSON.parse(readFileSync(join(tmp, 'files.json'), 'utf8')) as Doc;
  const n = d.findings.length;
  assert.match(r.stderr, /reading the files under/);
  assert.match(r.stderr, new RegExp(`mamori scan files: .*: ${n} finding${n === 1 ? '' : 's'} \\(`));
  assert.ok(!/\b1 findings\b|\b1 items\b/.test(r.stderr), 'no "1 findings"');
  const q = await runCli(['scan', 'files', docroot, '--format', 'json', '-q', '--output', join(tmp, 'files2.json')]);
  assert.equal(q.stderr, '', 'quiet');
});

test('mamori schema prints the shipped JSON Schema, and every golden report validates against it', async () => {
  const r = await runCli(['schema']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, readFileSync(join(repoRoot, 'schema/report.schema.json'), 'utf8'), 'schema/report.schema.json is up to date (regenerate it with `node bin/mamori.js schema > schema/report.schema.json`)');
  const ajv = new (Ajv2020 as unknown as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } })({ strict: false, allErrors: true });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  const validate = ajv.compile(JSON.parse(r.stdout) as object);
  for (const f of ['host-centos6.en.json', 'host-ubuntu2204.ja.json', 'site-old.en.json', 'files-old.ja.json']) {
    assert.ok(validate(JSON.parse(readFileSync(golden(f), 'utf8'))), `${f}: ${JSON.stringify(validate.errors)}`);
  }
  assert.ok(!validate({ schemaVersion: 2, findings: [] }), 'a wrong document fails');
});
