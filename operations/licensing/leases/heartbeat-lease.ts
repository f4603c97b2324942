import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import type { EntitlementStatus } from '../../../domain/licensing/activation';
import { activeKeyId } from '../entitlement-for-product';
import { pooledSeats } from '../seat-pools/pool-rules';
import { leaseEnd, leaseStatusRefusal, liveLeases, type LeaseRow, type LeaseTiming } from './lease-rules';

type HeldLease = LeaseRow & { ent_status: EntitlementStatus; seats: number; ent_expires_at: string | null };

/**
 * Heartbeat (spec 04 §5.1, §7.2): keeps the seat for another TTL, unless the lease lapsed (410 `LEASE_EXPIRED`),
 * was revoked or released (410 too), its license is refused (the activation refusals; the lease is revoked), or
 * it lost its seat: leases are ranked oldest first, and one ranked above the current seat count (seats were
 * reduced while it was held) is revoked and answered 409 `SEATS_REDUCED`, newest first. Revocations and expiries
 * are committed before the refusal is thrown.
 */
export async function heartbeatLease(db: Db, input: { leaseId: number; code: string; timing: LeaseTiming; now: Date }): Promise<{ expiresAt: Date }> {
  const id = input.leaseId;
  const at = input.now;
  const outcome = await inTransaction(db, async (tx): Promise<{ refused: AppError } | { expiresAt: Date }> => {
    const keyId = await activeKeyId(tx, input.code);
    const [lease] = await tx<HeldLease[]>`
      select l.id, l.entitlement_id, l.machine_id, l.user_name, l.status, l.started_at, l.expires_at,
             e.status as ent_status, e.seats, e.expires_at as ent_expires_at
      from leases l join entitlements e on e.id = l.entitlement_id
      where l.id = ${id} and e.key_id = ${keyId}
      for update of e`;
    if (!lease) throw new AppError('LEASE_NOT_FOUND', 'no such lease for this key');
    const refused = leaseStatusRefusal({ status: lease.ent_status, expires_at: lease.ent_expires_at }, at);
    if (refused) {
      if (lease.status === 'active') await tx`update leases set status = 'revoked' where id = ${id}`;
      return { refused };
    }
    if (lease.status !== 'active') {
      return { refused: new AppError('LEASE_EXPIRED', `the lease is ${lease.status}; check out a new one`, { status: lease.status }) };
    }
    if (new Date(lease.expires_at).getTime() <= at.getTime()) {
      await tx`update leases set status = 'expired' where id = ${id}`;
      const expiredAt = new Date(lease.expires_at).toISOString();
      return { refused: new AppError('LEASE_EXPIRED', 'the lease lapsed without heartbeats; check out a new one', { status: 'expired', expiredAt }) };
    }
    const rank = (await liveLeases(tx, lease.entitlement_id, at)).findIndex((l) => l.id === id) + 1;
    // A local server's pool holds its seats (spec 04 §5.5); a pool is only granted from free seats, so this bites after a reduction alone.
    if (rank > lease.seats - (await pooledSeats(tx, lease.entitlement_id, at))) {
      await tx`update leases set status = 'revoked' where id = ${id}`;
      return { refused: new AppError('SEATS_REDUCED', `the license now has ${lease.seats} seats and this is one of the newest leases above them`, { seats: lease.seats, rank }) };
    }
    const expiresAt = leaseEnd(at, input.timing);
    await tx`update leases set last_heartbeat_at = ${at.toISOString()}, expires_at = ${expiresAt.toISOString()} where id = ${id}`;
    return { expiresAt };
  });
  if ('refused' in outcome) throw outcome.refused;
  return outcome;
}
