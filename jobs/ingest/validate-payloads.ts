import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
// Only the published JSON schemas: typed-ocpp's index compiles every validator on import (~2 s).
import * as ocpp16Schemas from 'typed-ocpp/dist/ocpp16/schemas.js';
import type { Db } from '../db.ts';
import { queryRows, transaction } from '../db.ts';

// ajv-formats is CommonJS; under ESM its default export arrives one level down.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

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

/**
 * Validates the CALL payloads of every file not yet checked, once: results are kept in
 * payload_violations, so a nightly run only pays for new lines. Replies are not checked here:
 * in OCPP-J a reply's schema depends on its CALL, which pairing finds later.
 */
export async function validateNewPayloads(db: Db): Promise<{ checked: number; errors: number; warnings: number }> {
  const files = await queryRows(db, `select file_id from landing_files where status = 'loaded' and not payloads_checked`);
  let checked = 0;
  const violations: { fileId: bigint; lineNo: bigint; violation: PayloadViolation }[] = [];
  for (const { file_id: fileId } of files) {
    const reader = await db.runAndReadAll(
      `select line_no, action, dialect, payload::varchar as payload
       from base_ocpp__lines
       where file_id = $fileId and rejection_reason is null and message_type_id = 2`,
      { fileId: fileId as bigint },
    );
    for (const [lineNo, action, dialect, payload] of reader.getRows()) {
      checked += 1;
      for (const violation of checkCallPayload(String(action), String(dialect), JSON.parse(String(payload)))) {
        violations.push({ fileId: fileId as bigint, lineNo: lineNo as bigint, violation });
      }
    }
  }
  // One transaction: a run killed here leaves neither violations nor the checked mark, never one without the other.
  await transaction(db, async () => {
    if (violations.length > 0) {
      const appender = await db.createAppender('payload_violations');
      try {
        for (const { fileId, lineNo, violation } of violations) {
          appender.appendBigInt(fileId);
          appender.appendBigInt(lineNo);
          appender.appendVarchar(violation.severity);
          appender.appendVarchar(violation.reason);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    }
    await db.run(`update landing_files set payloads_checked = true where status = 'loaded' and not payloads_checked`);
  });
  return {
    checked,
    errors: violations.filter((entry) => entry.violation.severity === 'error').length,
    warnings: violations.filter((entry) => entry.violation.severity === 'warning').length,
  };
}
