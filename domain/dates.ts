// Business-date arithmetic on ISO `YYYY-MM-DD` strings.
//
// Pure and deterministic (imported by Temporal workflow code): no clock reads, no argument-less
// `new Date()`. Every calculation happens in UTC on whole days, so a business date never shifts
// with the server's time zone. The only time-zone-aware function is `todayIn`, which turns an
// instant the caller supplies into the calendar date of a given zone.

import { AppError } from './errors';

export type IsoDate = string;

export type DateErrorCode =
  | 'invalid_date'
  | 'out_of_range'
  | 'invalid_argument'
  | 'invalid_time_zone'
  | 'invalid_period';

export class InvalidDateError extends AppError {
  constructor(
    override readonly code: DateErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Year 0000 is left out: it is not a valid ISO calendar year for business documents.
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

interface DateParts {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function tryParse(date: string): DateParts | null {
  const match = ISO_DATE.exec(date);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < MIN_YEAR || month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** True for a real calendar date written exactly as `YYYY-MM-DD` (no time, no offset). */
export function isValidIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && tryParse(value) !== null;
}

function parse(date: IsoDate): DateParts {
  const parts = tryParse(date);
  if (!parts) throw new InvalidDateError('invalid_date', `Not a valid ISO date (YYYY-MM-DD): "${date}"`);
  return parts;
}

function format({ year, month, day }: DateParts): IsoDate {
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new InvalidDateError('out_of_range', `Date outside years ${MIN_YEAR}-${MAX_YEAR}`);
  }
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function requireInteger(n: number, what: string): void {
  if (!Number.isSafeInteger(n)) {
    throw new InvalidDateError('invalid_argument', `${what} must be an integer, got ${n}`);
  }
}

// Days since 1970-01-01. setUTCFullYear avoids Date.UTC's mapping of years 0-99 to 1900-1999.
function toEpochDay({ year, month, day }: DateParts): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / MS_PER_DAY);
}

function fromEpochDay(epochDay: number): DateParts {
  const d = new Date(epochDay * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** `date` shifted by `n` calendar days (n may be negative). */
export function addDays(date: IsoDate, n: number): IsoDate {
  requireInteger(n, 'Day count');
  return format(fromEpochDay(toEpochDay(parse(date)) + n));
}

/**
 * `date` shifted by `n` calendar months, keeping the day of month and clamping it to the target
 * month's last day (31 Jan + 1 month = 28 Feb, or 29 Feb in a leap year).
 */
export function addMonthsClamped(date: IsoDate, n: number): IsoDate {
  requireInteger(n, 'Month count');
  const { year, month, day } = parse(date);
  const monthIndex = year * 12 + (month - 1) + n;
  const newYear = Math.floor(monthIndex / 12);
  const newMonth = monthIndex - newYear * 12 + 1;
  if (newYear < MIN_YEAR || newYear > MAX_YEAR) {
    throw new InvalidDateError('out_of_range', `Date outside years ${MIN_YEAR}-${MAX_YEAR}`);
  }
  return format({ year: newYear, month: newMonth, day: Math.min(day, daysInMonth(newYear, newMonth)) });
}

/** Signed number of days from `a` to `b` (`b − a`): 2024-01-01 → 2024-01-10 is 9. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toEpochDay(parse(b)) - toEpochDay(parse(a));
}

/** −1, 0 or 1; usable directly as an `Array.prototype.sort` comparator. */
export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  // Validated ISO dates of fixed width compare correctly as strings.
  parse(a);
  parse(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        calendar: 'gregory',
        numberingSystem: 'latn',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
      });
    } catch {
      throw new InvalidDateError('invalid_time_zone', `Unknown time zone: "${timeZone}"`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The business date in `timeZone` at `instant`. Pure: the caller passes the instant (in a
 * workflow, `new Date()` is Temporal's deterministic clock; elsewhere, the request time).
 */
export function todayIn(timeZone: string, instant: Date): IsoDate {
  if (Number.isNaN(instant.getTime())) {
    throw new InvalidDateError('invalid_argument', 'Instant is an invalid Date');
  }
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return format({ year: part('year'), month: part('month'), day: part('day') });
}

// ---------------------------------------------------------------------------------------------
// Subscription terms (decision 12, spec 01 §12.6)

export const periodUnits = ['day', 'month', 'year'] as const;
export type PeriodUnit = (typeof periodUnits)[number];

export interface PeriodLength {
  duration: number;
  unit: PeriodUnit;
}

function requireValidPeriod(period: PeriodLength): void {
  if (!Number.isSafeInteger(period.duration) || period.duration < 1) {
    throw new InvalidDateError('invalid_period', `Period duration must be a positive integer, got ${period.duration}`);
  }
  if (!periodUnits.includes(period.unit)) {
    throw new InvalidDateError('invalid_period', `Unknown period unit: "${String(period.unit)}"`);
  }
}

/** Whole months of a month- or year-based period (a year is 12 months); null for day periods. */
export function periodLengthInMonths(period: PeriodLength): number | null {
  requireValidPeriod(period);
  if (period.unit === 'day') return null;
  return period.unit === 'year' ? period.duration * 12 : period.duration;
}

/**
 * Expiration date (last valid day, inclusive) of the first term of a subscription started on
 * `startDate`.
 *
 * - Months and years (decision 12): start + N months, same day of month, clamped to the month's
 *   end: 31 Dec 2016 + 1 month → 31 Jan 2017. A year is exactly 12 months, so 29 Feb 2024 + 1 year
 *   → 28 Feb 2025.
 * - Days (our decision): the purchase day counts as a day of use, so an N-day period covers N
 *   calendar days including the start day: a 10-day period started 1 Jan expires 10 Jan.
 */
export function firstExpirationDate(startDate: IsoDate, period: PeriodLength): IsoDate {
  const months = periodLengthInMonths(period);
  return months === null ? addDays(startDate, period.duration - 1) : addMonthsClamped(startDate, months);
}

/**
 * Expiration date after one renewal or prolongation. The new term starts the day after
 * `previousExpiration` (see `nextTermStart`).
 *
 * - Months and years: previous expiration + N months, clamped. The clamped day becomes the new
 *   anchor and is never restored (31 Jan → 28 Feb → 28 Mar), because we add to the previous
 *   expiration rather than to the original start date (spec 01 §12.6).
 * - Days: previous expiration + N days, i.e. exactly N days of use starting the day after.
 */
export function nextExpirationDate(previousExpiration: IsoDate, period: PeriodLength): IsoDate {
  const months = periodLengthInMonths(period);
  return months === null ? addDays(previousExpiration, period.duration) : addMonthsClamped(previousExpiration, months);
}

/** First day of the term that follows a term ending (inclusive) on `previousExpiration`. */
export function nextTermStart(previousExpiration: IsoDate): IsoDate {
  return addDays(previousExpiration, 1);
}

/**
 * End date of an order (spec 01 §16.5, §16.8): the creation date plus the service rule's
 * "cancel unpaid order after" days (decision 25 default: 14). An order not completed by then
 * is cancelled (decision 8).
 */
export function orderEndDate(createdDate: IsoDate, unpaidOrderCancelDays: number): IsoDate {
  requireInteger(unpaidOrderCancelDays, 'Unpaid-order cancel days');
  if (unpaidOrderCancelDays < 0) {
    throw new InvalidDateError('invalid_argument', 'Unpaid-order cancel days must not be negative');
  }
  return addDays(createdDate, unpaidOrderCancelDays);
}
