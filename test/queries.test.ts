import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { envelope, runOn, type TestRun, tempDir } from './helpers.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PROJECT_ROOT, 'bin', 'ocpp-report.mjs');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a child process; never throws on a non-zero exit. */
function cli(args: string[]): Promise<CliResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: PROJECT_ROOT, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
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

async function json(args: string[]): Promise<Record<string, unknown>[]> {
  const result = await cli([...args, '--format', 'json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>[];
}

/*
 * The fixture, by hand (all 2024-03-10, UTC; boots hand out a 300 s heartbeat interval):
 *
 * CP-A  08:00:00.000  BootNotification        08:00:00.250 reply (interval 300)
 *       08:05:00.000  Heartbeat               08:05:00.100 reply
 *       08:06:00.000  StartTransaction conn 1, TAG-A, meterStart 1000, timestamp 08:05:59
 *       08:06:00.200  reply transactionId 7
 *       08:06:01.000  StatusNotification Charging   08:06:01.100 reply
 *       08:07:00.000  MeterValues tx 7 sampled 08:07:00 register 1500
 *       08:09:00.000  MeterValues tx 7 sampled 08:09:00 register 2600 (+ an L1 phase value 999999 that must not count)
 *       08:10:00.000  MeterValues tx 7 sampled 08:08:00 register 2100  <- logged last, sampled earlier
 *       08:10:00.050  Heartbeat               08:10:00.100 reply
 *       08:15:30.000  StopTransaction tx 7, meterStop 3000, timestamp 08:15:29.500, Local
 *       08:15:30.400  reply
 *       08:15:31.000  StatusNotification Finishing  08:15:31.100 reply   <- CP-A last seen (a reply)
 *
 * CP-B  08:01:00.000  BootNotification        08:01:00.300 reply (interval 300)
 *       08:02:00.000  StartTransaction conn 2, TAG-B, meterStart 50000, timestamp 08:01:59
 *       08:02:00.500  reply transactionId 3   (never stopped: open)
 *       08:02:01.000  StatusNotification conn 2 Charging    08:02:01.100 reply
 *       08:03:00.000  StatusNotification conn 1 Available   08:03:00.100 reply  <- later, but not the charging connector
 *       08:06:00.000  Heartbeat               08:06:00.200 reply     <- CP-B last seen (a reply)
 *
 * Completed tx 7: duration trunc(08:15:29.5 - 08:05:59) = 570 s, energy 3000 - 1000 = 2000 Wh,
 * last register = the sample with the latest sampled_at (08:09:00) = 2600 Wh.
 */
const DAY = '2024-03-10';
const t = (time: string) => `${DAY}T${time}Z`;

const FIXTURE_A = [
  envelope.call('CP-A', t('08:00:00.000000'), 'a-boot', 'BootNotification', { chargePointVendor: 'Voltaro', chargePointModel: 'VX-22' }),
  envelope.result('CP-A', t('08:00:00.250000'), 'a-boot', { status: 'Accepted', currentTime: t('08:00:00'), interval: 300 }),
  envelope.call('CP-A', t('08:05:00.000000'), 'a-hb', 'Heartbeat', {}),
  envelope.result('CP-A', t('08:05:00.100000'), 'a-hb', { currentTime: t('08:05:00') }),
  envelope.call('CP-A', t('08:06:00.000000'), 'a-start', 'StartTransaction', {
    connectorId: 1,
    idTag: 'TAG-A',
    meterStart: 1000,
    timestamp: t('08:05:59'),
  }),
  envelope.result('CP-A', t('08:06:00.200000'), 'a-start', { transactionId: 7, idTagInfo: { status: 'Accepted' } }),
  envelope.call('CP-A', t('08:06:01.000000'), 'a-sn1', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' }),
  envelope.result('CP-A', t('08:06:01.100000'), 'a-sn1', {}),
  envelope.call('CP-A', t('08:07:00.000000'), 'a-mv1', 'MeterValues', {
    connectorId: 1,
    transactionId: 7,
    meterValue: [{ timestamp: t('08:07:00'), sampledValue: [{ value: '1500' }] }],
  }),
  envelope.call('CP-A', t('08:09:00.000000'), 'a-mv3', 'MeterValues', {
    connectorId: 1,
    transactionId: 7,
    meterValue: [
      {
        timestamp: t('08:09:00'),
        sampledValue: [
          { value: '2600', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: '999999', measurand: 'Energy.Active.Import.Register', phase: 'L1', unit: 'Wh' },
        ],
      },
    ],
  }),
  envelope.call('CP-A', t('08:10:00.000000'), 'a-mv2', 'MeterValues', {
    connectorId: 1,
    transactionId: 7,
    meterValue: [{ timestamp: t('08:08:00'), sampledValue: [{ value: '2.100', unit: 'kWh' }] }],
  }),
  envelope.call('CP-A', t('08:10:00.050000'), 'a-hb', 'Heartbeat', {}),
  envelope.result('CP-A', t('08:10:00.100000'), 'a-hb', { currentTime: t('08:10:00') }),
  envelope.call('CP-A', t('08:15:30.000000'), 'a-stop', 'StopTransaction', {
    transactionId: 7,
    idTag: 'TAG-A',
    meterStop: 3000,
    timestamp: t('08:15:29.500'),
    reason: 'Local',
  }),
  envelope.result('CP-A', t('08:15:30.400000'), 'a-stop', { idTagInfo: { status: 'Accepted' } }),
  envelope.call('CP-A', t('08:15:31.000000'), 'a-sn2', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing' }),
  envelope.result('CP-A', t('08:15:31.100000'), 'a-sn2', {}),
];

const FIXTURE_B = [
  envelope.call('CP-B', t('08:01:00.000000'), 'b-boot', 'BootNotification', { chargePointVendor: 'Ampere & Co', chargePointModel: 'AC-3' }),
  envelope.result('CP-B', t('08:01:00.300000'), 'b-boot', { status: 'Accepted', currentTime: t('08:01:00'), interval: 300 }),
  envelope.call('CP-B', t('08:02:00.000000'), 'b-start', 'StartTransaction', {
    connectorId: 2,
    idTag: 'TAG-B',
    meterStart: 50000,
    timestamp: t('08:01:59'),
  }),
  envelope.result('CP-B', t('08:02:00.500000'), 'b-start', { transactionId: 3, idTagInfo: { status: 'Accepted' } }),
  envelope.call('CP-B', t('08:02:01.000000'), 'b-sn1', 'StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Charging' }),
  envelope.result('CP-B', t('08:02:01.100000'), 'b-sn1', {}),
  envelope.call('CP-B', t('08:03:00.000000'), 'b-sn2', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }),
  envelope.result('CP-B', t('08:03:00.100000'), 'b-sn2', {}),
  envelope.call('CP-B', t('08:06:00.000000'), 'b-hb', 'Heartbeat', {}),
  envelope.result('CP-B', t('08:06:00.200000'), 'b-hb', { currentTime: t('08:06:00') }),
];

describe('the query commands of the CLI', () => {
  let run: TestRun;

  beforeAll(async () => {
    run = await runOn({
      // Two files so the MeterValues logged later but sampled earlier also comes from a different file order.
      'date=2024-03-10/cp-a.ndjson': FIXTURE_A,
      'date=2024-03-10/cp-b.ndjson': FIXTURE_B,
    });
    expect(run.summary.lines).toEqual({
      read: FIXTURE_A.length + FIXTURE_B.length,
      loaded: FIXTURE_A.length + FIXTURE_B.length,
      quarantined: 0,
      blank: 0,
    });
  });

  const warehouse = () => ['--warehouse', run.warehouse];

  it('query transactions --month lists the completed transaction with its final figures', async () => {
    const rows = await json(['query', 'transactions', '--month', '2024-03', ...warehouse()]);
    expect(rows).toEqual([
      {
        charge_point_id: 'CP-A',
        transaction_id: 7,
        connector_id: 1,
        id_tag: 'TAG-A',
        started_at: '2024-03-10T08:05:59.000000Z',
        stopped_at: '2024-03-10T08:15:29.500000Z',
        duration_s: 570,
        meter_start_wh: 1000,
        meter_stop_wh: 3000,
        energy_wh: 2000,
        energy_kwh: 2,
        stop_reason: 'Local',
        last_register_wh: 2600,
        month: '2024-03',
      },
    ]);
  });

  it('query transactions for a month without stops is empty', async () => {
    expect(await json(['query', 'transactions', '--month', '2024-02', ...warehouse()])).toEqual([]);
  });

  it('query dispense gives the latest register sample by sample time, not by log time', async () => {
    const rows = await json(['query', 'dispense', '--charge-point', 'CP-A', '--transaction', '7', ...warehouse()]);
    expect(rows).toEqual([
      {
        charge_point_id: 'CP-A',
        transaction_id: 7,
        energy_register_wh: 2600,
        sampled_at: '2024-03-10T08:09:00.000000Z',
        source: 'MeterValues',
      },
    ]);
  });

  it('query dispense of an open transaction without samples falls back to meterStart', async () => {
    const rows = await json(['query', 'dispense', '--charge-point', 'CP-B', '--transaction', '3', ...warehouse()]);
    expect(rows).toEqual([
      {
        charge_point_id: 'CP-B',
        transaction_id: 3,
        energy_register_wh: 50000,
        sampled_at: '2024-03-10T08:01:59.000000Z',
        source: 'StartTransaction.meterStart',
      },
    ]);
    // An unknown transaction is no row, not an error.
    expect(await json(['query', 'dispense', '--charge-point', 'CP-B', '--transaction', '7', ...warehouse()])).toEqual([]);
  });

  it('query last-seen gives the latest logged time of any message, replies included', async () => {
    expect(await json(['query', 'last-seen', ...warehouse()])).toEqual([
      { charge_point_id: 'CP-A', last_seen_at: '2024-03-10T08:15:31.100000Z', last_boot_at: '2024-03-10T08:00:00.000000Z' },
      { charge_point_id: 'CP-B', last_seen_at: '2024-03-10T08:06:00.200000Z', last_boot_at: '2024-03-10T08:01:00.000000Z' },
    ]);
    expect(await json(['query', 'last-seen', '--charge-point', 'CP-B', ...warehouse()])).toEqual([
      { charge_point_id: 'CP-B', last_seen_at: '2024-03-10T08:06:00.200000Z', last_boot_at: '2024-03-10T08:01:00.000000Z' },
    ]);
  });

  it('query active --at lists charge points seen within twice the heartbeat interval, with open transactions', async () => {
    // At 08:10:00.5 the threshold is 600 s: CP-A (last 08:10:00.100) and CP-B (last 08:06:00.200) are both active;
    // both have a transaction started and not yet stopped. The status is that of the connector charging
    // (CP-B: connector 2 'Charging', although connector 1 reported 'Available' later).
    expect(await json(['query', 'active', '--at', '2024-03-10T08:10:00.500Z', ...warehouse()])).toEqual([
      {
        charge_point_id: 'CP-A',
        last_seen_at: '2024-03-10T08:10:00.100000Z',
        open_transaction_id: 7,
        open_connector_id: 1,
        status: 'Charging',
        open_transaction_started_at: '2024-03-10T08:05:59.000000Z',
        offline_after_s: 600,
      },
      {
        charge_point_id: 'CP-B',
        last_seen_at: '2024-03-10T08:06:00.200000Z',
        open_transaction_id: 3,
        open_connector_id: 2,
        status: 'Charging',
        open_transaction_started_at: '2024-03-10T08:01:59.000000Z',
        offline_after_s: 600,
      },
    ]);

    // At 08:16:30 CP-B's last message (08:06:00.200) is more than 600 s old; CP-A's transaction has stopped.
    expect(await json(['query', 'active', '--at', '2024-03-10T08:16:30Z', ...warehouse()])).toEqual([
      {
        charge_point_id: 'CP-A',
        last_seen_at: '2024-03-10T08:15:31.100000Z',
        open_transaction_id: null,
        open_connector_id: null,
        status: 'Finishing',
        open_transaction_started_at: null,
        offline_after_s: 600,
      },
    ]);

    // Before anything was logged nobody is active.
    expect(await json(['query', 'active', '--at', '2024-03-10T07:00:00Z', ...warehouse()])).toEqual([]);
  });

  it('query active says so in table format when nothing is active, with the newest line before then', async () => {
    const later = await cli(['query', 'active', '--at', '2024-03-11T00:00:00Z', '--format', 'table', ...warehouse()]);
    expect(later.code).toBe(0);
    // the newest line of the fixture: CP-A's StatusNotification reply at 08:15:31.1
    expect(later.stdout).toBe(
      'No charge point is active at 2024-03-11T00:00:00.000000Z: none was heard from within its offline threshold. ' +
        'The newest line was logged at 2024-03-10T08:15:31.100000Z.\n',
    );
    const before = await cli(['query', 'active', '--at', '2024-03-10T07:00:00Z', '--format', 'table', ...warehouse()]);
    expect(before.stdout).toContain('The warehouse holds no line logged before then.');
    // a table with rows is still a table
    const some = await cli(['query', 'active', '--at', '2024-03-10T08:10:00.500Z', '--format', 'table', ...warehouse()]);
    expect(some.stdout.split('\n')[0]).toMatch(/^charge_point_id\s+last_seen_at/);
    expect(some.stdout).toContain('(2 rows)');
  });

  it('query active --offline-after 1 keeps only charge points heard from in the last second', async () => {
    const rows = await json(['query', 'active', '--at', '2024-03-10T08:10:00.500Z', '--offline-after', '1', ...warehouse()]);
    expect(rows.map((row) => [row.charge_point_id, row.open_transaction_id, row.offline_after_s])).toEqual([['CP-A', 7, 1]]);
  });

  it('--format csv starts with the header line', async () => {
    const result = await cli(['query', 'transactions', '--month', '2024-03', '--format', 'csv', ...warehouse()]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\r\n');
    expect(lines[0]).toBe(
      'charge_point_id,transaction_id,connector_id,id_tag,started_at,stopped_at,duration_s,meter_start_wh,meter_stop_wh,' +
        'energy_wh,energy_kwh,stop_reason,last_register_wh,month',
    );
    expect(lines[1]).toBe('CP-A,7,1,TAG-A,2024-03-10T08:05:59.000000Z,2024-03-10T08:15:29.500000Z,570,1000,3000,2000,2,Local,2600,2024-03');
    expect(lines.slice(2)).toEqual(['']);
  });

  it('a bad month is a usage error: exit 2 and one line on stderr', async () => {
    const result = await cli(['query', 'transactions', '--month', '2024-13', '--format', 'json', ...warehouse()]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ocpp-report: .*--month.*YYYY-MM/);
  });

  it('a missing warehouse fails with a clear message', async () => {
    const missing = join(tempDir('ocpp-no-warehouse-'), 'nowhere.duckdb');
    const result = await cli(['query', 'last-seen', '--format', 'json', '--warehouse', missing]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`no warehouse at ${missing}`);
    expect(lines[0]).toContain('ocpp-report run');
  });
});
