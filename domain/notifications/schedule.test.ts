import { describe, expect, it } from 'vitest';
import { holdUntil } from './schedule';

describe('sending hour (spec 03 §5.1)', () => {
  it('no hour: at once', () => {
    const now = new Date('2026-11-30T08:00:00Z');
    expect(holdUntil(now, null, 'UTC')).toEqual(now);
  });

  it('before the hour: held until it the same day; inside it: at once; after it: the next day', () => {
    expect(holdUntil(new Date('2026-11-30T08:00:00Z'), 9, 'UTC').toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(holdUntil(new Date('2026-11-30T08:59:59Z'), 9, 'UTC').toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(holdUntil(new Date('2026-11-30T09:30:00Z'), 9, 'UTC').toISOString()).toBe('2026-11-30T09:30:00.000Z');
    expect(holdUntil(new Date('2026-11-30T10:00:00Z'), 9, 'UTC').toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(holdUntil(new Date('2026-12-31T23:00:00Z'), 0, 'UTC').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('counts the hour in the platform time zone, across daylight saving', () => {
    // Moscow is UTC+3 all year: 09:00 there is 06:00 UTC.
    expect(holdUntil(new Date('2026-11-30T05:00:00Z'), 9, 'Europe/Moscow').toISOString()).toBe('2026-11-30T06:00:00.000Z');
    // Berlin: 09:00 on 29 March 2026 (after the spring change, UTC+2) is 07:00 UTC; the day before (UTC+1) 08:00 UTC.
    expect(holdUntil(new Date('2026-03-28T07:00:00Z'), 9, 'Europe/Berlin').toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(holdUntil(new Date('2026-03-28T20:00:00Z'), 9, 'Europe/Berlin').toISOString()).toBe('2026-03-29T07:00:00.000Z');
  });

  it('refuses an hour outside 0-23', () => {
    expect(() => holdUntil(new Date(), 24, 'UTC')).toThrow(RangeError);
  });
});
