import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CliError, EXIT } from '../errors.ts';
import { CsvSyntaxError, parseCsv } from './csv.ts';

/**
 * The finance reference files (`--tariffs`, `--customers`): read and validated completely before
 * the run changes anything, so a bad row stops the run with a usage error naming the file, line
 * and column, and nothing is written.
 */

const text = (what: string) => z.string().trim().min(1, `${what} is empty`).max(200, `${what} is longer than 200 characters`);

const date = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'not a date YYYY-MM-DD')
  .refine((value) => {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
  }, 'not a calendar date');

/** Prices are decimals written with a point, never parsed as binary floating point: DuckDB casts the text. */
const price = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,6})?$/, 'not a price: a number ≥ 0 with a decimal point and at most 6 decimals (e.g. 0.35)');

const vatPercent = z
  .string()
  .trim()
  .regex(/^\d{1,3}(\.\d{1,4})?$/, 'not a VAT rate: a percentage with at most 4 decimals (e.g. 19 or 7.7)')
  .refine((value) => Number(value) <= 100, 'a VAT rate above 100 %');

export const TARIFF_COLUMNS = {
  tariff_id: text('tariff_id'),
  valid_from: date,
  charge_point: text('charge_point'),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Z]{3}$/, 'not an ISO 4217 currency code (three capital letters, e.g. EUR)'),
  price_per_kwh: price,
  price_per_hour: price,
  price_per_session: price,
  vat_percent: vatPercent,
} as const;

export const CUSTOMER_COLUMNS = {
  id_tag: text('id_tag'),
  customer_id: text('customer_id'),
  customer_name: text('customer_name'),
} as const;

export type Tariff = { [K in keyof typeof TARIFF_COLUMNS]: string } & { line: number };
export type Customer = { [K in keyof typeof CUSTOMER_COLUMNS]: string } & { line: number };

export interface ReferenceFile<T> {
  path: string;
  rows: T[];
  /** SHA-256 of the rows as validated (not of the bytes): reformatting the file changes nothing. */
  sha256: string;
}

export interface ReferenceData {
  tariffs?: ReferenceFile<Tariff>;
  customers?: ReferenceFile<Customer>;
}

function usage(path: string, message: string): CliError {
  return new CliError(`${path}: ${message}`, EXIT.usage);
}

function readTable<S extends Record<string, z.ZodType<string>>>(
  path: string,
  schemaColumns: S,
): ({ [K in keyof S]: string } & { line: number })[] {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, EXIT.usage);
  }
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(content);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw usage(path, `line ${error.line}: ${error.message}`);
    throw error;
  }
  const expected = Object.keys(schemaColumns);
  const [header, ...body] = records;
  if (!header) throw usage(path, `no header line; expected ${expected.join(',')}`);
  const names = header.fields.map((name) => name.trim());
  const missing = expected.filter((name) => !names.includes(name));
  const unknown = names.filter((name) => !expected.includes(name));
  if (missing.length > 0 || unknown.length > 0 || new Set(names).size !== names.length) {
    throw usage(
      path,
      `line ${header.line}: the header must name the columns ${expected.join(',')}` +
        (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
        (unknown.length > 0 ? `; unknown ${unknown.join(', ')}` : '') +
        (new Set(names).size !== names.length ? '; a column is named twice' : ''),
    );
  }
  return body.map((record) => {
    if (record.fields.length !== names.length) {
      throw usage(path, `line ${record.line}: ${record.fields.length} fields, the header has ${names.length}`);
    }
    const row: Record<string, string | number> = { line: record.line };
    for (const name of expected) {
      const column = names.indexOf(name);
      const value = record.fields[column]!;
      const parsed = schemaColumns[name]!.safeParse(value);
      if (!parsed.success) {
        throw usage(
          path,
          `line ${record.line}, column ${column + 1} (${name}): ${parsed.error.issues[0]!.message}, got ${JSON.stringify(value)}`,
        );
      }
      row[name] = parsed.data;
    }
    return row as { [K in keyof S]: string } & { line: number };
  });
}

function fingerprint(kind: string, rows: Record<string, unknown>[], columns: string[]): string {
  const hash = createHash('sha256').update(`${kind}\n`);
  // canonical: the validated values in column order, rows sorted, so row order and formatting do not count
  const lines = rows.map((row) => JSON.stringify(columns.map((column) => canonical(String(row[column]))))).sort();
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex');
}

/** 0.350 and 0.35 are the same price. */
function canonical(value: string): string {
  return /^\d+\.\d+$/.test(value) ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

function duplicates<T extends { line: number }>(path: string, rows: T[], key: (row: T) => string, what: string): void {
  const seen = new Map<string, number>();
  for (const row of rows) {
    const earlier = seen.get(key(row));
    if (earlier !== undefined) throw usage(path, `line ${row.line}: ${what} ${key(row)} is already given on line ${earlier}`);
    seen.set(key(row), row.line);
  }
}

export function readTariffs(path: string): ReferenceFile<Tariff> {
  const rows = readTable(path, TARIFF_COLUMNS);
  // two tariffs for the same charge point from the same day: which one is in force would be a guess
  duplicates(path, rows, (row) => `${row.charge_point} from ${row.valid_from}`, 'a tariff for charge point');
  return { path, rows, sha256: fingerprint('tariffs', rows, Object.keys(TARIFF_COLUMNS)) };
}

export function readCustomers(path: string): ReferenceFile<Customer> {
  const rows = readTable(path, CUSTOMER_COLUMNS);
  duplicates(path, rows, (row) => row.id_tag, 'idTag');
  return { path, rows, sha256: fingerprint('customers', rows, Object.keys(CUSTOMER_COLUMNS)) };
}

/** Both files, read and validated; throws a usage error (exit 2) before anything is written. */
export function readReferenceData(options: { tariffs?: string; customers?: string }): ReferenceData {
  return {
    ...(options.tariffs !== undefined ? { tariffs: readTariffs(options.tariffs) } : {}),
    ...(options.customers !== undefined ? { customers: readCustomers(options.customers) } : {}),
  };
}
