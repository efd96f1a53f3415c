/**
 * The shapes in which nearly every CALL payload arrives (MeterValues, StatusNotification and
 * Heartbeat make up almost all of a night's CALLs), as regular expressions over the payload text
 * the parse stores. A payload matching its action's shape is proven to pass the OCPP 1.6 schema
 * check with nothing to say, so the parse marks it `payload_conforms` and the schema check in
 * JavaScript never sees it. Any other payload (another key order, an escape in a string, a day
 * 29–31, a negative id, an unknown key) goes to that check as before: the shapes only decide
 * which lines need it, never a verdict. Enumerations come from the published schemas themselves.
 * test/payload-shapes.test.ts checks the claim against the schema check on generated payloads.
 */
import * as ocpp16Schemas from 'typed-ocpp/dist/ocpp16/schemas.js';

type SchemaNode = { properties?: Record<string, SchemaNode>; items?: SchemaNode; enum?: string[] };
const schemas = ocpp16Schemas as unknown as Record<string, SchemaNode>;

function enumOf(schema: string, ...path: string[]): string[] {
  let node: SchemaNode | undefined = schemas[schema];
  for (const step of path) node = step === '[]' ? node?.items : node?.properties?.[step];
  if (!node?.enum) throw new Error(`${schema}: no enumeration at ${path.join('.')}`);
  return node.enum;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const oneOf = (values: string[]) => `"(?:${values.map(escapeRegex).join('|')})"`;

/** A whole number JSON and every reader take exactly: no sign, no fraction, at most 15 digits. */
const WHOLE = '(?:0|[1-9][0-9]{0,14})';
/** A string without escapes (a payload string with one is left to the schema check). */
const PLAIN_STRING = '"[^"\\\\]*"';
/**
 * A date-time every rule of jobs/ingest/timestamps.ts accepts, with its offset: years 1970–2999,
 * real days (29 February is left to the check), hours to 23, seconds to 59, offsets within ±13:59.
 */
const DATE_TIME =
  '"(?:19[7-9][0-9]|2[0-9]{3})-' +
  '(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))' +
  'T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:0[0-9]|1[0-3])(?::?[0-5][0-9])?)"';

interface Dialect {
  key: (camelCase: string) => string;
  /** JSON.dumps writes ", " and ": "; the stored envelope payload has none. */
  separator: string;
  /** The flat dialect writes an absent optional value as null, which the check drops. */
  optional: (value: string) => string;
}

const ENVELOPE: Dialect = { key: (name) => `"${name}"`, separator: '', optional: (value) => value };
const FLAT: Dialect = {
  key: (name) => `"${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}"`,
  separator: ' ?',
  optional: (value) => `(?:${value}|null)`,
};

/** An object whose keys come in this order, the required ones always. */
function object(dialect: Dialect, fields: [name: string, value: string, required: boolean][]): string {
  const [first, ...rest] = fields;
  if (!first?.[2]) throw new Error('a shape starts with a required key');
  const field = ([name, value]: [string, string, boolean], required: boolean) =>
    `${dialect.key(name)}:${dialect.separator}${required ? value : dialect.optional(value)}`;
  const tail = rest.map((entry) =>
    entry[2] ? `,${dialect.separator}${field(entry, true)}` : `(?:,${dialect.separator}${field(entry, false)})?`,
  );
  return `\\{${field(first, true)}${tail.join('')}\\}`;
}

const list = (dialect: Dialect, item: string) => `\\[${item}(?:,${dialect.separator}${item})*\\]`;

function meterValuesShape(dialect: Dialect): string {
  const sampled = (key: string) => oneOf(enumOf('MeterValuesRequest', 'meterValue', '[]', 'sampledValue', '[]', key));
  const sampledValue = object(dialect, [
    ['value', PLAIN_STRING, true],
    ['context', sampled('context'), false],
    ['format', sampled('format'), false],
    ['measurand', sampled('measurand'), false],
    ['phase', sampled('phase'), false],
    ['location', sampled('location'), false],
    ['unit', sampled('unit'), false],
  ]);
  const meterValue = object(dialect, [
    ['timestamp', DATE_TIME, true],
    ['sampledValue', list(dialect, sampledValue), true],
  ]);
  return object(dialect, [
    ['connectorId', WHOLE, true],
    ['transactionId', WHOLE, false],
    ['meterValue', list(dialect, meterValue), true],
  ]);
}

function statusNotificationShape(dialect: Dialect): string {
  return object(dialect, [
    ['connectorId', WHOLE, true],
    ['errorCode', oneOf(enumOf('StatusNotificationRequest', 'errorCode')), true],
    ['status', oneOf(enumOf('StatusNotificationRequest', 'status')), true],
    ['timestamp', DATE_TIME, false],
  ]);
}

/**
 * The DuckDB variables the parse (sql/staging/base/base_ocpp__lines.sql) reads: one pattern per
 * action and dialect. Bound as values, never spliced into SQL.
 */
export const PAYLOAD_SHAPES: Record<string, string> = {
  shape_envelope_meter_values: meterValuesShape(ENVELOPE),
  shape_envelope_status_notification: statusNotificationShape(ENVELOPE),
  shape_flat_meter_values: meterValuesShape(FLAT),
  shape_flat_status_notification: statusNotificationShape(FLAT),
  shape_heartbeat: '\\{\\}',
};
