import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Params, queryJsonRows, type Row, withWarehouse } from '../jobs/db.ts';
import { type NightlyOptions, type NightlySummary, runNightly } from '../jobs/nightly.ts';

export function tempDir(prefix = 'ocpp-report-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes landing files: { 'relative/path.ndjson': 'content' or lines }. */
export function writeLandingFiles(landing: string, files: Record<string, string | string[]>): void {
  for (const [relative, content] of Object.entries(files)) {
    const path = join(landing, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Array.isArray(content) ? `${content.join('\n')}\n` : content);
  }
}

export interface TestRun {
  dir: string;
  landing: string;
  warehouse: string;
  out: string;
  summary: NightlySummary;
  query: (sql: string, params?: Params) => Promise<Row[]>;
}

/** Runs the nightly job over the given landing files in a fresh temp directory. */
export async function runOn(files: Record<string, string | string[]>, options: Partial<NightlyOptions> = {}): Promise<TestRun> {
  const dir = tempDir();
  const landing = join(dir, 'landing');
  mkdirSync(landing, { recursive: true });
  writeLandingFiles(landing, files);
  const warehouse = join(dir, 'warehouse.duckdb');
  const out = join(dir, 'reports');
  const summary = await runNightly({ landing, warehouse, out, months: [], timezone: 'UTC', ...options });
  return {
    dir,
    landing,
    warehouse,
    out,
    summary,
    query: (sql, params) => withWarehouse(warehouse, (db) => queryJsonRows(db, sql, params), { readOnly: true }),
  };
}

/**
 * A fresh temp directory with an empty landing and the options of a nightly run on it (no HTML),
 * for tests that run the job several times, changing the landing in between.
 */
export function nightlySetup(): { dir: string; options: NightlyOptions; query: (sql: string) => Promise<Row[]> } {
  const dir = tempDir();
  const options: NightlyOptions = {
    landing: join(dir, 'landing'),
    warehouse: join(dir, 'warehouse.duckdb'),
    out: join(dir, 'reports'),
    months: [],
    timezone: 'UTC',
    html: false,
  };
  mkdirSync(options.landing, { recursive: true });
  const query = (sql: string) => withWarehouse(options.warehouse, (db) => queryJsonRows(db, sql), { readOnly: true });
  return { dir, options, query };
}

/** Envelope-dialect line builders for hand-written fixtures. */
export const envelope = {
  call: (chargePointId: string, receivedAt: string, uniqueId: string, action: string, payload: object) =>
    JSON.stringify({ charge_point_id: chargePointId, received_at: receivedAt, action, frame: [2, uniqueId, action, payload] }),
  result: (chargePointId: string, receivedAt: string, uniqueId: string, payload: object) =>
    JSON.stringify({ charge_point_id: chargePointId, received_at: receivedAt, frame: [3, uniqueId, payload] }),
  error: (chargePointId: string, receivedAt: string, uniqueId: string, code: string, description: string) =>
    JSON.stringify({ charge_point_id: chargePointId, received_at: receivedAt, frame: [4, uniqueId, code, description, {}] }),
};
