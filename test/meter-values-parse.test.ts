import { describe, expect, it } from 'vitest';
import { runOn } from './helpers.ts';

/**
 * The parse unpacks a MeterValues payload into typed readings as it reads the line, and keeps no
 * payload text for one whose shape is proven conforming: the samples come from the readings, the
 * schema check still reads the text of every other payload, and a repeated line is still found.
 * Expected values are worked out by hand from the lines below.
 */

const line = (uniqueId: string, loggedAt: string, payload: string) =>
  `{"charge_point_id":"CP-M","received_at":"${loggedAt}","action":"MeterValues","frame":[2,"${uniqueId}","MeterValues",${payload}]}`;

// the simulator's shape: conforming
const simulatorShape =
  '{"connectorId":2,"transactionId":3,"meterValue":[{"timestamp":"2024-03-01T01:36:02.061Z","sampledValue":[' +
  '{"value":"4227408","context":"Sample.Periodic"},' +
  '{"value":"1409.136","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","phase":"L1","unit":"kWh"},' +
  '{"value":"9322.1","context":"Sample.Periodic","measurand":"Power.Active.Import","unit":"W"}]}]}';
// valid for the schema, but with its keys in another order: the parse cannot prove it, the check reads it
const reordered =
  '{"meterValue":[{"sampledValue":[{"unit":"Wh","value":"4227500"}],"timestamp":"2024-03-01T01:37:02Z"}],"transactionId":3,"connectorId":2}';
// the same key as the first line (charge point, log time, unique id), another reading: not a repeat
const otherReading =
  '{"connectorId":2,"transactionId":3,"meterValue":[{"timestamp":"2024-03-01T01:36:02.061Z","sampledValue":[{"value":"4227409","context":"Sample.Periodic"}]}]}';

const LINES = [
  line('m1', '2024-03-01T01:36:02.936Z', simulatorShape),
  line('m2', '2024-03-01T01:37:03Z', reordered),
  // a retransmission of the first line, byte for byte
  line('m1', '2024-03-01T01:36:02.936Z', simulatorShape),
  line('m1', '2024-03-01T01:36:02.936Z', otherReading),
];

describe('MeterValues unpacked in the parse', () => {
  it('keeps typed readings instead of the payload text, samples them exactly, and still finds repeats', async () => {
    const run = await runOn({ 'meter.ndjson': LINES });
    expect(run.summary.lines).toMatchObject({ read: 4, loaded: 4, quarantined: 0 });

    const kept = await run.query(
      `select line_no::integer as line_no, payload_conforms, payload is not null as keeps_payload, raw_line is not null as keeps_text
       from base_ocpp__lines order by line_no`,
    );
    expect(kept).toEqual([
      { line_no: 1, payload_conforms: true, keeps_payload: false, keeps_text: false },
      { line_no: 2, payload_conforms: false, keeps_payload: true, keeps_text: true },
      { line_no: 3, payload_conforms: true, keeps_payload: false, keeps_text: false },
      { line_no: 4, payload_conforms: true, keeps_payload: false, keeps_text: false },
    ]);

    const samples = await run.query(
      `select line_no::integer as line_no, connector_id, transaction_id::integer as transaction_id, strftime(sampled_at, '%Y-%m-%dT%H:%M:%S.%g') as sampled_at,
              value_text, sampled_value, measurand, phase, unit, context
       from base_ocpp__meter_value_samples order by line_no, value_text`,
    );
    const first = (valueText: string, sampledValue: number, measurand: string, phase: string | null, unit: string, lineNo = 1) => ({
      line_no: lineNo,
      connector_id: 2,
      transaction_id: 3,
      sampled_at: '2024-03-01T01:36:02.061',
      value_text: valueText,
      sampled_value: sampledValue,
      measurand,
      phase,
      unit,
      context: 'Sample.Periodic',
    });
    expect(samples).toEqual([
      // no measurand means the register, no unit means Wh (OCPP 1.6 defaults)
      first('1409.136', 1409.136, 'Energy.Active.Import.Register', 'L1', 'kWh'),
      first('4227408', 4227408, 'Energy.Active.Import.Register', null, 'Wh'),
      first('9322.1', 9322.1, 'Power.Active.Import', null, 'W'),
      {
        line_no: 2,
        connector_id: 2,
        transaction_id: 3,
        sampled_at: '2024-03-01T01:37:02.000',
        value_text: '4227500',
        sampled_value: 4227500,
        measurand: 'Energy.Active.Import.Register',
        phase: null,
        unit: 'Wh',
        context: null,
      },
      first('1409.136', 1409.136, 'Energy.Active.Import.Register', 'L1', 'kWh', 3),
      first('4227408', 4227408, 'Energy.Active.Import.Register', null, 'Wh', 3),
      first('9322.1', 9322.1, 'Power.Active.Import', null, 'W', 3),
      first('4227409', 4227409, 'Energy.Active.Import.Register', null, 'Wh', 4),
    ]);

    // line 3 repeats line 1; line 4 shares its key but not its reading
    expect(await run.query(`select file_id::integer as file_id, line_no::integer as line_no from base_ocpp__duplicate_lines`)).toEqual([
      { file_id: 1, line_no: 3 },
    ]);
    const modelled = await run.query(`select distinct line_no::integer as line_no from stg_ocpp__meter_values order by line_no`);
    expect(modelled.map((row) => row.line_no)).toEqual([1, 2, 4]);
  });
});
