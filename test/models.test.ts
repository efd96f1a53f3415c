import { describe, expect, it } from 'vitest';
import { envelope, runOn } from './helpers.ts';

// Hand-worked fixtures, one block per model: a few raw envelope lines in, the exact rows out.
const { call, result, error } = envelope;
const ts = (text: string) => `2024-01-15T${text}Z`;

describe('staging', () => {
  it('stg_ocpp__start_transactions and stg_ocpp__stop_transactions cast payloads, any offset to UTC', async () => {
    const run = await runOn({
      'a.ndjson': [
        call('CP1', ts('10:00:01.5'), 's1', 'StartTransaction', {
          connectorId: 2,
          idTag: 'TAG',
          meterStart: 1000,
          timestamp: '2024-01-15T11:00:00.250+01:00',
        }),
        call('CP1', ts('11:00:00'), 'p1', 'StopTransaction', {
          transactionId: 7,
          meterStop: 1500,
          timestamp: '2024-01-15T10:59:59Z',
          reason: 'Local',
        }),
      ],
    });
    expect(
      await run.query(
        `select charge_point_id, connector_id, id_tag, meter_start_wh, strftime(started_at, '%H:%M:%S.%f') as started from stg_ocpp__start_transactions`,
      ),
    ).toEqual([{ charge_point_id: 'CP1', connector_id: 2, id_tag: 'TAG', meter_start_wh: '1000', started: '10:00:00.250000' }]);
    expect(
      await run.query(
        `select transaction_id, meter_stop_wh, stop_reason, strftime(stopped_at, '%H:%M:%S') as stopped from stg_ocpp__stop_transactions`,
      ),
    ).toEqual([{ transaction_id: '7', meter_stop_wh: '1500', stop_reason: 'Local', stopped: '10:59:59' }]);
  });

  it('stg_ocpp__meter_values applies the OCPP defaults (measurand, unit) and keeps phases apart', async () => {
    const run = await runOn({
      'a.ndjson': [
        call('CP1', ts('10:01:00'), 'm1', 'MeterValues', {
          connectorId: 1,
          transactionId: 3,
          meterValue: [
            {
              timestamp: ts('10:00:59'),
              sampledValue: [
                { value: '1200' },
                { value: '400', phase: 'L1' },
                { value: '1.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register' },
              ],
            },
          ],
        }),
      ],
    });
    expect(await run.query(`select measurand, phase, unit, value_text from stg_ocpp__meter_values order by value_text`)).toEqual([
      { measurand: 'Energy.Active.Import.Register', phase: null, unit: 'kWh', value_text: '1.5' },
      { measurand: 'Energy.Active.Import.Register', phase: null, unit: 'Wh', value_text: '1200' },
      { measurand: 'Energy.Active.Import.Register', phase: 'L1', unit: 'Wh', value_text: '400' },
    ]);
  });
});

describe('base_ocpp__lines and quarantine', () => {
  it('quarantines each kind of bad line with its reason and keeps the good ones', async () => {
    const good = call('CP1', ts('10:00:00'), 'h1', 'Heartbeat', {});
    const run = await runOn({
      'a.ndjson': [
        good,
        'not json at all',
        '[1,2,3]',
        '{"hello":"world"}',
        JSON.stringify({ charge_point_id: 'CP1', received_at: ts('10:00:00'), frame: [2, 'x', 'Heartbeat'] }),
        JSON.stringify({ charge_point_id: 'CP1', received_at: ts('10:00:00'), frame: [9, 'x', {}] }),
        JSON.stringify({ received_at: ts('10:00:00'), frame: [2, 'x', 'Heartbeat', {}] }),
        JSON.stringify({ charge_point_id: 'CP1', received_at: 'yesterday', frame: [2, 'x', 'Heartbeat', {}] }),
        JSON.stringify({ charge_point_id: 'CP1', received_at: ts('10:00:00'), frame: [2, 'x', 'Heartbeat', 'oops'] }),
        '',
      ],
    });
    expect(await run.query(`select line_no, reason from quarantine order by line_no`)).toEqual([
      { line_no: '2', reason: 'not JSON' },
      { line_no: '3', reason: 'not a JSON object (got array)' },
      { line_no: '4', reason: 'unknown dialect: neither an envelope ("frame") nor a flat record ("message_type" and "body")' },
      { line_no: '5', reason: 'frame of wrong arity for message type 2' },
      { line_no: '6', reason: 'unknown message type (expected 2 CALL, 3 CALLRESULT or 4 CALLERROR)' },
      { line_no: '7', reason: 'missing charge point id' },
      { line_no: '8', reason: 'bad log timestamp (not an ISO 8601 date-time): yesterday' },
      { line_no: '9', reason: 'payload is not a JSON object' },
    ]);
    expect(run.summary.lines).toEqual({ read: 10, loaded: 1, quarantined: 8, blank: 1 });
  });
});

