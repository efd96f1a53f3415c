/**
 * Text and number formatting for the HTML report. Figures are formatted from the integers the
 * mart holds (Wh, seconds) with integer arithmetic, so the page shows exactly what the workbook's
 * #,##0.000 / #,##0.00 formats show, with no binary floating-point rounding in between.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every text that comes from the data goes through here, in element content and in attributes alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatCount(value: bigint | number): string {
  const n = BigInt(value);
  return `${n < 0n ? '-' : ''}${groupThousands((n < 0n ? -n : n).toString())}`;
}

/** value / divisor with `decimals` decimals, rounded half away from zero (as spreadsheets do). */
function formatRatio(value: bigint, divisor: bigint, decimals: number): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const scale = 10n ** BigInt(decimals);
  const scaled = (magnitude * scale * 2n + divisor) / (divisor * 2n);
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(decimals, '0');
  return `${negative && scaled > 0n ? '-' : ''}${groupThousands(whole.toString())}${decimals > 0 ? `.${fraction}` : ''}`;
}

/** Wh → kWh with three decimals: exact, since 1 kWh is 1000 Wh. */
export function formatKwh(energyWh: bigint): string {
  return formatRatio(energyWh, 1000n, 3);
}

/** Seconds → hours with two decimals. */
export function formatHours(seconds: bigint): string {
  return formatRatio(seconds, 3600n, 2);
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** '2024-02' → 'February 2024', without depending on the machine's locale data. */
export function monthLabel(month: string): string {
  return `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

/**
 * A length of time in words, as an operator reads a silence: "45 s", "4 min", "2 h 10 min",
 * "1 day 3 h", "3 days". Truncated, never rounded up: a charge point silent for 9 min 59 s has not
 * been silent for 10 minutes.
 */
export function formatSilence(seconds: bigint | number): string {
  const s = BigInt(seconds);
  if (s < 0n) return `-${formatSilence(-s)}`;
  if (s < 60n) return `${s} s`;
  const minutes = s / 60n;
  if (minutes < 60n) return `${minutes} min`;
  const hours = minutes / 60n;
  if (hours < 24n) return minutes % 60n === 0n ? `${hours} h` : `${hours} h ${minutes % 60n} min`;
  const days = hours / 24n;
  if (days < 2n) return hours % 24n === 0n ? '1 day' : `1 day ${hours % 24n} h`;
  return `${formatCount(days)} days`;
}

const localFormats = new Map<string, Intl.DateTimeFormat>();

/** A UTC instant (microseconds since the epoch) as 'YYYY-MM-DD HH:MM:SS' wall-clock time in `timezone`. */
export function formatLocalTime(micros: bigint, timezone: string): string {
  let format = localFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    localFormats.set(timezone, format);
  }
  // Floor to the second: a time is never shown later than it happened.
  const ms = Number((micros - (((micros % 1_000_000n) + 1_000_000n) % 1_000_000n)) / 1000n);
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}
