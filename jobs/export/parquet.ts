import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DATASETS, type DatasetDoc, datasetDoc } from '../catalog/columns.ts';
import type { Db, Params } from '../db.ts';
import { forEachOnConnections, queryRows } from '../db.ts';
import { loadSqlProject, sqlFile } from '../models/project.ts';
import { writeAtomically } from './atomic.ts';
import { writeDataDictionary } from './data-dictionary.ts';
import { type DatasetContext, datasetDayFilePath, datasetDir, datasetFilePath, dayOfFile } from './dataset-paths.ts';
import { writeManifest } from './manifest.ts';

export const PARTITIONED_DATASETS = DATASETS.filter((dataset) => dataset.partitionedBy === 'month').map((dataset) => dataset.name);
export const UNPARTITIONED_DATASETS = DATASETS.filter((dataset) => !dataset.partitionedBy).map((dataset) => dataset.name);

export function transactionsParquetPath(outDir: string, month: string): string {
  return datasetFilePath(outDir, 'transactions', month);
}

const PARQUET_OPTIONS = 'format parquet, compression zstd, row_group_size 122880';

/**
 * One COPY per dataset and month to a single file: a month is replaced as a unit, other months
 * untouched. The month column is left to the hive partition (month=YYYY-MM) so that engines which
 * add partition columns themselves (Spark, Trino) do not see it twice.
 */
async function writeDatasetFile(db: Db, dataset: DatasetDoc, target: string, params: Params): Promise<void> {
  await mkdir(join(target, '..'), { recursive: true });
  const query = sqlFile(loadSqlProject(), 'reports', `export_${dataset.name}`).sql;
  const projection = dataset.partitionedBy ? `* exclude (${dataset.partitionedBy})` : '*';
  await writeAtomically(target, async (temporary) => {
    await db.run(`copy (select ${projection} from (\n${query}\n)) to $path (${PARQUET_OPTIONS})`, {
      ...params,
      path: temporary,
    });
    await assertDocumentedSchema(db, dataset, temporary);
  });
}

/**
 * Day files are written on this many connections at once: one file's sort and Parquet encoding
 * keep little more than one core busy.
 */
const DAY_FILE_CONNECTIONS = Math.max(1, Math.min(2, availableParallelism()));

/**
 * Writes a day-file dataset's files for one month: the asked-for days, or every day of the month
 * (then files of days without rows any more, and a whole-month file from before day files, are
 * removed). The month's rows are read once into a table of an in-memory database every
 * connection of the warehouse sees (attached read-write even beside a read-only warehouse, and
 * detached after), and each day is sorted on its own, the days shared out among the connections:
 * a day's sort is small, and a night sorts only the days it touched.
 */
async function writeDayFiles(db: Db, dataset: DatasetDoc, outDir: string, month: string, days?: string[]): Promise<string[]> {
  const layout = dataset.filesPerDay!;
  const query = sqlFile(loadSqlProject(), 'reports', `export_${dataset.name}`).sql;
  if (days !== undefined && days.length === 0) return [];
  const monthDir = join(datasetDir(outDir, dataset.name), `month=${month}`);
  await mkdir(monthDir, { recursive: true });
  await db.run(`attach if not exists ':memory:' as export_scratch (read_write)`);
  try {
    if (days) {
      // The days' span, from the first instant of the first day to that of the day after the
      // last (local_midnight_at: where midnight comes twice, the first), which the query compares
      // every sample with first. The list of days still decides.
      const span = [...days].sort();
      await db.run(`set variable export_days_from_at = local_midnight_at(cast($first as date))`, { first: span[0]! });
      await db.run(`set variable export_days_until_at = local_midnight_at(cast($last as date) + 1)`, { last: span.at(-1)! });
    }
    await db.run(`create or replace table export_scratch.main.day_file_rows as select * from (\n${query}\n)`, {
      month,
      days: days?.join(',') ?? '',
    });
    const present = (await queryRows(db, `select distinct day from export_scratch.main.day_file_rows order by day`)).map((row) =>
      String(row.day),
    );
    const written = present.map((day) => datasetDayFilePath(outDir, dataset.name, month, day));
    await forEachOnConnections(db, DAY_FILE_CONNECTIONS, present, (connection, day, index) =>
      writeAtomically(written[index]!, async (temporary) => {
        await connection.run(
          `copy (
               select * exclude (${[...layout.helperColumns, dataset.partitionedBy].join(', ')})
               from export_scratch.main.day_file_rows
               where day = $day
               order by ${layout.writeOrder.join(', ')}
           ) to $path (${PARQUET_OPTIONS})`,
          { day, path: temporary },
        );
        await assertDocumentedSchema(connection, dataset, temporary);
      }),
    );
    // A day asked for (or, for the whole month, any day) that has no rows now keeps no file.
    const keep = new Set(present);
    for (const name of await readdir(monthDir)) {
      const day = dayOfFile(dataset.name, name);
      const stale =
        day !== null
          ? !keep.has(day) && (days === undefined || days.includes(day))
          : days === undefined && name === `${dataset.name}.parquet`;
      if (stale) await rm(join(monthDir, name), { force: true });
    }
    return written;
  } finally {
    // every step runs, and none hides the error that ended the work (a failed step leaves only
    // memory behind; variables left set are set again, or ignored, by the next export)
    for (const cleanup of [
      `reset variable export_days_from_at`,
      `reset variable export_days_until_at`,
      `drop table if exists export_scratch.main.day_file_rows`,
      `detach database if exists export_scratch`,
    ]) {
      await db.run(cleanup).catch(() => undefined);
    }
  }
}

