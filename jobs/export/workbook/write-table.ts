import { type EventEmitter, once } from 'node:events';
import type { DuckDBValue } from '@duckdb/node-api';
import type ExcelJS from 'exceljs';
import { REVIEW_REASONS } from '../../catalog/columns.ts';
import { type Db, type Params, queryRows } from '../../db.ts';
import { loadSqlProject, sqlFile } from '../../models/project.ts';
import { plainValue } from '../../query/table.ts';
import { type CellKind, cellValue, MAX_SHEET_ROWS, moneyFormat, NUM_FMT, type TableSheet, type WorkbookColumn } from './layout.ts';
import { columnReader, streamSheetRows, unordered } from './stream-rows.ts';

export const TOTAL_LABEL = 'Total (visible rows)';

export const BOLD: Partial<ExcelJS.Font> = { name: 'Calibri', size: 11, bold: true };

export const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: BOLD,
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } },
  border: { bottom: { style: 'thin' } },
  alignment: { vertical: 'middle', horizontal: 'left', indent: 1 },
};

const TEXT_KINDS: CellKind[] = ['text', 'flags', 'reason'];

/** Number format; text indented so it never runs into a right-aligned number beside it; ids centred. */
function columnStyle(kind: CellKind): Partial<ExcelJS.Style> {
  if (TEXT_KINDS.includes(kind)) return { numFmt: NUM_FMT[kind], alignment: { horizontal: 'left', indent: 1 } };
  if (kind === 'id') return { numFmt: NUM_FMT[kind], alignment: { horizontal: 'center' } };
  return { numFmt: NUM_FMT[kind] };
}

/** Landscape, one page wide, header row repeated, sheet name and page number in the footer. */
export function printSetup(title: string): Partial<ExcelJS.AddWorksheetOptions> {
  return {
    pageSetup: {
      orientation: 'landscape',
      paperSize: 9,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddHeader: `&L${title}`, oddFooter: '&L&A&RPage &P of &N' },
  };
}

