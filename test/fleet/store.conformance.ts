/**
 * The fleet store's conformance suite: the same tests run against every implementation (SQLite and PostgreSQL,
 * see store.test.ts). Documents are built from the real golden report of an Ubuntu 22.04 host, so findings carry
 * the fields real scans write (KEV flags in evidence, advisory dates in remediation.update.publishedAt).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { sql } from 'kysely';
import { severityRank, type Finding, type ReportDocument } from '../../src/core/model.js';
import type { SqlFleetStore } from '../../src/fleet/store/index.js';
import { SYSTEM_SCOPE, type Scope, type Tenant, type Target } from '../../src/fleet/types.js';
import { generateSecretKey, rotateSecrets, SecretKeyError, type SecretKey } from '../../src/fleet/secrets.js';

export interface StoreHarness {
  /** Opens (a new connection to) the one database of this run, with the given key. */
  open(key: SecretKey): Promise<SqlFleetStore>;
  cleanup(): Promise<void>;
}

const golden = (name: string): ReportDocument =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/fleet/${name}.en.json`, import.meta.url)), 'utf8')) as ReportDocument;
const HOST = golden('host-ubuntu2204');
const SITE = golden('site-old');

/** A document observed at `at` holding exactly these findings. */
export function docWith(findings: readonly Finding[], at: string, base: ReportDocument = HOST): ReportDocument {
  const summary = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) summary[f.severity]++;
  return { ...base, scannedAt: at, findings: findings.map((f) => structuredClone(f)), summary };
}

const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDdoNotARealKeyButLongEnoughToLookLikeOne0000000000000AAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const KNOWN_HOSTS = '[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnownHostsPlaintextMarker';
const INJECTION = `x'); DROP TABLE targets; -- "%_\\`;

