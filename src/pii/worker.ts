/**
 * Worker thread of scanTree: takes task indices from the shared counter until none are left, classifies
 * each file and posts the verdicts back in small batches, then says it is done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FileResult, FileTask } from './read.js';
import { classifyNext, sharedQueue, type WorkerInit } from './queue.js';

const port = parentPort;
if (!port) throw new Error('pii/worker.ts must run in a worker thread');
const init = workerData as WorkerInit;
const queue = sharedQueue(init.shared);

port.once('message', ({ tasks }: { tasks: FileTask[] }) => {
  let batch: [number, FileResult][] = [];
  for (let n = classifyNext(queue, tasks, init.maxFileBytes, init.maxTotalBytes); n; n = classifyNext(queue, tasks, init.maxFileBytes, init.maxTotalBytes)) {
    batch.push([n.index, n.result]);
    if (batch.length >= 16) {
      port.postMessage({ results: batch });
      batch = [];
    }
  }
  port.postMessage({ results: batch, done: true });
});
