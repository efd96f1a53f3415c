import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { envelope, runOn, type TestRun } from './helpers.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PROJECT_ROOT, 'bin', 'ocpp-report.mjs');

function dispense(warehouse: string, chargePointId: string, transactionId: number): Promise<Record<string, unknown>[]> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [
        CLI,
        'query',
        'dispense',
        '--charge-point',
        chargePointId,
        '--transaction',
        String(transactionId),
        '--warehouse',
        warehouse,
        '--format',
        'json',
      ],
      { cwd: PROJECT_ROOT, timeout: 90_000 },
      (error, stdout, stderr) =>
        error ? fail(new Error(`${error.message}\n${stderr}`)) : done(JSON.parse(stdout) as Record<string, unknown>[]),
    );
  });
}

const start = (cp: string, at: string, uid: string, meterStart = 1000) =>
  envelope.call(cp, at, uid, 'StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart, timestamp: '2024-04-29T10:00:00Z' });
const accepted = (cp: string, at: string, uid: string, transactionId: number, status = 'Accepted') =>
  envelope.result(cp, at, uid, { transactionId, idTagInfo: { status } });
const stop = (cp: string, at: string, uid: string, transactionId: number, meterStop = 6000) =>
  envelope.call(cp, at, uid, 'StopTransaction', { transactionId, meterStop, timestamp: '2024-04-29T11:00:00Z' });
const register = (cp: string, at: string, uid: string, transactionId: number, value: string, unit: string) =>
  envelope.call(cp, at, uid, 'MeterValues', {
    connectorId: 1,
    transactionId,
    meterValue: [{ timestamp: at, sampledValue: [{ value, measurand: 'Energy.Active.Import.Register', unit }] }],
  });

/**
 * Retransmissions and duplicates the way firmware sends them. Hand-worked: every charge point has
 * one session, meterStart 1000 Wh and meterStop 6000 Wh, 10:00 to 11:00 — 5000 Wh, 3600 s — unless
 * its comment says otherwise.
 */
describe('retransmitted and duplicated messages', () => {
  let run: TestRun;
  beforeAll(async () => {
    run = await runOn({
      'a.ndjson': [
        // the same StartTransaction twice, the second answered ConcurrentTx with the same id
        start('CP-SAME', '2024-04-29T10:00:01Z', 's1'),
        accepted('CP-SAME', '2024-04-29T10:00:02Z', 's1', 7),
        start('CP-SAME', '2024-04-29T10:00:31Z', 's2'),
        accepted('CP-SAME', '2024-04-29T10:00:32Z', 's2', 7, 'ConcurrentTx'),
        stop('CP-SAME', '2024-04-29T11:00:01Z', 'e1', 7),
        // the copy was given another id, and the charge point stopped that one: it wins
        start('CP-OTHER', '2024-04-29T10:00:01Z', 's1'),
        accepted('CP-OTHER', '2024-04-29T10:00:02Z', 's1', 8),
        start('CP-OTHER', '2024-04-29T10:00:31Z', 's2'),
        accepted('CP-OTHER', '2024-04-29T10:00:32Z', 's2', 9),
        stop('CP-OTHER', '2024-04-29T11:00:01Z', 'e1', 9),
        // the first copy got a CALLERROR (no id), the retry an id
        start('CP-ERROR', '2024-04-29T10:00:01Z', 's1'),
        envelope.error('CP-ERROR', '2024-04-29T10:00:02Z', 's1', 'InternalError', 'try again'),
        start('CP-ERROR', '2024-04-29T10:00:31Z', 's2'),
        accepted('CP-ERROR', '2024-04-29T10:00:32Z', 's2', 3),
        stop('CP-ERROR', '2024-04-29T11:00:01Z', 'e1', 3),
        // a start answered only by a CALLERROR: no transaction was assigned, nothing is billed
        start('CP-REFUSED', '2024-04-29T10:00:01Z', 's1'),
        envelope.error('CP-REFUSED', '2024-04-29T10:00:02Z', 's1', 'InternalError', 'no'),
        // StopTransaction and MeterValues resent with new unique ids: each counts once
        start('CP-RESENT', '2024-04-29T10:00:01Z', 's1'),
        accepted('CP-RESENT', '2024-04-29T10:00:02Z', 's1', 5),
        register('CP-RESENT', '2024-04-29T10:30:00Z', 'm1', 5, '146659.8', 'Wh'),
        register('CP-RESENT', '2024-04-29T10:30:00Z', 'm2', 5, '146659.8', 'Wh'),
        stop('CP-RESENT', '2024-04-29T11:00:01Z', 'e1', 5),
        stop('CP-RESENT', '2024-04-29T11:00:31Z', 'e2', 5),
        // a second stop with other figures is flagged; the first is billed
        start('CP-TWICE', '2024-04-29T10:00:01Z', 's1'),
        accepted('CP-TWICE', '2024-04-29T10:00:02Z', 's1', 6),
        register('CP-TWICE', '2024-04-29T10:30:00Z', 'm1', 6, '11730.1', 'kWh'),
        stop('CP-TWICE', '2024-04-29T11:00:01Z', 'e1', 6),
        stop('CP-TWICE', '2024-04-29T11:05:01Z', 'e2', 6, 6500),
        // replies whose CALL is not in the data, and a stop whose start is not, sent twice
        accepted('CP-ORPHAN', '2024-04-29T10:00:02Z', 'gone', 11),
        envelope.result('CP-ORPHAN', '2024-04-29T10:00:03Z', 'gone-too', {}),
        stop('CP-ORPHAN', '2024-04-29T11:00:01Z', 'e1', 12),
        stop('CP-ORPHAN', '2024-04-29T11:00:31Z', 'e2', 12),
        // numbers as numeric strings, as the flat dialect and some firmware send them
        JSON.stringify({
          message_id: 'f1',
          message_type: 2,
          charge_point_id: 'CP-STRINGS',
          action: 'StartTransaction',
          write_timestamp: '2024-04-29T10:00:01+00:00',
          body: JSON.stringify({ connector_id: '1', id_tag: 'TAG', meter_start: '1000', timestamp: '2024-04-29T10:00:00Z' }),
        }),
        JSON.stringify({
          message_id: 'f1',
          message_type: 3,
          charge_point_id: 'CP-STRINGS',
          action: 'StartTransaction',
          write_timestamp: '2024-04-29T10:00:02+00:00',
          body: JSON.stringify({ transaction_id: 4, id_tag_info: { status: 'Accepted' } }),
        }),
        JSON.stringify({
          message_id: 'f2',
          message_type: 2,
          charge_point_id: 'CP-STRINGS',
          action: 'StopTransaction',
          write_timestamp: '2024-04-29T11:00:01+00:00',
          body: JSON.stringify({ transaction_id: '4', meter_stop: '6000', timestamp: '2024-04-29T11:00:00Z' }),
        }),
        // the NaN of the issue: quarantined, the run goes on
        '{"charge_point_id":"CP-NAN","received_at":"2024-04-29T11:00:00Z","frame":[2,"n1","StopTransaction",{"transactionId":1,"meterStop":NaN,"timestamp":"2024-04-29T11:00:00Z"}]}',
      ],
    });
  });

  it('counts each session once, with the figures a billing clerk would accept, and flags what was sent twice', async () => {
    expect(
      await run.query(
        `select charge_point_id, transaction_id, transaction_status, energy_wh, duration_s, last_register_wh::varchar as last_register_wh,
                flags::varchar as flags
         from fct_transactions order by charge_point_id, transaction_id`,
      ),
    ).toEqual([
      {
        charge_point_id: 'CP-ERROR',
        transaction_id: '3',
        transaction_status: 'completed',
        energy_wh: '5000',
        duration_s: '3600',
        last_register_wh: null,
        flags: '[start_retransmitted]',
      },
      // two stops without their start, the same stop sent twice: one row
      {
        charge_point_id: 'CP-ORPHAN',
        transaction_id: '12',
        transaction_status: 'stop_without_start',
        energy_wh: null,
        duration_s: null,
        last_register_wh: null,
        flags: '[stop_without_start]',
      },
      // the id the charge point stopped (9) wins over the first reply's (8)
      {
        charge_point_id: 'CP-OTHER',
        transaction_id: '9',
        transaction_status: 'completed',
        energy_wh: '5000',
        duration_s: '3600',
        last_register_wh: null,
        flags: '[start_retransmitted]',
      },
      // identical resends of the stop and the sample count once, unflagged
      {
        charge_point_id: 'CP-RESENT',
        transaction_id: '5',
        transaction_status: 'completed',
        energy_wh: '5000',
        duration_s: '3600',
        last_register_wh: '146659.800',
        flags: '[register_disagrees]',
      },
      {
        charge_point_id: 'CP-SAME',
        transaction_id: '7',
        transaction_status: 'completed',
        energy_wh: '5000',
        duration_s: '3600',
        last_register_wh: null,
        flags: '[start_retransmitted]',
      },
      {
        charge_point_id: 'CP-STRINGS',
        transaction_id: '4',
        transaction_status: 'completed',
        energy_wh: '5000',
        duration_s: '3600',
        last_register_wh: null,
        flags: '[]',
      },
      // 11730.1 kWh = 11730100 Wh exactly; the later stop (6500 Wh) differs: flagged, the first billed
      {
        charge_point_id: 'CP-TWICE',
        transaction_id: '6',
        transaction_status: 'completed',
        energy_wh: '5000',
        duration_s: '3600',
        last_register_wh: '11730100.000',
        flags: '[stopped_more_than_once, register_disagrees]',
      },
    ]);
  });

  it('quarantines the NaN line with its reason and warns about the numeric strings', async () => {
    expect(await run.query(`select line_no, reason from quarantine`)).toEqual([
      { line_no: '36', reason: 'payload holds NaN or Infinity, which JSON has no number for' },
    ]);
    const warnings = await run.query(`select reason from payload_warnings order by reason`);
    expect(warnings.map((row) => row.reason)).toEqual([
      'StartTransaction payload /connectorId is the numeric string "1", read as the integer 1 (OCPP 1.6 schema wants a number)',
      'StartTransaction payload /meterStart is the numeric string "1000", read as the integer 1000 (OCPP 1.6 schema wants a number)',
      'StopTransaction payload /meterStop is the numeric string "6000", read as the integer 6000 (OCPP 1.6 schema wants a number)',
      'StopTransaction payload /transactionId is the numeric string "4", read as the integer 4 (OCPP 1.6 schema wants a number)',
    ]);
  });

  it('query dispense gives the register exactly as the meter reported it', async () => {
    expect(await dispense(run.warehouse, 'CP-RESENT', 5)).toEqual([
      {
        charge_point_id: 'CP-RESENT',
        transaction_id: 5,
        energy_register_wh: 146659.8,
        sampled_at: '2024-04-29T10:30:00.000000Z',
        source: 'MeterValues',
      },
    ]);
    expect(await dispense(run.warehouse, 'CP-TWICE', 6)).toEqual([
      {
        charge_point_id: 'CP-TWICE',
        transaction_id: 6,
        energy_register_wh: 11730100,
        sampled_at: '2024-04-29T10:30:00.000000Z',
        source: 'MeterValues',
      },
    ]);
  });
});
