import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryJsonRows, withWarehouse } from '../jobs/db.ts';
import { CliError, EXIT } from '../jobs/errors.ts';
import { workbookPath } from '../jobs/export/excel.ts';
import { reexportDatasets } from '../jobs/export/reexport.ts';
import { verifyWorkbookTotals } from '../jobs/export/workbook/verify.ts';
import { type NightlyOptions, runNightly } from '../jobs/nightly.ts';
import { parseCsv } from '../jobs/reference/csv.ts';
import { envelope, runOn, type TestRun, tempDir } from './helpers.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PROJECT_ROOT, 'bin', 'ocpp-report.mjs');

const TARIFF_HEADER = 'tariff_id,valid_from,charge_point,currency,price_per_kwh,price_per_hour,price_per_session,vat_percent';

function writeCsv(dir: string, name: string, lines: string[]): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** One completed transaction: StartTransaction (+ reply with the id) and StopTransaction, logged when they happened. */
function session(cp: string, id: number, idTag: string, start: string, stop: string, meterStart: number, meterStop: number): string[] {
  const { call, result } = envelope;
  return [
    call(cp, start, `s${id}`, 'StartTransaction', { connectorId: 1, idTag, meterStart, timestamp: start }),
    result(cp, start, `s${id}`, { transactionId: id, idTagInfo: { status: 'Accepted' } }),
    call(cp, stop, `p${id}`, 'StopTransaction', { transactionId: id, meterStop, timestamp: stop }),
    result(cp, stop, `p${id}`, {}),
  ];
}

describe('parseCsv', () => {
  it('reads quotes, doubled quotes, commas and newlines in quotes, CRLF and a BOM, with the line each record starts on', () => {
    const records = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['two\nlines', 'z'] },
    ]);
  });
});

/*
 * Hand-worked amounts, report time zone Europe/Berlin (UTC+1 in January).
 *
 * Tariffs: G1 '*' from 2024-01-01 at 0.30/kWh; G2 '*' from 2024-01-20 at 0.40/kWh; C1 for CP1 from
 * 2024-01-15 at 0.50/kWh; one tariff per charge point for the rounding cases. VAT 19 % unless said.
 */
const TARIFFS = [
  TARIFF_HEADER,
  'G1,2024-01-01,*,EUR,0.30,0,0,19',
  'G2,2024-01-20,*,EUR,0.40,0,0,19',
  'C1,2024-01-15,CP1,EUR,0.50,0,0,19',
  // rounding cases: each charge point its own tariff
  'H18,2024-01-01,CPH,EUR,0,18,0,0',
  'K1,2024-01-01,CPK,EUR,1.00,0,0,10',
  'V1,2024-01-01,CPV,EUR,0,0,1.05,10',
  'M1,2024-01-01,CPM,EUR,0,0.90,0,19',
  'S1,2024-01-01,CPS,CHF,4.999,0,0,7.7',
];

const CUSTOMERS = ['id_tag,customer_id,customer_name', 'TAG-A,C-1,Alpha GmbH', 'TAG-B,C-1,Alpha GmbH', 'TAG-C,C-2,"=Beta, Inc"'];

