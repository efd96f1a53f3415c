import { existsSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { columnDoc } from '../../catalog/columns.ts';
import { queryRows, type Db } from '../../db.ts';
import { figureLabel } from './summary.ts';
import { TOTAL_LABEL } from './write-table.ts';

export interface WorkbookReconciliation {
  month: string;
  energyWh: number;
  transactions: number;
}

interface WorkbookEnergy {
  cellsWh: number;
  rows: number;
  totalRowWh: number | null;
  summaryWh: number | null;
}

/** Sheet ids are positions: the writer numbers sheets 1, 2, … in the order it adds them. */
const SUMMARY_SHEET_ID = 1;
const TRANSACTIONS_SHEET_ID = 2;

function isFormula(value: unknown): value is ExcelJS.CellFormulaValue {
  return typeof value === 'object' && value !== null && 'formula' in value;
}

/** Reads the file back with exceljs's streaming reader, so a month of any size stays small in memory. */
async function readWorkbookEnergy(path: string): Promise<WorkbookEnergy> {
  const energyHeader = columnDoc('transactions', 'energy_wh').header;
  // a figure without a time zone in its label, so any zone gives the same label
  const summaryLabel = figureLabel('energy_wh', 'UTC');
  const found: WorkbookEnergy = { cellsWh: 0, rows: 0, totalRowWh: null, summaryWh: null };
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { worksheets: 'emit', sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', entries: 'ignore' });
  for await (const worksheet of reader) {
    const id = (worksheet as unknown as { id: number }).id;
    let energyColumn = 0;
    for await (const row of worksheet) {
      const values = row.values as ExcelJS.CellValue[];
      if (id === SUMMARY_SHEET_ID && values[1] === summaryLabel) found.summaryWh = Number(values[2]);
      if (id !== TRANSACTIONS_SHEET_ID) continue;
      if (row.number === 1) {
        energyColumn = values.indexOf(energyHeader);
        if (energyColumn < 1) throw new Error(`${path}: the Transactions sheet has no ${energyHeader} column`);
        continue;
      }
      const energy = values[energyColumn];
      if (values[1] === TOTAL_LABEL) {
        found.totalRowWh = isFormula(energy) ? Number(energy.result) : Number(energy ?? Number.NaN);
      } else {
        found.rows += 1;
        found.cellsWh += typeof energy === 'number' ? energy : Number.NaN;
      }
    }
  }
  return found;
}

/**
 * The audit after export: the Transactions sheet's energy cells, its totals row, the Summary, the
 * Parquet month (when given) and the warehouse must agree to the watt-hour, and the row counts
 * with them. Throws, naming the month, when they do not.
 */
export async function verifyWorkbookTotals(
  db: Db,
  path: string,
  month: string,
  options: { parquetPath?: string } = {},
): Promise<WorkbookReconciliation> {
  const [warehouse] = await queryRows(
    db,
    `select coalesce(sum(energy_wh), 0) as wh, count(*) as n
     from fct_transactions
     where month = $month and transaction_status = 'completed'`,
    { month },
  );
  const expected = { wh: Number(warehouse!.wh), n: Number(warehouse!.n) };
  const sources: [string, number, number | null][] = [];
  if (options.parquetPath !== undefined && existsSync(options.parquetPath)) {
    const [parquet] = await queryRows(
      db,
      `select coalesce(sum(energy_wh), 0) as wh, count(*) as n
       from read_parquet($path, hive_partitioning = false)
       where transaction_status = 'completed'`,
      { path: options.parquetPath },
    );
    sources.push(['Parquet', Number(parquet!.wh), Number(parquet!.n)]);
  }
  const workbook = await readWorkbookEnergy(path);
  sources.push(
    ['Transactions sheet cells', workbook.cellsWh, workbook.rows],
    ['Transactions totals row', workbook.rows === 0 && workbook.totalRowWh === null ? 0 : workbook.totalRowWh ?? Number.NaN, null],
    ['Summary', workbook.summaryWh ?? Number.NaN, null],
  );
  const wrong = sources.filter(([, wh, n]) => wh !== expected.wh || (n !== null && n !== expected.n));
  if (wrong.length > 0) {
    const found = wrong.map(([name, wh, n]) => `${name} ${wh} Wh${n === null ? '' : ` in ${n} transactions`}`).join(', ');
    throw new Error(`workbook ${month} does not reconcile: warehouse ${expected.wh} Wh in ${expected.n} transactions, but ${found}`);
  }
  return { month, energyWh: expected.wh, transactions: expected.n };
}
