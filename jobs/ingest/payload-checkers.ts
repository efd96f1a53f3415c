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
    const repeated = repeatedKey(rows[row]!);
    if (repeated !== null) {
      found.push([row, 'error', `payload repeats the key ${JSON.stringify(repeated)}: readers disagree on which value counts`]);
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

/**
 * The first key an object of this JSON text repeats, or null. JSON.parse keeps the last value of
 * a repeated key and DuckDB the first, so the schema would check one value and the models read
 * another. A scan of the text: strings are skipped whole, keys are the strings objects open with
 * or that follow a comma in an object.
 */
export function repeatedKey(text: string): string | null {
  const objects: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      let end = index + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      if (expectKey) {
        const key = text.slice(index + 1, end);
        const keys = objects.at(-1)!;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      index = end;
    } else if (code === 0x7b) {
      objects.push(new Set());
      expectKey = true;
    } else if (code === 0x5b) {
      objects.push(null);
      expectKey = false;
    } else if (code === 0x7d || code === 0x5d) {
      objects.pop();
      expectKey = false;
    } else if (code === 0x2c) {
      expectKey = objects.at(-1) instanceof Set;
    }
  }
  return null;
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
    // compiled, the worker is plain JS beside this file; through tsx, a loader registers tsx first
    const worker = new Worker(
      new URL(import.meta.url.endsWith('.ts') ? './payload-check-worker.mjs' : './payload-check-worker.js', import.meta.url),
    );
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
