import { existsSync } from 'node:fs';
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { Db } from './db.ts';
import { queryRows, withWarehouse } from './db.ts';
import { CliError, EXIT } from './errors.ts';
import { exportMonth } from './export/month.ts';
import { ensureRawLayer } from './ingest/schema.ts';
import { loadLanding, type FileLoadResult } from './ingest/load.ts';
import { validateNewPayloads } from './ingest/validate-payloads.ts';
import { withLock } from './lock.ts';
import { runAudits, runModels } from './models/run-models.ts';

export interface NightlyOptions {
  landing: string;
  warehouse: string;
  out: string;
  months: string[];
  timezone: string;
  maxLineBytes?: number;
}

export interface NightlySummary {
  runId: number;
  files: { loaded: number; skipped: number; rejected: number };
  rejectedFiles: { path: string; error: string }[];
  lines: { read: number; loaded: number; quarantined: number; blank: number };
  months: string[];
  outputs: string[];
}

/** The nightly job: load new landing files, rebuild the models, audit, export every month. */
export async function runNightly(options: NightlyOptions): Promise<NightlySummary> {
  if (!existsSync(options.landing)) throw new CliError(`landing directory ${options.landing} does not exist`, EXIT.usage);
  return withLock(`${options.warehouse}.lock`, () =>
    withWarehouse(options.warehouse, async (db) => {
      await ensureRawLayer(db);
      const runId = await startRun(db);
      try {
        const summary = await runSteps(db, runId, options);
        await finishRun(db, runId, 'succeeded', summary, null);
        return summary;
      } catch (error) {
        await finishRun(db, runId, 'failed', null, (error as Error).message);
        throw error;
      }
    }),
  );
}

async function runSteps(db: Db, runId: number, options: NightlyOptions): Promise<NightlySummary> {
  const loads = await loadLanding(db, options.landing, { runId, maxLineBytes: options.maxLineBytes });
  await runModels(db, { reportTimezone: options.timezone }, { base_ocpp__lines: () => validateNewPayloads(db) });
  const failures = await runAudits(db);
  if (failures.length > 0) {
    const names = failures.map((failure) => `${failure.audit} (${failure.rows} row${failure.rows === 1 ? '' : 's'})`);
    throw new CliError(`audit failed: ${names.join(', ')}`, EXIT.dataFailure);
  }
  const months = await monthsToExport(db, options.months);
  const outputs: string[] = [];
  for (const month of months) outputs.push(...(await exportMonth(db, options.out, { month, timezone: options.timezone, runId })));
  return { runId, ...(await lineTotals(db, loads)), months, outputs };
}

async function monthsToExport(db: Db, requested: string[]): Promise<string[]> {
  const rows = await queryRows(db, `select distinct month from fct_transactions where month is not null order by month`);
  const present = rows.map((row) => String(row.month));
  if (requested.length === 0) return present;
  // A requested month with no transactions still gets (empty) reports: finance expects the file.
  return [...new Set(requested)].sort();
}

async function lineTotals(db: Db, loads: FileLoadResult[]) {
  const [totals] = await queryRows(
    db,
    `select
         coalesce(sum(lines_read), 0) as lines_read,
         coalesce(sum(lines_loaded), 0) as lines_loaded,
         coalesce(sum(lines_quarantined), 0) as lines_quarantined,
         coalesce(sum(lines_blank), 0) as lines_blank,
     from fct_landing_file_lines
     where run_id = (select max(run_id) from runs)`,
  );
  const count = (outcome: FileLoadResult['outcome']) => loads.filter((load) => load.outcome === outcome).length;
  return {
    files: { loaded: count('loaded'), skipped: count('skipped'), rejected: count('rejected') },
    rejectedFiles: loads.filter((load) => load.error).map((load) => ({ path: load.path, error: load.error! })),
    lines: {
      read: Number(totals!.lines_read),
      loaded: Number(totals!.lines_loaded),
      quarantined: Number(totals!.lines_quarantined),
      blank: Number(totals!.lines_blank),
    },
  };
}

async function startRun(db: Db): Promise<number> {
  const [row] = await queryRows(db, `select coalesce(max(run_id), 0) + 1 as run_id from runs`);
  const runId = Number(row!.run_id);
  await db.run(`insert into runs (run_id, started_at, status) values ($runId, now(), 'running')`, { runId });
  return runId;
}

async function finishRun(db: Db, runId: number, status: string, summary: NightlySummary | null, error: string | null) {
  await db.run(
    `update runs set
         finished_at = now(),
         status = $status,
         files_loaded = $filesLoaded,
         files_skipped = $filesSkipped,
         files_rejected = $filesRejected,
         lines_read = $read,
         lines_loaded = $loaded,
         lines_quarantined = $quarantined,
         lines_blank = $blank,
         months_exported = $months,
         error = $error
     where run_id = $runId`,
    {
      runId,
      status,
      filesLoaded: summary?.files.loaded ?? null,
      filesSkipped: summary?.files.skipped ?? null,
      filesRejected: summary?.files.rejected ?? null,
      read: summary?.lines.read ?? null,
      loaded: summary?.lines.loaded ?? null,
      quarantined: summary?.lines.quarantined ?? null,
      blank: summary?.lines.blank ?? null,
      months: summary ? listValue(summary.months) : null,
      error,
    },
    // An empty list has no item type of its own: without this, a run exporting no month fails here.
    { months: LIST(VARCHAR) },
  );
}
