import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonthsClamped,
  compareDates,
  daysBetween,
  daysInMonth,
  firstExpirationDate,
  InvalidDateError,
  isLeapYear,
  isValidIsoDate,
  nextExpirationDate,
  nextTermStart,
  orderEndDate,
  periodLengthInMonths,
  todayIn,
  type IsoDate,
  type PeriodLength,
} from './dates';

const month1: PeriodLength = { duration: 1, unit: 'month' };

describe('isValidIsoDate', () => {
  it('accepts real calendar dates written as YYYY-MM-DD', () => {
    expect(isValidIsoDate('2024-02-29')).toBe(true);
    expect(isValidIsoDate('2016-12-31')).toBe(true);
  });

  it('rejects impossible days, other formats and non-strings', () => {
    for (const bad of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-1-01', '2024-01-01T00:00:00Z', '20240101', '0000-01-01', '', ' 2024-01-01']) {
      expect(isValidIsoDate(bad), bad).toBe(false);
    }
    expect(isValidIsoDate(20240101)).toBe(false);
    expect(isValidIsoDate(null)).toBe(false);
  });

  it('follows Gregorian leap years (divisible by 4, except centuries not divisible by 400)', () => {
    expect([isLeapYear(2024), isLeapYear(2023), isLeapYear(1900), isLeapYear(2000)]).toEqual([true, false, false, true]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
  });
});

describe('addDays', () => {
  it('crosses month, year and leap-day boundaries in UTC calendar days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2016-12-31', 1)).toBe('2017-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2024-01-01', 366)).toBe('2025-01-01');
  });

  it('is not shifted by daylight-saving changes', () => {
    expect(addDays('2024-03-30', 1)).toBe('2024-03-31');
    expect(addDays('2024-03-31', 1)).toBe('2024-04-01');
    expect(addDays('2024-10-27', 1)).toBe('2024-10-28');
  });

  it('handles years below 100 without the Date.UTC 19xx mapping', () => {
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
  });

  it('throws a typed error on an invalid date or a fractional day count', () => {
    expect(() => addDays('2024-02-30', 1)).toThrow(InvalidDateError);
    expect(() => addDays('2024-02-01', 1.5)).toThrow(InvalidDateError);
    expect(() => addDays('9999-12-31', 1)).toThrow(/outside years/);
  });
});

