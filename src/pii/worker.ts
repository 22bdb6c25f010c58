/** Worker thread: classifies batches of files sent by scanTree and posts the verdicts back. */
import { parentPort } from 'node:worker_threads';
import { classifyFile, type FileTask } from './read.js';

interface Batch {
  id: number;
  tasks: FileTask[];
  maxFileBytes: number;
}

const port = parentPort;
if (!port) throw new Error('pii/worker.ts must run in a worker thread');
port.on('message', (b: Batch) => {
  port.postMessage({ id: b.id, results: b.tasks.map((t) => classifyFile(t, b.maxFileBytes)) });
});
