import { type EventEmitter, once } from 'node:events';
import type { DuckDBValue } from '@duckdb/node-api';
import type ExcelJS from 'exceljs';
import { REVIEW_REASONS } from '../../catalog/columns.ts';
import { type Db, type Params, queryRows } from '../../db.ts';
import { loadSqlProject, sqlFile } from '../../models/project.ts';
import { type CellKind, cellValue, MAX_SHEET_ROWS, NUM_FMT, type TableSheet, type WorkbookColumn } from './layout.ts';
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
  /** Per column: the figure its width is computed from (longest text, largest magnitude, …). */
  widest: (number | null)[];
  sums: (number | null)[];
}

const NUMERIC: CellKind[] = ['id', 'count', 'wh', 'kwh', 'seconds', 'duration', 'hours'];

/** One pass over the sheet's rows in DuckDB for what the streaming writer needs up front. */
async function profileTable(db: Db, sql: string, params: Params, columns: WorkbookColumn[]): Promise<Profile> {
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
    return `sum("${column.source}") as sum_${index}`;
  });
  const [row] = await queryRows(
    db,
    `select count(*) as row_count, ${[...widest, ...sums].join(', ')} from (\n${unordered(sql)}\n)`,
    params,
  );
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    rows: Number(row!.row_count),
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
  const hasTotals = columns.some((column) => column.total);
  const everyRow = sheet.batchedBy ? { ...params, batch_from: null, batch_to: null } : params;
  const profile = await profileTable(db, sql, everyRow, columns);
  const lastRow = profile.rows + (hasTotals ? 3 : 1);
  if (lastRow > MAX_SHEET_ROWS) {
    throw new Error(`${sheet.name}: ${profile.rows} rows do not fit in a sheet (Excel holds ${MAX_SHEET_ROWS}); use the Parquet export`);
  }

  const worksheet = workbook.addWorksheet(sheet.name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    ...printSetup(title),
  });
  worksheet.columns = columns.map((column, index) => ({
    key: column.source,
    width: columnWidth(
      column,
      profile.widest[index]!,
      column.total ? totalResult(column, profile.sums[index]!) : null,
      index === 0 && hasTotals ? TOTAL_LABEL.length : 0,
    ),
    style: columnStyle(column.kind),
  }));
  const header = worksheet.addRow(columns.map((column) => column.header));
  header.eachCell((cell) => {
    cell.style = { ...cell.style, ...HEADER_STYLE };
  });
  header.commit();

  let reader: ReturnType<typeof columnReader> | null = null;
  let written = 0;
  for await (const { columns: names, rows } of streamSheetRows(db, sql, params, sheet.batchedBy)) {
    reader ??= columnReader(names);
    for (const row of rows) {
      const get = reader(row);
      worksheet.addRow(columns.map((column) => cellValue(column, get))).commit();
    }
    written += rows.length;
    await zipCaughtUp(worksheet);
  }
  if (written !== profile.rows)
    throw new Error(`${sheet.name}: ${written} rows written, ${profile.rows} expected (the warehouse changed while writing)`);

  const totals: Record<string, number> = {};
  if (hasTotals) {
    const row = worksheet.getRow(profile.rows + 3);
    row.getCell(1).value = TOTAL_LABEL;
    columns.forEach((column, index) => {
      if (!column.total) return;
      const result = totalResult(column, profile.sums[index]!);
      totals[column.header] = result;
      const letter = columnLetter(index + 1);
      // With no rows the range would be the header and this row itself: a plain 0 instead.
      row.getCell(index + 1).value = profile.rows === 0 ? 0 : { formula: `SUBTOTAL(109,${letter}2:${letter}${profile.rows + 1})`, result };
    });
    row.eachCell((cell) => {
      cell.style = { ...cell.style, font: BOLD, border: { top: { style: 'thin' }, bottom: { style: 'double' } } };
    });
    row.commit();
  }
  worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: profile.rows + 1, column: columns.length } };
  worksheet.commit();
  return { rows: profile.rows, totals };
}
