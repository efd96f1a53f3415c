import { existsSync } from 'node:fs';
import { columnDoc, REVENUE_FIGURES } from '../../catalog/columns.ts';
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
  /** With tariffs in force: Σ amount incl. VAT in cents per currency, from the cells and from the Summary. */
  cellsCents: Map<string, number>;
  totalRowCents: number | null;
  summaryCents: Map<string, number>;
}

/** A money cell as whole cents: the cell holds the nearest double of a 2-decimal amount. */
const cents = (text: string | null | undefined) => (text === null || text === undefined ? Number.NaN : Math.round(Number(text) * 100));

/** Both sheets' positions, as exportWorkbook adds them (SHEET_NAMES). */
const SUMMARY_SHEET = 1;
const TRANSACTIONS_SHEET = 2;

/** Reads the two sheets back part by part, so a month of any size stays small in memory. */
async function readWorkbookEnergy(path: string): Promise<WorkbookEnergy> {
  const energyHeader = columnDoc('transactions', 'energy_wh').header;
  const amountHeader = columnDoc('transactions', 'amount_incl_vat').header;
  const currencyHeader = columnDoc('transactions', 'currency').header;
  // a figure without a time zone in its label, so any zone gives the same label
  const summaryLabel = figureLabel('energy_wh', 'UTC');
  const found: WorkbookEnergy = {
    cellsWh: 0,
    rows: 0,
    totalRowWh: null,
    summaryWh: null,
    cellsCents: new Map(),
    totalRowCents: null,
    summaryCents: new Map(),
  };
  const revenueLabel = REVENUE_FIGURES.find((figure) => figure.name === 'revenue_incl_vat')!.header;
  for await (const row of readSheetRows(path, worksheetPart(SUMMARY_SHEET))) {
    const label = row.cells.get('A')?.value;
    if (label === summaryLabel) found.summaryWh = Number(row.cells.get('B')?.value ?? Number.NaN);
    // 'Revenue incl. VAT (EUR)': one row per currency
    if (label?.startsWith(`${revenueLabel} (`))
      found.summaryCents.set(label.slice(revenueLabel.length + 2, -1), cents(row.cells.get('B')?.value));
  }
  let energyColumn: string | null = null;
  let amountColumn: string | null = null;
  let currencyColumn: string | null = null;
  for await (const row of readSheetRows(path, worksheetPart(TRANSACTIONS_SHEET))) {
    if (row.number === 1) {
      const column = (header: string) => [...row.cells].find(([, cell]) => cell.value === header)?.[0] ?? null;
      energyColumn = column(energyHeader);
      if (!energyColumn) throw new Error(`${path}: the Transactions sheet has no ${energyHeader} column`);
      amountColumn = column(amountHeader);
      currencyColumn = column(currencyHeader);
      continue;
    }
    const energy = row.cells.get(energyColumn!);
    if (row.cells.get('A')?.value === TOTAL_LABEL) {
      found.totalRowWh = Number(energy?.value ?? Number.NaN);
      if (amountColumn) found.totalRowCents = row.cells.get(amountColumn)?.value ? cents(row.cells.get(amountColumn)?.value) : null;
    } else {
      const amount = amountColumn ? row.cells.get(amountColumn) : undefined;
      if (amount && amount.value !== null) {
        // a formula among the data would be a defect: NaN fails the comparison
        const currency = row.cells.get(currencyColumn ?? '')?.value ?? '';
        found.cellsCents.set(
          currency,
          (found.cellsCents.get(currency) ?? 0) + (amount.formula === null ? cents(amount.value) : Number.NaN),
        );
      }
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
  await reconcileAmounts(db, month, workbook, options.parquetPath);
  return { month, energyWh: expected.wh, transactions: expected.n };
}

/**
 * With amounts on the sheet: Σ amount incl. VAT per currency, in cents, equal in the warehouse,
 * the Parquet month, the Transactions cells, its totals row (one currency only) and the Summary.
 */
async function reconcileAmounts(db: Db, month: string, workbook: WorkbookEnergy, parquetPath: string | undefined): Promise<void> {
  const perCurrency = async (from: string, params: Record<string, string>) =>
    new Map(
      (
        await queryRows(
          db,
          `select currency, cast(sum(amount_incl_vat) * 100 as bigint) as cents
           from ${from} and transaction_status = 'completed' and amount_incl_vat is not null group by currency`,
          params,
        )
      ).map((row) => [String(row.currency), Number(row.cents)]),
    );
  const warehouse = await perCurrency(`fct_transactions where month = $month`, { month });
  if (warehouse.size === 0 && workbook.cellsCents.size === 0 && workbook.summaryCents.size === 0) return;
  const sources: [string, Map<string, number>][] = [
    ['Transactions sheet cells', workbook.cellsCents],
    ['Summary', workbook.summaryCents],
  ];
  if (parquetPath !== undefined && existsSync(parquetPath)) {
    sources.push(['Parquet', await perCurrency(`read_parquet($path, hive_partitioning = false) where true`, { path: parquetPath })]);
  }
  const text = (amounts: Map<string, number>) =>
    [...amounts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, value]) => `${(value / 100).toFixed(2)} ${currency}`)
      .join(' + ') || 'none';
  const wrong = sources.filter(([, amounts]) => text(amounts) !== text(warehouse));
  if (warehouse.size === 1 && workbook.totalRowCents !== null && workbook.totalRowCents !== [...warehouse.values()][0]) {
    wrong.push(['Transactions totals row', new Map([['', workbook.totalRowCents]])]);
  }
  if (wrong.length > 0) {
    const found = wrong.map(([name, amounts]) => `${name} ${text(amounts)}`).join(', ');
    throw new Error(`workbook ${month} amounts do not reconcile: warehouse ${text(warehouse)} incl. VAT, but ${found}`);
  }
}
