import { DuckDBDateValue, DuckDBDecimalValue, DuckDBTimestampTZValue, DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import {
  Table as ArrowTable,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { plainValue, type Table } from './table.ts';

type ColumnKind = 'timestamptz' | 'timestamp' | 'int64' | 'int32' | 'float64' | 'bool' | 'date' | 'text';

/** DuckDB's type name → how the column travels in Arrow. Anything unusual travels as text. */
function columnKind(duckdbType: string): ColumnKind {
  if (duckdbType === 'TIMESTAMP WITH TIME ZONE') return 'timestamptz';
  if (duckdbType === 'TIMESTAMP') return 'timestamp';
  if (duckdbType === 'BIGINT') return 'int64';
  if (['INTEGER', 'SMALLINT', 'TINYINT', 'USMALLINT', 'UTINYINT'].includes(duckdbType)) return 'int32';
  if (duckdbType === 'DOUBLE' || duckdbType === 'FLOAT' || duckdbType.startsWith('DECIMAL')) return 'float64';
  if (duckdbType === 'BOOLEAN') return 'bool';
  if (duckdbType === 'DATE') return 'date';
  return 'text';
}

function arrowType(kind: ColumnKind): DataType {
  switch (kind) {
    case 'timestamptz':
      return new TimestampMicrosecond('UTC');
    case 'timestamp':
      return new TimestampMicrosecond();
    case 'int64':
      return new Int64();
    case 'int32':
      return new Int32();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'date':
      return new DateDay();
    case 'text':
      return new Utf8();
  }
}

function validityBitmap(values: readonly DuckDBValue[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, index) => {
    if (value === null || value === undefined) nullCount += 1;
    else nullBitmap[index >> 3]! |= 1 << (index & 7);
  });
  return { nullBitmap, nullCount };
}

/** 64-bit columns are filled directly: apache-arrow's builders take timestamps in milliseconds and would drop the microseconds. */
function int64Data(kind: 'timestamptz' | 'timestamp' | 'int64', values: readonly DuckDBValue[]): Data {
  const data = new BigInt64Array(values.length);
  values.forEach((value, index) => {
    if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) data[index] = value.micros;
    else if (typeof value === 'bigint') data[index] = value;
    else if (typeof value === 'number') data[index] = BigInt(value);
  });
  const common = { length: values.length, data, ...validityBitmap(values) };
  if (kind === 'int64') return makeData({ type: new Int64(), ...common });
  return makeData({ type: arrowType(kind) as TimestampMicrosecond, ...common });
}

function columnData(kind: ColumnKind, values: readonly DuckDBValue[]): Data {
  if (kind === 'timestamptz' || kind === 'timestamp' || kind === 'int64') return int64Data(kind, values);
  const converted = values.map((value) => {
    if (value === null || value === undefined) return null;
    switch (kind) {
      case 'date':
        // DateDay takes a JS date (epoch milliseconds at UTC midnight)
        return value instanceof DuckDBDateValue ? new Date(value.days * 86_400_000) : null;
      case 'float64':
        return value instanceof DuckDBDecimalValue ? value.toDouble() : Number(value);
      case 'int32':
        return Number(value);
      case 'bool':
        return Boolean(value);
      default: {
        const plain = plainValue(value);
        return plain === null ? null : String(plain);
      }
    }
  });
  const vector = vectorFromArray(converted as unknown[], arrowType(kind));
  return vector.data[0]!;
}

/** A query result as an Arrow IPC stream: typed columns, timestamps as UTC microseconds, never as text. */
export function tableToArrowStream(table: Table): Uint8Array {
  const kinds = table.columns.map((column) => columnKind(column.type));
  const fields = table.columns.map((column, index) => new Field(column.name, arrowType(kinds[index]!), true));
  const schema = new Schema(fields);
  const children = kinds.map((kind, index) =>
    columnData(
      kind,
      table.rows.map((row) => row[index]!),
    ),
  );
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: table.rows.length, nullCount: 0, children }));
  return tableToIPC(new ArrowTable(schema, [batch]), 'stream');
}