export function conformance(label: string, harness: () => Promise<StoreHarness>): void {
  describe(`fleet store conformance: ${label}`, () => {
    let h: StoreHarness;
    let store: SqlFleetStore;
    const key = generateSecretKey('test key');
    let A: Tenant;
    let B: Tenant;
    let opA: Scope;
    let viewerA: Scope;
    const admin = SYSTEM_SCOPE;

    const target = async (tenant: Tenant, name: string, extra: Partial<Parameters<SqlFleetStore['upsertTarget']>[1]> = {}, secrets?: { sshKey?: string; knownHosts?: string }): Promise<Target> => {
      const r = await store.upsertTarget(admin, { tenantId: tenant.id, name, kind: 'host', address: `${name}.example.test:22`, sshUser: 'scan', ...extra }, secrets);
      assert.ok(r);
      return r.target;
    };
    /** Creates, starts and finishes a scan of `t` with `findings` observed at `at`; returns the scan id. */
    const scan = async (t: Target, findings: readonly Finding[], at: string, base?: ReportDocument): Promise<string> => {
      const s = await store.createScan(admin, t.id, 'manual');
      assert.ok(s);
      assert.equal(await store.startScan(s.id), true);
      await store.finishScan(s.id, docWith(findings, at, base), 'kv-1');
      return s.id;
    };
    const F = HOST.findings;

    before(async () => {
      h = await harness();
      store = await h.open(key);
      await store.migrate();
      await store.migrate(); // idempotent
      A = await store.createTenant(admin, 'Tenant A 株式会社');
      B = await store.createTenant(admin, 'Tenant B');
      opA = { userId: 'op-a', role: 'operator', tenantIds: [A.id] };
      viewerA = { userId: 'viewer-a', role: 'viewer', tenantIds: [A.id] };
    });
    after(async () => {
      await store?.close();
      await h?.cleanup();
    });

    it('tenants: created, listed, found by name, renamed; only admins create', async () => {
      assert.deepEqual((await store.listTenants(admin)).map((t) => t.name).sort(), ['Tenant A 株式会社', 'Tenant B']);
      assert.equal((await store.findTenantByName(admin, 'Tenant B'))?.id, B.id);
      await assert.rejects(store.createTenant(opA, 'sneaky'), /administrator/);
      assert.deepEqual((await store.listTenants(opA)).map((t) => t.id), [A.id]);
      assert.equal(await store.getTenant(opA, B.id), undefined);
      assert.equal(await store.findTenantByName(opA, 'Tenant B'), undefined);
      assert.equal(await store.renameTenant(opA, B.id, 'pwned'), undefined);
      assert.equal(await store.renameTenant(viewerA, A.id, 'pwned'), undefined);
      const t = await store.createTenant(admin, 'Temp');
      assert.equal((await store.renameTenant(admin, t.id, 'Temp 2'))?.name, 'Temp 2');
    });

    it('scope isolation: tenant A cannot see or change anything of tenant B by id', async () => {
      const tb = await target(B, 'b-host', {}, { sshKey: SSH_KEY });
      const sb = await scan(tb, F.slice(0, 3), '2026-01-01T00:00:00.000Z');
      const sb2 = await scan(tb, F.slice(1, 4), '2026-01-02T00:00:00.000Z');
      const eb = await store.createException(admin, { tenantId: B.id, targetId: tb.id, findingId: F[1]!.id, cve: null, reason: 'r', owner: 'o', expiresAt: '2099-01-01T00:00:00Z', createdBy: null });
      assert.ok(eb);
      await store.appendAudit({ actorUserId: null, actorTokenId: null, action: 'target.create', objectType: 'target', objectId: tb.id, tenantId: B.id, detail: {} }, new Date());
      for (const scope of [opA, viewerA, { userId: 'x', role: 'operator', tenantIds: [] } as Scope, { userId: 'y', role: 'operator', tenantIds: 'all' } as Scope]) {
        assert.equal(await store.getTarget(scope, tb.id), undefined);
        assert.equal((await store.listTargets(scope, {}, { page: 1, pageSize: 100 })).items.some((t) => t.id === tb.id), false);
        assert.equal((await store.listTargets(scope, { tenantId: B.id }, { page: 1, pageSize: 100 })).total, 0);
        assert.equal(await store.getScan(scope, sb), undefined);
        assert.equal(await store.getScanDocument(scope, sb), undefined);
        assert.equal((await store.listScans(scope, { targetId: tb.id }, { page: 1, pageSize: 10 })).total, 0);
        assert.equal((await store.listFindings(scope, { targetId: tb.id }, { page: 1, pageSize: 10 })).total, 0);
        assert.equal((await store.listFindings(scope, { scanId: sb }, { page: 1, pageSize: 10 })).total, 0);
        assert.deepEqual(await store.findingHistory(scope, tb.id), []);
        assert.equal(await store.diffScans(scope, sb, sb2), undefined);
        assert.deepEqual(await store.listExceptions(scope, { tenantId: B.id }, new Date()), []);
        assert.equal((await store.listAudit(scope, { tenantId: B.id }, { page: 1, pageSize: 10 })).total, 0);
        assert.equal((await store.overview(scope, { tenantId: B.id, now: new Date() })).targets, 0);
        // writes
        assert.equal(await store.createScan(scope, tb.id, 'manual'), undefined);
        assert.equal(await store.upsertTarget(scope, { tenantId: B.id, name: 'b-host', kind: 'host', address: 'evil:22' }, { sshKey: 'evil' }), undefined);
        assert.equal(await store.deleteTarget(scope, tb.id), false);
        assert.equal(await store.revokeException(scope, eb.id), false);
        assert.equal(await store.createException(scope, { tenantId: B.id, targetId: tb.id, findingId: null, cve: 'CVE-2024-4577', reason: 'r', owner: 'o', expiresAt: '2099-01-01T00:00:00Z', createdBy: null }), undefined);
      }
      // An exception of A naming B's target is refused too.
      assert.equal(await store.createException(opA, { tenantId: A.id, targetId: tb.id, findingId: null, cve: null, reason: 'r', owner: 'o', expiresAt: '2099-01-01T00:00:00Z', createdBy: null }), undefined);
      // Nothing of B changed.
      assert.equal((await store.getTarget(admin, tb.id))?.address, 'b-host.example.test:22');
      assert.equal((await store.getTargetSecrets(tb.id)).sshKey, SSH_KEY);
    });

    it('viewers read their tenant but every write is refused', async () => {
      const ta = await target(A, 'a-viewer-host');
      assert.equal((await store.getTarget(viewerA, ta.id))?.id, ta.id);
      assert.equal(await store.upsertTarget(viewerA, { tenantId: A.id, name: 'v-new', kind: 'site', address: 'https://v.example.test/' }), undefined);
      assert.equal(await store.createScan(viewerA, ta.id, 'manual'), undefined);
      assert.equal(await store.deleteTarget(viewerA, ta.id), false);
      assert.equal(await store.createException(viewerA, { tenantId: A.id, targetId: ta.id, findingId: null, cve: null, reason: 'r', owner: 'o', expiresAt: '2099-01-01T00:00:00Z', createdBy: null }), undefined);
      assert.ok(await store.getTarget(admin, ta.id));
      const op = await store.upsertTarget(opA, { tenantId: A.id, name: 'op-new', kind: 'site', address: 'https://op.example.test/' });
      assert.equal(op?.created, true);
    });

    it('targets: upsert by (tenant, name) keeps omitted secrets; tags filter; secrets never in results', async () => {
      const t = await target(A, 'secret-host', { tags: ['web', 'shop', 'web'] }, { sshKey: SSH_KEY, knownHosts: KNOWN_HOSTS });
      assert.equal(t.hasSshKey, true);
      assert.equal(t.hasKnownHosts, true);
      assert.deepEqual(t.tags, ['web', 'shop']);
      const again = await store.upsertTarget(admin, { tenantId: A.id, name: 'secret-host', kind: 'host', address: '10.0.0.9:2222' });
      assert.equal(again?.created, false);
      assert.equal(again?.target.id, t.id);
      assert.equal(again?.target.hasSshKey, true, 'omitted secrets are kept');
      assert.deepEqual(again?.target.tags, ['web', 'shop'], 'omitted tags are kept');
      assert.deepEqual(await store.getTargetSecrets(t.id), { sshKey: SSH_KEY, knownHosts: KNOWN_HOSTS });
      const listed = await store.listTargets(admin, { tag: 'shop' }, { page: 1, pageSize: 50 });
      assert.deepEqual(listed.items.map((x) => x.id), [t.id]);
      const s = await store.createScan(admin, t.id, 'api');
      const answers = JSON.stringify([await store.getTarget(admin, t.id), listed, await store.listTargets(admin, {}, { page: 1, pageSize: 500 }), s, await store.listScans(admin, {}, { page: 1, pageSize: 500 })]);
      for (const secret of ['OPENSSH PRIVATE KEY', 'KnownHostsPlaintextMarker']) assert.ok(!answers.includes(secret), `${secret} leaked into a result`);
      // Clearing a secret with an empty string.
      const cleared = await store.upsertTarget(admin, { tenantId: A.id, name: 'secret-host', kind: 'host', address: '10.0.0.9:2222' }, { knownHosts: '' });
      assert.equal(cleared?.target.hasKnownHosts, false);
      await store.upsertTarget(admin, { tenantId: A.id, name: 'secret-host', kind: 'host', address: '10.0.0.9:2222' }, { knownHosts: KNOWN_HOSTS });
    });

    it('secrets at rest: the raw database holds AES-GCM ciphertexts with a key id, never the plaintext', async () => {
      const rows = (await sql<{ owner_type: string; key_id: string; sealed: string }>`select owner_type, key_id, sealed from secrets`.execute(store.db)).rows;
      assert.ok(rows.length >= 2);
      for (const r of rows) {
        assert.equal(r.key_id, key.id);
        assert.match(r.sealed, new RegExp(`^v1:${key.id}:`));
        assert.ok(!r.sealed.includes('PRIVATE KEY') && !r.sealed.includes('KnownHostsPlaintextMarker'));
      }
      // Two seals of the same value differ (random IV).
      const ids = (await sql<{ sealed: string }>`select sealed from secrets where name = 'sshKey'`.execute(store.db)).rows.map((r) => r.sealed.split(':')[2]);
      assert.equal(new Set(ids).size, ids.length);
      // No other table holds the plaintext.
      for (const table of ['targets', 'scans', 'audit', 'settings', 'users']) {
        const dump = JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(store.db)).rows);
        assert.ok(!dump.includes('PRIVATE KEY') && !dump.includes('KnownHostsPlaintextMarker'), `plaintext in ${table}`);
      }
    });

    it('a wrong key gives a clear error naming both key ids; a moved ciphertext fails authentication', async () => {
      const t = (await store.listTargets(admin, { q: 'secret-host' }, { page: 1, pageSize: 5 })).items[0]!;
      const other = generateSecretKey('MAMORI_SECRET_KEY');
      const wrong = await h.open(other);
      try {
        await assert.rejects(wrong.getTargetSecrets(t.id), (err: Error) => err instanceof SecretKeyError && err.message.includes(key.id) && err.message.includes(other.id) && /MAMORI_SECRET_KEY/.test(err.message));
      } finally {
        await wrong.close();
      }
      const tb = await target(A, 'moved-secret-host', {}, { sshKey: 'other key' });
      const sealed = (await sql<{ sealed: string }>`select sealed from secrets where owner_id = ${t.id} and name = 'sshKey'`.execute(store.db)).rows[0]!.sealed;
      await sql`update secrets set sealed = ${sealed} where owner_id = ${tb.id} and name = 'sshKey'`.execute(store.db);
      await assert.rejects(store.getTargetSecrets(tb.id), /failed authentication/);
      await store.deleteTarget(admin, tb.id);
    });

    it('TOTP secrets are encrypted and only returned by getTotpSecret', async () => {
      const u = await store.createUser({ email: 'Admin@Example.test', passwordHash: 'scrypt$abc', role: 'admin', tenantIds: [] });
      assert.equal(u.email, 'admin@example.test');
      await store.setTotp(u.id, 'JBSWY3DPEHPK3PXPTOTPMARK', false);
      assert.equal((await store.getUser(u.id))?.totpEnabled, false);
      await store.setTotp(u.id, 'JBSWY3DPEHPK3PXPTOTPMARK', true);
      assert.equal((await store.getUser(u.id))?.totpEnabled, true);
      assert.equal(await store.getTotpSecret(u.id), 'JBSWY3DPEHPK3PXPTOTPMARK');
      const answers = JSON.stringify([await store.getUser(u.id), await store.listUsers(admin), await store.getUserByEmail('admin@example.test')]);
      assert.ok(!answers.includes('TOTPMARK'));
      const raw = JSON.stringify((await sql`select * from secrets`.execute(store.db)).rows);
      assert.ok(!raw.includes('TOTPMARK'));
    });

    it('key rotation re-encrypts every secret in one transaction; the old key no longer opens them', async () => {
      const before = await store.getTargetSecrets((await store.listTargets(admin, { q: 'secret-host' }, { page: 1, pageSize: 5 })).items[0]!.id);
      const u = await store.getUserByEmail('admin@example.test');
      const next = generateSecretKey('new key');
      // A wrong "old" key aborts the rotation and changes nothing.
      await assert.rejects(rotateSecrets(store, generateSecretKey('not the old key'), next), SecretKeyError);
      assert.deepEqual((await sql<{ key_id: string }>`select distinct key_id from secrets`.execute(store.db)).rows.map((r) => r.key_id), [key.id]);
      const n = await rotateSecrets(store, key, next);
      assert.ok(n >= 3);
      assert.deepEqual((await sql<{ key_id: string }>`select distinct key_id from secrets`.execute(store.db)).rows.map((r) => r.key_id), [next.id]);
      const t = (await store.listTargets(admin, { q: 'secret-host' }, { page: 1, pageSize: 5 })).items[0]!;
      assert.deepEqual(await store.getTargetSecrets(t.id), before);
      assert.equal(await store.getTotpSecret(u!.id), 'JBSWY3DPEHPK3PXPTOTPMARK');
      const old = await h.open(key);
      try {
        await assert.rejects(old.getTargetSecrets(t.id), SecretKeyError);
      } finally {
        await old.close();
      }
      // rotate back so later tests keep the harness key
      await rotateSecrets(store, next, key);
    });

    it('finishScan stores the document, summary and normalised rows (KEV, advisory date, package)', async () => {
      const t = await target(A, 'golden-host');
      const id = await scan(t, HOST.findings, HOST.scannedAt);
      const s = await store.getScan(admin, id);
      assert.equal(s?.status, 'done');
      assert.equal(s?.attempts, 1);
      assert.equal(s?.knowledgeVersion, 'kv-1');
      assert.deepEqual(s?.summary, HOST.summary);
      assert.deepEqual((await store.getScanDocument(opA, id))?.findings.map((f) => f.id), HOST.findings.map((f) => f.id));
      const rows = (await store.listFindings(admin, { scanId: id }, { page: 1, pageSize: 100 })).items;
      assert.equal(rows.length, HOST.findings.length);
      const byId = new Map(rows.map((r) => [r.findingId, r]));
      const openssl = HOST.findings.find((f) => f.category === 'missing-security-update' && f.component?.name === 'openssl')!;
      assert.equal(byId.get(openssl.id)?.fixPublishedAt, '2024-07-31');
      assert.equal(byId.get(openssl.id)?.package, 'libssl3');
      const kevIds = HOST.findings.filter((f) => f.evidence && ((f.evidence as { kev?: boolean }).kev === true || ((f.evidence as { cves?: { kev?: unknown }[] }).cves ?? []).some((c) => c.kev))).map((f) => f.id).sort();
      assert.ok(kevIds.length >= 3);
      assert.deepEqual(rows.filter((r) => r.kev).map((r) => r.findingId).sort(), kevIds);
      assert.equal(rows.every((r) => r.targetName === 'golden-host'), true);
    });

    it('finishScan is idempotent by scan id: a second call changes nothing', async () => {
      const t = await target(A, 'idem-host');
      const id = await scan(t, F.slice(0, 4), '2026-02-01T00:00:00.000Z');
      const hist = await store.findingHistory(admin, t.id);
      await store.finishScan(id, docWith(F.slice(4), '2026-02-02T00:00:00.000Z'), 'kv-2');
      const s = await store.getScan(admin, id);
      assert.equal(s?.knowledgeVersion, 'kv-1');
      assert.deepEqual((await store.getScanDocument(admin, id))?.findings.map((f) => f.id), F.slice(0, 4).map((f) => f.id));
      assert.equal((await store.listFindings(admin, { scanId: id }, { page: 1, pageSize: 100 })).total, 4);
      assert.deepEqual(await store.findingHistory(admin, t.id), hist);
      // Concurrent double finish of a new scan: one wins.
      const s2 = await store.createScan(admin, t.id, 'schedule');
      await store.startScan(s2!.id);
      await Promise.all([store.finishScan(s2!.id, docWith(F.slice(0, 2), '2026-02-03T00:00:00.000Z'), 'a'), store.finishScan(s2!.id, docWith(F.slice(0, 2), '2026-02-03T00:00:00.000Z'), 'b')]);
      assert.equal((await store.listFindings(admin, { scanId: s2!.id }, { page: 1, pageSize: 100 })).total, 2);
    });

    it('startScan and failScan: queued → running once; a retryable failure requeues with its reason; a final one is failed', async () => {
      const t = await target(A, 'fail-host');
      const s = (await store.createScan(admin, t.id, 'schedule'))!;
      assert.equal(await store.startScan(s.id), true);
      assert.equal(await store.startScan(s.id), false, 'already running');
      await store.failScan(s.id, 'ssh: connection refused', false);
      let r = await store.getScan(admin, s.id);
      assert.equal(r?.status, 'queued');
      assert.equal(r?.failureReason, 'ssh: connection refused');
      assert.equal(await store.startScan(s.id), true);
      await store.failScan(s.id, 'ssh: timeout', true);
      r = await store.getScan(admin, s.id);
      assert.equal(r?.status, 'failed');
      assert.equal(r?.attempts, 2);
      assert.equal((await store.listScans(admin, { status: 'failed', tenantId: A.id }, { page: 1, pageSize: 10 })).items[0]?.id, s.id);
      const listed = await store.listTargets(admin, { q: 'fail-host' }, { page: 1, pageSize: 5 });
      assert.equal(listed.items[0]?.lastScan?.status, 'failed');
      assert.equal((await store.overview(admin, { tenantId: A.id, now: new Date() })).failedTargets >= 1, true);
    });

    it('finding history: first seen → resolved → reopened, with counts; an older scan finishing late changes nothing', async () => {
      const t = await target(A, 'history-host');
      const [a, b] = [F[0]!, F[4]!];
      await scan(t, [a, b], '2026-03-01T00:00:00.000Z');
      let hist = new Map((await store.findingHistory(admin, t.id)).map((x) => [x.findingId, x]));
      assert.equal(hist.get(b.id)?.state, 'open');
      assert.equal(hist.get(b.id)?.firstSeenAt, '2026-03-01T00:00:00.000Z');
      await scan(t, [a], '2026-03-08T00:00:00.000Z');
      hist = new Map((await store.findingHistory(admin, t.id)).map((x) => [x.findingId, x]));
      assert.equal(hist.get(b.id)?.state, 'resolved');
      assert.equal(hist.get(b.id)?.resolvedAt, '2026-03-08T00:00:00.000Z');
      assert.equal(hist.get(b.id)?.lastSeenAt, '2026-03-01T00:00:00.000Z');
      assert.equal(hist.get(a.id)?.lastSeenAt, '2026-03-08T00:00:00.000Z');
      await scan(t, [a, b], '2026-03-15T00:00:00.000Z');
      hist = new Map((await store.findingHistory(admin, t.id)).map((x) => [x.findingId, x]));
      assert.equal(hist.get(b.id)?.state, 'open');
      assert.equal(hist.get(b.id)?.reopenedAt, '2026-03-15T00:00:00.000Z');
      assert.equal(hist.get(b.id)?.reopenCount, 1);
      assert.equal(hist.get(b.id)?.resolvedAt, null);
      assert.equal(hist.get(b.id)?.firstSeenAt, '2026-03-01T00:00:00.000Z');
      // A scan observed earlier but finished now is stored; history and "latest" stay with the newer scan.
      const late = await scan(t, [], '2026-03-02T00:00:00.000Z');
      assert.equal((await store.findingHistory(admin, t.id)).every((x) => x.state === 'open'), true);
      assert.equal((await store.listFindings(admin, { targetId: t.id }, { page: 1, pageSize: 10 })).total, 2);
      assert.equal((await store.getScan(admin, late))?.status, 'done');
    });

    it('exceptions apply to later scans, to the latest scan at once, and stop applying when expired or revoked', async () => {
      const t = await target(A, 'exception-host');
      const [a, b] = [F[0]!, F[4]!];
      await scan(t, [a, b], '2026-04-01T00:00:00.000Z');
      const e = await store.createException(opA, { tenantId: A.id, targetId: t.id, findingId: b.id, cve: null, reason: 'vendor back-port; WAF rule in place', owner: 'ops@example.test', expiresAt: '2098-01-01T00:00:00.000Z', createdBy: 'op-a' });
      assert.ok(e);
      const latest = async () => new Map((await store.listFindings(admin, { targetId: t.id }, { page: 1, pageSize: 10 })).items.map((r) => [r.findingId, r]));
      assert.equal((await latest()).get(b.id)?.accepted, true, 'applied to the latest scan at once');
      assert.equal((await store.findingHistory(admin, t.id)).find((x) => x.findingId === b.id)?.state, 'accepted');
      await scan(t, [a, b], '2097-12-01T00:00:00.000Z');
      assert.equal((await latest()).get(b.id)?.accepted, true);
      assert.equal((await latest()).get(a.id)?.accepted, false);
      // listed while active, hidden once expired unless asked
      assert.deepEqual((await store.listExceptions(viewerA, { targetId: t.id }, new Date('2097-12-15T00:00:00Z'))).map((x) => x.id), [e.id]);
      assert.deepEqual(await store.listExceptions(viewerA, { targetId: t.id }, new Date('2098-01-02T00:00:00Z')), []);
      assert.equal((await store.listExceptions(viewerA, { targetId: t.id, includeExpired: true }, new Date('2098-01-02T00:00:00Z'))).length, 1);
      // A scan after the expiry: the finding is open again.
      await scan(t, [a, b], '2098-02-01T00:00:00.000Z');
      assert.equal((await latest()).get(b.id)?.accepted, false);
      assert.equal((await store.findingHistory(admin, t.id)).find((x) => x.findingId === b.id)?.state, 'open');
      // A CVE-wide exception across the tenant, then revoked.
      const cve = a.cves![0]!;
      const ce = await store.createException(admin, { tenantId: A.id, targetId: null, findingId: null, cve: cve.toLowerCase(), reason: 'r', owner: 'o', expiresAt: '2099-06-01T00:00:00Z', createdBy: null });
      assert.equal(ce?.cve, cve);
      assert.equal((await latest()).get(a.id)?.accepted, true);
      assert.equal(await store.revokeException(viewerA, ce!.id), false);
      assert.equal(await store.revokeException(opA, ce!.id), true);
      assert.equal((await latest()).get(a.id)?.accepted, false);
      await assert.rejects(store.createException(admin, { tenantId: A.id, targetId: null, findingId: null, cve: null, reason: 'r', owner: 'o', expiresAt: '2099-01-01T00:00:00Z', createdBy: null }), /names a target/);
    });

    it('diff: new, resolved and unchanged between any two scans of one target; other targets refused', async () => {
      const t = await target(A, 'diff-host');
      const s1 = await scan(t, [F[0]!, F[1]!, F[2]!], '2026-05-01T00:00:00.000Z');
      const s2 = await scan(t, [F[1]!, F[2]!, F[3]!, F[4]!], '2026-05-02T00:00:00.000Z');
      const d = await store.diffScans(viewerA, s1, s2);
      assert.deepEqual(d?.new.map((r) => r.findingId).sort(), [F[3]!.id, F[4]!.id].sort());
      assert.deepEqual(d?.resolved.map((r) => r.findingId), [F[0]!.id]);
      assert.deepEqual(d?.unchanged.map((r) => r.findingId).sort(), [F[1]!.id, F[2]!.id].sort());
      const back = await store.diffScans(admin, s2, s1);
      assert.deepEqual(back?.new.map((r) => r.findingId), [F[0]!.id]);
      const other = await target(A, 'diff-other');
      const so = await scan(other, [F[0]!], '2026-05-01T00:00:00.000Z');
      assert.equal(await store.diffScans(admin, s1, so), undefined);
      assert.equal(await store.diffScans(admin, s1, 'no-such-scan'), undefined);
    });

    it('diff laws (property): new ∪ unchanged = findings of `to`; resolved ∪ unchanged ids = findings of `from`; disjoint', async () => {
      const t = await target(A, 'diff-prop-host');
      const pool = [...HOST.findings, ...SITE.findings.slice(0, 10)];
      let day = 0;
      await fc.assert(fc.asyncProperty(fc.subarray(pool), fc.subarray(pool), async (x, y) => {
        day++;
        const at = (n: number) => new Date(Date.UTC(2027, 0, 1) + (2 * day + n) * 3_600_000).toISOString();
        const s1 = await scan(t, x, at(0));
        const s2 = await scan(t, y, at(1));
        const d = (await store.diffScans(admin, s1, s2))!;
        const ids = (rows: { findingId: string }[]) => rows.map((r) => r.findingId).sort();
        assert.deepEqual(ids([...d.new, ...d.unchanged]), y.map((f) => f.id).sort());
        assert.deepEqual(ids([...d.resolved, ...d.unchanged]), x.map((f) => f.id).sort());
        assert.equal(d.new.filter((r) => x.some((f) => f.id === r.findingId)).length, 0);
        // history agrees with the latest scan: every finding of y is open/accepted, every other one seen is resolved
        const hist = await store.findingHistory(admin, t.id);
        for (const h of hist) assert.equal(h.state === 'resolved', !y.some((f) => f.id === h.findingId));
      }), { numRuns: 12 });
    });

    it('overview: latest scan per target; missing updates oldest fix first with patch lag and days seen; EOL, personal data, KEV', async () => {
      const C = await store.createTenant(admin, 'Tenant C overview');
      const t1 = await target(C, 'ov-ubuntu');
      const t2 = await target(C, 'ov-site', { kind: 'site', address: 'https://shop.example.test/' });
      await scan(t1, HOST.findings.slice(0, 2), '2026-06-01T00:00:00.000Z'); // older scan: superseded
      await scan(t1, HOST.findings, '2026-06-10T00:00:00.000Z');
      await scan(t2, SITE.findings, '2026-06-11T00:00:00.000Z', SITE);
      const now = new Date('2026-07-01T00:00:00.000Z');
      const o = await store.overview({ userId: null, role: 'operator', tenantIds: [C.id] }, { now });
      assert.equal(o.targets, 2);
      assert.equal(o.scannedTargets, 2);
      const expect = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
      for (const f of [...HOST.findings, ...SITE.findings]) expect[f.severity]++;
      assert.deepEqual(o.summary, expect);
      const updates = HOST.findings.filter((f) => f.category === 'missing-security-update');
      assert.equal(o.missingUpdates.length, updates.length);
      const dated = o.missingUpdates.filter((m) => m.fixPublishedAt !== null).map((m) => m.fixPublishedAt);
      assert.deepEqual(dated, ['2024-04-18', '2024-07-08', '2024-07-31'], 'oldest fix first');
      assert.equal(o.missingUpdates.at(-1)?.fixPublishedAt, null, 'unknown dates last');
      assert.equal(o.missingUpdates.at(-1)?.lagDays, null);
      const glibc = o.missingUpdates[0]!;
      assert.equal(glibc.lagDays, Math.floor((now.getTime() - Date.parse('2024-04-18')) / 86_400_000));
      assert.equal(glibc.firstSeenAt, '2026-06-10T00:00:00.000Z');
      assert.equal(glibc.daysSeen, 21);
      assert.equal(glibc.targetName, 'ov-ubuntu');
      assert.deepEqual(o.endOfLife.map((x) => x.findingId).sort(), [...HOST.findings, ...SITE.findings].filter((f) => f.category === 'end-of-life').map((f) => f.id).sort());
      assert.equal(o.endOfLife[0]?.severity, 'critical', 'most severe first');
      assert.deepEqual(o.personalData.map((x) => x.findingId).sort(), SITE.findings.filter((f) => f.category === 'personal-data-exposure').map((f) => f.id).sort());
      assert.ok(o.kev.length >= 6);
      assert.ok(o.kev.every((k) => k.cves.length > 0));
      // Per tenant and the scope agree; another tenant's operator sees none of it.
      assert.equal((await store.overview(admin, { tenantId: C.id, now })).missingUpdates.length, updates.length);
      assert.equal((await store.overview(opA, { tenantId: C.id, now })).targets, 0);
      // Accepting a missing update removes it from the list.
      await store.createException(admin, { tenantId: C.id, targetId: t1.id, findingId: glibc.findingId, cve: null, reason: 'r', owner: 'o', expiresAt: '2099-01-01T00:00:00Z', createdBy: null });
      assert.equal((await store.overview(admin, { tenantId: C.id, now })).missingUpdates.some((m) => m.findingId === glibc.findingId), false);
    });

    it('overview on a varied fleet equals a reference computed from the findings of each target\'s latest scan (limit shorter than the lists)', async () => {
      // Two tenants, 8 targets: a superseded scan each (some findings resolved, some new), varied severities and
      // fix dates (ties across targets), an accepted risk, a target whose latest scan failed, one never scanned.
      const E = await store.createTenant(admin, 'Tenant E overview fleet');
      const G = await store.createTenant(admin, 'Tenant G overview fleet');
      let seed = 15;
      const r = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
      const sevs = ['critical', 'high', 'medium', 'low', 'info'] as const;
      const days = ['2024-01-05', '2024-03-20', '2024-03-20', '2024-08-01', '2025-02-14'];
      const templates = [...HOST.findings, ...SITE.findings];
      const base = { ...HOST, gaps: [] }; // every absence checked: resolved, none kept unverified
      const variant = (f: Finding, k: number): Finding => {
        const g = structuredClone(f);
        g.id = k ? `${f.id}-${k}` : f.id;
        g.severity = sevs[Math.floor(r() * sevs.length)]!;
        if (g.remediation.update) {
          const { publishedAt: _p, ...update } = g.remediation.update;
          g.remediation.update = r() < 0.3 ? update : { ...update, publishedAt: days[Math.floor(r() * days.length)]! };
        }
        return g;
      };
      const at1 = '2026-05-01T00:00:00.000Z';
      const at2 = '2026-06-01T00:00:00.000Z';
      const latest = new Map<string, { scanId: string; firstSeen: Map<string, string> }>();
      const targets: Target[] = [];
      for (let i = 0; i < 8; i++) {
        const t = await target(i % 2 ? G : E, `ovf-${i}`);
        targets.push(t);
        if (i === 7) continue; // never scanned
        const pool = [0, 1, 2].flatMap((k) => templates.map((f) => variant(f, k)));
        const first = pool.filter(() => r() < 0.6);
        const second = [...first.filter(() => r() < 0.8), ...pool.filter((f) => !first.includes(f) && r() < 0.5)];
        await scan(t, first, at1, base);
        const s2 = await scan(t, second, at2, base);
        latest.set(t.id, { scanId: s2, firstSeen: new Map(second.map((f) => [f.id, first.some((x) => x.id === f.id) ? at1 : at2])) });
        if (i === 6) {
          const s3 = await store.createScan(admin, t.id, 'manual');
          await store.startScan(s3!.id);
          await store.failScan(s3!.id, 'ssh: connection refused', true);
        }
      }
      for (const t of targets) assert.equal((await store.findingHistory(admin, t.id)).filter((x) => x.unverifiedSince !== null).length, 0, 'every absence was checked');
      const now = new Date('2026-07-01T00:00:00.000Z');
      const limit = 7;
      // Accepted risks leave the lists: the first missing update shown for tenant E, and the first KEV CVE shown (by CVE, every target of E).
      const shown = await store.overview(admin, { tenantId: E.id, now, limit });
      const update = shown.missingUpdates[0]!;
      await store.createException(admin, { tenantId: E.id, targetId: update.targetId, findingId: update.findingId, cve: null, reason: 'r', owner: 'o', expiresAt: '2099-01-01T00:00:00Z', createdBy: null });
      await store.createException(admin, { tenantId: E.id, targetId: null, findingId: null, cve: shown.kev[0]!.cves[0]!, reason: 'r', owner: 'o', expiresAt: '2099-01-01T00:00:00Z', createdBy: null });
      const reference = async (ts: Target[], lim = limit) => {
        const rows = [];
        for (const t of ts) {
          const l = latest.get(t.id);
          if (l) for (const f of (await store.listFindings(admin, { scanId: l.scanId }, { page: 1, pageSize: 500 })).items) rows.push({ ...f, firstSeenAt: l.firstSeen.get(f.findingId)!, targetName: t.name });
        }
        const summary = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
        for (const f of rows) summary[f.severity]++;
        const open = rows.filter((f) => !f.accepted);
        const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
        const bySeverity = (a: (typeof open)[number], b: (typeof open)[number]) => severityRank(b.severity) - severityRank(a.severity) || cmp(a.targetId, b.targetId) || cmp(a.findingId, b.findingId);
        const updates = open.filter((f) => f.category === 'missing-security-update');
        const dated = updates.filter((f) => f.fixPublishedAt !== null).sort((a, b) => cmp(a.fixPublishedAt!, b.fixPublishedAt!) || bySeverity(a, b));
        const undated = updates.filter((f) => f.fixPublishedAt === null).sort(bySeverity);
        const day = (iso: string) => Math.floor((now.getTime() - Date.parse(iso)) / 86_400_000);
        const ids = (xs: typeof open) => xs.sort(bySeverity).slice(0, lim).map((f) => `${f.targetName} ${f.findingId} ${f.severity}`);
        return {
          targets: ts.length, scannedTargets: ts.filter((t) => latest.has(t.id)).length, failedTargets: ts.filter((t) => t.name === 'ovf-6').length, summary,
          missingUpdates: [...dated, ...undated].slice(0, lim).map((f) => ({ targetName: f.targetName, findingId: f.findingId, severity: f.severity, fixPublishedAt: f.fixPublishedAt, lagDays: f.fixPublishedAt ? day(f.fixPublishedAt) : null, firstSeenAt: f.firstSeenAt, daysSeen: day(f.firstSeenAt) })),
          endOfLife: ids(open.filter((f) => f.category === 'end-of-life')),
          personalData: ids(open.filter((f) => f.category === 'personal-data-exposure')),
          kev: ids(open.filter((f) => f.kev)),
        };
      };
      const observed = (o: Awaited<ReturnType<SqlFleetStore['overview']>>) => ({
        targets: o.targets, scannedTargets: o.scannedTargets, failedTargets: o.failedTargets, summary: o.summary,
        missingUpdates: o.missingUpdates.map((m) => ({ targetName: m.targetName, findingId: m.findingId, severity: m.severity, fixPublishedAt: m.fixPublishedAt, lagDays: m.lagDays, firstSeenAt: m.firstSeenAt, daysSeen: m.daysSeen })),
        endOfLife: o.endOfLife.map((f) => `${f.targetName} ${f.findingId} ${f.severity}`),
        personalData: o.personalData.map((f) => `${f.targetName} ${f.findingId} ${f.severity}`),
        kev: o.kev.map((f) => `${f.targetName} ${f.findingId} ${f.severity}`),
      });
      const both = { userId: null, role: 'operator', tenantIds: [E.id, G.id] } as const;
      const whole = await reference(targets, 1000);
      assert.deepEqual(observed(await store.overview(both, { now, limit: 1000 })), whole);
      // every list is longer than the limit, and fix dates tie across targets: the order decides what is shown
      for (const xs of [whole.missingUpdates, whole.endOfLife, whole.personalData, whole.kev]) assert.ok(xs.length > limit);
      assert.deepEqual(observed(await store.overview(both, { now, limit })), await reference(targets));
      assert.deepEqual(observed(await store.overview(admin, { tenantId: E.id, now, limit })), await reference(targets.filter((t) => t.tenantId === E.id)));
      assert.deepEqual(observed(await store.overview({ userId: null, role: 'viewer', tenantIds: [G.id] }, { now, limit })), await reference(targets.filter((t) => t.tenantId === G.id)));
    });

    it('listFindings: every filter, server-side pagination', async () => {
      const D = await store.createTenant(admin, 'Tenant D findings');
      const t1 = await target(D, 'lf-ubuntu', { tags: ['prod'] });
      const t2 = await target(D, 'lf-site', { kind: 'site', address: 'https://lf.example.test/', tags: ['shop'] });
      await scan(t1, HOST.findings, '2026-06-10T00:00:00.000Z');
      await scan(t2, SITE.findings, '2026-06-11T00:00:00.000Z', SITE);
      const all = [...HOST.findings, ...SITE.findings];
      const q = (filter: Parameters<SqlFleetStore['listFindings']>[1], pageSize = 500) => store.listFindings(admin, { tenantId: D.id, ...filter }, { page: 1, pageSize });
      assert.equal((await q({})).total, all.length);
      assert.equal((await q({})).totalIsLowerBound, false, 'under the count cap the total is exact');
      assert.equal((await q({ severity: ['critical'] })).total, all.filter((f) => f.severity === 'critical').length);
      assert.equal((await q({ category: ['end-of-life', 'personal-data-exposure'] })).total, all.filter((f) => f.category === 'end-of-life' || f.category === 'personal-data-exposure').length);
      assert.equal((await q({ cve: 'cve-2024-4577' })).total, all.filter((f) => f.cves?.includes('CVE-2024-4577')).length);
      assert.equal((await q({ package: 'apache2' })).total, 1);
      assert.equal((await q({ tag: 'shop' })).total, SITE.findings.length);
      assert.equal((await q({ kev: true })).items.every((r) => r.kev), true);
      assert.equal((await q({ kev: true })).total + (await q({ kev: false })).total, all.length);
      assert.equal((await q({ q: 'OPENSSL' })).items.some((r) => r.component === 'openssl'), true);
      assert.equal((await q({ q: '%' })).total, 0, 'LIKE wildcards in q are literal');
      assert.equal((await q({ targetId: t2.id, severity: ['high'], category: ['plaintext-transport'] })).total, SITE.findings.filter((f) => f.severity === 'high' && f.category === 'plaintext-transport').length);
      // pagination: pages partition the result, most severe first
      const seen: string[] = [];
      let total = 0;
      for (let page = 1; page <= 20; page++) {
        const p = await store.listFindings(admin, { tenantId: D.id }, { page, pageSize: 7 });
        total = p.total;
        assert.equal(p.pageSize, 7);
        seen.push(...p.items.map((r) => `${r.targetId}/${r.findingId}`));
        if (p.items.length < 7) break;
      }
      assert.equal(seen.length, total);
      assert.equal(new Set(seen).size, total);
      const first = (await store.listFindings(admin, { tenantId: D.id }, { page: 1, pageSize: 500 })).items.map((r) => r.severity);
      const rank = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
      assert.deepEqual(first, [...first].sort((x, y) => rank[y] - rank[x]));
      // absurd page input is clamped, not an error
      const clamp = await store.listFindings(admin, { tenantId: D.id }, { page: -3, pageSize: 1e9 });
      assert.equal(clamp.page, 1);
      assert.ok(clamp.pageSize <= 500);
    });

    it('listFindings: category, KEV, package and CVE filters keep the order (most severe, target, finding id); CVE reads the latest scans only', async () => {
      const F = await store.createTenant(admin, 'Tenant F order');
      const ts = [await target(F, 'ord-b'), await target(F, 'ord-a'), await target(F, 'ord-c', { kind: 'site', address: 'https://ord.example.test/' })];
      await scan(ts[0]!, HOST.findings, '2026-06-10T00:00:00.000Z');
      await scan(ts[1]!, HOST.findings.slice(0, Math.ceil(HOST.findings.length / 2)), '2026-06-10T00:00:00.000Z');
      await scan(ts[2]!, SITE.findings, '2026-06-10T00:00:00.000Z', SITE);
      // ord-b's newer scan drops its CVE-naming findings: they are resolved, so the CVE filter no longer lists them
      const cve = HOST.findings.flatMap((f) => f.cves ?? []).find((c) => c.startsWith('CVE-'))!;
      await scan(ts[0]!, HOST.findings.filter((f) => !(f.cves ?? []).includes(cve)), '2026-06-20T00:00:00.000Z');
      const latest = new Map<string, Finding[]>([[ts[0]!.id, HOST.findings.filter((f) => !(f.cves ?? []).includes(cve))], [ts[1]!.id, HOST.findings.slice(0, Math.ceil(HOST.findings.length / 2))], [ts[2]!.id, SITE.findings]]);
      const reference = (keep: (f: Finding) => boolean) => [...latest].flatMap(([tid, fs]) => fs.filter(keep).map((f) => ({ tid, f })))
        .sort((x, y) => severityRank(y.f.severity) - severityRank(x.f.severity) || (x.tid < y.tid ? -1 : x.tid > y.tid ? 1 : 0) || (x.f.id < y.f.id ? -1 : x.f.id > y.f.id ? 1 : 0))
        .map((x) => `${x.tid}/${x.f.id}`);
      const listed = async (filter: Parameters<SqlFleetStore['listFindings']>[1]) => {
        const out: string[] = [];
        for (let page = 1; page <= 50; page++) {
          const p = await store.listFindings(admin, { tenantId: F.id, ...filter }, { page, pageSize: 5 });
          out.push(...p.items.map((r) => `${r.targetId}/${r.findingId}`));
          if (p.items.length < 5) break;
        }
        return out;
      };
      const isKev = (f: Finding) => {
        const ev = (f.evidence ?? {}) as { kev?: boolean; cves?: { kev?: unknown }[]; cve?: { kev?: unknown } };
        return ev.kev === true || Boolean(ev.cve?.kev) || (ev.cves ?? []).some((c) => c.kev);
      };
      const pkg = HOST.findings.find((f) => f.remediation.update?.packages[0]?.name)!.remediation.update!.packages[0]!.name;
      const pkgRows = await store.listFindings(admin, { tenantId: F.id, package: pkg }, { page: 1, pageSize: 500 });
      assert.ok(pkgRows.total > 0, `package ${pkg} is listed`);
      const cases: [string, Parameters<SqlFleetStore['listFindings']>[1], (f: Finding) => boolean][] = [
        ['category', { category: ['missing-security-update'] }, (f: Finding) => f.category === 'missing-security-update'],
        ['two categories', { category: ['end-of-life', 'vulnerability'] }, (f: Finding) => f.category === 'end-of-life' || f.category === 'vulnerability'],
        ['KEV', { kev: true }, isKev],
        ['not KEV', { kev: false }, (f: Finding) => !isKev(f)],
        ['CVE', { cve: cve.toLowerCase() }, (f: Finding) => (f.cves ?? []).map((c) => c.toUpperCase()).includes(cve.toUpperCase())],
      ];
      for (const [what, filter, keep] of cases) {
        const want = reference(keep);
        assert.ok(want.length > 0, `${what}: the fixture has matches`);
        assert.deepEqual(await listed(filter), want, what);
      }
      // the package filter lists exactly the rows with that package, in the same order
      const byPackage = await listed({ package: pkg });
      assert.deepEqual(byPackage, pkgRows.items.map((r) => `${r.targetId}/${r.findingId}`));
      assert.ok(pkgRows.items.every((r) => r.package === pkg));
      assert.ok(!(await listed({ cve })).some((k) => k.startsWith(`${ts[0]!.id}/`)), 'a CVE only an older scan of the target had is not listed');
    });

    it('listFindings: past 10,000 matches the total is a lower bound, flagged; a page past it, or a narrower filter, counts exactly', async () => {
      const G = await store.createTenant(admin, 'Tenant G many');
      const perTarget = 500;
      const many = Array.from({ length: perTarget }, (_, i) => {
        const f = HOST.findings[i % HOST.findings.length]!;
        return { ...f, id: `${f.id}-${i}` };
      });
      const ts: Target[] = [];
      for (let i = 0; i < 21; i++) {
        const t = await target(G, `many-${String(i).padStart(2, '0')}`);
        await scan(t, many, '2026-06-10T00:00:00.000Z');
        ts.push(t);
      }
      const n = 21 * perTarget; // 10,500
      const page = (p: number, filter: Parameters<SqlFleetStore['listFindings']>[1] = {}) => store.listFindings(admin, { tenantId: G.id, ...filter }, { page: p, pageSize: 50 });
      const first = await page(1);
      assert.equal(first.total, 10_000);
      assert.equal(first.totalIsLowerBound, true);
      assert.equal(first.items.length, 50);
      // a page past the cap counts up to its end: still a lower bound short of the last rows, exact on the last page
      const p205 = await page(205);
      assert.deepEqual([p205.total, p205.totalIsLowerBound, p205.items.length], [205 * 50, true, 50]);
      const last = await page(n / 50);
      assert.deepEqual([last.total, last.totalIsLowerBound, last.items.length], [n, false, 50]);
      assert.equal((await page(n / 50 + 1)).items.length, 0);
      // a filter under the cap is exact
      const crit = many.filter((f) => f.severity === 'critical').length * 21;
      const c = await page(1, { severity: ['critical'] });
      assert.deepEqual([c.total, c.totalIsLowerBound], [crit, false]);
      // the pages still partition the whole list (no row twice) across the cap
      const a = await page(200);
      const b = await page(201);
      assert.equal(new Set([...a.items, ...b.items].map((r) => `${r.targetId}/${r.findingId}`)).size, 100);
      // a viewer of this tenant and a small one: the same pages as both lists merged in the list's order
      const H = await store.createTenant(admin, 'Tenant H small');
      const th = await target(H, 'small-01');
      await scan(th, HOST.findings, '2026-06-10T00:00:00.000Z');
      const key = (r: { severity: string; targetId: string; findingId: string }) => ({ rank: severityRank(r.severity as Finding['severity']), k: `${r.targetId}/${r.findingId}` });
      const gRows = [...(await page(1)).items, ...(await page(2)).items, ...(await page(3)).items];
      const hRows = (await store.listFindings(admin, { tenantId: H.id }, { page: 1, pageSize: 500 })).items;
      const merged = [...gRows, ...hRows].map(key).sort((x, y) => y.rank - x.rank || (x.k < y.k ? -1 : x.k > y.k ? 1 : 0)).map((x) => x.k);
      const viewerGH: Scope = { userId: null, role: 'viewer', tenantIds: [G.id, H.id] };
      for (const p of [1, 3]) {
        const v = await store.listFindings(viewerGH, {}, { page: p, pageSize: 50 });
        assert.deepEqual([v.total, v.totalIsLowerBound], [10_000, true]);
        assert.deepEqual(v.items.map((r) => `${r.targetId}/${r.findingId}`), merged.slice((p - 1) * 50, p * 50), `viewer of two tenants, page ${p}`);
      }
      for (const t of [...ts, th]) assert.equal(await store.deleteTarget(admin, t.id), true);
    });

    it('listTargets: pagination partitions, lastScan attached, filters by kind and q', async () => {
      const E = await store.createTenant(admin, 'Tenant E paging');
      for (let i = 0; i < 23; i++) await target(E, `page-${String(i).padStart(2, '0')}`, i % 2 ? { kind: 'site', address: `https://p${i}.example.test/` } : {});
      const ids: string[] = [];
      for (let page = 1; page <= 5; page++) ids.push(...(await store.listTargets(admin, { tenantId: E.id }, { page, pageSize: 5 })).items.map((t) => t.name));
      assert.equal(ids.length, 23);
      assert.deepEqual(ids, [...ids].sort());
      assert.equal((await store.listTargets(admin, { tenantId: E.id, kind: 'site' }, { page: 1, pageSize: 50 })).total, 11);
      assert.equal((await store.listTargets(admin, { tenantId: E.id, q: 'PAGE-1' }, { page: 1, pageSize: 50 })).total, 10);
    });

    it('SQL injection and odd text are stored and matched inertly', async () => {
      const T = await store.createTenant(admin, INJECTION);
      assert.equal((await store.findTenantByName(admin, INJECTION))?.id, T.id);
      const t = await target(T, INJECTION, { tags: [INJECTION], address: INJECTION });
      assert.equal((await store.getTarget(admin, t.id))?.name, INJECTION);
      assert.equal((await store.listTargets(admin, { q: `DROP TABLE targets; -- "%_` }, { page: 1, pageSize: 10 })).total, 1);
      assert.equal((await store.listTargets(admin, { tag: INJECTION }, { page: 1, pageSize: 10 })).total, 1);
      const evil: Finding = { ...F[0]!, id: `VULN-${INJECTION}`, title: INJECTION, cves: [INJECTION] };
      await scan(t, [evil], '2026-06-01T00:00:00.000Z');
      assert.equal((await store.listFindings(admin, { cve: INJECTION }, { page: 1, pageSize: 10 })).items[0]?.title, INJECTION);
      assert.equal((await store.listFindings(admin, { q: INJECTION }, { page: 1, pageSize: 10 })).total, 1);
      await store.setSetting(T.id, INJECTION, { v: INJECTION });
      assert.deepEqual(await store.getSetting(T.id, INJECTION), { v: INJECTION });
      assert.ok((await store.listTargets(admin, {}, { page: 1, pageSize: 500 })).total > 10, 'the targets table is still there');
    });

    it('users, sessions, tokens, login throttling, settings', async () => {
      const u = await store.createUser({ email: 'viewer@example.test', passwordHash: 'h1', role: 'viewer', tenantIds: [A.id] });
      await assert.rejects(store.createUser({ email: 'VIEWER@example.test', passwordHash: 'h', role: 'viewer', tenantIds: [] }), /already exists/);
      await assert.rejects(store.createTenant(admin, ' Tenant B '), /a tenant named "Tenant B" already exists/);
      assert.equal((await store.getUserByEmail('viewer@example.test'))?.passwordHash, 'h1');
      assert.ok((await store.countUsers()) >= 2);
      const upd = await store.updateUser(u.id, { tenantIds: [A.id, B.id], disabled: true, passwordHash: 'h2' });
      assert.deepEqual(upd?.tenantIds, [A.id, B.id]);
      assert.ok(upd?.disabledAt);
      assert.equal(await store.updateUser('nope', { role: 'admin' }), undefined);
      assert.ok((await store.listUsers(opA)).some((x) => x.id === u.id));
      assert.ok(!(await store.listUsers(opA)).some((x) => x.role === 'admin'));

      await store.createSession({ idHash: 'h-sess', userId: u.id, csrfToken: 'csrf', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z', mfaPassed: false });
      await store.updateSession('h-sess', { mfaPassed: true, expiresAt: '2026-01-03T00:00:00.000Z' });
      assert.deepEqual(await store.getSession('h-sess'), { idHash: 'h-sess', userId: u.id, csrfToken: 'csrf', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-03T00:00:00.000Z', mfaPassed: true });
      await store.deleteUserSessions(u.id);
      assert.equal(await store.getSession('h-sess'), undefined);

      const tok = await store.createToken({ userId: u.id, name: 'ci', hash: 'sha256-abc' });
      assert.equal((await store.findToken('sha256-abc'))?.id, tok.id);
      assert.ok((await store.listTokens(u.id))[0]?.lastUsedAt);
      assert.ok(!JSON.stringify(await store.listTokens(u.id)).includes('sha256-abc'));
      assert.equal(await store.revokeToken('someone-else', tok.id), false);
      assert.equal(await store.revokeToken(u.id, tok.id), true);
      assert.equal(await store.findToken('sha256-abc'), undefined);

      const t0 = Date.parse('2026-01-01T00:00:00Z');
      for (let i = 0; i < 4; i++) await store.recordLoginAttempt('ip:127.0.0.1', false, new Date(t0 + i * 1000));
      assert.equal(await store.countLoginFailures('ip:127.0.0.1', new Date(t0)), 4);
      assert.equal(await store.countLoginFailures('ip:127.0.0.1', new Date(t0 + 2000)), 2);
      await store.recordLoginAttempt('ip:127.0.0.1', true, new Date(t0 + 5000));
      await store.recordLoginAttempt('ip:127.0.0.1', false, new Date(t0 + 6000));
      assert.equal(await store.countLoginFailures('ip:127.0.0.1', new Date(t0)), 1, 'a success resets the count');

      assert.equal(await store.getSetting(null, 'smtp'), undefined);
      await store.setSetting(null, 'smtp', { host: '127.0.0.1', port: 2525 });
      await store.setSetting(null, 'smtp', { host: '127.0.0.1', port: 2526 });
      assert.deepEqual(await store.getSetting(null, 'smtp'), { host: '127.0.0.1', port: 2526 });
      await store.setSetting(A.id, 'smtp', { x: 1 });
      assert.deepEqual(await store.getSetting(null, 'smtp'), { host: '127.0.0.1', port: 2526 });
    });

    it('audit: append-only in the database (UPDATE and DELETE refused), newest first, scoped', async () => {
      await store.appendAudit({ actorUserId: 'u1', actorTokenId: null, action: 'exception.create', objectType: 'exception', objectId: 'e1', tenantId: A.id, detail: { reason: INJECTION } }, new Date('2026-01-01T00:00:00Z'));
      await store.appendAudit({ actorUserId: 'u1', actorTokenId: 't1', action: 'target.update', objectType: 'target', objectId: 't1', tenantId: A.id, detail: {} }, new Date('2026-01-01T00:00:01Z'));
      const p = await store.listAudit(viewerA, {}, { page: 1, pageSize: 10 });
      assert.equal(p.items[0]?.action, 'target.update');
      assert.deepEqual(p.items[1]?.detail, { reason: INJECTION });
      assert.ok(p.items.every((e) => e.tenantId === A.id));
      assert.equal((store as unknown as Record<string, unknown>).updateAudit, undefined);
      assert.equal((store as unknown as Record<string, unknown>).deleteAudit, undefined);
      await assert.rejects(sql`update audit set action = 'forged'`.execute(store.db), /append-only/);
      await assert.rejects(sql`delete from audit`.execute(store.db), /append-only/);
      assert.equal((await store.listAudit(admin, {}, { page: 1, pageSize: 1 })).items[0]?.action, 'target.update');
    });

    it('deleteTarget removes its scans, findings, history and secrets', async () => {
      const t = await target(A, 'delete-host', {}, { sshKey: SSH_KEY });
      const s = await scan(t, F.slice(0, 3), '2026-06-01T00:00:00.000Z');
      assert.equal(await store.deleteTarget(opA, t.id), true);
      assert.equal(await store.getTarget(admin, t.id), undefined);
      assert.equal(await store.getScan(admin, s), undefined);
      assert.deepEqual(await store.findingHistory(admin, t.id), []);
      assert.deepEqual(await store.getTargetSecrets(t.id), {});
      assert.equal(await store.deleteTarget(admin, t.id), false);
    });
  });
}
