/**
 * The hazard catalogue: hostile values and real firmware quirks, each applied at several field
 * positions of one complete, valid transaction (start, its reply, a MeterValues, the stop) in both
 * log dialects. Each hazard-position-dialect gets its own charge point and its own landing file,
 * so a single run holds them all and every outcome is still attributed to one hazard.
 */
import { type Dialect, toLine } from '../jobs/generate/dialects.ts';
import type { Random } from '../jobs/generate/random.ts';
import type { SimMessage } from '../jobs/generate/simulate.ts';

/** A JSON value's text, given the value it replaces (its JSON text) and the key it is under (as the line spells it). */
type Token = (original: string, key: string) => string;

export type PositionName =
  | 'log_time'
  | 'charge_point_id'
  | 'unique_id'
  | 'meter_stop'
  | 'stop_timestamp'
  | 'stop_payload'
  | 'connector_id'
  | 'id_tag'
  | 'register_value'
  | 'sample_timestamp'
  | 'reply_transaction_id';

type MessageName = 'start' | 'start_reply' | 'meter_values' | 'stop' | 'stop_reply';

interface Position {
  name: PositionName;
  message: MessageName;
  /** A payload path, or a field of the line itself. */
  path: (string | number)[] | 'log_time' | 'charge_point_id' | 'unique_id';
}

export const POSITIONS: Position[] = [
  { name: 'log_time', message: 'stop', path: 'log_time' },
  { name: 'charge_point_id', message: 'stop', path: 'charge_point_id' },
  { name: 'unique_id', message: 'stop', path: 'unique_id' },
  { name: 'meter_stop', message: 'stop', path: ['meterStop'] },
  { name: 'stop_timestamp', message: 'stop', path: ['timestamp'] },
  { name: 'stop_payload', message: 'stop', path: [] },
  { name: 'connector_id', message: 'start', path: ['connectorId'] },
  { name: 'id_tag', message: 'start', path: ['idTag'] },
  { name: 'register_value', message: 'meter_values', path: ['meterValue', 0, 'sampledValue', 0, 'value'] },
  { name: 'sample_timestamp', message: 'meter_values', path: ['meterValue', 0, 'timestamp'] },
  { name: 'reply_transaction_id', message: 'start_reply', path: ['transactionId'] },
];

/** What becomes of the line that carries the hazard, and of its transaction. */
export type Outcome =
  /** the line is quarantined with a reason matching `reason` */
  | 'quarantined'
  /** the line is loaded and the transaction is billed exactly as without the hazard */
  | 'billed'
  /** the line is loaded; the transaction is kept with what can be known (flagged, open or a stop without a start) */
  | 'kept';

export interface Hazard {
  name: string;
  /** What it becomes, in words (README's input contract says the same). */
  becomes: string;
  token?: Token;
  /** A hazard of the line's bytes rather than of one value: it gets the line's text and returns the new text. */
  line?: (text: string, maxLineBytes: number) => string;
  /** The outcome at each position; `default` for the rest. */
  outcomes: Partial<Record<PositionName, Outcome>> & { default: Outcome };
  /** Where the flat dialect differs (its ids are object keys, the envelope's unique id an array element). */
  flatOutcomes?: Partial<Record<PositionName, Outcome>>;
  /** The quarantine reason expected, when quarantined. */
  reason?: RegExp;
}

/** Stands for the hazard's value until the line is written. */
const MARK = '@@HAZARD@@';
/** Stands for bytes that are not UTF-8 until the file is written. */
export const INVALID_UTF8_MARK = '\ue000';

const shiftTimestamp = (original: string, offset: string, minutes: number): string => {
  const utc = new Date(JSON.parse(original) as string);
  if (Number.isNaN(utc.getTime())) return JSON.stringify(`2024-05-01T10:00:00${offset}`);
  const local = new Date(utc.getTime() + minutes * 60_000).toISOString().slice(0, 23);
  return JSON.stringify(`${local}${offset}`);
};

