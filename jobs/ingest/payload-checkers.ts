import { Worker } from 'node:worker_threads';
import { checkCallPayload, strictJsonProblem } from './payload-schema.ts';

/** A batch of CALLs, each packed by SQL as the JSON text `[action, dialect, payload]`. */
export interface PayloadBatch {
  id: number;
  rows: string[];
}

/** A violation of the row at an index of its batch. */
export type FoundViolation = [row: number, severity: 'error' | 'warning', reason: string];

type Answer = { id: number; found: FoundViolation[] } | { id: number; error: string };

/**
 * Checks each row on its own: whatever one payload does to the parser or the validator (NaN,
 * nesting deep enough to exhaust the stack) quarantines that line and no other.
 */
export function checkPackedCalls(rows: string[]): FoundViolation[] {
  const found: FoundViolation[] = [];
  for (let row = 0; row < rows.length; row += 1) {
    let packed: [string, string, unknown];
    try {
      packed = JSON.parse(rows[row]!) as [string, string, unknown];
    } catch (error) {
      found.push([row, 'error', `payload holds ${strictJsonProblem(error, rows[row]!)}`]);
      continue;
    }
    try {
      const [action, dialect, payload] = packed;
      for (const violation of checkCallPayload(action, dialect, payload)) found.push([row, violation.severity, violation.reason]);
    } catch (error) {
      found.push([row, 'error', `payload cannot be checked: ${error instanceof Error ? error.message.slice(0, 120) : String(error)}`]);
    }
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
 * A worker that fails or dies hands its batches back to this thread, where each row is checked
 * on its own (checkPackedCalls): a line can cost only itself, never its batch or the run.
 */
export function startPayloadCheckers(count: number): PayloadCheckers {
  if (count === 0) return { check: async (rows) => checkPackedCalls(rows), close: async () => undefined };
  type Waiting = { rows: string[]; resolve: (found: FoundViolation[]) => void };
  const checkHere = (waiting: Waiting) => waiting.resolve(checkPackedCalls(waiting.rows));
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(new URL('./payload-check-worker.mjs', import.meta.url));
    const pending = new Map<number, Waiting>();
    const entry = { worker, pending, alive: true };
    const handBack = () => {
      entry.alive = false;
      for (const waiting of pending.values()) checkHere(waiting);
      pending.clear();
    };
    worker.on('message', (answer: Answer) => {
      const waiting = pending.get(answer.id);
      pending.delete(answer.id);
      if (!waiting) return;
      if ('error' in answer) checkHere(waiting);
      else waiting.resolve(answer.found);
    });
    worker.on('error', handBack);
    worker.on('exit', handBack);
    return entry;
  });
  let nextId = 0;
  return {
    check: (rows) => {
      const alive = workers.filter((candidate) => candidate.alive);
      if (alive.length === 0) return Promise.resolve(checkPackedCalls(rows));
      const target = alive.reduce((least, candidate) => (candidate.pending.size < least.pending.size ? candidate : least));
      const id = nextId++;
      return new Promise((resolve) => {
        target.pending.set(id, { rows, resolve });
        target.worker.postMessage({ id, rows } satisfies PayloadBatch);
      });
    },
    close: async () => {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}
