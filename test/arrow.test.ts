import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import { type Table as ArrowTable, tableFromIPC } from 'apache-arrow';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { beforeAll, describe, expect, it } from 'vitest';
import { type WriteLandingResult, writeLanding } from '../jobs/generate/write-landing.ts';
import { runNightly } from '../jobs/nightly.ts';
import { tableToArrowStream } from '../jobs/query/arrow.ts';
import { formatTable } from '../jobs/query/format.ts';
import { printReport, queryReport } from '../jobs/query/report.ts';
import { tempDir } from './helpers.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PROJECT_ROOT, 'bin', 'ocpp-report.mjs');

interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs the real CLI as a child process and keeps stdout as bytes (Arrow is binary). */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: PROJECT_ROOT, timeout: 90_000, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer', env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          fail(error);
          return;
        }
        done({ code: error ? (error.code as number) : 0, stdout, stderr: stderr.toString('utf8') });
      },
    );
  });
}

/** ISO-8601 UTC with microseconds, worked out here rather than borrowed from the code under test. */
function isoFromMicros(micros: bigint): string {
  const fraction = micros % 1_000_000n;
  return `${new Date(Number(micros / 1000n)).toISOString().slice(0, 19)}.${fraction.toString().padStart(6, '0')}Z`;
}

/** The types an analyst's pyarrow sees for `query transactions`: typed, timestamps as UTC microseconds. */
const TRANSACTION_ARROW_TYPES: [string, string][] = [
  ['charge_point_id', 'Utf8'],
  ['transaction_id', 'Int64'],
  ['connector_id', 'Int32'],
  ['id_tag', 'Utf8'],
  ['started_at', 'Timestamp<MICROSECOND, UTC>'],
  ['stopped_at', 'Timestamp<MICROSECOND, UTC>'],
  ['duration_s', 'Int64'],
  ['meter_start_wh', 'Int64'],
  ['meter_stop_wh', 'Int64'],
  ['energy_wh', 'Int64'],
  ['energy_kwh', 'Float64'],
  ['stop_reason', 'Utf8'],
  ['last_register_wh', 'Float64'],
  ['month', 'Utf8'],
];

/** Every Arrow row as the JSON output spells it: Int64 as numbers, timestamps as ISO text from the raw microseconds. */
function arrowAsJson(table: ArrowTable): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let index = 0; index < table.numRows; index++) {
    const row: Record<string, unknown> = {};
    for (const field of table.schema.fields) {
      const vector = table.getChild(field.name)!;
      if (!vector.isValid(index)) {
        row[field.name] = null;
      } else if (String(field.type).startsWith('Timestamp')) {
        // read the stored int64 microseconds, not the millisecond number the accessor returns
        const values = vector.data.flatMap((chunk) => Array.from(chunk.values as BigInt64Array));
        row[field.name] = isoFromMicros(values[index]!);
      } else {
        const value = vector.get(index);
        row[field.name] = typeof value === 'bigint' ? Number(value) : value;
      }
    }
    rows.push(row);
  }
  return rows;
}

const utcDay = (us: number) => new Date(Math.floor(us / 1000)).toISOString().slice(0, 10);