describe('addMonthsClamped', () => {
  it('keeps the day of month when the target month has it', () => {
    expect(addMonthsClamped('2024-01-15', 1)).toBe('2024-02-15');
    expect(addMonthsClamped('2024-11-30', 2)).toBe('2025-01-30');
  });

  it('clamps to the last day of a shorter target month', () => {
    expect(addMonthsClamped('2017-01-31', 1)).toBe('2017-02-28');
    expect(addMonthsClamped('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonthsClamped('2024-03-31', 1)).toBe('2024-04-30');
  });

  it('supports negative month counts', () => {
    expect(addMonthsClamped('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonthsClamped('2024-01-15', -13)).toBe('2022-12-15');
  });

  it('rejects a fractional month count', () => {
    expect(() => addMonthsClamped('2024-01-31', 0.5)).toThrow(InvalidDateError);
  });
});

describe('daysBetween and compareDates', () => {
  it('daysBetween(a, b) is b − a in calendar days, signed', () => {
    expect(daysBetween('2024-01-01', '2024-01-10')).toBe(9);
    expect(daysBetween('2024-01-10', '2024-01-01')).toBe(-9);
    expect(daysBetween('2024-02-01', '2024-03-01')).toBe(29);
    expect(daysBetween('2023-02-01', '2023-03-01')).toBe(28);
    expect(daysBetween('2024-01-01', '2024-01-01')).toBe(0);
  });

  it('compareDates orders chronologically and works as a sort comparator', () => {
    expect(compareDates('2024-01-01', '2024-01-02')).toBe(-1);
    expect(compareDates('2024-01-02', '2024-01-01')).toBe(1);
    expect(compareDates('2024-01-02', '2024-01-02')).toBe(0);
    expect(['2024-03-01', '2023-12-31', '2024-02-29'].sort(compareDates)).toEqual(['2023-12-31', '2024-02-29', '2024-03-01']);
  });

  it('compareDates refuses to compare malformed dates', () => {
    expect(() => compareDates('2024-1-1', '2024-01-01')).toThrow(InvalidDateError);
  });
});

describe('todayIn', () => {
  const instant = new Date('2024-03-31T22:30:00Z');

  it('returns the calendar date of the given zone at the given instant', () => {
    expect(todayIn('UTC', instant)).toBe('2024-03-31');
    expect(todayIn('Europe/Moscow', instant)).toBe('2024-04-01'); // UTC+3
    expect(todayIn('America/New_York', new Date('2024-01-01T03:00:00Z'))).toBe('2023-12-31');
  });

  it('is pure: the same instant always gives the same date', () => {
    expect(todayIn('Asia/Tokyo', instant)).toBe(todayIn('Asia/Tokyo', new Date(instant.getTime())));
  });

  it('throws a typed error for an unknown time zone or an invalid instant', () => {
    expect(() => todayIn('Mars/Olympus', instant)).toThrow(InvalidDateError);
    expect(() => todayIn('UTC', new Date(Number.NaN))).toThrow(InvalidDateError);
  });
});

describe('subscription expiration dates (decision 12, spec 01 §12.6)', () => {
  it('a 1-month term started 31 Dec 2016 expires 31 Jan 2017, then renews to 28 Feb and keeps the 28th: 28 Mar 2017', () => {
    const first = firstExpirationDate('2016-12-31', month1);
    expect(first).toBe('2017-01-31');
    const second = nextExpirationDate(first, month1);
    expect(second).toBe('2017-02-28');
    const third = nextExpirationDate(second, month1);
    expect(third).toBe('2017-03-28');
  });

  it('a month-based expiration is start + N months on the same day, inclusive', () => {
    expect(firstExpirationDate('2024-01-01', month1)).toBe('2024-02-01');
    expect(firstExpirationDate('2024-01-15', { duration: 3, unit: 'month' })).toBe('2024-04-15');
  });

  it('leap years: 31 Jan 2024 + 1 month expires 29 Feb 2024, and the 29th is kept afterwards', () => {
    const first = firstExpirationDate('2024-01-31', month1);
    expect(first).toBe('2024-02-29');
    expect(nextExpirationDate(first, month1)).toBe('2024-03-29');
  });

  it('a 1-year period equals a 12-month period (a year is 12 months)', () => {
    const year: PeriodLength = { duration: 1, unit: 'year' };
    const twelve: PeriodLength = { duration: 12, unit: 'month' };
    for (const start of ['2024-02-29', '2023-03-31', '2024-06-15', '2016-12-31']) {
      expect(firstExpirationDate(start, year)).toBe(firstExpirationDate(start, twelve));
    }
    expect(firstExpirationDate('2024-06-15', year)).toBe('2025-06-15');
  });

  it('a yearly term started on 29 Feb 2024 expires 28 Feb 2025 and stays on the 28th in 2028', () => {
    const year: PeriodLength = { duration: 1, unit: 'year' };
    const first = firstExpirationDate('2024-02-29', year);
    expect(first).toBe('2025-02-28');
    expect(nextExpirationDate(nextExpirationDate(nextExpirationDate(first, year), year), year)).toBe('2028-02-28');
    expect(firstExpirationDate('2024-02-29', { duration: 4, unit: 'year' })).toBe('2028-02-29');
  });

  it('day periods: the purchase day counts as a day of use (10 days from 1 Jan expire 10 Jan)', () => {
    const tenDays: PeriodLength = { duration: 10, unit: 'day' };
    expect(firstExpirationDate('2024-01-01', tenDays)).toBe('2024-01-10');
    expect(firstExpirationDate('2024-01-01', { duration: 1, unit: 'day' })).toBe('2024-01-01');
    expect(daysBetween('2024-01-01', firstExpirationDate('2024-01-01', tenDays)) + 1).toBe(10);
  });

  it('day periods renew for exactly N more days starting the day after expiry', () => {
    const tenDays: PeriodLength = { duration: 10, unit: 'day' };
    const next = nextExpirationDate('2024-01-10', tenDays);
    expect(next).toBe('2024-01-20');
    expect(daysBetween(nextTermStart('2024-01-10'), next) + 1).toBe(10);
    expect(nextExpirationDate('2024-02-25', tenDays)).toBe('2024-03-06');
  });

  it('the next term starts the day after the previous expiration', () => {
    expect(nextTermStart('2017-01-31')).toBe('2017-02-01');
    expect(nextTermStart('2024-02-28')).toBe('2024-02-29');
    expect(nextTermStart('2016-12-31')).toBe('2017-01-01');
  });

  it('rejects periods with a non-positive or fractional duration or an unknown unit', () => {
    expect(() => firstExpirationDate('2024-01-01', { duration: 0, unit: 'month' })).toThrow(InvalidDateError);
    expect(() => firstExpirationDate('2024-01-01', { duration: 1.5, unit: 'month' })).toThrow(InvalidDateError);
    expect(() => nextExpirationDate('2024-01-01', { duration: 1, unit: 'week' as never })).toThrow(InvalidDateError);
  });

  it('periodLengthInMonths: months as is, years × 12, null for days', () => {
    expect(periodLengthInMonths({ duration: 3, unit: 'month' })).toBe(3);
    expect(periodLengthInMonths({ duration: 2, unit: 'year' })).toBe(24);
    expect(periodLengthInMonths({ duration: 10, unit: 'day' })).toBeNull();
  });
});

describe('orderEndDate (spec 01 §16.5)', () => {
  it('is the creation date plus the unpaid-order cancel days', () => {
    expect(orderEndDate('2024-02-20', 14)).toBe('2024-03-05');
    expect(orderEndDate('2024-12-25', 14)).toBe('2025-01-08');
    const created: IsoDate = '2024-05-05';
    expect(orderEndDate(created, 0)).toBe(created);
  });

  it('rejects negative or fractional day counts', () => {
    expect(() => orderEndDate('2024-01-01', -1)).toThrow(InvalidDateError);
    expect(() => orderEndDate('2024-01-01', 1.5)).toThrow(InvalidDateError);
  });
});
