import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../db.ts';
import { loadSqlProject, sqlFile } from '../models/project.ts';
import { writeAtomically } from './atomic.ts';

export function transactionsParquetPath(outDir: string, month: string): string {
  return join(outDir, 'parquet', 'transactions', `month=${month}`, 'transactions.parquet');
}

/**
 * One COPY per month to a single file: a month is replaced as a unit, other months untouched.
 * The month column is left to the hive partition (month=YYYY-MM) so that engines which add
 * partition columns themselves (Spark, Trino) do not see it twice.
 */
export async function exportTransactionsParquet(db: Db, outDir: string, month: string): Promise<string> {
  const target = transactionsParquetPath(outDir, month);
  await mkdir(join(target, '..'), { recursive: true });
  const query = sqlFile(loadSqlProject(), 'reports', 'export_transactions').sql;
  await writeAtomically(target, async (temporary) => {
    await db.run(`copy (select * exclude (month) from (\n${query}\n)) to $path (format parquet, compression zstd, row_group_size 122880)`, {
      month,
      path: temporary,
    });
  });
  return target;
}
