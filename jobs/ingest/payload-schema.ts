/**
 * The OCPP 1.6 schema check of one CALL payload (typed-ocpp's published schemas, ajv). Pure, so
 * the validation workers can load it without a database.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
// Only the published JSON schemas: typed-ocpp's index compiles every validator on import (~2 s).
import * as ocpp16Schemas from 'typed-ocpp/dist/ocpp16/schemas.js';

// ajv-formats is CommonJS; under ESM its default export arrives one level down.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/**
 * Violations that cannot make a figure wrong: the message is kept and the violation recorded as
 * a warning (simulators send idTags longer than the schema's 20 characters, for example).
 */
const WARNING_KEYWORDS = new Set(['maxLength', 'additionalProperties']);

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const schemas = ocpp16Schemas as unknown as Record<string, object>;
const validators = new Map<string, ValidateFunction | null>();

function requestValidator(action: string): ValidateFunction | null {
  if (!validators.has(action)) {
    const schema = schemas[`${action}Request`];
    validators.set(action, schema ? ajv.compile(schema) : null);
  }
  return validators.get(action)!;
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
  const candidate = dialect === 'flat' ? normaliseFlatPayload(payload) : payload;
  if (validate(candidate)) return [];
  return (validate.errors ?? []).map((error) => ({
    severity: WARNING_KEYWORDS.has(error.keyword) ? 'warning' : 'error',
    reason: `${action} payload ${error.instancePath || '/'} ${error.message ?? 'is invalid'} (OCPP 1.6 schema)`,
  }));
}
