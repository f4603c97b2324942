import { describe, expect, it } from 'vitest';
import { isoTimestamp } from './timestamps';

describe('isoTimestamp: PostgreSQL timestamptz text → ISO 8601 in UTC with Z', () => {
  it('rewrites the UTC text form, keeping the fraction as PostgreSQL wrote it', () => {
    expect(isoTimestamp('2027-01-06 05:24:07.436+00')).toBe('2027-01-06T05:24:07.436Z');
    expect(isoTimestamp('2027-01-06 05:24:07.436789+00')).toBe('2027-01-06T05:24:07.436789Z');
    expect(isoTimestamp('2027-01-06 05:24:07+00')).toBe('2027-01-06T05:24:07Z');
  });

  it('moves a time in another session time zone to UTC (hours, minutes and seconds of offset)', () => {
    expect(isoTimestamp('2027-01-06 08:24:07.5+03')).toBe('2027-01-06T05:24:07.5Z');
    expect(isoTimestamp('2027-01-01 00:30:00-05:30')).toBe('2027-01-01T06:00:00Z');
    expect(isoTimestamp('1890-01-01 00:00:00+02:30:17')).toBe('1889-12-31T21:29:43Z');
  });

  it('names the same instant as the text it came from', () => {
    for (const text of ['2027-01-06 05:24:07.436+00', '2026-12-31 23:59:59.999+01', '2028-02-29 12:00:00-08']) {
      expect(new Date(isoTimestamp(text)).getTime()).toBe(new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).getTime());
    }
  });

  it('hands through what is not a finite point in time', () => {
    expect(isoTimestamp('infinity')).toBe('infinity');
    expect(isoTimestamp('-infinity')).toBe('-infinity');
    expect(isoTimestamp('0044-03-15 12:00:00+00 BC')).toBe('0044-03-15 12:00:00+00 BC');
  });
});
