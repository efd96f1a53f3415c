import { DuckDBListValue, DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import type ExcelJS from 'exceljs';
import { type ColumnDoc, columnDoc, MART_COLUMNS, REVIEW_REASONS, WORKBOOK_COLUMNS } from '../../catalog/columns.ts';
import { plainValue } from '../../query/table.ts';

/** How a column's values are shown; each kind has one number format and one width rule. */
export type CellKind =
  | 'text'
  | 'id'
  | 'count'
  | 'wh'
  | 'registerWh'
  | 'kwh'
  | 'seconds'
  | 'dateTime'
  | 'duration'
  | 'hours'
  | 'flags'
  | 'reason'
  | 'money';

export const NUM_FMT: Record<CellKind, string> = {
  // '@' keeps a retyped id as text too (leading zeros, a leading '=' stays literal)
  text: '@',
  id: '0',
  count: '#,##0',
  wh: '#,##0',
  // a register reading as the meter reported it: its decimals (up to three) are shown
  registerWh: '#,##0.0##',
  kwh: '#,##0.000',
  seconds: '#,##0',
  dateTime: 'yyyy-mm-dd hh:mm:ss',
  duration: '[h]:mm:ss',
  hours: '#,##0.00',
  flags: '@',
  reason: '@',
  // the currency code is added per cell (moneyFormat) when the row has one
  money: '#,##0.00',
};

/** Two decimals and the ISO code after the amount; the code is validated as three capital letters. */
export function moneyFormat(currency: unknown): string {
  return typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? `#,##0.00 "${currency}"` : NUM_FMT.money;
}

const SHOWN_AS: Record<CellKind, string> = {
  text: 'text',
  id: 'whole number',
  count: 'whole number',
  wh: 'number, Wh',
  registerWh: 'number, Wh, with the decimals the meter reported (up to 3)',
  kwh: 'number, kWh, 3 decimals',
  seconds: 'number, seconds',
  dateTime: 'date-time, to the second',
  duration: 'duration [h]:mm:ss',
  hours: 'number, hours, 2 decimals',
  flags: 'text',
  reason: 'text',
  money: 'number, 2 decimals, with the currency code',
};

export interface WorkbookColumn {
  header: string;
  /** Column of the sheet's query the cell comes from. */
  source: string;
  kind: CellKind;
  /** Summed in the totals row. */
  total: boolean;
  doc: ColumnDoc;
  /** The row is a group: the column is a sum over its billed sessions (About says so). */
  summed?: boolean;
  /** A technical column: grouped (outline level 1) so a reader can collapse it. */
  technical?: boolean;
  /** For money: the query column holding the row's currency, for the cell's number format. */
  currencyFrom?: string;
}

export interface TableSheet {
  name: string;
  /** sql/reports file the rows come from. */
  report: string;
  columns: WorkbookColumn[];
  /** What one row is, for the About sheet. */
  rowIs: string;
  /** The report's first sort column, if it takes $batch_from/$batch_to bounds on it (stream-rows.ts). */
  batchedBy?: string;
  /**
   * Rows are detail rows (outline level 1) under a bold row per value of this column (the query's
   * first sort column), whose totals are SUBTOTAL(109, …) of its details: the sheet's own totals
   * row ignores them, so nothing is counted twice.
   */
  outlineBy?: string;
}

/** Excel's hard limit on characters in a cell: a longer text makes the file unreadable. */
export const MAX_CELL_CHARS = 32_767;
/** Excel's hard limit on rows in a sheet. */
export const MAX_SHEET_ROWS = 1_048_576;

const transactionColumn = (
  source: string,
  kind: CellKind,
  timezone: string,
  options: { name?: string; total?: boolean } = {},
): WorkbookColumn => {
  const doc = columnDoc('transactions', options.name ?? source);
  const header = kind === 'dateTime' ? `${doc.header} (${timezone})` : doc.header;
  return { header, source, kind, total: options.total ?? false, doc };
};

const workbookColumn = (name: string, source: string, kind: CellKind, total = false): WorkbookColumn => {
  const doc = WORKBOOK_COLUMNS.find((candidate) => candidate.name === name);
  if (!doc) throw new Error(`no description for workbook column ${name} in jobs/catalog/columns.ts`);
  return { header: doc.header, source, kind, total, doc };
};

const summed = (column: WorkbookColumn): WorkbookColumn => ({ ...column, summed: true });

const martColumn = (name: string, kind: CellKind): WorkbookColumn => {
  const doc = MART_COLUMNS.fct_transactions!.find((candidate) => candidate.name === name);
  if (!doc) throw new Error(`no description for fct_transactions.${name} in jobs/catalog/columns.ts`);
  return { header: doc.header, source: name, kind, total: false, doc };
};

const shownStop = (timezone: string): WorkbookColumn => {
  const column = workbookColumn('shown_stop', 'stopped_local', 'dateTime');
  return { ...column, header: `${column.header} (${timezone})` };
};

const technical = (column: WorkbookColumn): WorkbookColumn => ({ ...column, technical: true });

const money = (name: string, options: { total?: boolean; summedOver?: boolean } = {}): WorkbookColumn => {
  const column = { ...transactionColumn(name, 'money', 'UTC', { total: options.total ?? true }), currencyFrom: 'currency' };
  return options.summedOver ? summed(column) : column;
};

/**
 * The Transactions sheet. With tariffs in force (`billing`) it starts with what an invoice needs
 * and keeps the technical columns at the right, grouped so they collapse; without, it is the
 * sheet as it was before tariffs existed.
 */
export function transactionsSheet(timezone: string, billing = false): TableSheet {
  const column = (source: string, kind: CellKind, options: { name?: string; total?: boolean } = {}) =>
    transactionColumn(source, kind, timezone, options);
  if (billing) {
    return {
      name: 'Transactions',
      report: 'workbook_transactions',
      rowIs: 'one completed transaction stopped in the month (a billed session)',
      batchedBy: 'charge_point_id',
      columns: [
        column('customer_name', 'text'),
        column('customer_id', 'text'),
        column('id_tag', 'text'),
        column('charge_point_id', 'text'),
        column('connector_id', 'id'),
        column('started_local', 'dateTime', { name: 'started_at' }),
        shownStop(timezone),
        column('energy_kwh', 'kwh', { total: true }),
        workbookColumn('charge_time', 'duration_s', 'duration', true),
        column('tariff_id', 'text'),
        column('currency', 'text'),
        money('amount_excl_vat'),
        money('vat_amount'),
        money('amount_incl_vat'),
        workbookColumn('review_flags', 'flags', 'flags'),
        technical(column('transaction_id', 'id')),
        technical(column('energy_wh', 'wh', { total: true })),
        technical(column('duration_s', 'seconds', { total: true })),
        technical(column('meter_start_wh', 'wh')),
        technical(column('meter_stop_wh', 'wh')),
        technical(column('stop_reason', 'text')),
        technical(column('last_register_wh', 'registerWh')),
        technical(column('last_register_sampled_local', 'dateTime', { name: 'last_register_sampled_at' })),
        technical(column('transaction_status', 'text')),
        technical(martColumn('start_file_id', 'id')),
        technical(martColumn('start_line_no', 'id')),
        technical(martColumn('stop_file_id', 'id')),
        technical(martColumn('stop_line_no', 'id')),
      ],
    };
  }
  return {
    name: 'Transactions',
    report: 'workbook_transactions',
    rowIs: 'one completed transaction stopped in the month (a billed session)',
    batchedBy: 'charge_point_id',
    columns: [
      column('charge_point_id', 'text'),
      column('transaction_id', 'id'),
      column('connector_id', 'id'),
      column('id_tag', 'text'),
      column('started_local', 'dateTime', { name: 'started_at' }),
      shownStop(timezone),
      workbookColumn('charge_time', 'duration_s', 'duration', true),
      column('duration_s', 'seconds', { total: true }),
      column('meter_start_wh', 'wh'),
      column('meter_stop_wh', 'wh'),
      column('energy_wh', 'wh', { total: true }),
      column('energy_kwh', 'kwh', { total: true }),
      column('stop_reason', 'text'),
      column('last_register_wh', 'registerWh'),
      column('last_register_sampled_local', 'dateTime', { name: 'last_register_sampled_at' }),
      column('transaction_status', 'text'),
      workbookColumn('review_flags', 'flags', 'flags'),
    ],
  };
}

const groupTotals = (): WorkbookColumn[] => [
  workbookColumn('sessions', 'sessions', 'count', true),
  summed(transactionColumn('energy_kwh', 'kwh', 'UTC', { total: true })),
  summed(transactionColumn('energy_wh', 'wh', 'UTC', { total: true })),
  summed(workbookColumn('charge_time', 'duration_s', 'duration', true)),
  workbookColumn('charge_time_hours', 'duration_s', 'hours', true),
];

export function customersSheet(billing = false): TableSheet {
  if (billing) {
    return {
      name: 'By customer',
      report: 'workbook_customer_amounts',
      rowIs: "one customer and currency: the month's billed sessions of all its idTags (an idTag without a customer is a row of its own)",
      columns: [
        transactionColumn('customer_name', 'text', 'UTC'),
        transactionColumn('customer_id', 'text', 'UTC'),
        workbookColumn('id_tags', 'id_tags', 'text'),
        ...groupTotals(),
        transactionColumn('currency', 'text', 'UTC'),
        money('amount_excl_vat', { summedOver: true }),
        money('vat_amount', { summedOver: true }),
        money('amount_incl_vat', { summedOver: true }),
      ],
    };
  }
  return {
    name: 'By customer',
    report: 'workbook_customers',
    rowIs: "one customer (idTag): the month's billed sessions of that idTag",
    columns: [transactionColumn('id_tag', 'text', 'UTC'), ...groupTotals()],
  };
}

export function chargePointsSheet(billing = false): TableSheet {
  if (billing) {
    return {
      name: 'By charge point',
      report: 'workbook_charge_points',
      rowIs: "one charge point (bold, its totals), then one row per connector (and currency) under it: the month's billed sessions",
      outlineBy: 'charge_point_id',
      columns: [
        transactionColumn('charge_point_id', 'text', 'UTC'),
        transactionColumn('connector_id', 'id', 'UTC'),
        ...groupTotals(),
        transactionColumn('currency', 'text', 'UTC'),
        money('amount_excl_vat', { summedOver: true }),
        money('vat_amount', { summedOver: true }),
        money('amount_incl_vat', { summedOver: true }),
      ],
    };
  }
  return {
    name: 'By charge point',
    report: 'workbook_charge_points',
    rowIs: "one connector of a charge point: the month's billed sessions on it",
    columns: [transactionColumn('charge_point_id', 'text', 'UTC'), transactionColumn('connector_id', 'id', 'UTC'), ...groupTotals()],
  };
}

export function exceptionsSheet(timezone: string): TableSheet {
  const column = (source: string, kind: CellKind, name?: string) => transactionColumn(source, kind, timezone, { name });
  return {
    name: 'Exceptions',
    report: 'workbook_exceptions',
    rowIs: 'one transaction to look at: open, stopped without a start, or flagged',
    columns: [
      column('transaction_status', 'text'),
      column('charge_point_id', 'text'),
      column('transaction_id', 'id'),
      column('connector_id', 'id'),
      column('id_tag', 'text'),
      column('started_local', 'dateTime', 'started_at'),
      column('stopped_local', 'dateTime', 'stopped_at'),
      workbookColumn('charge_time', 'duration_s', 'duration'),
      column('meter_start_wh', 'wh'),
      column('meter_stop_wh', 'wh'),
      column('energy_wh', 'wh'),
      column('energy_kwh', 'kwh'),
      column('stop_reason', 'text'),
      workbookColumn('exception_reason', 'flags', 'reason'),
    ],
  };
}

export function shownAs(kind: CellKind, timezone: string): string {
  return kind === 'dateTime' ? `${SHOWN_AS.dateTime}, ${timezone}` : SHOWN_AS[kind];
}

/** Text exactly as logged, cut only where Excel could not open the file otherwise. */
export function cellText(text: string): string {
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
}

/** A flag or status code in words; an unknown code is shown readable rather than hidden. */
export function reasonInWords(code: string): string {
  return REVIEW_REASONS[code] ?? `${code.replace(/_/g, ' ')}.`;
}

function listItems(value: DuckDBValue): string[] {
  return value instanceof DuckDBListValue ? value.items.map((item) => String(plainValue(item))) : [];
}

/** The reasons a row is on Exceptions: its status unless completed, then its flags, each once. */
export function rowReasons(status: DuckDBValue, flags: DuckDBValue): string[] {
  const codes = [...(status !== null && status !== 'completed' ? [String(status)] : []), ...listItems(flags)];
  return [...new Set(codes)];
}

/** Excel has no time zones: a wall-clock time is written as the date whose UTC fields are that time. */
function wallClockDate(value: DuckDBValue): Date | null {
  return value instanceof DuckDBTimestampValue ? new Date(Number(value.micros / 1000n)) : null;
}

/** The cell for one column of a query row; `get` reads a column of that row by name. */
export function cellValue(column: WorkbookColumn, get: (source: string) => DuckDBValue): ExcelJS.CellValue {
  const value = get(column.source);
  if (column.kind === 'reason') return rowReasons(get('transaction_status'), value).map(reasonInWords).join(' ') || null;
  if (value === null) return null;
  switch (column.kind) {
    case 'text':
      // A string cell is text whatever it starts with ('=', '+', '-', '@', tab, CR): never a formula.
      return cellText(String(plainValue(value)));
    case 'flags':
      return listItems(value).map(reasonInWords).join(' ') || null;
    case 'dateTime':
      return wallClockDate(value);
    case 'duration':
      return Number(plainValue(value)) / 86_400;
    case 'hours':
      return Number(plainValue(value)) / 3_600;
    case 'money':
      // DECIMAL(18,2) → the nearest double, which is what a spreadsheet stores for 12.34 typed in
      return Number(plainValue(value));
    default:
      return Number(plainValue(value));
  }
}

/**
 * A sheet name Excel accepts: at most 31 characters, none of : \ / ? * [ ], no apostrophe at
 * either end, not the reserved "History". Names are fixed here, so a bad one is a bug.
 */
export function safeSheetName(name: string): string {
  if (name.length === 0 || name.length > 31 || /[:\\/?*[\]]/.test(name) || /^'|'$/.test(name) || name.toLowerCase() === 'history') {
    throw new Error(`"${name}" is not a valid Excel sheet name`);
  }
  return name;
}
