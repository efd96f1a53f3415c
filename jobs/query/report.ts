import { existsSync } from 'node:fs';
import type { Params } from '../db.ts';
import { withWarehouse } from '../db.ts';
import { CliError } from '../errors.ts';
import { loadSqlProject, sqlFile } from '../models/project.ts';
import { defaultFormat, formatTable, type OutputFormat } from './format.ts';
import { readTable, type Table } from './table.ts';

/** Runs one of sql/reports/ against the warehouse, read-only; queries never need the landing files. */
export async function queryReport(warehouse: string, report: string, params: Params): Promise<Table> {
  if (!existsSync(warehouse)) {
    throw new CliError(`no warehouse at ${warehouse}: run \`ocpp-report run\` first (or pass --warehouse)`);
  }
  const sql = sqlFile(loadSqlProject(), 'reports', report).sql;
  return withWarehouse(warehouse, (db) => readTable(db, sql, params), { readOnly: true });
}

export async function printReport(warehouse: string, report: string, params: Params, format?: OutputFormat) {
  const table = await queryReport(warehouse, report, params);
  process.stdout.write(formatTable(table, format ?? defaultFormat()));
}
