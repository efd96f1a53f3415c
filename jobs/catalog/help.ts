import type { ColumnDoc } from './columns.ts';

/** The catalog entries of the named columns, in that order; a name without an entry is a bug. */
export function pickColumns(columns: ColumnDoc[], names: readonly string[]): ColumnDoc[] {
  return names.map((name) => {
    const doc = columns.find((column) => column.name === name);
    if (!doc) throw new Error(`no description for column ${name} in jobs/catalog/columns.ts`);
    return doc;
  });
}

/** `--help` text listing output columns with the first sentence of their catalog description. */
export function columnsHelp(columns: ColumnDoc[]): string {
  const width = Math.max(...columns.map((column) => column.name.length));
  const lines = columns.map((column) => `  ${column.name.padEnd(width)}  ${firstSentence(column.description)}`);
  return `\nColumns:\n${lines.join('\n')}\n`;
}

function firstSentence(text: string): string {
  const end = text.search(/(?<!\b(?:e\.g|i\.e))\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}