const LANDING = {
  'jan.ndjson': [
    // 1 s at 18.00/h = 0.005 exactly → 0.01 (half up); VAT 0 %
    ...session('CPH', 1, 'TAG-A', '2024-01-10T10:00:00Z', '2024-01-10T10:00:01Z', 0, 0),
    // 2675 Wh at 1.00/kWh = 2.675 → 2.68 (a double holds 2.67499…: it would give 2.67); VAT 10 % of 2.68 = 0.268 → 0.27
    ...session('CPK', 2, 'TAG-A', '2024-01-10T10:00:00Z', '2024-01-10T10:01:00Z', 1000, 3675),
    // session fee 1.05, VAT 10 % = 0.105 → 0.11 (a double holds 0.10499…)
    ...session('CPV', 3, 'TAG-B', '2024-01-10T10:00:00Z', '2024-01-10T10:01:00Z', 0, 0),
    // 1234 s at 0.90/h = 0.3085 exactly (1234 × 0.9 / 3600) → 0.31; VAT 19 % of 0.31 = 0.0589 → 0.06
    ...session('CPM', 4, 'TAG-C', '2024-01-10T10:00:00Z', '2024-01-10T10:20:34Z', 0, 0),
    // 1 Wh at 4.999/kWh = 0.004999 → 0.00 (just under half a cent); in CHF
    ...session('CPS', 5, 'TAG-C', '2024-01-10T10:00:00Z', '2024-01-10T10:01:00Z', 0, 1),
    // starts 2024-01-14 23:30 UTC = 2024-01-15 00:30 in Berlin: C1 is in force (from 01-15 local);
    // 10 kWh × 0.50 = 5.00, VAT 0.95, 5.95. In UTC it would still be the 14th and G1.
    ...session('CP1', 6, 'TAG-A', '2024-01-14T23:30:00Z', '2024-01-15T01:00:00Z', 0, 10_000),
    // CP1 on the 25th: C1 still beats the newer general G2 (exact charge point beats '*')
    ...session('CP1', 7, 'TAG-Z', '2024-01-25T10:00:00Z', '2024-01-25T11:00:00Z', 10_000, 20_000),
    // CP2 on 01-15 local: G1 (G2 only from the 20th) → 3.00, VAT 0.57, 3.57
    ...session('CP2', 8, 'TAG-B', '2024-01-14T23:30:00Z', '2024-01-15T01:00:00Z', 0, 10_000),
    // CP2 at 00:30 on 01-20 local (23:30 UTC on the 19th): G2 → 4.00, VAT 0.76, 4.76
    ...session('CP2', 9, 'TAG-B', '2024-01-19T23:30:00Z', '2024-01-20T01:00:00Z', 10_000, 20_000),
    // CP2 at 23:59:59 on 01-19 local: still G1 → 3.00
    ...session('CP2', 10, 'TAG-B', '2024-01-19T22:59:59Z', '2024-01-20T00:30:00Z', 20_000, 30_000),
    // starts 2023-12-31 local, before every tariff: no tariff, not priced (flag no_tariff); billed in January
    ...session('CP2', 11, 'TAG-Z', '2023-12-31T12:00:00Z', '2024-01-01T12:00:00Z', 30_000, 40_000),
  ],
};

/** (tariff, excl, vat, incl) by transaction id, worked out above. */
const EXPECTED: Record<number, [string | null, string | null, string | null, string | null, string | null]> = {
  1: ['H18', 'EUR', '0.01', '0.00', '0.01'],
  2: ['K1', 'EUR', '2.68', '0.27', '2.95'],
  3: ['V1', 'EUR', '1.05', '0.11', '1.16'],
  4: ['M1', 'EUR', '0.31', '0.06', '0.37'],
  5: ['S1', 'CHF', '0.00', '0.00', '0.00'],
  6: ['C1', 'EUR', '5.00', '0.95', '5.95'],
  7: ['C1', 'EUR', '5.00', '0.95', '5.95'],
  8: ['G1', 'EUR', '3.00', '0.57', '3.57'],
  9: ['G2', 'EUR', '4.00', '0.76', '4.76'],
  10: ['G1', 'EUR', '3.00', '0.57', '3.57'],
  11: [null, null, null, null, null],
};