/** A file whose columns differ from the catalog is never published: its documentation would lie. */
async function assertDocumentedSchema(db: Db, dataset: DatasetDoc, path: string): Promise<void> {
  const reader = await db.runAndReadAll(`select * from read_parquet($path, hive_partitioning = false) limit 0`, { path });
  const types = reader.columnTypes();
  const actual = reader.columnNames().map((name, index) => `${name} ${types[index]!.toString()}`);
  const expected = dataset.columns
    .filter((column) => column.name !== dataset.partitionedBy)
    .map((column) => `${column.name} ${column.type}`);
  if (actual.join(', ') !== expected.join(', ')) {
    throw new Error(
      `sql/reports/export_${dataset.name}.sql does not match jobs/catalog/columns.ts: file has (${actual.join(', ')}), catalog has (${expected.join(', ')})`,
    );
  }
}

/**
 * Replaces one dataset's files and then its manifest; _SUCCESS is removed first and written last,
 * so its presence means the files and _manifest.json agree.
 */
async function publishDataset(
  db: Db,
  outDir: string,
  dataset: DatasetDoc,
  context: DatasetContext,
  writeFiles: () => Promise<string[]>,
): Promise<string[]> {
  const dir = datasetDir(outDir, dataset.name);
  await mkdir(dir, { recursive: true });
  const success = join(dir, '_SUCCESS');
  await rm(success, { force: true });
  const written = await writeFiles();
  await writeManifest(db, outDir, dataset, context);
  await writeAtomically(success, (temporary) => writeFile(temporary, ''));
  return written;
}

/**
 * Writes one month of one partitioned dataset, then its manifest and _SUCCESS. `days` limits a
 * day-file dataset to the days given (a night's touched days); other datasets are written whole.
 */
export async function exportDatasetMonth(
  db: Db,
  outDir: string,
  name: string,
  month: string,
  context: DatasetContext,
  days?: string[],
): Promise<string[]> {
  const dataset = datasetDoc(name);
  if (dataset.partitionedBy !== 'month') throw new Error(`dataset ${name} is not partitioned by month`);
  return publishDataset(db, outDir, dataset, context, async () => {
    if (dataset.filesPerDay) return writeDayFiles(db, dataset, outDir, month, days);
    const target = datasetFilePath(outDir, name, month);
    await writeDatasetFile(db, dataset, target, { month });
    return [target];
  });
}

/** Writes an unpartitioned dataset (one file for the whole warehouse), then its manifest and _SUCCESS. */
export async function exportWholeDataset(db: Db, outDir: string, name: string, context: DatasetContext): Promise<string> {
  const dataset = datasetDoc(name);
  if (dataset.partitionedBy) throw new Error(`dataset ${name} is partitioned: export it month by month`);
  const [written] = await publishDataset(db, outDir, dataset, context, async () => {
    const target = datasetFilePath(outDir, name);
    await writeDatasetFile(db, dataset, target, {});
    return [target];
  });
  return written!;
}

/** Every month-partitioned dataset for one month (the month export calls this). */
export async function exportParquetMonth(
  db: Db,
  outDir: string,
  context: DatasetContext & { month: string; days?: string[] },
  datasets: readonly string[] = PARTITIONED_DATASETS,
): Promise<string[]> {
  const written: string[] = [];
  for (const name of datasets) written.push(...(await exportDatasetMonth(db, outDir, name, context.month, context, context.days)));
  return written;
}

/**
 * What is written once per run rather than per month: the unpartitioned datasets and the data
 * dictionary (`<out>/parquet/README.md`).
 */
export async function exportRunDatasets(
  db: Db,
  outDir: string,
  context: DatasetContext,
  datasets: readonly string[] = UNPARTITIONED_DATASETS,
): Promise<string[]> {
  const written: string[] = [];
  for (const name of datasets) written.push(await exportWholeDataset(db, outDir, name, context));
  written.push(await writeDataDictionary(outDir, context));
  return written;
}