export function columnLetter(position: number): string {
  let letters = '';
  for (let n = position; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

export interface TableTotals {
  rows: number;
  /** The cached result of each totals cell, by header. */
  totals: Record<string, number>;
}

interface Profile {
  rows: number;
  /** Rows of the outline's group column (outlineBy), each getting a row of its own above its details. */
  groups: number;
  /** Distinct currencies of the money columns: amounts in two currencies have no total. */
  currencies: string[];
  /** Per column: the figure its width is computed from (longest text, largest magnitude, …). */
  widest: (number | null)[];
  sums: (number | null)[];
}

const NUMERIC: CellKind[] = ['id', 'count', 'wh', 'kwh', 'seconds', 'duration', 'hours', 'money'];

/** One pass over the sheet's rows in DuckDB for what the streaming writer needs up front. */
async function profileTable(db: Db, sql: string, params: Params, columns: WorkbookColumn[], outlineBy?: string): Promise<Profile> {
  // Identifiers are this module's own column names, never input, so quoting them is enough.
  const widest = columns.map((column, index) => {
    const source = `"${column.source}"`;
    if (column.kind === 'text') return `max(length(cast(${source} as varchar))) as widest_${index}`;
    if (column.kind === 'flags') return `max(coalesce(len(${source}), 0)) as widest_${index}`;
    if (column.kind === 'reason') return `max(coalesce(len(${source}), 0) + 1) as widest_${index}`;
    if (NUMERIC.includes(column.kind)) return `max(abs(${source})) as widest_${index}`;
    return `null as widest_${index}`;
  });
  const sums = columns.map((column, index) => {
    if (!column.total) return `null as sum_${index}`;
    // kWh are whole Wh / 1000: summed as integers the total is exact, and the same whatever order
    // DuckDB's threads add the rows in (a double sum can differ in the last digit run to run)
    if (column.kind === 'kwh') return `sum(cast(round("${column.source}" * 1000) as hugeint)) / 1000 as sum_${index}`;
    // DECIMAL sums are exact; the cached result is the nearest double, as a spreadsheet holds it
    if (column.kind === 'money') return `cast(sum("${column.source}") as varchar) as sum_${index}`;
    return `sum("${column.source}") as sum_${index}`;
  });
  const [row] = await queryRows(
    db,
    `select count(*) as row_count, ${[...widest, ...sums].join(', ')} from (\n${unordered(sql)}\n)`,
    params,
  );
  const currencyFrom = columns.find((column) => column.currencyFrom)?.currencyFrom;
  const [extra] = await queryRows(
    db,
    // count(*) makes it an aggregate: one row even when the constant branches are taken
    `select
         count(*) as row_count,
         ${outlineBy ? `count(distinct "${outlineBy}")` : '0'} as groups,
         ${currencyFrom ? `coalesce(list(distinct "${currencyFrom}" order by "${currencyFrom}") filter (where "${currencyFrom}" is not null), [])` : '[]'}
             as currencies,
     from (\n${unordered(sql)}\n)`,
    params,
  );
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    rows: Number(row!.row_count),
    groups: Number(extra!.groups),
    currencies: (extra!.currencies as string[]).map(String),
    widest: columns.map((_, index) => number(row![`widest_${index}`])),
    sums: columns.map((_, index) => number(row![`sum_${index}`])),
  };
}

const LONGEST_REASON = Math.max(...Object.values(REVIEW_REASONS).map((text) => text.length));

function shownLength(kind: CellKind, figure: number): number {
  const grouped = (decimals: number) =>
    new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(figure).length + 1;
  switch (kind) {
    case 'text':
      return figure;
    case 'flags':
    case 'reason':
      return figure * (LONGEST_REASON + 1);
    case 'id':
      return String(Math.trunc(figure)).length + 1;
    case 'count':
    case 'wh':
    case 'seconds':
      return grouped(0);
    case 'kwh':
    case 'registerWh':
      return grouped(3);
    case 'hours':
      return grouped(2);
    case 'money':
      return grouped(2) + 4;
    case 'duration':
      return `${Math.floor(figure / 3_600)}:00:00`.length;
    case 'dateTime':
      return 'yyyy-mm-dd hh:mm:ss'.length;
  }
}

/** Excel widths are in characters of the default font; room for the header's filter button. */
function columnWidth(column: WorkbookColumn, widest: number | null, total: number | null, label: number): number {
  const data = Math.max(
    column.kind === 'dateTime' ? shownLength('dateTime', 0) : widest === null ? 0 : shownLength(column.kind, widest),
    total === null ? 0 : shownLength(column.kind, Math.abs(total)),
    label,
  );
  return Math.min(100, Math.max(8, column.header.length + 5, data + 2));
}

function totalResult(column: WorkbookColumn, sum: number | null): number {
  const value = sum ?? 0;
  if (column.kind === 'duration') return value / 86_400;
  if (column.kind === 'hours') return value / 3_600;
  return value;
}

/** Sheet XML allowed to wait for deflate: a few DuckDB chunks' worth. */
const ZIP_PENDING_BYTES = 4 * 1024 * 1024;

/**
 * exceljs's streaming writer ignores backpressure: a committed row goes straight into the zip
 * entry's buffer, and deflate drains it only one chunk per turn of the event loop, so a big sheet
 * would pile up in memory (about 800 bytes a row). Waiting for that buffer to drain after each
 * DuckDB chunk keeps memory flat. The buffer is exceljs's sheet stream's pipe (archiver's input);
 * if a later exceljs hides it, this degrades to yielding one turn.
 */
export async function zipCaughtUp(worksheet: ExcelJS.Worksheet): Promise<void> {
  // archiver's input is a readable-stream v2 PassThrough: its buffer size is only in _writableState
  type Pipe = EventEmitter & { _writableState?: { length: number } };
  const pipes = (worksheet as unknown as { stream?: { pipes?: Pipe[] } }).stream?.pipes ?? [];
  for (const pipe of pipes) {
    // every write past the high-water mark sets needDrain, so 'drain' comes once the buffer is empty
    while ((pipe._writableState?.length ?? 0) > ZIP_PENDING_BYTES) await once(pipe, 'drain');
  }
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Streams one sql/reports query into a sheet: bold frozen header, typed cells, autofilter over
 * header and data, and below a blank row (so sorting and filtering never take it in) a totals
 * row of SUBTOTAL(109, …) that follows the filter, with its result cached for viewers that do
 * not recalculate.
 */
export async function writeTableSheet(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  db: Db,
  sheet: TableSheet,
  params: Record<string, DuckDBValue>,
  title: string,
): Promise<TableTotals> {
  const sql = sqlFile(loadSqlProject(), 'reports', sheet.report).sql;
  const { columns } = sheet;
  const everyRow = sheet.batchedBy ? { ...params, batch_from: null, batch_to: null } : params;
  const profile = await profileTable(db, sql, everyRow, columns, sheet.outlineBy);
  // amounts in two currencies never add up: such a sheet has no money total
  const totalled = (column: WorkbookColumn) => column.total && (column.kind !== 'money' || profile.currencies.length <= 1);
  const hasTotals = columns.some(totalled);
  const dataRows = profile.rows + profile.groups;
  const lastRow = dataRows + (hasTotals ? 3 : 1);
  if (lastRow > MAX_SHEET_ROWS) {
    throw new Error(`${sheet.name}: ${profile.rows} rows do not fit in a sheet (Excel holds ${MAX_SHEET_ROWS}); use the Parquet export`);
  }

  const outlined = sheet.outlineBy !== undefined || columns.some((column) => column.technical);
  const worksheet = workbook.addWorksheet(sheet.name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    ...printSetup(title),
    // the group row of an outline sits above its details; technical columns collapse to the left
    ...(outlined ? { properties: { outlineProperties: { summaryBelow: false, summaryRight: false } } } : {}),
  });
  worksheet.columns = columns.map((column, index) => ({
    key: column.source,
    width: columnWidth(
      column,
      profile.widest[index]!,
      totalled(column) ? totalResult(column, profile.sums[index]!) : null,
      index === 0 && hasTotals ? TOTAL_LABEL.length : 0,
    ),
    style: columnStyle(column.kind),
    ...(column.technical ? { outlineLevel: 1 } : {}),
  }));
  const header = worksheet.addRow(columns.map((column) => column.header));
  header.eachCell((cell) => {
    cell.style = { ...cell.style, ...HEADER_STYLE };
  });
  header.commit();

  const onlyCurrency = profile.currencies.length === 1 ? profile.currencies[0] : undefined;
  const formatMoney = (row: ExcelJS.Row, currency: unknown) => {
    columns.forEach((column, index) => {
      if (column.kind === 'money') row.getCell(index + 1).numFmt = moneyFormat(currency);
    });
  };
  let rowNumber = 1;
  const addDataRow = (values: ExcelJS.CellValue[], currency: unknown, outlineLevel: number) => {
    const row = worksheet.addRow(values);
    rowNumber += 1;
    if (currency !== undefined) formatMoney(row, currency);
    if (outlineLevel > 0) row.outlineLevel = outlineLevel;
    row.commit();
  };

  // outline: the details of one group are held until the group changes (a charge point's connectors)
  let group: { key: unknown; rows: { values: ExcelJS.CellValue[]; currency: unknown }[] } | null = null;
  const flushGroup = () => {
    if (!group || group.rows.length === 0) return;
    const first = rowNumber + 2;
    const last = first + group.rows.length - 1;
    const currencies = new Set(group.rows.map((row) => row.currency).filter((currency) => currency !== null && currency !== undefined));
    const values: ExcelJS.CellValue[] = columns.map((column, index) => {
      if (index === 0) return group!.rows[0]!.values[0]!;
      if (column.source === columns.find((candidate) => candidate.currencyFrom)?.currencyFrom) {
        return currencies.size === 1 ? String([...currencies][0]) : null;
      }
      if (!column.total || (column.kind === 'money' && currencies.size > 1)) return null;
      const result = group!.rows.reduce((sum, row) => sum + Number(row.values[index] ?? 0), 0);
      const letter = columnLetter(index + 1);
      return {
        formula: `SUBTOTAL(109,${letter}${first}:${letter}${last})`,
        result: column.kind === 'money' ? Math.round(result * 100) / 100 : result,
      };
    });
    const row = worksheet.addRow(values);
    rowNumber += 1;
    formatMoney(row, currencies.size === 1 ? [...currencies][0] : null);
    row.eachCell((cell) => {
      cell.font = BOLD;
    });
    row.commit();
    for (const detail of group.rows) addDataRow(detail.values, detail.currency, 1);
    group = null;
  };

  let reader: ReturnType<typeof columnReader> | null = null;
  let written = 0;
  const currencyFrom = columns.find((column) => column.currencyFrom)?.currencyFrom;
  for await (const { columns: names, rows } of streamSheetRows(db, sql, params, sheet.batchedBy)) {
    reader ??= columnReader(names);
    for (const row of rows) {
      const get = reader(row);
      const values = columns.map((column) => cellValue(column, get));
      const currency = currencyFrom ? plainValue(get(currencyFrom)) : undefined;
      if (sheet.outlineBy) {
        const key = plainValue(get(sheet.outlineBy));
        if (group && group.key !== key) flushGroup();
        group ??= { key, rows: [] };
        group.rows.push({ values, currency });
      } else {
        addDataRow(values, currency, 0);
      }
    }
    written += rows.length;
    await zipCaughtUp(worksheet);
  }
  flushGroup();
  if (written !== profile.rows)
    throw new Error(`${sheet.name}: ${written} rows written, ${profile.rows} expected (the warehouse changed while writing)`);

  const totals: Record<string, number> = {};
  if (hasTotals) {
    const row = worksheet.getRow(dataRows + 3);
    row.getCell(1).value = TOTAL_LABEL;
    columns.forEach((column, index) => {
      if (!totalled(column)) return;
      const result = totalResult(column, profile.sums[index]!);
      totals[column.header] = result;
      const letter = columnLetter(index + 1);
      // With no rows the range would be the header and this row itself: a plain 0 instead.
      // SUBTOTAL skips the group rows of an outline (they are SUBTOTALs themselves).
      row.getCell(index + 1).value = profile.rows === 0 ? 0 : { formula: `SUBTOTAL(109,${letter}2:${letter}${dataRows + 1})`, result };
    });
    if (onlyCurrency !== undefined) formatMoney(row, onlyCurrency);
    row.eachCell((cell) => {
      cell.style = { ...cell.style, font: BOLD, border: { top: { style: 'thin' }, bottom: { style: 'double' } } };
    });
    row.commit();
  }
  worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: dataRows + 1, column: columns.length } };
  worksheet.commit();
  return { rows: profile.rows, totals };
}
