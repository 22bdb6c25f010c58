/**
 * Knowledge out of the box: the embedded snapshot (data/, listed in data/SOURCES.tsv) loaded on first use
 * without network, the automatic refresh before scans (--offline, --skip-db-update, --db-max-age), and
 * concurrent first uses. Scans run through the built CLI against a loopback HTTP server that answers as a
 * CentOS 6 shop (Apache/2.2.15 (CentOS), PHP/5.3.3); feeds come from a loopback mirror serving their real
 * upstream formats, or from a closed loopback port ("no network").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { repoRoot, runCli } from '../helpers/cli.js';
import { freePort } from '../site/servers.js';
import { FEED_SOURCES } from '../../src/knowledge/update/sources.js';
import { openKnowledge } from '../../src/knowledge/index.js';
import { findEmbeddedData, loadEmbedded, parseSources, readEmbeddedData } from '../../src/knowledge/snapshot/index.js';
import { assembleReport } from '../../src/scan/assemble.js';
import { sqliteKnowledge } from '../../src/knowledge/provider.js';
import { addKnowledgeSnapshot, prepareScanKnowledge } from '../../src/cli/knowledge-prep.js';
import { makeT, type CommandContext } from '../../src/cli/context.js';
import type { ReportDocument } from '../../src/core/model.js';
import { fixture } from '../assess/helpers.js';
import { mirrorPath, SKIP_SHARED, startMirror, upstreamFiles } from './helpers.js';

const built = existsSync(join(repoRoot, 'dist/cli/main.js')) ? false : 'dist/ missing: run npm run build first';
const tmp = mkdtempSync(join(tmpdir(), 'mamori-default-'));
const dataDir = join(repoRoot, 'data');
const SNAPSHOT_DATE = readEmbeddedData(dataDir).date;
let shop: Server;
let shopUrl = '';
let closed = 0;

before(async () => {
  shop = createServer((req, res) => {
    const h = { server: 'Apache/2.2.15 (CentOS)', 'x-powered-by': 'PHP/5.3.3', 'content-type': 'text/html; charset=utf-8' };
    res.writeHead(req.url === '/' ? 200 : 404, h).end('<html><body><h1>shop</h1></body></html>');
  });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', () => r()));
  shopUrl = `http://127.0.0.1:${(shop.address() as { port: number }).port}/`;
  closed = await freePort();
});
after(async () => {
  shop.closeAllConnections();
  await new Promise<void>((r) => shop.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh $MAMORI_HOME whose config sends every feed to `mirror` (a closed port: no network). */
function home(name: string, mirror: string): string {
  const h = join(tmp, name);
  mkdirSync(h, { recursive: true });
  writeFileSync(join(h, 'config.json'), JSON.stringify({ mirror }));
  return h;
}
const online = (h: string) => ({ MAMORI_HOME: h, MAMORI_OFFLINE: '', MAMORI_RETRY_BASE_MS: '5', MAMORI_JVN_DELAY_MS: '0' });
const scanSite = (h: string, extra: string[] = [], env: NodeJS.ProcessEnv = online(h)) =>
  runCli(['scan', 'site', shopUrl, '--https-port', String(closed), '--no-tls', '--rate', '500', '--budget', '60', '--max-pages', '3', '--format', 'json', ...extra], { env, timeoutMs: 120_000 });

