/**
 * Findings the latest scan could not check are visible as such through the API: the latest findings (JSON and
 * the CSV export) and the finding history carry `unverifiedSince`, on SQLite and PostgreSQL. A host scanned in
 * full (the golden Ubuntu document), then with its package list timed out (the gap dpkg-query's failure writes):
 * the package findings stay listed, not verified since the partial scan; the others were seen by it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SYSTEM_SCOPE, type FindingRow, type Target } from '../../src/fleet/types.js';
import { bearer, buildFixture, dialects, type Fixture } from './helpers.js';
import { fromPackages, golden, variant, withoutPackageList } from '../fleet/partial-docs.js';

const HOST = golden('host-ubuntu2204');
const PKG = HOST.findings.filter(fromPackages).map((f) => f.id).sort();
const FULL_AT = '2026-11-20T00:00:00.000Z';
const PARTIAL_AT = '2026-11-27T00:00:00.000Z';

/** RFC 4180 rows of the export (quoted cells with commas, doubled quotes), without the BOM. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

for (const d of await dialects()) {
  describe(`not verified since, through the API: ${d.name}`, { skip: d.skip }, () => {
    let fx: Fixture;
    let target: Target;
    before(async () => {
      const { store, cleanup } = await d.open();
      fx = await buildFixture(store, cleanup);
      target = (await store.upsertTarget(SYSTEM_SCOPE, { tenantId: fx.tenantA.id, name: 'ubuntu-web', kind: 'host', address: '127.0.0.1:2230', sshUser: 'mamori' }))!.target;
      for (const doc of [variant(HOST, FULL_AT, HOST.findings), withoutPackageList(HOST, PARTIAL_AT)]) {
        const s = (await store.createScan(SYSTEM_SCOPE, target.id, 'manual'))!;
        await store.startScan(s.id);
        await store.finishScan(s.id, doc, 'test-knowledge');
      }
    });
    after(async () => fx?.close());

    it('the latest findings: the ones the partial scan could not check are listed with unverifiedSince, the others with null', async () => {
      const res = await fx.req({ method: 'GET', url: `/api/findings?target=${target.id}&pageSize=100`, headers: bearer(fx.tokens.viewerA) });
      assert.equal(res.statusCode, 200, res.body);
      const items = (res.json() as { items: FindingRow[] }).items;
      assert.equal(items.length, HOST.findings.length, 'still listed: not resolved');
      assert.deepEqual(items.filter((x) => x.unverifiedSince !== null).map((x) => x.findingId).sort(), PKG);
      for (const x of items) assert.equal(x.unverifiedSince, PKG.includes(x.findingId) ? PARTIAL_AT : null, x.findingId);
      // The history says the same, with the scan that could not check them.
      const hist = (await fx.req({ method: 'GET', url: `/api/targets/${target.id}/history`, headers: bearer(fx.tokens.viewerA) })).json() as { items: { findingId: string; state: string; unverifiedSince: string | null; unverifiedScanId: string | null }[] };
      for (const h of hist.items.filter((x) => PKG.includes(x.findingId))) {
        assert.equal(h.state, 'open');
        assert.equal(h.unverifiedSince, PARTIAL_AT);
        assert.ok(h.unverifiedScanId);
      }
    });

    it('the CSV export has an unverifiedSince column: the date for the findings not checked, empty for the others', async () => {
      const res = await fx.req({ method: 'GET', url: `/api/findings?target=${target.id}&format=csv`, headers: bearer(fx.tokens.viewerA) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
      const [head, ...rows] = parseCsv(res.body);
      assert.equal(head!.at(-1), 'unverifiedSince');
      const col = head!.indexOf('unverifiedSince');
      const idCol = head!.indexOf('findingId');
      assert.equal(rows.length, HOST.findings.length);
      for (const r of rows) assert.equal(r.length, head!.length, 'every row has every column');
      assert.deepEqual(rows.filter((r) => r[col] !== '').map((r) => r[idCol]).sort(), PKG);
      for (const r of rows) assert.equal(r[col], PKG.includes(r[idCol]!) ? PARTIAL_AT : '', r[idCol]);
    });
  });
}
