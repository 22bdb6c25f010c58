/**
 * The knowledge-update job through the in-process runner: a feed served on loopback in its real format (CISA
 * KEV) refreshes the server's knowledge DB and changes the version scans record; a feed that cannot be reached
 * fails the job after its retries and leaves the DB as it was.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readSnapshot, knowledgeVersion } from '../../src/scan/knowledge.js';
import { freePort } from '../host/sshd.js';
import { harness, knowledgeDb, openFleet, until, type Fleet } from './helpers.js';

const KEV = new URL('../../data/kev/known_exploited_vulnerabilities.json', import.meta.url);
let server: Server;
let base = '';
let fleet: Fleet;
let requests = 0;

before(async () => {
  const kev = JSON.parse(readFileSync(KEV, 'utf8')) as { vulnerabilities: Record<string, unknown>[]; count?: number };
  kev.vulnerabilities.push({ cveID: 'CVE-2026-99999', vendorProject: 'EC-CUBE', product: 'EC-CUBE', vulnerabilityName: 'EC-CUBE test entry', dateAdded: '2026-12-01', shortDescription: 'test', requiredAction: 'Apply updates', dueDate: '2026-12-22', knownRansomwareCampaignUse: 'Unknown', notes: '', cwes: [] });
  kev.count = kev.vulnerabilities.length;
  const body = JSON.stringify(kev);
  server = createServer((req, res) => {
    requests++;
    res.setHeader('Content-Type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  fleet = await openFleet('sqlite');
});
after(async () => {
  await fleet?.close();
  await new Promise<void>((r) => server.close(() => r()));
});

test('a knowledge-update job refreshes the named feed from its configured URL and changes the knowledge version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-worker-kn-'));
  const db = join(dir, 'db.sqlite');
  copyFileSync(await knowledgeDb(), db);
  writeFileSync(join(fleet.home, 'config.json'), JSON.stringify({ feeds: { kev: { url: `${base}/kev.json` } } }));
  const before = knowledgeVersion(await readSnapshot(db));
  assert.match(before ?? '', /^embedded@/);
  const versions: (string | null)[] = [];
  const h = await harness(fleet, { deps: { knowledgeDb: db, onUpdated: (v) => void versions.push(v), update: { retries: 0, retryBaseMs: 10 } } });
  await h.runner.start();
  const id = await h.runner.enqueue({ kind: 'knowledge-update', payload: { feeds: ['kev'] } });
  await until(() => h.events.some((e) => e.jobId === id && e.type === 'status' && (e.status === 'done' || e.status === 'failed')), 120_000, 'the update');
  await h.runner.stop({});
  const status = h.events.filter((e) => e.jobId === id && e.type === 'status').map((e) => e.type === 'status' && e.status);
  assert.deepEqual(status, ['queued', 'running', 'done'], JSON.stringify(h.logs));
  assert.ok(requests >= 1, 'the feed was fetched from loopback');
  const afterV = knowledgeVersion(await readSnapshot(db));
  assert.match(afterV ?? '', /^updated@/);
  assert.deepEqual(versions, [afterV]);
  assert.ok(h.events.some((e) => e.type === 'progress' && e.event.code === 'job.knowledge.feed' && e.event.params?.feed === 'kev' && e.event.params.status === 'updated'));
  const { default: Database } = await import('better-sqlite3');
  const conn = new Database(db, { readonly: true });
  try {
    assert.ok(conn.prepare('SELECT 1 FROM kev WHERE cve = ?').get('CVE-2026-99999'), 'the new KEV entry is in the DB');
  } finally {
    conn.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

test('an unreachable feed fails the job after its retries and keeps the DB whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-worker-kn-'));
  const db = join(dir, 'db.sqlite');
  copyFileSync(await knowledgeDb(), db);
  const home = mkdtempSync(join(tmpdir(), 'mamori-worker-home-'));
  writeFileSync(join(home, 'config.json'), JSON.stringify({ feeds: { kev: { url: `http://127.0.0.1:${await freePort()}/kev.json` } } }));
  const before = knowledgeVersion(await readSnapshot(db));
  const h = await harness(fleet, { maxAttempts: 2, deps: { knowledgeDb: db, home, update: { retries: 0, retryBaseMs: 10 } } });
  await h.runner.start();
  const id = await h.runner.enqueue({ kind: 'knowledge-update', payload: { feeds: ['kev'] } });
  await until(() => h.events.some((e) => e.jobId === id && e.type === 'status' && e.status === 'failed'), 120_000, 'the failure');
  await h.runner.stop({});
  const failed = h.events.find((e) => e.jobId === id && e.type === 'status' && e.status === 'failed');
  assert.ok(failed && failed.type === 'status' && /kev/.test(failed.reason ?? ''), JSON.stringify(failed));
  assert.equal(h.events.filter((e) => e.jobId === id && e.type === 'status' && e.status === 'running').length, 2, 'retried once');
  assert.equal(knowledgeVersion(await readSnapshot(db)), before, 'the DB is as it was');
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});