test('data/SOURCES.tsv lists every vendored file with its source, date and licence; a few MB in all', () => {
  const d = readEmbeddedData(dataDir);
  assert.equal(findEmbeddedData({}), dataDir);
  const listed = d.sources.map((s) => s.path);
  const licences = new Set(d.sources.map((s) => s.licenceFile).filter((f) => f !== '-'));
  let bytes = 0;
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  for (const abs of walk(dataDir)) {
    const rel = relative(dataDir, abs);
    bytes += statSync(abs).size;
    if (rel === 'SOURCES.tsv' || licences.has(rel)) continue;
    assert.ok(listed.some((p) => rel === p || rel.startsWith(`${p}/`)), `${rel} is listed in data/SOURCES.tsv`);
  }
  for (const s of d.sources) {
    assert.match(s.source, /^https:\/\//, s.path);
    assert.ok(s.licence.length > 2, s.path);
    if (s.licenceFile !== '-') assert.ok(existsSync(join(dataDir, s.licenceFile)), `${s.licenceFile} exists`);
  }
  const feeds = new Set(d.sources.map((s) => s.feed));
  for (const f of ['distro-info', 'endoflife', 'friendsofphp', 'httpd', 'kev', 'nginx', 'php-releases', 'php-version-audit']) assert.ok(feeds.has(f), f);
  assert.ok(bytes < 8 * 1024 * 1024, `${bytes} bytes`);
  assert.throws(() => parseSources('path\tfeed\n'), /expected the header/);
  assert.throws(() => parseSources(`${readFileSync(join(dataDir, 'SOURCES.tsv'), 'utf8')}x\tkev\t2026-13-45\ts\tu\tv\tl\tf\n`), /date 2026-13-45/);
  assert.throws(() => parseSources('path\tfeed\tdate\tsource\tupstream_path\tversion\tlicence\tlicence_file\n../etc\tkev\t2026-01-01\ts\tu\tv\tl\tf\n'), /inside data/);
});

test('no network: scan site on a fresh home reports end of life and CVEs from the embedded snapshot, names its date; the failed refresh is a gap', { skip: built }, async () => {
  const h = home('no-network', `http://127.0.0.1:${closed}`);
  const r = await scanSite(h);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as ReportDocument;
  assert.equal(doc.knowledge.snapshot?.kind, 'embedded');
  assert.equal(doc.knowledge.snapshot?.builtAt.slice(0, 10), SNAPSHOT_DATE);
  assert.equal(doc.knowledge.snapshot?.refresh, 'failed');
  assert.ok((doc.knowledge.snapshot?.ageDays ?? -1) >= 0);
  const eol = doc.findings.filter((f) => f.category === 'end-of-life').map((f) => f.title);
  assert.ok(eol.some((t) => /php 5\.3 reached end of life on 2014-08-14/.test(t)), eol.join('\n'));
  assert.ok(eol.some((t) => /CentOS 6 reached end of life on 2020-11-30/.test(t)), eol.join('\n'));
  assert.ok(doc.findings.some((f) => f.category === 'vulnerability' && f.cves?.includes('CVE-2012-1823')), 'CVE-2012-1823 (KEV) for PHP 5.3.3');
  const kev = doc.knowledge.feeds.find((f) => f.name === 'kev');
  assert.equal(kev?.updatedAt?.slice(0, 10), '2025-08-25', 'a feed is as old as its data, not as its loading');
  assert.match(kev?.source ?? '', /^embedded: https:\/\/github.com\/cisagov\/kev-data/);
  const gap = doc.gaps.find((g) => g.code === 'knowledge.gap.failed');
  assert.match(gap?.why ?? '', /Could not refresh \d+ feeds \(kev, .*ECONNREFUSED.*previous data/s);
  assert.match(r.stderr, new RegExp(`loaded the embedded snapshot of ${SNAPSHOT_DATE} into .*no network`));
  assert.match(r.stderr, /warning: knowledge refresh failed/);
  // The refresh gives up once the mirror proves unreachable instead of trying each feed.
  assert.match(gap?.why ?? '', /the network looks unreachable: .*ECONNREFUSED/);
  assert.equal(r.stderr.match(/knowledge: [\w-]+: failed/g)?.length, 1, `one line for the feed tried:\n${r.stderr}`);
  assert.match(r.stderr, /not tried \(\d+ feed\(s\): .*endoflife.*\): the network looks unreachable/);
  // The owner's report names it too, and the SARIF and CycloneDX documents.
  const saved = join(h, 'scan.json');
  writeFileSync(saved, r.stdout);
  const html = await runCli(['report', saved, '--format', 'html', '--output', join(h, 'report.html')], { env: online(h) });
  assert.equal(html.code, 0, html.stderr);
  assert.match(readFileSync(join(h, 'report.html'), 'utf8'), new RegExp(`knowledge-snapshot">Knowledge: embedded snapshot of ${SNAPSHOT_DATE} \\(\\d+ days old\\); refresh: failed<`));
  const sarif = await runCli(['report', saved, '--format', 'sarif'], { env: online(h) });
  assert.equal((JSON.parse(sarif.stdout) as { runs: { properties: { knowledgeSnapshot: { kind: string } } }[] }).runs[0]!.properties.knowledgeSnapshot.kind, 'embedded');
  const bom = await runCli(['report', saved, '--format', 'cyclonedx'], { env: online(h) });
  assert.ok((JSON.parse(bom.stdout) as { metadata: { properties: { name: string; value: string }[] } }).metadata.properties.some((p) => p.name === 'mamori:knowledge:snapshot' && p.value === 'embedded'));

  // The table says which snapshot and how old; nothing is loaded twice.
  const t = await runCli(['scan', 'site', shopUrl, '--https-port', String(closed), '--no-tls', '--rate', '500', '--budget', '60', '--max-pages', '3', '--format', 'table', '--offline'], { env: online(h) });
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, new RegExp(`Knowledge: embedded snapshot of ${SNAPSHOT_DATE} \\(\\d+ days old\\); refresh: offline`));
  assert.doesNotMatch(t.stderr, /loaded the embedded snapshot/);
});

test('--offline and --skip-db-update send no request to any feed; MAMORI_OFFLINE too', { skip: SKIP_SHARED || built }, async () => {
  const m = await startMirror(upstreamFiles());
  try {
    const h = home('offline', m.url);
    for (const [extra, env] of [[['--offline'], online(h)], [['--skip-db-update'], online(h)], [[], { ...online(h), MAMORI_OFFLINE: '1' }]] as const) {
      const r = await scanSite(h, [...extra], env);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as ReportDocument;
      assert.equal(doc.knowledge.snapshot?.kind, 'embedded');
      assert.match(r.stderr, /feed\(s\) older than 24h not refreshed \((--offline|--skip-db-update)\)/);
    }
    assert.deepEqual(m.requests, [], 'the mirror saw no request');
  } finally {
    await m.close();
  }
});

test('a stale DB is refreshed from a loopback mirror in the real formats; fresh feeds are left alone; --db-max-age', { skip: SKIP_SHARED || built }, async () => {
  const m = await startMirror(upstreamFiles());
  try {
    const h = home('refresh', m.url);
    const r = await scanSite(h);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as ReportDocument;
    // The mirror holds some feeds (kev, endoflife, httpd, nginx, …) and not others (osv-debian, epss, …): partial.
    assert.equal(doc.knowledge.snapshot?.kind, 'updated');
    assert.equal(doc.knowledge.snapshot?.refresh, 'partial');
    assert.equal(doc.knowledge.snapshot?.embeddedAt?.slice(0, 10), SNAPSHOT_DATE);
    const kev = doc.knowledge.feeds.find((f) => f.name === 'kev')!;
    assert.equal(kev.source, `mirror:${m.url}`);
    assert.ok(Date.now() - Date.parse(kev.updatedAt!) < 3_600_000, 'kev was refreshed now');
    assert.match(doc.gaps.find((g) => g.code === 'knowledge.gap.failed')?.why ?? '', /HTTP 404/);
    assert.match(r.stderr, /refreshing \d+ feed\(s\) older than 24h/);
    assert.match(r.stderr, /knowledge: kev: updated/);
    assert.ok(doc.findings.some((f) => f.cves?.includes('CVE-2012-1823')));
    const kevPath = mirrorPath(FEED_SOURCES.find((s) => s.feed === 'kev')!.urls[0]!);
    assert.equal(m.requests.filter((q) => q.path === kevPath).length, 1);

    // Within the maximum age: only the feeds that failed are asked again.
    m.requests.length = 0;
    const again = await scanSite(h);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(m.requests.length > 0 && !m.requests.some((q) => q.path === kevPath), JSON.stringify(m.requests.slice(0, 5)));
    // --db-max-age 0m: every feed is due again; unchanged ones answer 304.
    m.requests.length = 0;
    const all = await scanSite(h, ['--db-max-age', '0m']);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(m.requests.filter((q) => q.path === kevPath), [{ path: kevPath, status: 304 }]);
    const bad = await scanSite(h, ['--db-max-age', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--db-max-age takes an age such as 30m, 24h or 7d, not "soon"/);
  } finally {
    await m.close();
  }
});

test('a failing refresh keeps the previous data, is reported, and the scan still succeeds', { skip: SKIP_SHARED || built }, async () => {
  const m = await startMirror(upstreamFiles());
  try {
    const kevPath = mirrorPath(FEED_SOURCES.find((s) => s.feed === 'kev')!.urls[0]!);
    m.behave.set(kevPath, (_req, res) => (res.writeHead(500).end('upstream broken'), true));
    const h = home('failing', m.url);
    const r = await scanSite(h);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as ReportDocument;
    assert.match(doc.gaps.find((g) => g.code === 'knowledge.gap.failed')?.why ?? '', /kev/);
    assert.ok(doc.findings.some((f) => f.cves?.includes('CVE-2012-1823') && /exploited/.test(f.title)), 'KEV data of the embedded snapshot still used');
    const store = openKnowledge(join(h, 'db.sqlite'))!;
    try {
      const k = store.feeds().find((f) => f.name === 'kev')!;
      assert.equal(k.records, 1404);
      assert.equal(k.updatedAt?.slice(0, 10), '2025-08-25');
      assert.match(k.error ?? '', /HTTP 500/);
    } finally {
      store.close();
    }
  } finally {
    await m.close();
  }
});

test('while another mamori updates the DB, a scan uses the current data and says so', { skip: built }, async () => {
  const h = home('busy', `http://127.0.0.1:${closed}`);
  assert.equal((await scanSite(h, ['--offline'])).code, 0);
  writeFileSync(join(h, 'db.sqlite.lock'), String(process.pid)); // this test process: alive, not the CLI
  try {
    const r = await scanSite(h);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as ReportDocument;
    assert.equal(doc.knowledge.snapshot?.refresh, 'busy');
    assert.match(doc.gaps.find((g) => g.code === 'knowledge.gap.busy')?.why ?? '', /Another mamori was updating the knowledge DB/);
    assert.ok(doc.findings.some((f) => f.cves?.includes('CVE-2012-1823')));
  } finally {
    rmSync(join(h, 'db.sqlite.lock'), { force: true });
  }
});

test('a $MAMORI_HOME that cannot be written: the scan goes on with a gap; db status says what to do', { skip: built }, async () => {
  const file = join(tmp, 'a-file');
  writeFileSync(file, 'not a directory');
  const h = join(file, 'home');
  const r = await scanSite(h, ['--offline'], { MAMORI_HOME: h });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as ReportDocument;
  assert.match(doc.gaps.find((g) => g.code === 'knowledge.gap.load')?.why ?? '', /cannot write the knowledge DB at .*set MAMORI_HOME to a writable directory/);
  assert.ok(doc.gaps.some((g) => g.code === 'assess.gap.noDb'));
  const st = await runCli(['db', 'status'], { env: { MAMORI_HOME: h } });
  assert.equal(st.code, 2);
  assert.match(st.stderr, /cannot write the knowledge DB/);
});

test('concurrent first uses: one process loads the snapshot, the others wait and use it', { skip: built }, async () => {
  const h = join(tmp, 'concurrent');
  const runs = await Promise.all([0, 1, 2].map(() => runCli(['db', 'status', '--format', 'json'], { env: { MAMORI_HOME: h } })));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.equal(runs.filter((r) => /loaded the embedded snapshot/.test(r.stderr)).length, 1);
  const feeds = runs.map((r) => (JSON.parse(r.stdout) as { feeds: { name: string; records: number }[] }).feeds.filter((f) => f.records > 0).map((f) => `${f.name}:${f.records}`));
  assert.deepEqual(feeds[1], feeds[0]);
  assert.deepEqual(feeds[2], feeds[0]);
  assert.ok(feeds[0]!.includes('kev:1404'), feeds[0]!.join(' '));
  assert.deepEqual(readdirSync(h).sort(), ['db.sqlite'], 'no lock or build file left');
});

test('db status on a fresh home lists every feed with records, age and source, and names the snapshot', { skip: built }, async () => {
  const h = join(tmp, 'status');
  const r = await runCli(['db', 'status'], { env: { MAMORI_HOME: h } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Knowledge: embedded snapshot of ${SNAPSHOT_DATE} \\(\\d+ days old\\)`));
  assert.match(r.stdout, /kev\s+1,404\s+0\s+2025-08-25 00:00\s+\d+(\.\d)? d !\s+embedded: https:\/\/github.com\/cisagov\/kev-data/);
  assert.match(r.stdout, /osv-debian\s+–\s+0\s+missing/);
  // An explicit --db that does not exist is a mistake to report, not a place to create a DB.
  const missing = await runCli(['db', 'status', '--db', join(tmp, 'nope', 'db.sqlite')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no knowledge DB/);
});

test('scan host on this machine, offline: the report names the embedded snapshot and has support phases', { skip: built }, async () => {
  const h = join(tmp, 'host');
  const r = await runCli(['scan', 'host', '--offline', '--format', 'json'], { env: { MAMORI_HOME: h }, timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as ReportDocument;
  assert.equal(doc.knowledge.snapshot?.kind, 'embedded');
  assert.equal(doc.knowledge.snapshot?.refresh, 'offline');
  assert.ok(doc.lifecycle?.some((l) => l.phase !== 'unknown' && l.source), JSON.stringify(doc.lifecycle?.slice(0, 2)));
});

test('a CentOS 6 shop (captured inventory) with PHP 5.3.3 built in /usr/local, fresh offline home: end of life and CVEs', async () => {
  const h = join(tmp, 'centos6');
  const chunks: string[] = [];
  const stdout = Object.assign(new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c.toString()), cb()) }), { isTTY: false });
  const ctx: CommandContext = {
    commandName: 'mamori scan host',
    positionals: [],
    options: { format: 'json', offline: true },
    lang: 'en',
    io: { stdout, stderr: new Writable({ write: (_c, _e, cb) => cb() }), stdin: process.stdin },
    env: { MAMORI_HOME: h },
    dbPath: join(h, 'db.sqlite'),
    t: makeT('en'),
    warn: () => undefined,
    progress: () => undefined,
    quiet: true,
    color: false,
  };
  const kn = await prepareScanKnowledge(ctx);
  assert.deepEqual([kn.refresh, kn.gaps], ['offline', []]);
  const fx = fixture('centos6-shop.json');
  // The field's other common case beside the distro's PHP: one built from source (matched upstream).
  fx.inventory.components.push({ name: 'php', version: '5.3.3', detectedBy: 'command:/usr/local/bin/php -v', location: '/usr/local/bin/php' });
  const assembled = await assembleReport({ ...fx, scannedAt: new Date('2026-11-23T00:00:00Z') }, sqliteKnowledge(ctx.dbPath), { lang: 'en' });
  const doc = await addKnowledgeSnapshot(assembled, kn, ctx.dbPath);
  assert.deepEqual(doc.knowledge.snapshot, { kind: 'embedded', builtAt: `${SNAPSHOT_DATE}T00:00:00.000Z`, ageDays: Math.floor((Date.parse('2026-11-23') - Date.parse(SNAPSHOT_DATE)) / 86_400_000), embeddedAt: `${SNAPSHOT_DATE}T00:00:00.000Z`, refresh: 'offline' });
  assert.ok(doc.findings.some((f) => f.category === 'end-of-life' && /CentOS 6/.test(f.title)), doc.findings.map((f) => f.title).join('\n'));
  assert.ok(doc.findings.some((f) => f.category === "end-of-life" && /php 5\.3/i.test(f.title)), doc.findings.map((f) => f.title).join("\n"));
  assert.ok(doc.findings.some((f) => f.cves?.includes('CVE-2012-1823')));
});

test('the packed package carries data/ and its installed CLI finds it', { skip: built }, async () => {
  const dest = join(tmp, 'pack');
  mkdirSync(dest);
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], { cwd: repoRoot, encoding: 'utf8' });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  for (const s of readEmbeddedData(dataDir).sources) assert.ok(info!.files.some((f) => f.path.startsWith(`data/${s.path}`)), `${s.path} is packed`);
  assert.ok(info!.files.some((f) => f.path === 'data/SOURCES.tsv'));
  // Installed as node_modules/mamori (its dependencies linked from this checkout: no registry needed).
  const pkg = join(tmp, 'prefix', 'node_modules', 'mamori');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', join(dest, info!.filename), '-C', pkg, '--strip-components=1']);
  symlinkSync(join(repoRoot, 'node_modules'), join(pkg, 'node_modules'));
  const h = join(tmp, 'installed-home');
  const r = spawnSync(process.execPath, [join(pkg, 'bin/mamori.js'), 'db', 'status', '--format', 'json'], { env: { ...process.env, MAMORI_HOME: h }, encoding: 'utf8', cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /loaded the embedded snapshot/);
  assert.equal((JSON.parse(r.stdout) as { snapshot: { kind: string } }).snapshot.kind, 'embedded');
  await loadEmbedded(join(h, 'db.sqlite')); // already there: a no-op
});
