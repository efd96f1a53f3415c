import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Params } from '../db.ts';
import { withWarehouse } from '../db.ts';
import { CliError } from '../errors.ts';
import { writeAtomically } from '../export/atomic.ts';
import { loadSqlProject, sqlFile } from '../models/project.ts';
import { UsageError } from '../options.ts';
import { tableToArrowStream } from './arrow.ts';
import { defaultFormat, formatTable, type OutputFormat } from './format.ts';
import { readTable, type Table } from './table.ts';

function assertWarehouse(warehouse: string): void {
  if (!existsSync(warehouse)) {
    throw new CliError(`no warehouse at ${warehouse}: run \`ocpp-report run\` first (or pass --warehouse)`);
  }
}

/** Runs one of sql/reports/ against the warehouse, read-only; queries never need the landing files. */
export async function queryReport(warehouse: string, report: string, params: Params): Promise<Table> {
  assertWarehouse(warehouse);
  const sql = sqlFile(loadSqlProject(), 'reports', report).sql;
  return withWarehouse(warehouse, (db) => readTable(db, sql, params), { readOnly: true });
}

/** The `--format` and `--output` options every query command takes. */

/** Writes the report with DuckDB's own Parquet writer: the file keeps DuckDB's column types. */
async function writeReportParquet(warehouse: string, report: string, params: Params, output: string): Promise<void> {
  assertWarehouse(warehouse);
  if (Array.isArray(params)) throw new Error('parquet output needs named query parameters');
  const sql = sqlFile(loadSqlProject(), 'reports', report).sql;
  await withWarehouse(
    warehouse,
    (db) =>
      writeAtomically(output, async (temporary) => {
        await db.run(`copy (\n${sql}\n) to $output_path (format parquet, compression zstd)`, { ...params, output_path: temporary });
      }),
    { readOnly: true },
  );
}

function writeStdout(content: string | Uint8Array): Promise<void> {
  return new Promise((done, fail) => process.stdout.write(content, (error) => (error ? fail(error) : done())));
}

export async function printReport(warehouse: string, report: string, params: Params, format?: OutputFormat, output?: string) {
  if (format === 'parquet') {
    if (!output) throw new UsageError('--format parquet writes a file: pass --output <file>');
    await writeReportParquet(warehouse, report, params, output);
    return;
  }
  if (format === 'arrow' && !output && process.stdout.isTTY) {
    throw new UsageError('--format arrow writes a binary Arrow IPC stream: pipe it to a program or pass --output <file>');
  }
  const table = await queryReport(warehouse, report, params);
  const content = format === 'arrow' ? tableToArrowStream(table) : formatTable(table, format ?? (output ? 'json' : defaultFormat()));
  if (output) await writeAtomically(output, (temporary) => writeFile(temporary, content));
  else await writeStdout(content);
}