describe('tariffs and customers worked by hand (Europe/Berlin)', () => {
  let run: TestRun;
  beforeAll(async () => {
    const dir = tempDir('ocpp-billing-');
    run = await runOn(LANDING, {
      timezone: 'Europe/Berlin',
      csv: true,
      tariffs: writeCsv(dir, 'tariffs.csv', TARIFFS),
      customers: writeCsv(dir, 'customers.csv', CUSTOMERS),
    });
  }, 120_000);

  it('picks the tariff in force and computes the amounts exactly, rounding half up', async () => {
    const rows = await run.query(
      `select transaction_id, tariff_id, currency,
              cast(amount_excl_vat as varchar) as excl, cast(vat_amount as varchar) as vat, cast(amount_incl_vat as varchar) as incl
       from fct_transactions order by transaction_id`,
    );
    expect(
      Object.fromEntries(rows.map((row) => [Number(row.transaction_id), [row.tariff_id, row.currency, row.excl, row.vat, row.incl]])),
    ).toEqual(EXPECTED);
  });

  it('names customers, flags no tariff and unknown idTags, and stores the amounts as DECIMAL(18,2)', async () => {
    const rows = await run.query(
      `select transaction_id, id_tag, customer_id, customer_name, flags from fct_transactions order by transaction_id`,
    );
    const byId = new Map(rows.map((row) => [Number(row.transaction_id), row]));
    expect(byId.get(1)).toMatchObject({ customer_id: 'C-1', customer_name: 'Alpha GmbH', flags: [] });
    expect(byId.get(3)).toMatchObject({ customer_id: 'C-1', customer_name: 'Alpha GmbH' });
    expect(byId.get(4)).toMatchObject({ customer_id: 'C-2', customer_name: '=Beta, Inc' });
    expect(byId.get(7)).toMatchObject({ customer_id: null, customer_name: null, flags: ['unknown_customer'] });
    expect(byId.get(11)!.flags).toEqual(['no_tariff', 'unknown_customer']);
    const types = await run.query(
      `select column_name, data_type from information_schema.columns
       where table_name = 'fct_transactions' and (column_name like 'amount%' or column_name = 'vat_amount') order by column_name`,
    );
    expect(types.map((row) => row.data_type)).toEqual(['DECIMAL(18,2)', 'DECIMAL(18,2)', 'DECIMAL(18,2)']);
  });

  it('writes the columns to the Parquet month with DECIMAL amounts', async () => {
    const path = join(run.out, 'parquet', 'transactions', 'month=2024-01', 'transactions.parquet');
    const rows = await withWarehouse(':memory:', (db) =>
      queryJsonRows(
        db,
        `select cast(transaction_id as integer) as transaction_id, customer_name, tariff_id, typeof(amount_incl_vat) as type, cast(amount_incl_vat as varchar) as incl
         from read_parquet($path) order by transaction_id`,
        { path },
      ),
    );
    expect(rows).toHaveLength(11);
    expect(rows[5]).toEqual({ transaction_id: 6, customer_name: 'Alpha GmbH', tariff_id: 'C1', type: 'DECIMAL(18,2)', incl: '5.95' });
  });

  it('the workbook: invoice columns first, amounts per customer, revenue per currency, exceptions', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(workbookPath(run.out, '2024-01'));
    const transactions = workbook.getWorksheet('Transactions')!;
    const headers = (transactions.getRow(1).values as unknown[]).slice(1);
    expect(headers.slice(0, 15)).toEqual([
      'Customer',
      'Customer id',
      'Customer (idTag)',
      'Charge point',
      'Connector',
      'Started (Europe/Berlin)',
      'Stopped (Europe/Berlin)',
      'Energy (kWh)',
      'Charge time',
      'Tariff',
      'Currency',
      'Amount excl. VAT',
      'VAT',
      'Amount incl. VAT',
      'Review flags',
    ]);
    // technical columns at the right, in a collapsible group
    expect(headers.slice(15)).toContain('Energy (Wh)');
    expect(transactions.getColumn(16).outlineLevel).toBe(1);
    expect(transactions.getColumn(14).outlineLevel ?? 0).toBe(0);
    // Stop − Start is the charge time shown, to the second, for every row
    for (let r = 2; r <= 12; r += 1) {
      const row = transactions.getRow(r);
      const started = row.getCell(6).value as Date;
      const stopped = row.getCell(7).value as Date;
      // exceljs reads a [h]:mm:ss cell back as a date counted from 1899-12-30
      const cell = row.getCell(9).value as Date | number;
      const chargeTime = cell instanceof Date ? (cell.getTime() - Date.UTC(1899, 11, 30)) / 86_400_000 : cell;
      expect(Math.round((stopped.getTime() - started.getTime()) / 1000)).toBe(Math.round(chargeTime * 86_400));
    }
    // the amount cells carry their currency in the number format and are numbers, never formulas
    const cpsRow = [...Array(11).keys()].map((i) => transactions.getRow(i + 2)).find((row) => row.getCell(4).value === 'CPS')!;
    expect(cpsRow.getCell(14).numFmt).toBe('#,##0.00 "CHF"');
    expect(typeof cpsRow.getCell(14).value).toBe('number');
    // a customer name starting with '=' stays text
    const beta = [...Array(11).keys()].map((i) => transactions.getRow(i + 2)).find((row) => row.getCell(4).value === 'CPM')!;
    expect(beta.getCell(1).value).toBe('=Beta, Inc');

    // By customer: C-1 has TAG-A and TAG-B; EUR amounts are sums of the rounded lines
    const customers = workbook.getWorksheet('By customer')!;
    const alpha = customers.getRow(2);
    expect(alpha.getCell(1).value).toBe('Alpha GmbH');
    expect(alpha.getCell(3).value).toBe('TAG-A, TAG-B');
    // C-1, EUR: transactions 1, 2, 3, 6, 8, 9, 10 → 0.01 + 2.95 + 1.16 + 5.95 + 3.57 + 4.76 + 3.57 = 21.97 incl. VAT
    const incl = (alpha.getCell(12).value as number).toFixed(2);
    expect(incl).toBe('21.97');

    // Summary: revenue per currency; EUR incl. VAT = Σ of the EUR lines = 21.97 + 0.37 (tx 4) + 5.95 (tx 7) = 28.29
    const summary = new Map<string, unknown>();
    workbook.getWorksheet('Summary')!.eachRow((row) => {
      summary.set(String(row.getCell(1).value), row.getCell(2).value);
    });
    expect((summary.get('Revenue incl. VAT (EUR)') as number).toFixed(2)).toBe('28.29');
    expect((summary.get('Revenue excl. VAT (CHF)') as number).toFixed(2)).toBe('0.00');
    expect(summary.get('Unpriced transactions (no tariff)')).toBe(1);

    // Exceptions: the unpriced transaction and the unknown idTag, in words
    const exceptions: string[] = [];
    workbook.getWorksheet('Exceptions')!.eachRow((row) => {
      exceptions.push((row.values as unknown[]).map(String).join('|'));
    });
    expect(exceptions.some((line) => line.includes('|11|') && line.includes('No tariff in force'))).toBe(true);
    expect(exceptions.some((line) => line.includes('|7|') && line.includes('not in the customers file'))).toBe(true);
  });

  it('the read-back audit reconciles the amounts, and fails when one amount cell is a cent off', async () => {
    const path = workbookPath(run.out, '2024-01');
    const parquetPath = join(run.out, 'parquet', 'transactions', 'month=2024-01', 'transactions.parquet');
    await expect(
      withWarehouse(run.warehouse, (db) => verifyWorkbookTotals(db, path, '2024-01', { parquetPath }), { readOnly: true }),
    ).resolves.toMatchObject({ transactions: 11 });
    const tampered = new ExcelJS.Workbook();
    await tampered.xlsx.readFile(path);
    const sheet = tampered.getWorksheet('Transactions')!;
    const cell = sheet.getRow(2).getCell(14);
    cell.value = Math.round(((cell.value as number) + 0.01) * 100) / 100;
    const copy = join(run.dir, 'tampered.xlsx');
    await tampered.xlsx.writeFile(copy);
    await expect(withWarehouse(run.warehouse, (db) => verifyWorkbookTotals(db, copy, '2024-01'), { readOnly: true })).rejects.toThrow(
      /workbook 2024-01 amounts do not reconcile: warehouse 0\.00 CHF \+ 28\.29 EUR incl\. VAT, but Transactions sheet cells 0\.00 CHF \+ 28\.30 EUR/,
    );
  });

  it('the CSV has the amounts as exact decimal text', () => {
    const csv = readFileSync(join(run.out, 'excel', 'ocpp-report-2024-01.transactions.csv'), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toContain('Amount excl. VAT,VAT,Amount incl. VAT');
    expect(lines.some((line) => line.includes(',CPK,') && line.includes(',2.68,0.27,2.95,'))).toBe(true);
    // the customer name that starts with '=' is neutralised for spreadsheets
    expect(lines.some((line) => line.startsWith(`"'=Beta, Inc"`))).toBe(true);
  });
});

