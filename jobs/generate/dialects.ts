import type { SimMessage } from './simulate.ts';
import { formatTimestamp } from './timestamps.ts';

export type Dialect = 'envelope' | 'flat';

/** Envelope dialect: the OCPP-J frame as sent, plus who sent it and when it was logged. */
export function toEnvelopeLine(message: SimMessage): string {
  const receivedAt = formatTimestamp(message.loggedAt, { fractionDigits: 6, offsetMinutes: 0 });
  if (message.messageTypeId === 2) {
    return JSON.stringify({
      charge_point_id: message.chargePointId,
      received_at: receivedAt,
      action: message.action,
      frame: [2, message.uniqueId, message.action, message.payload],
    });
  }
  // Replies carry no action in OCPP-J; the envelope does not add one, so pairing is exercised.
  return JSON.stringify({
    charge_point_id: message.chargePointId,
    received_at: receivedAt,
    frame: [3, message.uniqueId, message.payload],
  });
}

/**
 * Flat dialect (the data-derp simulator's): snake_case keys, the payload as a JSON *string* in
 * `body` written with Python's json.dumps separators, `+00:00` log timestamps.
 */
export function toFlatLine(message: SimMessage): string {
  const writeTimestamp = formatTimestamp(message.loggedAt, { fractionDigits: 6, offsetMinutes: 0 }, '+00:00').replace(/\.000000\+/, '+');
  return JSON.stringify({
    message_id: message.uniqueId,
    message_type: message.messageTypeId,
    charge_point_id: message.chargePointId,
    action: message.action,
    write_timestamp: writeTimestamp,
    body: pythonJson(snakeKeys(message.payload)),
  });
}

export function toLine(message: SimMessage, dialect: Dialect): string {
  return dialect === 'envelope' ? toEnvelopeLine(message) : toFlatLine(message);
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(inner)]),
    );
  }
  return value;
}

/** JSON with ", " and ": " separators, as Python's json.dumps writes it. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, inner]) => `${JSON.stringify(key)}: ${pythonJson(inner)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}
