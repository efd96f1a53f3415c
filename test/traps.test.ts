import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { toLine } from '../jobs/generate/dialects.ts';
import { createRandom } from '../jobs/generate/random.ts';
import { simulate, type TruthTransaction } from '../jobs/generate/simulate.ts';
import { envelope, runOn } from './helpers.ts';

const micros = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}`;

/**
 * Every trap at once, on generated traffic whose ground truth is known: both dialects in one
 * file, redelivered lines and files, garbage, CALLERRORs, unknown actions, blank lines, CRLF, a
 * BOM, gzip, reused transaction ids after reboots, readings delivered after their stop, kWh
 * registers, per-phase values, offsets other than UTC, timestamps with and without fractions.
 */
describe('a landing directory with every trap', () => {
  it('exits 0, equals the ground truth to the watt-hour and second, and accounts for every line', async () => {
    const { days, truth } = simulate({ chargePoints: 4, days: 5, start: '2024-04-28', seed: 5, heartbeatIntervalS: 900 });
    const random = createRandom(7);
    const valid: string[] = [];
    for (const day of days) {
      for (const message of day.messages) valid.push(toLine(message, random.chance(0.5) ? 'flat' : 'envelope'));
    }
    const garbage = [
      'garbage',
      '{"charge_point_id": "CP-0001"}',
      '[2, "x", "Heartbeat", {}]',
      JSON.stringify({ charge_point_id: 'CP-0001', received_at: 'not a time', frame: [2, 'x', 'Heartbeat', {}] }),
      JSON.stringify({
        charge_point_id: 'CP-0001',
        received_at: '2024-04-29T10:00:00Z',
        frame: [2, 'x', 'StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 'lots', timestamp: '2024-04-29T10:00:00Z' }],
      }),
    ];
    // harmless traffic the marts must ignore: an unknown action and a CALLERROR answering it
    const harmless = [
      envelope.call('CP-0002', '2024-04-29T12:00:00Z', 'dt-1', 'DataTransfer', { vendorId: 'acme', data: '{}' }),
      envelope.error('CP-0002', '2024-04-29T12:00:01Z', 'dt-1', 'NotSupported', 'no vendor extension'),
    ];
    const withTraps = [...valid];
    // insert garbage and harmless lines at random places, never before the first line
    for (const line of [...garbage, ...harmless]) withTraps.splice(1 + random.int(0, withTraps.length - 1), 0, line);
    const half = Math.floor(withTraps.length / 2);
    const firstHalf = withTraps.slice(0, half);
    const secondHalf = withTraps.slice(half);
    const redelivered = valid.slice(100, 400);

    const run = await runOn({
      // a BOM, CRLF endings and blank lines in the first file
      'a/first.ndjson': `\ufeff${firstHalf.join('\r\n')}\r\n\r\n   \r\n`,
      'b/second.ndjson.gz': gzipSync(`${secondHalf.join('\n')}\n`) as unknown as string,
      // the same 300 lines delivered again in another file
      'c/redelivered.ndjson': redelivered,
    });

    const quarantined = garbage.length;
    const totalLines = firstHalf.length + 2 + secondHalf.length + redelivered.length;
    expect(run.summary.lines).toEqual({ read: totalLines, loaded: totalLines - quarantined - 2, quarantined, blank: 2 });
    expect(
      await run.query(
        `select count(*) as n from fct_landing_file_lines where lines_read <> lines_loaded + lines_quarantined + lines_blank`,
      ),
    ).toEqual([{ n: '0' }]);

    const rows = await run.query(
      `select charge_point_id, transaction_id, connector_id, id_tag,
              strftime(started_at, '%Y-%m-%dT%H:%M:%S.%f') as started, strftime(stopped_at, '%Y-%m-%dT%H:%M:%S.%f') as stopped,
              duration_s, energy_wh, last_register_wh, transaction_status
       from fct_transactions order by charge_point_id, started_at`,
    );
    const expected = truth
      .map((t: TruthTransaction) => ({
        charge_point_id: t.chargePointId,
        transaction_id: String(t.transactionId),
        connector_id: t.connectorId,
        id_tag: t.idTag,
        started: micros(t.startedAtUs),
        stopped: t.stoppedAtUs === null ? null : micros(t.stoppedAtUs),
        duration_s: t.stoppedAtUs === null ? null : String(Math.trunc((t.stoppedAtUs - t.startedAtUs) / 1_000_000)),
        energy_wh: t.meterStopWh === null ? null : String(t.meterStopWh - t.meterStartWh),
        last_register_wh: t.lastRegisterWh === null ? null : t.lastRegisterWh.toFixed(3),
        transaction_status: t.stoppedAtUs === null ? 'open' : 'completed',
      }))
      .sort((a, b) => a.charge_point_id.localeCompare(b.charge_point_id) || a.started.localeCompare(b.started));
    expect(rows).toEqual(expected);
    // the traps were really there
    expect(new Set(truth.map((t) => `${t.chargePointId}/${t.transactionId}`)).size).toBeLessThan(truth.length);
    expect(await run.query(`select count(*) as n from stg_ocpp__other_calls`)).toEqual([{ n: '1' }]);
    expect(await run.query(`select count(*) as n from int_ocpp__replies where message_type_id = 4 and action = 'DataTransfer'`)).toEqual([
      { n: '1' },
    ]);
    const [late] = await run.query(
      `select count(*) as n from int_energy_register_samples s
       join fct_transactions t on s.start_file_id = t.start_file_id and s.start_line_no = t.start_line_no
       where s.logged_at > t.stopped_at`,
    );
    expect(Number(late!.n)).toBeGreaterThan(0);
  });
});
