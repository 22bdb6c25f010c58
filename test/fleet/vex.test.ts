/** OpenVEX export of accepted risks (src/fleet/vex.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exceptionsToOpenVex } from '../../src/fleet/vex.js';
import type { RiskException } from '../../src/fleet/types.js';

const base: RiskException = {
  id: 'e1', tenantId: 't1', targetId: 'tg1', findingId: null, cve: 'CVE-2024-4577', reason: 'CGI mode disabled; WAF rule 942100 until the PHP update on 2026-07-01',
  owner: 'ops@example.co.jp', expiresAt: '2026-07-01T00:00:00.000Z', createdBy: 'u1', createdAt: '2026-05-01T00:00:00.000Z', revokedAt: null,
};

describe('exceptionsToOpenVex', () => {
  it('accepted risk is `affected` with an action statement naming owner, expiry and reason (never not_affected)', () => {
    const doc = exceptionsToOpenVex([base], { author: 'ops@example.co.jp', now: new Date('2026-06-01T00:00:00Z'), tooling: 'mamori/0.1.0' });
    assert.equal(doc['@context'], 'https://openvex.dev/ns/v0.2.0');
    assert.match(doc['@id'], /^urn:mamori:vex:[0-9a-f]{32}$/);
    assert.equal(doc.version, 1);
    assert.equal(doc.statements.length, 1);
    const s = doc.statements[0]!;
    assert.equal(s.status, 'affected');
    assert.deepEqual(s.vulnerability, { name: 'CVE-2024-4577', '@id': 'https://nvd.nist.gov/vuln/detail/CVE-2024-4577' });
    assert.deepEqual(s.products, [{ '@id': 'urn:mamori:target:tg1' }]);
    assert.match(s.action_statement, /ops@example\.co\.jp until 2026-07-01/);
    assert.match(s.status_notes, /WAF rule 942100/);
    assert.ok(!JSON.stringify(doc).includes('not_affected'));
  });

  it('expired and revoked exceptions are left out; tenant-wide CVE and finding-id exceptions have their own product and name', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const doc = exceptionsToOpenVex([
      { ...base, id: 'expired', expiresAt: '2026-05-31T00:00:00.000Z' },
      { ...base, id: 'revoked', revokedAt: '2026-05-02T00:00:00.000Z' },
      { ...base, id: 'tenant', targetId: null },
      { ...base, id: 'finding', cve: null, findingId: 'PLN-061e5b84' },
    ], { author: 'a', now });
    assert.deepEqual(doc.statements.map((s) => s['@id']), ['urn:mamori:exception:finding', 'urn:mamori:exception:tenant'].sort());
    const f = doc.statements.find((s) => s['@id'] === 'urn:mamori:exception:finding')!;
    assert.deepEqual(f.vulnerability, { name: 'mamori:PLN-061e5b84' });
    assert.deepEqual(doc.statements.find((s) => s['@id'] === 'urn:mamori:exception:tenant')!.products, [{ '@id': 'urn:mamori:tenant:t1' }]);
    // Deterministic id for the same statements.
    assert.equal(exceptionsToOpenVex([base], { author: 'a', now })['@id'], exceptionsToOpenVex([base], { author: 'b', now: new Date('2026-06-02T00:00:00Z') })['@id']);
  });
});
