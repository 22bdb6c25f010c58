/**
 * The task queue scanTree's threads share: the next task index and the bytes read so far, updated with
 * Atomics; every thread (the calling one and the workers) classifies through `classifyNext`.
 */
import { classifyFile, type FileResult, type FileTask } from './read.js';

/** What a worker is started with. */
export interface WorkerInit {
  shared: SharedArrayBuffer;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export interface SharedQueue {
  next: Int32Array;
  bytes: BigInt64Array;
}

export const SHARED_QUEUE_BYTES = 16;

export function sharedQueue(shared: SharedArrayBuffer): SharedQueue {
  return { next: new Int32Array(shared, 0, 1), bytes: new BigInt64Array(shared, 8, 1) };
}

/** Take the next task index, or -1 when none is left or the byte budget is spent. */
function takeTask(q: SharedQueue, count: number, maxTotalBytes: number): number {
  if (Number(Atomics.load(q.bytes, 0)) >= maxTotalBytes) return -1;
  const i = Atomics.add(q.next, 0, 1);
  return i < count ? i : -1;
}

function addBytes(q: SharedQueue, n: number): void {
  Atomics.add(q.bytes, 0, BigInt(n));
}

/** Take the next task and classify it, counting its bytes against the shared budget; undefined when none is left. */
export function classifyNext(q: SharedQueue, tasks: readonly FileTask[], maxFileBytes: number, maxTotalBytes: number): { index: number; result: FileResult } | undefined {
  const index = takeTask(q, tasks.length, maxTotalBytes);
  if (index < 0) return undefined;
  const result = classifyFile(tasks[index]!, maxFileBytes);
  addBytes(q, result.bytesRead);
  return { index, result };
}
