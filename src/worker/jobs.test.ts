import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backoffMs, JobPayloadError, parseJob } from './jobs.js';
import { reasonOf, redact } from './redact.js';

test('jobs are validated at the edge: unknown kinds and bad payloads name what is wrong', () => {
  assert.deepEqual(parseJob('scan', { scanId: 's1', targetId: 't1', tenantId: 'n1' }), { kind: 'scan', payload: { scanId: 's1', targetId: 't1', tenantId: 'n1' } });
  assert.throws(() => parseJob('scan', { scanId: 's1', targetId: 't1' }), (e: unknown) => e instanceof JobPayloadError && /bad scan job payload: tenantId: Required/.test(e.message));
  assert.throws(() => parseJob('scan', { scanId: 's1', targetId: 't1', tenantId: 'n', sshKey: 'x' }), /Unrecognized key/);
  assert.throws(() => parseJob('mine-bitcoin', {}), /unknown job kind "mine-bitcoin"; known kinds: scan, knowledge-update/);
  assert.throws(() => parseJob('render-report', { tenantId: 'n', format: 'docx', lang: 'ja' }), /format/);
  assert.deepEqual(parseJob('knowledge-update', {}), { kind: 'knowledge-update', payload: {} });
});

test('backoff grows exponentially, stays in [50%, 100%] of its step and under the cap', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const step = Math.min(3_600_000, 30_000 * 2 ** (attempt - 1));
      const v = backoffMs(attempt, 30_000, 3_600_000, () => r);
      assert.ok(v >= Math.floor(step / 2) && v <= step, `${attempt}: ${v}`);
    }),
  );
});

test('redaction: private keys, credential assignments and URL passwords never reach a log or a reason', () => {
  const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACB0ZXN0\n-----END OPENSSH PRIVATE KEY-----\n';
  assert.equal(redact(`cannot parse ${key} here`), 'cannot parse [redacted key]\n here');
  assert.equal(redact('login failed password=hunter2 for x'), 'login failed password=[redacted] for x');
  assert.equal(redact('GET postgres://mamori:s3cret@db:5432/fleet failed'), 'GET postgres://[redacted]@db:5432/fleet failed');
  assert.equal(redact('body b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB'), 'body [redacted key]');
  assert.equal(reasonOf(new Error(`bad key ${key}`)), 'bad key [redacted key]');
  assert.equal(reasonOf('x'.repeat(2000)).length, 1000);
});
