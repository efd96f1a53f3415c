import { join } from 'node:path';

/** What every dataset file and manifest of a run records about it. */
export interface DatasetContext {
  timezone: string;
  runId: number;
}

export function parquetDir(outDir: string): string {
  return join(outDir, 'parquet');
}

export function datasetDir(outDir: string, dataset: string): string {
  return join(parquetDir(outDir), dataset);
}

/**
 * `<out>/parquet/<dataset>/month=M/<dataset>.parquet`, or `<out>/parquet/<dataset>/<dataset>.parquet`
 * unpartitioned. A dataset written one file per day uses datasetDayFilePath instead.
 */
export function datasetFilePath(outDir: string, dataset: string, month?: string): string {
  const dir = datasetDir(outDir, dataset);
  return month === undefined ? join(dir, `${dataset}.parquet`) : join(dir, `month=${month}`, `${dataset}.parquet`);
}

/** `<out>/parquet/<dataset>/month=M/<dataset>-YYYY-MM-DD.parquet`: one day of a dataset written per day. */
export function datasetDayFilePath(outDir: string, dataset: string, month: string, day: string): string {
  return join(datasetDir(outDir, dataset), `month=${month}`, `${dataset}-${day}.parquet`);
}

/** The day of a day file's name, or null for any other name. */
export function dayOfFile(dataset: string, fileName: string): string | null {
  const prefix = `${dataset}-`;
  if (!fileName.startsWith(prefix) || !fileName.endsWith('.parquet')) return null;
  const day = fileName.slice(prefix.length, -'.parquet'.length);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : null;
}
