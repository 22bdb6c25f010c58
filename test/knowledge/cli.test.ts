/**
 * The `mamori db …` commands as users run them: update from a loopback mirror laid out like the upstream
 * URLs (real data of ../shared/data), conditional requests, retries, timeouts, stale feeds, a per-feed URL in
 * config.json, kills during update and import, export/import of a bundle, and unrecognised input.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { binPath, repoRoot, runCli } from '../helpers/cli.js';
import { FEED_SOURCES } from '../../src/knowledge/update/sources.js';
import { importPath, openKnowledge } from '../../src/knowledge/index.js';
import { mirrorPath, sharedData, SKIP_SHARED, startMirror, upstreamFiles, type Mirror } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mamori-'));
const home = join(tmp, 'home');
// MAMORI_EMBEDDED_DATA=none: these DBs start empty, not from the embedded snapshot (test/knowledge/default.test.ts).
const env = { MAMORI_HOME: home, MAMORI_RETRY_BASE_MS: '5', MAMORI_NVD_DELAY_MS: '0', MAMORI_JVN_DELAY_MS: '0', MAMORI_EMBEDDED_DATA: 'none' };
const fixture = (n: string) => readFileSync(join(repoRoot, 'test/knowledge/fixtures', n));
const urlOf = (feed: string, i = 0) => FEED_SOURCES.find((s) => s.feed === feed)!.urls[i]!;
const FEEDS = ['kev', 'epss', 'endoflife', 'distro-info', 'php-version-audit', 'httpd', 'nginx', 'friendsofphp', 'debian-tracker', 'debian-cpe', 'osv-almalinux', 'jvn', 'nvd'];
let mirror: Mirror;

interface Status {
  feeds: { name: string; records: number; rejected: number; updatedAt: string | null; source: string | null; error: string | null; stale: boolean }[];
}
/** The DB's feed status, read in-process (the CLI form is checked once, in the first update test). */
async function status(h = home): Promise<Status> {
  const k = openKnowledge(join(h, 'db.sqlite'));
  assert.ok(k, `a DB exists in ${h}`);
  try {
    return { feeds: k.feeds() };
  } finally {
    k.close();
  }
}
const recs = (s: Status, n: string) => s.feeds.find((f) => f.name === n)?.records ?? 0;

