import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryJsonRows, withWarehouse } from '../jobs/db.ts';
import { type WriteLandingResult, writeLanding } from '../jobs/generate/write-landing.ts';
import { runNightly } from '../jobs/nightly.ts';
import { tempDir } from './helpers.ts';

const EXCLUDED_LINEAGE = 'exclude (start_file_id, start_line_no, stop_file_id, stop_line_no)';

async function generateAndRun(dialect: 'envelope' | 'flat', seed: number, gzip = false) {
  const dir = tempDir();
  const landing = join(dir, 'landing');
  const warehouse = join(dir, 'warehouse.duckdb');
  const generated = await writeLanding({ out: landing, dialect, chargePoints: 6, days: 31, start: '2024-03-01', seed, gzip });
  const summary = await runNightly({ landing, warehouse, out: join(dir, 'reports'), months: [], timezone: 'UTC' });
  const query = (sql: string) => withWarehouse(warehouse, (db) => queryJsonRows(db, sql), { readOnly: true });
  return { generated, summary, query };
}

const micros = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}`;

describe('a generated month against the generator ground truth', () => {
  let run: Awaited<ReturnType<typeof generateAndRun>>;
  let truth: WriteLandingResult['truth'];
  beforeAll(async () => {
    run = await generateAndRun('envelope', 2024);
    truth = run.generated.truth;
  });

  it('loads every generated line', () => {
    expect(run.summary.lines).toEqual({ read: run.generated.lines, loaded: run.generated.lines, quarantined: 0, blank: 0 });
  });

  it('has every transaction, with energy to the watt-hour and duration to the second', async () => {
    const rows = await run.query(
      `select charge_point_id, transaction_id, connector_id, id_tag,
              strftime(started_at, '%Y-%m-%dT%H:%M:%S.%f') as started, strftime(stopped_at, '%Y-%m-%dT%H:%M:%S.%f') as stopped,
              duration_s, meter_start_wh, meter_stop_wh, energy_wh, last_register_wh, stop_reason, month, transaction_status
       from fct_transactions order by charge_point_id, started_at`,
    );
    const expected = truth
      .map((t) => ({
        charge_point_id: t.chargePointId,
        transaction_id: String(t.transactionId),
        connector_id: t.connectorId,
        id_tag: t.idTag,
        started: micros(t.startedAtUs),
        stopped: t.stoppedAtUs === null ? null : micros(t.stoppedAtUs),
        duration_s: t.stoppedAtUs === null ? null : String(Math.trunc((t.stoppedAtUs - t.startedAtUs) / 1_000_000)),
        meter_start_wh: String(t.meterStartWh),
        meter_stop_wh: t.meterStopWh === null ? null : String(t.meterStopWh),
        energy_wh: t.meterStopWh === null ? null : String(t.meterStopWh - t.meterStartWh),
        last_register_wh: t.lastRegisterWh === null ? null : t.lastRegisterWh.toFixed(3),
        stop_reason: t.stopReason,
        month: t.stoppedAtUs === null ? null : micros(t.stoppedAtUs).slice(0, 7),
        transaction_status: t.stoppedAtUs === null ? 'open' : 'completed',
      }))
      .sort((a, b) => a.charge_point_id.localeCompare(b.charge_point_id) || a.started.localeCompare(b.started));
    expect(truth.length).toBeGreaterThan(100);
    expect(rows).toEqual(expected);
  });

  it('reuses transaction ids after reboots and still attributes every stop and sample correctly', async () => {
    const [reused] = await run.query(
      `select count(*) as ids from (select charge_point_id, transaction_id from fct_transactions group by all having count(*) > 1)`,
    );
    const perKey = new Map<string, number>();
    for (const t of truth)
      perKey.set(`${t.chargePointId}/${t.transactionId}`, (perKey.get(`${t.chargePointId}/${t.transactionId}`) ?? 0) + 1);
    const reusedInTruth = [...perKey.values()].filter((count) => count > 1).length;
    expect(Number(reused!.ids)).toBe(reusedInTruth);
    expect(Number(reused!.ids)).toBeGreaterThan(0);
  });
});

describe('both log dialects', () => {
  it('give identical facts for the same traffic', async () => {
    const [envelopeRun, flatRun] = await Promise.all([generateAndRun('envelope', 77), generateAndRun('flat', 77, true)]);
    const facts = `select * ${EXCLUDED_LINEAGE} from fct_transactions order by charge_point_id, started_at, stopped_at`;
    const envelopeFacts = await envelopeRun.query(facts);
    expect(envelopeFacts.length).toBeGreaterThan(100);
    expect(await flatRun.query(facts)).toEqual(envelopeFacts);
    const chargePoints = `select * from dim_charge_points order by charge_point_id`;
    expect(await flatRun.query(chargePoints)).toEqual(await envelopeRun.query(chargePoints));
    // two whole nights side by side (every run now also writes the status page): on a shared
    // two-core machine under the whole suite this took 119-120 s, at the default limit
  }, 240_000);
});
