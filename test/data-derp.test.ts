import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOn, type TestRun } from './helpers.ts';

// An excerpt in the data-derp simulator's flat dialect: body as a JSON string with snake_case
// keys, one heartbeat message id reused, MeterValues of a transaction sharing a message id,
// 12 sampled values per reading with a per-session register. Transaction 1 carries the
// simulator's published figures (meter_stop 51219, started 12:54:04.750286, "4.29 hours").
// The expected values below are worked out by hand from the raw lines.
const EXCERPT = readFileSync(join(import.meta.dirname, 'fixtures', 'data-derp-excerpt.ndjson'), 'utf8');
const A = '01a0f039-7685-4a7f-9ef6-8d262a7898fb';
const B = '9a3f6e21-5b7d-4c1e-8f2a-3d4b5c6e7f80';

describe('data-derp flat dialect excerpt', () => {
  let run: TestRun;
  beforeAll(async () => {
    run = await runOn({ 'date=2023-01-01/excerpt.ndjson': EXCERPT });
  });

  it('accounts for every line', () => {
    expect(run.summary.lines).toEqual({ read: 32, loaded: 32, quarantined: 0, blank: 0 });
  });

  it('gives each completed transaction its energy to the watt-hour and duration to the second', async () => {
    const rows = await run.query(
      `select charge_point_id, transaction_id, connector_id, strftime(started_at, '%Y-%m-%dT%H:%M:%S.%f') as started,
              strftime(stopped_at, '%Y-%m-%dT%H:%M:%S.%f') as stopped, duration_s, meter_start_wh, meter_stop_wh,
              energy_wh, energy_kwh, last_register_wh, month, transaction_status
       from fct_transactions order by transaction_id`,
    );
    expect(rows).toEqual([
      {
        charge_point_id: A,
        transaction_id: '1',
        connector_id: 1,
        started: '2023-01-01T12:54:04.750286',
        stopped: '2023-01-01T17:11:31.399112',
        // 17:11:31.399112 - 12:54:04.750286 = 4 h 17 min 26.648826 s -> 15446 s (4.29 h published)
        duration_s: '15446',
        meter_start_wh: '0',
        meter_stop_wh: '51219',
        energy_wh: '51219',
        energy_kwh: 51.219,
        // the register restarts per session; the latest sample is "4034.7799999999997" Wh
        last_register_wh: '4034.780',
        month: '2023-01',
        transaction_status: 'completed',
      },
      {
        charge_point_id: B,
        transaction_id: '2',
        connector_id: 2,
        started: '2023-01-01T12:57:35.483812',
        stopped: '2023-01-01T22:20:59.123456',
        // 22:20:59.123456 - 12:57:35.483812 = 9 h 23 min 23.639644 s -> 33803 s
        duration_s: '33803',
        meter_start_wh: '0',
        meter_stop_wh: '2950',
        energy_wh: '2950',
        energy_kwh: 2.95,
        last_register_wh: '2902.100',
        month: '2023-01',
        transaction_status: 'completed',
      },
      {
        charge_point_id: B,
        transaction_id: '3',
        connector_id: 1,
        started: '2023-01-06T20:00:00.000000',
        stopped: null,
        duration_s: null,
        meter_start_wh: '2950',
        meter_stop_wh: null,
        energy_wh: null,
        energy_kwh: null,
        last_register_wh: null,
        month: null,
        transaction_status: 'open',
      },
    ]);
  });

  it('knows when each charge point last connected, replies included', async () => {
    const rows = await run.query(
      `select charge_point_id, strftime(last_seen_at, '%Y-%m-%dT%H:%M:%S.%f') as last_seen,
              strftime(last_boot_at, '%Y-%m-%dT%H:%M:%S.%f') as last_boot, heartbeat_interval_s, vendor, model
       from dim_charge_points order by charge_point_id`,
    );
    expect(rows).toEqual([
      {
        charge_point_id: A,
        last_seen: '2023-01-01T17:11:34.399112',
        last_boot: '2023-01-01T08:48:13.000050',
        heartbeat_interval_s: 300,
        vendor: 'ChargeAwesome LLC',
        model: 'BB-1',
      },
      {
        charge_point_id: B,
        last_seen: '2023-01-06T20:00:02.000000',
        last_boot: '2023-01-01T08:00:13.000050',
        heartbeat_interval_s: 300,
        vendor: 'ChargeAwesome LLC',
        model: 'BB-1',
      },
    ]);
  });

  it('pairs every reply with its own call despite reused message ids', async () => {
    const rows = await run.query(
      `select action, count(*) as replies, count(call_file_id) as paired
       from int_ocpp__replies group by action order by action`,
    );
    expect(rows).toEqual([
      { action: 'BootNotification', replies: '2', paired: '2' },
      { action: 'Heartbeat', replies: '3', paired: '3' },
      { action: 'MeterValues', replies: '4', paired: '4' },
      { action: 'StartTransaction', replies: '3', paired: '3' },
      { action: 'StatusNotification', replies: '2', paired: '2' },
      { action: 'StopTransaction', replies: '2', paired: '2' },
    ]);
    const heartbeats = await run.query(
      `select strftime(logged_at, '%H:%M:%S') as reply_at, strftime(call_logged_at, '%H:%M:%S') as call_at
       from int_ocpp__replies where action = 'Heartbeat' and charge_point_id = $cp order by logged_at`,
      { cp: B },
    );
    expect(heartbeats).toEqual([
      { reply_at: '08:01:14', call_at: '08:01:13' },
      { reply_at: '08:06:14', call_at: '08:06:13' },
    ]);
  });

  it('counts per-phase and non-energy values out of the register', async () => {
    const rows = await run.query(`select count(*) as samples from int_energy_register_samples`);
    // four MeterValues, each with exactly one whole-meter Energy.Active.Import.Register value
    expect(rows).toEqual([{ samples: '4' }]);
  });
});
