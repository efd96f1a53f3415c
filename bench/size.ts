/**
 * Bytes of envelope NDJSON the generator writes per charge point and day at its default
 * heartbeat interval (300 s): 1,491 MB for 100 charge points × 31 days, measured.
 */
export const BYTES_PER_CHARGE_POINT_DAY = 481_000;

/** The longest full month the benchmark loads: the new night (day + 1) stays in the same month. */
const MAX_DAYS = 30;

const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };

/** '50MB', '1GB', '1.5GB' → bytes (decimal units, as in MB/s). */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i.exec(text.trim());
  if (!match) throw new Error(`--size: expected a size like 50MB or 1GB, got '${text}'`);
  return Number(match[1]) * UNITS[match[2]!.toUpperCase()]!;
}

export interface LandingShape {
  chargePoints: number;
  /** Days the full run loads; the incremental night adds the day after. */
  days: number;
}

/** Charge points × days of generated traffic closest to the target size: a month when it is big enough. */
export function shapeFor(targetBytes: number): LandingShape {
  const chargePointDays = Math.max(2, Math.round(targetBytes / BYTES_PER_CHARGE_POINT_DAY));
  if (chargePointDays < MAX_DAYS) return { chargePoints: 1, days: chargePointDays };
  return { chargePoints: Math.max(1, Math.round(chargePointDays / MAX_DAYS)), days: MAX_DAYS };
}
