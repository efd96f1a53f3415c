import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withWarehouse } from '../jobs/db.ts';
import { type Dialect, toLine } from '../jobs/generate/dialects.ts';
import { simulate } from '../jobs/generate/simulate.ts';
import { ensureParsedTable, parseLines, prepareParseConnection } from '../jobs/ingest/parse.ts';
import { checkPackedCalls } from '../jobs/ingest/payload-checkers.ts';
import { tempDir } from './helpers.ts';

/**
 * The parse marks a CALL `payload_conforms` when its payload has one of the common shapes
 * (jobs/ingest/payload-shapes.ts), and the schema check then never sees it. That is only sound
 * if every payload so marked is one the check passes with nothing to say. Checked here on payloads
 * built to sit on the edges of the shapes (wrong days, offsets, enums, numbers, escapes, keys,
 * nulls), through the real parse, against the real check.
 */

const CONTEXTS = ['Sample.Periodic', 'Sample.Clock', 'Transaction.Begin', 'Trigger', 'Other'];
const MEASURANDS = ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'SoC'];
const UNITS = ['Wh', 'kWh', 'W', 'A', 'V', 'Percent', 'Celsius'];
const PHASES = ['L1', 'L2', 'L3', 'N', 'L1-N'];
const ERROR_CODES = ['NoError', 'ConnectorLockFailure', 'OtherError', 'WeakSignal'];
const STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'Finishing', 'Faulted'];

/** A value from the set, or one that is almost one (case, spacing, a near miss) or no string at all. */
const nearly = (values: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...values) },
    fc.constantFrom(...values).map((value) => value.toLowerCase()),
    fc.constantFrom(...values).map((value) => `${value} `),
    fc.string({ maxLength: 6 }),
    fc.constantFrom(null, 7, true),
  );

const two = (n: number) => String(n).padStart(2, '0');
const dateTime = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        year: fc.integer({ min: 1968, max: 3001 }),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hour: fc.integer({ min: 0, max: 24 }),
        minute: fc.integer({ min: 0, max: 60 }),
        second: fc.integer({ min: 0, max: 60 }),
        fraction: fc.constantFrom('', '.5', '.123', '.123456789', '.1234567890'),
        offset: fc.constantFrom('Z', '+00:00', '+0100', '-05', '+13:59', '+14:00', '+14:01', '-12:60', '', 'z', '+1:00'),
        separator: fc.constantFrom('T', 'T', 'T', ' ', 't'),
      })
      .map(
        (t) =>
          `${String(t.year).padStart(4, '0')}-${two(t.month)}-${two(t.day)}${t.separator}${two(t.hour)}:${two(t.minute)}:${two(t.second)}${t.fraction}${t.offset}`,
      ),
  },
  fc.constantFrom('2024-02-29T10:00:00Z', '2023-02-29T10:00:00Z', '2024-03-01', '1709287200', ''),
  fc.constantFrom(null, 1709287200),
);

const wholeNumber = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 99 }) },
  fc.constantFrom(-1, 2 ** 53, 1e20, 1.5, '1', null, 999_999_999_999_999),
);

const valueText = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: 0, max: 1e7, noNaN: true }).map((n) => String(n)) },
  fc.string({ maxLength: 8 }),
  fc.constantFrom('"', '\\', 'é', '\u0000', '12 345', null, 12),
);

/** Optional keys: present with a value, absent, or null (the flat dialect's None). */
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, fc.constant(undefined), fc.constant(null));

const sampledValue = fc.record({
  value: valueText,
  context: optional(nearly(CONTEXTS)),
  measurand: optional(nearly(MEASURANDS)),
  phase: optional(nearly(PHASES)),
  unit: optional(nearly(UNITS)),
  extra: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, fc.constant('x')),
});

const meterValues = fc.record({
  connectorId: wholeNumber,
  transactionId: optional(wholeNumber),
  meterValue: fc.array(fc.record({ timestamp: dateTime, sampledValue: fc.array(sampledValue, { minLength: 0, maxLength: 3 }) }), {
    minLength: 0,
    maxLength: 2,
  }),
});

const statusNotification = fc.record({
  connectorId: wholeNumber,
  errorCode: nearly(ERROR_CODES),
  status: nearly(STATUSES),
  timestamp: optional(dateTime),
  info: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, fc.string({ maxLength: 120 })),
});

