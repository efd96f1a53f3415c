/** Timestamps are integer microseconds since the epoch: JS Dates stop at milliseconds. */
export type Micros = number;

export const SECOND_US = 1_000_000;
export const MINUTE_US = 60 * SECOND_US;
export const HOUR_US = 60 * MINUTE_US;
export const DAY_US = 24 * HOUR_US;

/** How a charge point's clock writes time: resolution and UTC offset (minutes). */
export interface ClockStyle {
  fractionDigits: 0 | 3 | 6;
  offsetMinutes: number;
}

export function quantize(us: Micros, style: ClockStyle): Micros {
  const step = 10 ** (6 - style.fractionDigits);
  return Math.floor(us / step) * step;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** ISO-8601 with the given fraction digits and offset ('Z' for UTC unless `utcSuffix` says otherwise). */
export function formatTimestamp(us: Micros, style: ClockStyle, utcSuffix: 'Z' | '+00:00' = 'Z'): string {
  const shifted = us + style.offsetMinutes * MINUTE_US;
  const date = new Date(Math.floor(shifted / 1000));
  const micros = ((shifted % SECOND_US) + SECOND_US) % SECOND_US;
  const fraction = style.fractionDigits === 0 ? '' : `.${pad(micros, 6).slice(0, style.fractionDigits)}`;
  const offset =
    style.offsetMinutes === 0
      ? utcSuffix
      : `${style.offsetMinutes > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(style.offsetMinutes) / 60))}:${pad(Math.abs(style.offsetMinutes) % 60)}`;
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction}${offset}`
  );
}

export function parseDay(day: string): Micros {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(ms)) throw new Error(`not a date (YYYY-MM-DD): ${day}`);
  return ms * 1000;
}

export function dayOf(us: Micros): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(0, 10);
}
