/**
 * What a timestamp in the logs must look like to be read (log times and payload date-times alike;
 * sql/staging/base/base_ocpp__lines.sql applies the same rules to log times). DuckDB's cast is
 * lenient where a figure must not be: it reads hour 24 as the next day, a date alone as midnight
 * and any offset, even +25:00. A time that breaks a rule quarantines its line.
 */

/**
 * ISO 8601 / RFC 3339 date and time; the offset (Z, ±HH, ±HHMM, ±HH:MM) may be left out of log
 * times only. Upper-case T and Z only: DuckDB reads no lower-case ones, and a time read by the
 * check but not by the warehouse would be a stop without a stop time.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** A year before the Unix epoch or from 9999 on is a sentinel or a clock that was never set, not a time. */
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 9998;
/** The widest UTC offsets in use are -12:00 and +14:00. */
export const MAX_OFFSET_MINUTES = 14 * 60;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Why a date-time cannot be read, or null when it can. */
export function dateTimeProblem(text: string, options: { offsetRequired: boolean }): string | null {
  const match = DATE_TIME.exec(text);
  if (!match) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'a date without a time';
    if (/^-?\d+(\.\d+)?$/.test(text)) return 'a number, not a date-time (epoch seconds or milliseconds are ambiguous)';
    return 'not an ISO 8601 date-time';
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [, , , , , , , zulu, sign, offsetHours, offsetMinutes] = match;
  if (options.offsetRequired && !zulu && !sign) return 'no UTC offset';
  if (month < 1 || month > 12) return `month ${match[2]} does not exist`;
  const daysInMonth = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > daysInMonth) return `day ${match[3]} does not exist in ${match[1]}-${match[2]}`;
  if (hour > 23) return `hour ${match[4]} does not exist`;
  if (minute > 59) return `minute ${match[5]} does not exist`;
  if (second === 60) return 'a leap second (23:59:60) cannot be stored';
  if (second > 59) return `second ${match[6]} does not exist`;
  if (sign) {
    const offset = Number(offsetHours) * 60 + Number(offsetMinutes ?? 0);
    if (Number(offsetMinutes ?? 0) > 59 || offset > MAX_OFFSET_MINUTES)
      return `UTC offset ${sign}${offsetHours}:${offsetMinutes ?? '00'} is beyond ±14:00`;
  }
  if (year < FIRST_YEAR || year > LAST_YEAR) return `year ${match[1]} is outside ${FIRST_YEAR}-${LAST_YEAR}`;
  return null;
}
