import type ExcelJS from 'exceljs';
import { REVENUE_FIGURES, WORKBOOK_FIGURES } from '../../catalog/columns.ts';
import { type Db, queryRows } from '../../db.ts';
import { loadSqlProject, sqlFile } from '../../models/project.ts';
import { moneyFormat } from './layout.ts';
import { BOLD, HEADER_STYLE, printSetup } from './write-table.ts';

export interface Revenue {
  /** Null: the transactions without a tariff in force. */
  currency: string | null;
  transactions: number;
  /** Exact decimal text, e.g. '1234.56'. */
  amountExclVat: string | null;
  vatAmount: string | null;
  amountInclVat: string | null;
}

export interface SummaryFigures {
  completedTransactions: number;
  energyWh: number;
  durationS: number;
  customers: number;
  chargePoints: number;
  openTransactions: number;
  stopsWithoutStart: number;
  flaggedTransactions: number;
  sourceFiles: number;
  sourceLinesRead: number;
  sourceLinesLoaded: number;
  sourceLinesQuarantined: number;
  sourceLinesBlank: number;
  /** The run's start, the instant (null when the run is not in the warehouse). */
  runStartedAt: Date | null;
  /** The same as a wall-clock time in the report time zone. */
  runStartedLocal: Date | null;
  /** False while fct_transactions has no flags column: then nothing can be flagged. */
  flagsComputed: boolean;
  /** With tariffs in force: the month's revenue per currency (and the unpriced count); else absent. */
  revenue?: Revenue[];
}

export async function readSummaryFigures(db: Db, month: string, runId: number, billing = false): Promise<SummaryFigures> {
  const sql = sqlFile(loadSqlProject(), 'reports', 'workbook_summary').sql;
  const [row] = await queryRows(db, sql, { month, run_id: runId });
  const [flags] = await queryRows(
    db,
    `select count(*) as n from duckdb_columns() where table_name = 'fct_transactions' and column_name = 'flags'`,
  );
  const count = (name: string) => Number(row![name]);
  const date = (name: string) => (row![name] instanceof Date ? (row![name] as Date) : null);
  return {
    completedTransactions: count('completed_transactions'),
    energyWh: count('energy_wh'),
    durationS: count('duration_s'),
    customers: count('customers'),
    chargePoints: count('charge_points'),
    openTransactions: count('open_transactions'),
    stopsWithoutStart: count('stops_without_start'),
    flaggedTransactions: count('flagged_transactions'),
    sourceFiles: count('source_files'),
    sourceLinesRead: count('source_lines_read'),
    sourceLinesLoaded: count('source_lines_loaded'),
    sourceLinesQuarantined: count('source_lines_quarantined'),
    sourceLinesBlank: count('source_lines_blank'),
    runStartedAt: date('run_started_at'),
    runStartedLocal: date('run_started_local'),
    flagsComputed: Number(flags!.n) > 0,
    ...(billing ? { revenue: await readRevenue(db, month) } : {}),
  };
}

async function readRevenue(db: Db, month: string): Promise<Revenue[]> {
  const sql = sqlFile(loadSqlProject(), 'reports', 'workbook_revenue').sql;
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return (
    await queryRows(
      db,
      `select * replace (cast(amount_excl_vat as varchar) as amount_excl_vat, cast(vat_amount as varchar) as vat_amount, cast(amount_incl_vat as varchar) as amount_incl_vat) from (${sql})`,
      { month },
    )
  ).map((row) => ({
    currency: text(row.currency),
    transactions: Number(row.transactions),
    amountExclVat: text(row.amount_excl_vat),
    vatAmount: text(row.vat_amount),
    amountInclVat: text(row.amount_incl_vat),
  }));
}

/** Summary rows for the revenue: label, value, number format, note. */
export function revenueRows(revenue: Revenue[]): [string, ExcelJS.CellValue, string, string | null][] {
  const header = (name: string) => REVENUE_FIGURES.find((figure) => figure.name === name)!.header;
  const rows: [string, ExcelJS.CellValue, string, string | null][] = [];
  for (const entry of revenue) {
    if (entry.currency === null) continue;
    const amount = (value: string | null) => (value === null ? 0 : Number(value));
    rows.push(
      [`${header('revenue_excl_vat')} (${entry.currency})`, amount(entry.amountExclVat), moneyFormat(entry.currency), null],
      [`${header('revenue_vat')} (${entry.currency})`, amount(entry.vatAmount), moneyFormat(entry.currency), null],
      [`${header('revenue_incl_vat')} (${entry.currency})`, amount(entry.amountInclVat), moneyFormat(entry.currency), null],
      [`${header('priced_transactions')} (${entry.currency})`, entry.transactions, WHOLE, null],
    );
  }
  const unpriced = revenue.find((entry) => entry.currency === null)?.transactions ?? 0;
  rows.push([header('unpriced_transactions'), unpriced, WHOLE, unpriced > 0 ? 'see the Exceptions sheet' : null]);
  return rows;
}

