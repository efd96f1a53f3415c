import { describe, expect, it } from 'vitest';
import { checkPackedCalls, repeatedKey, startPayloadCheckers } from '../jobs/ingest/payload-checkers.ts';
import { dateTimeProblem } from '../jobs/ingest/timestamps.ts';

const packed = (payload: string, action = 'StopTransaction', dialect = 'envelope') => `["${action}","${dialect}",${payload}]`;

const ROWS = [
  packed('{"transactionId":1,"meterStop":6000,"timestamp":"2024-04-29T11:00:00Z"}'),
  packed('{"transactionId":1,"meterStop":NaN,"timestamp":"2024-04-29T11:00:00Z"}'),
  packed('{"transactionId":1,"meterStop":6000,"meterStop":"x","timestamp":"2024-04-29T11:00:00Z"}'),
  packed('{"transaction_id":"1","meter_stop":"6000","timestamp":"2024-04-29T11:00:00Z"}', 'StopTransaction', 'flat'),
  packed('{"transactionId":1,"meterStop":" 6000","timestamp":"2024-04-29T11:00:00Z"}'),
  packed(`{"transactionId":1,"meterStop":${'['.repeat(10_000)}${']'.repeat(10_000)},"timestamp":"2024-04-29T11:00:00Z"}`),
  packed('{"transactionId":1,"meterStop":99999999999999999999,"timestamp":"2024-04-29T11:00:00Z"}'),
  packed('{"transactionId":1,"meterStop":6000,"timestamp":"2024-04-29T11:00:00+25:00"}'),
];

/** Row index → severity: reason, as the check reports them. */
function byRow(found: [number, string, string][]): Record<number, string[]> {
  const rows: Record<number, string[]> = {};
  for (const [row, severity, reason] of found) rows[row] = [...(rows[row] ?? []), `${severity}: ${reason}`];
  return rows;
}

const EXPECTED = {
  1: ['error: payload holds NaN or Infinity, which JSON has no number for'],
  2: ['error: payload repeats the key "meterStop": readers disagree on which value counts'],
  3: [
    'warning: StopTransaction payload /meterStop is the numeric string "6000", read as the integer 6000 (OCPP 1.6 schema wants a number)',
    'warning: StopTransaction payload /transactionId is the numeric string "1", read as the integer 1 (OCPP 1.6 schema wants a number)',
  ],
  4: ['error: StopTransaction payload /meterStop must be integer (OCPP 1.6 schema)'],
  5: ['error: StopTransaction payload /meterStop must be integer (OCPP 1.6 schema)'],
  6: ['error: StopTransaction payload /meterStop must be <= 9007199254740991 (OCPP 1.6 schema)'],
  7: ['error: StopTransaction payload /timestamp must match format "date-time" (UTC offset +25:00 is beyond ±14:00) (OCPP 1.6 schema)'],
};

describe('the payload check', () => {
  it('gives each row its own verdict: a hostile payload costs its line, never the batch', () => {
    expect(byRow(checkPackedCalls(ROWS))).toEqual(EXPECTED);
  });

  it('on worker threads answers the same, and checks on this thread once its workers are gone', async () => {
    const checkers = startPayloadCheckers(2);
    try {
      expect(byRow(await checkers.check(ROWS))).toEqual(EXPECTED);
    } finally {
      await checkers.close();
    }
    // checks after the workers are gone run on this thread
    expect(byRow(await checkers.check(ROWS))).toEqual(EXPECTED);
  });

  it('finds a repeated key at any depth, and none in strings or arrays', () => {
    expect(repeatedKey('{"a":1,"b":{"c":1,"c":2}}')).toBe('c');
    expect(repeatedKey('{"a":"{\\"a\\":1,\\"a\\":2}","b":[{"a":1},{"a":2}]}')).toBeNull();
    expect(repeatedKey('{"a":1,"a":1}')).toBe('a');
  });

  it('reads a date-time only when it is a possible instant', () => {
    const required = { offsetRequired: true };
    expect(dateTimeProblem('2024-04-30T23:58:00.000+14:00', required)).toBeNull();
    expect(dateTimeProblem('2024-04-30 23:58:00-12:00', required)).toBeNull();
    expect(dateTimeProblem('2024-04-30T23:58:00.000+25:00', required)).toBe('UTC offset +25:00 is beyond ±14:00');
    expect(dateTimeProblem('2024-02-29T10:00:00Z', required)).toBeNull();
    expect(dateTimeProblem('2023-02-29T10:00:00Z', required)).toBe('day 29 does not exist in 2023-02');
    expect(dateTimeProblem('2024-13-01T10:00:00Z', required)).toBe('month 13 does not exist');
    expect(dateTimeProblem('2024-05-01T24:00:00Z', required)).toBe('hour 24 does not exist');
    expect(dateTimeProblem('2016-12-31T23:59:60Z', required)).toBe('a leap second (23:59:60) cannot be stored');
    expect(dateTimeProblem('0000-01-01T00:00:00Z', required)).toBe('year 0000 is outside 1970-9998');
    expect(dateTimeProblem('2024-05-01', required)).toBe('a date without a time');
    expect(dateTimeProblem('1714557600', required)).toBe('a number, not a date-time (epoch seconds or milliseconds are ambiguous)');
    expect(dateTimeProblem('2024-05-01T10:00:00', required)).toBe('no UTC offset');
    expect(dateTimeProblem('2024-05-01T10:00:00', { offsetRequired: false })).toBeNull();
  });
});
