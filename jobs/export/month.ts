import type { Db } from '../db.ts';
import { exportWorkbook, exportWorkbookCsv } from './excel.ts';
import { exportHtmlReport } from './html.ts';
import { exportParquetMonth, transactionsParquetPath } from './parquet.ts';
import { verifyWorkbookTotals } from './workbook/verify.ts';

export interface ExportContext {
  month: string;
  timezone: string;
  runId: number;
  /** Also write the self-contained HTML report (default true; `run --no-html` turns it off). */
  html?: boolean;
  /** Also write the Transactions sheet as CSV beside the workbook (`run --csv`). */
  csv?: boolean;
  /** Only these days of the datasets written one file per day (a night's touched days); all when absent. */
  days?: string[];
}

/**
 * Every report of one month. Each exporter writes its files atomically (temporary name, rename),
 * so a reader sees the previous or the new version of each file, never a partial one.
 */
export async function exportMonth(db: Db, outDir: string, context: ExportContext): Promise<string[]> {
  const parquet = await exportParquetMonth(db, outDir, context);
  const workbook = await exportWorkbook(db, outDir, context);
  // The audit: the workbook's totals equal the Parquet month and the warehouse to the watt-hour.
  await verifyWorkbookTotals(db, workbook, context.month, { parquetPath: transactionsParquetPath(outDir, context.month) });
  return [
    ...parquet,
    workbook,
    ...(context.csv ? [await exportWorkbookCsv(db, outDir, context)] : []),
    ...(context.html === false ? [] : [await exportHtmlReport(db, outDir, context)]),
  ];
}
