import type { Db } from '../db.ts';
import { exportWorkbook } from './excel.ts';
import { exportTransactionsParquet } from './parquet.ts';

export interface ExportContext {
  month: string;
  timezone: string;
  runId: number;
}

/**
 * Every report of one month. Each exporter writes its files atomically (temporary name, rename),
 * so a reader sees the previous or the new version of each file, never a partial one.
 */
export async function exportMonth(db: Db, outDir: string, context: ExportContext): Promise<string[]> {
  return [
    await exportTransactionsParquet(db, outDir, context.month),
    await exportWorkbook(db, outDir, context),
  ];
}
