import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryJsonRows, type Row, withWarehouse } from '../jobs/db.ts';
import type { TruthTransaction } from '../jobs/generate/simulate.ts';
import { type WriteLandingResult, writeLanding } from '../jobs/generate/write-landing.ts';
import { type NightlySummary, runNightly } from '../jobs/nightly.ts';
import { envelope, runOn, type TestRun, tempDir } from './helpers.ts';

/** Every column the Parquet export carries, in order, with its type (month comes from the hive path). */
const PARQUET_COLUMNS: [string, string][] = [
  ['charge_point_id', 'VARCHAR'],
  ['transaction_id', 'BIGINT'],
  ['connector_id', 'INTEGER'],
  ['id_tag', 'VARCHAR'],
  ['started_at', 'TIMESTAMP WITH TIME ZONE'],
  ['stopped_at', 'TIMESTAMP WITH TIME ZONE'],
  ['duration_s', 'BIGINT'],
  ['meter_start_wh', 'BIGINT'],
  ['meter_stop_wh', 'BIGINT'],
  ['energy_wh', 'BIGINT'],
  ['energy_kwh', 'DOUBLE'],
  ['stop_reason', 'VARCHAR'],
  ['last_register_wh', 'DECIMAL(18,3)'],
  ['last_register_sampled_at', 'TIMESTAMP WITH TIME ZONE'],
  ['transaction_status', 'VARCHAR'],
  ['flags', 'VARCHAR[]'],
  ['customer_id', 'VARCHAR'],
  ['customer_name', 'VARCHAR'],
  ['tariff_id', 'VARCHAR'],
  ['currency', 'VARCHAR'],
  ['amount_excl_vat', 'DECIMAL(18,2)'],
  ['vat_amount', 'DECIMAL(18,2)'],
  ['amount_incl_vat', 'DECIMAL(18,2)'],
];

const WORKBOOK_HEADERS = [
  'Charge point',
  'Transaction',
  'Connector',
  'Customer (idTag)',
  'Started (UTC)',
  'Stopped (UTC)',
  'Charge time',
  'Charge time (s)',
  'Meter start (Wh)',
  'Meter stop (Wh)',
  'Energy (Wh)',
  'Energy (kWh)',
  'Stop reason',
  'Last register (Wh)',
  'Last register sampled (UTC)',
  'Status',
  'Review flags',
];

/** The same projection on both sides: timestamps as epoch microseconds, so equal means the same instant. */
const COMPARABLE = `
  charge_point_id, transaction_id::varchar as transaction_id, connector_id, id_tag,
  epoch_us(started_at)::varchar as started_us, epoch_us(stopped_at)::varchar as stopped_us,
  duration_s::varchar as duration_s, meter_start_wh::varchar as meter_start_wh, meter_stop_wh::varchar as meter_stop_wh,
  energy_wh::varchar as energy_wh, energy_kwh, stop_reason, last_register_wh::varchar as last_register_wh,
  epoch_us(last_register_sampled_at)::varchar as last_register_sampled_us, transaction_status`;

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Reads Parquet with a DuckDB of its own, not the warehouse. */
function readParquet(sql: string): Promise<Row[]> {
  return withWarehouse(':memory:', (db) => queryJsonRows(db, sql));
}

const monthOfUs = (us: number) => new Date(Math.floor(us / 1000)).toISOString().slice(0, 7);

function columnIndex(sheet: ExcelJS.Worksheet, header: string): number {
  const headers = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1);
  const index = headers.indexOf(header);
  if (index < 0) throw new Error(`no column ${header}`);
  return index + 1;
}

/** The rows between the header and the totals row (a blank row apart from the data). */
function dataRows(sheet: ExcelJS.Worksheet): ExcelJS.Row[] {
  const rows: ExcelJS.Row[] = [];
  sheet.eachRow((row, rowNumber) => {
    if (rowNumber > 1 && row.getCell(1).value !== 'Total (visible rows)') rows.push(row);
  });
  return rows;
}

