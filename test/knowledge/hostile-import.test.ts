/**
 * `db import` of hostile and odd inputs, through the built CLI (issue 13 item 5): a zip whose central
 * directory lies about member sizes, a gzip bomb (a random head, then 1 GiB of spaces), a pax-format tar.gz of
 * real feed files, deeply nested JSON, a bundle that is not SQLite, and a bundle with no feed data. Each is
 * either imported or refused with a clear error (exit 2), the previous DB is kept byte for byte, nothing is
 * left beside it, and the CLI's peak RSS (GNU time's "Maximum resident set size") stays under 512 MB.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { constants as zc, createGzip, deflateRawSync, gzipSync, inflateRawSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { binPath, repoRoot, runCli, type CliResult } from '../helpers/cli.js';
import { sharedData, SKIP_SHARED } from './helpers.js';
import { openKnowledge } from '../../src/knowledge/index.js';
import { openWritable } from '../../src/knowledge/store/sqlite.js';
import { BUNDLE_MAGIC, exportDb, unpackBundle } from '../../src/knowledge/export/bundle.js';
import { gunzipFile } from '../../src/knowledge/import/archive.js';

const RSS_LIMIT_KB = 512 * 1024;
const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);

const tmp = mkdtempSync(join(tmpdir(), 'mamori-hostile-'));
const home = join(tmp, 'home');
const db = join(home, 'db.sqlite');
// MAMORI_EMBEDDED_DATA=none: these DBs start empty, not from the embedded snapshot (test/knowledge/default.test.ts).
const env = { MAMORI_HOME: home, MAMORI_EMBEDDED_DATA: 'none' };
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** A KEV catalogue in CISA's format (the fields mamori reads), so the DB has data without ../shared. */
function kevDoc(n: number): string {
  const vulns = Array.from({ length: n }, (_, i) => ({
    cveID: `CVE-2024-${String(1000 + i)}`,
    vendorProject: 'PHP Group',
    product: 'PHP',
    vulnerabilityName: `PHP test vulnerability ${i}`,
    dateAdded: '2024-06-12',
    shortDescription: 'A test entry.',
    requiredAction: 'Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.',
    dueDate: '2024-07-03',
    knownRansomwareCampaignUse: 'Known',
    notes: '',
    cwes: ['CWE-78'],
  }));
  return JSON.stringify({ title: 'CISA Catalog of Known Exploited Vulnerabilities', catalogVersion: '2024.06.12', dateReleased: '2024-06-12T00:00:00.000Z', count: n, vulnerabilities: vulns });
}

/** Run the CLI under GNU time: the result plus the process's peak RSS in kB. */
function runMeasured(args: string[]): Promise<CliResult & { rssKb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TIME, ['-v', process.execPath, binPath, ...args], { cwd: repoRoot, env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: '', NO_COLOR: '1', ...env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      assert.ok(m, `GNU time reported the peak RSS: ${stderr.slice(-500)}`);
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: stderr.replace(/\n\tCommand being timed:[\s\S]*$/, ''), rssKb: Number(m[1]) });
    });
  });
}

let before0 = '';
/** The DB is still the one imported in `before`, and nothing else lies beside it. */
function assertKept(what: string): void {
  assert.equal(sha(db), before0, `${what}: the previous DB is kept byte for byte`);
  assert.deepEqual(readdirSync(home).sort(), ['db.sqlite'], `${what}: nothing left behind (no build copy, no lock)`);
}

