/** The local transport: allowlisted commands through execFile (no shell), files through fs with a cap. */
import { execFile } from 'node:child_process';
import { open, readdir, lstat, stat } from 'node:fs/promises';

import { COMMAND_ENV, type CommandId, type Params } from './allowlist.js';
import { allowedArgv, SudoFallback } from './common.js';
import { parseWalk, type ExecResult, type ReadResult, type Transport, type WalkEntry } from './types.js';

export interface LocalOptions {
  timeoutMs: number;
  sudo: boolean;
  maxOutput?: number;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

export function errnoFailure(code: string | undefined): 'missing' | 'denied' | 'error' {
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return 'missing';
  if (code === 'EACCES' || code === 'EPERM') return 'denied';
  return 'error';
}

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly name = 'localhost';
  readonly problems: string[] = [];
  private readonly sudo: SudoFallback;

  constructor(private readonly opts: LocalOptions) {
    this.sudo = new SudoFallback(opts.sudo && typeof process.getuid === 'function' && process.getuid() !== 0, this.problems, 'unprivileged');
  }

  run(id: CommandId, params: Params = {}): Promise<ExecResult> {
    return this.sudo.run(id, (sudo) => this.run1(id, params, sudo));
  }

  private async run1(id: CommandId, params: Params, sudo: boolean): Promise<ExecResult> {
    const allowed = allowedArgv(id, params);
    if ('refused' in allowed) return allowed.refused;
    let args = allowed.args;
    if (sudo) args = ['sudo', '-n', ...args];
    const t0 = performance.now();
    const debug = process.env.MAMORI_DEBUG_COMMANDS;
    return new Promise<ExecResult>((resolve) => {
      execFile(
        args[0]!,
        args.slice(1),
        { env: { ...COMMAND_ENV }, encoding: 'buffer', timeout: this.opts.timeoutMs, maxBuffer: this.opts.maxOutput ?? DEFAULT_MAX_OUTPUT, killSignal: 'SIGKILL' },
        (err, stdout, stderr) => {
          const res: ExecResult = { code: 0, stdout: stdout ?? Buffer.alloc(0), stderr: (stderr ?? Buffer.alloc(0)).toString('utf8') };
          if (err) {
            const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string };
            if (e.code === 'ENOENT') return resolve({ ...res, code: null, failure: 'missing' });
            if (e.code === 'EACCES') return resolve({ ...res, code: null, failure: 'denied' });
            if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return resolve({ ...res, code: null, failure: 'too-large' });
            if (e.killed || e.signal) return resolve({ ...res, code: null, failure: 'timeout' });
            return resolve({ ...res, code: typeof e.code === 'number' ? e.code : 1 });
          }
          resolve(res);
        },
      );
    }).then((r) => {
      if (debug) process.stderr.write(`local ${Math.round(performance.now() - t0)}ms ${args.join(' ').slice(0, 100)}\n`);
      return r;
    });
  }

  async readFile(path: string, maxBytes: number): Promise<ReadResult> {
    if (this.sudo.active) {
      const r = await this.run('readFile', { path, bytes: String(maxBytes + 1) });
      return readResultFromHead(r, maxBytes);
    }
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { ok: false, failure: errnoFailure(e.code), detail: e.code ?? e.message };
    }
    try {
      const buf = Buffer.alloc(maxBytes + 1);
      let n = 0;
      while (n < buf.length) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
        if (bytesRead === 0) break;
        n += bytesRead;
      }
      return { ok: true, data: buf.subarray(0, Math.min(n, maxBytes)), truncated: n > maxBytes };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { ok: false, failure: errnoFailure(e.code), detail: e.code ?? e.message };
    } finally {
      await fh.close();
    }
  }

  async walk(root: string, opts: { maxDepth: number; maxEntries: number }): Promise<{ entries: WalkEntry[]; truncated: boolean; error?: string }> {
    // The same `find` as over SSH (and with --sudo, `sudo -n find`): fastest, and identical answers.
    // Where GNU find is missing (or cannot -printf), fall back to walking with fs.
    const r = await this.run('walk', { path: root, depth: String(opts.maxDepth) });
    if (r.failure === 'missing') return this.walkFs(root, opts);
    if (r.failure && r.failure !== 'too-large') return { entries: [], truncated: false, error: r.stderr.trim() || r.failure };
    const parsed = parseWalk(r.stdout, opts.maxEntries);
    if (parsed.entries.length || r.code === 0) return { entries: parsed.entries, truncated: parsed.truncated || r.failure === 'too-large' };
    if (/unknown predicate|invalid predicate|-printf/i.test(r.stderr)) return this.walkFs(root, opts);
    return { ...parsed, error: r.stderr.trim() || `exit ${r.code}` };
  }

  private async walkFs(root: string, opts: { maxDepth: number; maxEntries: number }): Promise<{ entries: WalkEntry[]; truncated: boolean; error?: string }> {
    const entries: WalkEntry[] = [];
    const rootBuf = Buffer.from(root);
    let rootDev: number;
    try {
      rootDev = (await stat(root)).dev; // the root itself may be a symlink (find -H)
    } catch (err) {
      return { entries, truncated: false, error: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
    // Breadth-first like `find` (order does not matter; callers sort).
    const queue: { dir: Buffer; rel: Buffer | null; depth: number }[] = [{ dir: rootBuf, rel: null, depth: 0 }];
    while (queue.length) {
      const { dir, rel, depth } = queue.shift()!;
      let names: Buffer[];
      try {
        names = (await readdir(dir, { encoding: 'buffer' })) as Buffer[];
      } catch (err) {
        if (rel === null) return { entries, truncated: false, error: (err as NodeJS.ErrnoException).code ?? String(err) };
        continue; // unreadable subdirectory: `find` prints an error and goes on; so do we
      }
      for (const name of names) {
        const full = Buffer.concat([dir, Buffer.from('/'), name]);
        const r = rel ? Buffer.concat([rel, Buffer.from('/'), name]) : Buffer.from(name);
        let st;
        try {
          st = await lstat(full);
        } catch (_err) {
          continue; // vanished between readdir and lstat
        }
        const type: WalkEntry['type'] = st.isFile() ? 'f' : st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'o';
        entries.push({ rel: r, type, size: st.size });
        if (entries.length >= opts.maxEntries) return { entries, truncated: true };
        if (type === 'd' && depth + 1 < opts.maxDepth && st.dev === rootDev) queue.push({ dir: full, rel: r, depth: depth + 1 });
      }
    }
    return { entries, truncated: false };
  }

  async listDir(path: string): Promise<{ name: string; type: WalkEntry['type'] }[] | undefined> {
    try {
      const ents = await readdir(path, { withFileTypes: true });
      return ents.map((e) => ({ name: e.name, type: e.isFile() ? 'f' : e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : 'o' }));
    } catch (_err) {
      return undefined;
    }
  }

  async close(): Promise<void> {}
}

/** Interpret `head -c N+1 -- path` (over SSH or sudo) as a capped read. */
export function readResultFromHead(r: ExecResult, maxBytes: number): ReadResult {
  if (r.failure) return { ok: false, failure: r.failure === 'missing' || r.failure === 'denied' || r.failure === 'timeout' ? r.failure : 'error', detail: r.stderr.trim() || r.failure };
  if (r.code !== 0) {
    const msg = r.stderr.trim();
    const failure = /No such file|Not a directory/i.test(msg) ? 'missing' : /Permission denied|Operation not permitted/i.test(msg) ? 'denied' : /Is a directory/i.test(msg) ? 'missing' : 'error';
    return { ok: false, failure, detail: msg || `exit ${r.code}` };
  }
  return { ok: true, data: r.stdout.subarray(0, Math.min(r.stdout.length, maxBytes)), truncated: r.stdout.length > maxBytes };
}


/** A value the allowlist refused (a path with `..` or a newline from a config file): not run, reported as a failure. */
