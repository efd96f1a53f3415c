import { plainValue, type Table, toObjects } from './table.ts';

/** Formats rendered as text by formatTable. */
export type TextFormat = 'table' | 'json' | 'csv';
/** Every `--format`: arrow is an Arrow IPC stream, parquet a file written by DuckDB (needs --output). */
export type OutputFormat = TextFormat | 'arrow' | 'parquet';

export function defaultFormat(): TextFormat {
  return process.stdout.isTTY ? 'table' : 'json';
}

/** Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell that a spreadsheet will show as text, never evaluate. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = typeof value === 'string' ? neutraliseFormula(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatTable(table: Table, format: TextFormat): string {
  if (format === 'json') return `${JSON.stringify(toObjects(table), null, 2)}\n`;
  if (format === 'csv') {
    const header = table.columns.map((column) => csvCell(column.name)).join(',');
    const lines = table.rows.map((row) => row.map((value) => csvCell(plainValue(value))).join(','));
    return `${[header, ...lines].join('\r\n')}\r\n`;
  }
  const cells = table.rows.map((row) =>
    row.map((value) => {
      const plain = plainValue(value);
      return plain === null ? '' : String(plain);
    }),
  );
  const widths = table.columns.map((column, index) =>
    Math.min(60, Math.max(column.name.length, ...cells.map((row) => row[index]!.length))),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) => value.slice(0, 60).padEnd(widths[index]!))
      .join('  ')
      .trimEnd();
  const out = [line(table.columns.map((column) => column.name)), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)];
  out.push(`(${table.rows.length} row${table.rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}
