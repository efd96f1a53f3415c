import { existsSync } from 'node:fs';
import { columnDoc } from '../../catalog/columns.ts';
import { type Db, queryRows } from '../../db.ts';
import { readSheetRows, worksheetPart } from './read-sheet.ts';
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

/** Both sheets' positions, as exportWorkbook adds them (SHEET_NAMES). */
const SUMMARY_SHEET = 1;
const TRANSACTIONS_SHEET = 2;

/** Reads the two sheets back part by part, so a month of any size stays small in memory. */
async function readWorkbookEnergy(path: string): Promise<WorkbookEnergy> {
  const energyHeader = columnDoc('transactions', 'energy_wh').header;
  // a figure without a time zone in its label, so any zone gives the same label
  const summaryLabel = figureLabel('energy_wh', 'UTC');
  const found: WorkbookEnergy = { cellsWh: 0, rows: 0, totalRowWh: null, summaryWh: null };
  for await (const row of readSheetRows(path, worksheetPart(SUMMARY_SHEET))) {
    if (row.cells.get('A')?.value === summaryLabel) found.summaryWh = Number(row.cells.get('B')?.value ?? Number.NaN);
  }
  let energyColumn: string | null = null;
  for await (const row of readSheetRows(path, worksheetPart(TRANSACTIONS_SHEET))) {
    if (row.number === 1) {
      energyColumn = [...row.cells].find(([, cell]) => cell.value === energyHeader)?.[0] ?? null;
      if (!energyColumn) throw new Error(`${path}: the Transactions sheet has no ${energyHeader} column`);
      continue;
    }
    const energy = row.cells.get(energyColumn!);
    if (row.cells.get('A')?.value === TOTAL_LABEL) {
      found.totalRowWh = Number(energy?.value ?? Number.NaN);
    } else {
      found.rows += 1;
      // a formula or a blank among the data would be a defect: NaN makes the sum fail the audit
      found.cellsWh += energy && energy.formula === null && energy.value !== null ? Number(energy.value) : Number.NaN;
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
  const workbook = await readWorkbookEnergy(path).catch((error: Error) => {
    throw new Error(`workbook ${month}: cannot read back ${path}: ${error.message}`);
  });
  sources.push(
    ['Transactions sheet cells', workbook.cellsWh, workbook.rows],
    ['Transactions totals row', workbook.rows === 0 && workbook.totalRowWh === null ? 0 : (workbook.totalRowWh ?? Number.NaN), null],
    ['Summary', workbook.summaryWh ?? Number.NaN, null],
  );
  const wrong = sources.filter(([, wh, n]) => wh !== expected.wh || (n !== null && n !== expected.n));
  if (wrong.length > 0) {
    const found = wrong.map(([name, wh, n]) => `${name} ${wh} Wh${n === null ? '' : ` in ${n} transactions`}`).join(', ');
    throw new Error(`workbook ${month} does not reconcile: warehouse ${expected.wh} Wh in ${expected.n} transactions, but ${found}`);
  }
  return { month, energyWh: expected.wh, transactions: expected.n };
}