before(async () => {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(tmp, 'kev.json'), kevDoc(40));
  const r = await runCli(['db', 'import', join(tmp, 'kev.json')], { env });
  assert.equal(r.code, 0, r.stderr);
  before0 = sha(db);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** One zip member record set: local header + data, central directory entry. */
function zipWithLyingDirectory(members: { name: string; data: Buffer; declared: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(8, 8); // deflate
    lh.writeUInt32LE(m.data.length, 18);
    lh.writeUInt32LE(m.declared, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(8, 10);
    ch.writeUInt32LE(m.data.length, 20);
    ch.writeUInt32LE(m.declared, 24); // the lie: a few bytes declared, hundreds of MB inside
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(off, 42);
    locals.push(lh, name, m.data);
    central.push(ch, name);
    off += 30 + name.length + m.data.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(off, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** A raw deflate stream of `mb` MiB of one byte, built in pieces (sync-flushed blocks, then a final one). */
function deflatedRun(mb: number, byte: number): Buffer {
  const piece = deflateRawSync(Buffer.alloc(1024 * 1024, byte), { finishFlush: zc.Z_SYNC_FLUSH, level: 9 });
  return Buffer.concat([...Array.from({ length: mb }, () => piece), deflateRawSync(Buffer.alloc(0))]);
}

test('a zip whose central directory lies about member sizes: refused member by member, under 512 MB RSS, DB kept', { skip: !haveTime && `${TIME} (Debian package "time") is absent: cannot measure the peak RSS` }, async () => {
  const data = deflatedRun(300, 0x20);
  assert.equal(inflateRawSync(data.subarray(0, 64 * 1024), { finishFlush: zc.Z_SYNC_FLUSH }).length > 1024 * 1024, true, 'the members really are bombs');
  const json = deflateRawSync(Buffer.from(kevDoc(3)));
  const zip = zipWithLyingDirectory([
    ...Array.from({ length: 8 }, (_, i) => ({ name: `osv/ALSA-2024-${i}.json`, data, declared: 2048 })),
    { name: 'kev/known_exploited_vulnerabilities.json', data: json, declared: 100 },
  ]);
  const file = join(tmp, 'all.zip');
  writeFileSync(file, zip);
  const r = await runMeasured(['db', 'import', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /osv\/ALSA-2024-0\.json: inflates past the 2048 bytes its central directory declares/);
  assert.match(r.stderr, /kev\/known_exploited_vulnerabilities\.json: inflates past the 100 bytes/);
  assert.match(r.stderr, /nothing in .*all\.zip could be imported; the knowledge DB was left as it was/);
  assert.ok(r.rssKb < RSS_LIMIT_KB, `peak RSS ${Math.round(r.rssKb / 1024)} MB, limit 512 MB (8 members × 300 MiB real)`);
  console.log(`# lying zip (8 × 300 MiB inflated, 2 KiB declared): peak RSS ${Math.round(r.rssKb / 1024)} MB (limit 512 MB)`);
  assertKept('lying zip');
});

test('a gzip with a random head and 1 GiB of spaces: refused at 128 MiB inflated, under 512 MB RSS, DB kept', { skip: !haveTime && `${TIME} (Debian package "time") is absent: cannot measure the peak RSS` }, async () => {
  const file = join(tmp, 'spaces.json.gz');
  const gz = createGzip({ level: 1 });
  const done = once(gz.pipe(createWriteStream(file)), 'finish');
  gz.write(randomBytes(4096));
  const spaces = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < 1024; i++) if (!gz.write(spaces)) await once(gz, 'drain');
  gz.end();
  await done;
  const r = await runMeasured(['db', 'import', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /spaces\.json\.gz: decompresses to more than 128 MiB/);
  assert.ok(r.rssKb < RSS_LIMIT_KB, `peak RSS ${Math.round(r.rssKb / 1024)} MB, limit 512 MB`);
  console.log(`# gzip bomb (1 GiB of spaces): peak RSS ${Math.round(r.rssKb / 1024)} MB (limit 512 MB)`);
  assertKept('gzip bomb');
});

test('just under the caps: a KEV head then 120 MiB of spaces (gzip), and a zip of three 120 MiB members, stay under 512 MB RSS', { skip: !haveTime && `${TIME} (Debian package "time") is absent: cannot measure the peak RSS` }, async () => {
  const spaces = Buffer.alloc(120 * 1024 * 1024, 0x20);
  const kev = join(tmp, 'kev-spaces.json.gz');
  writeFileSync(kev, gzipSync(Buffer.concat([Buffer.from(kevDoc(2).slice(0, -1)), spaces, Buffer.from('}')]), { level: 1 }));
  const zip = join(tmp, 'spaces.zip');
  writeFileSync(zip, zipSync({ 'a.json': spaces, 'b.json': spaces, 'c.json': spaces }, { level: 1 }));
  for (const [file, code] of [
    [kev, 0],
    [zip, 2],
  ] as const) {
    const h = join(tmp, `near-${code}`);
    const r = await runMeasured(['--db', join(h, 'db.sqlite'), 'db', 'import', file]);
    assert.equal(r.code, code, r.stderr);
    assert.ok(r.rssKb < RSS_LIMIT_KB, `${file}: peak RSS ${Math.round(r.rssKb / 1024)} MB, limit 512 MB`);
    console.log(`# ${file.split('/').pop()}: peak RSS ${Math.round(r.rssKb / 1024)} MB (limit 512 MB)`);
  }
});

test('a pax-format tar.gz of real feed files (long names in pax records) is imported', { skip: SKIP_SHARED }, async () => {
  // real OSV advisories under a directory name too long for ustar (pax `path` records), then KEV and nginx;
  // tar's output made reproducible so its first 4 KiB inflate past 64 KiB, as in the report
  const src = join(tmp, 'pax-src');
  const long = `${'a-directory-name-long-enough-for-pax-'.repeat(3)}json`;
  cpSync(join(sharedData, 'osv/almalinux/advisories'), join(src, long), { recursive: true });
  cpSync(join(sharedData, 'kev'), join(src, 'kev'), { recursive: true });
  cpSync(join(sharedData, 'upstream-advisories/nginx'), join(src, 'nginx'), { recursive: true });
  const file = join(tmp, 'feeds.tar.gz');
  const opts = '--format=pax --sort=name --mtime=@1767225600 --owner=0 --group=0 --numeric-owner --pax-option=delete=atime,delete=ctime';
  const t = spawnSync('sh', ['-c', `tar ${opts} -cf - -C '${src}' . | gzip -9 > '${file}'`], { encoding: 'utf8' });
  assert.equal(t.status, 0, t.stderr);
  const first4KiB = inflateRawSync(readFileSync(file).subarray(10, 4096), { finishFlush: zc.Z_SYNC_FLUSH });
  assert.ok(first4KiB.length > 64 * 1024, `its first 4 KiB inflate past 64 KiB (${first4KiB.length} bytes)`);
  const h = join(tmp, 'pax-home');
  const r = await runCli(['db', 'import', file], { env: { MAMORI_HOME: h } });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  const k = openKnowledge(join(h, 'db.sqlite'))!;
  try {
    const recs = (n: string) => k.feeds().find((f) => f.name === n)?.records ?? 0;
    assert.ok(recs('kev') > 1000, 'KEV imported');
    assert.ok(recs('nginx') > 10, 'nginx imported');
    assert.ok(recs('osv-almalinux') > 50, 'OSV records under a long (pax) path imported');
    const sources = (k.db.prepare("SELECT source FROM raw WHERE feed = 'osv-almalinux'").all() as { source: string }[]).map((x) => x.source);
    assert.ok(sources.length > 50 && sources.every((x) => x.includes(`!/./${long}/`)), `members named by their pax path: ${sources[0]}`);
  } finally {
    k.close();
  }
});

test('deeply nested JSON is a clear error (exit 2), not a stack overflow; DB kept', async () => {
  const deep = join(tmp, 'changelog5-cves-by-version.json');
  writeFileSync(deep, `{"5.6.40":{"date":"10-Jan-2019","cves":["CVE-2019-6977"],"notes":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
  const r = await runCli(['db', 'import', deep], { env });
  assert.equal(r.code, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.match(r.stderr, /changelog5-cves-by-version\.json: JSON nested deeper than 512 levels/);
  assertKept('nested JSON');
  // with a good file beside it, the good file goes in and the deep one is named
  const dir = join(tmp, 'mixed');
  mkdirSync(dir);
  cpSync(deep, join(dir, 'deep.json'));
  writeFileSync(join(dir, 'kev.json'), kevDoc(41));
  const h = join(tmp, 'mixed-home');
  const m = await runCli(['db', 'import', dir], { env: { MAMORI_HOME: h } });
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stderr, /deep\.json: JSON nested deeper/);
});

function bundleOf(dbBytes: Buffer, manifest: Record<string, unknown> = {}): Buffer {
  const m = { format: 'mamori-db-bundle', version: 1, createdAt: '2026-12-01T00:00:00.000Z', schemaVersion: 1, size: dbBytes.length, sha256: createHash('sha256').update(dbBytes).digest('hex'), feeds: [{ name: 'kev', records: 9, updatedAt: null }], ...manifest };
  return gzipSync(Buffer.concat([Buffer.from(BUNDLE_MAGIC), Buffer.from(`${JSON.stringify(m)}\n`), dbBytes]));
}

test('a bundle that is not SQLite, or a damaged SQLite file: exit 2 with the reason, DB kept, no build copy left', async () => {
  const cases: [string, Buffer, RegExp][] = [
    ['random.mamori', bundleOf(randomBytes(64 * 1024)), /does not hold a SQLite database/],
    ['damaged.mamori', bundleOf(Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(8192)])), /bundled DB/],
    ['future.mamori', bundleOf(randomBytes(100), { schemaVersion: 99 }), /schema 99, newer than this mamori/],
    ['noschema.mamori', bundleOf(randomBytes(100), { schemaVersion: 'x' }), /unknown schema/],
    ['cut.mamori', bundleOf(readFileSync(db)).subarray(0, 2000), /truncated or damaged/],
  ];
  for (const [name, bytes, why] of cases) {
    const f = join(tmp, name);
    writeFileSync(f, bytes);
    const r = await runCli(['db', 'import', f], { env });
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error/, name);
    assert.match(r.stderr, why, name);
    assertKept(name);
  }
});

test('gunzip: a stream cut at any byte is reported damaged; a whole stream and a multi-member stream are not', () => {
  const text = Buffer.from(Array.from({ length: 4000 }, (_, i) => `{"id":"CVE-2024-${i}","pkg":"php${i % 7}"}\n`).join(''));
  const gz = gzipSync(Buffer.concat([randomBytes(2048), text]));
  const run = (bytes: Buffer) => {
    const f = join(tmp, 'law.gz');
    writeFileSync(f, bytes);
    let out = 0;
    let ended: string | undefined | null = null;
    const stop = gunzipFile(f, { write: (c) => ((out += c.length), true), end: (d) => (ended = d) }, 1 << 30);
    return { stop, out, ended };
  };
  const whole = run(gz);
  assert.equal(whole.stop, undefined);
  assert.equal(whole.out, text.length + 2048);
  const two = run(Buffer.concat([gz, gzipSync(text)]));
  assert.equal(two.stop, undefined, 'two members');
  assert.equal(two.out, 2 * text.length + 2048);
  let cuts = 0;
  for (let at = 10; at < gz.length; at += 13) {
    const r = run(gz.subarray(0, at));
    assert.match(r.stop ?? '', /truncated or damaged/, `cut at ${at} of ${gz.length}`);
    assert.equal(r.ended, r.stop, 'the sink hears the same reason');
    cuts++;
  }
  assert.ok(cuts > 100);
});

test('a bundle cut anywhere after its header is named truncated, wherever the cut falls in the gzip stream', () => {
  // a cut on a deflate block boundary inflates without an error: the size the manifest declares still tells
  const whole = bundleOf(readFileSync(db));
  const out = join(tmp, 'cut-unpacked.sqlite');
  let cuts = 0;
  for (let at = 1000; at < whole.length - 8; at += Math.max(97, Math.floor(whole.length / 60))) {
    const f = join(tmp, `cut-${at}.mamori`);
    writeFileSync(f, whole.subarray(0, at));
    assert.throws(() => unpackBundle(f, out), /truncated or damaged/, `cut at ${at} of ${whole.length}`);
    assert.equal(existsSync(out), false, `no partial DB left after the cut at ${at}`);
    cuts++;
  }
  assert.ok(cuts >= 10, `cut at ${cuts} places`);
});

test('a bundle with no feed data does not replace a DB that has data, unless --force', async () => {
  const emptyDb = join(tmp, 'empty', 'db.sqlite');
  mkdirSync(join(tmp, 'empty'));
  openWritable(emptyDb).close();
  const file = join(tmp, 'empty.mamori');
  await exportDb(emptyDb, file);
  const r = await runCli(['db', 'import', file], { env });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /holds no feed data .*left as it was.*--force/);
  assertKept('empty bundle');
  const forced = await runCli(['db', 'import', '--force', file], { env: { MAMORI_HOME: join(tmp, 'forced') } });
  assert.equal(forced.code, 0, forced.stderr);
  // a real bundle still goes in (the refusal is about emptiness, not bundles)
  const real = join(tmp, 'real.mamori');
  await exportDb(db, real);
  const ok = await runCli(['db', 'import', real], { env: { MAMORI_HOME: join(tmp, 'other') } });
  assert.equal(ok.code, 0, ok.stderr);
});
