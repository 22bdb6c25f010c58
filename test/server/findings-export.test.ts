/**
 * The findings CSV export reads the list by keyset (store.findingsInOrder) and streams it: the same rows, fields and
 * order as the list's pages read one after the other with OFFSET (the export before), on a realistic fleet (the
 * fleet-store bench's seed at 40 targets in 20 tenants: golden findings, rescans with resolved and new findings)
 * beside the server fixture's own, on SQLite and PostgreSQL; and rows resolved behind the export while it runs move
 * no other row out of it (OFFSET skipped as many rows as were resolved before its page).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FindingFilter } from '../../src/fleet/ports.js';
import type { SqlFleetStore } from '../../src/fleet/store/index.js';
import { SYSTEM_SCOPE, type FindingRow, type Scope } from '../../src/fleet/types.js';
import { CSV_COLUMNS, csvCell } from '../../src/server/routes/scans.js';
import { bearer, buildFixture, dialects, type Fixture } from './helpers.js';

process.env.MAMORI_BENCH_FLEET_TARGETS = '40';
const { seed } = await import('../../bench/fleet-store.bench.js');

type Row = FindingRow & { targetName: string };

/** The export before: the list's pages one after the other (OFFSET), until a short page. */
async function byPages(fx: Fixture, scope: Scope, filter: FindingFilter, pageSize: number): Promise<Row[]> {
  const out: Row[] = [];
  for (let page = 1; ; page++) {
    const res = await fx.store.listFindings(scope, filter, { page, pageSize });
    out.push(...res.items);
    if (res.items.length < pageSize) return out;
  }
}

async function byKeyset(fx: Fixture, scope: Scope, filter: FindingFilter, batchSize: number): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of fx.store.findingsInOrder(scope, filter, batchSize)) {
    assert.ok(batch.length > 0 && batch.length <= batchSize, `a batch of ${batch.length} rows (batch size ${batchSize})`);
    out.push(...batch);
  }
  return out;
}

const key = (r: Row) => `${r.targetId}/${r.findingId}`;

for (const d of await dialects()) {
  describe(`findings CSV export by keyset (${d.name})`, { skip: d.skip }, () => {
    let fx: Fixture;
    let tenants: string[];
    let target: string;
    let scan: string;
    before(async () => {
      const { store, cleanup } = await d.open();
      fx = await buildFixture(store, cleanup);
      const seeded = await seed(store as SqlFleetStore, 2);
      tenants = [...new Set(seeded.targets.map((t) => t.tenantId))];
      target = seeded.targets[20]!.id;
      scan = (await store.listFindings(SYSTEM_SCOPE, { targetId: target }, { page: 1, pageSize: 1 })).items[0]!.scanId;
    });
    after(async () => fx?.close());

    it('gives the rows of the pages one after the other, in their order, for each scope and filter', async () => {
      const viewer: Scope = { userId: null, role: 'viewer', tenantIds: tenants.slice(0, 3) };
      const cases: [string, Scope, FindingFilter][] = [
        ['fleet', SYSTEM_SCOPE, {}],
        ['three tenants', viewer, {}],
        ['one tenant', SYSTEM_SCOPE, { tenantId: tenants[1] }],
        ['one tenant of the three', viewer, { tenantId: tenants[2] }],
        ['a tenant outside the scope', viewer, { tenantId: tenants[5] }],
        ['high and low', SYSTEM_SCOPE, { severity: ['high', 'low'] }],
        ['missing updates', viewer, { category: ['missing-security-update'] }],
        ['kev', SYSTEM_SCOPE, { kev: true }],
        ['tag', SYSTEM_SCOPE, { tag: 'prod' }],
        ['text', SYSTEM_SCOPE, { q: 'openssl' }],
        ['one target', SYSTEM_SCOPE, { targetId: target }],
        ['one scan', SYSTEM_SCOPE, { scanId: scan }],
      ];
      for (const [name, scope, filter] of cases) {
        const before = await byPages(fx, scope, filter, 37);
        const after = await byKeyset(fx, scope, filter, 37);
        assert.equal(after.length, before.length, `${name}: rows`);
        assert.deepEqual(after, before, name);
        assert.equal(new Set(after.map(key)).size, after.length, `${name}: each finding once`);
      }
      const fleet = await byKeyset(fx, SYSTEM_SCOPE, {}, 500);
      assert.ok(fleet.length > 6000, `a fleet of ${fleet.length} findings`);
      assert.deepEqual(fleet, await byPages(fx, SYSTEM_SCOPE, {}, 500));
      for (const sev of ['critical', 'high', 'medium', 'low'] as const) assert.ok(fleet.some((r) => r.severity === sev), `the fleet has ${sev} findings: the batches cross severities`);
    });

    it('the CSV answer is the export before, byte for byte (BOM, header, CRLF), for the fleet and for one tenant', async () => {
      for (const query of ['', `&tenant=${tenants[3]}`, '&severity=critical,medium&kev=false']) {
        const res = await fx.req({ method: 'GET', url: `/api/findings?format=csv${query}`, headers: bearer(fx.tokens.admin) });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
        assert.equal(res.headers['content-disposition'], 'attachment; filename="mamori-findings.csv"');
        const filter: FindingFilter = query.includes('tenant=') ? { tenantId: tenants[3] } : query ? { severity: ['critical', 'medium'], kev: false } : {};
        const rows = await byPages(fx, SYSTEM_SCOPE, filter, 500);
        const lines = [CSV_COLUMNS.join(','), ...rows.map((f) => CSV_COLUMNS.map((c) => csvCell(f[c])).join(','))];
        assert.ok(rows.length > 100, `${query || 'fleet'}: ${rows.length} rows`);
        assert.equal(res.body, `\uFEFF${lines.join('\r\n')}\r\n`, query || 'fleet');
      }
    });

    it('rows resolved behind the export while it runs move no other row out of it, and none comes twice', async () => {
      const all = await byPages(fx, SYSTEM_SCOPE, {}, 500);
      const it = fx.store.findingsInOrder(SYSTEM_SCOPE, {}, 50)[Symbol.asyncIterator]();
      const got: Row[] = [];
      const first = await it.next();
      assert.ok(!first.done);
      got.push(...first.value);
      // Ten findings of the first batch are resolved (as a rescan would) before the export reads on.
      const gone = first.value.slice(0, 10);
      for (const r of gone) await (fx.store as SqlFleetStore).db.updateTable('finding_history').set({ state: 'resolved', resolved_at: '2026-12-01T00:00:00.000Z' }).where('target_id', '=', r.targetId).where('finding_id', '=', r.findingId).execute();
      for (let n = await it.next(); !n.done; n = await it.next()) got.push(...n.value);
      assert.equal(new Set(got.map(key)).size, got.length, 'each finding once');
      assert.deepEqual(got.map(key), all.map(key), 'every finding open when the export began, in order: none skipped');
      // The pages (OFFSET) would have skipped as many rows as were resolved before them.
      const now = await byPages(fx, SYSTEM_SCOPE, {}, 50);
      assert.equal(now.length, all.length - gone.length);
    });
  });
}