describe('int_ocpp__replies', () => {
  it('pairs a reply with the latest call of the same id on the same charge point, and keeps CALLERRORs', async () => {
    const run = await runOn({
      'a.ndjson': [
        call('CP1', ts('10:00:00'), 'same', 'Heartbeat', {}),
        call('CP2', ts('10:00:00.5'), 'same', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }),
        result('CP1', ts('10:00:01'), 'same', { currentTime: ts('10:00:01') }),
        result('CP2', ts('10:00:01'), 'same', {}),
        call('CP1', ts('10:05:00'), 'same', 'Authorize', { idTag: 'X' }),
        error('CP1', ts('10:05:01'), 'same', 'NotImplemented', 'no'),
        result('CP3', ts('10:06:00'), 'orphan', {}),
      ],
    });
    expect(
      await run.query(
        `select charge_point_id, message_type_id, action, error_code, strftime(call_logged_at, '%H:%M:%S.%f') as call_at from int_ocpp__replies order by logged_at, charge_point_id`,
      ),
    ).toEqual([
      { charge_point_id: 'CP1', message_type_id: 3, action: 'Heartbeat', error_code: null, call_at: '10:00:00.000000' },
      { charge_point_id: 'CP2', message_type_id: 3, action: 'StatusNotification', error_code: null, call_at: '10:00:00.500000' },
      { charge_point_id: 'CP1', message_type_id: 4, action: 'Authorize', error_code: 'NotImplemented', call_at: '10:05:00.000000' },
      // a reply whose call is not (yet) in the data is kept, unpaired
      { charge_point_id: 'CP3', message_type_id: 3, action: null, error_code: null, call_at: null },
    ]);
  });
});

