import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import type { Db } from '../../db.ts';
import { loadSqlProject, sqlFile } from '../../models/project.ts';
import { neutraliseFormula } from '../../query/format.ts';
import { plainValue } from '../../query/table.ts';
import { writeAtomically } from '../atomic.ts';
import { cellValue, type TableSheet, type WorkbookColumn } from './layout.ts';
import { columnReader, streamSheetRows } from './stream-rows.ts';

export function transactionsCsvPath(workbookPath: string): string {
  return workbookPath.replace(/\.xlsx$/, '.transactions.csv');
}

function quoted(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function wallClock(value: DuckDBValue): string {
  return value instanceof DuckDBTimestampValue ? new Date(Number(value.micros / 1000n)).toISOString().slice(0, 19).replace('T', ' ') : '';
}

function hoursMinutesSeconds(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const whole = Math.abs(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${sign}${Math.floor(whole / 3600)}:${pad(Math.floor((whole % 3600) / 60))}:${pad(whole % 60)}`;
}

/** One CSV field as the sheet shows it; text goes through the same formula rules as `query --format csv`. */
function csvField(column: WorkbookColumn, get: (source: string) => DuckDBValue): string {
  const raw = get(column.source);
  if (column.kind === 'dateTime') return wallClock(raw);
  if (column.kind === 'duration') return raw === null ? '' : hoursMinutesSeconds(Number(plainValue(raw)));
  if (column.kind === 'kwh') return raw === null ? '' : Number(plainValue(raw)).toFixed(3);
  // the exact DECIMAL(18,2) text (23.40), never through a double
  if (column.kind === 'money') return raw === null ? '' : String(raw);
  const value = cellValue(column, get);
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? quoted(neutraliseFormula(value)) : quoted(String(value));
}

/**
 * The Transactions sheet as CSV beside the workbook (`--csv`), streamed chunk by chunk. UTF-8
 * with a byte-order mark: without it Excel reads non-ASCII idTags as Latin-1.
 */
export async function exportTransactionsCsv(db: Db, target: string, sheet: TableSheet, month: string): Promise<string> {
  const sql = sqlFile(loadSqlProject(), 'reports', sheet.report).sql;
  await writeAtomically(target, async (temporary) => {
    const out = createWriteStream(temporary, { encoding: 'utf8' });
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    try {
      await write(`\uFEFF${sheet.columns.map((column) => quoted(neutraliseFormula(column.header))).join(',')}\r\n`);
      let reader: ReturnType<typeof columnReader> | null = null;
      for await (const { columns, rows } of streamSheetRows(db, sql, { month }, sheet.batchedBy)) {
        reader ??= columnReader(columns);
        let text = '';
        for (const row of rows) {
          const get = reader(row);
          text += `${sheet.columns.map((column) => csvField(column, get)).join(',')}\r\n`;
        }
        await write(text);
      }
    } finally {
      out.end();
      await finished(out);
    }
  });
  return target;
}
