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