function fileHashes(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  if (!existsSync(dir)) return hashes;
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else hashes[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return hashes;
}

describe('a bad reference file', () => {
  it('is a usage error naming file, line and column, and nothing is written', async () => {
    const dir = tempDir('ocpp-billing-bad-');
    const landing = join(dir, 'landing');
    writeCsv(landing, 'jan.ndjson', session('CP1', 1, 'TAG-A', '2024-01-10T10:00:00Z', '2024-01-10T11:00:00Z', 0, 1000));
    const options: NightlyOptions = { landing, warehouse: join(dir, 'w.duckdb'), out: join(dir, 'reports'), months: [], timezone: 'UTC' };
    const bad = writeCsv(dir, 'tariffs.csv', [TARIFF_HEADER, 'G1,2024-01-01,*,EUR,0.30,0,0,19', 'G2,2024-02-01,*,EUR,"0,35",0,0,19']);
    // before any run: no warehouse, no report is created
    const error = await runNightly({ ...options, tariffs: bad }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.usage);
    expect((error as CliError).message).toContain(`${bad}: line 3, column 5 (price_per_kwh)`);
    expect(existsSync(options.warehouse)).toBe(false);
    expect(existsSync(options.out)).toBe(false);

    // after a good run: the warehouse and every report stay byte for byte as they were
    const good = writeCsv(dir, 'good.csv', [TARIFF_HEADER, 'G1,2024-01-01,*,EUR,0.30,0,0,19']);
    await runNightly({ ...options, tariffs: good });
    const warehouseHash = () => createHash('sha256').update(readFileSync(options.warehouse)).digest('hex');
    const before = { reports: fileHashes(options.out), warehouse: warehouseHash(), mtime: statSync(options.warehouse).mtimeMs };
    writeCsv(landing, 'feb.ndjson', session('CP1', 2, 'TAG-A', '2024-02-10T10:00:00Z', '2024-02-10T11:00:00Z', 1000, 2000));
    const customers = writeCsv(dir, 'customers.csv', ['id_tag,customer_id,customer_name', 'TAG-A,C-1,Alpha', 'TAG-A,C-2,Beta']);
    const duplicate = await runNightly({ ...options, customers }).catch((caught: unknown) => caught);
    expect((duplicate as CliError).exitCode).toBe(EXIT.usage);
    expect((duplicate as CliError).message).toBe(`${customers}: line 3: idTag TAG-A is already given on line 2`);
    expect(fileHashes(options.out)).toEqual(before.reports);
    expect(warehouseHash()).toBe(before.warehouse);
    expect(statSync(options.warehouse).mtimeMs).toBe(before.mtime);
  }, 120_000);

  it('exits 2 from the CLI with one line on stderr', async () => {
    const dir = tempDir('ocpp-billing-cli-');
    const landing = join(dir, 'landing');
    mkdirSync(landing, { recursive: true });
    const bad = writeCsv(dir, 'tariffs.csv', [TARIFF_HEADER, 'G1,2024-13-01,*,EUR,0.30,0,0,19']);
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [CLI, 'run', '--landing', landing, '--warehouse', join(dir, 'w.duckdb'), '--out', join(dir, 'r'), '--tariffs', bad],
        { cwd: PROJECT_ROOT, timeout: 60_000 },
        (error, _stdout, stderr) => done({ code: error ? Number(error.code) : 0, stderr }),
      );
    });
    expect(code).toBe(2);
    expect(stderr).toContain(`${bad}: line 2, column 2 (valid_from): not a calendar date`);
    expect(existsSync(join(dir, 'w.duckdb'))).toBe(false);
  }, 60_000);
});