function summaryValue(workbook: ExcelJS.Workbook, figure: string): ExcelJS.CellValue {
  const sheet = workbook.getWorksheet('Summary')!;
  let found: ExcelJS.CellValue | undefined;
  sheet.eachRow((row) => {
    if (row.getCell(1).value === figure) found = row.getCell(2).value;
  });
  if (found === undefined) throw new Error(`no summary figure ${figure}`);
  return found;
}

async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

describe('monthly exports of generated traffic', () => {
  let dir: string;
  let out: string;
  let warehouse: string;
  let generated: WriteLandingResult;
  let summary: NightlySummary;
  const parquetGlob = () => join(out, 'parquet', 'transactions', '**', '*.parquet');
  const warehouseRows = (sql: string) => withWarehouse(warehouse, (db) => queryJsonRows(db, sql), { readOnly: true });
  const completedTruth = (month: string): TruthTransaction[] =>
    generated.truth
      .filter((transaction) => transaction.stoppedAtUs !== null && monthOfUs(transaction.stoppedAtUs) === month)
      .sort(
        (a, b) => a.chargePointId.localeCompare(b.chargePointId) || a.stoppedAtUs! - b.stoppedAtUs! || a.transactionId - b.transactionId,
      );

  beforeAll(async () => {
    dir = tempDir('ocpp-exports-');
    const landing = join(dir, 'landing');
    out = join(dir, 'reports');
    warehouse = join(dir, 'warehouse.duckdb');
    generated = await writeLanding({ out: landing, chargePoints: 3, days: 4, start: '2024-01-30', seed: 11, dialect: 'envelope' });
    summary = await runNightly({ landing, warehouse, out, months: [], timezone: 'UTC' });
  });

  it('exports both months the four days touch', async () => {
    // 2024-01-30 .. 2024-02-02: stops fall in January and in February.
    const truthMonths = [...new Set(generated.truth.filter((t) => t.stoppedAtUs !== null).map((t) => monthOfUs(t.stoppedAtUs!)))].sort();
    expect(truthMonths).toEqual(['2024-01', '2024-02']);
    expect(summary.months).toEqual(['2024-01', '2024-02']);
    for (const month of truthMonths) {
      expect(existsSync(join(out, 'parquet', 'transactions', `month=${month}`, 'transactions.parquet'))).toBe(true);
      expect(existsSync(join(out, 'excel', `ocpp-report-${month}.xlsx`))).toBe(true);
    }
    // _manifest.json and _SUCCESS sit beside the partitions; engines skip names starting with '_'.
    const partitions = readdirSync(join(out, 'parquet', 'transactions')).filter((name) => !name.startsWith('_'));
    expect(partitions.sort()).toEqual(['month=2024-01', 'month=2024-02']);
  });

  it('hive discovery finds every month, with the exported columns and types', async () => {
    const glob = sqlString(parquetGlob());
    const months = await readParquet(
      `select month, count(*)::integer as n from read_parquet(${glob}, hive_partitioning = true) group by month order by month`,
    );
    expect(months.map((row) => row.month)).toEqual(['2024-01', '2024-02']);
    const counts = Object.fromEntries(months.map((row) => [row.month, row.n]));
    expect(counts['2024-01']).toBe(completedTruth('2024-01').length);
    expect(counts['2024-02']).toBe(completedTruth('2024-02').length);

    const described = await readParquet(`describe select * from read_parquet(${glob}, hive_partitioning = true)`);
    expect(described.map((column) => [column.column_name, column.column_type])).toEqual([...PARQUET_COLUMNS, ['month', 'VARCHAR']]);

    // The files themselves carry no month column: it lives in the partition path only.
    const fileOnly = await readParquet(`describe select * from read_parquet(${glob}, hive_partitioning = false)`);
    expect(fileOnly.map((column) => [column.column_name, column.column_type])).toEqual(PARQUET_COLUMNS);

    const schema = await readParquet(
      `select name, type, logical_type from parquet_schema(${glob}) where name in ('started_at', 'stopped_at', 'last_register_sampled_at')`,
    );
    expect(schema.length).toBe(6); // three timestamp columns in each of two files
    for (const column of schema) {
      expect(column.type).toBe('INT64');
      expect(String(column.logical_type)).toContain('isAdjustedToUTC=1');
    }
  });

  it('each Parquet file is zstd compressed', async () => {
    for (const month of ['2024-01', '2024-02']) {
      const path = sqlString(join(out, 'parquet', 'transactions', `month=${month}`, 'transactions.parquet'));
      const codecs = await readParquet(`select distinct compression from parquet_metadata(${path})`);
      expect(codecs).toEqual([{ compression: 'ZSTD' }]);
    }
  });

  it.each(['2024-01', '2024-02'])('Parquet for %s holds exactly the warehouse rows of that month', async (month) => {
    const glob = sqlString(parquetGlob());
    const fromParquet = await readParquet(
      `select ${COMPARABLE}, month from read_parquet(${glob}, hive_partitioning = true)
       where month = ${sqlString(month)} order by charge_point_id, stopped_us::bigint, transaction_id::bigint`,
    );
    const fromWarehouse = await warehouseRows(
      `select ${COMPARABLE}, month from fct_transactions
       where month = ${sqlString(month)} order by charge_point_id, stopped_us::bigint, transaction_id::bigint`,
    );
    expect(fromParquet.length).toBeGreaterThan(0);
    expect(fromParquet).toEqual(fromWarehouse);
  });

  it.each(['2024-01', '2024-02'])('Parquet for %s matches the generator ground truth', async (month) => {
    const path = sqlString(join(out, 'parquet', 'transactions', `month=${month}`, 'transactions.parquet'));
    const rows = await readParquet(
      `select ${COMPARABLE} from read_parquet(${path}) order by charge_point_id, stopped_us::bigint, transaction_id::bigint`,
    );
    const expected = completedTruth(month).map((t) => ({
      charge_point_id: t.chargePointId,
      transaction_id: String(t.transactionId),
      connector_id: t.connectorId,
      id_tag: t.idTag,
      started_us: String(t.startedAtUs),
      stopped_us: String(t.stoppedAtUs),
      duration_s: String(Math.trunc((t.stoppedAtUs! - t.startedAtUs) / 1_000_000)),
      meter_start_wh: String(t.meterStartWh),
      meter_stop_wh: String(t.meterStopWh),
      energy_wh: String(t.meterStopWh! - t.meterStartWh),
      energy_kwh: (t.meterStopWh! - t.meterStartWh) / 1000,
      stop_reason: t.stopReason,
      last_register_wh: t.lastRegisterWh === null ? null : t.lastRegisterWh.toFixed(3),
      last_register_sampled_us: t.lastRegisterSampledAtUs === null ? null : String(t.lastRegisterSampledAtUs),
      transaction_status: 'completed',
    }));
    expect(rows).toEqual(expected);
  });

  it.each(['2024-01', '2024-02'])('the %s workbook has the sheets, header and one typed row per transaction', async (month) => {
    const workbook = await readWorkbook(join(out, 'excel', `ocpp-report-${month}.xlsx`));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'Summary',
      'Transactions',
      'By customer',
      'By charge point',
      'Exceptions',
      'About',
    ]);
    const sheet = workbook.getWorksheet('Transactions')!;
    expect((sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1)).toEqual(WORKBOOK_HEADERS);

    const truth = completedTruth(month);
    const rows = dataRows(sheet);
    expect(rows.length).toBe(truth.length);

    const col = (header: string) => columnIndex(sheet, header);
    const numericColumns = [
      'Transaction',
      'Connector',
      'Charge time (s)',
      'Meter start (Wh)',
      'Meter stop (Wh)',
      'Energy (Wh)',
      'Energy (kWh)',
      'Last register (Wh)',
    ];
    rows.forEach((row, index) => {
      const t = truth[index]!;
      for (const header of numericColumns) expect(typeof row.getCell(col(header)).value, `${header} row ${index + 2}`).toBe('number');
      const started = row.getCell(col('Started (UTC)')).value;
      const stopped = row.getCell(col('Stopped (UTC)')).value;
      expect(started).toBeInstanceOf(Date);
      expect(stopped).toBeInstanceOf(Date);
      // Same order as the Parquet: charge point, stop time, transaction id.
      expect(row.getCell(col('Charge point')).value).toBe(t.chargePointId);
      expect(row.getCell(col('Transaction')).value).toBe(t.transactionId);
      expect(row.getCell(col('Customer (idTag)')).value).toBe(t.idTag);
      // Shown to the second, truncated: a spreadsheet would round 23:59:59.7 up into the next month.
      // Stopped is Started + the charge time (whole seconds), so Stop − Start in the sheet is the charge time.
      const seconds = Math.trunc((t.stoppedAtUs! - t.startedAtUs) / 1_000_000);
      expect((started as Date).getTime()).toBe(Math.floor(t.startedAtUs / 1_000_000) * 1000);
      expect((stopped as Date).getTime()).toBe(Math.floor(t.startedAtUs / 1_000_000) * 1000 + seconds * 1000);
      expect((stopped as Date).getTime()).toBeLessThanOrEqual(t.stoppedAtUs! / 1000);
      expect(row.getCell(col('Meter start (Wh)')).value).toBe(t.meterStartWh);
      expect(row.getCell(col('Meter stop (Wh)')).value).toBe(t.meterStopWh);
      expect(row.getCell(col('Energy (Wh)')).value).toBe(t.meterStopWh! - t.meterStartWh);
      expect(row.getCell(col('Energy (kWh)')).value).toBe((t.meterStopWh! - t.meterStartWh) / 1000);
      expect(row.getCell(col('Charge time (s)')).value).toBe(seconds);
      // Stored as a fraction of a day with an [h]:mm:ss format; ExcelJS reads any date-like format back
      // as a Date counted from Excel's epoch (1899-12-30), so the duration is the offset from it.
      const chargeTime = row.getCell(col('Charge time')).value;
      expect(chargeTime).toBeInstanceOf(Date);
      expect((chargeTime as Date).getTime() - Date.UTC(1899, 11, 30)).toBe(seconds * 1000);
      expect(row.getCell(col('Stop reason')).value).toBe(t.stopReason);
      expect(row.getCell(col('Status')).value).toBe('completed');
    });
  });

  it.each(['2024-01', '2024-02'])('the %s workbook energy total matches the warehouse and the ground truth', async (month) => {
    const workbook = await readWorkbook(join(out, 'excel', `ocpp-report-${month}.xlsx`));
    const sheet = workbook.getWorksheet('Transactions')!;
    const energyColumn = columnIndex(sheet, 'Energy (Wh)');
    const sheetWh = dataRows(sheet).reduce((sum, row) => sum + (row.getCell(energyColumn).value as number), 0);

    const [warehouse] = await warehouseRows(
      `select sum(energy_wh)::bigint::varchar as wh, count(*)::integer as n from fct_transactions
       where month = ${sqlString(month)} and transaction_status = 'completed'`,
    );
    const truth = completedTruth(month);
    const truthWh = truth.reduce((sum, t) => sum + (t.meterStopWh! - t.meterStartWh), 0);

    expect(truthWh).toBeGreaterThan(0);
    expect(sheetWh).toBe(truthWh);
    expect(Number(warehouse!.wh)).toBe(truthWh);
    expect(summaryValue(workbook, 'Completed transactions')).toBe(truth.length);
    expect(warehouse!.n).toBe(truth.length);
    expect(summaryValue(workbook, 'Energy delivered (kWh)')).toBe(truthWh / 1000);
    expect(summaryValue(workbook, 'Month (by stop time)')).toBe(month);
    expect(summaryValue(workbook, 'Report time zone')).toBe('UTC');
  });
});

