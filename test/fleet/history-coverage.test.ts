/**
 * Finding history under partial scans, on SQLite and on the real PostgreSQL (127.0.0.1:5432, a database of its
 * own, dropped after; skipped with the reason when the server does not answer): a finding a scan did not check
 * stays open and is marked not verified, it is neither resolved nor reopened, the diff says "not checked", and a
 * database at migration 0004 upgrades. Documents are the golden fleet documents and their partial variants.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Migrator, sql } from 'kysely';
import type { Finding, Gap, ReportDocument } from '../../src/core/model.js';
import { coverageFinding, coverageOf } from '../../src/fleet/coverage.js';
import { openFleetStore, type SqlFleetStore } from '../../src/fleet/store/index.js';
import { InCodeMigrations } from '../../src/fleet/store/migrations.js';
import { generateSecretKey } from '../../src/fleet/secrets.js';
import { SYSTEM_SCOPE, type FindingHistory, type Target, type Tenant } from '../../src/fleet/types.js';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres.js';
import { budgetGap, docrootGap, dpkgTimeoutGap, fromPackages, golden, knowledgeDamagedGap, phpVersionGap, siteHttpGap, variant, withoutPackageList } from './partial-docs.js';

const pgReason = await postgresUnavailable();
const HOST = golden('host-ubuntu2204');
const CENTOS = golden('host-centos6');
const SITE = golden('site-old');
const admin = SYSTEM_SCOPE;
const PKG = HOST.findings.filter(fromPackages);
const PHP_INI = HOST.findings.find((f) => f.source === 'host:php-ini')!;

interface Harness {
  open(): Promise<SqlFleetStore>;
  cleanup(): Promise<void>;
}

function suite(label: string, harness: () => Promise<Harness>): void {
  describe(`finding history and coverage: ${label}`, () => {
    let h: Harness;
    let store: SqlFleetStore;
    let T: Tenant;
    let n = 0;
    before(async () => {
      h = await harness();
      store = await h.open();
      await store.migrate();
      T = await store.createTenant(admin, `coverage ${label}`);
    });
    after(async () => {
      await store?.close();
      await h?.cleanup();
    });

    const target = async (kind: 'host' | 'site' = 'host'): Promise<Target> =>
      (await store.upsertTarget(admin, { tenantId: T.id, name: `t${++n}`, kind, address: kind === 'host' ? 'web1.example.test:22' : 'http://127.54.91.7:28443/' }))!.target;
    const scan = async (t: Target, doc: ReportDocument): Promise<string> => {
      const s = (await store.createScan(admin, t.id, 'schedule'))!;
      await store.startScan(s.id);
      await store.finishScan(s.id, doc, 'kv');
      return s.id;
    };
    const history = async (t: Target): Promise<Map<string, FindingHistory>> => new Map((await store.findingHistory(admin, t.id)).map((x) => [x.findingId, x]));
    const ids = (rows: readonly { findingId: string }[]) => rows.map((r) => r.findingId).sort();
    const idsOf = (fs: readonly Finding[]) => fs.map((f) => f.id).sort();

    it('a full rescan without a finding resolves it', async () => {
      const t = await target();
      await scan(t, variant(HOST, '2026-10-01T00:00:00.000Z', HOST.findings));
      const gone = PKG[0]!;
      await scan(t, variant(HOST, '2026-10-08T00:00:00.000Z', HOST.findings.filter((f) => f.id !== gone.id)));
      const hist = await history(t);
      assert.equal(hist.get(gone.id)?.state, 'resolved');
      assert.equal(hist.get(gone.id)?.resolvedAt, '2026-10-08T00:00:00.000Z');
      assert.equal(hist.get(gone.id)?.unverifiedSince, null);
    });

    it('partial rescan (package list timed out): package findings stay open, not verified since it; the php.ini finding it checked is resolved; the next full scan keeps them open without reopening', async () => {
      const t = await target();
      const s1 = await scan(t, variant(HOST, '2026-10-01T00:00:00.000Z', HOST.findings));
      // dpkg-query timed out, and display_errors was switched off in the meantime.
      const partial = withoutPackageList(HOST, '2026-10-08T00:00:00.000Z', HOST.findings.filter((f) => f.id !== PHP_INI.id));
      const s2 = await scan(t, partial);
      let hist = await history(t);
      for (const f of PKG) {
        const x = hist.get(f.id)!;
        assert.equal(x.state, 'open', f.id);
        assert.equal(x.resolvedAt, null);
        assert.equal(x.lastSeenAt, '2026-10-01T00:00:00.000Z', 'last seen stays at the scan that saw it');
        assert.equal(x.unverifiedSince, '2026-10-08T00:00:00.000Z');
        assert.equal(x.unverifiedScanId, s2);
      }
      assert.equal(hist.get(PHP_INI.id)?.state, 'resolved', 'checked and absent');
      // Still listed among the latest findings, marked as not verified.
      const latest = (await store.listFindings(admin, { targetId: t.id }, { page: 1, pageSize: 100 })).items;
      assert.deepEqual(ids(latest.filter((r) => r.unverifiedSince)), idsOf(PKG));
      assert.ok(!latest.some((r) => r.findingId === PHP_INI.id));
      // The diff: absent because not checked, not resolved.
      const d = (await store.diffScans(admin, s1, s2))!;
      assert.deepEqual(ids(d.notChecked), idsOf(PKG));
      assert.deepEqual(ids(d.resolved), [PHP_INI.id]);
      assert.deepEqual(d.new, []);
      // A second partial scan keeps "since" at the first one.
      const s3 = await scan(t, withoutPackageList(HOST, '2026-10-15T00:00:00.000Z', HOST.findings.filter((f) => f.id !== PHP_INI.id)));
      hist = await history(t);
      assert.equal(hist.get(PKG[0]!.id)?.unverifiedSince, '2026-10-08T00:00:00.000Z');
      assert.equal(hist.get(PKG[0]!.id)?.unverifiedScanId, s2);
      // The full scan that has them again: open, verified, never reopened; the php.ini finding is back: reopened.
      const s4 = await scan(t, variant(HOST, '2026-10-22T00:00:00.000Z', HOST.findings));
      hist = await history(t);
      for (const f of PKG) {
        const x = hist.get(f.id)!;
        assert.equal(x.state, 'open');
        assert.equal(x.reopenCount, 0, `${f.id} not reopened`);
        assert.equal(x.reopenedAt, null);
        assert.equal(x.unverifiedSince, null);
        assert.equal(x.lastSeenAt, '2026-10-22T00:00:00.000Z');
        assert.equal(x.firstSeenAt, '2026-10-01T00:00:00.000Z');
      }
      assert.equal(hist.get(PHP_INI.id)?.reopenCount, 1);
      const back = (await store.diffScans(admin, s3, s4))!;
      assert.deepEqual(ids(back.notCheckedBefore), idsOf(PKG), 'absent from the older scan only because it did not check them');
      assert.deepEqual(ids(back.new), [PHP_INI.id]);
      // An accepted risk applies at once to a finding kept unverified (not in the latest scan's rows), and stops when revoked.
      await scan(t, withoutPackageList(HOST, '2026-10-29T00:00:00.000Z'));
      const ex = (await store.createException(admin, { tenantId: T.id, targetId: t.id, findingId: PKG[0]!.id, cve: null, reason: 'r', owner: 'o', expiresAt: '2099-01-01T00:00:00Z', createdBy: null }))!;
      assert.equal((await history(t)).get(PKG[0]!.id)?.state, 'accepted');
      assert.equal(await store.revokeException(admin, ex.id), true);
      assert.equal((await history(t)).get(PKG[0]!.id)?.state, 'open');
    });

    it('a scan that checked nothing resolves nothing: the site not answering, another target\'s document, an empty collection', async () => {
      const site = await target('site');
      await scan(site, variant(SITE, '2026-10-01T00:00:00.000Z', SITE.findings));
      await scan(site, variant(SITE, '2026-10-02T00:00:00.000Z', [], [siteHttpGap()]));
      assert.ok([...(await history(site)).values()].every((x) => x.state === 'open' && x.unverifiedSince === '2026-10-02T00:00:00.000Z'));
      // A spent request budget: the exposure findings stay, a header that was checked and is gone is resolved.
      // (the headers grade counts the cookies of every crawled page: not this one)
      const hdr = SITE.findings.find((f) => f.source === 'header.csp')!;
      const exposure = SITE.findings.filter((f) => f.category === 'sensitive-file-exposure' || f.category === 'personal-data-exposure');
      await scan(site, variant(SITE, '2026-10-03T00:00:00.000Z', SITE.findings.filter((f) => f.id !== hdr.id && !exposure.includes(f)), [budgetGap(40, 400)]));
      const sh = await history(site);
      assert.equal(sh.get(hdr.id)?.state, 'resolved');
      for (const f of exposure) assert.equal(sh.get(f.id)?.state, 'open', f.id);

      const host = await target();
      await scan(host, variant(HOST, '2026-10-01T00:00:00.000Z', HOST.findings));
      await scan(host, variant(HOST, '2026-10-02T00:00:00.000Z', [], [], (d) => (d.target = { kind: 'host', name: 'scan@other.example.test:22' })));
      assert.ok([...(await history(host)).values()].every((x) => x.state === 'open'), 'another target\'s document');
      await scan(host, variant(HOST, '2026-10-03T00:00:00.000Z', [], [], (d) => (d.inventory = { packages: [], components: [], pendingUpdates: [] })));
      assert.ok([...(await history(host)).values()].every((x) => x.state === 'open'), 'an empty inventory');
    });

    it('CentOS 6 with an nginx include it cannot read on every scan: nginx upgraded, its CVEs and end of life are resolved; a file outside the walked roots stays open, not verified', async () => {
      const t = await target();
      const config = CENTOS.gaps.find((g) => g.code === 'host.gap.config')!;
      const roots = (d: ReportDocument) => (d.inventory.docroots = [{ path: '/var/www/html', from: 'nginx:/etc/nginx/nginx.conf' }]);
      const file = (location: string, id: string): Finding => ({ ...structuredClone(CENTOS.findings[0]!), id, category: 'personal-data-exposure', source: 'host:docroot', location, component: undefined, cves: undefined });
      const inRoot = file('/var/www/html/backup/customers.csv', 'personal-data-exposure/host-docroot-file/in-root');
      const elsewhere = file('/srv/shop/htdocs/customers.csv', 'personal-data-exposure/host-docroot-file/elsewhere');
      await scan(t, variant(CENTOS, '2026-10-01T00:00:00.000Z', [...CENTOS.findings, inRoot, elsewhere], [], roots));
      const nginx = CENTOS.findings.filter((f) => f.component?.name === 'nginx');
      assert.equal(nginx.length, 2, 'its CVEs (nginx -V) and its end of life');
      // nginx 1.10 replaced; the include is still unreadable (the same gap), the file elsewhere was not found.
      await scan(t, variant(CENTOS, '2026-10-08T00:00:00.000Z', CENTOS.findings.filter((f) => !nginx.includes(f)), [], roots));
      assert.ok(CENTOS.gaps.includes(config));
      const hist = await history(t);
      for (const f of nginx) {
        assert.equal(hist.get(f.id)?.state, 'resolved', f.id);
        assert.equal(hist.get(f.id)?.unverifiedSince, null);
      }
      assert.equal(hist.get(inRoot.id)?.state, 'resolved', 'its root was walked');
      assert.equal(hist.get(elsewhere.id)?.state, 'open');
      assert.equal(hist.get(elsewhere.id)?.unverifiedSince, '2026-10-08T00:00:00.000Z');
    });

    it('law (property): a finding is resolved only by a scan that covered it; one it did not cover keeps its state, marked not verified', async () => {
      const t = await target();
      const gaps: Gap[] = [dpkgTimeoutGap(), phpVersionGap(), knowledgeDamagedGap(), docrootGap('/var/www/html'), { what: 'x', why: 'y', code: 'host.gap.unheardOf' }];
      let day = 0;
      await fc.assert(fc.asyncProperty(fc.subarray(HOST.findings), fc.subarray(HOST.findings), fc.subarray(gaps), async (x, y, g) => {
        day++;
        const at = (k: number) => new Date(Date.UTC(2028, 0, 1) + (2 * day + k) * 3_600_000).toISOString();
        await scan(t, variant(HOST, at(0), x));
        const before = await history(t);
        const doc = variant(HOST, at(1), y, g);
        const s2 = await scan(t, doc);
        const after = await history(t);
        const cover = coverageOf(doc);
        for (const [id, hNow] of after) {
          const was = before.get(id);
          const inY = y.some((f) => f.id === id);
          if (inY) {
            assert.notEqual(hNow.state, 'resolved');
            assert.equal(hNow.unverifiedSince, null);
            continue;
          }
          if (!was || was.state === 'resolved') {
            assert.deepEqual(hNow, was, 'a resolved finding absent again stays as it was');
            continue;
          }
          const f = HOST.findings.find((z) => z.id === id)!;
          if (cover.covers(coverageFinding(f))) {
            assert.equal(hNow.state, 'resolved', `${id} covered and absent`);
            assert.equal(hNow.resolvedAt, at(1));
          } else {
            assert.equal(hNow.state, was.state, `${id} not covered: state kept`);
            assert.equal(hNow.lastSeenAt, was.lastSeenAt);
            assert.equal(hNow.unverifiedSince, was.unverifiedSince ?? at(1));
            assert.equal(hNow.unverifiedScanId, was.unverifiedScanId ?? s2);
          }
        }
      }), { numRuns: 10 });
    });
  });
}

suite('SQLite', async () => {
  const home = mkdtempSync(join(tmpdir(), 'mamori-coverage-'));
  return { open: () => openFleetStore({ home, secretKey: generateSecretKey('t') }), cleanup: async () => rmSync(home, { recursive: true, force: true }) };
});

/** A database at migration 0004 (the last before coverage) with a history row, then upgraded by migrate(). */
function upgrade(label: string, harness: () => Promise<Harness>): void {
  it(`an existing database upgrades to coverage (0005) and its old history rows follow the rule by category: ${label}`, async () => {
    const h = await harness();
    const store = await h.open();
    try {
      const old = await new Migrator({ db: store.db, provider: new InCodeMigrations(store.dialect) }).migrateTo('0004_reports');
      assert.equal(old.error, undefined);
      const T = await store.createTenant(admin, 'upgrade');
      const t = (await store.upsertTarget(admin, { tenantId: T.id, name: 'old-host', kind: 'host', address: 'old.example.test:22' }))!.target;
      // A scan finished by the old version: its history row has no source, location or unverified columns.
      const f = PKG[0]!;
      await sql`insert into finding_history (tenant_id, target_id, finding_id, state, severity, category, title, first_seen_at, last_seen_at, reopen_count, severity_rank, component, package, cves, kev)
        values (${T.id}, ${t.id}, ${f.id}, 'open', ${f.severity}, ${f.category}, ${f.title}, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 0, 3, ${f.component?.name ?? null}, ${f.component?.name ?? null}, '[]', 0)`.execute(store.db);
      await store.migrate();
      await store.migrate();
      const [row] = await store.findingHistory(admin, t.id);
      assert.equal(row?.unverifiedSince, null);
      // A partial scan (package list unavailable): the old row, by its category, is not checked.
      const s = (await store.createScan(admin, t.id, 'schedule'))!;
      await store.startScan(s.id);
      await store.finishScan(s.id, withoutPackageList(HOST, '2026-02-01T00:00:00.000Z', []), 'kv');
      const [after] = await store.findingHistory(admin, t.id);
      assert.equal(after?.state, 'open');
      assert.equal(after?.unverifiedSince, '2026-02-01T00:00:00.000Z');
    } finally {
      await store.close();
      await h.cleanup();
    }
  });
}

describe('migration 0005 on an existing database', () => {
  upgrade('SQLite', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mamori-coverage-up-'));
    return { open: () => openFleetStore({ home, secretKey: generateSecretKey('t') }), cleanup: async () => rmSync(home, { recursive: true, force: true }) };
  });
  if (!pgReason) {
    upgrade('PostgreSQL', async () => {
      const db = await createTestDatabase('mamori_coverage_up');
      return { open: () => openFleetStore({ url: db.url, home: '/nonexistent-home-not-used', secretKey: generateSecretKey('t'), poolSize: 2 }), cleanup: () => db.drop() };
    });
  }
});

if (pgReason) {
  describe('finding history and coverage: PostgreSQL', () => {
    it('PostgreSQL', { skip: pgReason }, () => {});
  });
} else {
  suite('PostgreSQL', async () => {
    const db = await createTestDatabase('mamori_coverage');
    return { open: () => openFleetStore({ url: db.url, home: '/nonexistent-home-not-used', secretKey: generateSecretKey('t'), poolSize: 4 }), cleanup: () => db.drop() };
  });
}
