import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATASETS, type DatasetDoc, datasetDoc } from '../catalog/columns.ts';
import type { Db, Params } from '../db.ts';
import { loadSqlProject, sqlFile } from '../models/project.ts';
import { writeAtomically } from './atomic.ts';
import { writeDataDictionary } from './data-dictionary.ts';
import { type DatasetContext, datasetDir, datasetFilePath } from './dataset-paths.ts';
import { writeManifest } from './manifest.ts';

export const PARTITIONED_DATASETS = DATASETS.filter((dataset) => dataset.partitionedBy === 'month').map((dataset) => dataset.name);
export const UNPARTITIONED_DATASETS = DATASETS.filter((dataset) => !dataset.partitionedBy).map((dataset) => dataset.name);

export function transactionsParquetPath(outDir: string, month: string): string {
  return datasetFilePath(outDir, 'transactions', month);
}

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
    await db.run(`copy (select ${projection} from (\n${query}\n)) to $path (format parquet, compression zstd, row_group_size 122880)`, {
      ...params,
      path: temporary,
    });
    await assertDocumentedSchema(db, dataset, temporary);
  });
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
async function publishDataset(db: Db, outDir: string, dataset: DatasetDoc, context: DatasetContext, writeFiles: () => Promise<string>) {
  const dir = datasetDir(outDir, dataset.name);
  await mkdir(dir, { recursive: true });
  const success = join(dir, '_SUCCESS');
  await rm(success, { force: true });
  const written = await writeFiles();
  await writeManifest(db, outDir, dataset, context);
  await writeAtomically(success, (temporary) => writeFile(temporary, ''));
  return written;
}

/** Writes one month of one partitioned dataset, then its manifest and _SUCCESS. */
export async function exportDatasetMonth(db: Db, outDir: string, name: string, month: string, context: DatasetContext): Promise<string> {
  const dataset = datasetDoc(name);
  if (dataset.partitionedBy !== 'month') throw new Error(`dataset ${name} is not partitioned by month`);
  return publishDataset(db, outDir, dataset, context, async () => {
    const target = datasetFilePath(outDir, name, month);
    await writeDatasetFile(db, dataset, target, { month });
    return target;
  });
}

/** Writes an unpartitioned dataset (one file for the whole warehouse), then its manifest and _SUCCESS. */
export async function exportWholeDataset(db: Db, outDir: string, name: string, context: DatasetContext): Promise<string> {
  const dataset = datasetDoc(name);
  if (dataset.partitionedBy) throw new Error(`dataset ${name} is partitioned: export it month by month`);
  return publishDataset(db, outDir, dataset, context, async () => {
    const target = datasetFilePath(outDir, name);
    await writeDatasetFile(db, dataset, target, {});
    return target;
  });
}

/** Every month-partitioned dataset for one month (the month export calls this). */
export async function exportParquetMonth(
  db: Db,
  outDir: string,
  context: DatasetContext & { month: string },
  datasets: readonly string[] = PARTITIONED_DATASETS,
): Promise<string[]> {
  const written: string[] = [];
  for (const name of datasets) written.push(await exportDatasetMonth(db, outDir, name, context.month, context));
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
