/** What collectors see of a target: run an allowlisted command, read a file with a cap. Nothing else. */
import type { CommandId, Params } from './allowlist.js';

export type ExecFailure = 'missing' | 'denied' | 'timeout' | 'too-large' | 'error';

export interface ExecResult {
  /** Exit code; null when the command could not be started or was killed. */
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** Set when the command did not run to completion (not installed, refused, killed). */
  failure?: ExecFailure;
}

export type ReadResult = { ok: true; data: Buffer; truncated: boolean } | { ok: false; failure: 'missing' | 'denied' | 'error' | 'timeout'; detail: string };

export interface WalkEntry {
  /** Path relative to the walked root, raw bytes (names need not be UTF-8). */
  rel: Buffer;
  type: 'f' | 'd' | 'l' | 'o';
  size: number;
}

export interface Transport {
  readonly kind: 'local' | 'ssh';
  /** `localhost` or `user@host:port`. */
  readonly name: string;
  run(id: CommandId, params?: Params): Promise<ExecResult>;
  readFile(path: string, maxBytes: number): Promise<ReadResult>;
  /** Entries under `root`, not following symlinks, at most `maxDepth` deep, at most `maxEntries`. */
  walk(root: string, opts: { maxDepth: number; maxEntries: number }): Promise<{ entries: WalkEntry[]; truncated: boolean; error?: string }>;
  /** Names in a directory (one level), or undefined when it cannot be listed. */
  listDir(path: string): Promise<{ name: string; type: WalkEntry['type'] }[] | undefined>;
  close(): Promise<void>;
  /** Problems of the transport itself worth a gap (e.g. `sudo -n` refused and commands ran without it). */
  readonly problems?: string[];
}

/**
 * `sudo -n` refused (a password is needed, or the user may not sudo), or no sudo on the target (`sudo: not
 * found` from the shell; ENOENT locally, where sudo itself is what was started): the command did not run at all.
 */
export const sudoRefused = (r: ExecResult) => (r.code === 1 && /^sudo: /m.test(r.stderr) && r.stdout.length === 0) || (r.failure === 'missing' && (r.code === null || /\bsudo: (command )?not found/.test(r.stderr)));

/** Exit code 127 (shell) or ENOENT (spawn): the command is not installed. */
export const isMissing = (r: ExecResult) => r.failure === 'missing' || r.code === 127;

/** Parse `find -printf '%y\t%s\t%P\0'` output. */
export function parseWalk(out: Buffer, maxEntries: number): { entries: WalkEntry[]; truncated: boolean } {
  const entries: WalkEntry[] = [];
  let start = 0;
  while (start < out.length) {
    let end = out.indexOf(0, start);
    if (end < 0) end = out.length;
    const rec = out.subarray(start, end);
    start = end + 1;
    const t1 = rec.indexOf(9);
    const t2 = t1 < 0 ? -1 : rec.indexOf(9, t1 + 1);
    if (t1 < 0 || t2 < 0) continue;
    const y = rec.subarray(0, t1).toString('latin1');
    const type: WalkEntry['type'] = y === 'f' || y === 'd' || y === 'l' ? y : 'o';
    entries.push({ type, size: Number(rec.subarray(t1 + 1, t2).toString('latin1')) || 0, rel: Buffer.from(rec.subarray(t2 + 1)) });
    if (entries.length >= maxEntries) return { entries, truncated: start < out.length };
  }
  return { entries, truncated: false };
}
