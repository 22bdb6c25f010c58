import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ALLOWLIST, type CommandId } from './allowlist.js';
import { HEAVY, plan } from './ssh.js';

const ids = Object.keys(ALLOWLIST) as CommandId[];
const LONG = HEAVY;

test('plan: at most `free` invocations, each command planned once or left queued in order, long commands alone (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...ids), { maxLength: 40 }), fc.integer({ min: 0, max: 12 }), (asked, free) => {
      const queue = asked.map((id, n) => ({ id, n }));
      const before = [...queue];
      const groups = plan(queue, free);
      assert.ok(groups.length <= free);
      assert.ok(groups.every((g) => g.length > 0));
      const planned = groups.flat();
      assert.deepEqual([...planned, ...queue].map((q) => q.n).sort((a, b) => a - b), before.map((q) => q.n));
      assert.deepEqual(queue.map((q) => q.n), [...queue.map((q) => q.n)].sort((a, b) => a - b), 'what is left keeps its order');
      for (const g of groups) {
        if (g.some((q) => LONG.has(q.id))) assert.equal(g.length, 1, `${g.map((q) => q.id)}`);
        assert.deepEqual(g.map((q) => q.n), [...g.map((q) => q.n)].sort((a, b) => a - b), 'each invocation runs in the order asked');
      }
      if (free > 0 && asked.some((id) => !LONG.has(id))) assert.ok(planned.some((q) => !LONG.has(q.id)), 'quick commands are not starved by long ones');
    }),
    { numRuns: 2000 },
  );
});