describe('hostile text in exports', () => {
  const HOSTILE_TAG = '=HYPERLINK("http://x","y")';
  const HOSTILE_CP = '+cmd;--';
  let run: TestRun;

  beforeAll(async () => {
    run = await runOn({
      'date=2024-03-05/hostile.ndjson': [
        envelope.call(HOSTILE_CP, '2024-03-05T10:00:00.000000Z', 'start-1', 'StartTransaction', {
          connectorId: 1,
          idTag: HOSTILE_TAG,
          meterStart: 1_000,
          timestamp: '2024-03-05T09:59:59Z',
        }),
        envelope.result(HOSTILE_CP, '2024-03-05T10:00:00.300000Z', 'start-1', { transactionId: 42, idTagInfo: { status: 'Accepted' } }),
        envelope.call(HOSTILE_CP, '2024-03-05T11:00:00.000000Z', 'stop-1', 'StopTransaction', {
          transactionId: 42,
          idTag: HOSTILE_TAG,
          meterStop: 6_000,
          timestamp: '2024-03-05T10:59:59Z',
          reason: 'Local',
        }),
        envelope.result(HOSTILE_CP, '2024-03-05T11:00:00.200000Z', 'stop-1', { idTagInfo: { status: 'Accepted' } }),
      ],
    });
  });

  it('writes the idTag and charge point id as plain strings in the workbook', async () => {
    expect(run.summary.months).toEqual(['2024-03']);
    const workbook = await readWorkbook(join(run.out, 'excel', 'ocpp-report-2024-03.xlsx'));
    const sheet = workbook.getWorksheet('Transactions')!;
    const rows = dataRows(sheet);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    const tag = row.getCell(columnIndex(sheet, 'Customer (idTag)'));
    expect(tag.type).toBe(ExcelJS.ValueType.String);
    expect(tag.type).not.toBe(ExcelJS.ValueType.Formula);
    expect(tag.value).toBe(HOSTILE_TAG);
    const chargePoint = row.getCell(columnIndex(sheet, 'Charge point'));
    expect(chargePoint.type).toBe(ExcelJS.ValueType.String);
    expect(chargePoint.value).toBe(HOSTILE_CP);
    // No cell anywhere in the workbook became a formula, except the totals rows' own SUBTOTALs.
    for (const worksheet of workbook.worksheets) {
      worksheet.eachRow((sheetRow) => {
        sheetRow.eachCell((cell) => {
          if (cell.type === ExcelJS.ValueType.Formula) expect(cell.formula).toMatch(/^SUBTOTAL\(109,[A-Z]+\d+:[A-Z]+\d+\)$/);
        });
      });
    }
    expect(row.getCell(columnIndex(sheet, 'Energy (Wh)')).value).toBe(5_000);
    expect(row.getCell(columnIndex(sheet, 'Charge time (s)')).value).toBe(3_600);
  });

  it('keeps the original texts in the Parquet row', async () => {
    const path = sqlString(join(run.out, 'parquet', 'transactions', 'month=2024-03', 'transactions.parquet'));
    const rows = await readParquet(
      `select charge_point_id, id_tag, transaction_id::integer as transaction_id, energy_wh::integer as energy_wh,
              duration_s::integer as duration_s, epoch_ms(started_at)::varchar as started_ms from read_parquet(${path})`,
    );
    expect(rows).toEqual([
      {
        charge_point_id: HOSTILE_CP,
        id_tag: HOSTILE_TAG,
        transaction_id: 42,
        energy_wh: 5_000,
        duration_s: 3_600,
        started_ms: String(Date.parse('2024-03-05T09:59:59Z')),
      },
    ]);
  });
});
