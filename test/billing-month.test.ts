import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryJsonRows, withWarehouse } from '../jobs/db.ts';
import { workbookPath } from '../jobs/export/excel.ts';
import { writeLanding } from '../jobs/generate/write-landing.ts';
import { runNightly } from '../jobs/nightly.ts';
import { runOn, type TestRun, tempDir } from './helpers.ts';

// A simulator month priced with three tariffs, checked against amounts computed here from the
// generator's ground truth in integer cents (BigInt), independently of the SQL.

const TARIFF_HEADER = 'tariff_id,valid_from,charge_point,currency,price_per_kwh,price_per_hour,price_per_session,vat_percent';

function writeCsv(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A decimal price as an integer of millionths, from its text (never through a float). */
function micros(price: string): bigint {
  const [whole, fraction = ''] = price.split('.');
  return BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
}

/** Half up, away from zero: round(numerator / denominator) for an even denominator. */
function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  const magnitude = ((numerator < 0n ? -numerator : numerator) + denominator / 2n) / denominator;
  return numerator < 0n ? -magnitude : magnitude;
}

function centsText(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

describe('a generated month with three tariffs (Europe/Berlin)', () => {
  const timezone = 'Europe/Berlin';
  // a general tariff, one for CP-0002 from mid-month, and a general change later in the month
  const tariffRows = [
    { id: 'STD-A', from: '2024-03-01', cp: '*', kwh: '0.35', hour: '0.60', session: '0.50', vat: '19' },
    { id: 'CP2-FAST', from: '2024-03-15', cp: 'CP-0002', kwh: '0.59', hour: '0', session: '1.00', vat: '19' },
    { id: 'STD-B', from: '2024-03-22', cp: '*', kwh: '0.39', hour: '0.75', session: '0.50', vat: '19' },
  ];
  let run: TestRun;
  let truth: Awaited<ReturnType<typeof writeLanding>>['truth'];
  const customerOf = new Map<string, { id: string; name: string }>();

  beforeAll(async () => {
    const dir = tempDir('ocpp-billing-month-');
    const landing = join(dir, 'landing');
    const generated = await writeLanding({ out: landing, dialect: 'envelope', chargePoints: 3, days: 31, start: '2024-03-01', seed: 17 });
    truth = generated.truth;
    // two idTags per customer, the last idTag left without one
    const tags = [...new Set(truth.map((t) => t.idTag))].sort();
    tags.slice(0, -1).forEach((tag, index) => {
      customerOf.set(tag, { id: `C-${Math.floor(index / 2)}`, name: `Customer ${Math.floor(index / 2)}, Ltd` });
    });
    const tariffs = writeCsv(dir, 'tariffs.csv', [
      TARIFF_HEADER,
      ...tariffRows.map((t) => `${t.id},${t.from},${t.cp},EUR,${t.kwh},${t.hour},${t.session},${t.vat}`),
    ]);
    const customers = writeCsv(dir, 'customers.csv', [
      'id_tag,customer_id,customer_name',
      ...[...customerOf].map(([tag, customer]) => `${tag},${customer.id},"${customer.name}"`),
    ]);
    run = await runOn({}, { timezone, tariffs, customers });
    // runOn made its own empty landing: run again on the generated one into the same warehouse
    await runNightly({ landing, warehouse: run.warehouse, out: run.out, months: [], timezone });
  }, 300_000);

  const localDate = (us: number) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(us / 1000));

  /** Independently of the SQL: the tariff in force and the amounts in integer cents. */
  function expected(t: (typeof truth)[number]) {
    const day = localDate(t.startedAtUs);
    const inForce = (cp: string) =>
      tariffRows.filter((tariff) => tariff.cp === cp && tariff.from <= day).sort((a, b) => b.from.localeCompare(a.from))[0];
    const tariff = inForce(t.chargePointId) ?? inForce('*');
    if (!tariff) return { tariff: null, excl: null, vat: null, incl: null };
    const energyWh = BigInt(t.meterStopWh! - t.meterStartWh);
    const seconds = (BigInt(t.stoppedAtUs!) - BigInt(t.startedAtUs)) / 1_000_000n;
    // (Wh / 1000 × kWh price + s / 3600 × hour price + session) in millionths, over 3 600 000
    const numerator = energyWh * micros(tariff.kwh) * 3600n + seconds * micros(tariff.hour) * 1000n + micros(tariff.session) * 3_600_000n;
    const net = roundHalfUp(numerator * 100n, 3_600_000n * 1_000_000n);
    const vat = roundHalfUp(net * micros(tariff.vat), 100n * 1_000_000n);
    return { tariff: tariff.id, excl: centsText(net), vat: centsText(vat), incl: centsText(net + vat) };
  }

  it('every completed transaction has the tariff in force and amounts exact to the cent', async () => {
    const rows = await run.query(
      `select charge_point_id, cast(transaction_id as integer) as transaction_id, cast(epoch_us(started_at) as varchar) as started_us,
              tariff_id, cast(amount_excl_vat as varchar) as excl, cast(vat_amount as varchar) as vat, cast(amount_incl_vat as varchar) as incl,
              customer_id, customer_name, flags
       from fct_transactions where transaction_status = 'completed'`,
    );
    const byKey = new Map(rows.map((row) => [`${row.charge_point_id}/${row.transaction_id}/${row.started_us}`, row]));
    const completed = truth.filter((t) => t.stoppedAtUs !== null);
    expect(completed.length).toBeGreaterThan(100);
    expect(rows.length).toBe(completed.length);
    const used = new Set<string>();
    for (const t of completed) {
      const row = byKey.get(`${t.chargePointId}/${t.transactionId}/${t.startedAtUs}`);
      expect(row, `${t.chargePointId} ${t.transactionId}`).toBeDefined();
      const want = expected(t);
      used.add(String(want.tariff));
      expect({ tariff: row!.tariff_id, excl: row!.excl, vat: row!.vat, incl: row!.incl }, `${t.chargePointId} ${t.transactionId}`).toEqual(
        want,
      );
      const customer = customerOf.get(t.idTag);
      expect([row!.customer_id, row!.customer_name]).toEqual(customer ? [customer.id, customer.name] : [null, null]);
      expect((row!.flags as string[]).includes('unknown_customer')).toBe(!customer);
    }
    // each of the three tariffs priced something
    expect([...used].sort()).toEqual(['CP2-FAST', 'STD-A', 'STD-B']);
  });

  it('customers are named in the Parquet month and in the workbook, whose amounts add up to the warehouse', async () => {
    const path = join(run.out, 'parquet', 'transactions', 'month=2024-03', 'transactions.parquet');
    const parquet = await withWarehouse(':memory:', (db) =>
      queryJsonRows(
        db,
        `select id_tag, customer_name, cast(sum(amount_incl_vat) as varchar) as incl, count(*)::integer as n
         from read_parquet($path) where transaction_status = 'completed' group by all`,
        { path },
      ),
    );
    for (const row of parquet) expect(row.customer_name).toBe(customerOf.get(String(row.id_tag))?.name ?? null);
    const march = truth.filter((t) => t.stoppedAtUs !== null && localDate(t.stoppedAtUs).startsWith('2024-03'));
    const expectedCents = march.reduce((sum, t) => sum + micros(expected(t).incl!) / 10_000n, 0n);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(workbookPath(run.out, '2024-03'));
    const sheet = workbook.getWorksheet('Transactions')!;
    let rows = 0;
    sheet.eachRow((row, number) => {
      if (number === 1 || row.getCell(3).value === null) return;
      rows += 1;
      const tag = String(row.getCell(3).value);
      expect(row.getCell(1).value ?? null, tag).toBe(customerOf.get(tag)?.name ?? null);
    });
    expect(rows).toBe(march.length);
    const summary = new Map<string, unknown>();
    workbook.getWorksheet('Summary')!.eachRow((row) => {
      summary.set(String(row.getCell(1).value), row.getCell(2).value);
    });
    expect(micros(String(summary.get('Revenue incl. VAT (EUR)'))) / 10_000n).toBe(expectedCents);
  });
});