/** undefined keys drop out in JSON.stringify; a shuffled copy tests that key order only ever costs the fast path. */
function reorder(payload: Record<string, unknown>, shuffle: boolean): Record<string, unknown> {
  return shuffle ? Object.fromEntries(Object.entries(payload).reverse()) : payload;
}

function callLine(action: string, payload: Record<string, unknown>, dialect: Dialect, index: number): string {
  return toLine(
    {
      chargePointId: 'CP-1',
      loggedAt: (Date.UTC(2024, 2, 1) + index * 1000) * 1000,
      messageTypeId: 2,
      uniqueId: `u-${index}`,
      action,
      payload,
    } as unknown as Parameters<typeof toLine>[0],
    dialect,
  );
}

async function parsedCalls(lines: string[]): Promise<{ action: string; dialect: string; payload: string; conforms: boolean }[]> {
  const path = join(tempDir(), 'payloads.ndjson');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return withWarehouse(':memory:', async (db) => {
    await prepareParseConnection(db);
    await ensureParsedTable(db);
    await parseLines(db, { kind: 'file', fileId: 1, path });
    const reader = await db.runAndReadAll(
      `select action, dialect, payload::varchar as payload, payload_conforms as conforms
       from base_ocpp__lines where message_type_id = 2 and rejection_reason is null order by line_no`,
    );
    return reader.getRowObjectsJS() as { action: string; dialect: string; payload: string; conforms: boolean }[];
  });
}

describe('payload shapes', () => {
  it('mark a payload conforming only when the full schema check finds nothing in it', async () => {
    const seed = Number(process.env.SHAPES_SEED ?? 1806);
    const cases = fc.sample(
      fc.record({
        action: fc.constantFrom('MeterValues', 'StatusNotification', 'Heartbeat'),
        meter: meterValues,
        status: statusNotification,
        dialect: fc.constantFrom<Dialect>('envelope', 'flat'),
        shuffle: fc.boolean(),
        heartbeat: fc.constantFrom({}, { extra: 1 }),
      }),
      { seed, numRuns: 3000 },
    );
    const lines = cases.map((c, index) => {
      const payload = c.action === 'MeterValues' ? c.meter : c.action === 'StatusNotification' ? c.status : c.heartbeat;
      return callLine(c.action, reorder(payload as Record<string, unknown>, c.shuffle), c.dialect, index);
    });
    const calls = await parsedCalls(lines);
    const conforming = calls.filter((call) => call.conforms);
    const wronglyConforming = conforming.filter(
      (call) => checkPackedCalls([JSON.stringify([call.action, call.dialect, JSON.parse(call.payload)])]).length > 0,
    );
    expect(wronglyConforming.slice(0, 3)).toEqual([]);
    // both outcomes occur, so the test looks at the edge and not only at one side of it
    expect(conforming.length).toBeGreaterThan(300);
    expect(calls.length - conforming.length).toBeGreaterThan(300);
    // the check reads the stored text exactly as the schema check would (the text it is sent)
    for (const call of conforming.slice(0, 50)) {
      expect(checkPackedCalls([`[${JSON.stringify(call.action)},${JSON.stringify(call.dialect)},${call.payload}]`])).toEqual([]);
    }
  });

  it("cover the simulator's traffic in both dialects: its MeterValues, StatusNotification and Heartbeat skip the check", async () => {
    const { days } = simulate({ chargePoints: 3, days: 1, start: '2024-05-01', seed: 5, heartbeatIntervalS: 900 });
    const messages = [...days].flatMap((day) => day.messages).filter((message) => message.messageTypeId === 2);
    const common = new Set(['MeterValues', 'StatusNotification', 'Heartbeat']);
    for (const dialect of ['envelope', 'flat'] as Dialect[]) {
      const calls = await parsedCalls(messages.map((message) => toLine(message, dialect)));
      const byAction = new Map<string, { all: number; conforming: number }>();
      for (const call of calls) {
        const entry = byAction.get(call.action) ?? { all: 0, conforming: 0 };
        entry.all += 1;
        if (call.conforms) entry.conforming += 1;
        byAction.set(call.action, entry);
      }
      for (const [action, entry] of byAction) {
        expect({ dialect, action, conforming: entry.conforming }).toEqual({
          dialect,
          action,
          conforming: common.has(action) ? entry.all : 0,
        });
      }
    }
  });
});
