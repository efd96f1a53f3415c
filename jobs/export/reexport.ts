import { existsSync } from 'node:fs';
import type { Db } from '../db.ts';
import { NIGHTLY_MEMORY_LIMIT, queryRows, withWarehouse } from '../db.ts';
import { CliError } from '../errors.ts';
import { ensureRawLayer } from '../ingest/schema.ts';
import { withLock } from '../lock.ts';
import { setModelVariables } from '../models/run-models.ts';
import { applyReferenceData } from '../nightly.ts';
import { readReferenceData } from '../reference/read.ts';
import { exportParquetMonth, exportRunDatasets, PARTITIONED_DATASETS, UNPARTITIONED_DATASETS } from './parquet.ts';

export interface ReexportOptions {
  warehouse: string;
  out: string;
  /** Empty: every month with transactions or charge point days. */
  months: string[];
  /** Empty: every dataset. */
  datasets: string[];
  timezone: string;
  /** Tariffs / customers CSV to put in force first (README: Finance reference files). */
  tariffs?: string;
  customers?: string;
}

export interface ReexportSummary {
  runId: number;
  months: string[];
  outputs: string[];
}

/**
 * Writes the analyst datasets again from the models already in the warehouse: nothing is loaded
 * or rebuilt, so the landing files are not needed.
 */
export async function reexportDatasets(options: ReexportOptions): Promise<ReexportSummary> {
  if (!existsSync(options.warehouse)) {
    throw new CliError(`no warehouse at ${options.warehouse}: run \`ocpp-report run\` first (or pass --warehouse)`);
  }
  const wanted = (names: readonly string[]) => names.filter((name) => options.datasets.length === 0 || options.datasets.includes(name));
  // validated in full before the warehouse is opened: a bad row writes nothing
  const reference = readReferenceData(options);
  const repricing = reference.tariffs !== undefined || reference.customers !== undefined;
  return withLock(`${options.warehouse}.lock`, () =>
    withWarehouse(
      options.warehouse,
      async (db) => {
        await setModelVariables(db, { reportTimezone: options.timezone });
        await assertBuiltInTimezone(db, options.timezone);
        const runId = await latestRunId(db);
        if (repricing) {
          await ensureRawLayer(db);
          await applyReferenceData(db, reference, { timezone: options.timezone, runId });
        }
        const months = options.months.length > 0 ? [...new Set(options.months)].sort() : await monthsPresent(db);
        const context = { timezone: options.timezone, runId };
        const outputs: string[] = [];
        const partitioned = wanted(PARTITIONED_DATASETS);
        if (partitioned.length > 0) {
          for (const month of months) outputs.push(...(await exportParquetMonth(db, options.out, { ...context, month }, partitioned)));
        }
        outputs.push(...(await exportRunDatasets(db, options.out, context, wanted(UNPARTITIONED_DATASETS))));
        return { runId, months, outputs };
      },
      // read-only unless new tariffs or customers reprice the warehouse
      { readOnly: !repricing, memoryLimit: NIGHTLY_MEMORY_LIMIT },
    ),
  );
}

/**
 * Months and days are computed when the models are built. Exporting them under another time zone
 * would mix two calendars in one dataset, so that is refused rather than written.
 */
async function assertBuiltInTimezone(db: Db, timezone: string): Promise<void> {
  const [row] = await queryRows(
    db,
    `select
         (select count(*) from fct_transactions
          where month <> strftime(stopped_at at time zone getvariable('report_timezone'), '%Y-%m'))
       + (select count(*) from fct_charge_point_days
          where day <> cast(first_seen_at at time zone getvariable('report_timezone') as date)
              or day <> cast(last_seen_at at time zone getvariable('report_timezone') as date)) as mismatches`,
  );
  if (Number(row!.mismatches) > 0) {
    throw new CliError(
      `the warehouse was built with another time zone than ${timezone}: pass the --timezone of the last run, or run \`ocpp-report run --timezone ${timezone}\``,
    );
  }
}

async function latestRunId(db: Db): Promise<number> {
  const [row] = await queryRows(db, `select max(run_id) as run_id from runs where status = 'succeeded'`);
  if (row?.run_id === null || row?.run_id === undefined)
    throw new CliError('no successful run in the warehouse: run `ocpp-report run` first');
  return Number(row.run_id);
}

async function monthsPresent(db: Db): Promise<string[]> {
  const rows = await queryRows(
    db,
    `select month from fct_transactions where month is not null
     union
     select month from fct_charge_point_days
     order by month`,
  );
  return rows.map((row) => String(row.month));
}