describe('int_transactions and fct_transactions', () => {
  // CP1 reboots between two sessions and the central system hands out transaction id 1 twice;
  // a MeterValues of the first session arrives after its stop; CP2 stops a transaction whose
  // start is not in the data; CP1's third session never stops.
  const lines = [
    call('CP1', ts('08:00:00'), 'b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }),
    result('CP1', ts('08:00:01'), 'b1', { status: 'Accepted', currentTime: ts('08:00:01'), interval: 60 }),
    call('CP1', ts('09:00:01'), 's1', 'StartTransaction', {
      connectorId: 1,
      idTag: 'ALICE',
      meterStart: 10_000,
      timestamp: ts('09:00:00.900'),
    }),
    result('CP1', ts('09:00:02'), 's1', { transactionId: 1, idTagInfo: { status: 'Accepted' } }),
    call('CP1', ts('09:30:00'), 'm1', 'MeterValues', {
      connectorId: 1,
      transactionId: 1,
      meterValue: [{ timestamp: ts('09:30:00'), sampledValue: [{ value: '12.5', unit: 'kWh' }] }],
    }),
    call('CP1', ts('10:00:00.300'), 'p1', 'StopTransaction', {
      transactionId: 1,
      meterStop: 13_001,
      timestamp: ts('10:00:00.100'),
      reason: 'EVDisconnected',
    }),
    // sampled before the stop, logged after it
    call('CP1', ts('10:00:05'), 'm2', 'MeterValues', {
      connectorId: 1,
      transactionId: 1,
      meterValue: [
        { timestamp: ts('09:59:59'), sampledValue: [{ value: '12999', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] },
      ],
    }),
    call('CP1', ts('11:00:00'), 'b2', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }),
    call('CP1', ts('12:00:01'), 's2', 'StartTransaction', { connectorId: 2, idTag: 'BOB', meterStart: 500, timestamp: ts('12:00:00') }),
    result('CP1', ts('12:00:02'), 's2', { transactionId: 1, idTagInfo: { status: 'Accepted' } }),
    call('CP1', ts('12:45:30.999999'), 'p2', 'StopTransaction', { transactionId: 1, meterStop: 2_500, timestamp: ts('12:45:30.999999') }),
    call('CP2', ts('13:00:00'), 'p3', 'StopTransaction', { transactionId: 42, meterStop: 900, timestamp: ts('13:00:00') }),
    call('CP1', ts('14:00:01'), 's3', 'StartTransaction', {
      connectorId: 1,
      idTag: 'CAROL',
      meterStart: 13_001,
      timestamp: ts('14:00:00'),
    }),
    result('CP1', ts('14:00:02'), 's3', { transactionId: 2, idTagInfo: { status: 'Accepted' } }),
  ];

  it('matches each stop to the latest start with its id, and keeps open and orphan transactions', async () => {
    const run = await runOn({ 'a.ndjson': lines });
    const rows = await run.query(
      `select charge_point_id, transaction_id, connector_id, id_tag, strftime(started_at, '%H:%M:%S.%f') as started,
              strftime(stopped_at, '%H:%M:%S.%f') as stopped, duration_s, energy_wh, energy_kwh, last_register_wh,
              stop_reason, month, transaction_status
       from fct_transactions order by charge_point_id, started_at nulls last`,
    );
    expect(rows).toEqual([
      // 10:00:00.100 - 09:00:00.900 = 59 min 59.2 s -> 3599 s; 13001 - 10000 = 3001 Wh
      // last register: the 09:59:59 sample (12999 Wh) is later by sample time than 09:30 (12.5 kWh)
      {
        charge_point_id: 'CP1',
        transaction_id: '1',
        connector_id: 1,
        id_tag: 'ALICE',
        started: '09:00:00.900000',
        stopped: '10:00:00.100000',
        duration_s: '3599',
        energy_wh: '3001',
        energy_kwh: 3.001,
        last_register_wh: '12999.000',
        stop_reason: 'EVDisconnected',
        month: '2024-01',
        transaction_status: 'completed',
      },
      // 12:45:30.999999 - 12:00:00 = 2730.999999 s -> 2730 s
      {
        charge_point_id: 'CP1',
        transaction_id: '1',
        connector_id: 2,
        id_tag: 'BOB',
        started: '12:00:00.000000',
        stopped: '12:45:30.999999',
        duration_s: '2730',
        energy_wh: '2000',
        energy_kwh: 2,
        last_register_wh: null,
        stop_reason: null,
        month: '2024-01',
        transaction_status: 'completed',
      },
      {
        charge_point_id: 'CP1',
        transaction_id: '2',
        connector_id: 1,
        id_tag: 'CAROL',
        started: '14:00:00.000000',
        stopped: null,
        duration_s: null,
        energy_wh: null,
        energy_kwh: null,
        last_register_wh: null,
        stop_reason: null,
        month: null,
        transaction_status: 'open',
      },
      {
        charge_point_id: 'CP2',
        transaction_id: '42',
        connector_id: null,
        id_tag: null,
        started: null,
        stopped: '13:00:00.000000',
        duration_s: null,
        energy_wh: null,
        energy_kwh: null,
        last_register_wh: null,
        stop_reason: null,
        month: '2024-01',
        transaction_status: 'stop_without_start',
      },
    ]);
  });

  it('computes the month in the report time zone', async () => {
    const run = await runOn(
      {
        'a.ndjson': [
          call('CP1', ts('22:00:01').replace('15', '31'), 's1', 'StartTransaction', {
            connectorId: 1,
            idTag: 'A',
            meterStart: 0,
            timestamp: '2024-01-31T22:00:00Z',
          }),
          result('CP1', ts('22:00:02').replace('15', '31'), 's1', { transactionId: 1, idTagInfo: { status: 'Accepted' } }),
          call('CP1', '2024-01-31T23:30:00Z', 'p1', 'StopTransaction', {
            transactionId: 1,
            meterStop: 10,
            timestamp: '2024-01-31T23:30:00Z',
          }),
        ],
      },
      { timezone: 'Europe/Berlin' },
    );
    // 23:30 UTC on 31 January is 00:30 on 1 February in Berlin
    expect(await run.query(`select month from fct_transactions`)).toEqual([{ month: '2024-02' }]);
  });

  it('dim_charge_points: last seen over every message, latest boot and its heartbeat interval', async () => {
    const run = await runOn({ 'a.ndjson': lines });
    expect(
      await run.query(
        `select charge_point_id, strftime(last_seen_at, '%H:%M:%S') as last_seen, strftime(last_boot_at, '%H:%M:%S') as last_boot, heartbeat_interval_s from dim_charge_points order by 1`,
      ),
    ).toEqual([
      // the 11:00 reboot has no reply in the data, so its interval is unknown
      { charge_point_id: 'CP1', last_seen: '14:00:02', last_boot: '11:00:00', heartbeat_interval_s: null },
      { charge_point_id: 'CP2', last_seen: '13:00:00', last_boot: null, heartbeat_interval_s: null },
    ]);
  });
});

describe('int_meter_samples', () => {
  // CP1's firmware sends transaction id 7 for every session (20 sessions over three days, more
  // than the 16 starts after which the model cuts an id's intervals into days); CP2 reuses id 1
  // once after a reboot. Each session samples twice: at its start's log time (a sample logged
  // exactly then belongs to it) and 30 minutes later; CP2 also samples before any start.
  const at = (hours: number) => new Date(Date.UTC(2024, 0, 15) + hours * 3_600_000).toISOString();
  const lines: string[] = [];
  const expected: { sample: string; start: string | null }[] = [];
  const session = (cp: string, id: number, key: string, hours: number) => {
    lines.push(call(cp, at(hours), `s-${key}`, 'StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: at(hours) }));
    lines.push(result(cp, at(hours + 0.001), `s-${key}`, { transactionId: id, idTagInfo: { status: 'Accepted' } }));
    for (const [offset, suffix] of [
      [0, 'a'],
      [0.5, 'b'],
    ] as const) {
      const sample = `${key}${suffix}`;
      lines.push(
        call(cp, at(hours + offset), `m-${sample}`, 'MeterValues', {
          connectorId: 1,
          transactionId: id,
          meterValue: [{ timestamp: at(hours + offset), sampledValue: [{ value: '1.0005', unit: 'kWh' }] }],
        }),
      );
      expected.push({ sample: `m-${sample}`, start: `s-${key}` });
    }
  };
  lines.push(
    call('CP2', at(-1), 'm-early', 'MeterValues', {
      connectorId: 1,
      transactionId: 1,
      meterValue: [{ timestamp: at(-1), sampledValue: [{ value: '5' }] }],
    }),
  );
  expected.push({ sample: 'm-early', start: null });
  for (let index = 0; index < 20; index += 1) session('CP1', 7, `cp1-${index}`, index * 3.5);
  session('CP2', 1, 'cp2-0', 1);
  session('CP2', 1, 'cp2-1', 30);

  it('attributes each sample to the latest start with its id logged at or before it, and converts to the base unit', async () => {
    // any file order: attribution follows log times, not the order lines arrive in
    const run = await runOn({ 'b.ndjson': lines.slice(40), 'a.ndjson': lines.slice(0, 40) });
    const rows = await run.query(
      `select samples.file_id, samples.line_no, samples.unit, samples.reported_unit, samples.base_value, starts.line_no as start_line_no, starts.file_id as start_file_id
       from int_meter_samples as samples
       left join base_ocpp__lines as starts on samples.start_file_id = starts.file_id and samples.start_line_no = starts.line_no`,
    );
    const uniqueIds = await run.query(`select file_id, line_no, unique_id from base_ocpp__lines`);
    const idOf = new Map(uniqueIds.map((row) => [`${row.file_id}:${row.line_no}`, String(row.unique_id)]));
    const actual = rows
      .map((row) => ({
        sample: idOf.get(`${row.file_id}:${row.line_no}`)!,
        start: row.start_line_no === null ? null : idOf.get(`${row.start_file_id}:${row.start_line_no}`)!,
      }))
      .sort((a, b) => a.sample.localeCompare(b.sample));
    expect(actual).toEqual([...expected].sort((a, b) => a.sample.localeCompare(b.sample)));
    // 1.0005 kWh is 1000.5 Wh exactly (a double product would give 1000.4999...)
    const kwh = rows.filter((row) => row.reported_unit === 'kWh');
    expect(new Set(kwh.map((row) => `${row.unit} ${row.base_value}`))).toEqual(new Set(['Wh 1000.5']));
  });
});

describe('fct_transactions flags', () => {
  it('flags what a reviewer must look at, and keeps the rows', async () => {
    const start = (cp: string, uid: string, loggedAt: string, meterStart: number, timestamp: string, txId: number) => [
      call(cp, loggedAt, uid, 'StartTransaction', { connectorId: 1, idTag: 'T', meterStart, timestamp }),
      result(
        cp,
        loggedAt.replace(/(\d\d)Z$/, (_, s: string) => `${String(Number(s) + 1).padStart(2, '0')}Z`),
        uid,
        { transactionId: txId, idTagInfo: { status: 'Accepted' } },
      ),
    ];
    const stop = (cp: string, uid: string, loggedAt: string, meterStop: number, timestamp: string, txId: number) =>
      call(cp, loggedAt, uid, 'StopTransaction', { transactionId: txId, meterStop, timestamp });
    const sample = (cp: string, uid: string, at: string, txId: number, wh: number) =>
      call(cp, at, uid, 'MeterValues', {
        connectorId: 1,
        transactionId: txId,
        meterValue: [{ timestamp: at, sampledValue: [{ value: String(wh) }] }],
      });
    const run = await runOn({
      'a.ndjson': [
        // clean: 1 kW for one hour, lifetime register sampled 10 minutes before the stop
        ...start('OK', 's1', '2024-03-01T10:00:00Z', 5000, '2024-03-01T10:00:00Z', 1),
        sample('OK', 'm1', '2024-03-01T10:50:00Z', 1, 5833),
        stop('OK', 'p1', '2024-03-01T11:00:00Z', 6000, '2024-03-01T11:00:00Z', 1),
        // meter reset: stop below start
        ...start('RESET', 's2', '2024-03-01T10:00:00Z', 900000, '2024-03-01T10:00:00Z', 1),
        stop('RESET', 'p2', '2024-03-01T11:00:00Z', 1200, '2024-03-01T11:00:00Z', 1),
        // stop timestamp before start timestamp
        ...start('BACKWARDS', 's3', '2024-03-01T10:00:00Z', 0, '2024-03-01T10:00:00Z', 1),
        stop('BACKWARDS', 'p3', '2024-03-01T10:00:01Z', 10, '2024-03-01T09:59:59Z', 1),
        // eight days plugged in
        ...start('LONG', 's4', '2024-03-01T10:00:00Z', 0, '2024-03-01T10:00:00Z', 1),
        stop('LONG', 'p4', '2024-03-09T10:00:01Z', 10, '2024-03-09T10:00:01Z', 1),
        // the register says 2 kWh where meterStop − meterStart says 1 kWh (neither lifetime nor per session)
        ...start('REGISTER', 's5', '2024-03-01T10:00:00Z', 5000, '2024-03-01T10:00:00Z', 1),
        sample('REGISTER', 'm5', '2024-03-01T11:00:00Z', 1, 8000),
        stop('REGISTER', 'p5', '2024-03-01T11:00:00Z', 6000, '2024-03-01T11:00:00Z', 1),
        // the charge point's clock is an hour behind the central system's
        ...start('SKEW', 's6', '2024-03-01T10:00:00Z', 0, '2024-03-01T09:00:00Z', 1),
        stop('SKEW', 'p6', '2024-03-01T11:00:00Z', 1000, '2024-03-01T10:00:00Z', 1),
        stop('ORPHAN', 'p7', '2024-03-01T11:00:00Z', 1000, '2024-03-01T11:00:00Z', 9),
        // a retried stop with a different reading: the first is billed, the second is not lost silently
        ...start('TWICE', 's8', '2024-03-01T10:00:00Z', 0, '2024-03-01T10:00:00Z', 1),
        stop('TWICE', 'p8', '2024-03-01T11:00:00Z', 1000, '2024-03-01T11:00:00Z', 1),
        stop('TWICE', 'p9', '2024-03-01T11:00:05Z', 1004, '2024-03-01T11:00:05Z', 1),
      ],
    });
    expect(await run.query(`select charge_point_id, flags from fct_transactions order by charge_point_id`)).toEqual([
      { charge_point_id: 'BACKWARDS', flags: ['non_positive_duration'] },
      { charge_point_id: 'LONG', flags: ['longer_than_7_days'] },
      { charge_point_id: 'OK', flags: [] },
      { charge_point_id: 'ORPHAN', flags: ['stop_without_start'] },
      { charge_point_id: 'REGISTER', flags: ['register_disagrees'] },
      { charge_point_id: 'RESET', flags: ['negative_energy'] },
      { charge_point_id: 'SKEW', flags: ['clock_skew'] },
      { charge_point_id: 'TWICE', flags: ['stopped_more_than_once'] },
    ]);
    expect(await run.query(`select energy_wh from fct_transactions where charge_point_id = 'TWICE'`)).toEqual([{ energy_wh: '1000' }]);
  });
});

describe('stg_ocpp__other_calls and hostile text', () => {
  it('keeps unknown actions, and ids with quotes, semicolons or formulas go through as plain text', async () => {
    const hostile = `'; drop table raw_lines; --`;
    const run = await runOn({
      'a.ndjson': [
        call('CP1', ts('10:00:00'), 'd1', 'DataTransfer', { vendorId: 'acme', data: 'x' }),
        call('CP1', ts('10:00:01'), 'z1', 'FrobnicateWidget', { any: 1 }),
        call(hostile, ts('10:00:02'), 'h1', 'Heartbeat', {}),
        call('=HYPERLINK("http://x")', ts('10:00:03'), 'h2', 'Heartbeat', {}),
      ],
    });
    expect(await run.query(`select action from stg_ocpp__other_calls order by action`)).toEqual([
      { action: 'DataTransfer' },
      { action: 'FrobnicateWidget' },
    ]);
    expect(await run.query(`select charge_point_id from dim_charge_points order by charge_point_id`)).toEqual([
      { charge_point_id: `'; drop table raw_lines; --` },
      { charge_point_id: '=HYPERLINK("http://x")' },
      { charge_point_id: 'CP1' },
    ]);
    expect(await run.query(`select count(*) as n from base_ocpp__lines`)).toEqual([{ n: '4' }]);
  });
});
