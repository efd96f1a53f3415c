/**
 * A validation worker: takes batches of packed CALLs (`[action, dialect, payload]` as JSON text)
 * and answers with the violations found, by row index. Started by payload-checkers.ts.
 */
import { parentPort } from 'node:worker_threads';
import { checkPackedCalls, type PayloadBatch } from './payload-checkers.ts';

parentPort?.on('message', (batch: PayloadBatch) => {
  try {
    parentPort!.postMessage({ id: batch.id, found: checkPackedCalls(batch.rows) });
  } catch (error) {
    parentPort!.postMessage({ id: batch.id, error: (error as Error).message });
  }
});
