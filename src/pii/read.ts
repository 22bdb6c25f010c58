/**
 * Reading one file for classification with bounded memory: the first 64 KiB decide whether it is a binary
 * to skip (media, fonts, executables); only text, containers and databases are read further, at most
 * `maxFileBytes`. Used on the main thread (small trees) and in the worker threads.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { classifySync, looksBinary, sniffMagic, type Classified } from './classify.js';
import { isGzip, isTar, isZip } from './containers.js';

export interface FileTask {
  /** Absolute path as bytes (file names need not be UTF-8). */
  abs: Uint8Array;
  /** Display path relative to the root. */
  rel: string;
}

export interface FileResult {
  verdict: Classified;
  bytesRead: number;
  error?: string;
}

const HEAD = 8192;
let shared: Buffer | undefined;

function buffer(size: number): Buffer {
  if (!shared || shared.length < size) shared = Buffer.allocUnsafe(Math.max(size, HEAD));
  return shared;
}

const KEEP_READING = new Set(['sqlite', 'ole']);

export function classifyFile(task: FileTask, maxFileBytes: number): FileResult {
  const path = Buffer.from(task.abs.buffer, task.abs.byteOffset, task.abs.byteLength);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { verdict: unreadable(task.rel, 0, code), bytesRead: 0, error: code };
  }
  try {
    const size = fstatSync(fd).size;
    const want = Math.min(size, maxFileBytes);
    const buf = buffer(Math.min(want, maxFileBytes));
    let got = readFully(fd, buf, 0, Math.min(want, HEAD));
    const head = buf.subarray(0, got);
    const magic = sniffMagic(head);
    const container = isGzip(head) || isZip(head) || isTar(head);
    if (!container && ((magic && !KEEP_READING.has(magic)) || (!magic && looksBinary(head)))) {
      const v = classifySync(task.rel, head, { maxBytes: maxFileBytes, totalBytes: size });
      delete v.truncated;
      return { verdict: v, bytesRead: got };
    }
    if (isZip(head) && size > want) {
      // A zip larger than the cap (a site backup): read its central directory from the end and only the
      // members worth classifying, by offset, instead of the first bytes.
      let read = 0;
      const src = {
        size,
        read: (offset: number, length: number) => {
          const n = Math.max(0, Math.min(length, size - offset));
          const out = Buffer.allocUnsafe(n);
          let done = 0;
          while (done < n) {
            const r = readSync(fd, out, done, n - done, offset + done);
            if (r === 0) break;
            done += r;
          }
          read += done;
          return out.subarray(0, done);
        },
      };
      const v = classifySync(task.rel, head, { maxBytes: maxFileBytes, totalBytes: size, zipSource: src });
      return { verdict: v, bytesRead: got + read };
    }
    if (want > got) got += readFully(fd, buf, got, want - got);
    // Containers need their end (zip central directory): a zip larger than the cap is read from the start only.
    const v = classifySync(task.rel, buf.subarray(0, got), { maxBytes: maxFileBytes, totalBytes: size });
    return { verdict: v, bytesRead: got };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { verdict: unreadable(task.rel, 0, code), bytesRead: 0, error: code };
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, buf: Buffer, offset: number, length: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, offset + done, length - done, null);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function unreadable(path: string, bytes: number, why: string): Classified {
  return { path, bytes, personal: false, kinds: {}, records: 0, confidence: 0, samples: [], reasons: [], skipped: 'unreadable', note: why };
}