describe('tariffs stay in force; a change re-exports the months it changes', () => {
  it('a run without --tariffs keeps the prices; a February change rewrites February only; a header-only file clears', async () => {
    const dir = tempDir('ocpp-billing-incr-');
    const landing = join(dir, 'landing');
    writeCsv(landing, 'jan.ndjson', session('CP1', 1, 'TAG-A', '2024-01-10T10:00:00Z', '2024-01-10T11:00:00Z', 0, 10_000));
    writeCsv(landing, 'feb.ndjson', session('CP1', 2, 'TAG-A', '2024-02-10T10:00:00Z', '2024-02-10T11:00:00Z', 10_000, 20_000));
    const options: NightlyOptions = { landing, warehouse: join(dir, 'w.duckdb'), out: join(dir, 'reports'), months: [], timezone: 'UTC' };
    const amounts = () =>
      withWarehouse(
        options.warehouse,
        (db) =>
          queryJsonRows(
            db,
            `select cast(transaction_id as integer) as transaction_id, tariff_id, cast(amount_incl_vat as varchar) as incl, flags from fct_transactions order by 1`,
          ),
        { readOnly: true },
      );
    const v1 = writeCsv(dir, 'v1.csv', [TARIFF_HEADER, 'G1,2024-01-01,*,EUR,0.30,0,0,19']);
    await runNightly({ ...options, tariffs: v1 });
    // 10 kWh × 0.30 = 3.00 + 19 % = 3.57
    expect(await amounts()).toEqual([
      { transaction_id: 1, tariff_id: 'G1', incl: '3.57', flags: [] },
      { transaction_id: 2, tariff_id: 'G1', incl: '3.57', flags: [] },
    ]);
    const firstFiles = fileHashes(options.out);

    // nothing new, no flag: the tariffs stay in force and no file is rewritten
    const quiet = await runNightly(options);
    expect(quiet.months).toEqual([]);
    expect(await amounts()).toEqual([
      { transaction_id: 1, tariff_id: 'G1', incl: '3.57', flags: [] },
      { transaction_id: 2, tariff_id: 'G1', incl: '3.57', flags: [] },
    ]);

    // the same tariffs again, reformatted: nothing changes, nothing is rewritten
    const same = writeCsv(dir, 'same.csv', [TARIFF_HEADER, '"G1",2024-01-01,*,EUR,0.300,0.0,0,19']);
    expect((await runNightly({ ...options, tariffs: same })).months).toEqual([]);

    // a new general tariff from 1 February: February's amounts change, January's files stay as they were
    const v2 = writeCsv(dir, 'v2.csv', [TARIFF_HEADER, 'G1,2024-01-01,*,EUR,0.30,0,0,19', 'G2,2024-02-01,*,EUR,0.40,0,0,19']);
    const repriced = await runNightly({ ...options, tariffs: v2 });
    expect(repriced.months).toEqual(['2024-02']);
    // 10 kWh × 0.40 = 4.00 + 19 % = 4.76
    expect((await amounts())[1]).toEqual({ transaction_id: 2, tariff_id: 'G2', incl: '4.76', flags: [] });
    const after = fileHashes(options.out);
    for (const [path, hash] of Object.entries(firstFiles)) {
      if (path.includes('2024-01')) expect(after[path], path).toBe(hash);
    }
    expect(after['excel/ocpp-report-2024-02.xlsx']).not.toBe(firstFiles['excel/ocpp-report-2024-02.xlsx']);

    // a header-only file clears the tariffs: no amounts, and no no_tariff flag either
    const none = writeCsv(dir, 'none.csv', [TARIFF_HEADER]);
    const cleared = await runNightly({ ...options, tariffs: none });
    expect(cleared.months).toEqual(['2024-01', '2024-02']);
    expect(await amounts()).toEqual([
      { transaction_id: 1, tariff_id: null, incl: null, flags: [] },
      { transaction_id: 2, tariff_id: null, incl: null, flags: [] },
    ]);

    // `export --tariffs` reprices without loading: the Parquet at once, the workbooks at the next run
    const january = fileHashes(options.out)['excel/ocpp-report-2024-01.xlsx'];
    const feb = writeCsv(dir, 'feb.csv', [TARIFF_HEADER, 'G2,2024-02-01,*,EUR,0.40,0,0,19']);
    await reexportDatasets({
      warehouse: options.warehouse,
      out: options.out,
      months: [],
      datasets: ['transactions'],
      timezone: 'UTC',
      tariffs: feb,
    });
    const parquet = await withWarehouse(':memory:', (db) =>
      queryJsonRows(db, `select cast(amount_incl_vat as varchar) as incl from read_parquet($path)`, {
        path: join(options.out, 'parquet', 'transactions', 'month=2024-02', 'transactions.parquet'),
      }),
    );
    expect(parquet).toEqual([{ incl: '4.76' }]);
    // January has no tariff in force now either (no_tariff), so both months changed
    expect((await runNightly(options)).months).toEqual(['2024-01', '2024-02']);
    expect(fileHashes(options.out)['excel/ocpp-report-2024-01.xlsx']).not.toBe(january);
    expect((await runNightly(options)).months).toEqual([]);

    // a month asked for when nothing is new: the models are not rebuilt, the workbook still has its times
    await runNightly({ ...options, months: ['2024-01'] });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(workbookPath(options.out, '2024-01'));
    const started = workbook.getWorksheet('Transactions')!.getRow(2).getCell(6).value;
    expect(started).toEqual(new Date('2024-01-10T10:00:00Z'));
  }, 240_000);
});
