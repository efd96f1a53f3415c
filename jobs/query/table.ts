import { DuckDBDecimalValue, DuckDBTimestampTZValue, DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import type { Db, Params } from '../db.ts';

/** A query result with its column types, so every output format can keep timestamps and numbers typed. */
export interface Table {
  columns: { name: string; type: string }[];
  rows: DuckDBValue[][];
}

export async function readTable(db: Db, sql: string, params?: Params): Promise<Table> {
  const reader = await db.runAndReadAll(sql, params);
  const names = reader.columnNames();
  const types = reader.columnTypes();
  return { columns: names.map((name, index) => ({ name, type: types[index]!.toString() })), rows: reader.getRows() };
}

/** ISO-8601 in UTC with microseconds: the only timestamp text our outputs write. */
export function isoMicros(micros: bigint): string {
  const ms = micros / 1000n;
  const fraction = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  return `${base}.${fraction.toString().padStart(6, '0')}Z`;
}

/** A JSON-safe plain value: numbers stay numbers, timestamps become ISO-8601 UTC strings. */
export function plainValue(value: DuckDBValue): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) return isoMicros(value.micros);
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  return String(value);
}

export function toObjects(table: Table): Record<string, string | number | boolean | null>[] {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((column, index) => [column.name, plainValue(row[index]!)])));
}
