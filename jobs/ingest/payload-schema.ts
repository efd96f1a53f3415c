/**
 * The OCPP 1.6 schema check of one CALL payload (typed-ocpp's published schemas, ajv). Pure, so
 * the validation workers can load it without a database.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
// Only the published JSON schemas: typed-ocpp's index compiles every validator on import (~2 s).
import * as ocpp16Schemas from 'typed-ocpp/dist/ocpp16/schemas.js';
import { dateTimeProblem } from './timestamps.ts';

// ajv-formats is CommonJS; under ESM its default export arrives one level down.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/**
 * Violations that cannot make a figure wrong: the message is kept and the violation recorded as
 * a warning (simulators send idTags longer than the schema's 20 characters, for example).
 */
const WARNING_KEYWORDS = new Set(['maxLength', 'additionalProperties']);

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
// ajv-formats' date-time takes any offset (+25:00) and leap seconds the warehouse cannot store.
ajv.addFormat('date-time', { type: 'string', validate: (text: string) => dateTimeProblem(text, { offsetRequired: true }) === null });
const schemas = ocpp16Schemas as unknown as Record<string, object>;
const validators = new Map<string, ValidateFunction | null>();

/** Beyond ±(2^53 − 1) a JSON number is not read exactly (here nor by every reader downstream). */
const LARGEST_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;

/** The schema with every integer bounded to what is read exactly: 1e20 is an integer to JSON Schema. */
function withExactIntegers(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withExactIntegers);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([key, inner]) => [key, withExactIntegers(inner)]));
  if (copy.type === 'integer' || copy.type === 'number') {
    copy.minimum ??= -LARGEST_EXACT_INTEGER;
    copy.maximum ??= LARGEST_EXACT_INTEGER;
  }
  return copy;
}

function requestValidator(action: string): ValidateFunction | null {
  if (!validators.has(action)) {
    const schema = schemas[`${action}Request`];
    validators.set(action, schema ? ajv.compile(withExactIntegers(schema) as object) : null);
  }
  return validators.get(action)!;
}

/** A string that is exactly a JSON integer (no spaces, sign +, leading zeros, fraction or exponent). */
const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;
/** A string that is exactly a JSON number. */
const NUMBER_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

function pointerParts(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: unknown, parts: string[]): unknown {
  let value = root;
  for (const part of parts) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function setValueAt(root: unknown, parts: string[], value: unknown): void {
  const parent = valueAt(root, parts.slice(0, -1)) as Record<string, unknown>;
  parent[parts.at(-1)!] = value;
}

/**
 * Numbers that arrive as strings ("meter_stop": "12345", as the simulator's dialect and some
 * firmware send them): a string that reads exactly as the number the schema wants becomes that
 * number, with a warning. Anything else ("12 345", "1,5", " 7") stays a violation.
 */
function coerceNumericStrings(validate: ValidateFunction, candidate: unknown, action: string): PayloadViolation[] {
  const warnings: PayloadViolation[] = [];
  for (const error of validate.errors ?? []) {
    if (error.keyword !== 'type') continue;
    const wanted = (error.params as { type?: string }).type;
    if (wanted !== 'integer' && wanted !== 'number') continue;
    const parts = pointerParts(error.instancePath);
    if (parts.length === 0) continue;
    const value = valueAt(candidate, parts);
    if (typeof value !== 'string' || !(wanted === 'integer' ? INTEGER_TEXT : NUMBER_TEXT).test(value)) continue;
    setValueAt(candidate, parts, Number(value));
    warnings.push({
      severity: 'warning',
      reason: `${action} payload ${error.instancePath} is the numeric string ${JSON.stringify(value)}, read as the ${wanted} ${value} (OCPP 1.6 schema wants a number)`,
    });
  }
  return warnings;
}

/** The flat dialect writes snake_case keys and None as null; the OCPP schemas want camelCase and absent. */
export function normaliseFlatPayload(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseFlatPayload);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== null)
        .map(([key, inner]) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), normaliseFlatPayload(inner)]),
    );
  }
  return value;
}

export interface PayloadViolation {
  severity: 'error' | 'warning';
  reason: string;
}

/** Checks one CALL payload against the published OCPP 1.6 JSON schema of its action. */
export function checkCallPayload(action: string, dialect: string, payload: unknown): PayloadViolation[] {
  const validate = requestValidator(action);
  if (!validate) return [];
  // the payload was parsed for this check alone: numeric strings may be replaced in it
  const candidate = dialect === 'flat' ? normaliseFlatPayload(payload) : payload;
  if (validate(candidate)) return [];
  const coerced = coerceNumericStrings(validate, candidate, action);
  if (coerced.length > 0 && validate(candidate)) return coerced;
  return [
    ...coerced,
    ...(validate.errors ?? []).map((error): PayloadViolation => {
      const value = valueAt(candidate, pointerParts(error.instancePath));
      const problem = error.keyword === 'format' && typeof value === 'string' ? dateTimeProblem(value, { offsetRequired: true }) : null;
      return {
        severity: WARNING_KEYWORDS.has(error.keyword) ? 'warning' : 'error',
        reason: `${action} payload ${error.instancePath || '/'} ${error.message ?? 'is invalid'}${problem ? ` (${problem})` : ''} (OCPP 1.6 schema)`,
      };
    }),
  ];
}

/** Why a text is not strict JSON (NaN, Infinity: DuckDB's reader takes them, JSON has no such number). */
export function strictJsonProblem(error: unknown, text: string): string {
  if (/(^|[^A-Za-z])-?(NaN|Infinity)([^A-Za-z]|$)/.test(text)) return 'NaN or Infinity, which JSON has no number for';
  return `text that is not strict JSON: ${error instanceof Error ? error.message.slice(0, 120) : String(error)}`;
}
