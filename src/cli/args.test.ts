import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectPositionals } from './args.js';
import { UsageError } from './errors.js';

const ctx = (positionals: string[]) => ({ positionals, commandName: 'mamori db import' });
const usage = (code: string, params?: Record<string, string>) => (e: unknown) =>
  e instanceof UsageError && e.ref.code === code && e.command === 'mamori db import' && (!params || JSON.stringify(e.ref.params) === JSON.stringify(params));

test('expectPositionals: exactly the named arguments, in order', () => {
  assert.deepEqual(expectPositionals(ctx(['a', 'b']), ['A', 'B']), ['a', 'b']);
  assert.deepEqual(expectPositionals(ctx([]), []), []);
  assert.throws(() => expectPositionals(ctx(['a']), ['A', 'B']), usage('cli.missingArgument', { name: 'B' }));
  assert.throws(() => expectPositionals(ctx(['a', 'b', 'c']), ['A', 'B']), usage('cli.extraArgument', { value: 'c' }));
  assert.throws(() => expectPositionals(ctx(['x']), []), usage('cli.extraArgument', { value: 'x' }));
  assert.throws(() => expectPositionals(ctx([]), ['SCAN.json'], () => ({ code: 'report.err.noInput' })), usage('report.err.noInput'));
});
