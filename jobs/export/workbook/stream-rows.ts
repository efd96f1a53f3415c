import type { DuckDBValue } from '@duckdb/node-api';
import { type Db, type Params, queryRows } from '../../db.ts';

/** Rows DuckDB sorts at once for a batched sheet: sorting a whole 1 M-row month holds ~250 MiB. */
export const BATCH_ROWS = 100_000;

export interface RowChunk {
  columns: string[];
  /** About 2,048 rows: a month of any size is never held whole in JavaScript. */
  rows: DuckDBValue[][];
}

/**
 * The query without its final `order by` line. An aggregate over a sheet needs no order, but
 * DuckDB still sorts a subquery that has one: for a 1 M-row month that is ~250 MiB for nothing.
 */
export function unordered(sql: string): string {
  const at = sql.lastIndexOf('\norder by ');
  if (at < 0 || /\n(select|from|where|group by)\b/.test(sql.slice(at + 1))) return sql;
  return sql.slice(0, at + 1);
}

interface Range {
  from: string | null;
  to: string | null;
}

/**
 * Consecutive ranges of the query's first sort column, each of at most BATCH_ROWS rows (or one
 * key's rows, however many). Reading range by range gives the same rows in the same order as the
 * whole query, while DuckDB sorts only one range at a time.
 */
async function ranges(
  db: Db,
  sql: string,
  params: Record<string, DuckDBValue>,
  batchedBy: string | undefined,
  batchRows: number,
): Promise<Range[]> {
  if (!batchedBy) return [{ from: null, to: null }];
  // the identifier is the sheet's own column name, never input
  const counts = await queryRows(db, `select "${batchedBy}" as key, count(*) as n from (\n${unordered(sql)}\n) group by all order by key`, {
    ...params,
    batch_from: null,
    batch_to: null,
  });
  const starts: string[] = [];
  let size = Number.POSITIVE_INFINITY;
  for (const { key, n } of counts) {
    if (size + Number(n) > batchRows) {
      starts.push(String(key));
      size = 0;
    }
    size += Number(n);
  }
  if (starts.length <= 1) return [{ from: null, to: null }];
  return starts.map((from, index) => ({ from: index === 0 ? null : from, to: starts[index + 1] ?? null }));
}

/**
 * Streams a sheet's query a DuckDB chunk at a time. A query `batchedBy` a column takes
 * $batch_from (inclusive) and $batch_to (exclusive) bounds on it, null meaning unbounded.
 */
export async function* streamSheetRows(
  db: Db,
  sql: string,
  params: Record<string, DuckDBValue>,
  batchedBy?: string,
  batchRows = BATCH_ROWS,
): AsyncGenerator<RowChunk> {
  for (const range of await ranges(db, sql, params, batchedBy, batchRows)) {
    const bounds = batchedBy ? { batch_from: range.from, batch_to: range.to } : {};
    const result = await db.stream(sql, { ...params, ...bounds } as Params);
    const columns = result.columnNames();
    for await (const rows of result.yieldRows()) yield { columns, rows };
  }
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
