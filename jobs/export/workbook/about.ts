import type ExcelJS from 'exceljs';
import { REVENUE_FIGURES, TRANSACTION_COLUMNS, WORKBOOK_FIGURES } from '../../catalog/columns.ts';
import { shownAs, type TableSheet } from './layout.ts';
import { figureLabel } from './summary.ts';
import { HEADER_STYLE, printSetup, TOTAL_LABEL } from './write-table.ts';

const DEFINITION_WIDTH = 90;

/** The About rows: how to read the workbook, then every figure and every column of every sheet. */
export function aboutRows(sheets: TableSheet[], timezone: string, billing = false): string[][] {
  const month = WORKBOOK_FIGURES.find((figure) => figure.name === 'month')!;
  const parquetColumns = new Set(TRANSACTION_COLUMNS.map((column) => column.name));
  const rows: string[][] = [
    ['All sheets', 'How the month is attributed', '', '', month.description],
    [
      'All sheets',
      'Date-times',
      shownAs('dateTime', timezone),
      '',
      `Wall-clock times in ${timezone}, truncated to the second (Parquet keeps microseconds and UTC).`,
    ],
    [
      'All sheets',
      TOTAL_LABEL,
      '',
      '',
      'SUBTOTAL(109, …) of the rows above it that the filter shows: filter a sheet and its totals follow. A blank row keeps sorting and filtering from moving it.',
    ],
  ];
  for (const figure of WORKBOOK_FIGURES) rows.push(['Summary', figureLabel(figure.name, timezone), '', '', figure.description]);
  if (billing) {
    for (const figure of REVENUE_FIGURES) {
      const label = figure.name === 'unpriced_transactions' ? figure.header : `${figure.header} (one row per currency)`;
      rows.push(['Summary', label, '', '', figure.description]);
    }
  }
  for (const sheet of sheets) {
    rows.push([sheet.name, '(each row)', '', '', `One row is ${sheet.rowIs}.`]);
    for (const column of sheet.columns) {
      const definition = column.summed ? `Sum over the row's billed sessions of: ${column.doc.description}` : column.doc.description;
      const parquet = parquetColumns.has(column.doc.name) ? column.doc.name : '';
      rows.push([sheet.name, column.header, shownAs(column.kind, timezone), parquet, definition]);
    }
  }
  return rows;
}

export function writeAboutSheet(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  sheets: TableSheet[],
  timezone: string,
  title: string,
  billing = false,
): void {
  const rows = aboutRows(sheets, timezone, billing);
  const sheet = workbook.addWorksheet('About', {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    ...printSetup(title),
  });
  const width = (index: number, minimum: number) => Math.max(minimum, ...rows.map((row) => row[index]!.length + 2));
  sheet.columns = [
    { key: 'sheet', width: width(0, 12) },
    { key: 'item', width: width(1, 20) },
    { key: 'shown', width: width(2, 12) },
    { key: 'parquet', width: width(3, 18) },
    { key: 'definition', width: DEFINITION_WIDTH, style: { alignment: { wrapText: true, vertical: 'top' } } },
  ];
  const header = sheet.addRow(['Sheet', 'Column or figure', 'Shown as', 'Parquet column', 'Definition']);
  header.eachCell((cell) => {
    cell.style = { ...cell.style, ...HEADER_STYLE };
  });
  header.commit();
  for (const values of rows) {
    const row = sheet.addRow(values);
    // Not every viewer fits wrapped rows on open: give each the height its definition needs.
    const lines = Math.max(1, Math.ceil(values[4]!.length / (DEFINITION_WIDTH + 15)));
    if (lines > 1) row.height = 15 * lines;
    row.eachCell((cell) => {
      cell.alignment = { ...cell.alignment, vertical: 'top', wrapText: Number(cell.col) === 5 };
    });
    row.commit();
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: rows.length + 1, column: 5 } };
  sheet.commit();
}
