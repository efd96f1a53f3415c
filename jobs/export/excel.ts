import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import type { Db } from '../db.ts';
import { loadSqlProject, sqlFile } from '../models/project.ts';
import { plainValue, readTable } from '../query/table.ts';
import { writeAtomically } from './atomic.ts';
import type { ExportContext } from './month.ts';

export function workbookPath(outDir: string, month: string): string {
  return join(outDir, 'excel', `ocpp-report-${month}.xlsx`);
}


interface ColumnSpec {
  header: string;
  source: string;
  width: number;
  numFmt?: string;
  kind: 'text' | 'number' | 'localDate' | 'durationDays';
}

const TRANSACTION_COLUMNS = (timezone: string): ColumnSpec[] => [
  { header: 'Charge point', source: 'charge_point_id', width: 16, kind: 'text' },
  { header: 'Transaction', source: 'transaction_id', width: 12, numFmt: '0', kind: 'number' },
  { header: 'Connector', source: 'connector_id', width: 10, numFmt: '0', kind: 'number' },
  { header: 'Customer (idTag)', source: 'id_tag', width: 20, kind: 'text' },
  { header: `Started (${timezone})`, source: 'started_local', width: 20, numFmt: 'yyyy-mm-dd hh:mm:ss', kind: 'localDate' },
  { header: `Stopped (${timezone})`, source: 'stopped_local', width: 20, numFmt: 'yyyy-mm-dd hh:mm:ss', kind: 'localDate' },
  { header: 'Charge time', source: 'duration_s', width: 12, numFmt: '[h]:mm:ss', kind: 'durationDays' },
  { header: 'Charge time (s)', source: 'duration_s', width: 14, numFmt: '#,##0', kind: 'number' },
  { header: 'Meter start (Wh)', source: 'meter_start_wh', width: 16, numFmt: '#,##0', kind: 'number' },
  { header: 'Meter stop (Wh)', source: 'meter_stop_wh', width: 16, numFmt: '#,##0', kind: 'number' },
  { header: 'Energy (Wh)', source: 'energy_wh', width: 14, numFmt: '#,##0', kind: 'number' },
  { header: 'Energy (kWh)', source: 'energy_kwh', width: 14, numFmt: '#,##0.000', kind: 'number' },
  { header: 'Stop reason', source: 'stop_reason', width: 16, kind: 'text' },
  { header: 'Last register (Wh)', source: 'last_register_wh', width: 18, numFmt: '#,##0', kind: 'number' },
  { header: 'Status', source: 'transaction_status', width: 18, kind: 'text' },
];

/** Excel has no time zones: a local wall-clock time is written as a date whose UTC fields are that time. */
function localDate(value: DuckDBValue): Date | null {
  if (!(value instanceof DuckDBTimestampValue)) return null;
  return new Date(Number(value.micros / 1000n));
}

function cellValue(spec: ColumnSpec, value: DuckDBValue): ExcelJS.CellValue {
  if (value === null) return null;
  switch (spec.kind) {
    case 'localDate':
      return localDate(value);
    case 'durationDays':
      return Number(plainValue(value)) / 86_400;
    case 'number':
      return Number(plainValue(value));
    case 'text':
      // A string cell is stored as text, never as a formula, whatever it starts with.
      return String(plainValue(value));
  }
}

/** The month's workbook, written with the streaming writer so a large month stays within memory. */
export async function exportWorkbook(db: Db, outDir: string, context: ExportContext): Promise<string> {
  const target = workbookPath(outDir, context.month);
  await mkdir(join(target, '..'), { recursive: true });
  const monthQuery = sqlFile(loadSqlProject(), 'reports', 'export_transactions').sql;
  const rows = await readTable(
    db,
    `select
         *,
         started_at at time zone getvariable('report_timezone') as started_local,
         stopped_at at time zone getvariable('report_timezone') as stopped_local,
     from (\n${monthQuery}\n)`,
    { month: context.month },
  );
  const summary = await readTable(
    db,
    `select
         count(*) filter (where transaction_status = 'completed') as completed_transactions,
         coalesce(sum(energy_wh) filter (where transaction_status = 'completed'), 0) as energy_wh,
         coalesce(sum(duration_s) filter (where transaction_status = 'completed'), 0) as duration_s,
         count(*) filter (where transaction_status <> 'completed') as not_billed_transactions,
     from (\n${monthQuery}\n)`,
    { month: context.month },
  );
  const totals = summary.rows[0]!.map((value) => Number(plainValue(value)));

  await writeAtomically(target, async (temporary) => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: temporary, useStyles: true, useSharedStrings: false });
    workbook.creator = 'ocpp-report';
    workbook.title = `OCPP charging report ${context.month}`;
    workbook.created = new Date(Date.UTC(Number(context.month.slice(0, 4)), Number(context.month.slice(5, 7)) - 1, 1));

    const summarySheet = workbook.addWorksheet('Summary');
    summarySheet.columns = [
      { header: 'Figure', key: 'figure', width: 36 },
      { header: 'Value', key: 'value', width: 24 },
    ];
    summarySheet.getRow(1).font = { bold: true };
    const summaryRows: [string, ExcelJS.CellValue, string?][] = [
      ['Month (by stop time)', context.month],
      ['Report time zone', context.timezone],
      ['Completed transactions', totals[0]!, '#,##0'],
      ['Energy delivered (kWh)', totals[1]! / 1000, '#,##0.000'],
      ['Charging time (hours)', totals[2]! / 3600, '#,##0.00'],
      ['Stops without a start in the data (not billed)', totals[3]!, '#,##0'],
      ['Run id', context.runId, '0'],
    ];
    for (const [figure, value, numFmt] of summaryRows) {
      const row = summarySheet.addRow({ figure, value });
      if (numFmt) row.getCell(2).numFmt = numFmt;
      row.commit();
    }
    summarySheet.commit();

    const specs = TRANSACTION_COLUMNS(context.timezone);
    const sheet = workbook.addWorksheet('Transactions', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = specs.map((spec) => ({ header: spec.header, key: spec.header, width: spec.width, style: spec.numFmt ? { numFmt: spec.numFmt } : {} }));
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, rows.rows.length + 1), column: specs.length } };
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    const index = new Map(rows.columns.map((column, position) => [column.name, position]));
    for (const row of rows.rows) {
      const values = specs.map((spec) => cellValue(spec, row[index.get(spec.source)!]!));
      const added = sheet.addRow(values);
      specs.forEach((spec, position) => {
        if (spec.numFmt) added.getCell(position + 1).numFmt = spec.numFmt;
      });
      added.commit();
    }
    sheet.commit();
    await workbook.commit();
  });
  return target;
}
