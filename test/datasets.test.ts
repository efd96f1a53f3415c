import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBDateValue, DuckDBDecimalValue, DuckDBListValue, DuckDBTimestampTZValue, type DuckDBValue } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ColumnDoc, DATASETS, type DatasetDoc, SCHEMA_VERSION } from '../jobs/catalog/columns.ts';
import { queryJsonRows, type Row, withWarehouse } from '../jobs/db.ts';
import { reexportDatasets } from '../jobs/export/reexport.ts';
import { type WriteLandingResult, writeLanding } from '../jobs/generate/write-landing.ts';
import { type NightlySummary, runNightly } from '../jobs/nightly.ts';
import { envelope, runOn, type TestRun, tempDir } from './helpers.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PROJECT_ROOT, 'bin', 'ocpp-report.mjs');
const MONTHS = ['2024-01', '2024-02'];
const PARTITIONED = DATASETS.filter((dataset) => dataset.partitionedBy).map((dataset) => dataset.name);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: PROJECT_ROOT, timeout: 90_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          fail(error);
          return;
        }
        done({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Reads Parquet with a DuckDB of its own, not the warehouse. */
function duck(sql: string): Promise<Row[]> {
  return withWarehouse(':memory:', (db) => queryJsonRows(db, sql));
}

/** Comparable cells: integers and timestamps (as epoch microseconds) as decimal text, dates as epoch days. */
type Cell = string | number | boolean | null;

function duckCell(value: DuckDBValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof DuckDBTimestampTZValue) return value.micros.toString();
  if (value instanceof DuckDBDateValue) return value.days;
  // decimals as their exact text, lists as JSON of their items
  if (value instanceof DuckDBDecimalValue) return decimalText(value.toString());
  if (value instanceof DuckDBListValue) return JSON.stringify(value.items.map((item) => duckCell(item)));
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new Error(`unexpected DuckDB value ${String(value)}`);
}

/** 197671.000 and 197671 are the same decimal: compared without trailing zeros. */
function decimalText(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function hyparquetCell(value: unknown, type: string): Cell {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return JSON.stringify(value.map((item) => hyparquetCell(item, '')));
  // hyparquet reads a DECIMAL as a number; its shortest text is the decimal's (fewer than 16 digits)
  if (type.startsWith('DECIMAL')) return decimalText(String(value));
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new Error(`unexpected hyparquet value ${String(value)}`);
}

async function duckRows(path: string): Promise<{ names: string[]; types: string[]; rows: Cell[][] }> {
  return withWarehouse(':memory:', async (db) => {
    const reader = await db.runAndReadAll(`select * from read_parquet(${sqlString(path)}, hive_partitioning = false)`);
    return {
      names: reader.columnNames(),
      types: reader.columnTypes().map((type) => type.toString()),
      rows: reader.getRows().map((row) => row.map(duckCell)),
    };
  });
}

/** hyparquet keeps the raw integers: microseconds for timestamps, days for dates. */
const RAW_PARSERS = {
  timestampFromMicroseconds: (micros: bigint) => micros,
  dateFromDays: (days: number) => days,
};

async function hyparquetRows(path: string, names: string[], types: string[]): Promise<Cell[][]> {
  const file = await asyncBufferFromFile(path);
  const objects = (await parquetReadObjects({ file, compressors, parsers: RAW_PARSERS as never })) as Record<string, unknown>[];
  return objects.map((object) => names.map((name, index) => hyparquetCell(object[name], types[index]!)));
}

/** The Parquet physical and logical type each catalog type must be written as, so every engine reads it the same. */
function expectParquetType(element: SchemaElement, column: ColumnDoc): void {
  const where = `${column.name} (${column.type})`;
  switch (column.type) {
    case 'VARCHAR':
      expect([element.type, element.converted_type], where).toEqual(['BYTE_ARRAY', 'UTF8']);
      break;
    case 'BIGINT':
      expect(element.type, where).toBe('INT64');
      expect([undefined, 'INT_64'], where).toContain(element.converted_type);
      break;
    case 'INTEGER':
      expect(element.type, where).toBe('INT32');
      expect([undefined, 'INT_32'], where).toContain(element.converted_type);
      break;
    case 'DOUBLE':
      expect([element.type, element.converted_type], where).toEqual(['DOUBLE', undefined]);
      break;
    case 'DATE':
      expect([element.type, element.converted_type], where).toEqual(['INT32', 'DATE']);
      break;
    case 'TIMESTAMP WITH TIME ZONE':
      expect(element.type, where).toBe('INT64');
      expect(element.logical_type, where).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
      break;
    case 'DECIMAL(18,3)':
      expect([element.type, element.converted_type, element.precision, element.scale], where).toEqual(['INT64', 'DECIMAL', 18, 3]);
      break;
    case 'VARCHAR[]':
      // the standard three-level list of UTF-8 strings
      expect([element.converted_type, element.num_children], where).toEqual(['LIST', 1]);
      break;
    case 'DECIMAL(18,2)':
      // a 64-bit integer of cents with the DECIMAL annotation: Spark, polars, pandas and DuckDB read it exactly
      expect([element.type, element.converted_type, element.precision, element.scale], where).toEqual(['INT64', 'DECIMAL', 18, 2]);
      break;
    default:
      throw new Error(`${where}: no engine-neutral Parquet type decided for this catalog type`);
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Ascending, nulls last; integers (as decimal text) by value, text by code unit as DuckDB sorts ASCII. */
function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'string' && typeof b === 'string' && /^-?\d+$/.test(a) && /^-?\d+$/.test(b)) return BigInt(a) < BigInt(b) ? -1 : 1;
  return a < b ? -1 : 1;
}

function compareKeys(a: Cell[], b: Cell[]): number {
  for (let index = 0; index < a.length; index++) {
    const order = compareCells(a[index]!, b[index]!);
    if (order !== 0) return order;
  }
  return 0;
}

const utcDay = (us: number) => new Date(Math.floor(us / 1000)).toISOString().slice(0, 10);

describe('analyst datasets of generated traffic', () => {
  let dir: string;
  let landing: string;
  let warehouse: string;
  let out: string;
  let generated: WriteLandingResult;
  let summary: NightlySummary;
  const parquet = () => join(out, 'parquet');
  const glob = (dataset: string) => sqlString(join(parquet(), dataset, '**', '*.parquet'));
  const completed = () => generated.truth.filter((t) => t.stoppedAtUs !== null);
  let landingSampledDays: string[];
  const sampledDays = () => landingSampledDays;
  /** The UTC days the landing's MeterValues sample, read from the files themselves. */
  const readSampledDays = () => {
    const days = new Set<string>();
    for (const path of listFiles(landing).filter((file) => file.endsWith('.ndjson'))) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line.includes('"MeterValues"')) continue;
        const frame = JSON.parse(line).frame as [number, string, string, { meterValue: { timestamp: string }[] }];
        if (frame[0] !== 2) continue;
        for (const reading of frame[3].meterValue) days.add(new Date(reading.timestamp).toISOString().slice(0, 10));
      }
    }
    return [...days].sort();
  };
  /** Every Parquet file a dataset should have, relative to its directory. */
  const expectedFiles = (dataset: DatasetDoc) => {
    if (!dataset.partitionedBy) return [`${dataset.name}.parquet`];
    if (dataset.filesPerDay) return sampledDays().map((day) => join(`month=${day.slice(0, 7)}`, `${dataset.name}-${day}.parquet`));
    return MONTHS.map((month) => join(`month=${month}`, `${dataset.name}.parquet`));
  };

  beforeAll(async () => {
    dir = tempDir('ocpp-datasets-');
    landing = join(dir, 'landing');
    out = join(dir, 'reports');
    warehouse = join(dir, 'warehouse.duckdb');
    generated = await writeLanding({ out: landing, chargePoints: 3, days: 4, start: '2024-01-30', seed: 11, dialect: 'envelope' });
    summary = await runNightly({ landing, warehouse, out, months: [], timezone: 'UTC' });
    landingSampledDays = readSampledDays();
  });

  it('writes every dataset with its manifest and _SUCCESS, and the data dictionary', () => {
    expect(summary.months).toEqual(MONTHS);
    for (const dataset of DATASETS) {
      const dir = join(parquet(), dataset.name);
      expect(existsSync(join(dir, '_manifest.json')), dataset.name).toBe(true);
      expect(existsSync(join(dir, '_SUCCESS')), dataset.name).toBe(true);
      const files = listFiles(dir)
        .filter((path) => path.endsWith('.parquet'))
        .map((path) => relative(dir, path));
      expect(files, dataset.name).toEqual(expectedFiles(dataset));
    }
    expect(existsSync(join(parquet(), 'README.md'))).toBe(true);
    // no temporary file is left behind
    expect(listFiles(parquet()).filter((path) => path.endsWith('.tmp'))).toEqual([]);
  });

  it.each(PARTITIONED)('hive discovery finds every month of %s, with the month column last', async (name) => {
    const months = await duck(
      `select month, count(*)::integer as n from read_parquet(${glob(name)}, hive_partitioning = true) group by month order by month`,
    );
    expect(months.map((row) => row.month)).toEqual(MONTHS);
    for (const row of months) expect(row.n as number).toBeGreaterThan(0);
    const described = await duck(`describe select * from read_parquet(${glob(name)}, hive_partitioning = true)`);
    const catalog = DATASETS.find((dataset) => dataset.name === name)!.columns;
    const expected = [...catalog.filter((column) => column.name !== 'month'), catalog.find((column) => column.name === 'month')!];
    expect(described.map((column) => [column.column_name, column.column_type])).toEqual(
      expected.map((column) => [column.name, column.type]),
    );
  });

  it('every file has exactly the catalog columns, with engine-neutral Parquet types, zstd', async () => {
    for (const dataset of DATASETS) {
      const columns = dataset.columns.filter((column) => column.name !== dataset.partitionedBy);
      for (const path of listFiles(join(parquet(), dataset.name)).filter((file) => file.endsWith('.parquet'))) {
        const described = await duck(`describe select * from read_parquet(${sqlString(path)}, hive_partitioning = false)`);
        expect(
          described.map((column) => [column.column_name, column.column_type]),
          path,
        ).toEqual(columns.map((column) => [column.name, column.type]));

        const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
        // top-level columns: a list's inner levels (list, element) follow its own element
        const leaves: SchemaElement[] = [];
        for (let index = 1; index < metadata.schema.length; index += 1) {
          const element = metadata.schema[index]!;
          leaves.push(element);
          if (element.num_children) index += element.num_children === 1 ? 2 : element.num_children;
        }
        expect(
          leaves.map((element) => element.name),
          path,
        ).toEqual(columns.map((column) => column.name));
        leaves.forEach((element, index) => {
          expectParquetType(element, columns[index]!);
        });
        const codecs = new Set(metadata.row_groups.flatMap((group) => group.columns.map((chunk) => chunk.meta_data?.codec)));
        expect([...codecs], path).toEqual(['ZSTD']);
      }
    }
  });

  it('DuckDB and hyparquet read the same rows from every file', async () => {
    let files = 0;
    for (const path of listFiles(parquet()).filter((file) => file.endsWith('.parquet'))) {
      const fromDuckDB = await duckRows(path);
      const fromHyparquet = await hyparquetRows(path, fromDuckDB.names, fromDuckDB.types);
      expect(fromDuckDB.rows.length, path).toBeGreaterThan(0);
      expect(fromHyparquet, path).toEqual(fromDuckDB.rows);
      files += 1;
    }
    expect(files).toBe(DATASETS.reduce((sum, dataset) => sum + expectedFiles(dataset).length, 0));
  });

  it('files are sorted by charge point, then time', async () => {
    for (const dataset of DATASETS) {
      const keys = dataset.sortedBy.slice(0, 2);
      for (const path of listFiles(join(parquet(), dataset.name)).filter((file) => file.endsWith('.parquet'))) {
        const { names, rows } = await duckRows(path);
        const projected = rows.map((row) => keys.map((key) => row[names.indexOf(key)]!));
        expect(projected, path).toEqual([...projected].sort(compareKeys));
      }
    }
  });

  it('the data dictionary lists exactly the columns present in the files', async () => {
    const readme = readFileSync(join(parquet(), 'README.md'), 'utf8');
    const sections = readme.split(/^### /m).slice(1);
    const documented = new Map(
      sections.map((section) => {
        const name = section.slice(0, section.indexOf('\n')).trim();
        const rows = [
          ...section.matchAll(/^\| `([a-z_]+)` \| ([A-Z ]+?(?:\(\d+,\d+\))?(?:\[\])?)(?: \(hive partition, from the path\))? \|/gm),
        ];
        return [name, rows.map((row) => [row[1]!, row[2]!])] as const;
      }),
    );
    expect([...documented.keys()].sort()).toEqual(DATASETS.map((dataset) => dataset.name).sort());
    for (const dataset of DATASETS) {
      const source = dataset.partitionedBy ? glob(dataset.name) : sqlString(join(parquet(), dataset.name, `${dataset.name}.parquet`));
      const described = await duck(
        `describe select * from read_parquet(${source}, hive_partitioning = ${dataset.partitionedBy ? 'true' : 'false'})`,
      );
      const present = described.map((column) => [String(column.column_name), String(column.column_type)]);
      const byName = (a: string[], b: string[]) => a[0]!.localeCompare(b[0]!);
      expect([...documented.get(dataset.name)!].sort(byName), dataset.name).toEqual(present.sort(byName));
    }
  });

  it('each manifest counts what is in its files, with the schema version, columns and run', async () => {
    for (const dataset of DATASETS) {
      const manifest = JSON.parse(readFileSync(join(parquet(), dataset.name, '_manifest.json'), 'utf8'));
      expect(manifest.dataset).toBe(dataset.name);
      expect(manifest.schema_version).toBe(SCHEMA_VERSION);
      expect(manifest.run_id).toBe(summary.runId);
      expect(manifest.columns.map((column: { name: string; type: string }) => [column.name, column.type])).toEqual(
        dataset.columns.map((column) => [column.name, column.type]),
      );
      let total = 0;
      for (const file of manifest.files) {
        const path = sqlString(join(parquet(), dataset.name, file.path));
        const hasEnergy = dataset.columns.some((column) => column.name === 'energy_wh');
        const [counted] = await duck(
          `select count(*)::integer as n${hasEnergy ? ', sum(energy_wh)::bigint::varchar as wh' : ''} from read_parquet(${path}, hive_partitioning = false)`,
        );
        expect(file.rows, file.path).toBe(counted!.n);
        if (hasEnergy) expect(file.energy_wh, file.path).toBe(Number(counted!.wh));
        total += file.rows;
      }
      expect(manifest.rows).toBe(total);
    }
    // Σ energy of the transactions manifest is the billed energy the generator produced.
    const transactions = JSON.parse(readFileSync(join(parquet(), 'transactions', '_manifest.json'), 'utf8'));
    const truthWh = completed().reduce((sum, t) => sum + (t.meterStopWh! - t.meterStartWh), 0);
    expect(transactions.energy_wh).toBe(truthWh);
  });

  it('meter_samples: the last whole-meter register of each transaction is the ground truth, in Wh', async () => {
    const rows = await duck(
      `select charge_point_id, transaction_id::integer as transaction_id, epoch_us(transaction_started_at)::varchar as started_us,
              value_wh::varchar as value_wh, epoch_us(sampled_at)::varchar as sampled_us
       from read_parquet(${glob('meter_samples')}, hive_partitioning = true)
       where measurand = 'Energy.Active.Import.Register' and phase is null
       qualify row_number() over (partition by charge_point_id, transaction_id, transaction_started_at order by sampled_at desc, logged_at desc) = 1`,
    );
    const byTransaction = new Map(rows.map((row) => [`${row.charge_point_id}|${row.transaction_id}|${row.started_us}`, row]));
    const sampled = completed().filter((t) => t.lastRegisterWh !== null);
    expect(sampled.length).toBeGreaterThan(20);
    for (const t of sampled) {
      const row = byTransaction.get(`${t.chargePointId}|${t.transactionId}|${t.startedAtUs}`);
      expect(row, `${t.chargePointId} ${t.transactionId}`).toBeDefined();
      expect(row!.value_wh).toBe(t.lastRegisterWh!.toFixed(3));
      expect(row!.sampled_us).toBe(String(t.lastRegisterSampledAtUs));
    }

    // CP-0002's meter reports kWh: converted to Wh, exactly.
    const units = await duck(
      `select charge_point_id, measurand, unit, reported_unit, count(*)::integer as n,
              count(*) filter (where value_wh::double <> value)::integer as inexact
       from read_parquet(${glob('meter_samples')}, hive_partitioning = true)
       where phase is null
       group by all order by all`,
    );
    const kwh = units.filter((row) => row.reported_unit === 'kWh');
    expect(kwh.map((row) => [row.charge_point_id, row.measurand, row.unit, row.inexact])).toEqual([
      ['CP-0002', 'Energy.Active.Import.Register', 'Wh', 0],
    ]);
    expect(units.filter((row) => row.measurand === 'Power.Active.Import').map((row) => row.unit)).toEqual(['W', 'W', 'W']);
  });

  it('charge_point_days: energy per charge point per day is the ground truth, and adds up to the month', async () => {
    const rows = await duck(
      `select charge_point_id, strftime(day, '%Y-%m-%d') as day, energy_wh::integer as energy_wh, energy_kwh, sessions_stopped::integer as stopped, month
       from read_parquet(${glob('charge_point_days')}, hive_partitioning = true)`,
    );
    const truth = new Map<string, { wh: number; n: number }>();
    for (const t of completed()) {
      const key = `${t.chargePointId}|${utcDay(t.stoppedAtUs!)}`;
      const entry = truth.get(key) ?? { wh: 0, n: 0 };
      entry.wh += t.meterStopWh! - t.meterStartWh;
      entry.n += 1;
      truth.set(key, entry);
    }
    const seen = new Set<string>();
    for (const row of rows) {
      const key = `${row.charge_point_id}|${row.day}`;
      const expected = truth.get(key) ?? { wh: 0, n: 0 };
      expect([row.energy_wh, row.energy_kwh, row.stopped], key).toEqual([expected.wh, expected.wh / 1000, expected.n]);
      expect(row.month).toBe(String(row.day).slice(0, 7));
      seen.add(key);
    }
    for (const key of truth.keys()) expect(seen.has(key), key).toBe(true);
  });

  it('answers "energy per charge point per day last month" with the data dictionary\'s DuckDB query', async () => {
    const readme = readFileSync(join(parquet(), 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Energy per charge point per day, last month'));
    const query = /```sql\n([\s\S]*?)\n```/.exec(section)![1]!;
    // "Today" is in February 2024 for this data: the query's own notion of last month does the rest.
    expect(query.match(/current_date/g)).toHaveLength(1);
    const asked = query.replace('current_date', `date '2024-02-15'`);
    const rows = await withWarehouse(':memory:', async (db) => {
      // the dictionary's paths are relative to the parquet/ directory, as an analyst runs them
      await db.run(`set file_search_path = ${sqlString(parquet())}`);
      return queryJsonRows(db, asked);
    });
    const january = completed().filter((t) => utcDay(t.stoppedAtUs!).startsWith('2024-01'));
    const expected = new Map<string, number>();
    for (const t of january) {
      const key = `${t.chargePointId}|${utcDay(t.stoppedAtUs!)}`;
      expected.set(key, (expected.get(key) ?? 0) + (t.meterStopWh! - t.meterStartWh));
    }
    expect(rows.length).toBeGreaterThan(0);
    const answered = new Map(rows.map((row) => [`${row.charge_point_id}|${String(row.day).slice(0, 10)}`, row.energy_kwh]));
    for (const [key, wh] of expected) expect(answered.get(key), key).toBe(wh / 1000);
    for (const [key, kwh] of answered) {
      expect(key.split('|')[1]!.startsWith('2024-01'), key).toBe(true);
      expect(kwh, key).toBe((expected.get(key) ?? 0) / 1000);
    }
  });

  it('`export` rewrites byte-identical files from the warehouse alone, whatever the process time zone', async () => {
    rmSync(landing, { recursive: true, force: true });
    const outputs: Record<string, string> = {};
    for (const zone of ['America/New_York', 'Asia/Tokyo']) {
      const target = join(dir, `export-${zone.replace('/', '-')}`);
      const result = await cli(['export', '--warehouse', warehouse, '--out', target], { TZ: zone });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      outputs[zone] = target;
    }
    const nightlyFiles = listFiles(parquet()).map((path) => relative(out, path));
    // a manifest and _SUCCESS per dataset, its Parquet files, the data dictionary
    expect(nightlyFiles.length).toBe(DATASETS.length * 2 + DATASETS.reduce((sum, dataset) => sum + expectedFiles(dataset).length, 0) + 1);
    for (const target of Object.values(outputs)) {
      expect(listFiles(join(target, 'parquet')).map((path) => relative(target, path))).toEqual(nightlyFiles);
      for (const file of nightlyFiles) {
        expect(readFileSync(join(target, file)).equals(readFileSync(join(out, file))), file).toBe(true);
      }
    }
  });

  it('re-exporting refuses a time zone the warehouse was not built with', async () => {
    await expect(
      reexportDatasets({ warehouse, out: join(dir, 'export-wrong-zone'), months: [], datasets: [], timezone: 'Asia/Tokyo' }),
    ).rejects.toThrow(/another time zone/);
    expect(existsSync(join(dir, 'export-wrong-zone'))).toBe(false);
  });

  it('re-exporting with datasets and a month writes only those', async () => {
    const target = join(dir, 'export-one');
    await reexportDatasets({ warehouse, out: target, months: ['2024-02'], datasets: ['status_changes'], timezone: 'UTC' });
    expect(listFiles(join(target, 'parquet')).map((path) => relative(join(target, 'parquet'), path))).toEqual([
      'README.md',
      join('status_changes', '_SUCCESS'),
      join('status_changes', '_manifest.json'),
      join('status_changes', 'month=2024-02', 'status_changes.parquet'),
    ]);
  });
});

/*
 * By hand, report time zone Europe/Berlin (UTC+1 in March 2024, so local midnight of 2024-03-10 is
 * 2024-03-09T23:00:00Z). The boot reply hands out a 300 s heartbeat interval: offline after 600 s.
 *
 *   22:50:00.000  BootNotification          22:50:00.500 reply (interval 300)
 *   22:55:00.000  Heartbeat                 22:55:00.100 reply
 *   22:55:30.000  StatusNotification 1 Preparing
 *   22:56:00.000  StartTransaction 1, meterStart 1000, timestamp 22:55:59   22:56:00.200 reply tx 5
 *   22:56:01.000  StatusNotification 1 Charging
 *   -- 13 min 59 s of silence: online until 22:56:01 + 600 s = 23:06:01
 *   23:10:00.000  StopTransaction 5, meterStop 1800, timestamp 23:09:59     23:10:00.200 reply
 *   23:10:01.000  StatusNotification 1 Finishing
 *   23:20:00.000  Heartbeat (9 min 59 s later: still online)                 23:20:00.100 reply
 *   -- the end: online until 23:30:00.100
 *
 * Local 2024-03-09 (until 23:00Z): online 22:50:00 → 23:00:00 = 600 s; 8 messages, 1 heartbeat,
 * 1 boot, 1 session started (23:55:59 local), none stopped.
 * Local 2024-03-10: online 23:00:00 → 23:06:01 (361 s) + 23:10:00 → 23:30:00.1 (1200.1 s) = 1561 s
 * truncated; 5 messages, 1 heartbeat, the session stopped (00:09:59 local) with 800 Wh.
 */
describe('charge point days and status changes worked by hand (Europe/Berlin)', () => {
  let run: TestRun;
  const t = (time: string) => `2024-03-09T${time}Z`;
  const file = (dataset: string) => sqlString(join(run.out, 'parquet', dataset, 'month=2024-03', `${dataset}.parquet`));

  beforeAll(async () => {
    run = await runOn(
      {
        'date=2024-03-09/cp.ndjson': [
          envelope.call('CP-X', t('22:50:00.000'), 'boot', 'BootNotification', {
            chargePointVendor: 'Voltaro',
            chargePointModel: 'VX-22',
            firmwareVersion: '2.1.0',
          }),
          envelope.result('CP-X', t('22:50:00.500'), 'boot', { status: 'Accepted', currentTime: t('22:50:00'), interval: 300 }),
          envelope.call('CP-X', t('22:55:00.000'), 'hb', 'Heartbeat', {}),
          envelope.result('CP-X', t('22:55:00.100'), 'hb', { currentTime: t('22:55:00') }),
          envelope.call('CP-X', t('22:55:30.000'), 'sn1', 'StatusNotification', {
            connectorId: 1,
            errorCode: 'NoError',
            status: 'Preparing',
          }),
          envelope.call('CP-X', t('22:56:00.000'), 'start', 'StartTransaction', {
            connectorId: 1,
            idTag: 'TAG',
            meterStart: 1000,
            timestamp: t('22:55:59'),
          }),
          envelope.result('CP-X', t('22:56:00.200'), 'start', { transactionId: 5, idTagInfo: { status: 'Accepted' } }),
          envelope.call('CP-X', t('22:56:01.000'), 'sn2', 'StatusNotification', {
            connectorId: 1,
            errorCode: 'NoError',
            status: 'Charging',
          }),
          envelope.call('CP-X', t('23:10:00.000'), 'stop', 'StopTransaction', {
            transactionId: 5,
            meterStop: 1800,
            timestamp: t('23:09:59'),
            reason: 'Local',
          }),
          envelope.result('CP-X', t('23:10:00.200'), 'stop', {}),
          envelope.call('CP-X', t('23:10:01.000'), 'sn3', 'StatusNotification', {
            connectorId: 1,
            errorCode: 'NoError',
            status: 'Finishing',
          }),
          envelope.call('CP-X', t('23:20:00.000'), 'hb', 'Heartbeat', {}),
          envelope.result('CP-X', t('23:20:00.100'), 'hb', { currentTime: t('23:20:00') }),
        ],
      },
      { timezone: 'Europe/Berlin' },
    );
  });

  it('splits traffic, sessions, energy and online time at local midnight', async () => {
    const rows = await duck(
      `select strftime(day, '%Y-%m-%d') as day, strftime(first_seen_at, '%H:%M:%S.%f') as first_seen, strftime(last_seen_at, '%H:%M:%S.%f') as last_seen,
              messages::integer as messages, heartbeats::integer as heartbeats, boots::integer as boots,
              sessions_started::integer as started, sessions_stopped::integer as stopped,
              energy_wh::integer as energy_wh, energy_kwh, online_s::integer as online_s, online_minutes
       from read_parquet(${file('charge_point_days')}) order by day`,
    );
    expect(rows).toEqual([
      {
        day: '2024-03-09',
        first_seen: '22:50:00.000000',
        last_seen: '22:56:01.000000',
        messages: 8,
        heartbeats: 1,
        boots: 1,
        started: 1,
        stopped: 0,
        energy_wh: 0,
        energy_kwh: 0,
        online_s: 600,
        online_minutes: 10,
      },
      {
        day: '2024-03-10',
        first_seen: '23:10:00.000000',
        last_seen: '23:20:00.100000',
        messages: 5,
        heartbeats: 1,
        boots: 0,
        started: 0,
        stopped: 1,
        energy_wh: 800,
        energy_kwh: 0.8,
        online_s: 1561,
        online_minutes: 1561 / 60,
      },
    ]);
  });

  it('status_changes carry the previous status and when the next one came', async () => {
    const rows = await duck(
      `select connector_id, status, previous_status, strftime(logged_at, '%H:%M:%S') as logged, strftime(status_until, '%H:%M:%S') as until
       from read_parquet(${file('status_changes')})`,
    );
    expect(rows).toEqual([
      { connector_id: 1, status: 'Preparing', previous_status: null, logged: '22:55:30', until: '22:56:01' },
      { connector_id: 1, status: 'Charging', previous_status: 'Preparing', logged: '22:56:01', until: '23:10:01' },
      { connector_id: 1, status: 'Finishing', previous_status: 'Charging', logged: '23:10:01', until: null },
    ]);
  });

  it('charge_points holds what the latest boot said and when it was last heard from', async () => {
    const rows = await duck(
      `select charge_point_id, vendor, model, firmware_version, heartbeat_interval_s::integer as heartbeat_interval_s,
              strftime(last_seen_at, '%Y-%m-%dT%H:%M:%S.%f') as last_seen, strftime(last_boot_at, '%Y-%m-%dT%H:%M:%S.%f') as last_boot
       from read_parquet(${sqlString(join(run.out, 'parquet', 'charge_points', 'charge_points.parquet'))})`,
    );
    expect(rows).toEqual([
      {
        charge_point_id: 'CP-X',
        vendor: 'Voltaro',
        model: 'VX-22',
        firmware_version: '2.1.0',
        heartbeat_interval_s: 300,
        last_seen: '2024-03-09T23:20:00.100000',
        last_boot: '2024-03-09T22:50:00.000000',
      },
    ]);
  });
});

describe('schema version', () => {
  it('the catalog matches the committed snapshot of the current SCHEMA_VERSION (bump it when columns change)', () => {
    const path = join(PROJECT_ROOT, 'test', 'fixtures', `schema-v${SCHEMA_VERSION}.json`);
    expect(existsSync(path), `write ${relative(PROJECT_ROOT, path)} for schema version ${SCHEMA_VERSION}`).toBe(true);
    const current = {
      schema_version: SCHEMA_VERSION,
      datasets: DATASETS.map((dataset) => ({
        name: dataset.name,
        partitioned_by: dataset.partitionedBy ?? null,
        columns: dataset.columns.map((column) => ({ name: column.name, type: column.type })),
      })),
    };
    expect(current).toEqual(JSON.parse(readFileSync(path, 'utf8')));
  });

  it('CHANGELOG.md has an entry for the current schema version', () => {
    expect(readFileSync(join(PROJECT_ROOT, 'CHANGELOG.md'), 'utf8')).toContain(`### Schema version ${SCHEMA_VERSION}`);
  });
});