/** NaN in a value the reader checks first (a log time, an id, the payload itself) is quarantined for that. */
const NON_FINITE_REASON = /NaN or Infinity|not an ISO 8601|not a string|neither a string|not a JSON object/;
const numberText = (original: string): string => (/^-?\d+$/.test(original) ? original : '6000');
const TIME_POSITIONS = {
  log_time: 'quarantined',
  stop_timestamp: 'quarantined',
  sample_timestamp: 'quarantined',
  id_tag: 'billed',
} as const;

/**
 * The catalogue. Outcomes per position were worked out from the rules (README, input contract):
 * a payload field of a CALL is held to the OCPP 1.6 schema; an id must be a string; a log time
 * must be a possible ISO 8601 date-time; replies are read leniently (no schema for them).
 */
export const HAZARDS: Hazard[] = [
  {
    name: 'nan',
    becomes: 'quarantined: NaN is not a JSON number',
    token: () => 'NaN',
    outcomes: { default: 'quarantined' },
    reason: NON_FINITE_REASON,
  },
  { name: 'infinity', becomes: 'quarantined', token: () => 'Infinity', outcomes: { default: 'quarantined' }, reason: NON_FINITE_REASON },
  {
    name: 'minus_infinity',
    becomes: 'quarantined',
    token: () => '-Infinity',
    outcomes: { default: 'quarantined' },
    reason: NON_FINITE_REASON,
  },
  {
    name: 'minus_zero',
    becomes: 'read as 0 where a number is wanted, else quarantined like any number in a text field',
    token: () => '-0',
    outcomes: { default: 'quarantined', connector_id: 'billed', meter_stop: 'kept', reply_transaction_id: 'kept', unique_id: 'billed' },
  },
  {
    name: 'exponent_overflow',
    becomes: 'quarantined: 1e400 is not a finite number',
    token: () => '1e400',
    outcomes: { default: 'quarantined', reply_transaction_id: 'kept', unique_id: 'quarantined' },
  },
  {
    name: 'beyond_int64',
    becomes: 'quarantined: an integer beyond ±(2^53 − 1) cannot be read exactly',
    token: () => '9223372036854775808',
    outcomes: { default: 'quarantined', reply_transaction_id: 'kept', unique_id: 'billed' },
  },
  {
    name: 'numeric_string',
    becomes: 'read as the number, with a schema warning; billed like any other',
    token: (original) => JSON.stringify(numberText(original)),
    outcomes: {
      default: 'billed',
      log_time: 'quarantined',
      stop_timestamp: 'quarantined',
      sample_timestamp: 'quarantined',
      stop_payload: 'quarantined',
      charge_point_id: 'kept',
      id_tag: 'billed',
      register_value: 'kept',
    },
  },
  {
    name: 'numeric_string_spaces',
    becomes: 'quarantined where a number is wanted (only an exact number string is read)',
    token: (original) => JSON.stringify(` ${numberText(original)} `),
    outcomes: {
      default: 'quarantined',
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'billed',
      register_value: 'kept',
    },
  },
  {
    name: 'numeric_string_commas',
    becomes: 'quarantined where a number is wanted',
    token: () => JSON.stringify('6,000'),
    outcomes: {
      default: 'quarantined',
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'numeric_string_exponent',
    becomes: 'quarantined where an integer is wanted',
    token: () => JSON.stringify('6e3'),
    outcomes: {
      default: 'quarantined',
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'duplicate_key',
    becomes: 'quarantined when it could change a figure (the two readers disagree on which value wins)',
    token: (original, key) => `${original}, "${key}": "duplicate"`,
    outcomes: { default: 'quarantined', log_time: 'billed', charge_point_id: 'billed', reply_transaction_id: 'billed' },
    flatOutcomes: { unique_id: 'billed' },
  },
  {
    name: 'deep_nesting',
    becomes: 'quarantined (an array where a value belongs); never a stack overflow',
    token: () => `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    outcomes: { default: 'quarantined', reply_transaction_id: 'kept' },
  },
  {
    name: 'lone_surrogate',
    becomes: 'quarantined: not valid JSON text',
    token: () => '"\\ud800"',
    outcomes: { default: 'quarantined' },
  },
  {
    name: 'nul_escaped',
    becomes: 'a string holding NUL is kept as text (never a spreadsheet or Parquet failure); quarantined where a number or time is wanted',
    token: () => '"a\\u0000b"',
    outcomes: {
      default: 'quarantined',
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'nul_raw',
    becomes: 'quarantined: a raw control character is not JSON',
    token: () => '"a\u0000b"',
    outcomes: { default: 'quarantined' },
    reason: /not JSON|payload is not a JSON object/,
  },
  {
    name: 'invalid_utf8',
    becomes: 'quarantined by the reader: invalid UTF-8',
    token: () => `"a${INVALID_UTF8_MARK}b"`,
    outcomes: { default: 'quarantined' },
    reason: /invalid UTF-8/,
  },
  {
    name: 'null',
    becomes: 'quarantined where the field is required or must be a value; a null optional field is absent',
    token: () => 'null',
    outcomes: { default: 'quarantined', reply_transaction_id: 'kept' },
  },
  {
    name: 'array_for_value',
    becomes: 'quarantined',
    token: () => '[1, 2]',
    outcomes: { default: 'quarantined', reply_transaction_id: 'kept' },
  },
  {
    name: 'object_for_value',
    becomes: 'quarantined',
    token: () => '{"a": 1}',
    outcomes: { default: 'quarantined', reply_transaction_id: 'kept' },
  },
  {
    name: 'boolean_for_value',
    becomes: 'quarantined',
    token: () => 'true',
    outcomes: { default: 'quarantined', reply_transaction_id: 'kept', unique_id: 'quarantined' },
  },
  {
    name: 'empty_string',
    becomes: 'quarantined (a missing id, not a number, not a time); an empty text field is kept',
    token: () => '""',
    outcomes: { default: 'quarantined', id_tag: 'billed', reply_transaction_id: 'kept', register_value: 'kept' },
  },
  {
    name: 'leap_second',
    becomes: 'quarantined: TIMESTAMPTZ has no 23:59:60',
    token: () => '"2024-06-30T23:59:60Z"',
    outcomes: {
      default: 'quarantined',
      ...TIME_POSITIONS,
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'year_0000',
    becomes: 'quarantined: a year before 1970 is a clock never set',
    token: () => '"0000-01-01T00:00:00Z"',
    outcomes: {
      default: 'quarantined',
      ...TIME_POSITIONS,
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'year_9999',
    becomes: 'quarantined: 9999 is a sentinel, not a time',
    token: () => '"9999-12-31T23:59:59Z"',
    outcomes: {
      default: 'quarantined',
      ...TIME_POSITIONS,
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'offset_plus_14',
    becomes: 'the same instant written at +14:00: read exactly, billed like any other',
    token: (original) => shiftTimestamp(original, '+14:00', 14 * 60),
    outcomes: {
      default: 'quarantined',
      log_time: 'billed',
      stop_timestamp: 'billed',
      sample_timestamp: 'billed',
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'offset_minus_12',
    becomes: 'the same instant written at -12:00: read exactly, billed like any other',
    token: (original) => shiftTimestamp(original, '-12:00', -12 * 60),
    outcomes: {
      default: 'quarantined',
      log_time: 'billed',
      stop_timestamp: 'billed',
      sample_timestamp: 'billed',
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'offset_plus_25',
    becomes: 'quarantined: no UTC offset is beyond ±14:00',
    token: (original) => shiftTimestamp(original, '+25:00', 25 * 60),
    outcomes: {
      default: 'quarantined',
      ...TIME_POSITIONS,
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'date_without_time',
    becomes: 'quarantined: a date is not an instant',
    token: () => '"2024-05-01"',
    outcomes: {
      default: 'quarantined',
      ...TIME_POSITIONS,
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'month_13',
    becomes: 'quarantined',
    token: () => '"2024-13-01T10:00:00Z"',
    outcomes: {
      default: 'quarantined',
      ...TIME_POSITIONS,
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'february_30',
    becomes: 'quarantined',
    token: () => '"2024-02-30T10:00:00Z"',
    outcomes: {
      default: 'quarantined',
      ...TIME_POSITIONS,
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'hour_24',
    becomes: 'quarantined (DuckDB would read it as the next day)',
    token: () => '"2024-05-01T24:00:00Z"',
    outcomes: {
      default: 'quarantined',
      ...TIME_POSITIONS,
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'lower_case_t_z',
    becomes: 'quarantined: the warehouse reads only upper-case T and Z',
    token: () => '"2024-05-01t10:00:00z"',
    outcomes: {
      default: 'quarantined',
      ...TIME_POSITIONS,
      charge_point_id: 'kept',
      unique_id: 'billed',
      id_tag: 'billed',
      reply_transaction_id: 'kept',
      register_value: 'kept',
    },
  },
  {
    name: 'epoch_seconds',
    becomes: 'quarantined: a number is not a date-time (seconds or milliseconds?)',
    token: () => '1714557600',
    outcomes: { default: 'quarantined', connector_id: 'billed', meter_stop: 'kept', reply_transaction_id: 'kept', unique_id: 'billed' },
  },
  {
    name: 'epoch_millis',
    becomes: 'quarantined: a number is not a date-time',
    token: () => '1714557600000',
    outcomes: { default: 'quarantined', connector_id: 'billed', meter_stop: 'kept', reply_transaction_id: 'kept', unique_id: 'billed' },
  },
  {
    name: 'bom_mid_file',
    becomes: 'a byte order mark starting a line inside a file (files concatenated) is dropped: the line is read',
    line: (text) => `\ufeff${text}`,
    outcomes: { default: 'billed' },
  },
  {
    name: 'truncated_line',
    becomes: 'quarantined: not JSON',
    line: (text) => text.slice(0, Math.floor(text.length / 2)),
    outcomes: { default: 'quarantined' },
    reason: /not JSON|unknown dialect|frame|payload/,
  },
  {
    name: 'line_at_max_bytes',
    becomes: 'a line exactly --max-line-bytes long is read',
    line: (text, max) => padTo(text, max),
    outcomes: { default: 'billed' },
  },
  {
    name: 'line_past_max_bytes',
    becomes: 'quarantined by the reader: longer than --max-line-bytes',
    line: (text, max) => padTo(text, max + 1),
    outcomes: { default: 'quarantined' },
    reason: /line longer than/,
  },
];

/** The line made exactly `bytes` long by a run of spaces before its closing brace (JSON allows them). */
function padTo(text: string, bytes: number): string {
  const missing = bytes - Buffer.byteLength(text);
  return missing <= 0 ? text : `${text.slice(0, -1)}${' '.repeat(missing)}}`;
}

/** One complete transaction; the truth every hazard-free copy of it must give. */
export interface Template {
  messages: Record<MessageName, SimMessage>;
  energyWh: number;
  lastRegisterWh: string;
}

export function template(random: Random, chargePointId: string): Template {
  const startUs = Date.parse('2024-05-01T10:00:00Z') * 1000 + random.int(0, 3_600) * 1_000_000;
  const meterStart = random.int(1_000, 900_000);
  const energyWh = random.int(1_000, 40_000);
  const transactionId = random.int(1, 99_999);
  const register = `${meterStart + Math.floor(energyWh / 2)}.${random.int(1, 9)}`;
  const at = (minutes: number) => startUs + minutes * 60_000_000;
  const iso = (us: number) => new Date(us / 1000).toISOString();
  const message = (
    loggedAt: number,
    messageTypeId: 2 | 3,
    uniqueId: string,
    action: string,
    payload: Record<string, unknown>,
  ): SimMessage => ({
    chargePointId,
    loggedAt,
    messageTypeId,
    uniqueId,
    action,
    payload,
    seq: 0,
  });
  const idTag = `TAG${random.int(100, 999)}`;
  return {
    energyWh,
    lastRegisterWh: Number(register).toFixed(3),
    messages: {
      start: message(at(0), 2, 'u-start', 'StartTransaction', { connectorId: 1, idTag, meterStart, timestamp: iso(at(0)) }),
      start_reply: message(at(0) + 500_000, 3, 'u-start', 'StartTransaction', { transactionId, idTagInfo: { status: 'Accepted' } }),
      meter_values: message(at(30), 2, 'u-mv', 'MeterValues', {
        connectorId: 1,
        transactionId,
        meterValue: [
          { timestamp: iso(at(30)), sampledValue: [{ value: register, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] },
        ],
      }),
      stop: message(at(60), 2, 'u-stop', 'StopTransaction', {
        transactionId,
        idTag,
        meterStop: meterStart + energyWh,
        timestamp: iso(at(60)),
        reason: 'Local',
      }),
      stop_reply: message(at(60) + 500_000, 3, 'u-stop', 'StopTransaction', { idTagInfo: { status: 'Accepted' } }),
    },
  };
}

function setPath(target: Record<string, unknown>, path: (string | number)[], value: unknown): unknown {
  let node: Record<string | number, unknown> = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  const original = node[last];
  node[last] = value;
  return original;
}

/** The template's lines in a dialect, with the hazard (if any) applied at the position. */
export function hazardLines(base: Template, dialect: Dialect, hazard?: Hazard, position?: Position, maxLineBytes = 0): string[] {
  const names: MessageName[] = ['start', 'start_reply', 'meter_values', 'stop', 'stop_reply'];
  return names.map((name) => {
    const message = structuredClone(base.messages[name]);
    if (!hazard || !position || position.message !== name) return toLine(message, dialect);
    if (hazard.line) return hazard.line(toLine(message, dialect), maxLineBytes);
    let original: string;
    let key: string;
    let line: string;
    if (position.path === 'charge_point_id' || position.path === 'unique_id') {
      const field = position.path === 'charge_point_id' ? 'chargePointId' : 'uniqueId';
      original = JSON.stringify(message[field]);
      message[field] = MARK;
      key =
        dialect === 'envelope'
          ? position.path === 'charge_point_id'
            ? 'charge_point_id'
            : ''
          : position.path === 'charge_point_id'
            ? 'charge_point_id'
            : 'message_id';
      line = toLine(message, dialect);
    } else if (position.path === 'log_time') {
      line = toLine(message, dialect);
      const field = dialect === 'envelope' ? 'received_at' : 'write_timestamp';
      const match = new RegExp(`"${field}":("[^"]*")`).exec(line)!;
      original = match[1]!;
      key = field;
      line = line.replace(match[0], `"${field}":"${MARK}"`);
    } else if (position.path.length === 0) {
      original = JSON.stringify(message.payload);
      key = dialect === 'envelope' ? '' : 'body';
      message.payload = MARK as unknown as Record<string, unknown>;
      line = toLine(message, dialect);
    } else {
      original = JSON.stringify(setPath(message.payload, position.path, MARK));
      const last = String(position.path.at(-1));
      key = dialect === 'envelope' ? last : last.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      line = toLine(message, dialect);
    }
    const token = hazard.token!(original, key);
    // a value of the line itself, or one inside the flat dialect's body string (JSON in a string)
    return line.replace(`"${MARK}"`, token).replace(`\\"${MARK}\\"`, JSON.stringify(token).slice(1, -1));
  });
}
