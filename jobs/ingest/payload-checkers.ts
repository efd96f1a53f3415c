import { Worker } from 'node:worker_threads';
import { checkCallPayload } from './payload-schema.ts';

/** A batch of CALLs, each packed by SQL as the JSON text `[action, dialect, payload]`. */
export interface PayloadBatch {
  id: number;
  rows: string[];
}

/** A violation of the row at an index of its batch. */
export type FoundViolation = [row: number, severity: 'error' | 'warning', reason: string];

type Answer = { id: number; found: FoundViolation[] } | { id: number; error: string };

export function checkPackedCalls(rows: string[]): FoundViolation[] {
  const found: FoundViolation[] = [];
  for (let row = 0; row < rows.length; row += 1) {
    const [action, dialect, payload] = JSON.parse(rows[row]!) as [string, string, unknown];
    for (const violation of checkCallPayload(action, dialect, payload)) found.push([row, violation.severity, violation.reason]);
  }
  return found;
}

export interface PayloadCheckers {
  check: (rows: string[]) => Promise<FoundViolation[]>;
  close: () => Promise<void>;
}

/**
 * Checks batches on `count` worker threads (parsing and ajv are pure CPU work, and the database
 * waits meanwhile), or on this thread when count is 0. Each batch goes to the least busy worker.
 */
export function startPayloadCheckers(count: number): PayloadCheckers {
  if (count === 0) return { check: async (rows) => checkPackedCalls(rows), close: async () => undefined };
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(new URL('./payload-check-worker.mjs', import.meta.url));
    const pending = new Map<number, { resolve: (found: FoundViolation[]) => void; reject: (error: Error) => void }>();
    const failAll = (error: Error) => {
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    };
    worker.on('message', (answer: Answer) => {
      const waiting = pending.get(answer.id);
      pending.delete(answer.id);
      if ('error' in answer) waiting?.reject(new Error(answer.error));
      else waiting?.resolve(answer.found);
    });
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`payload check worker exited with ${code}`)));
    return { worker, pending };
  });
  let nextId = 0;
  return {
    check: (rows) => {
      const target = workers.reduce((least, candidate) => (candidate.pending.size < least.pending.size ? candidate : least));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        target.pending.set(id, { resolve, reject });
        target.worker.postMessage({ id, rows } satisfies PayloadBatch);
      });
    },
    close: async () => {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}
