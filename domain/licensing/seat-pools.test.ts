import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { freeSeats, MAX_POOL_SECONDS, poolRenewalDue, poolValidUntil } from './seat-pools';

const now = new Date('2027-03-01T10:00:00Z');

describe('seat pools (spec 04 §5.5)', () => {
  it('a pool is valid for the requested time, at most 24 h', () => {
    expect(poolValidUntil(now, 3600, null).toISOString()).toBe('2027-03-01T11:00:00.000Z');
    expect(poolValidUntil(now, MAX_POOL_SECONDS, null).toISOString()).toBe('2027-03-02T10:00:00.000Z');
    expect(() => poolValidUntil(now, MAX_POOL_SECONDS + 1, null)).toThrow(expect.objectContaining({ code: 'POOL_VALIDITY_TOO_LONG' }) as AppError);
  });

  it('a term license ends its pool no later than itself; a perpetual one only by the 24 h bound', () => {
    const licenseEnd = new Date('2027-03-01T12:00:00Z');
    expect(poolValidUntil(now, 86_400, licenseEnd).toISOString()).toBe(licenseEnd.toISOString());
    expect(poolValidUntil(now, 3600, licenseEnd).toISOString()).toBe('2027-03-01T11:00:00.000Z');
  });

  it('free seats are the seats less live leases and pooled seats, never negative', () => {
    expect(freeSeats(5, 1, 2)).toBe(2);
    expect(freeSeats(2, 2, 1)).toBe(0);
  });

  it('a pool is renewed after two thirds of its validity', () => {
    expect(poolRenewalDue(now, new Date(now.getTime() + 24 * 3600_000)).toISOString()).toBe('2027-03-02T02:00:00.000Z');
    expect(poolRenewalDue(now, new Date(now.getTime() + 6000)).getTime() - now.getTime()).toBe(4000);
  });
});