describe('Arrow and Parquet output of the query commands', () => {
  let dir: string;
  let warehouse: string;
  let generated: WriteLandingResult;
  let parquetOutput: string;
  // `query transactions --month 2024-01` as Arrow, JSON and Parquet, each from its own CLI process
  let arrow: CliResult;
  let json: CliResult;
  let parquet: CliResult;

  beforeAll(async () => {
    dir = tempDir('ocpp-arrow-');
    const landing = join(dir, 'landing');
    warehouse = join(dir, 'warehouse.duckdb');
    parquetOutput = join(dir, 'transactions-2024-01.parquet');
    generated = await writeLanding({ out: landing, chargePoints: 3, days: 4, start: '2024-01-30', seed: 11, dialect: 'envelope' });
    await runNightly({ landing, warehouse, out: join(dir, 'reports'), months: [], timezone: 'UTC' });
    const query = ['query', 'transactions', '--month', '2024-01', '--warehouse', warehouse];
    [arrow, json, parquet] = await Promise.all([
      cli([...query, '--format', 'arrow'], { TZ: 'America/New_York' }),
      cli([...query, '--format', 'json'], { TZ: 'Asia/Tokyo' }),
      cli([...query, '--format', 'parquet', '--output', parquetOutput]),
    ]);
  });

  it('query transactions --format arrow is a typed Arrow IPC stream holding the JSON output, in any process time zone', async () => {
    expect(arrow.stderr).toBe('');
    expect(arrow.code).toBe(0);
    expect(json.code).toBe(0);

    const table = tableFromIPC(arrow.stdout);
    expect(table.schema.fields.map((field) => [field.name, String(field.type)])).toEqual(TRANSACTION_ARROW_TYPES);
    const expected = JSON.parse(json.stdout.toString('utf8')) as Record<string, unknown>[];
    expect(table.numRows).toBe(expected.length);
    expect(arrowAsJson(table)).toEqual(expected);

    // The figures an analyst gets from the stream are the generator's: billed energy per charge point per day.
    const truth = new Map<string, number>();
    for (const t of generated.truth.filter((t) => t.stoppedAtUs !== null && utcDay(t.stoppedAtUs).startsWith('2024-01'))) {
      const key = `${t.chargePointId}|${utcDay(t.stoppedAtUs!)}`;
      truth.set(key, (truth.get(key) ?? 0) + (t.meterStopWh! - t.meterStartWh));
    }
    const fromArrow = new Map<string, number>();
    for (const row of arrowAsJson(table)) {
      const key = `${row.charge_point_id}|${String(row.stopped_at).slice(0, 10)}`;
      fromArrow.set(key, (fromArrow.get(key) ?? 0) + (row.energy_wh as number));
    }
    expect(fromArrow.size).toBeGreaterThan(0);
    expect(fromArrow).toEqual(truth);
  });

  it('--format parquet --output writes the query result with UTC timestamps, read back by hyparquet', async () => {
    expect(parquet.stderr).toBe('');
    expect(parquet.code).toBe(0);
    await expect(printReport(warehouse, 'monthly_transactions', { month: '2024-01' }, 'parquet')).rejects.toThrow(/--output/);

    const file = await asyncBufferFromFile(parquetOutput);
    const metadata = await parquetMetadataAsync(file);
    const started = metadata.schema.find((element) => element.name === 'started_at')!;
    expect(started.logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
    const rows = (await parquetReadObjects({
      file,
      compressors,
      parsers: { timestampFromMicroseconds: (micros: bigint) => micros } as never,
    })) as Record<string, unknown>[];
    const asJson = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([name, value]) => [
          name,
          typeof value === 'bigint' ? (name.endsWith('_at') ? isoFromMicros(value) : Number(value)) : (value ?? null),
        ]),
      ),
    );
    expect(asJson).toEqual(JSON.parse(json.stdout.toString('utf8')));
  });

  it.each([
    [
      'active_charge_points',
      { as_of: new DuckDBTimestampTZValue(BigInt(Date.parse('2024-02-01T12:00:00Z')) * 1000n), offline_after_s: null },
    ],
    ['last_seen', { charge_point_id: null }],
    ['transaction_dispense', { charge_point_id: 'CP-0001', transaction_id: 1n }],
  ] as const)('the %s query streams as Arrow with typed timestamps and the JSON values', async (report, params) => {
    const table = await queryReport(warehouse, report, { ...params });
    const arrow = tableFromIPC(tableToArrowStream(table));
    const expected = JSON.parse(formatTable(table, 'json')) as Record<string, unknown>[];
    expect(expected.length).toBeGreaterThan(0);
    expect(arrowAsJson(arrow)).toEqual(expected);
    for (const field of arrow.schema.fields.filter((field) => field.name.endsWith('_at'))) {
      expect(String(field.type), field.name).toBe('Timestamp<MICROSECOND, UTC>');
    }
  });
});
