import type { DuckDBValue } from '@duckdb/node-api';
import type { Db, Params } from '../../db.ts';

export interface StreamedRows {
  columns: string[];
  /** Rows a DuckDB chunk at a time (about 2,048): a month of any size is never held whole. */
  chunks: AsyncIterable<DuckDBValue[][]>;
}

export async function streamRows(db: Db, sql: string, params: Params): Promise<StreamedRows> {
  const result = await db.stream(sql, params);
  return { columns: result.columnNames(), chunks: result.yieldRows() };
}

/** Reads a column of a row by name; built once per query so a row costs an index lookup per cell. */
export function columnReader(columns: string[]): (row: DuckDBValue[]) => (source: string) => DuckDBValue {
  const index = new Map(columns.map((name, position) => [name, position]));
  return (row) => (source) => {
    const position = index.get(source);
    if (position === undefined) throw new Error(`query has no column ${source}`);
    return row[position] ?? null;
  };
}
