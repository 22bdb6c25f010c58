/** A Transport over captured outputs (test/fixtures/host/<system>): commands/<id>.txt|.err|.exit, files/<abs path>. */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argv, type CommandId, type Params } from '../../src/collect/transport/allowlist.js';
import { LocalTransport } from '../../src/collect/transport/local.js';
import type { ExecResult, ReadResult, Transport, WalkEntry } from '../../src/collect/transport/types.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/host/', import.meta.url));

export class FixtureTransport implements Transport {
  readonly kind = 'local' as const;
  readonly name: string;
  readonly ran: { id: CommandId; args: string[] }[] = [];
  private readonly dir: string;
  private readonly fs = new LocalTransport({ timeoutMs: 10_000, sudo: false });

  /** `system`: a directory under test/fixtures/host, or an absolute directory laid out the same way. */
  constructor(system: string) {
    this.name = `fixture:${system}`;
    this.dir = isAbsolute(system) ? system : join(fixturesDir, system);
  }

  async run(id: CommandId, params: Params = {}): Promise<ExecResult> {
    this.ran.push({ id, args: argv(id, params) }); // argv() enforces the placeholder patterns, as the real transports do
    const base = join(this.dir, 'commands', id);
    const has = ['.txt', '.err', '.exit'].some((e) => existsSync(base + e));
    if (!has) return { code: 127, stdout: Buffer.alloc(0), stderr: `sh: 1: ${id}: not found`, failure: 'missing' };
    const stdout = existsSync(`${base}.txt`) ? readFileSync(`${base}.txt`) : Buffer.alloc(0);
    const stderr = existsSync(`${base}.err`) ? readFileSync(`${base}.err`, 'utf8') : '';
    const code = existsSync(`${base}.exit`) ? Number(readFileSync(`${base}.exit`, 'utf8').trim()) : 0;
    return { code, stdout, stderr };
  }

  readFile(path: string, maxBytes: number): Promise<ReadResult> {
    return this.fs.readFile(join(this.dir, 'files', path), maxBytes);
  }

  walk(root: string, opts: { maxDepth: number; maxEntries: number }): Promise<{ entries: WalkEntry[]; truncated: boolean; error?: string }> {
    return this.fs.walk(join(this.dir, 'files', root), opts);
  }

  listDir(path: string): Promise<{ name: string; type: WalkEntry['type'] }[] | undefined> {
    return this.fs.listDir(join(this.dir, 'files', path));
  }

  async close(): Promise<void> {}
}