before(async () => {
  if (SKIP_SHARED) return;
  const files = upstreamFiles();
  files.set(urlOf('epss'), gzipSync('#model_version:v2025.03.14,score_date:2026-08-01T00:00:00+0000\ncve,epss,percentile\nCVE-2012-1823,0.94379,0.99961\nCVE-2024-4577,0.94366,0.99959\n'));
  files.set(urlOf('debian-tracker', 2), fixture('debian-tracker.json'));
  for (const u of FEED_SOURCES.find((s) => s.feed === 'jvn')!.urls) files.set(u, fixture('myjvn-overview.xml'));
  files.set(urlOf('nvd').split('?')[0]!, fixture('nvd-page.json'));
  mirror = await startMirror(files);
  mirror.behave.set(mirrorPath(urlOf('nvd').split('?')[0]!), (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('nvd-page.json'));
    return true;
  });
});
after(async () => {
  await mirror?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('db status without a DB says what to do and exits 2', async () => {
  const r = await runCli(['db', 'status'], { env: { MAMORI_HOME: join(tmp, 'empty-home'), MAMORI_EMBEDDED_DATA: 'none' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no knowledge DB .*mamori db update.*mamori db import/);
});

test('db update --mirror fetches every feed from the loopback mirror and normalises it', { skip: SKIP_SHARED }, async () => {
  const r = await runCli(['db', 'update', '--mirror', mirror.url, ...FEEDS.flatMap((f) => ['--feed', f])], { env });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const cli = await runCli(['db', 'status', '--format', 'json'], { env });
  assert.equal(cli.code, 0, cli.stderr);
  const s = JSON.parse(cli.stdout) as Status;
  for (const f of FEEDS) {
    const st = s.feeds.find((x) => x.name === f)!;
    assert.ok(st.records > 0, `${f} has records`);
    assert.equal(st.source, `mirror:${mirror.url}`);
  }
  assert.equal(recs(s, 'kev'), 1404);
  assert.equal(recs(s, 'httpd'), 244);
  assert.equal(recs(s, 'epss'), 2);
  assert.ok(mirror.requests.every((q) => q.status === 200), 'only mirror paths laid out like upstream were asked for');
  assert.ok(mirror.requests.some((q) => q.path === '/www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json'));
});

test('MyJVN answers are paged through with startItem up to totalRes', { skip: SKIP_SHARED }, async () => {
  const first = mirrorPath(FEED_SOURCES.find((x) => x.feed === 'jvn')!.urls[0]!);
  const seen: string[] = [];
  const page = fixture('myjvn-overview.xml').toString('utf8');
  mirror.behave.set(first, (req, res) => {
    const start = new URL(req.url ?? '/', 'http://x').searchParams.get('startItem') ?? '1';
    seen.push(start);
    const body = start === '1' ? page.replace('totalRes="2"', 'totalRes="4"') : page.replace('firstRes="1"', 'firstRes="3"').replace('totalRes="2"', 'totalRes="4"').replaceAll('JVNDB-2014-000999', 'JVNDB-2014-000998');
    res.writeHead(200).end(body);
    return true;
  });
  try {
    const r = await runCli(['db', 'update', '--mirror', mirror.url, '--feed', 'jvn'], { env });
    assert.equal(r.code, 0, r.stderr);
  } finally {
    mirror.behave.delete(first);
  }
  const queries = FEED_SOURCES.find((x) => x.feed === 'jvn')!.urls.length;
  assert.deepEqual(seen, Array.from({ length: queries }, () => ['1', '3']).flat(), 'two pages for each keyword query');
  const k = openKnowledge(join(home, 'db.sqlite'))!;
  const ids = (k.db.prepare("SELECT id FROM cve_records WHERE feed = 'jvn' ORDER BY id").all() as { id: string }[]).map((x) => x.id);
  k.close();
  assert.ok(ids.includes('JVNDB-2014-000998') && ids.includes('JVNDB-2014-000999'), 'both pages stored');
});

test('a second update sends conditional requests and changes nothing', { skip: SKIP_SHARED }, async () => {
  const before = mirror.requests.length;
  const r = await runCli(['db', 'update', '--mirror', mirror.url, '--feed', 'kev', '--feed', 'httpd', '--feed', 'endoflife'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kev: not modified/);
  const later = mirror.requests.slice(before);
  assert.ok(later.length >= 3 && later.every((q) => q.status === 304), 'ETag honoured: 304 for each');
  assert.equal(recs(await status(), 'kev'), 1404);
});

test('a failing feed keeps its previous data and is reported; 429 is retried; the others go on', { skip: SKIP_SHARED }, async () => {
  const kevPath = mirrorPath(urlOf('kev'));
  const nginxPath = mirrorPath(urlOf('nginx'));
  mirror.behave.set(kevPath, (_q, res) => {
    res.writeHead(503).end('down');
    return true;
  });
  mirror.behave.set(nginxPath, (_q, res, n) => {
    if (n > 1000) return false;
    mirror.behave.delete(nginxPath);
    res.writeHead(429, { 'retry-after': '0' }).end('slow down');
    return true;
  });
  const before = mirror.requests.length;
  const r = await runCli(['db', 'update', '--mirror', mirror.url, '--feed', 'kev', '--feed', 'nginx', '--retries', '2'], { env });
  mirror.behave.delete(kevPath);
  assert.equal(r.code, 1, 'some feeds failed');
  assert.match(r.stderr, /kev: FAILED: .*HTTP 503.*previous data kept \(0 days old\)/);
  assert.match(r.stdout, /nginx: not modified/);
  const later = mirror.requests.slice(before);
  assert.equal(later.filter((q) => q.path === kevPath).length, 3, 'one try and two retries');
  assert.deepEqual(later.filter((q) => q.path === nginxPath).map((q) => q.status), [429, 304]);
  const s = await status();
  const kev = s.feeds.find((f) => f.name === 'kev')!;
  assert.equal(kev.records, 1404);
  assert.match(kev.error ?? '', /HTTP 503/);
  const txt = await runCli(['db', 'status'], { env });
  assert.match(txt.stderr, /feed kev: the last update failed \(.*HTTP 503.*\); its previous data was kept/);
});

test('a hung server times out; when every feed fails the command exits 2', { skip: SKIP_SHARED }, async () => {
  const p = mirrorPath(urlOf('php-version-audit'));
  mirror.behave.set(p, () => true); // never answers
  const r = await runCli(['db', 'update', '--mirror', mirror.url, '--feed', 'php-version-audit', '--timeout', '1', '--retries', '0'], { env });
  mirror.behave.delete(p);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /php-version-audit: FAILED: .*timed out/);
  assert.ok(recs(await status(), 'php-version-audit') > 0, 'previous data kept');
});

test('a per-feed URL in $MAMORI_HOME/config.json is used as given', { skip: SKIP_SHARED }, async () => {
  mirror.behave.set('/internal/nginx-sa.xml', (_q, res) => {
    res.writeHead(200).end(readFileSync(join(sharedData, 'upstream-advisories/nginx/security_advisories.xml')));
    return true;
  });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ feeds: { nginx: { url: `${mirror.url}/internal/nginx-sa.xml` } } }));
  try {
    const r = await runCli(['db', 'update', '--feed', 'nginx'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(mirror.requests.some((q) => q.path === '/internal/nginx-sa.xml'));
    assert.equal((await status()).feeds.find((f) => f.name === 'nginx')!.source, `${mirror.url}/internal/nginx-sa.xml`);
  } finally {
    rmSync(join(home, 'config.json'));
  }
});

function spawnCli(args: string[], e: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env: { ...process.env, LANG: 'C.UTF-8', ...e }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let done = false;
  const exited = new Promise<number | null>((r) =>
    child.on('close', (code, signal) => {
      done = true;
      r(code ?? (signal ? 137 : null));
    }),
  );
  return { child, exited, stderr: () => stderr, done: () => done };
}

const waitFor = async (cond: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('killing mamori during an update leaves the previous DB whole; the next run cleans up', { skip: SKIP_SHARED }, async () => {
  const before = await status();
  const p = mirrorPath(urlOf('nginx'));
  let hung = false;
  mirror.behave.set(p, () => (hung = true));
  const run = spawnCli(['db', 'update', '--mirror', mirror.url, '--feed', 'kev', '--feed', 'debian-tracker', '--feed', 'nginx'], env);
  try {
    await waitFor(() => hung || run.done());
    assert.ok(hung, `the update reached the hung feed (it exited early: ${run.stderr()})`);
    run.child.kill('SIGKILL');
    assert.equal(await run.exited, 137);
  } finally {
    mirror.behave.delete(p);
  }
  assert.ok(readdirSync(home).some((f) => f.includes('.build-')), 'the killed run left its build copy aside');
  const s = await status();
  assert.deepEqual(s.feeds.map((f) => [f.name, f.records]), before.feeds.map((f) => [f.name, f.records]));
  const r = await runCli(['db', 'update', '--mirror', mirror.url, '--feed', 'nginx'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(home).sort(), ['db.sqlite'], 'build copy and stale lock removed');
});

test('killing mamori during an import: the DB is the old one or the new one, never broken', { skip: SKIP_SHARED }, async () => {
  const h = join(tmp, 'import-home');
  mkdirSync(h, { recursive: true });
  const e = { ...env, MAMORI_HOME: h };
  assert.equal((await runCli(['db', 'import', join(sharedData, 'kev')], { env: e })).code, 0);
  // Deterministic: killed at the last moment before the switch.
  const crash = spawnCli(['db', 'import', sharedData], { ...e, MAMORI_TEST_CRASH_BEFORE_RENAME: '1' });
  assert.equal(await crash.exited, 137);
  let s = await status(h);
  assert.equal(recs(s, 'kev'), 1404);
  assert.equal(recs(s, 'httpd'), 0, 'nothing of the killed import is visible');
  // At an arbitrary moment while files are being read.
  const run = spawnCli(['db', 'import', sharedData], e);
  await waitFor(() => /importing/.test(run.stderr()) || run.done());
  await new Promise((r) => setTimeout(r, 150));
  run.child.kill('SIGKILL');
  await run.exited;
  s = await status(h);
  assert.equal(recs(s, 'kev'), 1404);
  assert.ok(recs(s, 'httpd') === 0 || recs(s, 'httpd') === 244, 'old or new, not half');
  const again = await runCli(['db', 'import', join(sharedData, 'upstream-advisories')], { env: e });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(recs(await status(h), 'httpd'), 244);
  assert.deepEqual(readdirSync(h).sort(), ['db.sqlite']);
});

test('db export and db import of the bundle on an air-gapped host', { skip: SKIP_SHARED }, async () => {
  const file = join(tmp, 'mamori-db.bundle');
  const ex = await runCli(['db', 'export', file], { env });
  assert.equal(ex.code, 0, ex.stderr);
  assert.match(ex.stdout, /sha256 [0-9a-f]{64}/);
  const other = join(tmp, 'airgap');
  const im = await runCli(['db', 'import', file], { env: { ...env, MAMORI_HOME: other } });
  assert.equal(im.code, 0, im.stderr);
  assert.match(im.stdout, /imported the bundle/);
  assert.deepEqual((await status(other)).feeds.map((f) => [f.name, f.records, f.updatedAt]), (await status()).feeds.map((f) => [f.name, f.records, f.updatedAt]));
});

test('an unrecognised file is named with the reason and the command fails; a missing path too', async () => {
  const f = join(tmp, 'notes.txt');
  writeFileSync(f, 'just some notes');
  const r = await runCli(['db', 'import', f], { env: { ...env, MAMORI_HOME: join(tmp, 'h3') } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not imported: notes\.txt: not a format of any known feed/);
  assert.ok(!existsSync(join(tmp, 'h3', 'db.sqlite')), 'no DB was created');
  const m = await runCli(['db', 'import', join(tmp, 'nope')], { env });
  assert.equal(m.code, 2);
  assert.match(m.stderr, /does not exist/);
});

test('db status warns about stale and missing feeds; db reindex re-normalises', { skip: SKIP_SHARED }, async () => {
  const h = join(tmp, 'stale-home');
  importPath(join(h, 'db.sqlite'), join(sharedData, 'kev'), { now: new Date(Date.now() - 10 * 86_400_000) });
  const r = await runCli(['db', 'status'], { env: { ...env, MAMORI_HOME: h } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kev\s+1,404\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+10 d !/);
  assert.match(r.stderr, /feed kev is stale: last updated 10 days ago \(over 7 days\)/);
  assert.match(r.stderr, /feed nginx has no data/);
  const ja = await runCli(['db', 'status', '--lang', 'ja'], { env: { ...env, MAMORI_HOME: h } });
  assert.match(ja.stderr, /フィード kev が古くなっています/);
  const re = await runCli(['db', 'reindex'], { env: { ...env, MAMORI_HOME: h } });
  assert.equal(re.code, 0, re.stderr);
  assert.match(re.stdout, /re-normalised 1 raw records?: 1404 records?/);
});