/** Midnight on the 1st of the month (offset 0: the next month), as a wall-clock date. */
export function monthStart(month: string, offset = 0): Date {
  return new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + offset, 1));
}

interface SummaryContext {
  month: string;
  timezone: string;
  runId: number;
  title: string;
}

const WHOLE = '#,##0';
const onExceptions = (count: number) => (count > 0 ? 'see the Exceptions sheet' : undefined);

function figureCells(figures: SummaryFigures, context: SummaryContext): Record<string, [ExcelJS.CellValue, string | undefined, string?]> {
  return {
    month: [context.month, '@'],
    report_timezone: [context.timezone, '@'],
    period_start: [monthStart(context.month), 'yyyy-mm-dd hh:mm'],
    period_end: [monthStart(context.month, 1), 'yyyy-mm-dd hh:mm'],
    completed_transactions: [figures.completedTransactions, WHOLE],
    energy_kwh: [figures.energyWh / 1000, '#,##0.000'],
    energy_wh: [figures.energyWh, WHOLE],
    charging_hours: [figures.durationS / 3600, '#,##0.00'],
    customers: [figures.customers, WHOLE],
    charge_points: [figures.chargePoints, WHOLE],
    open_transactions: [figures.openTransactions, WHOLE, onExceptions(figures.openTransactions)],
    stops_without_start: [figures.stopsWithoutStart, WHOLE, onExceptions(figures.stopsWithoutStart)],
    flagged_transactions: [
      figures.flaggedTransactions,
      WHOLE,
      figures.flagsComputed ? onExceptions(figures.flaggedTransactions) : 'this warehouse computes no anomaly flags yet',
    ],
    run_id: [context.runId, '0'],
    generated_at: [figures.runStartedLocal, 'yyyy-mm-dd hh:mm:ss'],
    source_files: [figures.sourceFiles, WHOLE],
    source_lines_read: [figures.sourceLinesRead, WHOLE],
    source_lines_loaded: [figures.sourceLinesLoaded, WHOLE],
    source_lines_quarantined: [figures.sourceLinesQuarantined, WHOLE],
    source_lines_blank: [figures.sourceLinesBlank, WHOLE],
  };
}

/** The label a figure is shown under: date-times name the report time zone. */
export function figureLabel(name: string, timezone: string): string {
  const figure = WORKBOOK_FIGURES.find((candidate) => candidate.name === name);
  if (!figure) throw new Error(`no workbook figure ${name} in jobs/catalog/columns.ts`);
  return figure.type === 'TIMESTAMP WITH TIME ZONE' ? `${figure.header} (${timezone})` : figure.header;
}

/** A title, then one figure per row: what finance reads first, defined on the About sheet. */
export function writeSummarySheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, figures: SummaryFigures, context: SummaryContext): void {
  const sheet = workbook.addWorksheet('Summary', {
    ...printSetup(context.title),
    pageSetup: { ...printSetup(context.title).pageSetup, orientation: 'portrait' },
  });
  const cells = figureCells(figures, context);
  const labels = WORKBOOK_FIGURES.map((figure) => figureLabel(figure.name, context.timezone));
  sheet.columns = [
    { key: 'figure', width: Math.max(...labels.map((label) => label.length)) + 4 },
    { key: 'value', width: 22 },
    { key: 'note', width: 44 },
  ];
  const title = sheet.addRow([context.title]);
  title.getCell(1).font = { ...BOLD, size: 14 };
  title.commit();
  sheet.addRow(['Sessions are billed in the month they stop. Every figure and column is defined on the About sheet.']).commit();
  sheet.addRow([]).commit();
  const header = sheet.addRow(['Figure', 'Value', 'Note']);
  header.eachCell((cell) => {
    cell.style = { ...cell.style, ...HEADER_STYLE };
  });
  header.commit();
  WORKBOOK_FIGURES.forEach((figure, index) => {
    const [value, numFmt, note] = cells[figure.name] ?? [null, undefined];
    const row = sheet.addRow([labels[index], value, note ?? null]);
    row.getCell(1).alignment = { indent: 1 };
    const valueCell = row.getCell(2);
    if (numFmt) valueCell.numFmt = numFmt;
    // mixed text, numbers and dates read best in one alignment
    valueCell.alignment = { horizontal: 'right' };
    row.getCell(3).alignment = { indent: 1 };
    row.commit();
  });
  for (const [label, value, numFmt, note] of figures.revenue ? revenueRows(figures.revenue) : []) {
    const row = sheet.addRow([label, value, note]);
    row.getCell(1).alignment = { indent: 1 };
    row.getCell(1).font = { ...BOLD, bold: label.startsWith('Revenue') };
    row.getCell(2).numFmt = numFmt;
    row.getCell(2).alignment = { horizontal: 'right' };
    row.getCell(3).alignment = { indent: 1 };
    row.commit();
  }
  sheet.commit();
}
