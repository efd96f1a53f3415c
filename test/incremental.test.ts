import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryJsonRows, withWarehouse } from '../jobs/db.ts';
import { toLine } from '../jobs/generate/dialects.ts';
import { simulate } from '../jobs/generate/simulate.ts';
import { writeLanding } from '../jobs/generate/write-landing.ts';
import type { Logger } from '../jobs/log.ts';
import { runNightly } from '../jobs/nightly.ts';
import { envelope, nightlySetup, tempDir } from './helpers.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'ocpp-report.mjs');
const FACTS = `select * exclude (start_file_id, start_line_no, stop_file_id, stop_line_no)
               from fct_transactions order by charge_point_id, started_at, stopped_at`;

const setup = nightlySetup;

/** Every file under a directory with its mtime and content hash, to prove what was (not) rewritten. */
function snapshot(dir: string): Record<string, { mtimeMs: number; bytes: string }> {
  const out: Record<string, { mtimeMs: number; bytes: string }> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = { mtimeMs: statSync(path).mtimeMs, bytes: readFileSync(path).toString('base64') };
  }
  return out;
}

function dayLines(seed: number, days = 3, start = '2024-01-30'): string[][] {
  const { days: generated } = simulate({ chargePoints: 2, days, start, seed, heartbeatIntervalS: 900 });
  return [...generated].map((day) => day.messages.map((message) => toLine(message, 'envelope')));
}

