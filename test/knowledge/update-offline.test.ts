/**
 * `db update` without a network (issue 13 item 8): progress per feed on stderr as it goes, no retries when a
 * name does not resolve or a connection is refused, the other feeds not tried once the network looks
 * unreachable, an overall deadline, and one closing message saying how to work offline.
 *
 * No packet leaves this machine: connection refusal is tested on loopback through the CLI; name resolution
 * failure through the CLI inside a network namespace of its own with no interface up (`unshare -n`: the
 * resolver cannot be reached, getaddrinfo fails at once), and in-process with a fetch that fails exactly as
 * undici does without DNS (`TypeError: fetch failed`, cause `getaddrinfo ENOTFOUND host`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { binPath, repoRoot, runCli } from '../helpers/cli.js';
import { openKnowledge } from '../../src/knowledge/index.js';
import { updateFeeds } from '../../src/knowledge/update/index.js';
import { fetchFeed, NetState } from '../../src/knowledge/update/http.js';
import { FEED_SOURCES } from '../../src/knowledge/update/sources.js';

const tmp = mkdtempSync(join(tmpdir(), 'mamori-offline-'));
const home = join(tmp, 'home');
const env = { MAMORI_HOME: home, MAMORI_RETRY_BASE_MS: '5', MAMORI_JVN_DELAY_MS: '0' };
const DEFAULT_FEEDS = FEED_SOURCES.filter((s) => s.byDefault).length;

const kevRecords = () => {
  const k = openKnowledge(join(home, 'db.sqlite'))!;
  try {
    return k.feeds().find((f) => f.name === 'kev')!.records;
  } finally {
    k.close();
  }
};

before(async () => {
  const kev = {
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion: '2024.06.12',
    dateReleased: '2024-06-12T00:00:00.000Z',
    count: 1,
    vulnerabilities: [{ cveID: 'CVE-2024-4577', vendorProject: 'PHP Group', product: 'PHP', vulnerabilityName: 'PHP-CGI OS Command Injection Vulnerability', dateAdded: '2024-06-12', shortDescription: 'x', requiredAction: 'x', dueDate: '2024-07-03', knownRansomwareCampaignUse: 'Known', notes: '', cwes: ['CWE-78'] }],
  };
  writeFileSync(join(tmp, 'kev.json'), JSON.stringify(kev));
  const r = await runCli(['db', 'import', join(tmp, 'kev.json')], { env });
  assert.equal(r.code, 0, r.stderr);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

test('connection refused: the first feed fails at once, the others are not tried, one closing message says how to work offline', async () => {
  const port = await closedPort();
  const r = await runCli(['db', 'update', '--mirror', `http://127.0.0.1:${port}`], { env });
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^\\[1/${DEFAULT_FEEDS}\\] kev: downloading`), 'progress on stderr as it goes');
  assert.match(r.stderr, new RegExp(`\\[1/${DEFAULT_FEEDS}\\] kev: FAILED: .*cannot connect to 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); previous data kept`));
  assert.match(r.stderr, new RegExp(`not tried \\(${DEFAULT_FEEDS - 1} feeds?: epss, endoflife, .*\\): the network looks unreachable`));
  assert.ok(lines.filter((l) => /ECONNREFUSED/.test(l)).length <= 2, `not one ECONNREFUSED line per feed:\n${r.stderr}`);
  const closing = lines.filter((l) => l.startsWith('mamori: error:'));
  assert.equal(closing.length, 1, r.stderr);
  assert.match(closing[0]!, /no feed could be downloaded: the network looks unreachable \(cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\)/);
  assert.match(closing[0]!, /mamori db export mamori-db\.gz.*mamori db import mamori-db\.gz/, 'says how to work offline');
  assert.match(r.stdout, new RegExp(`0 feeds? fine, ${DEFAULT_FEEDS} failed`));
  assert.equal(kevRecords(), 1, 'previous data kept');
  const ja = await runCli(['db', 'update', '--mirror', `http://127.0.0.1:${port}`], { env: { ...env, LANG: 'ja_JP.UTF-8' } });
  assert.match(ja.stderr, /オフラインで使うには/);
});

test('the overall deadline: a mirror that never answers stops the run at --deadline, one request, the rest not tried', async () => {
  let requests = 0;
  const hung: Server = createServer(() => {
    requests++; // never answers
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  try {
    const { port } = hung.address() as AddressInfo;
    const r = await runCli(['db', 'update', '--mirror', `http://127.0.0.1:${port}`, '--deadline', '2', '--timeout', '600'], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /kev: FAILED: .*not finished: the overall deadline passed/);
    assert.match(r.stderr, new RegExp(`not tried \\(${DEFAULT_FEEDS - 1} feeds?.*the overall deadline passed`));
    const closing = r.stderr.split('\n').filter((l) => l.startsWith('mamori: error:'));
    assert.equal(closing.length, 1, r.stderr);
    assert.match(closing[0]!, /overall deadline of 2 s passed .*--deadline SECONDS.*mamori db import/);
    assert.equal(requests, 1, 'the deadline ended the one request; nothing retried or tried after it');
    assert.equal(kevRecords(), 1, 'previous data kept');
  } finally {
    hung.closeAllConnections();
    await new Promise((r) => hung.close(r));
  }
});

/** A fetch that fails as global fetch (undici) does when no name resolves; it records the URLs asked for. */
function unresolvingFetch(calls: string[]): typeof fetch {
  return (async (url: string | URL | Request) => {
    calls.push(String(url));
    const host = new URL(String(url)).hostname;
    const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: host });
    throw new TypeError('fetch failed', { cause });
  }) as typeof fetch;
}

