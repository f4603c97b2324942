import { AppError } from '../errors';

/**
 * Seat pools of local license servers (spec 04 §5.5 [Proposal]): the pure rules the root and the local server
 * share. A pool holds `seats` seats of a floating entitlement until `validUntil`, at most 24 h ahead.
 */

/** The spec's bound on a pool's validity: 24 h ahead of the obtain or renew call. */
export const MAX_POOL_SECONDS = 86_400;

/**
 * The end of a pool obtained or renewed at `now` for `validSeconds`: refused with `POOL_VALIDITY_TOO_LONG` above
 * the 24 h bound. A term license ends the pool no later than the license itself (a pool never outlives what it
 * was cut from); a perpetual one (`expiresAt` null) is bound by the 24 h alone.
 */
export function poolValidUntil(now: Date, validSeconds: number, licenseExpiresAt: Date | null, maxSeconds = MAX_POOL_SECONDS): Date {
  if (validSeconds > maxSeconds) {
    throw new AppError('POOL_VALIDITY_TOO_LONG', `a seat pool is valid for at most ${maxSeconds} s (spec 04 §5.5)`, { maxSeconds, requested: validSeconds });
  }
  const end = now.getTime() + validSeconds * 1000;
  return new Date(licenseExpiresAt ? Math.min(end, licenseExpiresAt.getTime()) : end);
}

/** Seats nobody holds: the license's seats less live root leases and the seats of unlapsed pools. */
export const freeSeats = (seats: number, liveLeases: number, pooledSeats: number) => Math.max(0, seats - liveLeases - pooledSeats);

/**
 * When a local server renews its pool: after two thirds of the validity it was issued with, so a third of it is
 * left to retry while the root is unreachable.
 */
export const poolRenewalDue = (issuedAt: Date, validUntil: Date) => new Date(issuedAt.getTime() + Math.floor(((validUntil.getTime() - issuedAt.getTime()) * 2) / 3));
