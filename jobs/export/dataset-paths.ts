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

/** `<out>/parquet/<dataset>/month=M/<dataset>.parquet`, or `<out>/parquet/<dataset>/<dataset>.parquet` unpartitioned. */
export function datasetFilePath(outDir: string, dataset: string, month?: string): string {
  const dir = datasetDir(outDir, dataset);
  return month === undefined ? join(dir, `${dataset}.parquet`) : join(dir, `month=${month}`, `${dataset}.parquet`);
}