test('name resolution failure: not retried, the host is marked unreachable, later URLs on it fail without a request', async () => {
  const calls: string[] = [];
  const fetchImpl = unresolvingFetch(calls);
  const net = new NetState();
  const o = { timeoutMs: 60_000, retries: 3, retryBaseMs: 60_000, maxBytes: 1 << 20, net, fetchImpl };
  const a = await fetchFeed('https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json', o);
  assert.equal(a.kind, 'failed');
  assert.ok(a.kind === 'failed' && a.network?.kind === 'dns' && a.network.code === 'ENOTFOUND');
  assert.equal(a.kind === 'failed' && a.reason, 'cannot resolve the name www.cisa.gov (ENOTFOUND)');
  assert.equal(calls.length, 1, 'no retry (a retry base of 60 s would have shown as a hang)');
  const b = await fetchFeed('https://www.cisa.gov/other.json', o);
  assert.match(b.kind === 'failed' ? b.reason : '', /^not tried: cannot resolve the name www\.cisa\.gov/);
  assert.equal(calls.length, 1, 'a host known unreachable gets no request');
  assert.equal(net.offline, undefined, 'one host down is not yet "offline"');
});

test('name resolution failing for two hosts: the update calls the network unreachable and tries nothing more', async () => {
  const calls: string[] = [];
  const fetchImpl = unresolvingFetch(calls);
  const events: string[] = [];
  const s = await updateFeeds(join(home, 'db.sqlite'), {
    fetchImpl,
    retries: 3,
    retryBaseMs: 60_000,
    onProgress: (e) => events.push(e.kind === 'skipped' ? `skipped:${e.feeds.length}` : `${e.kind}:${'feed' in e ? e.feed : ''}`),
  });
  assert.deepEqual(calls.map((u) => new URL(u).host), ['www.cisa.gov', 'epss.empiricalsecurity.com'], 'one request per host, no retries');
  assert.match(s.offline ?? '', /cannot resolve the name www\.cisa\.gov \(ENOTFOUND\); cannot resolve the name epss\.empiricalsecurity\.com/);
  assert.equal(s.feeds.filter((f) => f.skipped === 'offline').length, DEFAULT_FEEDS - 2);
  assert.ok(s.feeds.every((f) => f.status === 'failed'));
  assert.deepEqual(events.slice(0, 5), ['start:kev', 'done:kev', 'start:epss', 'done:epss', `skipped:${DEFAULT_FEEDS - 2}`]);
  assert.equal(kevRecords(), 1, 'previous data kept');
});

const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;

test('no network at all (the CLI in a network namespace with no interface): names fail at once, two hosts, then nothing more is tried', { skip: !canUnshare && 'unshare -n is not permitted here: cannot build a namespace without a network' }, async () => {
  const child = spawn('unshare', ['-n', process.execPath, binPath, 'db', 'update'], { cwd: repoRoot, env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: '', ...env } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 2, stderr);
  assert.match(stderr, new RegExp(`\\[1/${DEFAULT_FEEDS}\\] kev: FAILED: .*cannot resolve the name www\\.cisa\\.gov \\((EAI_AGAIN|ENOTFOUND)\\)`));
  assert.match(stderr, new RegExp(`not tried \\(${DEFAULT_FEEDS - 2} feeds?`), 'after two hosts, the rest is not tried');
  const closing = stderr.split('\n').filter((l) => l.startsWith('mamori: error:'));
  assert.equal(closing.length, 1, stderr);
  assert.match(closing[0]!, /the network looks unreachable .*mamori db export .*mamori db import/);
  assert.match(stdout, new RegExp(`0 feeds? fine, ${DEFAULT_FEEDS} failed`));
  assert.equal(kevRecords(), 1, 'previous data kept');
});