describe('incremental, idempotent nightly runs', () => {
  it('a rerun with nothing new loads nothing and rewrites no file', async () => {
    const { options, query } = setup();
    await writeLanding({ out: options.landing, dialect: 'envelope', chargePoints: 2, days: 3, start: '2024-01-30', seed: 5 });
    const first = await runNightly(options);
    expect(first.months).toEqual(['2024-01', '2024-02']);
    const before = snapshot(options.out);
    const parsedBefore = await query(`select count(*) as n from base_ocpp__lines`);

    const events: string[] = [];
    const logger: Logger = {
      event: (event) => events.push(event),
      step: async (event, work) => {
        events.push(event);
        return work();
      },
    };
    const second = await runNightly({ ...options, logger });
    // almost no work: the models are not rebuilt and no month is exported
    expect(events).toContain('models_current');
    expect(events).not.toContain('models');
    expect(events).not.toContain('export_month');
    expect(second.files).toEqual({ loaded: 0, appended: 0, skipped: 3, changed: 0, rejected: 0, missing: 0 });
    expect(second.lines).toEqual({ read: 0, loaded: 0, quarantined: 0, blank: 0 });
    expect(second.months).toEqual([]);
    expect(snapshot(options.out)).toEqual(before);
    expect(await query(`select count(*) as n from base_ocpp__lines`)).toEqual(parsedBefore);
    // the warehouse keeps no copy of the lines: the landing files are the raw layer
    expect(await query(`select count(*) as n from raw_lines`)).toEqual([{ n: '0' }]);
  });

  it('appending lines to a file loads exactly those lines, numbered on from the old end', async () => {
    const { options, query } = setup();
    const lines = dayLines(8).flat();
    const path = join(options.landing, 'growing.ndjson');
    const cut = Math.floor(lines.length / 2);
    writeFileSync(path, `${lines.slice(0, cut).join('\n')}\n`);
    await runNightly(options);
    appendFileSync(path, `${lines.slice(cut).join('\n')}\n`);
    const second = await runNightly(options);
    expect(second.files).toEqual({ loaded: 0, appended: 1, skipped: 0, changed: 0, rejected: 0, missing: 0 });
    expect(second.lines).toEqual({ read: lines.length - cut, loaded: lines.length - cut, quarantined: 0, blank: 0 });
    expect(await query(`select count(*) as n, min(line_no) as first, max(line_no) as last from base_ocpp__lines`)).toEqual([
      { n: String(lines.length), first: '1', last: String(lines.length) },
    ]);

    const clean = setup();
    writeFileSync(join(clean.options.landing, 'growing.ndjson'), `${lines.join('\n')}\n`);
    await runNightly(clean.options);
    expect(await query(FACTS)).toEqual(await clean.query(FACTS));
  });

  it('an unterminated last line of a file still being written waits for a later run', async () => {
    const { options, query } = setup();
    const path = join(options.landing, 'live.ndjson');
    const first = envelope.call('CP1', '2024-01-01T00:00:00Z', 'h1', 'Heartbeat', {});
    const second = envelope.call('CP1', '2024-01-01T00:05:00Z', 'h2', 'Heartbeat', {});
    writeFileSync(path, `${first}\n${second.slice(0, 20)}`);
    const early = await runNightly({ ...options, settleSeconds: 3600 });
    expect(early.lines.read).toBe(1);
    writeFileSync(path, `${first}\n${second}\n`);
    const later = await runNightly({ ...options, settleSeconds: 3600 });
    expect(later.files.appended).toBe(1);
    expect(await query(`select line_no, unique_id, line_bytes from base_ocpp__lines order by line_no`)).toEqual([
      { line_no: '1', unique_id: 'h1', line_bytes: String(first.length) },
      { line_no: '2', unique_id: 'h2', line_bytes: String(second.length) },
    ]);
  });

  it('a file whose loaded bytes changed is reported and kept until --reload replaces it', async () => {
    const { options, query } = setup();
    const path = join(options.landing, 'day.ndjson');
    const [day] = dayLines(9, 1);
    writeFileSync(path, `${day!.join('\n')}\n`);
    await runNightly(options);
    writeFileSync(path, `${day!.slice(1).join('\n')}\n`);
    const changed = await runNightly(options);
    expect(changed.files.changed).toBe(1);
    expect(await query(`select count(*) as n from base_ocpp__lines`)).toEqual([{ n: String(day!.length) }]);
    const reloaded = await runNightly({ ...options, reload: [path] });
    expect(reloaded.files.loaded).toBe(1);
    expect(await query(`select count(*) as n from base_ocpp__lines`)).toEqual([{ n: String(day!.length - 1) }]);
  });

  it('the same lines redelivered in a new file do not double-count', async () => {
    const { options, query } = setup();
    const days = dayLines(10);
    days.forEach((lines, index) => {
      writeFileSync(join(options.landing, `day-${index}.ndjson`), `${lines.join('\n')}\n`);
    });
    await runNightly(options);
    const facts = await query(FACTS);
    writeFileSync(join(options.landing, 'redelivered.ndjson'), `${days[1]!.join('\n')}\n`);
    const before = snapshot(options.out);
    const again = await runNightly(options);
    expect(again.files.loaded).toBe(1);
    expect(await query(FACTS)).toEqual(facts);
    // the redelivered day changed no row of its month: no month report is written again
    expect(again.months).toEqual([]);
    const after = snapshot(options.out);
    for (const [path, file] of Object.entries(before)) {
      if (path.includes('month=') || path.startsWith('excel')) expect(after[path], path).toEqual(file);
    }
  });

  it('a late StopTransaction rebuilds its own month only', async () => {
    const { options } = setup();
    const call = envelope.call;
    const result = envelope.result;
    writeFileSync(
      join(options.landing, 'january.ndjson'),
      `${[
        call('CP1', '2024-01-10T10:00:01Z', 's1', 'StartTransaction', {
          connectorId: 1,
          idTag: 'A',
          meterStart: 0,
          timestamp: '2024-01-10T10:00:00Z',
        }),
        result('CP1', '2024-01-10T10:00:02Z', 's1', { transactionId: 1, idTagInfo: { status: 'Accepted' } }),
        call('CP1', '2024-01-10T11:00:00Z', 'p1', 'StopTransaction', {
          transactionId: 1,
          meterStop: 1000,
          timestamp: '2024-01-10T11:00:00Z',
        }),
      ].join('\n')}\n`,
    );
    writeFileSync(
      join(options.landing, 'february.ndjson'),
      `${[
        call('CP1', '2024-02-10T10:00:01Z', 's2', 'StartTransaction', {
          connectorId: 1,
          idTag: 'B',
          meterStart: 1000,
          timestamp: '2024-02-10T10:00:00Z',
        }),
        result('CP1', '2024-02-10T10:00:02Z', 's2', { transactionId: 2, idTagInfo: { status: 'Accepted' } }),
        call('CP2', '2024-02-11T10:00:01Z', 's3', 'StartTransaction', {
          connectorId: 1,
          idTag: 'C',
          meterStart: 0,
          timestamp: '2024-02-11T10:00:00Z',
        }),
        result('CP2', '2024-02-11T10:00:02Z', 's3', { transactionId: 7, idTagInfo: { status: 'Accepted' } }),
        call('CP2', '2024-02-11T12:00:00Z', 'p3', 'StopTransaction', {
          transactionId: 7,
          meterStop: 500,
          timestamp: '2024-02-11T12:00:00Z',
        }),
      ].join('\n')}\n`,
    );
    const first = await runNightly(options);
    expect(first.months).toEqual(['2024-01', '2024-02']);
    const before = snapshot(options.out);

    // Transaction 2 started in February and its stop arrives late, in March's delivery.
    writeFileSync(
      join(options.landing, 'march.ndjson'),
      `${call('CP1', '2024-03-01T09:00:00Z', 'p2', 'StopTransaction', { transactionId: 2, meterStop: 3000, timestamp: '2024-03-01T09:00:00Z' })}\n`,
    );
    const second = await runNightly(options);
    expect(second.months).toEqual(['2024-03']);
    const after = snapshot(options.out);
    for (const [path, file] of Object.entries(before)) {
      if (path.includes('2024-01') || path.includes('2024-02')) expect(after[path], path).toEqual(file);
    }
    expect(Object.keys(after).some((path) => path.includes('2024-03'))).toBe(true);
  });

  it('a night writes the meter samples of the days it touched; other day files stay as they were', async () => {
    const { options } = setup();
    const { call, result } = envelope;
    const session = (cp: string, day: string, id: number, key: string) => [
      call(cp, `${day}T10:00:01Z`, `s-${key}`, 'StartTransaction', {
        connectorId: 1,
        idTag: 'A',
        meterStart: 0,
        timestamp: `${day}T10:00:00Z`,
      }),
      result(cp, `${day}T10:00:02Z`, `s-${key}`, { transactionId: id, idTagInfo: { status: 'Accepted' } }),
      call(cp, `${day}T10:30:00Z`, `m-${key}`, 'MeterValues', {
        connectorId: 1,
        transactionId: id,
        meterValue: [{ timestamp: `${day}T10:30:00Z`, sampledValue: [{ value: '500' }] }],
      }),
      call(cp, `${day}T11:00:00Z`, `p-${key}`, 'StopTransaction', { transactionId: id, meterStop: 1000, timestamp: `${day}T11:00:00Z` }),
    ];
    const write = (name: string, lines: string[]) => writeFileSync(join(options.landing, name), `${lines.join('\n')}\n`);
    write('d10.ndjson', session('CP1', '2024-01-10', 1, 'a'));
    write('d11.ndjson', session('CP1', '2024-01-11', 2, 'b'));
    await runNightly(options);
    const dir = join(options.out, 'parquet', 'meter_samples', 'month=2024-01');
    expect(readdirSync(dir).sort()).toEqual(['meter_samples-2024-01-10.parquet', 'meter_samples-2024-01-11.parquet']);
    const before = snapshot(dir);
    // the night of the 12th, with a MeterValues of the 10th's session that arrives late
    write('d12.ndjson', [
      ...session('CP1', '2024-01-12', 3, 'c'),
      call('CP1', '2024-01-12T12:00:00Z', 'm-late', 'MeterValues', {
        connectorId: 1,
        transactionId: 1,
        meterValue: [{ timestamp: '2024-01-10T10:45:00Z', sampledValue: [{ value: '900' }] }],
      }),
    ]);
    await runNightly(options);
    const after = snapshot(dir);
    expect(Object.keys(after).sort()).toEqual([
      'meter_samples-2024-01-10.parquet',
      'meter_samples-2024-01-11.parquet',
      'meter_samples-2024-01-12.parquet',
    ]);
    expect(after['meter_samples-2024-01-11.parquet']).toEqual(before['meter_samples-2024-01-11.parquet']);
    expect(after['meter_samples-2024-01-10.parquet']).not.toEqual(before['meter_samples-2024-01-10.parquet']);
    const rows = await withWarehouse(options.warehouse, (db) =>
      queryJsonRows(db, `select strftime(sampled_at, '%d %H:%M') as sampled, value_wh from read_parquet($glob) order by sampled_at`, {
        glob: join(dir, '*.parquet'),
      }),
    );
    expect(rows).toEqual([
      { sampled: '10 10:30', value_wh: '500.000' },
      { sampled: '10 10:45', value_wh: '900.000' },
      { sampled: '11 10:30', value_wh: '500.000' },
      { sampled: '12 10:30', value_wh: '500.000' },
    ]);

    // a month file left by a version before day files is replaced, not read beside them
    cpSync(join(dir, 'meter_samples-2024-01-11.parquet'), join(dir, 'meter_samples.parquet'));
    write('d13.ndjson', session('CP1', '2024-01-13', 4, 'd'));
    await runNightly(options);
    expect(readdirSync(dir).sort()).toEqual([
      'meter_samples-2024-01-10.parquet',
      'meter_samples-2024-01-11.parquet',
      'meter_samples-2024-01-12.parquet',
      'meter_samples-2024-01-13.parquet',
    ]);
  });

  // A late reading of a day a night touches: the day file is written whole in the report's time
  // zone. New York: the last local hour of the 10th is on the 11th in UTC. Havana: clocks go back
  // at 01:00 on 3 November 2024, so 00:00-00:59 comes twice, and the first 00:30 is 04:30 UTC.
  it.each([
    {
      timezone: 'America/New_York',
      start: '2024-01-11T03:00:00Z',
      sampled: '2024-01-11T03:30:00Z',
      stop: '2024-01-11T04:50:00Z',
      late: '2024-01-11T04:45:00Z',
      day: '2024-01-10',
      expected: [
        { sampled_utc: '11 03:30', value_wh: '100.000' },
        { sampled_utc: '11 04:45', value_wh: '800.000' },
      ],
    },
    {
      timezone: 'America/Havana',
      start: '2024-11-03T04:05:00Z',
      sampled: '2024-11-03T06:00:00Z',
      stop: '2024-11-03T07:00:00Z',
      late: '2024-11-03T04:30:00Z',
      day: '2024-11-03',
      expected: [
        { sampled_utc: '03 04:30', value_wh: '800.000' },
        { sampled_utc: '03 06:00', value_wh: '100.000' },
      ],
    },
  ])(
    'a night writes a touched day whole in the report time zone ($timezone)',
    async ({ timezone, start, sampled, stop, late, day, expected }) => {
      const { options } = setup();
      options.timezone = timezone;
      const { call, result } = envelope;
      const later = (at: string, seconds: number) => new Date(Date.parse(at) + seconds * 1000).toISOString();
      const write = (name: string, lines: string[]) => writeFileSync(join(options.landing, name), `${lines.join('\n')}\n`);
      const reading = (uniqueId: string, loggedAt: string, sampledAt: string, value: string) =>
        call('CP1', loggedAt, uniqueId, 'MeterValues', {
          connectorId: 1,
          transactionId: 7,
          meterValue: [{ timestamp: sampledAt, sampledValue: [{ value }] }],
        });
      write('first.ndjson', [
        call('CP1', later(start, 1), 's', 'StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: start }),
        result('CP1', later(start, 2), 's', { transactionId: 7, idTagInfo: { status: 'Accepted' } }),
        reading('m1', sampled, sampled, '100'),
        call('CP1', stop, 'p', 'StopTransaction', { transactionId: 7, meterStop: 900, timestamp: stop }),
      ]);
      await runNightly(options);
      // the next night: a late reading, logged hours after it was sampled
      write('second.ndjson', [reading('m-late', later(late, 8 * 3600), late, '800')]);
      await runNightly(options);
      const dir = join(options.out, 'parquet', 'meter_samples', `month=${day.slice(0, 7)}`);
      expect(readdirSync(dir).sort()).toEqual([`meter_samples-${day}.parquet`]);
      const rows = await withWarehouse(options.warehouse, (db) =>
        queryJsonRows(db, `select strftime(sampled_at, '%d %H:%M') as sampled_utc, value_wh from read_parquet($file) order by sampled_at`, {
          file: join(dir, `meter_samples-${day}.parquet`),
        }),
      );
      expect(rows).toEqual(expected);
    },
  );

  it('puts a sample of the first local hour of a month in that month where clocks go back at midnight (America/Havana)', async () => {
    const { options } = setup();
    options.timezone = 'America/Havana';
    const { call, result } = envelope;
    const session = (id: number, start: string, sampled: string, stop: string) => [
      call('CP1', start, `s${id}`, 'StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: start }),
      result('CP1', start, `s${id}`, { transactionId: id, idTagInfo: { status: 'Accepted' } }),
      call('CP1', sampled, `m${id}`, 'MeterValues', {
        connectorId: 1,
        transactionId: id,
        meterValue: [{ timestamp: sampled, sampledValue: [{ value: '100' }] }],
      }),
      call('CP1', stop, `p${id}`, 'StopTransaction', { transactionId: id, meterStop: 900, timestamp: stop }),
    ];
    // 1 November 2026: clocks go back at 01:00, so 00:00-00:59 comes twice; the first 00:30 is
    // 04:30 UTC. One session on 31 October, one from 00:10 to 02:00 on 1 November.
    writeFileSync(
      join(options.landing, 'a.ndjson'),
      `${[
        ...session(6, '2026-10-31T20:00:00Z', '2026-10-31T20:30:00Z', '2026-10-31T21:00:00Z'),
        ...session(7, '2026-11-01T04:10:00Z', '2026-11-01T04:30:00Z', '2026-11-01T07:00:00Z'),
      ].join('\n')}\n`,
    );
    await runNightly(options);
    const samples = join(options.out, 'parquet', 'meter_samples');
    const files = (month: string) =>
      existsSync(join(samples, `month=${month}`)) ? readdirSync(join(samples, `month=${month}`)).sort() : [];
    expect(files('2026-10')).toEqual(['meter_samples-2026-10-31.parquet']);
    expect(files('2026-11')).toEqual(['meter_samples-2026-11-01.parquet']);
    const rows = await withWarehouse(options.warehouse, (db) =>
      queryJsonRows(
        db,
        `select transaction_id::integer as transaction_id, strftime(sampled_at, '%m-%d %H:%M') as sampled_utc from read_parquet($file)`,
        {
          file: join(samples, 'month=2026-11', 'meter_samples-2026-11-01.parquet'),
        },
      ),
    );
    expect(rows).toEqual([{ transaction_id: 7, sampled_utc: '11-01 04:30' }]);
  });

  it('splits online time at the first of two midnights (America/Havana), a night as a full build', async () => {
    const { call } = envelope;
    const heartbeat = (at: string, id: string) => call('CP1', at, id, 'Heartbeat', {});
    // 1 November 2026: the local day begins at 04:00 UTC (00:00 daylight time); 00:00 comes
    // again at 05:00 UTC. No boot: offline 600 s after a message without a next one.
    const night1 = [heartbeat('2026-11-01T03:55:00Z', 'h1')]; // 31 October, 23:55
    const night2 = [
      heartbeat('2026-11-01T04:10:00Z', 'h2'),
      heartbeat('2026-11-01T04:20:00Z', 'h3'),
      heartbeat('2026-11-01T06:00:00Z', 'h4'),
    ];
    const days = `select strftime(day, '%m-%d') as day, messages, online_s from fct_charge_point_days order by day`;
    const nightly = setup();
    nightly.options.timezone = 'America/Havana';
    writeFileSync(join(nightly.options.landing, 'a.ndjson'), `${night1.join('\n')}\n`);
    await runNightly(nightly.options);
    writeFileSync(join(nightly.options.landing, 'b.ndjson'), `${night2.join('\n')}\n`);
    await runNightly(nightly.options);
    const once = setup();
    once.options.timezone = 'America/Havana';
    writeFileSync(join(once.options.landing, 'a.ndjson'), `${[...night1, ...night2].join('\n')}\n`);
    await runNightly(once.options);
    // by hand: 03:55-04:05 is 300 s on each day; then 04:10-04:20, 04:20-04:30, 06:00-06:10
    const expected = [
      { day: '10-31', messages: '1', online_s: '300' },
      { day: '11-01', messages: '3', online_s: '2100' },
    ];
    expect(await once.query(days)).toEqual(expected);
    expect(await nightly.query(days)).toEqual(expected);
  });

  it('models with a unique key rebuild what a late or interleaved file changes, as a full build would', async () => {
    const { call, result } = envelope;
    const t = (time: string) => `2024-01-15T${time}Z`;
    // night 1: CP1 online from 10:00 (heartbeat interval 60 s: offline after 120 s); a reply whose
    // CALL arrives only in night 2 (logged before it); CP2 starts a session.
    const night1 = [
      call('CP1', t('09:59:00'), 'b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }),
      result('CP1', t('09:59:01'), 'b1', { status: 'Accepted', currentTime: t('09:59:01'), interval: 60 }),
      call('CP1', t('10:00:00'), 'h', 'Heartbeat', {}),
      result('CP1', t('10:00:01'), 'h', { currentTime: t('10:00:01') }),
      result('CP1', t('10:30:01'), 'late', { status: 'Accepted' }),
      call('CP2', t('11:00:00'), 's1', 'StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: t('11:00:00') }),
      result('CP2', t('11:00:01'), 's1', { transactionId: 5, idTagInfo: { status: 'Accepted' } }),
    ];
    // night 2: CP1's next heartbeat 90 s later ends its first online span sooner; the late CALL;
    // CP2 stops its session, sent the next day; CP3 reboots with a longer interval, which changes
    // the offline threshold of its earlier day too.
    const night2 = [
      call('CP1', t('10:01:30'), 'h', 'Heartbeat', {}),
      call('CP1', t('10:30:00'), 'late', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }),
      call('CP2', '2024-01-16T08:00:00Z', 'p1', 'StopTransaction', { transactionId: 5, meterStop: 7000, timestamp: t('12:00:00') }),
      call('CP3', '2024-01-16T09:00:00Z', 'b3', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }),
      result('CP3', '2024-01-16T09:00:01Z', 'b3', { status: 'Accepted', currentTime: t('09:00:01'), interval: 3600 }),
    ];
    const night0 = [call('CP3', t('08:00:00'), 'h3', 'Heartbeat', {})];
    const tables = [
      'select * from fct_charge_point_days order by all',
      'select * exclude (payload) from int_ocpp__replies order by all',
      'select * from dim_charge_points order by all',
    ];
    const incremental = setup();
    writeFileSync(join(incremental.options.landing, 'a.ndjson'), `${[...night0, ...night1].join('\n')}\n`);
    await runNightly(incremental.options);
    writeFileSync(join(incremental.options.landing, 'b.ndjson'), `${night2.join('\n')}\n`);
    const events: string[] = [];
    const logger: Logger = {
      event: (name, fields) => {
        if (name === 'model') events.push(`${fields?.model} ${fields?.mode}`);
      },
      step: async (_name, work) => work(),
    };
    await runNightly({ ...incremental.options, logger });
    expect(events).toEqual(
      expect.arrayContaining(['fct_charge_point_days incremental', 'int_ocpp__replies incremental', 'dim_charge_points incremental']),
    );
    const once = setup();
    writeFileSync(join(once.options.landing, 'a.ndjson'), `${[...night0, ...night1].join('\n')}\n`);
    writeFileSync(join(once.options.landing, 'b.ndjson'), `${night2.join('\n')}\n`);
    await runNightly(once.options);
    for (const sql of tables) expect(await incremental.query(sql)).toEqual(await once.query(sql));
    // the figures themselves, worked by hand: CP1's spans end at its next message or 120 s later:
    // 1 + 59 + 1 + 89 (to the night-2 heartbeat) + 120 + 1 (late CALL to its reply) + 120 = 391 s;
    // CP3 is online 08:00-10:00 on the 15th (2 x 3600 s threshold from its boot on the 16th)
    const days = await incremental.query(
      `select charge_point_id, strftime(day, '%d') as day, online_s, sessions_started, sessions_stopped, energy_wh
       from fct_charge_point_days order by all`,
    );
    expect(days).toEqual([
      { charge_point_id: 'CP1', day: '15', online_s: '391', sessions_started: '0', sessions_stopped: '0', energy_wh: '0' },
      { charge_point_id: 'CP2', day: '15', online_s: '601', sessions_started: '1', sessions_stopped: '1', energy_wh: '7000' },
      { charge_point_id: 'CP2', day: '16', online_s: '600', sessions_started: '0', sessions_stopped: '0', energy_wh: '0' },
      { charge_point_id: 'CP3', day: '15', online_s: '7200', sessions_started: '0', sessions_stopped: '0', energy_wh: '0' },
      { charge_point_id: 'CP3', day: '16', online_s: '7201', sessions_started: '0', sessions_stopped: '0', energy_wh: '0' },
    ]);
    // CP1: 5 messages in night 1 and 2 in night 2, the last the 10:30:01 reply; CP3's reboot on the
    // 16th (night 2) is its latest boot, with the interval its reply gave
    const charge_points = await incremental.query(
      `select charge_point_id, messages, strftime(last_seen_at, '%d %H:%M:%S') as last_seen, strftime(last_boot_at, '%d %H:%M') as last_boot, heartbeat_interval_s
       from dim_charge_points order by all`,
    );
    expect(charge_points).toEqual([
      { charge_point_id: 'CP1', messages: '7', last_seen: '15 10:30:01', last_boot: '15 09:59', heartbeat_interval_s: 60 },
      { charge_point_id: 'CP2', messages: '3', last_seen: '16 08:00:00', last_boot: null, heartbeat_interval_s: null },
      { charge_point_id: 'CP3', messages: '3', last_seen: '16 09:00:01', last_boot: '16 09:00', heartbeat_interval_s: 3600 },
    ]);
    const paired = await incremental.query(`select call_line_no from int_ocpp__replies where unique_id = 'late'`);
    expect(paired).toEqual([{ call_line_no: '2' }]);
  });

  it('a start, or the reply that gives it its id, arriving after its samples moves them onto it, live or nightly', async () => {
    const { call, result } = envelope;
    const t = (time: string) => `2024-01-15T${time}Z`;
    const register = (wh: string, at: string) => ({
      timestamp: at,
      sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
    });
    const sample = (uniqueId: string, at: string, transactionId: number, wh: string) =>
      call('CP9', at, uniqueId, 'MeterValues', { connectorId: 1, transactionId, meterValue: [register(wh, at)] });
    // file a: id 7 is used by a session from 09:00 to 09:30; a second start at 10:00 has no reply
    // yet, so the 10:10 and 10:20 samples of id 7 belong to the first session for now. The 12:10
    // sample of id 8 has no start yet.
    const fileA = [
      call('CP9', t('09:00:00'), 's0', 'StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: t('09:00:00') }),
      result('CP9', t('09:00:01'), 's0', { transactionId: 7, idTagInfo: { status: 'Accepted' } }),
      sample('m0', t('09:15:00'), 7, '300'),
      call('CP9', t('09:30:00'), 'p0', 'StopTransaction', { transactionId: 7, meterStop: 500, timestamp: t('09:30:00') }),
      call('CP9', t('10:00:00'), 's1', 'StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 600, timestamp: t('10:00:00') }),
      sample('m1', t('10:10:00'), 7, '1000'),
      sample('m2', t('10:20:00'), 7, '2500.5'),
      sample('m3', t('12:10:00'), 8, '4000'),
    ];
    // file b, later: the reply giving the 10:00 start id 7 (logged a second after it), its stop,
    // and the 12:00 start of id 8 with its reply
    const fileB = [
      result('CP9', t('10:00:01'), 's1', { transactionId: 7, idTagInfo: { status: 'Accepted' } }),
      call('CP9', t('11:00:00'), 'p1', 'StopTransaction', { transactionId: 7, meterStop: 3000, timestamp: t('11:00:00') }),
      call('CP9', t('12:00:00'), 's2', 'StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 3500, timestamp: t('12:00:00') }),
      result('CP9', t('12:00:01'), 's2', { transactionId: 8, idTagInfo: { status: 'Accepted' } }),
    ];
    const facts = `select transaction_id, strftime(started_at, '%H:%M') as started, meter_start_wh, meter_stop_wh, last_register_wh
                   from fct_transactions order by started_at`;
    // worked by hand: each sample belongs to the latest start with its id logged at or before it
    const expected = [
      { transaction_id: '7', started: '09:00', meter_start_wh: '0', meter_stop_wh: '500', last_register_wh: '300.000' },
      { transaction_id: '7', started: '10:00', meter_start_wh: '600', meter_stop_wh: '3000', last_register_wh: '2500.500' },
      { transaction_id: '8', started: '12:00', meter_start_wh: '3500', meter_stop_wh: null, last_register_wh: '4000.000' },
    ];
    const once = setup();
    writeFileSync(join(once.options.landing, 'a.ndjson'), `${fileA.join('\n')}\n`);
    writeFileSync(join(once.options.landing, 'b.ndjson'), `${fileB.join('\n')}\n`);
    await runNightly(once.options);
    expect(await once.query(facts)).toEqual(expected);
    const samples = 'select * from int_energy_register_samples order by all';
    for (const live of [false, true]) {
      const incremental = setup();
      writeFileSync(join(incremental.options.landing, 'a.ndjson'), `${fileA.join('\n')}\n`);
      await runNightly(incremental.options);
      writeFileSync(join(incremental.options.landing, 'b.ndjson'), `${fileB.join('\n')}\n`);
      await runNightly({ ...incremental.options, live });
      expect(await incremental.query(facts), `live: ${live}`).toEqual(expected);
      expect(await incremental.query(samples), `live: ${live}`).toEqual(await once.query(samples));
      if (!live) {
        // file b holds no sample, yet the night rewrites the day of the samples it moved
        const dayFile = join('parquet', 'meter_samples', 'month=2024-01', 'meter_samples-2024-01-15.parquet');
        expect(readFileSync(join(incremental.options.out, dayFile)).equals(readFileSync(join(once.options.out, dayFile)))).toBe(true);
      }
    }
  });

  it('a retransmitted start whose winning copy changes in a later run leaves no row for the id that lost', async () => {
    const { call, result } = envelope;
    const t = (time: string) => `2024-01-15T${time}Z`;
    const start = (uniqueId: string, at: string) =>
      call('CP7', at, uniqueId, 'StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 100, timestamp: t('10:00:00') });
    const register = (wh: string, at: string) => ({
      timestamp: at,
      sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
    });
    // file a: a start and its copy (same payload, new unique id), given ids 7 and 8; the first
    // logged copy with an id wins (7), with one retransmission; a sample of id 8
    const fileA = [
      start('s1', t('10:00:01')),
      result('CP7', t('10:00:02'), 's1', { transactionId: 7, idTagInfo: { status: 'Accepted' } }),
      start('s2', t('10:00:31')),
      result('CP7', t('10:00:32'), 's2', { transactionId: 8, idTagInfo: { status: 'Accepted' } }),
      call('CP7', t('10:50:00'), 'm1', 'MeterValues', { connectorId: 1, transactionId: 8, meterValue: [register('933', t('10:50:00'))] }),
    ];
    // file b: the charge point stops id 8, the id it went on to use: the copy given 8 wins now
    const fileB = [call('CP7', t('11:00:00'), 'p1', 'StopTransaction', { transactionId: 8, meterStop: 1100, timestamp: t('11:00:00') })];
    const facts = `select transaction_id, meter_start_wh, meter_stop_wh, last_register_wh, flags::varchar as flags
                   from fct_transactions order by all`;
    const samples = 'select * from int_energy_register_samples order by all';
    for (const live of [false, true]) {
      const incremental = setup();
      writeFileSync(join(incremental.options.landing, 'a.ndjson'), `${fileA.join('\n')}\n`);
      await runNightly(incremental.options);
      expect(await incremental.query('select transaction_id from fct_transactions')).toEqual([{ transaction_id: '7' }]);
      writeFileSync(join(incremental.options.landing, 'b.ndjson'), `${fileB.join('\n')}\n`);
      await runNightly({ ...incremental.options, live });
      // worked by hand: one transaction, id 8, 100 -> 1100 Wh, its register sample 933 Wh (in line
      // with the stop: 1,000 Wh in the hour, 167 of them after the sample)
      expect(await incremental.query(facts), `live: ${live}`).toEqual([
        {
          transaction_id: '8',
          meter_start_wh: '100',
          meter_stop_wh: '1100',
          last_register_wh: '933.000',
          flags: '[start_retransmitted]',
        },
      ]);
      const once = setup();
      writeFileSync(join(once.options.landing, 'a.ndjson'), `${fileA.join('\n')}\n`);
      writeFileSync(join(once.options.landing, 'b.ndjson'), `${fileB.join('\n')}\n`);
      await runNightly(once.options);
      expect(await incremental.query(samples), `live: ${live}`).toEqual(await once.query(samples));
      expect(await incremental.query(facts)).toEqual(await once.query(facts));
    }
    // the copy arrives in a later file than the start it copies: still one transaction, now flagged
    const late = setup();
    writeFileSync(join(late.options.landing, 'a.ndjson'), `${fileA.slice(0, 2).join('\n')}\n`);
    await runNightly(late.options);
    writeFileSync(join(late.options.landing, 'b.ndjson'), `${fileA.slice(2, 4).join('\n')}\n`);
    await runNightly({ ...late.options, live: true });
    expect(await late.query(facts)).toEqual([
      {
        transaction_id: '7',
        meter_start_wh: '100',
        meter_stop_wh: null,
        last_register_wh: null,
        flags: '[start_retransmitted]',
      },
    ]);
  });

  it('a stop of a reused id names a copy only until the connector starts again: a later month cannot rebill an earlier one', async () => {
    const { call, result } = envelope;
    const start = (uniqueId: string, at: string, meterStart: number, timestamp: string) =>
      call('CP6', at, uniqueId, 'StartTransaction', { connectorId: 1, idTag: 'A', meterStart, timestamp });
    // January: a start and its copy, given ids 7 and 8; the charge point stops 8
    const january = [
      start('s1', '2024-01-15T10:00:01Z', 100, '2024-01-15T10:00:00Z'),
      result('CP6', '2024-01-15T10:00:02Z', 's1', { transactionId: 7, idTagInfo: { status: 'Accepted' } }),
      start('s2', '2024-01-15T10:00:31Z', 100, '2024-01-15T10:00:00Z'),
      result('CP6', '2024-01-15T10:00:32Z', 's2', { transactionId: 8, idTagInfo: { status: 'Accepted' } }),
      call('CP6', '2024-01-15T11:00:00Z', 'p1', 'StopTransaction', {
        transactionId: 8,
        meterStop: 1100,
        timestamp: '2024-01-15T11:00:00Z',
      }),
    ];
    // February, a later file: the connector starts again and the central system reuses id 7
    const february = [
      start('s3', '2024-02-01T09:00:01Z', 2000, '2024-02-01T09:00:00Z'),
      result('CP6', '2024-02-01T09:00:02Z', 's3', { transactionId: 7, idTagInfo: { status: 'Accepted' } }),
      call('CP6', '2024-02-01T10:00:00Z', 'p2', 'StopTransaction', {
        transactionId: 7,
        meterStop: 2500,
        timestamp: '2024-02-01T10:00:00Z',
      }),
    ];
    const facts = `select transaction_id, strftime(started_at, '%Y-%m-%d') as started, meter_start_wh, meter_stop_wh, flags::varchar as flags
                   from fct_transactions order by started_at`;
    // worked by hand: January stays transaction 8 (its copy was stopped before the connector's
    // next start), February is transaction 7
    const expected = [
      { transaction_id: '8', started: '2024-01-15', meter_start_wh: '100', meter_stop_wh: '1100', flags: '[start_retransmitted]' },
      { transaction_id: '7', started: '2024-02-01', meter_start_wh: '2000', meter_stop_wh: '2500', flags: '[]' },
    ];
    const once = setup();
    writeFileSync(join(once.options.landing, 'a.ndjson'), `${january.join('\n')}\n`);
    writeFileSync(join(once.options.landing, 'b.ndjson'), `${february.join('\n')}\n`);
    await runNightly(once.options);
    expect(await once.query(facts)).toEqual(expected);
    for (const live of [false, true]) {
      const incremental = setup();
      writeFileSync(join(incremental.options.landing, 'a.ndjson'), `${january.join('\n')}\n`);
      await runNightly(incremental.options);
      writeFileSync(join(incremental.options.landing, 'b.ndjson'), `${february.join('\n')}\n`);
      await runNightly({ ...incremental.options, live });
      expect(await incremental.query(facts), `live: ${live}`).toEqual(expected);
    }
    // a late file with a start on the same connector logged before the January stop: the stop now
    // falls after the connector's next start and names neither copy, so the first copy given an
    // id (7) wins; the stop of 8 stays a stop without its start
    const late = [
      start('s4', '2024-01-15T10:30:01Z', 600, '2024-01-15T10:30:00Z'),
      result('CP6', '2024-01-15T10:30:02Z', 's4', { transactionId: 9, idTagInfo: { status: 'Accepted' } }),
    ];
    const lateOnce = setup();
    writeFileSync(join(lateOnce.options.landing, 'a.ndjson'), `${january.join('\n')}\n`);
    writeFileSync(join(lateOnce.options.landing, 'c.ndjson'), `${late.join('\n')}\n`);
    await runNightly(lateOnce.options);
    const ids = 'select transaction_id, flags::varchar as flags from fct_transactions order by all';
    expect(await lateOnce.query(ids)).toEqual([
      { transaction_id: '7', flags: '[start_retransmitted]' },
      { transaction_id: '8', flags: '[stop_without_start]' },
      { transaction_id: '9', flags: '[]' },
    ]);
    const lateIncremental = setup();
    writeFileSync(join(lateIncremental.options.landing, 'a.ndjson'), `${january.join('\n')}\n`);
    await runNightly(lateIncremental.options);
    writeFileSync(join(lateIncremental.options.landing, 'c.ndjson'), `${late.join('\n')}\n`);
    await runNightly({ ...lateIncremental.options, live: true });
    expect(await lateIncremental.query(facts)).toEqual(await lateOnce.query(facts));
  });

  it('live runs between two nights answer the questions as a full build would, and change nothing the next night writes', async () => {
    const [day1, day2] = dayLines(21, 2, '2024-02-28');
    const chunks = [0, 1, 2, 3, 4].map((index) =>
      day2!.slice(Math.floor((index * day2!.length) / 5), Math.floor(((index + 1) * day2!.length) / 5)),
    );
    const marts = [
      'select * from fct_transactions order by all',
      'select * from dim_charge_points order by all',
      'select * from fct_charge_point_days order by all',
      'select * exclude (payload) from int_ocpp__replies order by all',
      'select * from base_ocpp__duplicate_lines order by all',
      'select * from quarantine order by all',
      'select * from fct_status_changes order by all',
    ];
    const questions = [
      `select * from dim_charge_points order by all`,
      `select * from int_transactions order by all`,
      `select * from stg_ocpp__status_notifications order by all`,
      `select * from fct_transactions order by all`,
    ];
    const withLive = setup();
    const nightsOnly = setup();
    for (const { options } of [withLive, nightsOnly]) {
      writeFileSync(join(options.landing, 'day1.ndjson'), `${day1!.join('\n')}\n`);
      await runNightly(options);
    }
    const growing = join(withLive.options.landing, 'day2.ndjson');
    const events: string[] = [];
    const logger: Logger = {
      event: (name) => events.push(name),
      step: async (name, work) => {
        events.push(name);
        return work();
      },
    };
    for (const [index, chunk] of chunks.entries()) {
      // redelivered lines (the previous chunk's last ten) and a late file logged before day 2
      const redelivered = index > 0 ? chunks[index - 1]!.slice(-10) : [];
      appendFileSync(growing, `${[...chunk, ...redelivered].join('\n')}\n`);
      if (index === 2) writeFileSync(join(withLive.options.landing, 'late.ndjson'), `${day1!.slice(0, 40).join('\n')}\n`);
      const before = snapshot(withLive.options.out);
      const summary = await runNightly({ ...withLive.options, live: true, logger });
      expect(summary.months).toEqual([]);
      expect(summary.lines.read).toBe(chunk.length + redelivered.length + (index === 2 ? 40 : 0));
      expect(summary.lines.loaded + summary.lines.quarantined + summary.lines.blank).toBe(summary.lines.read);
      // no month report is touched by a live run
      expect(snapshot(withLive.options.out)).toEqual(before);
      // what the live models answer equals a full build over the same lines
      const full = setup();
      cpSync(withLive.options.landing, full.options.landing, { recursive: true });
      await runNightly(full.options);
      for (const sql of questions) expect(await withLive.query(sql), sql).toEqual(await full.query(sql));
    }
    expect(events).toContain('write_live_outputs');
    expect(events).not.toContain('export_month');
    const modes = await withLive.query(`select mode, count(*) as runs from runs group by mode order by mode`);
    expect(modes).toEqual([
      { mode: 'live', runs: '5' },
      { mode: 'nightly', runs: '1' },
    ]);
    cpSync(withLive.options.landing, nightsOnly.options.landing, { recursive: true });
    await runNightly(withLive.options);
    await runNightly(nightsOnly.options);
    for (const sql of marts) expect(await withLive.query(sql), sql).toEqual(await nightsOnly.query(sql));
    const months = readdirSync(join(nightsOnly.options.out, 'parquet', 'transactions'))
      .filter((name) => name.startsWith('month='))
      .sort();
    expect(readdirSync(join(withLive.options.out, 'parquet', 'transactions')).sort()).toEqual(
      readdirSync(join(nightsOnly.options.out, 'parquet', 'transactions')).sort(),
    );
    for (const month of months) {
      const file = join('parquet', 'transactions', month, 'transactions.parquet');
      expect(readFileSync(join(withLive.options.out, file)).equals(readFileSync(join(nightsOnly.options.out, file))), month).toBe(true);
    }
  }, 400_000);

  it('any batches of late, out-of-order and redelivered lines, live or nightly, end as one full build of the same files', async () => {
    const lines = dayLines(33, 2, '2024-05-31').flat();
    const tables = [
      'select * from fct_transactions order by all',
      'select * from dim_charge_points order by all',
      'select * from int_energy_register_samples order by all',
      'select * from base_ocpp__duplicate_lines order by all',
      'select * exclude (payload) from int_ocpp__replies order by all',
      'select * from stg_ocpp__status_notifications order by all',
      'select * from fct_charge_point_days order by all',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 400 }), append: fc.boolean(), live: fc.boolean() }), {
          minLength: 2,
          maxLength: 4,
        }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer(),
        async (batches, redeliveries, seed) => {
          // out of order: a seeded shuffle within windows of 200 lines; redelivered: repeats of earlier lines
          const shuffled = [...lines, ...redeliveries.map((index) => lines[index % lines.length]!)]
            .map((line, index) => ({ line, key: Math.floor(index / 200) * 1e6 + ((index * 7919 + seed) % 1000003) }))
            .sort((a, b) => a.key - b.key)
            .map((entry) => entry.line);
          const incremental = setup();
          let file = '';
          let taken = 0;
          for (const [index, batch] of batches.entries()) {
            const chunk = index === batches.length - 1 ? shuffled.slice(taken) : shuffled.slice(taken, taken + batch.size);
            taken += chunk.length;
            if (!batch.append || !file) file = join(incremental.options.landing, `part-${String(index).padStart(3, '0')}.ndjson`);
            appendFileSync(file, chunk.length > 0 ? `${chunk.join('\n')}\n` : '');
            await runNightly({ ...incremental.options, live: batch.live });
          }
          await runNightly(incremental.options);
          const once = setup();
          cpSync(incremental.options.landing, once.options.landing, { recursive: true });
          await runNightly(once.options);
          for (const sql of tables) expect(await incremental.query(sql), sql).toEqual(await once.query(sql));
        },
      ),
      { numRuns: 3 },
    );
  }, 900_000);

  it('thirty nights of growing landing data give the same facts and Parquet as one run over everything', async () => {
    const nightly = setup();
    const once = setup();
    const source = tempDir();
    await writeLanding({
      out: source,
      dialect: 'envelope',
      chargePoints: 1,
      days: 30,
      start: '2024-02-15',
      seed: 30,
      heartbeatIntervalS: 3600,
    });
    const dayDirs = readdirSync(source).sort();
    for (const day of dayDirs) {
      cpSync(join(source, day), join(nightly.options.landing, day), { recursive: true });
      await runNightly(nightly.options);
    }
    cpSync(source, once.options.landing, { recursive: true });
    await runNightly(once.options);
    expect(await nightly.query(FACTS)).toEqual(await once.query(FACTS));
    for (const month of ['2024-02', '2024-03']) {
      const file = join('parquet', 'transactions', `month=${month}`, 'transactions.parquet');
      expect(readFileSync(join(nightly.options.out, file)).equals(readFileSync(join(once.options.out, file))), month).toBe(true);
    }
  }, 400_000);
});

describe('the lock', () => {
  it('a run while another holds the lock exits 75 at once; a lock left by a dead process is taken over', async () => {
    const { options } = setup();
    await writeLanding({ out: options.landing, dialect: 'envelope', chargePoints: 1, days: 1, start: '2024-01-01', seed: 1 });
    const args = ['run', '--landing', options.landing, '--warehouse', options.warehouse, '--out', options.out, '--quiet', '--no-html'];
    // this test process is alive: its pid in the lock file means "held"
    writeFileSync(`${options.warehouse}.lock`, `${process.pid}\n`);
    const held = await run('node', [CLI, ...args], { cwd: ROOT }).catch((error: { code: number; stderr: string }) => error);
    expect((held as { code: number }).code).toBe(75);
    expect((held as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
    // a pid that cannot be alive: the lock is stale
    writeFileSync(`${options.warehouse}.lock`, '2147483646\n');
    const { stdout } = await run('node', [CLI, ...args], { cwd: ROOT });
    expect(stdout).toContain('succeeded');
  });

  it('of two overlapping runs exactly one exits 75', async () => {
    const { options } = setup();
    await writeLanding({ out: options.landing, dialect: 'envelope', chargePoints: 4, days: 10, start: '2024-01-01', seed: 2 });
    const args = ['run', '--landing', options.landing, '--warehouse', options.warehouse, '--out', options.out, '--quiet', '--no-html'];
    const outcome = (promise: Promise<unknown>) =>
      promise.then(
        () => 0,
        (error: { code: number }) => error.code,
      );
    const codes = await Promise.all([
      outcome(run('node', [CLI, ...args], { cwd: ROOT })),
      outcome(run('node', [CLI, ...args], { cwd: ROOT })),
    ]);
    expect(codes.sort()).toEqual([0, 75]);
  });
});

describe('time zones', () => {
  it('the TZ of the process changes no output', async () => {
    const source = tempDir();
    await writeLanding({ out: source, dialect: 'flat', chargePoints: 2, days: 3, start: '2024-03-30', seed: 12 });
    const outputs: string[] = [];
    for (const tz of ['America/New_York', 'Asia/Tokyo']) {
      const { options } = setup();
      const env = { ...process.env, TZ: tz };
      await run(
        'node',
        [
          CLI,
          'run',
          '--landing',
          source,
          '--warehouse',
          options.warehouse,
          '--out',
          options.out,
          '--quiet',
          '--no-html',
          '--timezone',
          'Europe/Berlin',
        ],
        { cwd: ROOT, env },
      );
      const { stdout } = await run(
        'node',
        [CLI, 'query', 'transactions', '--month', '2024-03', '--warehouse', options.warehouse, '--format', 'json'],
        { cwd: ROOT, env },
      );
      const parquet = readFileSync(join(options.out, 'parquet', 'transactions', 'month=2024-03', 'transactions.parquet')).toString(
        'base64',
      );
      outputs.push(stdout + parquet);
    }
    expect(outputs[0]!.length).toBeGreaterThan(100);
    expect(outputs[1]).toBe(outputs[0]);
  });
});
