import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Db, queryRows } from '../db.ts';
import { writeAtomically } from './atomic.ts';
import type { ExportContext } from './month.ts';
import { writeAboutSheet } from './workbook/about.ts';
import { exportTransactionsCsv, transactionsCsvPath } from './workbook/csv.ts';
import {
  chargePointsSheet,
  customersSheet,
  exceptionsSheet,
  safeSheetName,
  type TableSheet,
  transactionsSheet,
} from './workbook/layout.ts';
import { monthStart, readSummaryFigures, writeSummarySheet } from './workbook/summary.ts';
import { writeTableSheet } from './workbook/write-table.ts';

export function workbookPath(outDir: string, month: string): string {
  return join(outDir, 'excel', `ocpp-report-${month}.xlsx`);
}

/** The sheets after Summary that hold tables, in workbook order (About comes last). */
export function tableSheets(timezone: string, billing = false): TableSheet[] {
  return [transactionsSheet(timezone, billing), customersSheet(billing), chargePointsSheet(billing), exceptionsSheet(timezone)];
}

/**
 * True when tariffs are in force (a --tariffs file with rows was given to this or an earlier run):
 * the workbook then bills (customers, tariffs, amounts). Without, it is the workbook as it was.
 */
export async function billingInForce(db: Db): Promise<boolean> {
  const [row] = await queryRows(db, `select count(*) as n from tariffs`);
  return Number(row!.n) > 0;
}

export const SHEET_NAMES = ['Summary', ...tableSheets('UTC').map((sheet) => sheet.name), 'About'].map(safeSheetName);

/**
 * The month's workbook for finance, written with exceljs's streaming writer: rows go from a
 * DuckDB chunk to the zip stream and are committed at once, so a month of any size is never held
 * in memory. Every property and timestamp comes from the warehouse (the run's start), so a run
 * always writes the same content.
 */
export async function exportWorkbook(db: Db, outDir: string, context: ExportContext): Promise<string> {
  const target = workbookPath(outDir, context.month);
  await mkdir(dirname(target), { recursive: true });
  const title = `OCPP charging report ${context.month}`;
  const billing = await billingInForce(db);
  const figures = await readSummaryFigures(db, context.month, context.runId, billing);
  const sheets = tableSheets(context.timezone, billing);
  const created = figures.runStartedAt ?? monthStart(context.month);

  // Loaded on first use: start-up time the operator queries never need.
  const { default: ExcelJS } = await import('exceljs');
  await writeAtomically(target, async (temporary) => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: temporary,
      useStyles: true,
      // shared strings are held in memory until the end; inline text keeps a big month streaming
      useSharedStrings: false,
    });
    workbook.creator = 'ocpp-report';
    workbook.lastModifiedBy = 'ocpp-report';
    workbook.created = created;
    workbook.modified = created;
    workbook.title = title;
    workbook.subject = `Charging sessions billed in ${context.month} (by stop time, ${context.timezone})`;
    workbook.keywords = `ocpp-report run ${context.runId}`;

    writeSummarySheet(workbook, figures, { ...context, title });
    for (const sheet of sheets) await writeTableSheet(workbook, db, sheet, { month: context.month }, title);
    writeAboutSheet(workbook, sheets, context.timezone, title, billing);
    await workbook.commit();
  });
  return target;
}

/** `<out>/excel/ocpp-report-M.transactions.csv`: the Transactions sheet for tools that want CSV. */
export async function exportWorkbookCsv(db: Db, outDir: string, context: ExportContext): Promise<string> {
  const target = transactionsCsvPath(workbookPath(outDir, context.month));
  await mkdir(dirname(target), { recursive: true });
  return exportTransactionsCsv(db, target, transactionsSheet(context.timezone, await billingInForce(db)), context.month);
}
